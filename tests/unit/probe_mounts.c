/* SPDX-License-Identifier: MIT */
/* The mountinfo parser and the lookups built on it. */
#include "probe/probe.h"
#include "probe_helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static struct cdoc_mounts read_fixture(const char *name)
{
    char *path = probe_test_fixture(name);
    struct cdoc_mounts mounts;
    struct cdoc_err err = {{0}};
    char *text;

    cr_assert_eq(cdoc_read_file("/", path, 1 << 20, &text, NULL, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(cdoc_mounts_parse(text, &mounts, &err), 0, "%s", err.msg);
    free(text);
    free(path);
    return mounts;
}

Test(probe_mounts, parses_every_field)
{
    struct cdoc_mounts mounts = read_fixture("mountinfo/overlay.txt");
    const struct cdoc_mount *root = &mounts.items[1];

    cr_assert_eq(mounts.count, 12);
    cr_assert_eq(root->id, 20);
    cr_assert_eq(root->parent_id, 1);
    cr_assert_eq(root->major, 0);
    cr_assert_eq(root->minor, 22);
    cr_assert_str_eq(root->root, "/");
    cr_assert_str_eq(root->mount_point, "/");
    cr_assert_str_eq(root->options, "rw,relatime");
    cr_assert_str_eq(root->fstype, "overlay");
    cr_assert_str_eq(root->source, "overlay");
    cr_assert(strncmp(root->super_options, "rw,lowerdir=", 12) == 0);
    cdoc_mounts_release(&mounts);
}

Test(probe_mounts, octal_escapes_decoded)
{
    struct cdoc_mounts mounts = read_fixture("mountinfo/overlay.txt");
    const struct cdoc_mount *disk = cdoc_mounts_at(&mounts, "/mnt/my disk");
    const struct cdoc_mount *newline =
        cdoc_mounts_at(&mounts, "/mnt/new\nline");

    cr_assert_not_null(disk, "the \\040 in the mount point was not decoded");
    cr_assert_str_eq(disk->source, "my\tsource\\x");
    cr_assert_not_null(newline);
    cr_assert_str_eq(newline->root, "/sub\ndir");
    cr_assert_not_null(cdoc_mounts_at(&mounts, "/run/escaped\\name"));
    cdoc_mounts_release(&mounts);
}

Test(probe_mounts, escapes_in_options)
{
    const char *text = "5 1 0:3 / /m rw,x\\040y - tmpfs src o\\054p=a\\040b\n";
    struct cdoc_mounts mounts;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_mounts_parse(text, &mounts, &err), 0, "%s", err.msg);
    cr_assert_str_eq(mounts.items[0].options, "rw,x y");
    cr_assert_str_eq(mounts.items[0].super_options, "o,p=a b");
    cdoc_mounts_release(&mounts);
}

Test(probe_mounts, optional_fields_zero_or_several)
{
    struct cdoc_mounts mounts = read_fixture("mountinfo/overlay.txt");
    const struct cdoc_mount *dev = cdoc_mounts_at(&mounts, "/dev");
    const struct cdoc_mount *sys = cdoc_mounts_at(&mounts, "/sys");
    const struct cdoc_mount *scratch = cdoc_mounts_at(&mounts, "/root");

    cr_assert_not_null(dev);
    cr_assert_str_eq(dev->fstype, "devtmpfs");
    cr_assert_not_null(sys);
    cr_assert_str_eq(sys->fstype, "sysfs");
    cr_assert_not_null(scratch);
    cr_assert_str_eq(scratch->fstype, "ext4");
    cr_assert_str_eq(scratch->source, "/dev/vdb");
    cr_assert_eq(scratch->major, 254);
    cr_assert_eq(scratch->minor, 16);
    cdoc_mounts_release(&mounts);
}

Test(probe_mounts, stacked_root_last_wins)
{
    struct cdoc_mounts mounts = read_fixture("mountinfo/overlay.txt");
    const struct cdoc_mount *root = cdoc_mounts_at(&mounts, "/");

    cr_assert_not_null(root);
    cr_assert_str_eq(root->fstype, "overlay");
    cr_assert_eq(cdoc_mounts_containing(&mounts, "/etc/passwd"), root);
    cdoc_mounts_release(&mounts);
}

Test(probe_mounts, containing_longest_prefix)
{
    struct cdoc_mounts mounts = read_fixture("mountinfo/overlay.txt");
    const struct cdoc_mount *scratch = cdoc_mounts_at(&mounts, "/root");
    const struct cdoc_mount *root = cdoc_mounts_at(&mounts, "/");
    const struct cdoc_mount *run = cdoc_mounts_at(&mounts, "/run");

    cr_assert_eq(cdoc_mounts_containing(&mounts, "/root"), scratch);
    cr_assert_eq(cdoc_mounts_containing(&mounts, "/root/"), scratch);
    cr_assert_eq(cdoc_mounts_containing(&mounts, "/root/a/b"), scratch);
    cr_assert_eq(cdoc_mounts_containing(&mounts, "/rootfoo"), root,
                 "/rootfoo is not under /root");
    cr_assert_eq(cdoc_mounts_containing(&mounts, "/run/x"), run);
    cr_assert_eq(cdoc_mounts_containing(&mounts, "/run/escaped\\name/f"),
                 cdoc_mounts_at(&mounts, "/run/escaped\\name"));
    cr_assert_null(cdoc_mounts_at(&mounts, "/nowhere"));
    cdoc_mounts_release(&mounts);
}

Test(probe_mounts, containing_with_no_root_mount)
{
    const char *text = "5 1 0:3 / /data rw - tmpfs tmpfs rw\n";
    struct cdoc_mounts mounts;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_mounts_parse(text, &mounts, &err), 0, "%s", err.msg);
    cr_assert_null(cdoc_mounts_containing(&mounts, "/etc"));
    cr_assert_not_null(cdoc_mounts_containing(&mounts, "/data/x"));
    cdoc_mounts_release(&mounts);
}

