/* SPDX-License-Identifier: MIT */
/*
 * Atomic file replacement: the bytes go to "<path>.tmp.XXXXXX" in the same
 * directory (so rename stays within one file system), are fsynced, and the
 * temporary file is renamed over path. Readers see the old file or the whole
 * new one, never a prefix; a failure leaves no temporary file behind.
 *
 * Only a regular file is ever replaced. A path that names a device, FIFO
 * or terminal (/dev/stdout, /dev/null) is written through, and a symbolic
 * link to a regular file has its target replaced, so the link stays.
 */
#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REPORT_FILE_MODE 0644

static int write_all(int fd, const unsigned char *bytes, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, bytes, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        bytes += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Make the rename itself durable. Best effort: some file systems refuse to
 * fsync a directory, and the report is already complete and in place. */
static void sync_parent(const char *path)
{
    char *copy = cdoc_xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(copy);
}

/* Write to a device, FIFO or terminal as it is: there is nothing to
 * replace, and replacing it would break it for the whole system. */
static int write_through(const char *path, const void *bytes, size_t len,
                         struct cdoc_err *err)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    int saved;

    if (fd < 0) {
        saved = errno;
        return cdoc_errf(err, "cannot open %s for writing: %s (errno %d)",
                         path, strerror(saved), saved);
    }
    if (write_all(fd, bytes, len) < 0) {
        saved = errno;
        close(fd);
        return cdoc_errf(err, "cannot write %s: %s (errno %d)", path,
                         strerror(saved), saved);
    }
    close(fd);
    return 0;
}

static int replace_regular_file(const char *path, const void *bytes,
                                size_t len, struct cdoc_err *err);

int cdoc_write_file_atomic(const char *path, const void *bytes, size_t len,
                           struct cdoc_err *err)
{
    struct stat st;
    char *target;
    int rc;

    if (!path || !*path)
        return cdoc_errf(err, "cannot write a report: the file name is empty");

    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return cdoc_errf(err, "cannot write %s: it is a directory; name "
                             "a file", path);
        if (!S_ISREG(st.st_mode))
            return write_through(path, bytes, len, err);
        target = realpath(path, NULL);
        if (!target)
            return cdoc_errf(err, "cannot resolve %s: %s", path,
                             strerror(errno));
        rc = replace_regular_file(target, bytes, len, err);
        free(target);
        return rc;
    }
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        return cdoc_errf(err, "cannot write %s: it is a symbolic link to a "
                         "missing file; name the file itself", path);
    return replace_regular_file(path, bytes, len, err);
}

static int replace_regular_file(const char *path, const void *bytes,
                                size_t len, struct cdoc_err *err)
{
    const char *step;
    char *tmp;
    int saved;
    int fd;

    tmp = cdoc_xasprintf("%s.tmp.XXXXXX", path);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        saved = errno;
        free(tmp);
        return cdoc_errf(err,
                         "cannot write %s: creating a temporary file beside it "
                         "failed: %s (errno %d); check that the directory "
                         "exists and is writable",
                         path, strerror(saved), saved);
    }

    step = "fchmod 0644";
    if (fchmod(fd, REPORT_FILE_MODE) < 0)
        goto fail;
    step = "write";
    if (write_all(fd, bytes, len) < 0)
        goto fail;
    step = "fsync";
    if (fsync(fd) < 0)
        goto fail;
    step = "close";
    if (close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    step = "rename";
    if (rename(tmp, path) < 0)
        goto fail;

    sync_parent(path);
    free(tmp);
    return 0;

fail:
    saved = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    cdoc_errf(err, "cannot write %s: %s of the temporary file %s failed: "
              "%s (errno %d)",
              path, step, tmp, strerror(saved), saved);
    free(tmp);
    errno = saved;
    return -1;
}
