/* SPDX-License-Identifier: MIT */
/* Path joining, whole-file reads, the mode-bit walk and writability. */
#include "probe/probe.h"
#include "probe_helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char *scratch;

static void make_scratch(void)
{
    scratch = probe_test_tmpdir();
}

static void remove_scratch(void)
{
    probe_test_remove_tree(scratch);
    free(scratch);
}

static void assert_join(const char *root, const char *path,
                        const char *expected)
{
    char *joined = cdoc_path_join(root, path);

    cr_assert_str_eq(joined, expected, "join('%s', '%s')", root, path);
    free(joined);
}

Test(probe_files, path_join)
{
    assert_join("/", "/proc/cmdline", "/proc/cmdline");
    assert_join("/", "proc/cmdline", "/proc/cmdline");
    assert_join("", "proc/cmdline", "/proc/cmdline");
    assert_join(NULL, "proc", "/proc");
    assert_join("/fix/root", "/proc", "/fix/root/proc");
    assert_join("/fix/root/", "proc", "/fix/root/proc");
    assert_join("/fix/root//", "//proc", "/fix/root/proc");
    assert_join("rel", "proc", "rel/proc");
    assert_join("/fix", "", "/fix");
    assert_join("/", "", "/");
    assert_join("/", "/", "/");
}

