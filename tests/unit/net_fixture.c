/* SPDX-License-Identifier: MIT */
/* Certificates, servers and silent sockets for the network library tests. */
#include "net_fixture.h"

#include "probe_helpers.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a server may take to start, and to stop after SIGTERM. */
#define START_SECONDS 10.0
#define STOP_SECONDS 5.0
/* Attempts to start a server, each on newly chosen free ports: another
 * process may take a port between the choice and the server's bind. */
#define START_ATTEMPTS 3

double net_test_now(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

const struct cdoc_net *net_test_library(void)
{
    struct cdoc_err err = {{0}};
    const struct cdoc_net *net = cdoc_net_load(&err);

    cr_assert_not_null(net, "%s", err.msg);
    return net;
}

char *net_test_make_dir(void)
{
    char *dir = cdoc_xstrdup("/tmp/cdoc-net-test.XXXXXX");

    cr_assert_not_null(mkdtemp(dir), "mkdtemp failed: %s", strerror(errno));
    /* dnsmasq drops to user nobody, which must reach its log file. */
    cr_assert_eq(chmod(dir, 0755), 0);
    return dir;
}

void net_test_remove_dir(char *dir)
{
    if (!dir)
        return;
    probe_test_remove_tree(dir);
    free(dir);
}

/* ---- certificates ------------------------------------------------------- */

static void add_extension(X509 *cert, X509 *issuer, int nid,
                          const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    cr_assert_not_null(ext, "extension %s = %s", OBJ_nid2sn(nid), value);
    cr_assert_eq(X509_add_ext(cert, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

/* An unsigned certificate for a new P-256 key, with a random serial. */
static X509 *new_certificate(EVP_PKEY **key, const char *cn,
                             long from_seconds, long to_seconds)
{
    X509 *cert = X509_new();
    X509_NAME *name;
    BIGNUM *serial = BN_new();

    *key = EVP_EC_gen("P-256");
    cr_assert_not_null(*key, "cannot make a P-256 key");
    cr_assert_not_null(cert);
    cr_assert_eq(X509_set_version(cert, X509_VERSION_3), 1);
    cr_assert_eq(BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY),
                 1);
    cr_assert_not_null(BN_to_ASN1_INTEGER(serial,
                                          X509_get_serialNumber(cert)));
    BN_free(serial);
    cr_assert_not_null(X509_gmtime_adj(X509_getm_notBefore(cert),
                                       from_seconds));
    cr_assert_not_null(X509_gmtime_adj(X509_getm_notAfter(cert),
                                       to_seconds));
    cr_assert_eq(X509_set_pubkey(cert, *key), 1);
    name = X509_get_subject_name(cert);
    cr_assert_eq(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
        (const unsigned char *)"capsem-doctor tests", -1, -1, 0), 1);
    cr_assert_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
        (const unsigned char *)cn, -1, -1, 0), 1);
    return cert;
}

void net_test_make_ca(struct net_test_cert *ca, const char *cn,
                      long from_seconds, long to_seconds)
{
    ca->cert = new_certificate(&ca->key, cn, from_seconds, to_seconds);
    cr_assert_eq(X509_set_issuer_name(ca->cert,
                                      X509_get_subject_name(ca->cert)), 1);
    add_extension(ca->cert, ca->cert, NID_basic_constraints,
                  "critical,CA:TRUE");
    add_extension(ca->cert, ca->cert, NID_key_usage,
                  "critical,keyCertSign,cRLSign");
    add_extension(ca->cert, ca->cert, NID_subject_key_identifier, "hash");
    cr_assert_gt(X509_sign(ca->cert, ca->key, EVP_sha256()), 0);
}

void net_test_make_leaf(struct net_test_cert *leaf,
                        const struct net_test_cert *ca, const char *cn,
                        const char *alt_names)
{
    leaf->cert = new_certificate(&leaf->key, cn, -3600, 86400);
    cr_assert_eq(X509_set_issuer_name(leaf->cert,
                                      X509_get_subject_name(ca->cert)), 1);
    add_extension(leaf->cert, ca->cert, NID_basic_constraints,
                  "critical,CA:FALSE");
    add_extension(leaf->cert, ca->cert, NID_key_usage,
                  "critical,digitalSignature");
    add_extension(leaf->cert, ca->cert, NID_ext_key_usage, "serverAuth");
    add_extension(leaf->cert, ca->cert, NID_subject_alt_name, alt_names);
    /* No authorityKeyIdentifier: with it, X509_check_issued would already
     * reject a CA of the same name but another key, and the tests could
     * not show that tls_probe also checks the signature. */
    cr_assert_gt(X509_sign(leaf->cert, ca->key, EVP_sha256()), 0);
}

