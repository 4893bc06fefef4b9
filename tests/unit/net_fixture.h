/* SPDX-License-Identifier: MIT */
/*
 * Real servers for the network library's tests, all on 127.0.0.1: nginx
 * serving HTTPS and HTTP with certificates minted for the test, dnsmasq
 * answering DNS, and sockets that never answer. Every file lives in a
 * directory the fixture creates and removes.
 */
#ifndef CDOC_TEST_NET_FIXTURE_H
#define CDOC_TEST_NET_FIXTURE_H

#include "net/net.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/types.h>

/* The names nginx serves: ALLOWED returns 200, DENIED returns 403. */
#define NET_TEST_ALLOWED "allowed.test"
#define NET_TEST_DENIED "denied.test"
/* dnsmasq resolves every name to NET_TEST_SENTINEL, except names under
 * NET_TEST_NX_DOMAIN, which get NXDOMAIN. */
#define NET_TEST_SENTINEL "10.0.0.1"
#define NET_TEST_NX_DOMAIN "nx.test"
/* Size of the file nginx serves at /big: larger than
 * CDOC_HTTP_BODY_MAX, so keep_body must cut it. */
#define NET_TEST_BIG_BYTES (200 * 1024)

/* Seconds on the monotonic clock, to time a call. */
double net_test_now(void);

/* The library, loaded from beside unit-tests; the test fails without it. */
const struct cdoc_net *net_test_library(void);

/* A new directory under /tmp; remove it with net_test_remove_dir. */
char *net_test_make_dir(void);
void net_test_remove_dir(char *dir);

/* ---- certificates ------------------------------------------------------- */

struct net_test_cert {
    EVP_PKEY *key;
    X509 *cert;
};

/* A self-signed CA (basicConstraints CA:TRUE) named CN=cn, valid from
 * now + from_seconds to now + to_seconds. */
void net_test_make_ca(struct net_test_cert *ca, const char *cn,
                      long from_seconds, long to_seconds);

/* A server certificate named CN=cn for the subjectAltName entries
 * alt_names ("DNS:a.test,DNS:b.test"), signed by ca. */
void net_test_make_leaf(struct net_test_cert *leaf,
                        const struct net_test_cert *ca, const char *cn,
                        const char *alt_names);

/* Write <dir>/<name>.pem (certificate) and <dir>/<name>.key; return the
 * .pem path, which the caller frees. */
char *net_test_write_cert(const struct net_test_cert *cert, const char *dir,
                          const char *name);

void net_test_cert_release(struct net_test_cert *cert);

/* ---- servers ------------------------------------------------------------ */

struct net_test_server {
    pid_t pid;
    int port;       /* HTTPS for nginx, DNS for dnsmasq */
    int http_port;  /* plain HTTP, nginx only */
    char *log;      /* its output and error log, shown when it fails */
};

/*
 * nginx on 127.0.0.1 with <dir>/leaf.pem and <dir>/leaf.key: server
 * NET_TEST_ALLOWED returns 200 with "allowed METHOD CONTENT-LENGTH\n" at
 * /, NET_TEST_BIG_BYTES bytes at /big and a 301 at /moved; server
 * NET_TEST_DENIED returns 403. Both listen for HTTPS on port and for HTTP
 * on http_port. Returns once nginx accepts connections.
 */
void net_test_nginx_start(const char *dir, struct net_test_server *server);

/* dnsmasq on 127.0.0.1 as described at NET_TEST_SENTINEL, with no
 * upstream server. Returns once its port is bound. */
void net_test_dnsmasq_start(const char *dir, struct net_test_server *server);

/* Stop the server and wait for it. */
void net_test_server_stop(struct net_test_server *server);

/* ---- sockets that never reply ------------------------------------------- */

/* A UDP socket bound to 127.0.0.1 that no process reads. */
int net_test_silent_udp(int *port);

/* A TCP socket listening on 127.0.0.1: the kernel completes every
 * connection, but nothing ever accepts, reads or writes. */
int net_test_silent_tcp(int *port);

/* The same on ::1; returns -1 when this machine has no IPv6 loopback. */
int net_test_silent_tcp6(int *port);

/* A port of 127.0.0.1 where a connection is refused: a bound TCP socket
 * that does not listen, kept so no other process takes the port. */
int net_test_refusing_tcp(int *port);

/* A UDP port of 127.0.0.1 that nothing is bound to, so a datagram sent
 * there draws an ICMP port unreachable. NOTE: another process could bind
 * it between this call and the test's use; the kernel rarely hands the
 * same ephemeral port out again so soon. */
int net_test_unbound_udp_port(void);

/* ---- the HTTPS fixture -------------------------------------------------- */

/* The subject CN of the CA that signs nginx's certificate. */
#define NET_TEST_CA_NAME "capsem-doctor test CA"

/*
 * A directory with three CA certificates and nginx serving a certificate
 * for NET_TEST_ALLOWED and NET_TEST_DENIED signed by ca_file. The impostor
 * CA has the same name as ca_file but a key of its own.
 */
struct net_test_web {
    char *dir;
    char *ca_file;
    char *other_ca_file;
    char *impostor_ca_file;
    struct net_test_server nginx;
};

void net_test_web_start(struct net_test_web *web);
void net_test_web_stop(struct net_test_web *web);

/* The fixture of the running test, set up by .init = net_web_setup and
 * removed by .fini = net_web_teardown. Criterion runs every test in a
 * process of its own, so one variable serves them all. */
extern struct net_test_web net_web;
void net_web_setup(void);
void net_web_teardown(void);

#endif
