/* SPDX-License-Identifier: MIT */
/*
 * Suite "sandbox": the VM's isolation model. Filesystem, kernel hardening,
 * network isolation and process integrity, in the order of the original
 * test_sandbox.py so reports line up with it.
 */
#include "suite_helpers.h"

#include "probe/netpath.h"
#include "runner/check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

/* Files listed by name in a setuid or setgid failure; the rest are
 * counted. */
#define SPECIAL_BITS_LISTED 20

/* A walk of a whole root filesystem can take seconds on a large image. */
#define WALK_TIMEOUT 60

/* ---- clock -------------------------------------------------------------- */

/* Plausible host times: 2001-09-09 to 2286-11-20. A value outside is a
 * broken reference, not a skewed guest clock. */
#define HOST_TIME_MIN 1e9
#define HOST_TIME_MAX 1e10

/* Decimal seconds with an optional fraction, nothing else: strtod alone
 * would also take hex, exponents and leading blanks. */
static bool is_decimal_seconds(const char *text)
{
    size_t digits = strspn(text, "0123456789");

    if (digits == 0)
        return false;
    if (text[digits] == '\0')
        return true;
    return text[digits] == '.' && text[digits + 1] != '\0' &&
           text[digits + 1 + strspn(text + digits + 1, "0123456789")] ==
               '\0';
}

static bool host_time_from_environment(double *seconds)
{
    const char *text = getenv("CAPSEM_HOST_TIME");

    if (!text)
        return false;
    if (!is_decimal_seconds(text))
        cdoc_check_error("CAPSEM_HOST_TIME='%.40s' is not a Unix time in "
                         "decimal seconds; pass the host's `date +%%s`",
                         text);
    *seconds = strtod(text, NULL);
    if (*seconds < HOST_TIME_MIN || *seconds > HOST_TIME_MAX)
        cdoc_check_error("CAPSEM_HOST_TIME=%s is not a plausible Unix time "
                         "(expected %.0f to %.0f)", text, HOST_TIME_MIN,
                         HOST_TIME_MAX);
    return true;
}

CDOC_CHECK(sandbox, test_clock_is_synchronized,
           "Guest clock within 60s of host")
{
    const struct cdoc_profile *profile = cdoc_check_profile();
    double reference, skew;
    const char *source;
    struct cdoc_err err;
    struct timespec now;

    if (host_time_from_environment(&reference)) {
        source = "the host time in CAPSEM_HOST_TIME";
    } else if (cdoc_rtc_seconds(cdoc_check_root(), &reference, &err) == 0) {
        source = "the RTC (/sys/class/rtc/rtc0)";
    } else {
        cdoc_check_error("no reference clock: %s, and CAPSEM_HOST_TIME is "
                         "unset; have the host pass its time as "
                         "CAPSEM_HOST_TIME=<Unix seconds>", err.msg);
    }

    clock_gettime(CLOCK_REALTIME, &now);
    skew = (double)now.tv_sec + (double)now.tv_nsec / 1e9 - reference;
    cdoc_check_property("clock_reference", "%s", source);
    cdoc_check_property("clock_skew_seconds", "%.3f", skew);
    if (fabs(skew) > profile->clock_max_skew_seconds)
        cdoc_check_fail("guest clock is %.1f s %s %s (limit %g s)",
                        fabs(skew), skew > 0 ? "ahead of" : "behind",
                        source, profile->clock_max_skew_seconds);
}

/* ---- filesystem --------------------------------------------------------- */

/* The filesystem type the kernel mounted from the block device with this
 * number, or NULL when it is not mounted in this namespace. */
static char *mounted_fstype(dev_t device)
{
    struct cdoc_mounts mounts;
    char *fstype = NULL;

    suite_read_mounts(&mounts);
    for (size_t i = 0; i < mounts.count && !fstype; i++) {
        const struct cdoc_mount *mount = &mounts.items[i];

        if (mount->major == major(device) && mount->minor == minor(device))
            fstype = cdoc_xstrdup(mount->fstype);
    }
    cdoc_mounts_release(&mounts);
    return fstype;
}