Test(probe_files, read_file_whole_and_capped, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_err err = {{0}};
    char *text;
    size_t len;

    probe_test_write(scratch, "data", "abc\0def", 7, 0644);
    cr_assert_eq(cdoc_read_file(scratch, "data", 100, &text, &len, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(len, 7);
    cr_assert_eq(memcmp(text, "abc\0def", 8), 0, "NUL-terminated");
    free(text);

    cr_assert_eq(cdoc_read_file(scratch, "/data", 4, &text, &len, &err), 0);
    cr_assert_eq(len, 4);
    cr_assert_str_eq(text, "abc");
    free(text);
}

Test(probe_files, read_file_empty, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_err err = {{0}};
    char *text;
    size_t len = 99;

    probe_test_write(scratch, "empty", "", 0, 0644);
    cr_assert_eq(cdoc_read_file(scratch, "empty", 100, &text, &len, &err), 0);
    cr_assert_not_null(text);
    cr_assert_str_eq(text, "");
    cr_assert_eq(len, 0);
    free(text);
}

Test(probe_files, read_file_errno_kept)
{
    struct cdoc_err err = {{0}};
    char *text = (char *)"unchanged";

    errno = 0;
    cr_assert_eq(cdoc_read_file("/nonexistent-root", "proc/x", 10, &text,
                                NULL, &err),
                 -1);
    cr_assert_eq(errno, ENOENT);
    cr_assert_null(text);
    cr_assert(strstr(err.msg, "'/nonexistent-root/proc/x'"), "got: %s",
              err.msg);
    cr_assert(strstr(err.msg, "No such file"), "got: %s", err.msg);

    errno = 0;
    cr_assert_eq(cdoc_read_file("/", "etc", 10, &text, NULL, &err), -1);
    cr_assert_eq(errno, EISDIR);
}

Test(probe_files, read_file_proc)
{
    struct cdoc_err err = {{0}};
    char *text;
    size_t len;

    /* /proc files report size 0; the read must still get the text. */
    cr_assert_eq(cdoc_read_file("/", "proc/self/status", 1 << 16, &text,
                                &len, &err),
                 0, "%s", err.msg);
    cr_assert(strncmp(text, "Name:", 5) == 0);
    cr_assert_eq(strlen(text), len);
    free(text);
}

/* Lay out a tree with every kind of entry the walk must tell apart. */
static void make_mode_tree(void)
{
    char *target;
    char *link;
    char *setgid_dir;

    probe_test_write_text(scratch, "plain", "x");
    probe_test_write(scratch, "bin/su", "x", 1, 04755);
    probe_test_write(scratch, "bin/wall", "x", 1, 02755);
    probe_test_write(scratch, "bin/both", "x", 1, 06755);
    probe_test_write(scratch, "bin/sub/deep/mount.x", "x", 1, 04711);
    probe_test_write(scratch, "bin/sticky", "x", 1, 01755);
    probe_test_mkdirs(scratch, "shared");

    target = cdoc_xasprintf("%s/bin/su", scratch);
    link = cdoc_xasprintf("%s/link-to-su", scratch);
    cr_assert_eq(symlink(target, link), 0);
    setgid_dir = cdoc_xasprintf("%s/shared", scratch);
    cr_assert_eq(chmod(setgid_dir, 02775), 0);

    free(target);
    free(link);
    free(setgid_dir);
}

static bool listed(const struct cdoc_strings *found, const char *relative)
{
    char *path = cdoc_xasprintf("%s/%s", scratch, relative);
    bool hit = false;

    for (size_t i = 0; i < found->count; i++)
        hit = hit || !strcmp(found->items[i], path);
    free(path);
    return hit;
}

Test(probe_files, mode_bits_found, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_strings found = {0};
    struct cdoc_err err = {{0}};
    size_t count;
    size_t unreadable;

    make_mode_tree();
    cr_assert_eq(cdoc_find_mode_bits(scratch, S_ISUID | S_ISGID, 100, &found,
                                     &count, &unreadable, &err),
                 0, "%s", err.msg);
    cr_assert_eq(count, 4);
    cr_assert_eq(found.count, 4);
    cr_assert_eq(unreadable, 0);
    cr_assert(listed(&found, "bin/su"));
    cr_assert(listed(&found, "bin/wall"));
    cr_assert(listed(&found, "bin/both"));
    cr_assert(listed(&found, "bin/sub/deep/mount.x"));
    cr_assert_not(listed(&found, "link-to-su"), "symlinks are not followed");
    cr_assert_not(listed(&found, "shared"), "directories are not files");
    cdoc_strings_release(&found);
}

Test(probe_files, mode_bits_mask_selects, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_strings found = {0};
    struct cdoc_err err = {{0}};
    size_t count;
    size_t unreadable;

    make_mode_tree();
    cr_assert_eq(cdoc_find_mode_bits(scratch, S_ISGID, 100, &found, &count,
                                     &unreadable, &err),
                 0, "%s", err.msg);
    cr_assert_eq(count, 2);
    cr_assert(listed(&found, "bin/wall"));
    cr_assert(listed(&found, "bin/both"));
    cdoc_strings_release(&found);
}

Test(probe_files, mode_bits_list_capped, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_strings found = {0};
    struct cdoc_err err = {{0}};
    size_t count;
    size_t unreadable;

    make_mode_tree();
    cr_assert_eq(cdoc_find_mode_bits(scratch, S_ISUID | S_ISGID, 2, &found,
                                     &count, &unreadable, &err),
                 0, "%s", err.msg);
    cr_assert_eq(found.count, 2);
    cr_assert_eq(count, 4, "the count covers files past the cap");
    cdoc_strings_release(&found);

    cr_assert_eq(cdoc_find_mode_bits(scratch, S_ISUID, 0, &found, &count,
                                     &unreadable, &err),
                 0);
    cr_assert_eq(found.count, 0);
    cr_assert_eq(count, 3);
}

Test(probe_files, mode_bits_unreadable_counted, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_strings found = {0};
    struct cdoc_err err = {{0}};
    char *locked = cdoc_xasprintf("%s/locked", scratch);
    size_t count;
    size_t unreadable;
    int rc;

    make_mode_tree();
    probe_test_write(scratch, "locked/hidden-su", "x", 1, 04755);
    cr_assert_eq(chmod(locked, 0), 0);

    /* Root reads a mode-0 directory anyway. Taking another effective
     * user drops the capabilities that allow it, and the saved ID lets
     * the test take root back for the clean-up. */
    if (geteuid() == 0)
        cr_assert_eq(setresuid(-1, 65534, 0), 0);
    rc = cdoc_find_mode_bits(scratch, S_ISUID | S_ISGID, 100, &found, &count,
                             &unreadable, &err);
    if (getuid() == 0)
        cr_assert_eq(setresuid(-1, 0, -1), 0);

    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(unreadable, 1);
    cr_assert_eq(count, 4, "the rest of the tree is still walked");
    cr_assert_not(listed(&found, "locked/hidden-su"));
    cdoc_strings_release(&found);
    free(locked);
}

Test(probe_files, mode_bits_stay_on_one_filesystem, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_strings found = {0};
    struct cdoc_err err = {{0}};
    char *mnt = cdoc_xasprintf("%s/mnt", scratch);
    size_t count;
    size_t unreadable;

    make_mode_tree();
    probe_test_mkdirs(scratch, "mnt");
    if (unshare(CLONE_NEWNS) < 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("tmpfs", mnt, "tmpfs", 0, "size=64k") < 0) {
        free(mnt);
        cr_skip_test("needs a private mount namespace: %s",
                     strerror(errno));
    }
    probe_test_write(scratch, "mnt/other-fs-su", "x", 1, 04755);

    cr_assert_eq(cdoc_find_mode_bits(scratch, S_ISUID | S_ISGID, 100, &found,
                                     &count, &unreadable, &err),
                 0, "%s", err.msg);
    cr_assert_eq(count, 4);
    cr_assert_not(listed(&found, "mnt/other-fs-su"));
    cdoc_strings_release(&found);

    cr_assert_eq(cdoc_find_mode_bits(mnt, S_ISUID, 100, &found, &count,
                                     &unreadable, &err),
                 0, "%s", err.msg);
    cr_assert_eq(count, 1, "a walk that starts on the mount sees it");
    cdoc_strings_release(&found);
    umount2(mnt, MNT_DETACH);
    free(mnt);
}

Test(probe_files, mode_bits_missing_dir_error)
{
    struct cdoc_strings found = {0};
    struct cdoc_err err = {{0}};
    size_t count = 7;
    size_t unreadable = 7;

    cr_assert_eq(cdoc_find_mode_bits("/nonexistent-dir", S_ISUID, 10, &found,
                                     &count, &unreadable, &err),
                 -1);
    cr_assert(strstr(err.msg, "'/nonexistent-dir'"), "got: %s", err.msg);
    cr_assert_eq(count, 0);
    cr_assert_eq(found.count, 0);
}

Test(probe_files, writable_temp_dir, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_err err = {{0}};
    const char *how = NULL;
    struct cdoc_strings left = {0};
    size_t count;
    size_t unreadable;

    cr_assert_eq(cdoc_probe_writable(scratch, &how, &err), 0, "%s", err.msg);
    cr_assert_str_eq(how, "O_TMPFILE");

    /* Nothing is left behind: the walk finds no file of any mode. */
    cr_assert_eq(cdoc_find_mode_bits(scratch, 07777, 10, &left, &count,
                                     &unreadable, &err),
                 0);
    cr_assert_eq(count, 0);
}

Test(probe_files, writable_missing_dir)
{
    struct cdoc_err err = {{0}};
    const char *how = NULL;

    cr_assert_eq(cdoc_probe_writable("/nonexistent-dir", &how, &err), -1);
    cr_assert(strstr(err.msg, "'/nonexistent-dir'"), "got: %s", err.msg);
    cr_assert(strstr(err.msg, "No such file"), "got: %s", err.msg);
}

Test(probe_files, writable_read_only_tmpfs, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_err err = {{0}};
    const char *how = NULL;
    char *dir = cdoc_xasprintf("%s/ro", scratch);
    int rc;

    probe_test_mkdirs(scratch, "ro");
    if (unshare(CLONE_NEWNS) < 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("tmpfs", dir, "tmpfs", MS_RDONLY, "size=64k") < 0) {
        free(dir);
        cr_skip_test("needs a private mount namespace: %s",
                     strerror(errno));
    }

    rc = cdoc_probe_writable(dir, &how, &err);
    umount2(dir, MNT_DETACH);
    cr_assert_eq(rc, -1, "a read-only tmpfs passed as writable");
    cr_assert(strstr(err.msg, "Read-only file system"), "got: %s", err.msg);
    free(dir);
}

Test(probe_files, writable_fallback_without_tmpfile)
{
    struct cdoc_err err = {{0}};
    const char *how = NULL;
    int rc;

    /* procfs has no tmpfile operation, so the probe must fall back. A
     * user other than root is refused (EACCES) before that point. */
    rc = cdoc_probe_writable("/proc", &how, &err);
    if (geteuid() != 0) {
        cr_assert_eq(rc, -1, "/proc is mode 0555");
        cr_assert(strstr(err.msg, "Permission denied"), "got: %s", err.msg);
        return;
    }
    cr_assert_not_null(how);
    cr_assert(strstr(how, "statvfs"), "how: %s", how);
    if (rc < 0)
        cr_assert(strstr(err.msg, "'/proc' is not writable"), "got: %s",
                  err.msg);
}

Test(probe_files, mode_scan_counts_each_bit, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_mode_scan scan;
    struct cdoc_strings setgid = {0};
    struct cdoc_err err = {{0}};

    make_mode_tree();
    cr_assert_eq(cdoc_scan_mode_bits(scratch, S_ISUID | S_ISGID, &scan,
                                     &err),
                 0, "%s", err.msg);
    cr_assert_eq(scan.count, 4);
    cr_assert_eq(scan.setuid_count, 3);
    cr_assert_eq(scan.setgid_count, 2);
    cr_assert_eq(scan.kept, 4);
    for (size_t i = 1; i < scan.kept; i++)
        cr_assert_lt(strcmp(scan.files[i - 1].path, scan.files[i].path), 0,
                     "kept files are sorted by path");
    cdoc_mode_scan_list(&scan, S_ISGID, 100, &setgid);
    cr_assert_eq(setgid.count, 2);
    cr_assert(listed(&setgid, "bin/both"));
    cr_assert(listed(&setgid, "bin/wall"));
    cdoc_strings_release(&setgid);
    cdoc_mode_scan_release(&scan);
}

Test(probe_files, mode_scan_save_load_round_trip, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_mode_scan scan;
    struct cdoc_mode_scan loaded;
    struct cdoc_err err = {{0}};
    char *stored = cdoc_xasprintf("%s/stored-scan", scratch);

    make_mode_tree();
    probe_test_write(scratch, "bin/odd name\nwith=newline", "x", 1, 04755);
    cr_assert_eq(cdoc_scan_mode_bits(scratch, S_ISUID | S_ISGID, &scan,
                                     &err),
                 0, "%s", err.msg);
    cr_assert_eq(cdoc_mode_scan_save(&scan, stored, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(cdoc_mode_scan_load(&loaded, stored, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(loaded.count, scan.count);
    cr_assert_eq(loaded.setuid_count, scan.setuid_count);
    cr_assert_eq(loaded.setgid_count, scan.setgid_count);
    cr_assert_eq(loaded.unreadable, scan.unreadable);
    cr_assert_eq(loaded.kept, scan.kept);
    for (size_t i = 0; i < scan.kept; i++) {
        cr_assert_str_eq(loaded.files[i].path, scan.files[i].path);
        cr_assert_eq(loaded.files[i].mode, scan.files[i].mode);
    }
    cdoc_mode_scan_release(&scan);
    cdoc_mode_scan_release(&loaded);
    free(stored);
}

Test(probe_files, mode_scan_load_rejects_garbage, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_mode_scan loaded;
    struct cdoc_err err = {{0}};
    char *stored = cdoc_xasprintf("%s/stored-scan", scratch);

    cr_assert_eq(cdoc_mode_scan_load(&loaded, stored, &err), -1);
    cr_assert_eq(errno, ENOENT, "a missing scan is ENOENT");
    probe_test_write(scratch, "stored-scan", "count=1\0file=9 /x", 17, 0600);
    cr_assert_eq(cdoc_mode_scan_load(&loaded, stored, &err), -1);
    cr_assert(strstr(err.msg, "invalid record"), "got: %s", err.msg);
    free(stored);
}

Test(probe_files, mode_scan_shared_walks_once, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_mode_scan first;
    struct cdoc_mode_scan second;
    struct cdoc_err err = {{0}};
    char *share = cdoc_xasprintf("%s/share", scratch);
    char *tree = cdoc_xasprintf("%s/tree", scratch);
    char *late = cdoc_xasprintf("%s/tree/late-su", scratch);

    probe_test_mkdirs(scratch, "share");
    probe_test_write(scratch, "tree/su", "x", 1, 04755);
    cr_assert_eq(cdoc_scan_special_bits_shared(tree, share, &first, &err),
                 0, "%s", err.msg);
    cr_assert_eq(first.setuid_count, 1);

    /* A file added after the first walk is not seen: the second caller
     * reads the stored scan instead of walking. */
    probe_test_write(scratch, "tree/late-su", "x", 1, 04755);
    cr_assert_eq(cdoc_scan_special_bits_shared(tree, share, &second, &err),
                 0, "%s", err.msg);
    cr_assert_eq(second.setuid_count, 1);
    cr_assert_eq(second.kept, 1);
    cr_assert_str_eq(second.files[0].path, first.files[0].path);

    cdoc_mode_scan_release(&first);
    cdoc_mode_scan_release(&second);
    unlink(late);
    free(late);
    free(tree);
    free(share);
}
