/* SPDX-License-Identifier: MIT */
/* Paths, whole-file reads, file-mode walks and writability. */
#include "probe/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

/* ---- mode-bit walks ----------------------------------------------------- */

/*
 * The walk reads directories with getdents64 and uses d_type to skip
 * symlinks, devices and the like without a stat. Regular files get a
 * statx that asks only for the mode. Directories two levels below the
 * start become work items that up to MODE_WALK_THREADS threads take in
 * turn, so large trees such as /usr/lib are split between CPUs.
 */

/* Threads of one walk; more than the CPUs online are never started. */
#define MODE_WALK_THREADS 2
/* Directories at this depth below the start are the threads' work items. */
#define MODE_WALK_SPLIT_DEPTH 2
#define MODE_WALK_DIRENT_BUFFER (32 * 1024)

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

struct mode_walk_shared {
    const char *start;       /* the walk's start, as the caller named it */
    int start_fd;
    dev_t dev;
    mode_t mask;
    struct cdoc_strings items; /* directories relative to start */
    size_t next_item;
    pthread_mutex_t lock;
};

struct mode_walk_local {
    struct mode_walk_shared *shared;
    struct cdoc_buf path;    /* directory being read, relative to start */
    struct cdoc_mode_scan result;
    bool collect_items;      /* true before the threads start */
};

static void scan_keep(struct cdoc_mode_scan *scan, const char *path,
                      mode_t mode)
{
    if (scan->kept == scan->capacity) {
        scan->capacity = scan->capacity ? scan->capacity * 2 : 16;
        scan->files = cdoc_xrealloc(scan->files,
                                    scan->capacity * sizeof(*scan->files));
    }
    scan->files[scan->kept].path = cdoc_xstrdup(path);
    scan->files[scan->kept].mode = mode;
    scan->kept++;
}

static void note_file(struct mode_walk_local *local, const char *name,
                      mode_t mode)
{
    struct cdoc_mode_scan *scan = &local->result;
    size_t mark = local->path.len;
    char *full;

    if (!(mode & local->shared->mask))
        return;
    scan->count++;
    scan->setuid_count += (mode & S_ISUID) != 0;
    scan->setgid_count += (mode & S_ISGID) != 0;
    if (scan->kept >= CDOC_MODE_SCAN_KEPT)
        return;
    if (mark)
        cdoc_buf_puts(&local->path, "/");
    cdoc_buf_puts(&local->path, name);
    full = cdoc_path_join(local->shared->start, local->path.data);
    scan_keep(scan, full, mode & 07777);
    free(full);
    local->path.len = mark;
    local->path.data[mark] = '\0';
}

static void walk_directory(struct mode_walk_local *local, int fd,
                           unsigned depth);

/* Descend into the directory name of dir_fd if it is on the walk's
 * filesystem. The caller has put name on local->path. */
static void enter_directory(struct mode_walk_local *local, int dir_fd,
                            const char *name, unsigned depth)
{
    struct stat st;
    int fd;

    if (local->collect_items && depth == MODE_WALK_SPLIT_DEPTH) {
        /* Checked for the filesystem when a thread opens it. */
        cdoc_strings_append(&local->shared->items, local->path.data);
        return;
    }
    fd = openat(dir_fd, name,
                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        /* Gone since it was listed, or replaced by a symlink. */
        if (errno != ENOENT && errno != ELOOP && errno != ENOTDIR)
            local->result.unreadable++;
        return;
    }
    /* Another filesystem mounted below the start is not this walk's
     * concern. */
    if (fstat(fd, &st) < 0 || st.st_dev != local->shared->dev) {
        close(fd);
        return;
    }
    walk_directory(local, fd, depth);
}

