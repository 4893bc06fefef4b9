/* SPDX-License-Identifier: MIT */
/* Finding and loading libcapsem-doctor-net.so on first use. */
#include "net/load.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REINSTALL_HINT \
    "build capsem-doctor again (cmake --build) or reinstall it, so that " \
    CDOC_NET_LIBRARY " is beside the executable or in ../lib/capsem-doctor/"

void cdoc__net_library_paths(const char *exe_path,
                             struct cdoc_strings *paths)
{
    const char *slash = strrchr(exe_path, '/');
    int dir_len = slash ? (int)(slash - exe_path) : 1;
    const char *dir = slash ? exe_path : ".";
    char *path;

    *paths = (struct cdoc_strings){0};
    path = cdoc_xasprintf("%.*s/%s", dir_len, dir, CDOC_NET_LIBRARY);
    cdoc_strings_append(paths, path);
    free(path);
    path = cdoc_xasprintf("%.*s/../lib/capsem-doctor/%s", dir_len, dir,
                          CDOC_NET_LIBRARY);
    cdoc_strings_append(paths, path);
    free(path);
}

/* dlerror's text without the "path: " it usually starts with, since the
 * message names the path already. */
static const char *reason_after_path(const char *text, const char *path)
{
    size_t len = strlen(path);

    if (!text)
        return "unknown dlopen error";
    if (strncmp(text, path, len) == 0 && strncmp(text + len, ": ", 2) == 0)
        return text + len + 2;
    return text;
}

/* Open one candidate and check its ABI. On failure, append "path
 * (reason)" to failures and return NULL. A loaded library stays loaded
 * for the life of the process. */
static const struct cdoc_net *try_path(const char *path,
                                       struct cdoc_buf *failures)
{
    const struct cdoc_net *(*entry)(void);
    const struct cdoc_net *net;
    void *handle;

    if (failures->len)
        cdoc_buf_puts(failures, ", ");
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        cdoc_buf_printf(failures, "%s (%s)", path,
                        reason_after_path(dlerror(), path));
        return NULL;
    }
    /* POSIX's way to turn dlsym's void * into a function pointer. */
    *(void **)&entry = dlsym(handle, "cdoc_net_library");
    if (!entry) {
        cdoc_buf_printf(failures, "%s (%s)", path,
                        reason_after_path(dlerror(), path));
        dlclose(handle);
        return NULL;
    }
    net = entry();
    if (!net || net->abi != CDOC_NET_ABI) {
        cdoc_buf_printf(failures,
                        "%s (ABI %d, but this capsem-doctor needs ABI %d)",
                        path, net ? net->abi : -1, CDOC_NET_ABI);
        dlclose(handle);
        return NULL;
    }
    return net;
}

const struct cdoc_net *cdoc__net_load_from(const char *exe_path,
                                           struct cdoc_err *err)
{
    struct cdoc_strings paths;
    struct cdoc_buf failures = {0};
    const struct cdoc_net *net = NULL;

    cdoc__net_library_paths(exe_path, &paths);
    for (size_t i = 0; i < paths.count && !net; i++)
        net = try_path(paths.items[i], &failures);
    if (!net)
        cdoc_errf(err, "cannot load the network library %s: tried %s; %s",
                  CDOC_NET_LIBRARY, failures.data, REINSTALL_HINT);
    cdoc_buf_release(&failures);
    cdoc_strings_release(&paths);
    return net;
}

const struct cdoc_net *cdoc_net_load(struct cdoc_err *err)
{
    static const struct cdoc_net *loaded;
    char exe[PATH_MAX];
    ssize_t len;

    if (loaded)
        return loaded;
    /* The executable's own path, from the kernel rather than argv[0] or
     * the environment, since the doctor runs as root. */
    len = readlink("/proc/self/exe", exe, sizeof(exe));
    if (len < 0) {
        cdoc_errf(err, "cannot read /proc/self/exe to find %s beside the "
                  "executable: %s; mount /proc", CDOC_NET_LIBRARY,
                  strerror(errno));
        return NULL;
    }
    if ((size_t)len >= sizeof(exe)) {
        cdoc_errf(err, "the path of the executable is longer than %zu "
                  "bytes; install capsem-doctor under a shorter path",
                  sizeof(exe) - 1);
        return NULL;
    }
    exe[len] = '\0';
    loaded = cdoc__net_load_from(exe, err);
    return loaded;
}