CDOC_CHECK(sandbox, test_squashfs_is_immutable, "/dev/vda is squashfs")
{
    const struct cdoc_profile_rootfs *rootfs = &cdoc_check_profile()->rootfs;
    char *device = suite_path(rootfs->device);
    char *fstype = NULL;
    struct cdoc_err err;
    struct stat st;

    if (stat(device, &st) < 0) {
        if (errno == ENOENT)
            cdoc_check_fail("%s does not exist: the root image must come "
                            "from a %s device", rootfs->device,
                            rootfs->device_fstype);
        cdoc_check_error("cannot stat %s: %s", rootfs->device,
                         strerror(errno));
    }

    /* A mounted device's type is the kernel's own word, and needs no read
     * of the device, which a hardened VM may forbid even to root. */
    if (S_ISBLK(st.st_mode))
        fstype = mounted_fstype(st.st_rdev);
    if (fstype) {
        cdoc_check_property("fstype_source", "mount table");
    } else if (cdoc_blkid_fstype(device, &fstype, &err) == 0) {
        cdoc_check_property("fstype_source", "superblock (libblkid)");
    } else {
        cdoc_check_error("%s is not mounted here, and its superblock "
                         "cannot be read: %s", rootfs->device, err.msg);
    }

    cdoc_check_property("fstype", "%s", fstype);
    if (strcmp(fstype, rootfs->device_fstype) != 0)
        cdoc_check_fail("%s holds %s, not %s: its contents can be changed",
                        rootfs->device, fstype, rootfs->device_fstype);
    free(fstype);
    free(device);
}

/* The visible root mount, required to be an overlay. */
static const struct cdoc_mount *root_overlay(struct cdoc_mounts *mounts)
{
    const char *wanted = cdoc_check_profile()->rootfs.root_fstype;
    const struct cdoc_mount *root;

    suite_read_mounts(mounts);
    root = cdoc_mounts_at(mounts, "/");
    if (!root)
        cdoc_check_error("the mount table has no entry for /");
    if (strcmp(root->fstype, wanted) != 0)
        cdoc_check_fail("/ is %s (from %s), not %s: writes to / persist "
                        "on that filesystem", root->fstype, root->source,
                        wanted);
    return root;
}

CDOC_CHECK(sandbox, test_overlay_configured,
           "Root is overlay with lowerdir + upperdir")
{
    struct cdoc_mounts mounts;
    const struct cdoc_mount *root = root_overlay(&mounts);
    char *lower = cdoc_mount_option(root, "lowerdir");
    char *upper = cdoc_mount_option(root, "upperdir");

    if (!lower || !*lower)
        cdoc_check_fail("the overlay at / has no lowerdir");
    if (!upper || !*upper)
        cdoc_check_fail("the overlay at / has no upperdir: it is read-only "
                        "and writes to / fail");
    cdoc_check_property("lowerdir", "%s", lower);
    cdoc_check_property("upperdir", "%s", upper);
    free(lower);
    free(upper);
    cdoc_mounts_release(&mounts);
}

CDOC_CHECK(sandbox, test_overlay_writes_are_ephemeral,
           "Writes go to tmpfs, not squashfs")
{
    const char *wanted = cdoc_check_profile()->rootfs.upper_fstype;
    struct cdoc_mounts mounts;
    const struct cdoc_mount *root = root_overlay(&mounts);
    const struct cdoc_mount *holder;
    char *upper = cdoc_mount_option(root, "upperdir");

    if (!upper || !*upper)
        cdoc_check_fail("the overlay at / has no upperdir, so nothing "
                        "shows where writes land");
    holder = cdoc_mounts_containing(&mounts, upper);
    /* The upper directory is mounted in the early boot namespace; if it
     * is not visible here, only the root overlay itself "contains" it. */
    if (!holder || holder == root || strcmp(holder->mount_point, "/") == 0)
        cdoc_check_error("cannot see the filesystem of upperdir %s: no "
                         "mount in this namespace contains it", upper);
    cdoc_check_property("upper_fstype", "%s", holder->fstype);
    if (strcmp(holder->fstype, wanted) != 0)
        cdoc_check_fail("overlay upperdir %s is on %s (%s at %s), not %s: "
                        "writes to / survive a reboot", upper,
                        holder->fstype, holder->source, holder->mount_point,
                        wanted);
    free(upper);
    cdoc_mounts_release(&mounts);
}

