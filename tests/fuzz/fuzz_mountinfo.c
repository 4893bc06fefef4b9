/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the mountinfo parser and the lookups on its
 * result. */
#include "probe/probe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = strndup((const char *)data, size);
    struct cdoc_mounts mounts;
    struct cdoc_err err;

    if (cdoc_mounts_parse(text, &mounts, &err) == 0) {
        const struct cdoc_mount *root = cdoc_mounts_at(&mounts, "/");

        cdoc_mounts_containing(&mounts, "/root/a/b");
        if (root) {
            struct cdoc_strings dirs = {0};
            char *lower = cdoc_mount_option(root, "lowerdir");

            if (lower)
                cdoc_overlay_split_lowerdirs(lower, &dirs);
            cdoc_strings_release(&dirs);
            free(lower);
            cdoc_mount_is_read_only(root);
        }
        cdoc_mounts_release(&mounts);
    }
    free(text);
    return 0;
}
