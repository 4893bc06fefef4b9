/* SPDX-License-Identifier: MIT */
/* Steps shared by the suites: reading state, common expectations. */
#include "suite_helpers.h"

#include "net/net.h"
#include "probe/netpath.h"
#include "runner/check.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

char *suite_path(const char *path)
{
    return cdoc_path_join(cdoc_check_root(), path);
}

char *suite_join(const struct cdoc_strings *list, const char *separator)
{
    struct cdoc_buf buf = {0};

    cdoc_buf_puts(&buf, "");
    for (size_t i = 0; i < list->count; i++) {
        if (i)
            cdoc_buf_puts(&buf, separator);
        cdoc_buf_puts(&buf, list->items[i]);
    }
    return buf.data;
}

void suite_read_mounts(struct cdoc_mounts *mounts)
{
    struct cdoc_err err;

    if (cdoc_mounts_read(cdoc_check_root(), mounts, &err) < 0)
        cdoc_check_error("cannot read the mount table: %s", err.msg);
}

void suite_read_processes(struct cdoc_processes *processes)
{
    struct cdoc_err err;

    if (cdoc_processes_read(cdoc_check_root(), processes, &err) < 0)
        cdoc_check_error("cannot list processes: %s", err.msg);
}

void suite_read_interfaces(struct cdoc_interfaces *ifaces)
{
    struct cdoc_err err;

    if (cdoc_interfaces_read(cdoc_check_root(), ifaces, &err) < 0)
        cdoc_check_error("cannot list network interfaces: %s", err.msg);
}

/* The profile's guest binary whose file name is name, or NULL. */
static const char *guest_binary_named(const char *name)
{
    const struct cdoc_strings *bins = &cdoc_check_profile()->guest_binaries;

    for (size_t i = 0; i < bins->count; i++) {
        const char *slash = strrchr(bins->items[i], '/');

        if (strcmp(slash ? slash + 1 : bins->items[i], name) == 0)
            return bins->items[i];
    }
    return NULL;
}

static const char *basename_of(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;

    return slash ? slash + 1 : path;
}

void suite_expect_process(const char *name)
{
    const char *binary = guest_binary_named(name);
    struct cdoc_processes processes;
    struct cdoc_buf rejected = {0};

    suite_read_processes(&processes);
    for (size_t i = 0; i < processes.count; i++) {
        const struct cdoc_process *process = &processes.items[i];

        if (strcmp(process->name, name) != 0)
            continue;
        /* A name is easy to borrow: a copy of sleep can be called
         * anything. The sandbox's own agent runs in the sandbox's PID
         * namespace, from the guest binary the profile names. */
        if (process->other_pid_namespace) {
            cdoc_buf_printf(&rejected, "; pid %d is in another PID "
                            "namespace", (int)process->pid);
            continue;
        }
        if (binary && (!process->exe || strcmp(process->exe, binary))) {
            cdoc_buf_printf(&rejected, "; pid %d runs %s, not %s",
                            (int)process->pid,
                            process->exe ? process->exe : "an unreadable "
                                                          "executable",
                            binary);
            continue;
        }
        cdoc_check_property("pid", "%d", (int)process->pid);
        cdoc_processes_release(&processes);
        cdoc_buf_release(&rejected);
        return;
    }
    cdoc_check_fail("no process named %s is running (%zu processes "
                    "listed%s)", name, processes.count,
                    rejected.len ? rejected.data : "");
}

void suite_expect_no_process(const struct cdoc_strings *names,
                             const char *what)
{
    struct cdoc_processes processes;
    struct cdoc_buf found = {0};
    size_t matches = 0;

    suite_read_processes(&processes);
    for (size_t i = 0; i < processes.count; i++) {
        const struct cdoc_process *process = &processes.items[i];

        /* The executable's file name catches a forbidden server started
         * under another name. */
        if (!cdoc_strings_contains(names, process->name) &&
            !(process->exe &&
              cdoc_strings_contains(names, basename_of(process->exe))))
            continue;
        cdoc_buf_printf(&found, "%s%s (pid %d)", matches ? ", " : "",
                        process->name, (int)process->pid);
        matches++;
    }
    if (matches)
        cdoc_check_fail("%s is running: %s", what, found.data);
    cdoc_buf_release(&found);
    cdoc_processes_release(&processes);
}

