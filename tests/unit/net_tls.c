/* SPDX-License-Identifier: MIT */
/* tls_probe against nginx on 127.0.0.1 and sockets that never reply. */
#include "net_fixture.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Probe host at 127.0.0.1:port; the call itself must succeed. */
static struct cdoc_tls_result probe(const char *host, int port,
                                    const char *ca_file, double timeout)
{
    struct cdoc_tls_result result;
    struct cdoc_err err = {{0}};

    cr_assert_eq(net_test_library()->tls_probe(host, "127.0.0.1", port,
                                               ca_file, timeout, &result,
                                               &err),
                 0, "%s", err.msg);
    return result;
}

Test(net_tls, issued_by_right_ca, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_tls_result result =
        probe(NET_TEST_ALLOWED, net_web.nginx.port, net_web.ca_file, 5);

    cr_expect_null(result.error, "error: %s", result.error);
    cr_expect(result.connected);
    cr_expect(result.handshake_done);
    cr_assert_not_null(result.protocol);
    cr_expect_eq(strncmp(result.protocol, "TLSv1.", 6), 0, "protocol %s",
                 result.protocol);
    cr_assert_not_null(result.subject);
    cr_expect(strstr(result.subject, "CN = " NET_TEST_ALLOWED), "subject %s",
              result.subject);
    cr_assert_not_null(result.issuer);
    cr_expect(strstr(result.issuer, "CN = " NET_TEST_CA_NAME), "issuer %s",
              result.issuer);
    cr_expect(result.issued_by_ca);
    cr_expect_gt(result.seconds, 0);
    net_test_library()->tls_result_release(&result);
}

Test(net_tls, not_issued_by_other_ca, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_tls_result result =
        probe(NET_TEST_ALLOWED, net_web.nginx.port, net_web.other_ca_file, 5);

    cr_expect(result.handshake_done, "no verification: the handshake "
              "completes whoever signed the certificate");
    cr_expect_not(result.issued_by_ca);
    net_test_library()->tls_result_release(&result);
}

Test(net_tls, impostor_ca_signature_checked, .init = net_web_setup,
     .fini = net_web_teardown)
{
    /* The impostor has the issuer's exact name, so only the signature
     * check can tell it apart. */
    struct cdoc_tls_result result = probe(NET_TEST_ALLOWED, net_web.nginx.port,
                                          net_web.impostor_ca_file, 5);

    cr_expect(result.handshake_done);
    cr_assert_not_null(result.issuer);
    cr_expect(strstr(result.issuer, "CN = " NET_TEST_CA_NAME));
    cr_expect_not(result.issued_by_ca);
    net_test_library()->tls_result_release(&result);
}

Test(net_tls, without_ca_file, .init = net_web_setup, .fini = net_web_teardown)
{
    struct cdoc_tls_result result =
        probe(NET_TEST_DENIED, net_web.nginx.port, NULL, 5);

    cr_expect_null(result.error, "error: %s", result.error);
    cr_expect(result.handshake_done);
    cr_expect_not(result.issued_by_ca);
    cr_expect_not_null(result.subject);
    net_test_library()->tls_result_release(&result);
}

Test(net_tls, plain_http_peer_fails, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_tls_result result =
        probe(NET_TEST_ALLOWED, net_web.nginx.http_port, net_web.ca_file, 5);

    cr_expect(result.connected);
    cr_expect_not(result.handshake_done);
    cr_expect_null(result.subject);
    cr_assert_not_null(result.error);
    cr_expect(strstr(result.error, "TLS handshake with " NET_TEST_ALLOWED),
              "error: %s", result.error);
    net_test_library()->tls_result_release(&result);
}

Test(net_tls, refused_connection)
{
    int port;
    int fd = net_test_refusing_tcp(&port);
    struct cdoc_tls_result result = probe(NET_TEST_ALLOWED, port, NULL, 5);

    cr_expect_not(result.connected);
    cr_expect_not(result.handshake_done);
    cr_assert_not_null(result.error);
    cr_expect(strstr(result.error, "refused"), "error: %s", result.error);
    net_test_library()->tls_result_release(&result);
    close(fd);
}

