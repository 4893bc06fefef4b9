/* SPDX-License-Identifier: MIT */
/* Deadlines, numeric addresses and non-blocking connections. */
#include "net/socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double cdoc__net_now(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

int cdoc__net_check_timeout(const char *what, double seconds,
                            struct cdoc_err *err)
{
    if (!isfinite(seconds) || seconds <= 0)
        return cdoc_errf(err, "invalid %s %g s: give a time limit above 0",
                         what, seconds);
    return 0;
}

int cdoc__net_parse_address(const char *address, int port,
                            struct sockaddr_storage *addr, socklen_t *len,
                            struct cdoc_err *err)
{
    struct sockaddr_in *in4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;

    memset(addr, 0, sizeof(*addr));
    if (port < 1 || port > 65535)
        return cdoc_errf(err, "invalid port %d for %s: give 1 to 65535",
                         port, address ? address : "(null)");
    if (!address)
        return cdoc_errf(err, "no address given: give a numeric IPv4 or "
                         "IPv6 address");
    if (inet_pton(AF_INET, address, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        *len = sizeof(*in4);
        return 0;
    }
    if (inet_pton(AF_INET6, address, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*in6);
        return 0;
    }
    return cdoc_errf(err, "invalid address '%s': give a numeric IPv4 or "
                     "IPv6 address, since the library resolves no names",
                     address);
}

int cdoc__net_wait(int fd, short events, double deadline)
{
    struct pollfd pfd = {.fd = fd, .events = events};

    for (;;) {
        double left = deadline - cdoc__net_now();
        int rc;

        if (left <= 0)
            return 0;
        /* Round up, so a wait never ends just before the deadline and
         * spins with a zero poll time. */
        rc = poll(&pfd, 1, (int)ceil(left * 1000));
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR)
            return -1;
    }
}

/* Start a non-blocking connect and wait for it until deadline. Returns
 * the errno of a failure (ETIMEDOUT at the deadline), or 0. */
static int connect_until(int fd, const struct sockaddr_storage *addr,
                         socklen_t len, double deadline)
{
    int problem = 0;
    socklen_t problem_len = sizeof(problem);
    int ready;

    if (connect(fd, (const struct sockaddr *)addr, len) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return errno;

    ready = cdoc__net_wait(fd, POLLOUT, deadline);
    if (ready == 0)
        return ETIMEDOUT;
    if (ready < 0)
        return errno;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &problem, &problem_len) < 0)
        return errno;
    return problem;
}

int cdoc__net_connect(const struct sockaddr_storage *addr, socklen_t len,
                      const char *address, int port, double deadline,
                      double timeout_seconds, char **error, int *problem)
{
    int fd = socket(addr->ss_family,
                    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int failure;

    if (fd < 0) {
        failure = errno;
        *error = cdoc_xasprintf("cannot create a TCP socket for %s port "
                                "%d: %s", address, port, strerror(failure));
        if (problem)
            *problem = failure;
        return -1;
    }
    failure = connect_until(fd, addr, len, deadline);
    if (problem)
        *problem = failure;
    if (failure == 0)
        return fd;

    if (failure == ETIMEDOUT)
        *error = cdoc_xasprintf("TCP connection to %s port %d timed out "
                                "after %g s", address, port,
                                timeout_seconds);
    else if (failure == ECONNREFUSED)
        *error = cdoc_xasprintf("TCP connection to %s port %d refused",
                                address, port);
    else
        *error = cdoc_xasprintf("TCP connection to %s port %d failed: %s",
                                address, port, strerror(failure));
    close(fd);
    return -1;
}

void cdoc__sigpipe_block(struct cdoc__sigpipe_guard *guard)
{
    sigset_t pipe_only, pending;

    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    guard->was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_only, &guard->old_mask);
}

void cdoc__sigpipe_restore(struct cdoc__sigpipe_guard *guard)
{
    sigset_t pipe_only, pending;
    const struct timespec no_wait = {0, 0};

    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    /* Discard only a SIGPIPE raised while the guard was in place: one that
     * was pending before belongs to the caller. */
    if (!guard->was_pending && sigismember(&pending, SIGPIPE) == 1)
        sigtimedwait(&pipe_only, NULL, &no_wait);
    pthread_sigmask(SIG_SETMASK, &guard->old_mask, NULL);
}
