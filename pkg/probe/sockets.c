/* SPDX-License-Identifier: MIT */
/* TCP connections, raw exchanges and route lookups, bounded in time. */
#include "probe/sockets.h"

#include "net/socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const char *cdoc_tcp_outcome_name(enum cdoc_tcp_outcome outcome)
{
    switch (outcome) {
    case CDOC_TCP_CONNECTED:
        return "connected";
    case CDOC_TCP_REFUSED:
        return "refused";
    case CDOC_TCP_TIMED_OUT:
        return "timed out";
    case CDOC_TCP_UNREACHABLE:
        return "unreachable";
    case CDOC_TCP_OTHER:
        break;
    }
    return "failed";
}

/* Parse address into addr, accepting IPv4 only, as the sentinel is. */
static int ipv4_address(const char *address, int port,
                        struct sockaddr_storage *addr, socklen_t *len,
                        struct cdoc_err *err)
{
    struct in_addr v4;

    if (inet_pton(AF_INET, address, &v4) != 1)
        return cdoc_errf(err, "'%s' is not an IPv4 address", address);
    return cdoc__net_parse_address(address, port, addr, len, err);
}

static enum cdoc_tcp_outcome outcome_of(int error)
{
    switch (error) {
    case 0:
        return CDOC_TCP_CONNECTED;
    case ECONNREFUSED:
        return CDOC_TCP_REFUSED;
    case ETIMEDOUT:
        return CDOC_TCP_TIMED_OUT;
    case ENETUNREACH:
    case EHOSTUNREACH:
        return CDOC_TCP_UNREACHABLE;
    default:
        return CDOC_TCP_OTHER;
    }
}

/* Connect before deadline and record the outcome. Returns the socket,
 * or -1 when the connection failed. */
static int connect_until(const char *address, int port,
                         const struct sockaddr_storage *addr, socklen_t len,
                         double deadline, double timeout_seconds,
                         struct cdoc_tcp_result *result)
{
    char *error = NULL;
    int fd = cdoc__net_connect(addr, len, address, port, deadline,
                               timeout_seconds, &error, &result->error);

    free(error);
    result->outcome = outcome_of(result->error);
    return fd;
}

int cdoc_tcp_probe(const char *address, int port, double timeout_seconds,
                   struct cdoc_tcp_result *result, struct cdoc_err *err)
{
    double started = cdoc__net_now();
    struct sockaddr_storage addr;
    socklen_t len;
    int fd;

    memset(result, 0, sizeof(*result));
    if (ipv4_address(address, port, &addr, &len, err) < 0)
        return -1;
    fd = connect_until(address, port, &addr, len, started + timeout_seconds,
                       timeout_seconds, result);
    if (fd >= 0)
        close(fd);
    result->seconds = cdoc__net_now() - started;
    return 0;
}

static bool send_all(int fd, const unsigned char *bytes, size_t len,
                     double deadline)
{
    while (len > 0) {
        ssize_t sent;

        if (cdoc__net_wait(fd, POLLOUT, deadline) <= 0)
            return false;
        sent = send(fd, bytes, len, MSG_NOSIGNAL);
        if (sent < 0 && errno != EAGAIN && errno != EINTR)
            return false;
        if (sent > 0) {
            bytes += sent;
            len -= (size_t)sent;
        }
    }
    return true;
}

/* Read until the peer closes, max bytes arrive or the deadline passes. */
static void receive_until(int fd, size_t max, double deadline,
                          struct cdoc_tcp_result *result)
{
    result->reply = cdoc_xmalloc(max + 1);
    while (result->reply_len < max) {
        ssize_t got;

        if (cdoc__net_wait(fd, POLLIN, deadline) <= 0)
            break;
        got = recv(fd, result->reply + result->reply_len,
                   max - result->reply_len, 0);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
            break;
        if (got > 0)
            result->reply_len += (size_t)got;
    }
    result->reply[result->reply_len] = '\0';
}

int cdoc_tcp_exchange(const char *address, int port, const void *send,
                      size_t send_len, size_t reply_max,
                      double timeout_seconds, struct cdoc_tcp_result *result,
                      struct cdoc_err *err)
{
    double started = cdoc__net_now();
    double deadline = started + timeout_seconds;
    struct sockaddr_storage addr;
    socklen_t len;
    int fd;

    memset(result, 0, sizeof(*result));
    if (ipv4_address(address, port, &addr, &len, err) < 0)
        return -1;
    fd = connect_until(address, port, &addr, len, deadline, timeout_seconds,
                       result);
    if (fd >= 0) {
        if (send_all(fd, send, send_len, deadline))
            receive_until(fd, reply_max, deadline, result);
        close(fd);
    }
    result->seconds = cdoc__net_now() - started;
    return 0;
}

void cdoc_tcp_result_release(struct cdoc_tcp_result *result)
{
    free(result->reply);
    memset(result, 0, sizeof(*result));
}

int cdoc_route_exists(const char *address, int port, bool *routed,
                      int *route_errno, struct cdoc_err *err)
{
    struct sockaddr_storage addr;
    socklen_t len;
    int fd;

    *routed = false;
    *route_errno = 0;
    if (cdoc__net_parse_address(address, port, &addr, &len, NULL) < 0)
        return cdoc_errf(err, "'%s' is not an IPv4 or IPv6 address",
                         address);
    fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        /* No IPv6 in this kernel or namespace: no route either. */
        if (addr.ss_family == AF_INET6 && errno == EAFNOSUPPORT) {
            *route_errno = errno;
            return 0;
        }
        return cdoc_errf(err, "cannot create a UDP socket: %s",
                         strerror(errno));
    }
    /* connect(2) on a UDP socket only looks the route up and fixes the
     * peer. No packet leaves until something is sent, and nothing is. */
    if (connect(fd, (const struct sockaddr *)&addr, len) == 0)
        *routed = true;
    else
        *route_errno = errno;
    close(fd);
    return 0;
}