static const char *profile_cmdline_entry(const char *key)
{
    const struct cdoc_strings *list = &cdoc_check_profile()->kernel_cmdline;
    size_t key_len = strlen(key);

    for (size_t i = 0; i < list->count; i++) {
        const char *entry = list->items[i];

        if (strncmp(entry, key, key_len) == 0 &&
            (entry[key_len] == '\0' || entry[key_len] == '='))
            return entry;
    }
    return NULL;
}

void suite_expect_cmdline(const char *key)
{
    const char *required = profile_cmdline_entry(key);
    const struct cdoc_cmdline_param *found;
    struct cdoc_cmdline cmdline;
    struct cdoc_err err;

    if (!required)
        cdoc_check_skip("the profile does not require %s on the kernel "
                        "command line", key);
    if (cdoc_cmdline_read(cdoc_check_root(), &cmdline, &err) < 0)
        cdoc_check_error("cannot read the kernel command line: %s",
                         err.msg);
    if (cdoc_cmdline_satisfies(&cmdline, required)) {
        cdoc_cmdline_release(&cmdline);
        return;
    }

    found = cdoc_cmdline_find(&cmdline, key);
    if (found && found->value)
        cdoc_check_fail("kernel command line has %s=%s, expected %s", key,
                        found->value, required);
    if (strcmp(key, "ro") == 0 && cdoc_cmdline_find(&cmdline, "rw"))
        cdoc_check_fail("kernel command line mounts the root read-write "
                        "(rw comes after any ro), expected ro");
    cdoc_check_fail("kernel command line lacks %s", required);
}

static bool type_in(const char *fstype, const char *const *fstypes)
{
    for (size_t i = 0; fstypes[i]; i++) {
        if (strcmp(fstype, fstypes[i]) == 0)
            return true;
    }
    return false;
}

void suite_expect_mount_type(const char *mount_point,
                             const char *const *fstypes)
{
    struct cdoc_mounts mounts;
    const struct cdoc_mount *mount;

    suite_read_mounts(&mounts);
    mount = cdoc_mounts_at(&mounts, mount_point);
    if (!mount)
        cdoc_check_fail("nothing is mounted at %s, expected %s",
                        mount_point, fstypes[0]);
    if (!type_in(mount->fstype, fstypes))
        cdoc_check_fail("%s is %s (from %s), expected %s", mount_point,
                        mount->fstype, mount->source, fstypes[0]);
    cdoc_check_property("fstype", "%s", mount->fstype);
    cdoc_mounts_release(&mounts);
}

static const char *file_kind(mode_t mode)
{
    if (S_ISCHR(mode))
        return "character device";
    if (S_ISBLK(mode))
        return "block device";
    if (S_ISDIR(mode))
        return "directory";
    if (S_ISLNK(mode))
        return "symbolic link";
    return "file";
}

void suite_expect_absent(const char *path, const char *why)
{
    char *full = suite_path(path);
    struct stat st;

    if (lstat(full, &st) < 0) {
        int saved = errno;

        free(full);
        if (saved == ENOENT)
            return;
        cdoc_check_error("cannot stat %s: %s", path, strerror(saved));
    }
    free(full);
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        cdoc_check_fail("%s exists (%s %u:%u): %s", path,
                        file_kind(st.st_mode), major(st.st_rdev),
                        minor(st.st_rdev), why);
    cdoc_check_fail("%s exists (%s): %s", path, file_kind(st.st_mode), why);
}

/*
 * glibc's resolver waits 5 s a try and tries each server twice, so a
 * resolver that stops answering would hold a check past its own limit.
 * RES_OPTIONS, read when the resolver first starts in this worker, bounds
 * each lookup by the profile's connect time limit instead.
 */