Test(probe_mounts, overlay_options)
{
    struct cdoc_mounts mounts = read_fixture("mountinfo/overlay.txt");
    const struct cdoc_mount *root = cdoc_mounts_at(&mounts, "/");
    struct cdoc_strings dirs = {0};
    char *lower = cdoc_mount_option(root, "lowerdir");
    char *upper = cdoc_mount_option(root, "upperdir");
    char *work = cdoc_mount_option(root, "workdir");
    char *relatime = cdoc_mount_option(root, "relatime");
    char *missing = cdoc_mount_option(root, "index");

    cr_assert_str_eq(lower, "/mnt/lower:/mnt/extra\\:layer:/mnt/base");
    cr_assert_str_eq(upper, "/mnt/upper/data");
    cr_assert_str_eq(work, "/mnt/upper/work");
    cr_assert_str_eq(relatime, "", "a bare per-mount option gives \"\"");
    cr_assert_null(missing);

    cdoc_overlay_split_lowerdirs(lower, &dirs);
    cr_assert_eq(dirs.count, 3);
    cr_assert_str_eq(dirs.items[0], "/mnt/lower");
    cr_assert_str_eq(dirs.items[1], "/mnt/extra:layer");
    cr_assert_str_eq(dirs.items[2], "/mnt/base");

    cdoc_strings_release(&dirs);
    free(lower);
    free(upper);
    free(work);
    free(relatime);
    cdoc_mounts_release(&mounts);
}

Test(probe_mounts, lowerdirs_split_escaped_colon)
{
    struct cdoc_strings dirs = {0};

    cdoc_overlay_split_lowerdirs("/a:/b\\:c:/d", &dirs);
    cr_assert_eq(dirs.count, 3);
    cr_assert_str_eq(dirs.items[0], "/a");
    cr_assert_str_eq(dirs.items[1], "/b:c");
    cr_assert_str_eq(dirs.items[2], "/d");
    cdoc_strings_release(&dirs);

    /* "::" starts the data-only layers, which are lower layers too. */
    cdoc_overlay_split_lowerdirs("/l1:/l2::/data", &dirs);
    cr_assert_eq(dirs.count, 3);
    cr_assert_str_eq(dirs.items[2], "/data");
    cdoc_strings_release(&dirs);

    cdoc_overlay_split_lowerdirs("", &dirs);
    cr_assert_eq(dirs.count, 0);
}

Test(probe_mounts, option_escaped_comma_kept)
{
    struct cdoc_mount mount = {
        .options = "rw",
        .super_options = "lowerdir=/a\\,b:/c,upperdir=/u",
    };
    char *lower = cdoc_mount_option(&mount, "lowerdir");
    char *upper = cdoc_mount_option(&mount, "upperdir");
    struct cdoc_strings dirs = {0};

    cr_assert_str_eq(lower, "/a\\,b:/c");
    cr_assert_str_eq(upper, "/u");
    cdoc_overlay_split_lowerdirs(lower, &dirs);
    cr_assert_eq(dirs.count, 2);
    cr_assert_str_eq(dirs.items[0], "/a,b");
    cdoc_strings_release(&dirs);
    free(lower);
    free(upper);
}