char *net_test_write_cert(const struct net_test_cert *cert, const char *dir,
                          const char *name)
{
    char *pem = cdoc_xasprintf("%s/%s.pem", dir, name);
    char *key = cdoc_xasprintf("%s/%s.key", dir, name);
    FILE *file;

    file = fopen(pem, "w");
    cr_assert_not_null(file, "cannot write %s: %s", pem, strerror(errno));
    cr_assert_eq(PEM_write_X509(file, cert->cert), 1);
    fclose(file);
    file = fopen(key, "w");
    cr_assert_not_null(file, "cannot write %s: %s", key, strerror(errno));
    cr_assert_eq(PEM_write_PrivateKey(file, cert->key, NULL, NULL, 0, NULL,
                                      NULL), 1);
    fclose(file);
    free(key);
    return pem;
}

void net_test_cert_release(struct net_test_cert *cert)
{
    X509_free(cert->cert);
    EVP_PKEY_free(cert->key);
    cert->cert = NULL;
    cert->key = NULL;
}

/* ---- sockets ------------------------------------------------------------ */

static int bound_socket(int type, int *port)
{
    struct sockaddr_in addr = {.sin_family = AF_INET};
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

    cr_assert_geq(fd, 0, "socket failed: %s", strerror(errno));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0,
                 "bind to 127.0.0.1 failed: %s", strerror(errno));
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    *port = ntohs(addr.sin_port);
    return fd;
}

int net_test_silent_udp(int *port)
{
    return bound_socket(SOCK_DGRAM, port);
}

int net_test_silent_tcp(int *port)
{
    int fd = bound_socket(SOCK_STREAM, port);

    cr_assert_eq(listen(fd, 16), 0, "listen failed: %s", strerror(errno));
    return fd;
}

int net_test_silent_tcp6(int *port)
{
    struct sockaddr_in6 addr = {.sin6_family = AF_INET6,
                                .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) < 0 ||
        listen(fd, 16) < 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(addr.sin6_port);
    return fd;
}

int net_test_refusing_tcp(int *port)
{
    return bound_socket(SOCK_STREAM, port);
}

int net_test_unbound_udp_port(void)
{
    int port;

    close(bound_socket(SOCK_DGRAM, &port));
    return port;
}

/* A TCP port of 127.0.0.1 that was free a moment ago. */
static int free_tcp_port(void)
{
    int port;

    close(bound_socket(SOCK_STREAM, &port));
    return port;
}