static void bound_resolver_waits(void)
{
    double limit = cdoc_check_profile()->network.connect_timeout_seconds;
    char *options = cdoc_xasprintf("timeout:%d attempts:1",
                                   limit < 1 ? 1 : (int)ceil(limit));

    setenv("RES_OPTIONS", options, 1);
    free(options);
}

void suite_expect_resolv_file(void)
{
    struct stat st;

    if (stat("/etc/resolv.conf", &st) == 0 && !S_ISREG(st.st_mode))
        cdoc_check_error("/etc/resolv.conf is not a regular file, so the "
                         "resolver would block or fail reading it; make it "
                         "a file");
}

/* Fail unless every nameserver of /etc/resolv.conf is on loopback. */
static void expect_dns_pinned(void)
{
    struct cdoc_strings servers = {0};
    struct cdoc_err err;

    /* getaddrinfo reads the real /etc/resolv.conf whatever --root names,
     * so the guard must read that file too. */
    suite_expect_resolv_file();
    if (cdoc_resolv_nameservers("/", &servers, &err) < 0 &&
        errno != ENOENT)
        cdoc_check_error("cannot read /etc/resolv.conf: %s", err.msg);
    for (size_t i = 0; i < servers.count; i++) {
        if (!cdoc_address_is_loopback(servers.items[i]))
            cdoc_check_fail("DNS is not pinned: /etc/resolv.conf names "
                            "nameserver %s, which is not on loopback (the "
                            "doctor sends it no query)", servers.items[i]);
    }
    cdoc_strings_release(&servers);
}

void suite_resolve_locally(const char *name, struct cdoc_strings *addresses)
{
    /* Each check runs in a worker process of its own, so the guard runs
     * once a check, not once a name. */
    static bool guarded;
    struct cdoc_err err;

    if (!guarded) {
        expect_dns_pinned();
        bound_resolver_waits();
        guarded = true;
    }
    if (cdoc_resolve_ipv4(name, addresses, &err) < 0)
        cdoc_check_fail("%s", err.msg);
}


char *suite_sentinel_for(const char *domain)
{
    const struct cdoc_profile_network *net = &cdoc_check_profile()->network;
    struct cdoc_strings addresses = {0};
    char *address;

    suite_resolve_locally(domain, &addresses);
    if (addresses.count == 0 ||
        strcmp(addresses.items[0], net->sentinel_address) != 0)
        cdoc_check_fail("%s resolves to %s, not the sentinel %s; the doctor "
                        "connects only through the sandbox's proxy", domain,
                        addresses.count ? addresses.items[0] : "nothing",
                        net->sentinel_address);
    if (!cdoc_address_is_local(net->sentinel_address))
        cdoc_check_fail("the sentinel %s is not assigned to any interface "
                        "here, so nothing can carry traffic to the proxy",
                        net->sentinel_address);
    address = cdoc_xstrdup(addresses.items[0]);
    cdoc_strings_release(&addresses);
    return address;
}

void suite_expect_https_redirect(void)
{
    const struct cdoc_profile_network *net = &cdoc_check_profile()->network;
    const char *argv[] = {"iptables-save", "-t", "nat", NULL};
    struct cdoc_exec_result run;
    struct cdoc_err err;
    char *rule = NULL;
    char *problem = NULL;

    if (cdoc_exec(argv, 5.0, 256 * 1024, &run, &err) < 0)
        cdoc_check_error("cannot run iptables-save: %s", err.msg);
    if (!run.started)
        cdoc_check_error("iptables-save not found in PATH: install iptables "
                         "to read the nat rules");
    cdoc_check_output("iptables-save -t nat", run.output.data,
                      run.output.len);
    if (run.timed_out || run.term_signal || run.exit_status != 0)
        cdoc_check_error("iptables-save -t nat did not succeed (exit %d, "
                         "signal %d%s)", run.exit_status, run.term_signal,
                         run.timed_out ? ", timed out" : "");
    if (!cdoc_nat_has_redirect(run.output.data ? run.output.data : "",
                               net->https_port, net->proxy_port,
                               net->sentinel_address, &rule, &problem))
        cdoc_check_fail("%s", problem);
    cdoc_check_property("rule", "%s", rule);
    free(rule);
    cdoc_exec_result_release(&run);
}

