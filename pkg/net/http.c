/* SPDX-License-Identifier: MIT */
/* One HTTP or HTTPS request with libcurl, pinned to a given address. */
#include "net/internal.h"

#include <curl/curl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Counts the body and keeps its first bytes when asked to. */
struct body_sink {
    uint64_t bytes;
    bool keep;
    struct cdoc_buf kept;
};

/* Keep reading to the end even when nothing is kept, so the server is not
 * cut off mid-response and the count is the whole body. */
static size_t receive_body(char *data, size_t size, size_t count, void *user)
{
    struct body_sink *sink = user;
    size_t len = size * count;

    sink->bytes += len;
    if (sink->keep && sink->kept.len < CDOC_HTTP_BODY_MAX) {
        size_t room = CDOC_HTTP_BODY_MAX - sink->kept.len;

        cdoc_buf_append(&sink->kept, data, len < room ? len : room);
    }
    return len;
}

/* True when every byte of text is in allowed (and text is not empty). */
static bool only_chars(const char *text, const char *allowed)
{
    return text && *text && strspn(text, allowed) == strlen(text);
}

#define HOST_CHARS \
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"
#define METHOD_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* Reject what would change the URL's meaning or inject into the request
 * line, and any time limit that libcurl would read as "no limit". */
static int check_request(const struct cdoc_http_request *request,
                         struct cdoc_err *err)
{
    const char *scheme = request->scheme ? request->scheme : "(null)";
    struct sockaddr_storage addr;
    socklen_t len;

    if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
        return cdoc_errf(err, "invalid scheme '%s': give http or https",
                         scheme);
    if (!only_chars(request->host, HOST_CHARS))
        return cdoc_errf(err, "invalid host '%s': give a host name of "
                         "letters, digits, '.', '-' and '_'",
                         request->host ? request->host : "(null)");
    if (cdoc__net_parse_address(request->address, request->port, &addr,
                                &len, err) < 0)
        return -1;
    if (request->path && (request->path[0] != '/' ||
                          strpbrk(request->path, " \t\r\n#")))
        return cdoc_errf(err, "invalid path '%s': give a path that starts "
                         "with '/' and has no spaces, line breaks or '#'",
                         request->path);
    if (request->method && !only_chars(request->method, METHOD_CHARS))
        return cdoc_errf(err, "invalid method '%s': give an upper-case "
                         "HTTP method such as GET or POST", request->method);
    if (cdoc__net_check_timeout("connect time limit",
                                request->connect_timeout_seconds, err) < 0)
        return -1;
    return cdoc__net_check_timeout("request time limit",
                                   request->timeout_seconds, err);
}

/* Milliseconds for libcurl, at least 1: 0 would mean no limit. */
static long milliseconds(double seconds)
{
    double ms = ceil(seconds * 1000);

    if (ms < 1)
        return 1;
    return ms > (double)LONG_MAX ? LONG_MAX : (long)ms;
}

static void set_method(CURL *curl, const struct cdoc_http_request *request)
{
    const char *method = request->method;

    if (!method)
        method = request->body ? "POST" : "GET";
    if (request->body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)strlen(request->body));
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request->body);
    } else if (strcmp(method, "POST") == 0) {
        /* An empty body, so that Content-Length: 0 is sent. */
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
    }
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0 || request->body)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
}

static void set_verification(CURL *curl,
                             const struct cdoc_http_request *request)
{
    if (!request->verify) {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
        /* Otherwise libcurl still reads its default CA bundle, for a
         * connection that verifies nothing. */
        curl_easy_setopt(curl, CURLOPT_CAINFO, NULL);
        curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
        return;
    }
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (request->ca_file) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, request->ca_file);
        curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
    }
}

/* libcurl measures a stall in whole seconds. */
static long stall_seconds(double connect_timeout_seconds)
{
    long seconds = (long)ceil(connect_timeout_seconds);

    return seconds < 1 ? 1 : seconds;
}

