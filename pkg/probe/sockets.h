/* SPDX-License-Identifier: MIT */
/*
 * Plain socket probes: a TCP connection, a raw exchange of bytes, and the
 * kernel's route lookup. Each is bounded in time and goes only to the
 * address it is given.
 */
#ifndef CDOC_PROBE_SOCKETS_H
#define CDOC_PROBE_SOCKETS_H

#include "cdoc.h"

#include <stdbool.h>
#include <stddef.h>

enum cdoc_tcp_outcome {
    CDOC_TCP_CONNECTED,
    CDOC_TCP_REFUSED,     /* RST: nothing listens there */
    CDOC_TCP_TIMED_OUT,   /* no reply within the limit */
    CDOC_TCP_UNREACHABLE, /* no route, network or host unreachable */
    CDOC_TCP_OTHER,       /* any other errno */
};

struct cdoc_tcp_result {
    enum cdoc_tcp_outcome outcome;
    int error;             /* errno of a failed connection, else 0 */
    double seconds;
    /* From cdoc_tcp_exchange: what came back, NUL added. */
    unsigned char *reply;
    size_t reply_len;
};

/* Words for an outcome: "connected", "refused", ... */
const char *cdoc_tcp_outcome_name(enum cdoc_tcp_outcome outcome);

/* Connect to address:port (IPv4 dotted quad) and close. Returns -1 only
 * for an address that is not IPv4 or when no socket can be made. */
int cdoc_tcp_probe(const char *address, int port, double timeout_seconds,
                   struct cdoc_tcp_result *result, struct cdoc_err *err)
    __attribute__((warn_unused_result));

/*
 * Connect, send the bytes, and read until the peer closes, reply_max
 * bytes arrive, or the time limit (for the whole exchange) passes. A
 * reply cut short by the limit is still returned.
 */
int cdoc_tcp_exchange(const char *address, int port, const void *send,
                      size_t send_len, size_t reply_max,
                      double timeout_seconds, struct cdoc_tcp_result *result,
                      struct cdoc_err *err)
    __attribute__((warn_unused_result));

void cdoc_tcp_result_release(struct cdoc_tcp_result *result);

/*
 * Ask the kernel whether it has a route to address (IPv4 or IPv6), by
 * connect(2) on a UDP socket: that runs the route lookup and sends
 * nothing. *routed is false
 * with *route_errno ENETUNREACH (or similar) when there is none.
 */
int cdoc_route_exists(const char *address, int port, bool *routed,
                      int *route_errno, struct cdoc_err *err)
    __attribute__((warn_unused_result));

#endif
