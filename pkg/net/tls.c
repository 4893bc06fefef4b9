/* SPDX-License-Identifier: MIT */
/* A TLS handshake without verification, to read the peer's certificate. */
#include "net/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* True when the CA named the certificate's issuer and signed it. */
static bool issued_by(X509 *cert, X509 *ca)
{
    EVP_PKEY *ca_key = X509_get0_pubkey(ca);

    if (X509_check_issued(ca, cert) != X509_V_OK)
        return false;
    return ca_key && X509_verify(cert, ca_key) == 1;
}

/* The reason SSL_connect stopped, as text; the caller frees it. */
static char *describe_failure(SSL *ssl, int rc)
{
    int code = SSL_get_error(ssl, rc);

    if (code == SSL_ERROR_ZERO_RETURN)
        return cdoc_xstrdup("the peer closed the TLS connection");
    if (code == SSL_ERROR_SYSCALL && ERR_peek_last_error() == 0)
        return errno ? cdoc_xasprintf("%s", strerror(errno))
                     : cdoc_xstrdup("the peer closed the connection");
    return cdoc__openssl_error("unknown TLS error");
}

/* SNI carries a host name only (RFC 6066, section 3): an IP literal is
 * left out, as libcurl does. */
static bool is_ip_literal(const char *host)
{
    unsigned char bytes[sizeof(struct in6_addr)];

    return inet_pton(AF_INET, host, bytes) == 1 ||
           inet_pton(AF_INET6, host, bytes) == 1;
}

/*
 * Run SSL_connect on the non-blocking socket until it completes, fails or
 * deadline passes. Returns true when the handshake is done; otherwise
 * result->error contains the reason.
 */
static bool handshake(SSL *ssl, int fd, const char *where,
                      double timeout_seconds, double deadline,
                      struct cdoc_tls_result *result)
{
    for (;;) {
        int rc, code, ready;
        short events;

        ERR_clear_error();
        errno = 0;
        rc = SSL_connect(ssl);
        if (rc == 1)
            return true;
        code = SSL_get_error(ssl, rc);
        if (code == SSL_ERROR_WANT_READ)
            events = POLLIN;
        else if (code == SSL_ERROR_WANT_WRITE)
            events = POLLOUT;
        else {
            char *reason = describe_failure(ssl, rc);

            result->error = cdoc_xasprintf("TLS handshake with %s failed: "
                                           "%s", where, reason);
            free(reason);
            return false;
        }
        ready = cdoc__net_wait(fd, events, deadline);
        if (ready == 0) {
            result->error = cdoc_xasprintf("TLS handshake with %s timed "
                                           "out after %g s", where,
                                           timeout_seconds);
            return false;
        }
        if (ready < 0) {
            result->error = cdoc_xasprintf("cannot wait for %s: %s", where,
                                           strerror(errno));
            return false;
        }
    }
}

/* Store what the finished handshake shows: protocol and certificate. */
static void read_peer(SSL *ssl, X509 *ca, struct cdoc_tls_result *result)
{
    X509 *peer = SSL_get1_peer_certificate(ssl);

    result->handshake_done = true;
    result->protocol = cdoc_xstrdup(SSL_get_version(ssl));
    if (!peer) {
        result->error = cdoc_xstrdup("the peer sent no certificate");
        return;
    }
    result->subject = cdoc__name_oneline(X509_get_subject_name(peer));
    result->issuer = cdoc__name_oneline(X509_get_issuer_name(peer));
    if (ca)
        result->issued_by_ca = issued_by(peer, ca);
    X509_free(peer);
}