static void set_request_options(CURL *curl, const char *url,
                                struct curl_slist *resolve,
                                struct curl_slist *headers,
                                const struct cdoc_http_request *request,
                                struct body_sink *sink, char *error_text)
{
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, request->scheme);
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, request->scheme);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     milliseconds(request->connect_timeout_seconds));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     milliseconds(request->timeout_seconds));
    /* A long download gets a long total limit, but a peer that stops
     * sending (or never starts) must cost only the connect time limit:
     * under 1 byte a second for that long ends the request. */
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                     stall_seconds(request->connect_timeout_seconds));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, receive_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
    set_method(curl, request);
    set_verification(curl, request);
}

static void read_outcome(CURL *curl, CURLcode code, const char *error_text,
                         struct body_sink *sink,
                         struct cdoc_http_result *result)
{
    long connections = 0;
    curl_off_t handshake_done_at = 0;
    curl_off_t total_us = 0;
    curl_off_t speed = 0;

    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result->status);
    /* Not CURLINFO_CONNECT_TIME_T: libcurl 7.88 records it only once TLS
     * is also done, so a failed handshake would look like no connection
     * at all. NUM_CONNECTS counts successful TCP connects, and each
     * request has a handle of its own. */
    curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connections);
    curl_easy_getinfo(curl, CURLINFO_APPCONNECT_TIME_T, &handshake_done_at);
    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total_us);
    curl_easy_getinfo(curl, CURLINFO_SPEED_DOWNLOAD_T, &speed);
    result->seconds = (double)total_us / 1e6;
    result->bytes_per_second = (double)speed;
    result->connected = connections > 0;
    result->tls_done = handshake_done_at > 0;
    result->body_bytes = sink->bytes;
    if (sink->keep) {
        result->body = sink->kept.data ? sink->kept.data : cdoc_xstrdup("");
        result->body_len = sink->kept.len;
        sink->kept = (struct cdoc_buf){0};
    }
    result->timed_out = code == CURLE_OPERATION_TIMEDOUT;
    if (code != CURLE_OK)
        result->error = cdoc_xasprintf(
            "%s", *error_text ? error_text : curl_easy_strerror(code));
}

/* libcurl's global state is set up once per process and never torn down:
 * the library stays loaded until the check ends. */
static int init_curl(struct cdoc_err *err)
{
    static bool done;

    if (done)
        return 0;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return cdoc_errf(err, "cannot initialise libcurl");
    done = true;
    return 0;
}

int cdoc__http_request(const struct cdoc_http_request *request,
                       struct cdoc_http_result *result,
                       struct cdoc_err *err)
{
    char error_text[CURL_ERROR_SIZE] = "";
    struct body_sink sink = {.keep = request->keep_body};
    struct curl_slist *resolve, *headers;
    bool ipv6 = request->address && strchr(request->address, ':');
    char *pin, *url;
    CURLcode code;
    CURL *curl;
    int rc = -1;

    memset(result, 0, sizeof(*result));
    if (check_request(request, err) < 0 || init_curl(err) < 0)
        return -1;
    curl = curl_easy_init();
    if (!curl)
        return cdoc_errf(err, "cannot create a libcurl handle");

    /* Pin host to address so libcurl connects nowhere else and never
     * queries the system's resolver, which could return another address. */
    pin = cdoc_xasprintf(ipv6 ? "%s:%d:[%s]" : "%s:%d:%s", request->host,
                         request->port, request->address);
    url = cdoc_xasprintf("%s://%s:%d%s", request->scheme, request->host,
                         request->port, request->path ? request->path : "/");
    resolve = curl_slist_append(NULL, pin);
    /* Without an empty Expect header libcurl may hold a POST body back
     * for up to a second, waiting for "100 Continue". */
    headers = curl_slist_append(NULL, "Expect:");
    if (!resolve || !headers) {
        /* Without the pin libcurl would resolve the host itself. */
        cdoc_errf(err, "cannot allocate libcurl's lists for %s", url);
        goto out;
    }

    set_request_options(curl, url, resolve, headers, request, &sink,
                        error_text);
    code = curl_easy_perform(curl);
    read_outcome(curl, code, error_text, &sink, result);
    rc = 0;

out:
    cdoc_buf_release(&sink.kept);
    curl_slist_free_all(headers);
    curl_slist_free_all(resolve);
    curl_easy_cleanup(curl);
    free(pin);
    free(url);
    return rc;
}

void cdoc__http_result_release(struct cdoc_http_result *result)
{
    free(result->error);
    free(result->body);
    memset(result, 0, sizeof(*result));
}
