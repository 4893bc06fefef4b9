/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the socket probes, against listeners this test opens on
 * 127.0.0.1: one that replies, one that never speaks, and a port that was
 * just closed.
 */
#include "probe/sockets.h"

#include "net_fixture.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Accept one connection, read what the client sends, reply, close. */
static void *answer_once(void *arg)
{
    int listener = *(int *)arg;
    int fd = accept(listener, NULL, NULL);
    char buf[256];

    if (fd >= 0) {
        if (read(fd, buf, sizeof(buf)) > 0)
            (void)!write(fd, "HTTP/1.0 400 Bad Request\r\n\r\n", 28);
        close(fd);
    }
    return NULL;
}

Test(sockets, probe_connects_to_a_listener)
{
    struct cdoc_tcp_result tcp;
    struct cdoc_err err;
    int port;
    int fd = net_test_silent_tcp(&port);

    cr_assert_eq(cdoc_tcp_probe("127.0.0.1", port, 2.0, &tcp, &err), 0);
    cr_assert_eq(tcp.outcome, CDOC_TCP_CONNECTED);
    cr_assert_str_eq(cdoc_tcp_outcome_name(tcp.outcome), "connected");
    close(fd);
}

Test(sockets, probe_is_refused_on_a_closed_port)
{
    struct cdoc_tcp_result tcp;
    struct cdoc_err err;
    int port;

    close(net_test_silent_tcp(&port));
    cr_assert_eq(cdoc_tcp_probe("127.0.0.1", port, 2.0, &tcp, &err), 0);
    cr_assert_eq(tcp.outcome, CDOC_TCP_REFUSED);
    cr_assert_eq(tcp.error, ECONNREFUSED);
}

Test(sockets, probe_rejects_a_bad_address_and_port)
{
    struct cdoc_tcp_result tcp;
    struct cdoc_err err;

    cr_assert_eq(cdoc_tcp_probe("localhost", 80, 1.0, &tcp, &err), -1);
    cr_assert(strstr(err.msg, "'localhost' is not an IPv4 address"),
              "%s", err.msg);
    cr_assert_eq(cdoc_tcp_probe("127.0.0.1", 70000, 1.0, &tcp, &err), -1);
    cr_assert(strstr(err.msg, "70000"), "%s", err.msg);
}

Test(sockets, exchange_returns_the_reply)
{
    struct cdoc_tcp_result tcp;
    struct cdoc_err err;
    pthread_t server;
    int port;
    int fd = net_test_silent_tcp(&port);

    pthread_create(&server, NULL, answer_once, &fd);
    cr_assert_eq(cdoc_tcp_exchange("127.0.0.1", port, "GET /\r\n\r\n", 9,
                                   4096, 2.0, &tcp, &err), 0);
    pthread_join(server, NULL);
    cr_assert_eq(tcp.outcome, CDOC_TCP_CONNECTED);
    cr_assert_str_eq((char *)tcp.reply, "HTTP/1.0 400 Bad Request\r\n\r\n");
    cdoc_tcp_result_release(&tcp);
    close(fd);
}

Test(sockets, exchange_with_a_silent_peer_ends_at_the_limit)
{
    struct cdoc_tcp_result tcp;
    struct cdoc_err err;
    int port;
    /* The kernel completes the handshake from the backlog, but nothing
     * ever reads or replies. */
    int fd = net_test_silent_tcp(&port);

    cr_assert_eq(cdoc_tcp_exchange("127.0.0.1", port, "hello", 5, 4096, 0.3,
                                   &tcp, &err), 0);
    cr_assert_eq(tcp.outcome, CDOC_TCP_CONNECTED);
    cr_assert_eq(tcp.reply_len, 0);
    cr_assert_geq(tcp.seconds, 0.25);
    cr_assert_lt(tcp.seconds, 2.0, "a silent peer cost %.2f s", tcp.seconds);
    cdoc_tcp_result_release(&tcp);
    close(fd);
}

Test(sockets, exchange_reply_is_capped)
{
    struct cdoc_tcp_result tcp;
    struct cdoc_err err;
    pthread_t server;
    int port;
    int fd = net_test_silent_tcp(&port);

    pthread_create(&server, NULL, answer_once, &fd);
    cr_assert_eq(cdoc_tcp_exchange("127.0.0.1", port, "x", 1, 4, 2.0, &tcp,
                                   &err), 0);
    pthread_join(server, NULL);
    cr_assert_eq(tcp.reply_len, 4);
    cr_assert_str_eq((char *)tcp.reply, "HTTP");
    cdoc_tcp_result_release(&tcp);
    close(fd);
}

Test(sockets, route_to_loopback_exists)
{
    struct cdoc_err err;
    bool routed = false;
    int route_errno = -1;

    cr_assert_eq(cdoc_route_exists("127.0.0.1", 443, &routed, &route_errno,
                                   &err), 0);
    cr_assert(routed);
    cr_assert_eq(route_errno, 0);
}

Test(sockets, refused_route_lookup_reports_errno)
{
    struct cdoc_err err;
    bool routed = true;
    int route_errno = 0;

    /* connect(2) to the broadcast address without SO_BROADCAST fails with
     * EACCES before any packet. The probe must report that failure as
     * not routed, as it would a lookup that finds no route. */
    cr_assert_eq(cdoc_route_exists("255.255.255.255", 443, &routed,
                                   &route_errno, &err), 0);
    cr_assert_not(routed);
    cr_assert_eq(route_errno, EACCES);
}

Test(sockets, route_lookup_takes_ipv6)
{
    struct cdoc_err err;
    bool routed = false;
    int route_errno = -1;

    /* ::1 is routed wherever IPv6 exists. Without IPv6 the lookup still
     * succeeds and reports no route. */
    cr_assert_eq(cdoc_route_exists("::1", 443, &routed, &route_errno, &err),
                 0, "%s", err.msg);
    cr_assert(routed || route_errno != 0);
}

Test(sockets, route_lookup_rejects_a_name)
{
    struct cdoc_err err;
    bool routed;
    int route_errno;

    cr_assert_eq(cdoc_route_exists("one.one.one.one", 443, &routed,
                                   &route_errno, &err), -1);
    cr_assert(strstr(err.msg, "not an IPv4 or IPv6 address"), "%s",
              err.msg);
}
