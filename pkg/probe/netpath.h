/* SPDX-License-Identifier: MIT */
/*
 * Probes of the guest's network path: nat rules and name resolution. The
 * requests themselves are in the network library (net/net.h). The doctor
 * only ever connects to an address the sandbox itself owns (see
 * cdoc_address_is_local): it must not open a way out of the sandbox it
 * checks.
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

#endif
