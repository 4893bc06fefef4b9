/* SPDX-License-Identifier: MIT */
/*
 * Suite "environment": what a shell in the guest gets. Variables, kernel
 * and architecture, the pseudo filesystems and the scratch disk, in the
 * order of the original test_environment.py.
 */
#include "suite_helpers.h"

#include "runner/check.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

static void expect_variable(const char *name, const char *expected)
{
    const char *value = getenv(name);

    if (!value)
        cdoc_check_fail("%s is unset, expected '%s'", name, expected);
    if (strcmp(value, expected) != 0)
        cdoc_check_fail("%s is '%s', expected '%s'", name, value, expected);
}

CDOC_CHECK(environment, test_term_is_xterm_256color, "TERM set correctly")
{
    expect_variable("TERM", cdoc_check_profile()->environment.term);
}

CDOC_CHECK(environment, test_home_is_root, "HOME is /root")
{
    expect_variable("HOME", cdoc_check_profile()->environment.home);
}

/* PATH split on ':'; an empty entry means the current directory, and
 * "/usr/bin/" is the same directory as "/usr/bin". */
static void split_path(const char *path, struct cdoc_strings *dirs)
{
    const char *at = path;

    for (;;) {
        size_t len = strcspn(at, ":");
        char *dir = strndup(at, len);
        size_t dir_len = strlen(dir);

        while (dir_len > 1 && dir[dir_len - 1] == '/')
            dir[--dir_len] = '\0';
        cdoc_strings_append(dirs, *dir ? dir : ".");
        free(dir);
        if (at[len] == '\0')
            break;
        at += len + 1;
    }
}

static const char *require_path(void)
{
    const char *path = getenv("PATH");

    if (!path || !*path)
        cdoc_check_fail("PATH is unset or empty");
    return path;
}

CDOC_CHECK(environment, test_path_includes_standard_dirs,
           "PATH has /usr/local/bin, /usr/bin")
{
    const struct cdoc_strings *wanted =
        &cdoc_check_profile()->environment.path_dirs;
    const char *path = require_path();
    struct cdoc_strings dirs = {0};
    struct cdoc_buf missing = {0};

    split_path(path, &dirs);
    for (size_t i = 0; i < wanted->count; i++) {
        if (!cdoc_strings_contains(&dirs, wanted->items[i]))
            cdoc_buf_printf(&missing, "%s%s", missing.len ? ", " : "",
                            wanted->items[i]);
    }
    if (missing.len)
        cdoc_check_fail("PATH lacks %s (PATH=%s)", missing.data, path);
    cdoc_strings_release(&dirs);
}

/* The first directory in PATH holding an executable python3, or NULL. */
static char *first_python(const struct cdoc_strings *dirs)
{
    for (size_t i = 0; i < dirs->count; i++) {
        char *candidate = cdoc_xasprintf("%s/python3", dirs->items[i]);

        if (access(candidate, X_OK) == 0)
            return candidate;
        free(candidate);
    }
    return NULL;
}

CDOC_CHECK(environment, test_python_venv_active, "Python venv activated")
{
    const char *venv = cdoc_check_profile()->environment.venv;
    const char *active = getenv("VIRTUAL_ENV");
    struct cdoc_strings dirs = {0};
    char *venv_bin = cdoc_xasprintf("%s/bin", venv);
    char *python;

    if (!active)
        cdoc_check_fail("no virtualenv is active: VIRTUAL_ENV is unset, "
                        "expected %s", venv);
    if (strcmp(active, venv) != 0)
        cdoc_check_fail("VIRTUAL_ENV is %s, expected %s", active, venv);

    split_path(require_path(), &dirs);
    if (!cdoc_strings_contains(&dirs, venv_bin))
        cdoc_check_fail("%s is not in PATH, so the venv's python3 is not "
                        "the one that runs", venv_bin);
    python = first_python(&dirs);
    if (!python)
        cdoc_check_fail("no python3 is on PATH");
    if (strncmp(python, venv_bin, strlen(venv_bin)) != 0 ||
        python[strlen(venv_bin)] != '/')
        cdoc_check_fail("python3 resolves to %s, outside the venv %s",
                        python, venv);
    cdoc_check_property("python3", "%s", python);
    free(python);
    free(venv_bin);
    cdoc_strings_release(&dirs);
}

CDOC_CHECK(environment, test_shell_is_bash, "Bash installed")
{
    const char *shell = cdoc_check_profile()->environment.shell;
    char *path = suite_path(shell);
    struct stat st;

    if (stat(path, &st) < 0)
        cdoc_check_fail("%s is not installed", shell);
    if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
        cdoc_check_fail("%s is not an executable file (mode %04o)", shell,
                        (unsigned)(st.st_mode & 07777));
    free(path);
}

static void read_uname(struct utsname *uts)
{
    if (uname(uts) < 0)
        cdoc_check_error("uname failed");
}

