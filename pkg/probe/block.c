/* SPDX-License-Identifier: MIT */
/* Block devices: superblock type, size and whole disk. */
#include "probe/internal.h"

#include <blkid.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cdoc_blkid_fstype(const char *device, char **fstype, struct cdoc_err *err)
{
    blkid_probe probe;
    const char *type = NULL;
    int fd;
    int rc;

    *fstype = NULL;

    /* Opening it here, not through libblkid, keeps errno for the
     * message: a missing device and a denied one need different fixes. */
    fd = open(device, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return cdoc_errf(err, "cannot open '%s': %s", device,
                         strerror(errno));

    probe = blkid_new_probe();
    if (!probe) {
        close(fd);
        return cdoc_errf(err, "cannot probe '%s': libblkid failed to "
                         "allocate a probe", device);
    }
    if (blkid_probe_set_device(probe, fd, 0, 0) < 0) {
        blkid_free_probe(probe);
        close(fd);
        return cdoc_errf(err, "cannot probe '%s': libblkid rejected the "
                         "device", device);
    }
    blkid_probe_enable_superblocks(probe, 1);
    blkid_probe_set_superblocks_flags(probe, BLKID_SUBLKS_TYPE);

    rc = blkid_do_safeprobe(probe);
    if (rc == 0)
        blkid_probe_lookup_value(probe, "TYPE", &type, NULL);
    if (type)
        *fstype = cdoc_xstrdup(type);
    blkid_free_probe(probe);
    close(fd);

    if (*fstype)
        return 0;
    if (rc == -2)
        return cdoc_errf(err, "'%s' has more than one filesystem signature",
                         device);
    if (rc == 1)
        return cdoc_errf(err, "'%s' has no filesystem signature that "
                         "libblkid recognises", device);
    return cdoc_errf(err, "cannot read the superblock of '%s'", device);
}

static char *sysfs_block_path(unsigned major, unsigned minor,
                              const char *attribute)
{
    if (!attribute)
        return cdoc_xasprintf("sys/dev/block/%u:%u", major, minor);
    return cdoc_xasprintf("sys/dev/block/%u:%u/%s", major, minor, attribute);
}

int cdoc_block_device_bytes(const char *root, unsigned major, unsigned minor,
                            uint64_t *bytes, struct cdoc_err *err)
{
    char *path = sysfs_block_path(major, minor, "size");
    char *text;
    char *end;
    unsigned long long sectors;

    *bytes = 0;
    if (cdoc__read_value(root, path, &text, err) < 0) {
        free(path);
        return -1;
    }

    errno = 0;
    sectors = strtoull(text, &end, 10);
    if (errno || !isdigit((unsigned char)text[0]) || *end ||
        sectors > UINT64_MAX / 512) {
        char *full = cdoc_path_join(root, path);

        cdoc_errf(err, "'%s' holds '%s', not a count of 512-byte sectors",
                  full, text);
        free(full);
        free(text);
        free(path);
        return -1;
    }
    /* sysfs counts 512-byte sectors whatever the logical block size. */
    *bytes = (uint64_t)sectors * 512;
    free(text);
    free(path);
    return 0;
}

static const char *last_component(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

int cdoc_block_device_disk(const char *root, unsigned major, unsigned minor,
                           char **disk, struct cdoc_err *err)
{
    char *path = sysfs_block_path(major, minor, NULL);
    char *link = cdoc_path_join(root, path);
    char *partition = cdoc_path_join(link, "partition");
    char *real;
    char *slash;
    int rc = -1;

    *disk = NULL;

    /* sys/dev/block/MAJ:MIN links to .../block/<disk> for a whole disk
     * and to .../block/<disk>/<part> for a partition, which also has a
     * "partition" attribute. */
    real = realpath(link, NULL);
    if (!real) {
        cdoc_errf(err, "cannot resolve '%s': %s", link, strerror(errno));
        goto out;
    }

    if (access(partition, F_OK) == 0) {
        slash = strrchr(real, '/');
        if (!slash || slash == real) {
            cdoc_errf(err, "'%s' is a partition but '%s' has no parent "
                      "disk directory", link, real);
            goto out;
        }
        *slash = '\0';
    }
    *disk = cdoc_xstrdup(last_component(real));
    rc = 0;

out:
    free(real);
    free(partition);
    free(link);
    free(path);
    return rc;
}
