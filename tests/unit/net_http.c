/* SPDX-License-Identifier: MIT */
/* http_request against nginx on 127.0.0.1 and sockets that never reply. */
#include "net_fixture.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A verified HTTPS GET of / on the fixture's nginx. */
static struct cdoc_http_request https_request(const char *host)
{
    return (struct cdoc_http_request){
        .scheme = "https",
        .host = host,
        .address = "127.0.0.1",
        .port = net_web.nginx.port,
        .verify = true,
        .ca_file = net_web.ca_file,
        .connect_timeout_seconds = 5,
        .timeout_seconds = 10,
    };
}

/* Run request; the call itself must succeed. */
static struct cdoc_http_result run(const struct cdoc_http_request *request)
{
    struct cdoc_http_result result;
    struct cdoc_err err = {{0}};

    cr_assert_eq(net_test_library()->http_request(request, &result, &err),
                 0, "%s", err.msg);
    return result;
}

Test(net_http, https_allowed_200, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_http_request request = https_request(NET_TEST_ALLOWED);
    struct cdoc_http_result result;

    request.keep_body = true;
    result = run(&request);
    cr_expect_null(result.error, "error: %s", result.error);
    cr_expect(result.connected);
    cr_expect(result.tls_done);
    cr_expect_eq(result.status, 200);
    cr_expect_str_eq(result.body, "allowed GET \n");
    cr_expect_eq(result.body_len, strlen("allowed GET \n"));
    cr_expect_eq(result.body_bytes, strlen("allowed GET \n"));
    cr_expect_gt(result.seconds, 0);
    net_test_library()->http_result_release(&result);
}

Test(net_http, https_denied_403, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_http_request request = https_request(NET_TEST_DENIED);
    struct cdoc_http_result result = run(&request);

    cr_expect_null(result.error, "error: %s", result.error);
    cr_expect(result.tls_done);
    cr_expect_eq(result.status, 403);
    cr_expect_null(result.body, "the body is kept only with keep_body");
    cr_expect_eq(result.body_bytes, strlen("denied\n"));
    net_test_library()->http_result_release(&result);
}

Test(net_http, wrong_ca_fails_verification, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_http_request request = https_request(NET_TEST_ALLOWED);
    struct cdoc_http_result result;

    request.ca_file = net_web.other_ca_file;
    result = run(&request);
    cr_expect(result.connected);
    cr_expect_not(result.tls_done);
    cr_expect_eq(result.status, 0);
    cr_assert_not_null(result.error);
    cr_expect(strstr(result.error, "certificate"), "error: %s",
              result.error);
    net_test_library()->http_result_release(&result);
}

Test(net_http, impostor_ca_fails_verification, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_http_request request = https_request(NET_TEST_ALLOWED);
    struct cdoc_http_result result;

    request.ca_file = net_web.impostor_ca_file;
    result = run(&request);
    cr_expect_not(result.tls_done);
    cr_expect_eq(result.status, 0);
    cr_expect_not_null(result.error);
    net_test_library()->http_result_release(&result);
}

Test(net_http, system_store_rejects_test_ca, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_http_request request = https_request(NET_TEST_ALLOWED);
    struct cdoc_http_result result;

    request.ca_file = NULL;
    result = run(&request);
    cr_expect_not(result.tls_done, "the test CA is in no system store");
    cr_expect_eq(result.status, 0);
    cr_expect_not_null(result.error);
    net_test_library()->http_result_release(&result);
}

Test(net_http, host_name_verified, .init = net_web_setup,
     .fini = net_web_teardown)
{
    /* nginx's default server responds, but its certificate does not name
     * this host. */
    struct cdoc_http_request request = https_request("unnamed.test");
    struct cdoc_http_result result = run(&request);

    cr_expect_not(result.tls_done);
    cr_expect_eq(result.status, 0);
    cr_assert_not_null(result.error);
    cr_expect(strstr(result.error, "unnamed.test"), "error: %s",
              result.error);
    net_test_library()->http_result_release(&result);
}

Test(net_http, without_verify_any_ca, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_http_request request = https_request(NET_TEST_ALLOWED);
    struct cdoc_http_result result;

    request.verify = false;
    request.ca_file = net_web.other_ca_file;
    result = run(&request);
    cr_expect_null(result.error, "error: %s", result.error);
    cr_expect(result.tls_done);
    cr_expect_eq(result.status, 200);
    net_test_library()->http_result_release(&result);
}