CDOC_CHECK(sandbox, test_writable_mounts,
           "/root, /tmp, /run, /var/log, /var/tmp are writable")
{
    const struct cdoc_strings *paths = &cdoc_check_profile()->writable_paths;
    struct cdoc_buf failures = {0};

    for (size_t i = 0; i < paths->count; i++) {
        char *full = suite_path(paths->items[i]);
        const char *how = NULL;
        struct cdoc_err err;

        if (cdoc_probe_writable(full, &how, &err) < 0)
            cdoc_buf_printf(&failures, "%s%s: %s", failures.len ? "; " : "",
                            paths->items[i], err.msg);
        else if (how)
            cdoc_check_detail("%s: %s", paths->items[i], how);
        free(full);
    }
    if (failures.len)
        cdoc_check_fail("not writable: %s", failures.data);
}

/* A guest binary's fault, or NULL when st shows none. The caller frees
 * the text. */
typedef char *(*binary_judge)(const char *path, const struct stat *st);

static char *judge_not_writable(const char *path, const struct stat *st)
{
    if (st->st_mode & 0222)
        return cdoc_xasprintf("%s has write bits set (mode %04o)", path,
                              (unsigned)(st->st_mode & 07777));
    return NULL;
}

static char *judge_executable(const char *path, const struct stat *st)
{
    if (!S_ISREG(st->st_mode))
        return cdoc_xasprintf("%s is not a regular file", path);
    if (!(st->st_mode & 0111))
        return cdoc_xasprintf("%s has no execute bit (mode %04o)", path,
                              (unsigned)(st->st_mode & 07777));
    return NULL;
}

/* Judge every guest binary of the profile and fail naming all faults. */
static void expect_guest_binaries(binary_judge judge)
{
    const struct cdoc_strings *bins = &cdoc_check_profile()->guest_binaries;
    struct cdoc_buf failures = {0};

    for (size_t i = 0; i < bins->count; i++) {
        char *full = suite_path(bins->items[i]);
        char *fault = NULL;
        struct stat st;

        if (stat(full, &st) < 0)
            fault = cdoc_xasprintf("%s is missing (%s)", bins->items[i],
                                   strerror(errno));
        else
            fault = judge(bins->items[i], &st);
        if (fault)
            cdoc_buf_printf(&failures, "%s%s", failures.len ? "; " : "",
                            fault);
        free(fault);
        free(full);
    }
    if (failures.len)
        cdoc_check_fail("%s", failures.data);
}

CDOC_CHECK(sandbox, test_guest_binary_not_writable,
           "capsem binaries are chmod 555")
{
    expect_guest_binaries(judge_not_writable);
}

CDOC_CHECK(sandbox, test_guest_binary_executable,
           "capsem binaries are executable")
{
    expect_guest_binaries(judge_executable);
}

/* Both checks read one walk of the root filesystem: the first worker to
 * start walks and stores the scan in the run directory, and the other
 * reads it. */
static void expect_no_mode_bits(mode_t bit, const char *bit_name)
{
    const char *run_dir = getenv(CDOC_RUN_DIR_ENV);
    struct cdoc_strings found = {0};
    struct cdoc_mode_scan scan;
    struct cdoc_err err;
    size_t count;
    char *listed;

    if (cdoc_scan_special_bits_shared(cdoc_check_root(),
                                      run_dir && *run_dir ? run_dir : NULL,
                                      &scan, &err) < 0)
        cdoc_check_error("cannot walk the root filesystem: %s", err.msg);
    count = bit == S_ISUID ? scan.setuid_count : scan.setgid_count;
    cdoc_mode_scan_list(&scan, bit, SPECIAL_BITS_LISTED, &found);
    if (scan.unreadable)
        cdoc_check_detail("%zu directories could not be read",
                          scan.unreadable);
    cdoc_check_property("files_found", "%zu", count);
    cdoc_mode_scan_release(&scan);
    if (count == 0)
        return;
    listed = suite_join(&found, ", ");
    cdoc_check_fail("%zu %s file%s in the root filesystem: %s%s", count,
                    bit_name, count == 1 ? "" : "s", listed,
                    count > found.count ? ", ..." : "");
}

