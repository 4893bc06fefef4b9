/* SPDX-License-Identifier: MIT */
/* TCP connections, raw exchanges and route lookups, bounded in time. */
#include "probe/sockets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double monotonic_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int milliseconds_left(double deadline)
{
    double left = deadline - monotonic_seconds();

    return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

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

static int ipv4_address(const char *address, int port,
                        struct sockaddr_in *sin, struct cdoc_err *err)
{
    memset(sin, 0, sizeof(*sin));
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t)port);
    if (port <= 0 || port > 65535)
        return cdoc_errf(err, "port %d is out of range 1-65535", port);
    if (inet_pton(AF_INET, address, &sin->sin_addr) != 1)
        return cdoc_errf(err, "'%s' is not an IPv4 address", address);
    return 0;
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

/* Start a non-blocking connect and wait for it until the deadline.
 * Returns the socket, connected or not, and sets the outcome. */
static int connect_until(const struct sockaddr_in *sin, double deadline,
                         struct cdoc_tcp_result *result, struct cdoc_err *err)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int error = 0;
    socklen_t len = sizeof(error);

    if (fd < 0)
        return cdoc_errf(err, "cannot create a TCP socket: %s",
                         strerror(errno));
    if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) < 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};

        error = errno;
        if (error == EINPROGRESS) {
            int ready;

            do {
                ready = poll(&pfd, 1, milliseconds_left(deadline));
            } while (ready < 0 && errno == EINTR);
            if (ready == 0)
                error = ETIMEDOUT;
            else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
                error = errno;
        }
    }
    result->error = error;
    result->outcome = outcome_of(error);
    return fd;
}

int cdoc_tcp_probe(const char *address, int port, double timeout_seconds,
                   struct cdoc_tcp_result *result, struct cdoc_err *err)
{
    double started = monotonic_seconds();
    struct sockaddr_in sin;
    int fd;

    memset(result, 0, sizeof(*result));
    if (ipv4_address(address, port, &sin, err) < 0)
        return -1;
    fd = connect_until(&sin, started + timeout_seconds, result, err);
    if (fd < 0)
        return -1;
    close(fd);
    result->seconds = monotonic_seconds() - started;
    return 0;
}

static bool send_all(int fd, const unsigned char *bytes, size_t len,
                     double deadline)
{
    while (len > 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        ssize_t sent;

        if (poll(&pfd, 1, milliseconds_left(deadline)) <= 0)
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
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ssize_t got;

        if (poll(&pfd, 1, milliseconds_left(deadline)) <= 0)
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
    double started = monotonic_seconds();
    double deadline = started + timeout_seconds;
    struct sockaddr_in sin;
    int fd;

    memset(result, 0, sizeof(*result));
    if (ipv4_address(address, port, &sin, err) < 0)
        return -1;
    fd = connect_until(&sin, deadline, result, err);
    if (fd < 0)
        return -1;
    if (result->outcome == CDOC_TCP_CONNECTED &&
        send_all(fd, send, send_len, deadline))
        receive_until(fd, reply_max, deadline, result);
    close(fd);
    result->seconds = monotonic_seconds() - started;
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
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6,
                                .sin6_port = htons((uint16_t)port)};
    struct sockaddr_in sin;
    const struct sockaddr *peer = (const struct sockaddr *)&sin;
    socklen_t peer_len = sizeof(sin);
    int fd;

    *routed = false;
    *route_errno = 0;
    if (inet_pton(AF_INET6, address, &sin6.sin6_addr) == 1) {
        peer = (const struct sockaddr *)&sin6;
        peer_len = sizeof(sin6);
    } else if (ipv4_address(address, port, &sin, err) < 0) {
        return cdoc_errf(err, "'%s' is not an IPv4 or IPv6 address",
                         address);
    }
    fd = socket(peer->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        /* No IPv6 in this kernel or namespace: no route either. */
        if (peer->sa_family == AF_INET6 && errno == EAFNOSUPPORT) {
            *route_errno = errno;
            return 0;
        }
        return cdoc_errf(err, "cannot create a UDP socket: %s",
                         strerror(errno));
    }
    /* connect(2) on a UDP socket only looks the route up and fixes the
     * peer; no packet leaves until something is sent, and nothing is. */
    if (connect(fd, peer, peer_len) == 0)
        *routed = true;
    else
        *route_errno = errno;
    close(fd);
    return 0;
}