const struct cdoc_net *suite_net(void)
{
    struct cdoc_err err;
    const struct cdoc_net *net = cdoc_net_load(&err);

    if (!net)
        cdoc_check_error("%s", err.msg);
    return net;
}

/* Send one HTTPS request to domain through its sentinel. ca_file matters
 * only with verify, where NULL means the system's trust store. */
void suite_https_request(const char *method, const char *domain,
                         const char *path, bool verify, const char *ca_file,
                         double timeout, struct cdoc_http_result *http)
{
    const struct cdoc_profile_network *net = &cdoc_check_profile()->network;
    /* Loaded first, so a broken install is an error before any lookup. */
    const struct cdoc_net *lib = suite_net();
    char *address = suite_sentinel_for(domain);
    struct cdoc_http_request request = {
        .scheme = "https", .method = method, .host = domain,
        .address = address, .port = net->https_port, .path = path,
        .body = method && strcmp(method, "POST") == 0 ? "capsem-doctor"
                                                     : NULL,
        .verify = verify, .ca_file = ca_file,
        .connect_timeout_seconds = net->connect_timeout_seconds,
        .timeout_seconds = timeout,
    };
    struct cdoc_err err;

    if (lib->http_request(&request, http, &err) < 0)
        cdoc_check_error("%s", err.msg);
    free(address);
}

/* Return whether an allowed domain gets an HTTP response through the
 * proxy. This control separates a proxy that denies a domain from a path
 * that carries nothing. */
static bool proxy_answers_allowed(char **allowed_error)
{
    const struct cdoc_profile_network *net = &cdoc_check_profile()->network;
    struct cdoc_http_result http;
    bool answered;

    *allowed_error = NULL;
    if (net->allowed_domains.count == 0)
        return true;
    suite_https_request("GET", net->allowed_domains.items[0], "/", false,
                        NULL, net->connect_timeout_seconds, &http);
    answered = http.status != 0;
    if (!answered)
        *allowed_error = cdoc_xstrdup(http.error ? http.error : "no answer");
    suite_net()->http_result_release(&http);
    return answered;
}

void suite_expect_denied(const char *method, const char *domain)
{
    const struct cdoc_profile_network *net = &cdoc_check_profile()->network;
    struct cdoc_http_result http;
    char *allowed_error;

    suite_https_request(method, domain, "/", false, NULL,
                        net->connect_timeout_seconds, &http);
    cdoc_check_property("http_status", "%ld", http.status);
    /* A refusal proves the policy only when it comes from the proxy: with
     * nothing listening, every domain is unreachable, allowed or not. */
    if (!http.connected)
        cdoc_check_fail("nothing accepted the connection for %s, so the "
                        "proxy's deny policy cannot be seen: %s", domain,
                        http.error ? http.error : "no answer");
    if (http.status != 0 && http.status != 403)
        cdoc_check_fail("%s to denied domain %s answered HTTP %ld: the proxy "
                        "lets it through", method, domain, http.status);
    if (http.status == 0 && http.timed_out)
        cdoc_check_fail("no answer from the proxy for %s within %g s: %s",
                        domain, net->connect_timeout_seconds, http.error);
    if (http.status == 0 && !proxy_answers_allowed(&allowed_error))
        cdoc_check_fail("the connection for %s closed without a response, "
                        "but so did one for the allowed domain %s (%s): the "
                        "path carries nothing, so the deny policy cannot be "
                        "seen", domain, net->allowed_domains.items[0],
                        allowed_error);
    suite_net()->http_result_release(&http);
}
