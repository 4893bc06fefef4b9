/* SPDX-License-Identifier: MIT */
/*
 * Functions shared by the files of the network library. None of them is
 * exported: the library's only visible symbol is cdoc_net_library.
 */
#ifndef CDOC_NET_INTERNAL_H
#define CDOC_NET_INTERNAL_H

#include "net/net.h"
#include "net/socket.h"

#include <openssl/x509.h>
#include <stdbool.h>

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