CDOC_CHECK(sandbox, test_no_setuid_binaries, "No setuid files in rootfs",
           .timeout = WALK_TIMEOUT)
{
    expect_no_mode_bits(S_ISUID, "setuid");
}

CDOC_CHECK(sandbox, test_no_setgid_binaries, "No setgid files in rootfs",
           .timeout = WALK_TIMEOUT)
{
    expect_no_mode_bits(S_ISGID, "setgid");
}

/* ---- kernel hardening --------------------------------------------------- */

CDOC_CHECK(sandbox, test_no_kernel_modules, "modprobe fails (MODULES=n)")
{
    int seen = 0;

    switch (cdoc_probe_module_loading(&seen)) {
    case CDOC_MODULES_NOT_BUILT:
        cdoc_check_property("module_loading", "not built (ENOSYS)");
        return;
    case CDOC_MODULES_DISABLED:
        cdoc_check_property("module_loading",
                            "disabled (kernel.modules_disabled=1)");
        return;
    case CDOC_MODULES_ALLOWED:
        cdoc_check_fail("the kernel accepts module loads: finit_module got "
                        "as far as checking its file descriptor (%s), so "
                        "CONFIG_MODULES=y and kernel.modules_disabled=0",
                        strerror(seen));
    case CDOC_MODULES_UNKNOWN:
        break;
    }
    cdoc_check_error("cannot tell whether modules load: finit_module "
                     "returned %s; run the doctor as root", strerror(seen));
}

CDOC_CHECK(sandbox, test_no_dev_mem, "/dev/mem absent")
{
    suite_expect_absent("/dev/mem", "physical memory is reachable");
}

CDOC_CHECK(sandbox, test_no_dev_port, "/dev/port absent")
{
    suite_expect_absent("/dev/port", "I/O ports are reachable");
}

CDOC_CHECK(sandbox, test_no_proc_kcore, "/proc/kcore not readable")
{
    char *path = suite_path("/proc/kcore");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char byte;
    ssize_t got;

    free(path);
    if (fd < 0) {
        if (errno == ENOENT || errno == EACCES || errno == EPERM)
            return;
        cdoc_check_error("cannot open /proc/kcore: %s", strerror(errno));
    }
    got = read(fd, &byte, 1);
    close(fd);
    if (got == 1)
        cdoc_check_fail("/proc/kcore is readable: kernel memory can be "
                        "read through it");
}

/* Pass when a /proc file is absent or empty; fail quoting its start. */
static void expect_empty_proc_file(const char *path, const char *what)
{
    char *text = NULL;
    size_t len = 0;
    struct cdoc_err err;

    if (cdoc_read_file(cdoc_check_root(), path, 4096, &text, &len,
                       &err) < 0) {
        if (errno == ENOENT)
            return;
        cdoc_check_error("cannot read %s: %s", path, err.msg);
    }
    if (len == 0)
        return;
    text[strcspn(text, "\n")] = '\0';
    cdoc_check_fail("%s lists %s (first line: %.80s)", path, what, text);
}

CDOC_CHECK(sandbox, test_proc_modules_empty, "/proc/modules empty or absent")
{
    expect_empty_proc_file("/proc/modules", "loaded modules");
}

CDOC_CHECK(sandbox, test_no_debugfs, "debugfs not mounted")
{
    struct cdoc_mounts mounts;
    struct cdoc_buf found = {0};

    suite_read_mounts(&mounts);
    for (size_t i = 0; i < mounts.count; i++) {
        if (strcmp(mounts.items[i].fstype, "debugfs") == 0)
            cdoc_buf_printf(&found, "%s%s", found.len ? ", " : "",
                            mounts.items[i].mount_point);
    }
    if (found.len)
        cdoc_check_fail("debugfs is mounted at %s: it exposes kernel "
                        "internals", found.data);
    cdoc_mounts_release(&mounts);
}

