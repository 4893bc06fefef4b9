/* SPDX-License-Identifier: MIT */
/*
 * Deadlines, numeric addresses and non-blocking connections. Both the
 * network library and the doctor's own socket probes (pkg/probe/sockets.c)
 * are built from socket.c, which needs only libc and libm.
 */
#ifndef CDOC_NET_SOCKET_H
#define CDOC_NET_SOCKET_H

#include "cdoc.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>

/* Seconds on the monotonic clock. */
double cdoc__net_now(void);

/* Check that a time limit is a finite number above zero. libcurl reads 0
 * as "no limit", so a zero or negative value must never reach it. */
int cdoc__net_check_timeout(const char *what, double seconds,
                            struct cdoc_err *err);

/* Parse a numeric IPv4 or IPv6 address and a port into *addr without any
 * name lookup. Returns -1 naming the address or port that is invalid. */
int cdoc__net_parse_address(const char *address, int port,
                            struct sockaddr_storage *addr, socklen_t *len,
                            struct cdoc_err *err);

/* Wait until fd is ready for events or deadline (cdoc__net_now() time)
 * passes. Returns 1 when ready, 0 at the deadline, -1 with errno set. */
int cdoc__net_wait(int fd, short events, double deadline);

/*
 * Open a non-blocking TCP connection to addr before deadline. Returns the
 * socket, or -1 with *error set to an allocated description naming
 * address, port and, on a time-out, timeout_seconds. When problem is not
 * NULL it gets the errno of a failed connection (ETIMEDOUT at the
 * deadline), or 0.
 */
int cdoc__net_connect(const struct sockaddr_storage *addr, socklen_t len,
                      const char *address, int port, double deadline,
                      double timeout_seconds, char **error, int *problem);

/*
 * Block SIGPIPE while the caller writes to a socket through OpenSSL, which
 * uses write(2) and would otherwise kill the check when the peer has
 * closed. cdoc__sigpipe_restore discards a SIGPIPE raised meanwhile and
 * restores the signal mask.
 */
struct cdoc__sigpipe_guard {
    sigset_t old_mask;
    bool was_pending;
};

void cdoc__sigpipe_block(struct cdoc__sigpipe_guard *guard);
void cdoc__sigpipe_restore(struct cdoc__sigpipe_guard *guard);

#endif