Test(probe_mounts, option_key_is_whole_word)
{
    struct cdoc_mount mount = {
        .options = "ro,relatime",
        .super_options = "lowerdir2=/x,size=4k",
    };
    char *lower = cdoc_mount_option(&mount, "lowerdir");
    char *size = cdoc_mount_option(&mount, "size");

    cr_assert_null(lower, "lowerdir2 is not lowerdir");
    cr_assert_str_eq(size, "4k");
    free(size);
}

Test(probe_mounts, read_only_flag)
{
    struct cdoc_mounts mounts = read_fixture("mountinfo/overlay.txt");
    struct cdoc_mount relatime_only = {.options = "rw,relatime,ro_x"};

    cr_assert(cdoc_mount_is_read_only(cdoc_mounts_at(&mounts, "/mnt/lower")));
    cr_assert_not(cdoc_mount_is_read_only(cdoc_mounts_at(&mounts, "/")));
    cr_assert_not(cdoc_mount_is_read_only(&relatime_only));
    cdoc_mounts_release(&mounts);
}

Test(probe_mounts, malformed_line_named)
{
    char *path = probe_test_fixture("mountinfo/malformed.txt");
    struct cdoc_mounts mounts = {0};
    struct cdoc_err err = {{0}};
    char *text;

    cr_assert_eq(cdoc_read_file("/", path, 1 << 20, &text, NULL, &err), 0);
    cr_assert_eq(cdoc_mounts_parse(text, &mounts, &err), -1);
    cr_assert(strstr(err.msg, "line 3"), "got: %s", err.msg);
    cr_assert(strstr(err.msg, "' - '"), "got: %s", err.msg);
    cr_assert_eq(mounts.count, 0);
    cr_assert_null(mounts.items);
    free(text);
    free(path);
}

Test(probe_mounts, malformed_numbers_rejected)
{
    static const char *const lines[] = {
        "x 1 0:3 / /m rw - tmpfs t rw\n",
        "5 1 03 / /m rw - tmpfs t rw\n",
        "5 1 0:3 / /m rw - tmpfs t\n",
        "5 1 0:3 / /m - tmpfs t rw\n",
    };
    struct cdoc_mounts mounts;
    struct cdoc_err err;

    for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
        cr_assert_eq(cdoc_mounts_parse(lines[i], &mounts, &err), -1,
                     "accepted: %s", lines[i]);
        cr_assert(strstr(err.msg, "line 1"), "got: %s", err.msg);
    }
}

Test(probe_mounts, empty_lines_and_no_final_newline)
{
    const char *text = "\n5 1 0:3 / /m rw - tmpfs t rw\n\n"
                       "6 1 0:4 / /n rw - tmpfs t rw";
    struct cdoc_mounts mounts;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_mounts_parse(text, &mounts, &err), 0, "%s", err.msg);
    cr_assert_eq(mounts.count, 2);
    cr_assert_str_eq(mounts.items[1].mount_point, "/n");
    cdoc_mounts_release(&mounts);
}

Test(probe_mounts, read_under_root)
{
    char *root = probe_test_fixture("guest");
    struct cdoc_mounts mounts;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_mounts_read(root, &mounts, &err), 0, "%s", err.msg);
    cr_assert_eq(mounts.count, 12);
    cdoc_mounts_release(&mounts);
    free(root);
}

Test(probe_mounts, read_missing_names_path)
{
    struct cdoc_mounts mounts;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_mounts_read("/nonexistent-root", &mounts, &err), -1);
    cr_assert(strstr(err.msg, "/nonexistent-root/proc/self/mountinfo"),
              "got: %s", err.msg);
}

Test(probe_mounts, read_live_table)
{
    struct cdoc_mounts mounts;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_mounts_read("/", &mounts, &err), 0, "%s", err.msg);
    cr_assert_not_null(cdoc_mounts_at(&mounts, "/"));
    cr_assert_not_null(cdoc_mounts_containing(&mounts, "/proc/self"));
    cdoc_mounts_release(&mounts);
}