Test(net_tls, silent_peer_bounded)
{
    int port;
    int fd = net_test_silent_tcp(&port);
    double start = net_test_now();
    struct cdoc_tls_result result = probe(NET_TEST_ALLOWED, port, NULL, 0.5);
    double elapsed = net_test_now() - start;

    cr_expect(result.connected);
    cr_expect_not(result.handshake_done);
    cr_assert_not_null(result.error);
    cr_expect(strstr(result.error, "timed out after 0.5 s"), "error: %s",
              result.error);
    cr_expect_geq(elapsed, 0.45);
    cr_expect_lt(elapsed, 2.0, "a 0.5 s limit took %g s", elapsed);
    cr_expect_geq(result.seconds, 0.45);
    net_test_library()->tls_result_release(&result);
    close(fd);
}

Test(net_tls, ipv6_address_connects)
{
    int port;
    int fd = net_test_silent_tcp6(&port);
    struct cdoc_tls_result result;
    struct cdoc_err err = {{0}};

    if (fd < 0)
        cr_skip_test("this machine has no IPv6 loopback");
    cr_assert_eq(net_test_library()->tls_probe(NET_TEST_ALLOWED, "::1",
                                               port, NULL, 0.3, &result,
                                               &err),
                 0, "%s", err.msg);
    cr_expect(result.connected, "error: %s", result.error);
    cr_expect_not(result.handshake_done);
    net_test_library()->tls_result_release(&result);
    close(fd);
}

Test(net_tls, unreadable_ca_file_named)
{
    const struct cdoc_net *net = net_test_library();
    struct cdoc_tls_result result;
    struct cdoc_err err = {{0}};

    cr_expect_eq(net->tls_probe(NET_TEST_ALLOWED, "127.0.0.1", 443,
                                "/nonexistent/ca.pem", 1, &result, &err),
                 -1);
    cr_expect(strstr(err.msg, "/nonexistent/ca.pem"), "got: %s", err.msg);
    cr_expect_not(result.connected, "nothing is sent without the CA");
}

Test(net_tls, invalid_address_named)
{
    const struct cdoc_net *net = net_test_library();
    struct cdoc_tls_result result;
    struct cdoc_err err = {{0}};

    cr_expect_eq(net->tls_probe(NET_TEST_ALLOWED, NET_TEST_ALLOWED, 443,
                                NULL, 1, &result, &err),
                 -1);
    cr_expect(strstr(err.msg, "'" NET_TEST_ALLOWED "'"), "got: %s",
              err.msg);
    cr_expect_eq(net->tls_probe(NET_TEST_ALLOWED, "127.0.0.1", 443, NULL, 0,
                                &result, &err),
                 -1);
    cr_expect(strstr(err.msg, "time limit"), "got: %s", err.msg);
}

Test(net_tls, client_hello_names_the_host)
{
    unsigned char *hello = NULL;
    size_t len = 0;
    struct cdoc_err err = {{0}};

    cr_assert_eq(net_test_library()->tls_client_hello(
                     "github.com", &hello, &len, &err), 0, "%s", err.msg);
    cr_assert_gt(len, 5);
    cr_expect_eq(hello[0], 0x16, "not a TLS handshake record");
    cr_expect_eq(hello[1], 0x03, "not a TLS record version");
    cr_expect_not_null(memmem(hello, len, "github.com", 10),
                       "the server name is not in the ClientHello");
    free(hello);
}

Test(net_tls, client_hello_leaves_an_ip_out_of_sni)
{
    unsigned char *hello = NULL;
    size_t len = 0;
    struct cdoc_err err = {{0}};

    cr_assert_eq(net_test_library()->tls_client_hello(
                     "10.0.0.1", &hello, &len, &err), 0, "%s", err.msg);
    cr_expect_null(memmem(hello, len, "10.0.0.1", 8));
    free(hello);
}