static bool ipv6_sysctl_disabled(void)
{
    char *text = NULL;
    size_t len;
    struct cdoc_err err;
    bool disabled;

    if (cdoc_read_file(cdoc_check_root(),
                       "/proc/sys/net/ipv6/conf/all/disable_ipv6", 16,
                       &text, &len, &err) < 0)
        return false;
    disabled = text[0] == '1';
    free(text);
    return disabled;
}

/* "eth0 has fd00::2" from the first line of /proc/net/if_inet6, whose
 * fields are the address as 32 hex digits, then index, prefix length,
 * scope, flags and the interface name. */
static char *describe_ipv6_line(const char *line)
{
    unsigned char bytes[16];
    char address[INET6_ADDRSTRLEN];
    char hex[33], name[IF_NAMESIZE + 1];
    unsigned index, prefix, scope, flags;

    if (sscanf(line, "%32s %x %x %x %x %16s", hex, &index, &prefix, &scope,
               &flags, name) != 6 || strlen(hex) != 32)
        return cdoc_xasprintf("%.80s", line);
    for (int i = 0; i < 16; i++) {
        unsigned byte;

        sscanf(hex + 2 * i, "%2x", &byte);
        bytes[i] = (unsigned char)byte;
    }
    if (!inet_ntop(AF_INET6, bytes, address, sizeof(address)))
        return cdoc_xasprintf("%.80s", line);
    return cdoc_xasprintf("%s has %s/%u", name, address, prefix);
}

CDOC_CHECK(sandbox, test_no_ipv6, "IPv6 disabled")
{
    int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    char *text = NULL;
    size_t len = 0;
    struct cdoc_err err;

    if (fd < 0 && errno == EAFNOSUPPORT) {
        cdoc_check_property("ipv6", "not available (EAFNOSUPPORT)");
        return;
    }
    if (fd >= 0)
        close(fd);
    if (ipv6_sysctl_disabled()) {
        cdoc_check_property("ipv6", "disabled by sysctl");
        return;
    }
    if (cdoc_read_file(cdoc_check_root(), "/proc/net/if_inet6", 4096,
                       &text, &len, &err) == 0 && len > 0) {
        text[strcspn(text, "\n")] = '\0';
        cdoc_check_fail("IPv6 is enabled: %s", describe_ipv6_line(text));
    }
    cdoc_check_fail("IPv6 is enabled: AF_INET6 sockets open and "
                    "net.ipv6.conf.all.disable_ipv6 is not 1");
}

CDOC_CHECK(sandbox, test_no_kallsyms, "/proc/kallsyms empty or absent")
{
    expect_empty_proc_file("/proc/kallsyms", "kernel symbols");
}

CDOC_CHECK(sandbox, test_kernel_cmdline_has_ro, "ro in cmdline")
{
    suite_expect_cmdline("ro");
}

CDOC_CHECK(sandbox, test_init_on_alloc, "init_on_alloc=1 in cmdline")
{
    suite_expect_cmdline("init_on_alloc");
}

CDOC_CHECK(sandbox, test_slab_nomerge, "slab_nomerge in cmdline")
{
    suite_expect_cmdline("slab_nomerge");
}

CDOC_CHECK(sandbox, test_page_alloc_shuffle, "page_alloc.shuffle=1 in cmdline")
{
    suite_expect_cmdline("page_alloc.shuffle");
}

CDOC_CHECK(sandbox, test_seccomp_available,
           "Seccomp line in /proc/self/status")
{
    char *text = NULL;
    size_t len = 0;
    struct cdoc_err err;
    char *line;

    if (cdoc_read_file(cdoc_check_root(), "/proc/self/status", 65536, &text,
                       &len, &err) < 0)
        cdoc_check_error("cannot read /proc/self/status: %s", err.msg);
    line = strstr(text, "\nSeccomp:");
    if (!line)
        cdoc_check_fail("/proc/self/status has no Seccomp line: the kernel "
                        "was built without CONFIG_SECCOMP");
    line += strlen("\nSeccomp:");
    cdoc_check_property("seccomp_mode", "%.*s", (int)strcspn(line + 1, "\n"),
                        line + 1);
    free(text);
}

