/* SPDX-License-Identifier: MIT */
/* Name resolution and one HTTPS request, bounded in time. */
#include "probe/netpath.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int cdoc_resolve_ipv4(const char *name, struct cdoc_strings *addresses,
                      struct cdoc_err *err)
{
    struct addrinfo hints = {.ai_family = AF_INET,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *list = NULL;
    int rc = getaddrinfo(name, NULL, &hints, &list);

    memset(addresses, 0, sizeof(*addresses));
    if (rc != 0)
        return cdoc_errf(err, "cannot resolve %s: %s", name,
                         gai_strerror(rc));

    for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        char text[INET_ADDRSTRLEN];
        const struct sockaddr_in *sin = (const void *)ai->ai_addr;

        if (!inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text)))
            continue;
        if (cdoc_strings_contains(addresses, text))
            continue;
        cdoc_strings_append(addresses, text);
    }
    freeaddrinfo(list);
    return 0;
}

/* The body is not needed, only that a response came; keep reading so the
 * server is not cut off mid-response, but store nothing. */
static size_t discard_body(char *data, size_t size, size_t count, void *user)
{
    (void)data;
    (void)user;
    return size * count;
}

static void set_request_options(CURL *curl, const char *url,
                                struct curl_slist *resolve,
                                const char *ca_file, double timeout_seconds,
                                char *error_text)
{
    long timeout_ms = (long)(timeout_seconds * 1000);

    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
    if (ca_file) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file);
        curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
    } else {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

static void read_outcome(CURL *curl, CURLcode code, const char *error_text,
                         struct cdoc_https_result *result)
{
    curl_off_t connected_at = 0;
    curl_off_t handshake_done_at = 0;
    double total = 0;

    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result->status);
    curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected_at);
    curl_easy_getinfo(curl, CURLINFO_APPCONNECT_TIME_T, &handshake_done_at);
    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &total);
    result->seconds = total;
    result->connected = connected_at > 0;
    result->tls_done = handshake_done_at > 0;
    if (code != CURLE_OK)
        result->error = cdoc_xasprintf(
            "%s", *error_text ? error_text : curl_easy_strerror(code));
}

int cdoc_https_get(const char *host, const char *address, int port,
                   const char *path, const char *ca_file,
                   double timeout_seconds, struct cdoc_https_result *result,
                   struct cdoc_err *err)
{
    char error_text[CURL_ERROR_SIZE] = "";
    struct curl_slist *resolve;
    char *pin, *url;
    CURLcode code;
    CURL *curl;

    memset(result, 0, sizeof(*result));
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return cdoc_errf(err, "cannot initialise libcurl");
    curl = curl_easy_init();
    if (!curl)
        return cdoc_errf(err, "cannot create a libcurl handle");

    /* Pin host to address so libcurl connects nowhere else, even if the
     * resolver would return another address by the time libcurl resolves it. */
    pin = cdoc_xasprintf("%s:%d:%s", host, port, address);
    url = cdoc_xasprintf("https://%s:%d%s", host, port, path ? path : "/");
    resolve = curl_slist_append(NULL, pin);

    set_request_options(curl, url, resolve, ca_file, timeout_seconds,
                        error_text);
    code = curl_easy_perform(curl);
    read_outcome(curl, code, error_text, result);

    curl_slist_free_all(resolve);
    curl_easy_cleanup(curl);
    free(pin);
    free(url);
    return 0;
}

void cdoc_https_result_release(struct cdoc_https_result *result)
{
    free(result->error);
    memset(result, 0, sizeof(*result));
}
