/* SPDX-License-Identifier: MIT */
/*
 * Functions shared by the files of the network library. None of them is
 * exported: the library's only visible symbol is cdoc_net_library.
 */
#ifndef CDOC_NET_INTERNAL_H
#define CDOC_NET_INTERNAL_H

#include "net/net.h"

#include <openssl/x509.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>

/* ---- time and sockets (socket.c) ---------------------------------------- */

/* Seconds on the monotonic clock. */
double cdoc__net_now(void);

/* Check that a time limit is a finite number above zero. libcurl reads 0
 * as "no limit", so a zero or negative value must never reach it. */
int cdoc__net_check_timeout(const char *what, double seconds,
                            struct cdoc_err *err);

/* Parse a numeric IPv4 or IPv6 address and a port into *addr without any
 * name lookup. Returns -1 naming the address or port that is invalid. */
int cdoc__net_parse_address(const char *address, int port,
                            struct sockaddr_storage *addr, socklen_t *len,
                            struct cdoc_err *err);

/* Wait until fd is ready for events or deadline (cdoc__net_now() time)
 * passes. Returns 1 when ready, 0 at the deadline, -1 with errno set. */
int cdoc__net_wait(int fd, short events, double deadline);

/*
 * Open a non-blocking TCP connection to addr before deadline. Returns the
 * socket, or -1 with *error set to an allocated description naming
 * address, port and, on a time-out, timeout_seconds.
 */
int cdoc__net_connect(const struct sockaddr_storage *addr, socklen_t len,
                      const char *address, int port, double deadline,
                      double timeout_seconds, char **error);

/*
 * Block SIGPIPE while the caller writes to a socket through OpenSSL, which
 * uses write(2) and would otherwise kill the check when the peer has
 * closed. cdoc__sigpipe_restore discards a SIGPIPE raised meanwhile and
 * restores the signal mask.
 */
struct cdoc__sigpipe_guard {
    sigset_t old_mask;
    bool was_pending;
};

void cdoc__sigpipe_block(struct cdoc__sigpipe_guard *guard);
void cdoc__sigpipe_restore(struct cdoc__sigpipe_guard *guard);

/* ---- certificates (ca.c) ------------------------------------------------ */

/* The first certificate of a PEM file. Returns NULL with err naming the
 * file when it cannot be opened or contains no certificate. */
X509 *cdoc__pem_read_first(const char *path, struct cdoc_err *err);

/* A certificate name on one line ("CN = capsem, O = ..."); the caller
 * frees it. */
char *cdoc__name_oneline(const X509_NAME *name);

/* OpenSSL's last queued error as text, or fallback when the queue is
 * empty; the queue is cleared. The caller frees the result. */
char *cdoc__openssl_error(const char *fallback);

/* ---- the probes, as placed in struct cdoc_net --------------------------- */

int cdoc__dns_query(const char *server, int port, const char *name,
                    double timeout_seconds, struct cdoc_dns_answer *answer,
                    struct cdoc_err *err);
void cdoc__dns_answer_release(struct cdoc_dns_answer *answer);

int cdoc__tls_probe(const char *host, const char *address, int port,
                    const char *ca_file, double timeout_seconds,
                    struct cdoc_tls_result *result, struct cdoc_err *err);
void cdoc__tls_result_release(struct cdoc_tls_result *result);
int cdoc__tls_client_hello(const char *host, unsigned char **bytes,
                           size_t *len, struct cdoc_err *err);

int cdoc__http_request(const struct cdoc_http_request *request,
                       struct cdoc_http_result *result,
                       struct cdoc_err *err);
void cdoc__http_result_release(struct cdoc_http_result *result);

int cdoc__ca_read(const char *ca_file, struct cdoc_ca_info *info,
                  struct cdoc_err *err);
void cdoc__ca_info_release(struct cdoc_ca_info *info);

int cdoc__bundle_contains(const char *bundle_file, const char *ca_file,
                          struct cdoc_bundle_match *match,
                          struct cdoc_err *err);

#endif