/* The whole disk under a device number ("vdb" for vdb2), or NULL. */
static char *disk_of(unsigned major, unsigned minor)
{
    struct cdoc_err err;
    char *disk = NULL;

    if (cdoc_block_device_disk(cdoc_check_root(), major, minor, &disk,
                               &err) < 0)
        return NULL;
    return disk;
}

static bool swap_on_scratch(const struct cdoc_swap *swap,
                            const struct cdoc_mount *scratch,
                            const char *scratch_disk)
{
    char *path = suite_path(swap->filename);
    struct stat st;
    bool on_scratch = false;

    if (stat(path, &st) == 0) {
        if (S_ISREG(st.st_mode)) {
            on_scratch = major(st.st_dev) == scratch->major &&
                         minor(st.st_dev) == scratch->minor;
        } else if (S_ISBLK(st.st_mode) && scratch_disk) {
            char *disk = disk_of(major(st.st_rdev), minor(st.st_rdev));

            on_scratch = disk && strcmp(disk, scratch_disk) == 0;
            free(disk);
        }
    }
    free(path);
    return on_scratch;
}

CDOC_CHECK(sandbox, test_swap_active, "Swap on scratch disk")
{
    const struct cdoc_profile *profile = cdoc_check_profile();
    const struct cdoc_mount *scratch;
    struct cdoc_mounts mounts;
    struct cdoc_swaps swaps;
    struct cdoc_err err;
    char *scratch_disk;

    if (!profile->swap_required)
        cdoc_check_skip("the profile does not require swap");
    if (cdoc_swaps_read(cdoc_check_root(), &swaps, &err) < 0)
        cdoc_check_error("cannot read /proc/swaps: %s", err.msg);
    if (swaps.count == 0)
        cdoc_check_fail("no swap is active (/proc/swaps lists none)");

    suite_read_mounts(&mounts);
    scratch = cdoc_mounts_at(&mounts, profile->scratch.path);
    if (!scratch)
        cdoc_check_fail("swap %s is active, but no scratch disk is mounted "
                        "at %s to hold it", swaps.items[0].filename,
                        profile->scratch.path);
    scratch_disk = disk_of(scratch->major, scratch->minor);
    for (size_t i = 0; i < swaps.count; i++) {
        if (swap_on_scratch(&swaps.items[i], scratch, scratch_disk)) {
            cdoc_check_property("swap", "%s", swaps.items[i].filename);
            free(scratch_disk);
            return;
        }
    }
    cdoc_check_fail("swap %s is not on the scratch disk mounted at %s (%s)",
                    swaps.items[0].filename, profile->scratch.path,
                    scratch->source);
}

/* ---- network isolation -------------------------------------------------- */

CDOC_CHECK(sandbox, test_loopback_interface_up, "lo is UP")
{
    struct cdoc_interfaces ifaces;
    const struct cdoc_interface *lo;

    suite_read_interfaces(&ifaces);
    lo = cdoc_interfaces_find(&ifaces, "lo");
    if (!lo)
        cdoc_check_fail("there is no loopback interface lo");
    if (!(lo->flags & IFF_UP))
        cdoc_check_fail("lo is down (flags 0x%x)", lo->flags);
    cdoc_interfaces_release(&ifaces);
}

CDOC_CHECK(sandbox, test_dummy_interface_exists, "dummy0 NIC present")
{
    const char *name = cdoc_check_profile()->network.dummy_interface;
    struct cdoc_interfaces ifaces;
    struct cdoc_strings names = {0};

    suite_read_interfaces(&ifaces);
    if (!cdoc_interfaces_find(&ifaces, name)) {
        for (size_t i = 0; i < ifaces.count; i++)
            cdoc_strings_append(&names, ifaces.items[i].name);
        cdoc_check_fail("there is no %s interface (interfaces: %s)", name,
                        suite_join(&names, ", "));
    }
    cdoc_interfaces_release(&ifaces);
}