Test(net_http, post_sends_body, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_http_request request = https_request(NET_TEST_ALLOWED);
    struct cdoc_http_result result;

    request.body = "probe=1";
    request.keep_body = true;
    result = run(&request);
    cr_expect_null(result.error, "error: %s", result.error);
    cr_expect_eq(result.status, 200);
    cr_expect_str_eq(result.body, "allowed POST 7\n");
    net_test_library()->http_result_release(&result);
}

Test(net_http, post_without_body, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_http_request request = https_request(NET_TEST_ALLOWED);
    struct cdoc_http_result result;

    request.method = "POST";
    request.keep_body = true;
    result = run(&request);
    cr_expect_eq(result.status, 200);
    cr_expect_str_eq(result.body, "allowed POST 0\n");
    net_test_library()->http_result_release(&result);
}

Test(net_http, plain_http_scheme, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_http_request request = https_request(NET_TEST_DENIED);
    struct cdoc_http_result result;

    request.scheme = "http";
    request.port = net_web.nginx.http_port;
    result = run(&request);
    cr_expect_null(result.error, "error: %s", result.error);
    cr_expect(result.connected);
    cr_expect_not(result.tls_done);
    cr_expect_eq(result.status, 403);
    net_test_library()->http_result_release(&result);
}

Test(net_http, https_scheme_only, .init = net_web_setup,
     .fini = net_web_teardown)
{
    /* An https request to the plain HTTP port must not fall back. */
    struct cdoc_http_request request = https_request(NET_TEST_ALLOWED);
    struct cdoc_http_result result;

    request.port = net_web.nginx.http_port;
    result = run(&request);
    cr_expect(result.connected);
    cr_expect_not(result.tls_done);
    cr_expect_eq(result.status, 0);
    cr_expect_not_null(result.error);
    net_test_library()->http_result_release(&result);
}

Test(net_http, redirect_not_followed, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_http_request request = https_request(NET_TEST_ALLOWED);
    struct cdoc_http_result result;

    request.path = "/moved";
    result = run(&request);
    cr_expect_null(result.error, "error: %s", result.error);
    cr_expect_eq(result.status, 301);
    net_test_library()->http_result_release(&result);
}

Test(net_http, proxy_variables_ignored, .init = net_web_setup,
     .fini = net_web_teardown)
{
    int port;
    int fd = net_test_refusing_tcp(&port);
    char *proxy = cdoc_xasprintf("http://127.0.0.1:%d", port);
    struct cdoc_http_request request = https_request(NET_TEST_ALLOWED);
    struct cdoc_http_result result;

    /* A proxy that refuses every connection: if libcurl used it, the
     * request would fail. */
    setenv("https_proxy", proxy, 1);
    setenv("HTTPS_PROXY", proxy, 1);
    setenv("ALL_PROXY", proxy, 1);
    result = run(&request);
    cr_expect_null(result.error, "error: %s", result.error);
    cr_expect_eq(result.status, 200);
    net_test_library()->http_result_release(&result);
    close(fd);
    free(proxy);
}

Test(net_http, keep_body_cut_at_max, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_http_request request = https_request(NET_TEST_ALLOWED);
    struct cdoc_http_result result;

    request.path = "/big";
    request.keep_body = true;
    result = run(&request);
    cr_expect_null(result.error, "error: %s", result.error);
    cr_expect_eq(result.status, 200);
    cr_expect_eq(result.body_bytes, NET_TEST_BIG_BYTES);
    cr_expect_eq(result.body_len, CDOC_HTTP_BODY_MAX);
    cr_assert_not_null(result.body);
    cr_expect_eq(result.body[CDOC_HTTP_BODY_MAX], '\0');
    for (size_t i = 0; i < CDOC_HTTP_BODY_MAX; i++) {
        char expected = (char)('a' + (i * 7 + i / 251) % 26);

        if (result.body[i] != expected)
            cr_assert_fail("body byte %zu is '%c', expected '%c'", i,
                           result.body[i], expected);
    }
    cr_expect_gt(result.bytes_per_second, 0);
    net_test_library()->http_result_release(&result);
}

Test(net_http, body_counted_not_kept, .init = net_web_setup,
     .fini = net_web_teardown)
{
    struct cdoc_http_request request = https_request(NET_TEST_ALLOWED);
    struct cdoc_http_result result;

    request.path = "/big";
    result = run(&request);
    cr_expect_eq(result.status, 200);
    cr_expect_eq(result.body_bytes, NET_TEST_BIG_BYTES);
    cr_expect_null(result.body);
    cr_expect_eq(result.body_len, 0);
    cr_expect_gt(result.bytes_per_second, 0);
    cr_expect_gt(result.seconds, 0);
    net_test_library()->http_result_release(&result);
}

