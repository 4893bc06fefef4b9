/* SPDX-License-Identifier: MIT */
/* Scratch directories and files for the probe unit tests. */
#include "probe_helpers.h"

#include "cdoc.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *probe_test_tmpdir(void)
{
    char *dir = cdoc_xstrdup("/tmp/cdoc-probe-test.XXXXXX");

    cr_assert_not_null(mkdtemp(dir), "mkdtemp failed: %s", strerror(errno));
    /* Tests that drop to another user still need to look inside. */
    cr_assert_eq(chmod(dir, 0755), 0);
    return dir;
}

void probe_test_mkdirs(const char *dir, const char *path)
{
    char *full = cdoc_xasprintf("%s/%s", dir, path);

    for (char *p = full + strlen(dir) + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;

        *p = '\0';
        cr_assert(mkdir(full, 0755) == 0 || errno == EEXIST,
                  "mkdir '%s' failed: %s", full, strerror(errno));
        *p = saved;
        if (!saved)
            break;
    }
    free(full);
}

void probe_test_write(const char *dir, const char *path, const void *bytes,
                      size_t len, mode_t mode)
{
    char *full = cdoc_xasprintf("%s/%s", dir, path);
    char *slash = strrchr(path, '/');
    int fd;

    if (slash) {
        char *parent = cdoc_xasprintf("%.*s", (int)(slash - path), path);

        probe_test_mkdirs(dir, parent);
        free(parent);
    }
    fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    cr_assert_geq(fd, 0, "open '%s' failed: %s", full, strerror(errno));
    cr_assert_eq(write(fd, bytes, len), (ssize_t)len);
    cr_assert_eq(fchmod(fd, mode), 0);
    close(fd);
    free(full);
}

void probe_test_write_text(const char *dir, const char *path,
                           const char *text)
{
    probe_test_write(dir, path, text, strlen(text), 0644);
}

static int make_searchable(const char *path, const struct stat *st, int flag,
                           struct FTW *ftw)
{
    (void)ftw;
    if (flag == FTW_D || flag == FTW_DNR)
        chmod(path, (st->st_mode & 07777) | 0700);
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void probe_test_remove_tree(const char *dir)
{
    /* The chmod walk visits a directory before its entries, and the
     * removal walk visits it after them. */
    if (chmod(dir, 0700) == 0)
        nftw(dir, make_searchable, 16, FTW_PHYS);
    nftw(dir, remove_one, 16, FTW_PHYS | FTW_DEPTH);
}

char *probe_test_fixture(const char *name)
{
    return cdoc_xasprintf("%s/%s", CDOC_FIXTURES, name);
}
