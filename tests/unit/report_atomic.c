/* SPDX-License-Identifier: MIT */
/* Atomic report files (pkg/report/atomic.c). */
#include "report/report.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *make_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = cdoc_xasprintf("%s/cdoc-atomic-XXXXXX",
                               tmp && *tmp ? tmp : "/tmp");

    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
    return dir;
}

/* Number of entries in dir other than . and .. */
static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    cr_assert_not_null(d);
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    }
    closedir(d);
    return n;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct cdoc_buf buf = {0};
    char chunk[4096];
    size_t n;

    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        cdoc_buf_append(&buf, chunk, n);
    fclose(f);
    cdoc_buf_append(&buf, "", 0);
    *len = buf.len;
    return buf.data;
}

static void remove_tree(char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    while (d && (e = readdir(d))) {
        char *path;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        path = cdoc_xasprintf("%s/%s", dir, e->d_name);
        if (rmdir(path) < 0)
            unlink(path);
        free(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
    free(dir);
}

Test(report_atomic, writes_bytes_with_mode_0644)
{
    static const char data[] = "bytes\0with NUL\n";
    char *dir = make_dir();
    char *path = cdoc_xasprintf("%s/report.xml", dir);
    struct cdoc_err err = {{0}};
    struct stat st;
    size_t len;
    char *got;

    /* A strict umask must not change the mode. */
    umask(077);
    cr_assert_eq(cdoc_write_file_atomic(path, data, sizeof(data), &err), 0,
                 "%s", err.msg);
    got = slurp(path, &len);
    cr_expect_eq(len, sizeof(data));
    cr_expect_eq(memcmp(got, data, sizeof(data)), 0);
    free(got);
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_mode & 07777, 0644, "mode %o", st.st_mode & 07777);
    cr_expect(S_ISREG(st.st_mode));
    cr_expect_eq(entries(dir), 1, "a temporary file was left behind");
    free(path);
    remove_tree(dir);
}

Test(report_atomic, replaces_an_existing_file)
{
    char *dir = make_dir();
    char *path = cdoc_xasprintf("%s/report.json", dir);
    struct cdoc_err err = {{0}};
    size_t len;
    char *got;

    cr_assert_eq(cdoc_write_file_atomic(path, "old, longer content", 19,
                                        &err),
                 0, "%s", err.msg);
    cr_assert_eq(cdoc_write_file_atomic(path, "new", 3, &err), 0, "%s",
                 err.msg);
    got = slurp(path, &len);
    cr_expect_eq(len, 3);
    cr_expect_str_eq(got, "new");
    free(got);
    cr_assert_eq(cdoc_write_file_atomic(path, NULL, 0, &err), 0, "%s",
                 err.msg);
    got = slurp(path, &len);
    cr_expect_eq(len, 0);
    free(got);
    cr_expect_eq(entries(dir), 1);
    free(path);
    remove_tree(dir);
}

Test(report_atomic, missing_directory_is_an_error_naming_path_and_errno)
{
    char *dir = make_dir();
    char *path = cdoc_xasprintf("%s/absent/report.xml", dir);
    struct cdoc_err err = {{0}};

    cr_expect_eq(cdoc_write_file_atomic(path, "x", 1, &err), -1);
    cr_expect_not_null(strstr(err.msg, path), "%s", err.msg);
    cr_expect_not_null(strstr(err.msg, strerror(ENOENT)), "%s", err.msg);
    cr_expect_not_null(strstr(err.msg, "errno 2"), "%s", err.msg);
    cr_expect_eq(entries(dir), 0);
    free(path);
    remove_tree(dir);
}

Test(report_atomic, failed_rename_leaves_no_temporary_file)
{
    char *dir = make_dir();
    char *path = cdoc_xasprintf("%s/report.xml", dir);
    struct cdoc_err err = {{0}};
    char *errno_text;

    /* A directory where the report should go: rename(2) fails with
     * EISDIR after the data was written and synced. */
    cr_assert_eq(mkdir(path, 0755), 0);
    cr_expect_eq(cdoc_write_file_atomic(path, "data", 4, &err), -1);
    cr_expect_not_null(strstr(err.msg, path), "%s", err.msg);
    cr_expect_not_null(strstr(err.msg, "rename"), "%s", err.msg);
    errno_text = cdoc_xasprintf("errno %d", EISDIR);
    cr_expect_not_null(strstr(err.msg, errno_text), "%s", err.msg);
    free(errno_text);
    cr_expect_eq(entries(dir), 1, "the temporary file was left behind");
    free(path);
    remove_tree(dir);
}

Test(report_atomic, file_as_parent_and_empty_name)
{
    char *dir = make_dir();
    char *file = cdoc_xasprintf("%s/plain", dir);
    char *path = cdoc_xasprintf("%s/plain/report.xml", dir);
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_write_file_atomic(file, "x", 1, &err), 0, "%s",
                 err.msg);
    cr_expect_eq(cdoc_write_file_atomic(path, "x", 1, &err), -1);
    cr_expect_not_null(strstr(err.msg, strerror(ENOTDIR)), "%s", err.msg);
    cr_expect_eq(cdoc_write_file_atomic("", "x", 1, &err), -1);
    cr_expect_neq(err.msg[0], '\0');
    /* A NULL err is allowed. */
    cr_expect_eq(cdoc_write_file_atomic(path, "x", 1, NULL), -1);
    cr_expect_eq(entries(dir), 1);
    free(file);
    free(path);
    remove_tree(dir);
}