/* Connect and shake hands; every failure lands in result->error. */
static void probe(const char *host, const char *address, int port, X509 *ca,
                  double timeout_seconds, const struct sockaddr_storage *addr,
                  socklen_t addr_len, struct cdoc_tls_result *result)
{
    double deadline = cdoc__net_now() + timeout_seconds;
    char *where = cdoc_xasprintf("%s at %s port %d", host, address, port);
    SSL_CTX *ctx = NULL;
    SSL *ssl = NULL;
    int fd;

    fd = cdoc__net_connect(addr, addr_len, address, port, deadline,
                           timeout_seconds, &result->error, NULL);
    if (fd < 0)
        goto out;
    result->connected = true;

    ctx = SSL_CTX_new(TLS_client_method());
    ssl = ctx ? SSL_new(ctx) : NULL;
    if (!ssl) {
        result->error = cdoc__openssl_error("cannot create a TLS client");
        goto out;
    }
    /* The probe reports the certificate the peer presents, and the
     * caller decides whether to trust it. */
    SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
    if (!is_ip_literal(host))
        SSL_set_tlsext_host_name(ssl, host);
    SSL_set_fd(ssl, fd);

    if (handshake(ssl, fd, where, timeout_seconds, deadline, result)) {
        read_peer(ssl, ca, result);
        /* Send close_notify once, without waiting for the peer's. */
        SSL_shutdown(ssl);
    }

out:
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    if (fd >= 0)
        close(fd);
    free(where);
}

int cdoc__tls_probe(const char *host, const char *address, int port,
                    const char *ca_file, double timeout_seconds,
                    struct cdoc_tls_result *result, struct cdoc_err *err)
{
    struct cdoc__sigpipe_guard guard;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    X509 *ca = NULL;
    double start;

    memset(result, 0, sizeof(*result));
    if (cdoc__net_check_timeout("TLS time limit", timeout_seconds, err) < 0)
        return -1;
    if (!host || !*host)
        return cdoc_errf(err, "no host given for the TLS handshake");
    if (cdoc__net_parse_address(address, port, &addr, &addr_len, err) < 0)
        return -1;
    if (ca_file) {
        ca = cdoc__pem_read_first(ca_file, err);
        if (!ca)
            return -1;
    }

    start = cdoc__net_now();
    cdoc__sigpipe_block(&guard);
    probe(host, address, port, ca, timeout_seconds, &addr, addr_len, result);
    cdoc__sigpipe_restore(&guard);
    result->seconds = cdoc__net_now() - start;
    X509_free(ca);
    return 0;
}

void cdoc__tls_result_release(struct cdoc_tls_result *result)
{
    free(result->protocol);
    free(result->subject);
    free(result->issuer);
    free(result->error);
    memset(result, 0, sizeof(*result));
}

int cdoc__tls_client_hello(const char *host, unsigned char **bytes,
                           size_t *len, struct cdoc_err *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = ctx ? SSL_new(ctx) : NULL;
    BIO *from_peer = BIO_new(BIO_s_mem());
    BIO *to_peer = BIO_new(BIO_s_mem());
    int rc = -1;

    *bytes = NULL;
    *len = 0;
    if (!ssl || !from_peer || !to_peer) {
        char *reason = cdoc__openssl_error("out of memory");

        cdoc_errf(err, "cannot create a TLS client: %s", reason);
        free(reason);
        BIO_free(from_peer);
        BIO_free(to_peer);
        goto out;
    }
    /* The handshake runs against two memory buffers, with no socket:
     * its first flight, the ClientHello, is left in to_peer. */
    SSL_set_bio(ssl, from_peer, to_peer);
    SSL_set_connect_state(ssl);
    if (!is_ip_literal(host))
        SSL_set_tlsext_host_name(ssl, host);
    SSL_do_handshake(ssl);
    if (BIO_pending(to_peer) <= 0) {
        char *reason = cdoc__openssl_error("no bytes were produced");

        cdoc_errf(err, "cannot build a TLS ClientHello for %s: %s", host,
                  reason);
        free(reason);
        goto out;
    }
    *len = (size_t)BIO_pending(to_peer);
    *bytes = cdoc_xmalloc(*len);
    BIO_read(to_peer, *bytes, (int)*len);
    rc = 0;

out:
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return rc;
}