CDOC_CHECK(environment, test_kernel_is_linux_6, "Linux 6.x kernel")
{
    int wanted = cdoc_check_profile()->kernel_major;
    struct utsname uts;
    char *end;
    long major;

    read_uname(&uts);
    cdoc_check_property("kernel_release", "%s", uts.release);
    if (strcmp(uts.sysname, "Linux") != 0)
        cdoc_check_fail("the kernel is %s, not Linux", uts.sysname);
    major = strtol(uts.release, &end, 10);
    if (end == uts.release)
        cdoc_check_error("cannot read a major version from release '%s'",
                         uts.release);
    if (major != wanted)
        cdoc_check_fail("the kernel is Linux %s, expected major version %d",
                        uts.release, wanted);
}

CDOC_CHECK(environment, test_architecture_is_aarch64, "ARM64 architecture")
{
    const char *wanted = cdoc_check_profile()->architecture;
    struct utsname uts;

    read_uname(&uts);
    cdoc_check_property("architecture", "%s", uts.machine);
    if (strcmp(uts.machine, wanted) != 0)
        cdoc_check_fail("the machine is %s, expected %s", uts.machine,
                        wanted);
}

CDOC_CHECK(environment, test_proc_mounted, "/proc mounted")
{
    static const char *const types[] = {"proc", NULL};

    suite_expect_mount_type("/proc", types);
}

CDOC_CHECK(environment, test_sys_mounted, "/sys mounted")
{
    static const char *const types[] = {"sysfs", NULL};

    suite_expect_mount_type("/sys", types);
}

CDOC_CHECK(environment, test_dev_mounted, "/dev mounted")
{
    static const char *const types[] = {"devtmpfs", "tmpfs", NULL};

    suite_expect_mount_type("/dev", types);
}

CDOC_CHECK(environment, test_dev_pts_mounted, "/dev/pts mounted")
{
    static const char *const types[] = {"devpts", NULL};

    suite_expect_mount_type("/dev/pts", types);
}

/* The mount at the scratch path; fails when /root is not a mount. */
static const struct cdoc_mount *scratch_mount(struct cdoc_mounts *mounts)
{
    const char *path = cdoc_check_profile()->scratch.path;
    const struct cdoc_mount *mount;

    suite_read_mounts(mounts);
    mount = cdoc_mounts_at(mounts, path);
    if (!mount) {
        const struct cdoc_mount *holder =
            cdoc_mounts_containing(mounts, path);

        cdoc_check_fail("%s is not a mount point: it lives on %s (%s at "
                        "%s), not on a scratch disk", path,
                        holder ? holder->fstype : "?",
                        holder ? holder->source : "?",
                        holder ? holder->mount_point : "?");
    }
    return mount;
}

CDOC_CHECK(environment, test_root_is_ext4_scratch_disk,
           "/root on ext4 scratch disk")
{
    const struct cdoc_profile_scratch *scratch =
        &cdoc_check_profile()->scratch;
    struct cdoc_mounts mounts;
    const struct cdoc_mount *mount = scratch_mount(&mounts);

    cdoc_check_property("device", "%s", mount->source);
    if (strcmp(mount->fstype, scratch->fstype) != 0)
        cdoc_check_fail("%s is %s (from %s), expected %s", scratch->path,
                        mount->fstype, mount->source, scratch->fstype);
    cdoc_mounts_release(&mounts);
}

CDOC_CHECK(environment, test_root_scratch_disk_size, "Scratch disk >= 4GB")
{
    const struct cdoc_profile_scratch *scratch =
        &cdoc_check_profile()->scratch;
    struct cdoc_mounts mounts;
    const struct cdoc_mount *mount = scratch_mount(&mounts);
    struct cdoc_err err;
    uint64_t bytes;

    if (cdoc_block_device_bytes(cdoc_check_root(), mount->major,
                                mount->minor, &bytes, &err) < 0)
        cdoc_check_error("cannot read the size of %s (%u:%u): %s",
                         mount->source, mount->major, mount->minor, err.msg);
    cdoc_check_property("bytes", "%llu", (unsigned long long)bytes);
    if (bytes < scratch->min_bytes)
        cdoc_check_fail("scratch disk %s is %.2f GB, less than %.2f GB",
                        mount->source, (double)bytes / 1e9,
                        (double)scratch->min_bytes / 1e9);
    cdoc_mounts_release(&mounts);
}

CDOC_CHECK(environment, test_tmp_is_writable, "/tmp writable")
{
    char *path = suite_path("/tmp");
    const char *how = NULL;
    struct cdoc_err err;

    if (cdoc_probe_writable(path, &how, &err) < 0)
        cdoc_check_fail("/tmp is not writable: %s", err.msg);
    if (how)
        cdoc_check_detail("%s", how);
    free(path);
}

CDOC_CHECK(environment, test_rootfs_is_overlay, "Root is overlay mount")
{
    const char *const types[] = {
        cdoc_check_profile()->rootfs.root_fstype, NULL};

    suite_expect_mount_type("/", types);
}
