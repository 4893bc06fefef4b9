/* SPDX-License-Identifier: MIT */
/*
 * Probes of the guest's network path: nat rules, name resolution and an
 * HTTPS request. The doctor only ever connects to an address the sandbox
 * itself owns (see cdoc_address_is_local): it must not open a way out of
 * the sandbox it checks.
 */
#ifndef CDOC_PROBE_NETPATH_H
#define CDOC_PROBE_NETPATH_H

#include "cdoc.h"
#include "profile/profile.h"

#include <stdbool.h>

/*
 * Decide from iptables-save output whether every TCP connection a local
 * process makes to from_port is redirected to to_port. The nat OUTPUT
 * chain, with the user chains it jumps to, must reach a rule
 * "-p tcp --dport FROM -j REDIRECT --to-ports TO" before any rule that
 * could send that traffic elsewhere. That rule may have no negation and
 * no narrower match: no owner, no interface, and no destination but
 * everything or the sentinel. On success *rule gets that rule's line;
 * otherwise *problem explains why. The caller frees both; either pointer may be NULL.
 */
bool cdoc_nat_has_redirect(const char *iptables_save, int from_port,
                           int to_port, const char *sentinel, char **rule,
                           char **problem);

/* IPv4 addresses of name from getaddrinfo(3), in the resolver's order.
 * On failure err carries gai_strerror's text and the name. */
int cdoc_resolve_ipv4(const char *name, struct cdoc_strings *addresses,
                      struct cdoc_err *err)
    __attribute__((warn_unused_result));

struct cdoc_https_result {
    bool connected;     /* a TCP connection was made */
    bool tls_done;      /* the TLS handshake completed */
    long status;        /* HTTP status, 0 when none came */
    char *error;        /* libcurl's description of a failure, or NULL */
    double seconds;
};

/*
 * GET https://host:port/path, connecting to address instead of resolving
 * host (the name still goes in SNI and Host). ca_file verifies the peer;
 * NULL turns verification off (curl -k). Proxy variables in the
 * environment are ignored, redirects are not followed, and the whole
 * request is bounded by timeout_seconds. Returns -1 only when libcurl
 * could not be set up.
 */
int cdoc_https_get(const char *host, const char *address, int port,
                   const char *path, const char *ca_file,
                   double timeout_seconds, struct cdoc_https_result *result,
                   struct cdoc_err *err)
    __attribute__((warn_unused_result));

void cdoc_https_result_release(struct cdoc_https_result *result);

#endif
