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

Test(report_atomic, directory_path_rejected)
{
    char *dir = make_dir();
    char *path = cdoc_xasprintf("%s/report.xml", dir);
    struct cdoc_err err = {{0}};

    /* A directory where the report should go is named as such before
     * anything is written, and nothing is left beside it. */
    cr_assert_eq(mkdir(path, 0755), 0);
    cr_expect_eq(cdoc_write_file_atomic(path, "data", 4, &err), -1);
    cr_expect_not_null(strstr(err.msg, path), "%s", err.msg);
    cr_expect_not_null(strstr(err.msg, "is a directory"), "%s", err.msg);
    cr_expect_eq(entries(dir), 1, "a temporary file was left behind");
    free(path);
    remove_tree(dir);
}

Test(report_atomic, device_written_through)
{
    struct cdoc_err err = {{0}};
    struct stat st;

    /* /dev/null stays a character device: it is written to, never
     * replaced by a regular file. */
    cr_assert_eq(cdoc_write_file_atomic("/dev/null", "data", 4, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(stat("/dev/null", &st), 0);
    cr_expect(S_ISCHR(st.st_mode));
}

Test(report_atomic, symlink_target_replaced)
{
    char *dir = make_dir();
    char *target = cdoc_xasprintf("%s/target.xml", dir);
    char *link = cdoc_xasprintf("%s/link.xml", dir);
    struct cdoc_err err = {{0}};
    struct stat st;
    char content[8] = "";
    FILE *file;

    cr_assert_eq(symlink("target.xml", link), 0);
    file = fopen(target, "w");
    cr_assert_not_null(file);
    fputs("old", file);
    fclose(file);

    cr_assert_eq(cdoc_write_file_atomic(link, "new", 3, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(lstat(link, &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "the link was replaced");
    file = fopen(target, "r");
    cr_assert_not_null(file);
    cr_expect_not_null(fgets(content, sizeof(content), file));
    fclose(file);
    cr_expect_str_eq(content, "new");
    free(target);
    free(link);
    remove_tree(dir);
}

Test(report_atomic, dangling_symlink_rejected)
{
    char *dir = make_dir();
    char *link = cdoc_xasprintf("%s/dangling.xml", dir);
    struct cdoc_err err = {{0}};
    struct stat st;

    cr_assert_eq(symlink("/nonexistent/target.xml", link), 0);
    cr_expect_eq(cdoc_write_file_atomic(link, "x", 1, &err), -1);
    cr_expect_not_null(strstr(err.msg, "symbolic link"), "%s", err.msg);
    cr_assert_eq(lstat(link, &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "the link was replaced");
    free(link);
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