static void walk_entry(struct mode_walk_local *local, int dir_fd,
                       const struct linux_dirent64 *entry, unsigned depth)
{
    const char *name = entry->d_name;
    unsigned char type = entry->d_type;
    struct statx stx;
    size_t mark;

    if (type == DT_UNKNOWN || type == DT_REG) {
        /* lstat semantics: a symlink is never followed. An entry removed
         * since it was listed is simply gone. */
        if (statx(dir_fd, name, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC,
                  STATX_TYPE | STATX_MODE, &stx) < 0)
            return;
        if (S_ISREG(stx.stx_mode)) {
            note_file(local, name, stx.stx_mode);
            return;
        }
        if (!S_ISDIR(stx.stx_mode))
            return;
    } else if (type != DT_DIR) {
        return;
    }

    mark = local->path.len;
    if (mark)
        cdoc_buf_puts(&local->path, "/");
    cdoc_buf_puts(&local->path, name);
    enter_directory(local, dir_fd, name, depth + 1);
    local->path.len = mark;
    local->path.data[mark] = '\0';
}

/* Walk the directory open on fd (closed here), depth levels below the
 * start. */
static void walk_directory(struct mode_walk_local *local, int fd,
                           unsigned depth)
{
    char *buffer = cdoc_xcalloc(1, MODE_WALK_DIRENT_BUFFER);
    ssize_t got;

    for (;;) {
        got = getdents64(fd, buffer, MODE_WALK_DIRENT_BUFFER);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            /* A directory that fails part-way was not fully read. */
            if (got < 0)
                local->result.unreadable++;
            break;
        }
        for (ssize_t at = 0; at < got;) {
            const struct linux_dirent64 *entry = (const void *)(buffer + at);

            at += entry->d_reclen;
            if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
                continue;
            walk_entry(local, fd, entry, depth);
        }
    }
    free(buffer);
    close(fd);
}

static bool take_item(struct mode_walk_shared *shared, const char **item)
{
    bool taken;

    pthread_mutex_lock(&shared->lock);
    taken = shared->next_item < shared->items.count;
    if (taken)
        *item = shared->items.items[shared->next_item++];
    pthread_mutex_unlock(&shared->lock);
    return taken;
}

static void *walk_items(void *arg)
{
    struct mode_walk_local *local = arg;
    const char *item;

    while (take_item(local->shared, &item)) {
        local->path.len = 0;
        cdoc_buf_puts(&local->path, item);
        enter_directory(local, local->shared->start_fd, item,
                        MODE_WALK_SPLIT_DEPTH);
    }
    return NULL;
}

static int compare_mode_files(const void *a, const void *b)
{
    const struct cdoc_mode_file *x = a;
    const struct cdoc_mode_file *y = b;

    return strcmp(x->path, y->path);
}

static void merge_scan(struct cdoc_mode_scan *into,
                       struct cdoc_mode_scan *from)
{
    into->count += from->count;
    into->setuid_count += from->setuid_count;
    into->setgid_count += from->setgid_count;
    into->unreadable += from->unreadable;
    for (size_t i = 0; i < from->kept; i++) {
        if (into->kept < CDOC_MODE_SCAN_KEPT)
            scan_keep(into, from->files[i].path, from->files[i].mode);
    }
    cdoc_mode_scan_release(from);
}

static size_t walk_thread_count(void)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);

    if (online < 1)
        return 1;
    return online < MODE_WALK_THREADS ? (size_t)online : MODE_WALK_THREADS;
}

/* Walk the items with threads; any thread that cannot start leaves its
 * share to the others, and the calling thread always takes part. */
static void walk_items_in_parallel(struct mode_walk_local *locals,
                                   size_t threads)
{
    pthread_t ids[MODE_WALK_THREADS];
    bool started[MODE_WALK_THREADS] = {false};

    for (size_t i = 1; i < threads; i++)
        started[i] = pthread_create(&ids[i], NULL, walk_items,
                                    &locals[i]) == 0;
    walk_items(&locals[0]);
    for (size_t i = 1; i < threads; i++) {
        if (started[i])
            pthread_join(ids[i], NULL);
    }
}

int cdoc_scan_mode_bits(const char *dir, mode_t mask,
                        struct cdoc_mode_scan *scan, struct cdoc_err *err)
{
    struct mode_walk_shared shared = {.start = dir, .mask = mask};
    struct mode_walk_local locals[MODE_WALK_THREADS];
    size_t threads = walk_thread_count();
    struct stat st;
    int fd;

