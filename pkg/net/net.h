/* SPDX-License-Identifier: MIT */
/*
 * The network library: DNS queries, TLS handshakes, HTTP requests and CA
 * bundle reading, built as a shared object of its own
 * (libcapsem-doctor-net.so) that only the checks which need it load.
 *
 * Criterion starts every check in a fresh process that maps every shared
 * library the doctor binary names. libcurl with OpenSSL and their
 * dependencies cost about 7 ms per process, so the doctor does not name
 * them: a check that needs the network calls cdoc_net_load(), which
 * dlopens this library from beside the executable.
 *
 * Every call is bounded in time and connects only to the address it is
 * given; none resolves a name through the system. Callers free every
 * string in a result with the matching *_release function.
 */
#ifndef CDOC_NET_H
#define CDOC_NET_H

#include "cdoc.h"
#include "profile/profile.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bumped whenever struct cdoc_net or a type it uses changes. */
#define CDOC_NET_ABI 3

/* The library's file name, looked up beside the executable and then in
 * ../lib/capsem-doctor/ relative to it. */
#define CDOC_NET_LIBRARY "libcapsem-doctor-net.so"

/* ---- DNS ---------------------------------------------------------------- */

struct cdoc_dns_answer {
    bool answered;     /* a well-formed reply came back in time */
    int rcode;         /* 0 NOERROR, 3 NXDOMAIN, ...; -1 without a reply */
    struct cdoc_strings addresses; /* A records, in reply order */
    char *error;       /* why no usable reply came, or NULL */
    double seconds;
};

/* ---- TLS ---------------------------------------------------------------- */

struct cdoc_tls_result {
    bool connected;       /* a TCP connection was made */
    bool handshake_done;  /* the TLS handshake completed (no verification) */
    char *protocol;       /* "TLSv1.3", or NULL */
    char *subject;        /* peer certificate subject, one line, or NULL */
    char *issuer;         /* peer certificate issuer, one line, or NULL */
    /* With a CA file: the peer certificate names the CA's subject as its
     * issuer and its signature verifies with the CA's public key. */
    bool issued_by_ca;
    char *error;          /* why it stopped short, or NULL */
    double seconds;
};

/* ---- HTTP --------------------------------------------------------------- */

struct cdoc_http_request {
    const char *scheme;   /* "https" or "http" */
    const char *method;   /* "GET", "POST", ...; NULL means GET, or POST
                             when there is a body */
    const char *host;     /* goes in the URL, SNI and Host header */
    const char *address;  /* where to connect, a numeric IPv4 or IPv6
                             address: the request is pinned here
                             (CURLOPT_RESOLVE) and host is never resolved */
    int port;
    const char *path;     /* "/" when NULL */
    const char *body;     /* request body (text), or NULL */

    bool verify;          /* verify the peer and its name */
    const char *ca_file;  /* with verify: trust only this file; NULL uses
                             the system's default trust store */

    double connect_timeout_seconds;
    double timeout_seconds;   /* the whole request, body included */
    bool keep_body;       /* keep up to CDOC_HTTP_BODY_MAX bytes of it */
};

#define CDOC_HTTP_BODY_MAX (64 * 1024)

struct cdoc_http_result {
    bool connected;       /* a TCP connection was made */
    bool tls_done;        /* the TLS handshake completed (https only) */
    long status;          /* HTTP status; 0 when no response came */
    char *error;          /* libcurl's description of a failure, or NULL */
    bool timed_out;       /* a time limit ended the request (libcurl's
                             wording of that varies with the stage) */

    uint64_t body_bytes;  /* body bytes received */
    double seconds;       /* whole request, as curl's time_total */
    double bytes_per_second; /* body bytes / seconds, as curl's
                                speed_download */

    char *body;           /* with keep_body: the first bytes, NUL added */
    size_t body_len;
};

/* ---- CA certificates ---------------------------------------------------- */

struct cdoc_ca_info {
    char *subject;        /* one line */
    bool is_ca;           /* basicConstraints CA:TRUE */
    bool expired;         /* notAfter is in the past */
    bool not_yet_valid;   /* notBefore is in the future */
};

struct cdoc_bundle_match {
    size_t certificates;  /* certificates in the bundle */
    bool found;           /* one of them is the CA, byte for byte (DER) */
};

/* ---- the library -------------------------------------------------------- */

struct cdoc_net {
    int abi; /* CDOC_NET_ABI */

    /* Ask server:port (an IPv4 address) over UDP for the A records of
     * name, once, waiting at most timeout_seconds. A reply with an error
     * rcode is an answer, not a failure. Returns -1 only when the query
     * could not be sent at all: an invalid address, port, name or time
     * limit, or no socket. */
    int (*dns_query)(const char *server, int port, const char *name,
                     double timeout_seconds, struct cdoc_dns_answer *answer,
                     struct cdoc_err *err);
    void (*dns_answer_release)(struct cdoc_dns_answer *answer);

    /* Connect to address:port, hand host in SNI (unless it is an IP
     * address, which SNI cannot carry) and complete a TLS handshake
     * without verification, then read the peer certificate.
     * With ca_file, also decide issued_by_ca. Returns -1 when ca_file
     * cannot be read as a PEM certificate (err names the file) or the
     * address, port or time limit is invalid. */
    int (*tls_probe)(const char *host, const char *address, int port,
                     const char *ca_file, double timeout_seconds,
                     struct cdoc_tls_result *result, struct cdoc_err *err);
    void (*tls_result_release)(struct cdoc_tls_result *result);

    /* One HTTP request with libcurl. Proxy variables in the environment
     * are ignored, redirects are not followed, and the body is counted
     * and dropped unless keep_body is set. Returns -1 only when a field
     * of the request is invalid (err names it) or libcurl could not be
     * set up. */
    int (*http_request)(const struct cdoc_http_request *request,
                        struct cdoc_http_result *result,
                        struct cdoc_err *err);
    void (*http_result_release)(struct cdoc_http_result *result);

    /* Read the first certificate of a PEM file. Returns -1 naming the
     * file when it is missing or holds no certificate. */
    int (*ca_read)(const char *ca_file, struct cdoc_ca_info *info,
                   struct cdoc_err *err);
    void (*ca_info_release)(struct cdoc_ca_info *info);

    /* Look for ca_file's certificate among every certificate of a PEM
     * bundle. Returns -1 naming the file that cannot be read. */
    int (*bundle_contains)(const char *bundle_file, const char *ca_file,
                           struct cdoc_bundle_match *match,
                           struct cdoc_err *err);

    /* The bytes a TLS client sends first (a ClientHello naming host in
     * SNI), built in memory without a connection, for a caller that
     * sends them over a socket of its own. Free *bytes with free(). */
    int (*tls_client_hello)(const char *host, unsigned char **bytes,
                            size_t *len, struct cdoc_err *err);
};

/* The one symbol the library exports. */
const struct cdoc_net *cdoc_net_library(void);

/*
 * Load the library on first use and return it; later calls return the
 * same table. The library is looked up only beside the running executable
 * (/proc/self/exe) and in ../lib/capsem-doctor/ relative to it, never in
 * a directory the environment names, since the doctor runs as root. On
 * failure err names every path tried and dlerror's reason.
 */
const struct cdoc_net *cdoc_net_load(struct cdoc_err *err);

#endif