static bool tcp_accepts(int port)
{
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok;

    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = fd >= 0 &&
         connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* True once some process has bound UDP 127.0.0.1:port. */
static bool udp_bound(int port)
{
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    bool in_use;

    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    in_use = fd >= 0 &&
            bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 &&
            errno == EADDRINUSE;
    if (fd >= 0)
        close(fd);
    return in_use;
}

/* ---- server processes --------------------------------------------------- */

/* The first bytes of a log file, for failure messages. */
static char *log_head(const char *path)
{
    char text[2048] = "";
    FILE *file = fopen(path, "r");
    size_t len = 0;

    if (file) {
        len = fread(text, 1, sizeof(text) - 1, file);
        fclose(file);
    }
    text[len] = '\0';
    return cdoc_xstrdup(text);
}

/* Run argv with stdout and stderr in log; the child dies with the test. */
static pid_t spawn(const char *const argv[], const char *log)
{
    pid_t parent = getpid();
    pid_t pid = fork();

    cr_assert_neq(pid, -1, "fork failed: %s", strerror(errno));
    if (pid == 0) {
        int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int in = open("/dev/null", O_RDONLY);

        /* A test that crashes must not leave a server behind. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        if (out >= 0) {
            dup2(out, STDOUT_FILENO);
            dup2(out, STDERR_FILENO);
        }
        if (in >= 0)
            dup2(in, STDIN_FILENO);
        execvp(argv[0], (char *const *)argv);
        dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    return pid;
}

/* Wait until ready(port) holds. Returns false, with the server reaped,
 * when it exits first; fails the test when it does not start in time. */
static bool wait_ready(struct net_test_server *server, const char *name,
                       bool (*ready)(int port))
{
    double deadline = net_test_now() + START_SECONDS;
    int status;

    while (net_test_now() < deadline) {
        if (waitpid(server->pid, &status, WNOHANG) == server->pid) {
            server->pid = 0;
            return false;
        }
        if (ready(server->port))
            return true;
        usleep(10 * 1000);
    }
    cr_assert_fail("%s did not start within %g s; its log:\n%s", name,
                   START_SECONDS, log_head(server->log));
    return false;
}

static void write_nginx_conf(const char *path, const char *dir, int port,
                             int http_port)
{
    FILE *file = fopen(path, "w");

    cr_assert_not_null(file, "cannot write %s: %s", path, strerror(errno));
    /* One process without a master, so it stays a child of the test and
     * stops on SIGTERM; every path is inside dir. */
    fprintf(file,
        "daemon off;\n"
        "master_process off;\n"
        "pid %1$s/nginx.pid;\n"
        "error_log %1$s/nginx.log warn;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        "  access_log off;\n"
        "  client_body_temp_path %1$s/nginx-body;\n"
        "  proxy_temp_path %1$s/nginx-proxy;\n"
        "  fastcgi_temp_path %1$s/nginx-fastcgi;\n"
        "  uwsgi_temp_path %1$s/nginx-uwsgi;\n"
        "  scgi_temp_path %1$s/nginx-scgi;\n"
        "  default_type application/octet-stream;\n"
        "  ssl_certificate %1$s/leaf.pem;\n"
        "  ssl_certificate_key %1$s/leaf.key;\n"
        "  server {\n"
        "    listen 127.0.0.1:%2$d ssl;\n"
        "    listen 127.0.0.1:%3$d;\n"
        "    server_name " NET_TEST_ALLOWED ";\n"
        "    root %1$s/www;\n"
        "    location = / {\n"
        "      return 200 \"allowed $request_method $content_length\\n\";\n"
        "    }\n"
        "    location = /moved { return 301 /; }\n"
        "  }\n"
        "  server {\n"
        "    listen 127.0.0.1:%2$d ssl;\n"
        "    listen 127.0.0.1:%3$d;\n"
        "    server_name " NET_TEST_DENIED ";\n"
        "    location / { return 403 \"denied\\n\"; }\n"
        "  }\n"
        "}\n",
        dir, port, http_port);
    cr_assert_eq(fclose(file), 0);
}

static void write_big_file(const char *dir)
{
    char *data = cdoc_xmalloc(NET_TEST_BIG_BYTES);

    /* A pattern that does not repeat every few bytes, so a shifted or cut
     * copy does not compare equal by chance. */
    for (size_t i = 0; i < NET_TEST_BIG_BYTES; i++)
        data[i] = (char)('a' + (i * 7 + i / 251) % 26);
    probe_test_write(dir, "www/big", data, NET_TEST_BIG_BYTES, 0644);
    free(data);
}

void net_test_nginx_start(const char *dir, struct net_test_server *server)
{
    char *conf = cdoc_xasprintf("%s/nginx.conf", dir);
    char *log = cdoc_xasprintf("%s/nginx.log", dir);

    memset(server, 0, sizeof(*server));
    server->log = cdoc_xasprintf("%s/nginx.out", dir);
    write_big_file(dir);
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
        const char *argv[] = {"nginx", "-e", log, "-p", dir, "-c", conf,
                              NULL};

        server->port = free_tcp_port();
        server->http_port = free_tcp_port();
        write_nginx_conf(conf, dir, server->port, server->http_port);
        server->pid = spawn(argv, server->log);
        if (wait_ready(server, "nginx", tcp_accepts))
            break;
    }
    cr_assert_neq(server->pid, 0, "nginx exited at start; install nginx "
                  "(ci/install-deps.sh). Its output:\n%s\nIts log:\n%s",
                  log_head(server->log), log_head(log));
    cr_assert(tcp_accepts(server->http_port), "nginx accepts HTTPS on "
              "port %d but not HTTP on port %d; its log:\n%s", server->port,
              server->http_port, log_head(log));
    free(conf);
    free(log);
}

void net_test_dnsmasq_start(const char *dir, struct net_test_server *server)
{
    char *log = cdoc_xasprintf("%s/dnsmasq.log", dir);

    memset(server, 0, sizeof(*server));
    server->log = cdoc_xasprintf("%s/dnsmasq.out", dir);
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
        char *port = NULL, *log_option = NULL;

        server->port = net_test_unbound_udp_port();
        port = cdoc_xasprintf("--port=%d", server->port);
        log_option = cdoc_xasprintf("--log-facility=%s", log);
        {
            /* No configuration, hosts file or upstream server: only the
             * addresses below, served on loopback only. */
            const char *argv[] = {
                "dnsmasq", "--keep-in-foreground", port,
                "--listen-address=127.0.0.1", "--bind-interfaces",
                "--no-resolv", "--no-hosts", "--conf-file=/dev/null",
                "--pid-file=", log_option,
                "--address=/#/" NET_TEST_SENTINEL,
                "--address=/" NET_TEST_NX_DOMAIN "/", NULL};

            server->pid = spawn(argv, server->log);
        }
        free(port);
        free(log_option);
        if (wait_ready(server, "dnsmasq", udp_bound))
            break;
    }
    cr_assert_neq(server->pid, 0, "dnsmasq exited at start; install "
                  "dnsmasq-base (ci/install-deps.sh). Its output:\n%s\n"
                  "Its log:\n%s", log_head(server->log), log_head(log));
    free(log);
}

void net_test_server_stop(struct net_test_server *server)
{
    double deadline = net_test_now() + STOP_SECONDS;

    if (server->pid > 0) {
        kill(server->pid, SIGTERM);
        while (waitpid(server->pid, NULL, WNOHANG) == 0) {
            if (net_test_now() > deadline) {
                kill(server->pid, SIGKILL);
                waitpid(server->pid, NULL, 0);
                break;
            }
            usleep(10 * 1000);
        }
    }
    free(server->log);
    memset(server, 0, sizeof(*server));
}

/* ---- the HTTPS fixture -------------------------------------------------- */

void net_test_web_start(struct net_test_web *web)
{
    struct net_test_cert ca, other, impostor, leaf;
    char *leaf_file;

    memset(web, 0, sizeof(*web));
    web->dir = net_test_make_dir();
    net_test_make_ca(&ca, NET_TEST_CA_NAME, -3600, 86400);
    net_test_make_ca(&other, "capsem-doctor other test CA", -3600, 86400);
    net_test_make_ca(&impostor, NET_TEST_CA_NAME, -3600, 86400);
    net_test_make_leaf(&leaf, &ca, NET_TEST_ALLOWED,
                       "DNS:" NET_TEST_ALLOWED ",DNS:" NET_TEST_DENIED);
    web->ca_file = net_test_write_cert(&ca, web->dir, "ca");
    web->other_ca_file = net_test_write_cert(&other, web->dir, "other-ca");
    web->impostor_ca_file =
        net_test_write_cert(&impostor, web->dir, "impostor-ca");
    leaf_file = net_test_write_cert(&leaf, web->dir, "leaf");
    net_test_cert_release(&ca);
    net_test_cert_release(&other);
    net_test_cert_release(&impostor);
    net_test_cert_release(&leaf);
    free(leaf_file);
    net_test_nginx_start(web->dir, &web->nginx);
}

void net_test_web_stop(struct net_test_web *web)
{
    net_test_server_stop(&web->nginx);
    free(web->ca_file);
    free(web->other_ca_file);
    free(web->impostor_ca_file);
    net_test_remove_dir(web->dir);
    memset(web, 0, sizeof(*web));
}

struct net_test_web net_web;

void net_web_setup(void)
{
    net_test_web_start(&net_web);
}

void net_web_teardown(void)
{
    net_test_web_stop(&net_web);
}
