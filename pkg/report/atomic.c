/* SPDX-License-Identifier: MIT */
/*
 * Atomic file replacement: the bytes go to "<path>.tmp.XXXXXX" in the same
 * directory (so rename stays within one file system), are fsynced, and the
 * temporary file is renamed over path. Readers see the old file or the whole
 * new one, never a prefix; a failure leaves no temporary file behind.
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

int cdoc_write_file_atomic(const char *path, const void *bytes, size_t len,
                           struct cdoc_err *err)
{
    const char *step;
    char *tmp;
    int saved;
    int fd;

    if (!path || !*path)
        return cdoc_errf(err, "cannot write a report: the file name is empty");

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
