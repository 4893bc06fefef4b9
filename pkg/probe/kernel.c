/* SPDX-License-Identifier: MIT */
/* Kernel facts that need a system call or a clock: modules and the RTC. */
#include "probe/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum cdoc_module_loading cdoc_module_loading_from_errno(const char *root,
                                                        int errno_seen)
{
    enum cdoc_module_loading verdict = CDOC_MODULES_UNKNOWN;
    char *disabled;

    switch (errno_seen) {
    case ENOSYS:
        return CDOC_MODULES_NOT_BUILT;
    case EBADF:
        return CDOC_MODULES_ALLOWED;
    case EPERM:
        break;
    default:
        return CDOC_MODULES_UNKNOWN;
    }

    if (cdoc__read_value(root, "proc/sys/kernel/modules_disabled",
                         &disabled, NULL) < 0)
        return CDOC_MODULES_UNKNOWN;
    if (!strcmp(disabled, "1"))
        verdict = CDOC_MODULES_DISABLED;
    free(disabled);
    return verdict;
}

enum cdoc_module_loading cdoc_probe_module_loading(int *errno_seen)
{
    long rc;
    int error;

    /*
     * The kernel checks CAP_SYS_MODULE and modules_disabled before it looks
     * at the descriptor, so -1 ends the call at EBADF when loading would
     * be allowed, and nothing can ever be loaded.
     */
    rc = syscall(SYS_finit_module, -1, "", 0);
    error = rc < 0 ? errno : 0;
    if (errno_seen)
        *errno_seen = error;
    if (rc == 0)
        return CDOC_MODULES_ALLOWED;
    return cdoc_module_loading_from_errno("/", error);
}

int cdoc_rtc_seconds(const char *root, double *seconds, struct cdoc_err *err)
{
    static const char path[] = "sys/class/rtc/rtc0/since_epoch";
    char *text;
    char *end;
    unsigned long long value;

    *seconds = 0;
    if (cdoc__read_value(root, path, &text, err) < 0)
        return -1;

    errno = 0;
    value = strtoull(text, &end, 10);
    if (errno || !isdigit((unsigned char)text[0]) || *end) {
        char *full = cdoc_path_join(root, path);

        cdoc_errf(err, "'%s' holds '%s', not a count of seconds", full,
                  text);
        free(full);
        free(text);
        return -1;
    }
    free(text);
    *seconds = (double)value;
    return 0;
}