Test(net_http, refused_connection)
{
    int port;
    int fd = net_test_refusing_tcp(&port);
    struct cdoc_http_request request = {
        .scheme = "https", .host = NET_TEST_ALLOWED,
        .address = "127.0.0.1", .port = port,
        .connect_timeout_seconds = 5, .timeout_seconds = 5};
    struct cdoc_http_result result = run(&request);

    cr_expect_not(result.connected);
    cr_expect_not(result.tls_done);
    cr_expect_eq(result.status, 0);
    cr_expect_not_null(result.error);
    net_test_library()->http_result_release(&result);
    close(fd);
}

Test(net_http, silent_peer_bounded)
{
    int port;
    int fd = net_test_silent_tcp(&port);
    struct cdoc_http_request request = {
        .scheme = "https", .host = NET_TEST_ALLOWED,
        .address = "127.0.0.1", .port = port,
        .connect_timeout_seconds = 5, .timeout_seconds = 0.5};
    struct cdoc_http_result result;
    double start = net_test_now();
    double elapsed;

    result = run(&request);
    elapsed = net_test_now() - start;
    cr_expect(result.connected);
    cr_expect_not(result.tls_done);
    cr_expect_eq(result.status, 0);
    cr_assert_not_null(result.error);
    cr_expect(result.timed_out, "error: %s", result.error);
    cr_expect_geq(elapsed, 0.45);
    cr_expect_lt(elapsed, 2.0, "a 0.5 s limit took %g s", elapsed);
    net_test_library()->http_result_release(&result);
    close(fd);
}

Test(net_http, stalled_peer_costs_the_connect_limit)
{
    int port;
    int fd = net_test_silent_tcp(&port);
    /* A long total limit, as the throughput download has. A peer that
     * accepts and never replies must still end the request after about
     * the connect limit (1 s here), not the total. */
    struct cdoc_http_request request = {
        .scheme = "http", .host = NET_TEST_ALLOWED,
        .address = "127.0.0.1", .port = port,
        .connect_timeout_seconds = 1, .timeout_seconds = 30};
    struct cdoc_http_result result;
    double start = net_test_now();
    double elapsed;

    result = run(&request);
    elapsed = net_test_now() - start;
    cr_expect(result.connected);
    cr_expect_eq(result.status, 0);
    cr_expect(result.timed_out, "error: %s",
              result.error ? result.error : "none");
    cr_expect_lt(elapsed, 5.0, "a stalled peer cost %g s", elapsed);
    net_test_library()->http_result_release(&result);
    close(fd);
}

Test(net_http, ipv6_address_pinned)
{
    int port;
    int fd = net_test_silent_tcp6(&port);
    struct cdoc_http_request request = {
        .scheme = "https", .host = NET_TEST_ALLOWED, .address = "::1",
        .connect_timeout_seconds = 5, .timeout_seconds = 0.3};
    struct cdoc_http_result result;

    if (fd < 0)
        cr_skip_test("this machine has no IPv6 loopback");
    request.port = port;
    result = run(&request);
    cr_expect(result.connected, "the pin reaches [::1]:%d: %s", port,
              result.error);
    cr_expect_not(result.tls_done);
    net_test_library()->http_result_release(&result);
    close(fd);
}

Test(net_http, invalid_requests_rejected)
{
    const struct cdoc_net *net = net_test_library();
    const struct cdoc_http_request good = {
        .scheme = "https", .host = NET_TEST_ALLOWED, .address = "127.0.0.1",
        .port = 443, .connect_timeout_seconds = 1, .timeout_seconds = 1};
    struct {
        const char *field;
        struct cdoc_http_request request;
        const char *named;
    } cases[] = {
        {"scheme", good, "ftp"},
        {"host", good, "a/b"},
        {"address", good, "localhost"},
        {"port", good, "70000"},
        {"path", good, "no-slash"},
        {"method", good, "GET /x"},
        {"timeout", good, "0"},
        {"connect timeout", good, "-1"},
    };

    cases[0].request.scheme = "ftp";
    cases[1].request.host = "a/b";
    cases[2].request.address = "localhost";
    cases[3].request.port = 70000;
    cases[4].request.path = "no-slash";
    cases[5].request.method = "GET /x";
    cases[6].request.timeout_seconds = 0;
    cases[7].request.connect_timeout_seconds = -1;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cdoc_http_result result;
        struct cdoc_err err = {{0}};

        cr_expect_eq(net->http_request(&cases[i].request, &result, &err),
                     -1, "an invalid %s is rejected", cases[i].field);
        cr_expect(strstr(err.msg, cases[i].named),
                  "the %s error names '%s': %s", cases[i].field,
                  cases[i].named, err.msg);
        net->http_result_release(&result);
    }
}
