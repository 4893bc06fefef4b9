/* SPDX-License-Identifier: MIT */
/* Paths, whole-file reads, file-mode walks and writability. */
#include "probe/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

char *cdoc_path_join(const char *root, const char *path)
{
    size_t root_len;

    if (!root || !*root)
        root = "/";
    if (!path)
        path = "";

    root_len = strlen(root);
    while (root_len > 0 && root[root_len - 1] == '/')
        root_len--;
    while (*path == '/')
        path++;

    if (!*path)
        return root_len ? cdoc_xasprintf("%.*s", (int)root_len, root)
                        : cdoc_xstrdup("/");
    return cdoc_xasprintf("%.*s/%s", (int)root_len, root, path);
}

static int read_fd(int fd, size_t max, struct cdoc_buf *buf)
{
    char chunk[8192];

    while (buf->len < max) {
        size_t want = max - buf->len;
        ssize_t got;

        if (want > sizeof(chunk))
            want = sizeof(chunk);
        got = read(fd, chunk, want);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        cdoc_buf_append(buf, chunk, (size_t)got);
    }
    return 0;
}

int cdoc_read_file(const char *root, const char *path, size_t max,
                   char **text, size_t *len, struct cdoc_err *err)
{
    char *full = cdoc_path_join(root, path);
    struct cdoc_buf buf = {0};
    int fd;
    int saved;

    *text = NULL;
    if (len)
        *len = 0;

    /* O_NONBLOCK: a FIFO planted where a /proc file should be reads as
     * empty instead of blocking the check until its time limit. */
    fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0 || read_fd(fd, max, &buf) < 0) {
        saved = errno;
        cdoc_errf(err, "cannot read '%s': %s", full, strerror(saved));
        if (fd >= 0)
            close(fd);
        cdoc_buf_release(&buf);
        free(full);
        errno = saved;
        return -1;
    }
    close(fd);
    free(full);

    /* An empty buffer has no storage yet; the caller still gets "". */
    cdoc_buf_append(&buf, "", 0);
    *text = buf.data;
    if (len)
        *len = buf.len;
    return 0;
}

int cdoc__read_value(const char *root, const char *path, char **value,
                     struct cdoc_err *err)
{
    if (cdoc_read_file(root, path, CDOC__VALUE_MAX, value, NULL, err) < 0)
        return -1;
    cdoc__chomp(*value);
    return 0;
}

/* ---- find_mode_bits ---------------------------------------------------- */

struct mode_walk {
    dev_t dev;
    mode_t mask;
    size_t max_listed;
    struct cdoc_strings *found;
    size_t count;
    size_t unreadable;
};

static void walk_entry(struct mode_walk *walk, int dir_fd, const char *path,
                       const char *name);

/* Walk the directory open on fd (closed here); path names it in results. */
static void walk_dir(struct mode_walk *walk, int fd, const char *path)
{
    DIR *dir = fdopendir(fd);
    struct dirent *entry;

    if (!dir) {
        close(fd);
        walk->unreadable++;
        return;
    }

    for (;;) {
        errno = 0;
        entry = readdir(dir);
        if (!entry) {
            /* A directory that fails part-way was not fully read. */
            if (errno)
                walk->unreadable++;
            break;
        }
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
            continue;
        walk_entry(walk, dirfd(dir), path, entry->d_name);
    }
    closedir(dir);
}

static void walk_entry(struct mode_walk *walk, int dir_fd, const char *path,
                       const char *name)
{
    struct stat st;
    char *child;
    int fd;

    /* An entry removed since readdir is simply gone; lstat semantics keep
     * symlinks from being followed. */
    if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return;

    if (S_ISREG(st.st_mode)) {
        if (!(st.st_mode & walk->mask))
            return;
        walk->count++;
        if (walk->found->count < walk->max_listed) {
            child = cdoc_path_join(path, name);
            cdoc_probe_strings_append(walk->found, child);
            free(child);
        }
        return;
    }

    /* Another filesystem mounted below dir is not this walk's concern. */
    if (!S_ISDIR(st.st_mode) || st.st_dev != walk->dev)
        return;

    fd = openat(dir_fd, name,
                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            walk->unreadable++;
        return;
    }
    child = cdoc_path_join(path, name);
    walk_dir(walk, fd, child);
    free(child);
}

int cdoc_find_mode_bits(const char *dir, mode_t mask, size_t max_listed,
                        struct cdoc_strings *found, size_t *count,
                        size_t *unreadable, struct cdoc_err *err)
{
    struct mode_walk walk = {
        .mask = mask,
        .max_listed = max_listed,
        .found = found,
    };
    struct stat st;
    int fd;

    *count = 0;
    *unreadable = 0;

    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return cdoc_errf(err, "cannot open directory '%s': %s", dir,
                         strerror(errno));
    if (fstat(fd, &st) < 0) {
        int saved = errno;

        close(fd);
        return cdoc_errf(err, "cannot stat '%s': %s", dir, strerror(saved));
    }

    walk.dev = st.st_dev;
    walk_dir(&walk, fd, dir);
    *count = walk.count;
    *unreadable = walk.unreadable;
    return 0;
}

/* ---- writability ------------------------------------------------------- */

static int probe_writable_fallback(const char *dir, const char **how,
                                   struct cdoc_err *err)
{
    struct statvfs vfs;

    if (how)
        *how = "statvfs and access(W_OK), because the filesystem does not "
               "support O_TMPFILE";
    if (statvfs(dir, &vfs) < 0)
        return cdoc_errf(err, "cannot statvfs '%s': %s", dir,
                         strerror(errno));
    if (vfs.f_flag & ST_RDONLY)
        return cdoc_errf(err, "'%s' is not writable: %s", dir,
                         strerror(EROFS));
    if (access(dir, W_OK) < 0)
        return cdoc_errf(err, "'%s' is not writable: %s", dir,
                         strerror(errno));
    return 0;
}

int cdoc_probe_writable(const char *dir, const char **how,
                        struct cdoc_err *err)
{
    int fd;

    if (how)
        *how = "O_TMPFILE";

    /* The unnamed file vanishes on close, so the probe leaves nothing
     * behind even when the doctor is killed mid-way. */
    fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return 0;
    }

    /* EOPNOTSUPP: the filesystem has no tmpfile operation. EISDIR: the
     * kernel predates O_TMPFILE and took it for O_DIRECTORY. */
    if (errno == EOPNOTSUPP || errno == EISDIR)
        return probe_writable_fallback(dir, how, err);
    return cdoc_errf(err, "'%s' is not writable: %s", dir, strerror(errno));
}
