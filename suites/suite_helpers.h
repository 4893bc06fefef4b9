/* SPDX-License-Identifier: MIT */
/*
 * Steps the suites share. Each reads state through a probe and ends the
 * check with an error when the doctor cannot read it, so a missing file or
 * tool is never reported as a sandbox failure.
 */
#ifndef CDOC_SUITE_HELPERS_H
#define CDOC_SUITE_HELPERS_H

#include "net/net.h"
#include "probe/probe.h"
#include "profile/profile.h"

struct cdoc_net;

#include <stdbool.h>

/* The mount table, or an error verdict when it cannot be read. */
void suite_read_mounts(struct cdoc_mounts *mounts);

/* The process list, or an error verdict. */
void suite_read_processes(struct cdoc_processes *processes);

/* The network interfaces, or an error verdict. */
void suite_read_interfaces(struct cdoc_interfaces *ifaces);

/* "<root><path>" for the check's root; the caller frees it. */
char *suite_path(const char *path);

/* Pass when a process with this full name runs, fail otherwise. */
void suite_expect_process(const char *name);

/* Fail naming every running process whose full name is in names; what
 * describes such a process ("a service manager"). */
void suite_expect_no_process(const struct cdoc_strings *names,
                             const char *what);

/* Pass when the kernel command line has the profile's entry for key
 * ("init_on_alloc" finds "init_on_alloc=1"); skip when the profile does
 * not ask for it. */
void suite_expect_cmdline(const char *key);

/* Pass when the visible mount at mount_point has one of the given
 * filesystem types (a NULL-terminated list). */
void suite_expect_mount_type(const char *mount_point,
                             const char *const *fstypes);

/* Pass when path is absent; fail naming what it is otherwise. */
void suite_expect_absent(const char *path, const char *why);

/* End the check with an error unless /etc/resolv.conf is absent or a
 * regular file. glibc's resolver reads it at its first use, and a FIFO
 * there would block the check until its time limit. */
void suite_expect_resolv_file(void);

/*
 * Resolve name to IPv4 addresses with the guest's resolver, but only when
 * every nameserver is on loopback: a query to any other resolver would
 * leave the sandbox, and a non-local resolver is itself the fault.
 */
void suite_resolve_locally(const char *name, struct cdoc_strings *addresses);

/*
 * Return the sentinel address that domain resolves to through
 * suite_resolve_locally. Fail the check when domain resolves elsewhere or
 * the sentinel is not assigned here, because the doctor connects only to
 * an address of the sandbox itself. The caller frees the result.
 */
char *suite_sentinel_for(const char *domain);

/* Pass when the nat OUTPUT chain redirects every TCP connection to the
 * profile's https_port to its proxy_port (read with iptables-save). */
void suite_expect_https_redirect(void);

/* Return the network library (libcapsem-doctor-net.so), or end the check
 * with an error naming why it cannot be loaded. */
const struct cdoc_net *suite_net(void);

struct cdoc_http_result;

/*
 * Send one HTTPS request to domain, pinned to the sentinel it resolves to
 * (suite_sentinel_for). With verify, ca_file names the only CA trusted;
 * NULL then means the system's trust store. A POST sends a short body.
 * Release the result with suite_net()->http_result_release.
 */
void suite_https_request(const char *method, const char *domain,
                         const char *path, bool verify, const char *ca_file,
                         double timeout_seconds,
                         struct cdoc_http_result *http);

/*
 * Pass when the proxy denies domain: an HTTP 403, or a connection it
 * accepted and closed without a response while an allowed domain still
 * gets one through the same path. Fail when domain gets any other
 * response, or when nothing responds at all, since then the policy cannot
 * be seen.
 */
void suite_expect_denied(const char *method, const char *domain);

/* The strings joined with separator, for messages;
 * the caller frees it. */
char *suite_join(const struct cdoc_strings *list, const char *separator);

#endif