    memset(scan, 0, sizeof(*scan));
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return cdoc_errf(err, "cannot open directory '%s': %s", dir,
                         strerror(errno));
    if (fstat(fd, &st) < 0) {
        int saved = errno;

        close(fd);
        return cdoc_errf(err, "cannot stat '%s': %s", dir, strerror(saved));
    }
    shared.dev = st.st_dev;
    shared.start_fd = fd;
    pthread_mutex_init(&shared.lock, NULL);
    memset(locals, 0, sizeof(locals));
    for (size_t i = 0; i < MODE_WALK_THREADS; i++) {
        locals[i].shared = &shared;
        cdoc_buf_puts(&locals[i].path, "");
    }

    /* The first levels are read here, and their subdirectories become
     * the work items. walk_directory closes what it is given. */
    locals[0].collect_items = true;
    walk_directory(&locals[0], dup(fd), 0);
    locals[0].collect_items = false;
    walk_items_in_parallel(locals, threads);

    *scan = locals[0].result;
    for (size_t i = 1; i < MODE_WALK_THREADS; i++)
        merge_scan(scan, &locals[i].result);
    for (size_t i = 0; i < MODE_WALK_THREADS; i++)
        cdoc_buf_release(&locals[i].path);
    /* Threads finish in any order: sort, so a capped list is the same
     * from run to run. */
    if (scan->kept > 1)
        qsort(scan->files, scan->kept, sizeof(*scan->files),
              compare_mode_files);
    cdoc_strings_release(&shared.items);
    pthread_mutex_destroy(&shared.lock);
    close(fd);
    return 0;
}

void cdoc_mode_scan_release(struct cdoc_mode_scan *scan)
{
    for (size_t i = 0; i < scan->kept; i++)
        free(scan->files[i].path);
    free(scan->files);
    memset(scan, 0, sizeof(*scan));
}

void cdoc_mode_scan_list(const struct cdoc_mode_scan *scan, mode_t bits,
                         size_t max_listed, struct cdoc_strings *found)
{
    for (size_t i = 0; i < scan->kept && found->count < max_listed; i++) {
        if (scan->files[i].mode & bits)
            cdoc_strings_append(found, scan->files[i].path);
    }
}

int cdoc_find_mode_bits(const char *dir, mode_t mask, size_t max_listed,
                        struct cdoc_strings *found, size_t *count,
                        size_t *unreadable, struct cdoc_err *err)
{
    struct cdoc_mode_scan scan;

    *count = 0;
    *unreadable = 0;
    if (cdoc_scan_mode_bits(dir, mask, &scan, err) < 0)
        return -1;
    cdoc_mode_scan_list(&scan, mask, max_listed, found);
    *count = scan.count;
    *unreadable = scan.unreadable;
    cdoc_mode_scan_release(&scan);
    return 0;
}

/* ---- sharing a scan between processes ---------------------------------- */

/* A stored scan is a sequence of NUL-terminated "key=value" records:
 * the counts, then "file=<octal mode> <path>" for each kept file. Paths
 * may contain any byte but NUL. */

int cdoc_mode_scan_save(const struct cdoc_mode_scan *scan, const char *path,
                        struct cdoc_err *err)
{
    struct cdoc_buf text = {0};
    char *temporary = cdoc_xasprintf("%s.tmp", path);
    ssize_t written = -1;
    int fd;

    cdoc_buf_printf(&text, "count=%zu", scan->count);
    cdoc_buf_append(&text, "", 1);
    cdoc_buf_printf(&text, "setuid=%zu", scan->setuid_count);
    cdoc_buf_append(&text, "", 1);
    cdoc_buf_printf(&text, "setgid=%zu", scan->setgid_count);
    cdoc_buf_append(&text, "", 1);
    cdoc_buf_printf(&text, "unreadable=%zu", scan->unreadable);
    cdoc_buf_append(&text, "", 1);
    for (size_t i = 0; i < scan->kept; i++) {
        cdoc_buf_printf(&text, "file=%o %s", (unsigned)scan->files[i].mode,
                        scan->files[i].path);
        cdoc_buf_append(&text, "", 1);
    }

    fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        written = write(fd, text.data, text.len);
        if (close(fd) < 0)
            written = -1;
    }
    if (written != (ssize_t)text.len || rename(temporary, path) < 0) {
        cdoc_errf(err, "cannot store the scan in '%s': %s", path,
                  written < 0 || written == (ssize_t)text.len
                      ? strerror(errno) : "short write");
        unlink(temporary);
        free(temporary);
        cdoc_buf_release(&text);
        return -1;
    }
    free(temporary);
    cdoc_buf_release(&text);
    return 0;
}

static bool parse_count(const char *record, const char *key, size_t *value)
{
    size_t key_len = strlen(key);
    char *end;

    if (strncmp(record, key, key_len) != 0 || record[key_len] != '=')
        return false;
    errno = 0;
    *value = strtoull(record + key_len + 1, &end, 10);
    return errno == 0 && *end == '\0';
}

static bool parse_file(struct cdoc_mode_scan *scan, const char *record)
{
    unsigned long mode;
    char *end;

    if (strncmp(record, "file=", 5) != 0)
        return false;
    errno = 0;
    mode = strtoul(record + 5, &end, 8);
    if (errno || *end != ' ' || mode > 07777)
        return false;
    scan_keep(scan, end + 1, (mode_t)mode);
    return true;
}

int cdoc_mode_scan_load(struct cdoc_mode_scan *scan, const char *path,
                        struct cdoc_err *err)
{
    char *text;
    size_t len;

    memset(scan, 0, sizeof(*scan));
    if (cdoc_read_file("/", path, CDOC__TABLE_MAX, &text, &len, err) < 0)
        return -1;
    for (size_t at = 0; at < len;) {
        const char *record = text + at;
        bool known = parse_count(record, "count", &scan->count) ||
                     parse_count(record, "setuid", &scan->setuid_count) ||
                     parse_count(record, "setgid", &scan->setgid_count) ||
                     parse_count(record, "unreadable", &scan->unreadable) ||
                     parse_file(scan, record);

        if (!known) {
            cdoc_errf(err, "invalid record '%.40s' in the stored scan '%s'",
                      record, path);
            cdoc_mode_scan_release(scan);
            free(text);
            errno = EINVAL;
            return -1;
        }
        at += strlen(record) + 1;
    }
    free(text);
    return 0;
}

int cdoc_scan_special_bits_shared(const char *dir, const char *share_dir,
                                  struct cdoc_mode_scan *scan,
                                  struct cdoc_err *err)
{
    char *lock_path;
    char *scan_path;
    int lock_fd;
    int rc;

    if (!share_dir)
        return cdoc_scan_mode_bits(dir, S_ISUID | S_ISGID, scan, err);

    lock_path = cdoc_xasprintf("%s/mode-scan.lock", share_dir);
    scan_path = cdoc_xasprintf("%s/mode-scan", share_dir);
    lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd < 0) {
        cdoc_errf(err, "cannot open '%s': %s", lock_path, strerror(errno));
        rc = -1;
        goto out;
    }
    while ((rc = flock(lock_fd, LOCK_EX)) < 0 && errno == EINTR)
        ;
    if (rc < 0) {
        cdoc_errf(err, "cannot lock '%s': %s", lock_path, strerror(errno));
        goto out;
    }

    /* Under the lock, a stored scan is complete: it is renamed into place
     * before the lock is dropped. */
    rc = cdoc_mode_scan_load(scan, scan_path, err);
    if (rc < 0 && errno == ENOENT) {
        rc = cdoc_scan_mode_bits(dir, S_ISUID | S_ISGID, scan, err);
        /* A scan that cannot be stored costs the other check a walk of
         * its own, not this check's result. */
        if (rc == 0 && cdoc_mode_scan_save(scan, scan_path, NULL) < 0)
            unlink(scan_path);
    }

out:
    if (lock_fd >= 0)
        close(lock_fd);
    free(lock_path);
    free(scan_path);
    return rc;
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
