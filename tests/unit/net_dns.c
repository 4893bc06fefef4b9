/* SPDX-License-Identifier: MIT */
/* dns_query against dnsmasq on 127.0.0.1, a socket that never replies and
 * a replier that sends stray datagrams first. */
#include "net_fixture.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir;
static struct net_test_server dnsmasq;

static void start_dnsmasq(void)
{
    dir = net_test_make_dir();
    net_test_dnsmasq_start(dir, &dnsmasq);
}

static void stop_dnsmasq(void)
{
    net_test_server_stop(&dnsmasq);
    net_test_remove_dir(dir);
    dir = NULL;
}

/* Query 127.0.0.1:port; the call itself must succeed. */
static struct cdoc_dns_answer query(int port, const char *name,
                                    double timeout)
{
    struct cdoc_dns_answer answer;
    struct cdoc_err err = {{0}};

    cr_assert_eq(net_test_library()->dns_query("127.0.0.1", port, name,
                                               timeout, &answer, &err),
                 0, "%s", err.msg);
    return answer;
}

Test(net_dns, answer_from_dnsmasq, .init = start_dnsmasq,
     .fini = stop_dnsmasq)
{
    struct cdoc_dns_answer answer =
        query(dnsmasq.port, "anything.example", 5);

    cr_expect_null(answer.error, "error: %s", answer.error);
    cr_expect(answer.answered);
    cr_expect_eq(answer.rcode, 0);
    cr_assert_eq(answer.addresses.count, 1);
    cr_expect_str_eq(answer.addresses.items[0], NET_TEST_SENTINEL);
    cr_expect_gt(answer.seconds, 0);
    net_test_library()->dns_answer_release(&answer);
}

Test(net_dns, nxdomain_is_an_answer, .init = start_dnsmasq,
     .fini = stop_dnsmasq)
{
    struct cdoc_dns_answer answer =
        query(dnsmasq.port, "host." NET_TEST_NX_DOMAIN, 5);

    cr_expect_null(answer.error, "error: %s", answer.error);
    cr_expect(answer.answered);
    cr_expect_eq(answer.rcode, 3, "NXDOMAIN is rcode 3, got %d",
                 answer.rcode);
    cr_expect_eq(answer.addresses.count, 0);
    net_test_library()->dns_answer_release(&answer);
}

Test(net_dns, silent_server_bounded)
{
    int port;
    int fd = net_test_silent_udp(&port);
    double start = net_test_now();
    struct cdoc_dns_answer answer = query(port, "anything.example", 0.5);
    double elapsed = net_test_now() - start;

    cr_expect_not(answer.answered);
    cr_expect_eq(answer.rcode, -1);
    cr_expect_eq(answer.addresses.count, 0);
    cr_assert_not_null(answer.error);
    cr_expect(strstr(answer.error, "no reply"), "error: %s", answer.error);
    cr_expect(strstr(answer.error, "within 0.5 s"), "error: %s",
              answer.error);
    cr_expect_geq(elapsed, 0.45);
    cr_expect_lt(elapsed, 2.0, "a 0.5 s limit took %g s", elapsed);
    net_test_library()->dns_answer_release(&answer);
    close(fd);
}

Test(net_dns, unbound_port_refused)
{
    int port = net_test_unbound_udp_port();
    struct cdoc_dns_answer answer = query(port, "anything.example", 5);

    cr_expect_not(answer.answered);
    cr_assert_not_null(answer.error);
    cr_expect(strstr(answer.error, "refused"), "error: %s", answer.error);
    cr_expect_lt(answer.seconds, 2.0, "the ICMP error ends the wait");
    net_test_library()->dns_answer_release(&answer);
}

/* In a child process: read one query on fd, then send a malformed
 * datagram, the query echoed with a wrong id, and finally a well-formed
 * SERVFAIL reply with the query's id. */
static pid_t reply_after_strays(int fd)
{
    pid_t pid = fork();

    cr_assert_neq(pid, -1);
    if (pid == 0) {
        unsigned char packet[512];
        struct sockaddr_storage peer;
        socklen_t peer_len = sizeof(peer);
        ssize_t n;

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        n = recvfrom(fd, packet, sizeof(packet), 0,
                     (struct sockaddr *)&peer, &peer_len);
        if (n < 12)
            _exit(1);
        sendto(fd, "junk", 4, 0, (struct sockaddr *)&peer, peer_len);
        packet[2] |= 0x80; /* QR: a response */
        packet[1] ^= 0x01; /* another id */
        sendto(fd, packet, (size_t)n, 0, (struct sockaddr *)&peer,
               peer_len);
        packet[1] ^= 0x01;
        packet[3] = (unsigned char)((packet[3] & 0xf0) | 2); /* SERVFAIL */
        sendto(fd, packet, (size_t)n, 0, (struct sockaddr *)&peer,
               peer_len);
        _exit(0);
    }
    return pid;
}

Test(net_dns, stray_datagrams_skipped)
{
    int port;
    int fd = net_test_silent_udp(&port);
    pid_t replier = reply_after_strays(fd);
    struct cdoc_dns_answer answer = query(port, "anything.example", 5);
    int status;

    cr_expect(answer.answered, "error: %s", answer.error);
    cr_expect_eq(answer.rcode, 2, "the reply with the right id counts, "
                 "got rcode %d", answer.rcode);
    cr_expect_eq(answer.addresses.count, 0);
    cr_expect_eq(waitpid(replier, &status, 0), replier);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    net_test_library()->dns_answer_release(&answer);
    close(fd);
}

Test(net_dns, invalid_input_rejected)
{
    const struct cdoc_net *net = net_test_library();
    char long_label[80];
    struct cdoc_dns_answer answer;
    struct cdoc_err err = {{0}};

    cr_expect_eq(net->dns_query("localhost", 53, "a.example", 1, &answer,
                                &err),
                 -1);
    cr_expect(strstr(err.msg, "'localhost'"), "got: %s", err.msg);
    cr_expect_eq(net->dns_query("127.0.0.1", 0, "a.example", 1, &answer,
                                &err),
                 -1);
    cr_expect(strstr(err.msg, "port 0"), "got: %s", err.msg);
    cr_expect_eq(net->dns_query("127.0.0.1", 53, "a.example", 0, &answer,
                                &err),
                 -1);
    cr_expect(strstr(err.msg, "time limit"), "got: %s", err.msg);

    /* A label is at most 63 bytes long (RFC 1035). */
    memset(long_label, 'a', sizeof(long_label) - 1);
    long_label[sizeof(long_label) - 1] = '\0';
    cr_expect_eq(net->dns_query("127.0.0.1", 53, long_label, 1, &answer,
                                &err),
                 -1);
    cr_expect(strstr(err.msg, long_label), "got: %s", err.msg);
    cr_expect_not(answer.answered);
}
