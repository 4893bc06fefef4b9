/* SPDX-License-Identifier: MIT */
/* One DNS query over UDP to a given server, bounded in time. */
#include "net/internal.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Large enough for any UDP reply: without EDNS0 a server sends at most
 * 512 bytes and sets the TC flag on anything longer. */
#define DNS_PACKET_MAX 4096

/* Build the query with glibc's res_nmkquery, which also picks a random
 * message id. Returns its length or -1. */
static int build_query(const char *name, unsigned char *query, int size,
                       struct cdoc_err *err)
{
    struct __res_state state;
    int len;

    memset(&state, 0, sizeof(state));
    if (res_ninit(&state) < 0)
        return cdoc_errf(err, "cannot initialise glibc's resolver state");
    /* res_ninit applies /etc/resolv.conf and RES_OPTIONS, but the query
     * must not depend on them: a recursive query without EDNS0. */
    state.options = RES_INIT | RES_RECURSE;
    len = res_nmkquery(&state, ns_o_query, name, ns_c_in, ns_t_a, NULL, 0,
                       NULL, query, size);
    res_nclose(&state);
    if (len < 0)
        return cdoc_errf(err, "cannot build a DNS query for '%s': not a "
                         "valid domain name", name);
    return len;
}

/* Store the rcode and every A record of a reply. */
static void read_reply(ns_msg *msg, struct cdoc_dns_answer *answer)
{
    int count = ns_msg_count(*msg, ns_s_an);

    answer->answered = true;
    answer->rcode = ns_msg_getflag(*msg, ns_f_rcode);
    for (int i = 0; i < count; i++) {
        char text[INET_ADDRSTRLEN];
        ns_rr rr;

        if (ns_parserr(msg, ns_s_an, i, &rr) < 0) {
            answer->error = cdoc_xasprintf("answer record %d of %d is "
                                           "malformed", i + 1, count);
            return;
        }
        if (ns_rr_type(rr) != ns_t_a || ns_rr_class(rr) != ns_c_in ||
            ns_rr_rdlen(rr) != 4)
            continue;
        if (inet_ntop(AF_INET, ns_rr_rdata(rr), text, sizeof(text)))
            cdoc_strings_append(&answer->addresses, text);
    }
}

/* open_socket's result when the kernel has no route to the server. The
 * query went nowhere, which is a fact about the network, not a fault of
 * the doctor. */
#define NO_ROUTE (-2)

static bool is_unreachable(int error)
{
    return error == ENETUNREACH || error == EHOSTUNREACH ||
           error == ENETDOWN;
}

/* Open a UDP socket connected to the server, so that the kernel drops
 * datagrams from any other source and reports an ICMP port unreachable
 * as ECONNREFUSED. */
static int open_socket(const char *server, int port,
                       struct cdoc_err *err)
{
    struct sockaddr_storage addr;
    socklen_t len;
    int fd;

    if (cdoc__net_parse_address(server, port, &addr, &len, err) < 0)
        return -1;
    fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                0);
    if (fd < 0)
        return cdoc_errf(err, "cannot create a UDP socket for %s port %d: "
                         "%s", server, port, strerror(errno));
    if (connect(fd, (struct sockaddr *)&addr, len) < 0) {
        int error = errno;

        cdoc_errf(err, "cannot address DNS server %s port %d: %s", server,
                  port, strerror(error));
        close(fd);
        return is_unreachable(error) ? NO_ROUTE : -1;
    }
    return fd;
}

/*
 * Wait for the reply to query id until deadline. Datagrams that do not
 * parse or carry another id are skipped: a late reply to an earlier query
 * must not be taken for this one.
 */
static void await_reply(int fd, unsigned id, const char *server, int port,
                        double timeout_seconds, double deadline,
                        struct cdoc_dns_answer *answer)
{
    unsigned char reply[DNS_PACKET_MAX];
    bool malformed = false;

    for (;;) {
        int ready = cdoc__net_wait(fd, POLLIN, deadline);
        ssize_t n;
        ns_msg msg;

        if (ready == 0) {
            answer->error = cdoc_xasprintf(
                "no %sreply from %s port %d within %g s",
                malformed ? "well-formed " : "", server, port,
                timeout_seconds);
            return;
        }
        n = ready < 0 ? -1 : recv(fd, reply, sizeof(reply), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n < 0 && errno == ECONNREFUSED) {
            answer->error = cdoc_xasprintf(
                "%s port %d refused the query (ICMP port unreachable): no "
                "DNS server listens there", server, port);
            return;
        }
        if (n < 0) {
            answer->error = cdoc_xasprintf("cannot receive from %s port "
                                           "%d: %s", server, port,
                                           strerror(errno));
            return;
        }
        if (ns_initparse(reply, (int)n, &msg) < 0) {
            malformed = true;
            continue;
        }
        if (ns_msg_id(msg) != id || !ns_msg_getflag(msg, ns_f_qr))
            continue;
        read_reply(&msg, answer);
        return;
    }
}

int cdoc__dns_query(const char *server, int port, const char *name,
                    double timeout_seconds, struct cdoc_dns_answer *answer,
                    struct cdoc_err *err)
{
    unsigned char query[DNS_PACKET_MAX];
    double start;
    int len, fd;

    memset(answer, 0, sizeof(*answer));
    answer->rcode = -1;
    if (cdoc__net_check_timeout("DNS time limit", timeout_seconds, err) < 0)
        return -1;
    if (!name)
        return cdoc_errf(err, "no name given to query");
    len = build_query(name, query, sizeof(query), err);
    if (len < 0)
        return -1;
    fd = open_socket(server, port, err);
    if (fd == NO_ROUTE) {
        answer->error = cdoc_xstrdup(err ? err->msg
                                         : "no route to the DNS server");
        return 0;
    }
    if (fd < 0)
        return -1;

    start = cdoc__net_now();
    if (send(fd, query, (size_t)len, 0) != len) {
        cdoc_errf(err, "cannot send a DNS query to %s port %d: %s", server,
                  port, strerror(errno));
        close(fd);
        return -1;
    }
    await_reply(fd, (unsigned)query[0] << 8 | query[1], server, port,
                timeout_seconds, start + timeout_seconds, answer);
    answer->seconds = cdoc__net_now() - start;
    close(fd);
    return 0;
}

void cdoc__dns_answer_release(struct cdoc_dns_answer *answer)
{
    cdoc_strings_release(&answer->addresses);
    free(answer->error);
    memset(answer, 0, sizeof(*answer));
    answer->rcode = -1;
}
