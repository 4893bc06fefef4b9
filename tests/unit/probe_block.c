/* SPDX-License-Identifier: MIT */
/* Superblock types from libblkid, and block device size and disk. */
#include "probe/probe.h"
#include "probe_helpers.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

/* Run a filesystem tool; skip the test when its package is missing. */
static void run_tool(const char *const argv[], const char *package)
{
    struct cdoc_exec_result result;
    struct cdoc_err err = {{0}};
    char *path = cdoc_xasprintf("%s:/usr/sbin:/sbin", getenv("PATH"));

    /* mkfs.ext4 lives in sbin, which a non-root PATH may lack. */
    cr_assert_eq(setenv("PATH", path, 1), 0);
    free(path);

    cr_assert_eq(cdoc_exec(argv, 30, 64 * 1024, &result, &err), 0, "%s",
                 err.msg);
    if (!result.started) {
        cdoc_exec_result_release(&result);
        cr_skip_test("%s (install %s)", err.msg, package);
    }
    cr_assert_eq(result.exit_status, 0, "%s failed: %s", argv[0],
                 result.output.data);
    cdoc_exec_result_release(&result);
}

static char *fstype_of(const char *image)
{
    struct cdoc_err err = {{0}};
    char *fstype;

    cr_assert_eq(cdoc_blkid_fstype(image, &fstype, &err), 0, "%s", err.msg);
    return fstype;
}

Test(probe_block, blkid_squashfs, .init = make_scratch,
     .fini = remove_scratch)
{
    char *source = cdoc_xasprintf("%s/source", scratch);
    char *image = cdoc_xasprintf("%s/root.sqfs", scratch);
    const char *const argv[] = {"mksquashfs", source, image, "-noappend",
                                "-quiet", NULL};
    char *fstype;

    probe_test_write_text(scratch, "source/etc/hostname", "guest\n");
    run_tool(argv, "squashfs-tools");
    fstype = fstype_of(image);
    cr_assert_str_eq(fstype, "squashfs");
    free(fstype);
    free(image);
    free(source);
}

Test(probe_block, blkid_ext4, .init = make_scratch, .fini = remove_scratch)
{
    char *image = cdoc_xasprintf("%s/scratch.ext4", scratch);
    const char *const argv[] = {"mkfs.ext4", "-q", "-F", image, NULL};
    char *fstype;
    int fd;

    fd = open(image, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, 8 << 20), 0);
    close(fd);

    run_tool(argv, "e2fsprogs");
    fstype = fstype_of(image);
    cr_assert_str_eq(fstype, "ext4");
    free(fstype);
    free(image);
}

Test(probe_block, blkid_no_signature, .init = make_scratch,
     .fini = remove_scratch)
{
    char *image = cdoc_xasprintf("%s/zeros.img", scratch);
    struct cdoc_err err = {{0}};
    char *fstype = (char *)"unchanged";
    static char zeros[1 << 16];

    probe_test_write(scratch, "zeros.img", zeros, sizeof(zeros), 0644);
    cr_assert_eq(cdoc_blkid_fstype(image, &fstype, &err), -1);
    cr_assert_null(fstype);
    cr_assert(strstr(err.msg, image), "got: %s", err.msg);
    cr_assert(strstr(err.msg, "no filesystem signature"), "got: %s",
              err.msg);
    free(image);
}

Test(probe_block, blkid_missing_file)
{
    struct cdoc_err err = {{0}};
    char *fstype;

    cr_assert_eq(cdoc_blkid_fstype("/nonexistent-dir/vda", &fstype, &err),
                 -1);
    cr_assert_null(fstype);
    cr_assert(strstr(err.msg, "'/nonexistent-dir/vda'"), "got: %s", err.msg);
    cr_assert(strstr(err.msg, "No such file"), "got: %s", err.msg);
}

/*
 * sysfs as the kernel lays it out: sys/dev/block/MAJ:MIN links to the
 * device directory, and a partition's directory sits inside its disk's.
 */