CDOC_CHECK(sandbox, test_dns_resolves_to_local, "DNS resolves to 10.0.0.1")
{
    const struct cdoc_profile_network *net = &cdoc_check_profile()->network;
    const char *name = net->allowed_domains.count
                           ? net->allowed_domains.items[0]
                           : "capsem-doctor.example";
    struct cdoc_strings addresses = {0};

    suite_resolve_locally(name, &addresses);
    cdoc_check_property("addresses", "%s", suite_join(&addresses, ","));
    for (size_t i = 0; i < addresses.count; i++) {
        if (strcmp(addresses.items[i], net->sentinel_address) != 0)
            cdoc_check_fail("%s resolves to %s, not the sentinel %s", name,
                            addresses.items[i], net->sentinel_address);
    }
}

CDOC_CHECK(sandbox, test_iptables_redirect, "Port 443 redirected to 10443")
{
    suite_expect_https_redirect();
}

CDOC_CHECK(sandbox, test_net_proxy_running, "capsem-net-proxy running")
{
    suite_expect_process(cdoc_check_profile()->processes.net_proxy);
}

CDOC_CHECK(sandbox, test_allowed_domain,
           "Full HTTPS handshake to allowed domain")
{
    const struct cdoc_profile_network *net = &cdoc_check_profile()->network;
    struct cdoc_http_result result;
    const char *domain;
    char *ca_file;

    if (net->allowed_domains.count == 0)
        cdoc_check_skip("the profile allows no domain");
    domain = net->allowed_domains.items[0];
    ca_file = suite_path(net->ca_cert);
    suite_https_request("GET", domain, "/", true, ca_file,
                        net->connect_timeout_seconds, &result);
    if (!result.tls_done)
        cdoc_check_fail("no verified TLS handshake with %s through the "
                        "sentinel %s: %s", domain, net->sentinel_address,
                        result.error ? result.error : "no answer");
    if (result.status == 403)
        cdoc_check_fail("allowed domain %s answered 403: the proxy denies "
                        "it", domain);
    cdoc_check_property("http_status", "%ld", result.status);
    suite_net()->http_result_release(&result);
    free(ca_file);
}

CDOC_CHECK(sandbox, test_denied_domain, "Denied domain returns 403 or refused")
{
    const struct cdoc_strings *denied =
        &cdoc_check_profile()->network.denied_domains;

    if (denied->count == 0)
        cdoc_check_skip("the profile denies no domain by name");
    suite_expect_denied("GET", denied->items[0]);
}

CDOC_CHECK(sandbox, test_no_real_nics, "Only lo and dummy0 exist")
{
    const struct cdoc_strings *allowed =
        &cdoc_check_profile()->network.interfaces;
    struct cdoc_interfaces ifaces;
    struct cdoc_buf extra = {0};

    suite_read_interfaces(&ifaces);
    for (size_t i = 0; i < ifaces.count; i++) {
        if (!cdoc_strings_contains(allowed, ifaces.items[i].name))
            cdoc_buf_printf(&extra, "%s%s", extra.len ? ", " : "",
                            ifaces.items[i].name);
    }
    if (extra.len)
        cdoc_check_fail("interfaces beyond %s exist: %s",
                        suite_join(allowed, " and "), extra.data);
    cdoc_interfaces_release(&ifaces);
}

/* ---- process integrity -------------------------------------------------- */

CDOC_CHECK(sandbox, test_pty_agent_running, "capsem-pty-agent running")
{
    suite_expect_process(cdoc_check_profile()->processes.pty_agent);
}

CDOC_CHECK(sandbox, test_dnsmasq_running, "dnsmasq running")
{
    suite_expect_process(cdoc_check_profile()->processes.dns_server);
}

CDOC_CHECK(sandbox, test_no_systemd, "No service manager")
{
    suite_expect_no_process(
        &cdoc_check_profile()->processes.forbidden_service_managers,
        "a service manager");
}

CDOC_CHECK(sandbox, test_no_sshd, "No remote access")
{
    suite_expect_no_process(
        &cdoc_check_profile()->processes.forbidden_remote_access,
        "a remote access server");
}

CDOC_CHECK(sandbox, test_no_cron, "No scheduled tasks")
{
    suite_expect_no_process(
        &cdoc_check_profile()->processes.forbidden_schedulers,
        "a task scheduler");
}