static void make_sysfs_block(void)
{
    static const char disk[] = "sys/devices/pci0000:00/virtio2/block/vdb";
    static const struct {
        const char *link;
        const char *target;
    } links[] = {
        {"254:16", "../../devices/pci0000:00/virtio2/block/vdb"},
        {"254:18", "../../devices/pci0000:00/virtio2/block/vdb/vdb2"},
        {"7:0", "../../devices/virtual/block/loop0"},
    };
    char *path;

    path = cdoc_xasprintf("%s/size", disk);
    probe_test_write_text(scratch, path, "16777216\n");
    free(path);
    path = cdoc_xasprintf("%s/vdb2/size", disk);
    probe_test_write_text(scratch, path, "2097152\n");
    free(path);
    path = cdoc_xasprintf("%s/vdb2/partition", disk);
    probe_test_write_text(scratch, path, "2\n");
    free(path);
    probe_test_write_text(scratch, "sys/devices/virtual/block/loop0/size",
                          "not-a-number\n");

    probe_test_mkdirs(scratch, "sys/dev/block");
    for (size_t i = 0; i < sizeof(links) / sizeof(*links); i++) {
        path = cdoc_xasprintf("%s/sys/dev/block/%s", scratch, links[i].link);
        cr_assert_eq(symlink(links[i].target, path), 0);
        free(path);
    }
}

Test(probe_block, device_bytes, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_err err = {{0}};
    uint64_t bytes = 0;

    make_sysfs_block();
    cr_assert_eq(cdoc_block_device_bytes(scratch, 254, 16, &bytes, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(bytes, 16777216ULL * 512);
    cr_assert_eq(cdoc_block_device_bytes(scratch, 254, 18, &bytes, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(bytes, 2097152ULL * 512);
}

Test(probe_block, device_bytes_errors, .init = make_scratch,
     .fini = remove_scratch)
{
    struct cdoc_err err = {{0}};
    uint64_t bytes = 1;

    make_sysfs_block();
    cr_assert_eq(cdoc_block_device_bytes(scratch, 7, 0, &bytes, &err), -1);
    cr_assert(strstr(err.msg, "'not-a-number'"), "got: %s", err.msg);
    cr_assert_eq(bytes, 0);

    cr_assert_eq(cdoc_block_device_bytes(scratch, 8, 0, &bytes, &err), -1);
    cr_assert(strstr(err.msg, "sys/dev/block/8:0/size"), "got: %s", err.msg);
}

Test(probe_block, device_disk, .init = make_scratch, .fini = remove_scratch)
{
    struct cdoc_err err = {{0}};
    char *disk;

    make_sysfs_block();
    cr_assert_eq(cdoc_block_device_disk(scratch, 254, 16, &disk, &err), 0,
                 "%s", err.msg);
    cr_assert_str_eq(disk, "vdb", "a whole disk is its own disk");
    free(disk);

    cr_assert_eq(cdoc_block_device_disk(scratch, 254, 18, &disk, &err), 0,
                 "%s", err.msg);
    cr_assert_str_eq(disk, "vdb", "vdb2 belongs to vdb");
    free(disk);

    cr_assert_eq(cdoc_block_device_disk(scratch, 9, 9, &disk, &err), -1);
    cr_assert_null(disk);
    cr_assert(strstr(err.msg, "sys/dev/block/9:9"), "got: %s", err.msg);
}

Test(probe_block, live_root_device)
{
    struct cdoc_err err = {{0}};
    struct stat st;
    uint64_t bytes;
    char *disk;

    /* A root on a real block device (not overlay, tmpfs or 9p) has an
     * entry in /sys/dev/block. */
    cr_assert_eq(stat("/", &st), 0);
    if (major(st.st_dev) == 0)
        cr_skip_test("the root filesystem has no block device");
    cr_assert_eq(cdoc_block_device_bytes("/", major(st.st_dev),
                                         minor(st.st_dev), &bytes, &err),
                 0, "%s", err.msg);
    cr_assert_gt(bytes, 0);
    cr_assert_eq(cdoc_block_device_disk("/", major(st.st_dev),
                                        minor(st.st_dev), &disk, &err),
                 0, "%s", err.msg);
    cr_assert_gt(strlen(disk), 0);
    free(disk);
}
