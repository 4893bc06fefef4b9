/* SPDX-License-Identifier: MIT */
/* The process list from <root>/proc/<pid>/comm and cmdline. */
#include "probe/internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The kernel keeps at most TASK_COMM_LEN - 1 = 15 bytes of a name. */
#define COMM_MAX 15

static bool vanished(int error)
{
    /* ESRCH: the task exited after its directory was opened. */
    return error == ENOENT || error == ESRCH;
}

static bool parse_pid(const char *name, pid_t *pid)
{
    long value = 0;

    if (!*name)
        return false;
    for (const char *p = name; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        value = value * 10 + (*p - '0');
        if (value > 0x7fffffff)
            return false;
    }
    *pid = (pid_t)value;
    return value > 0;
}

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

/* The basename of arg when comm is its cut-down form, or NULL. */
static const char *extends_comm(const char *arg, const char *comm)
{
    const char *base = basename_of(arg);

    if (strlen(base) > COMM_MAX && !strncmp(base, comm, COMM_MAX))
        return base;
    return NULL;
}

/*
 * The full name of a process whose comm was cut to 15 bytes. argv[0] names
 * the program in the usual case. For a script started through its "#!"
 * line, the kernel takes comm from the script, which comes in argv after
 * the interpreter and its options.
 */
static char *full_name(const char *comm, const char *argv, size_t argv_len)
{
    const char *arg = argv;
    const char *end = argv + argv_len;

    if (strlen(comm) != COMM_MAX || argv_len == 0)
        return cdoc_xstrdup(comm);

    /* A program whose name really is 15 bytes long is not a script. */
    if (!strcmp(basename_of(arg), comm))
        return cdoc_xstrdup(comm);

    while (arg < end) {
        const char *base = extends_comm(arg, comm);

        if (base)
            return cdoc_xstrdup(base);
        arg += strlen(arg) + 1;
    }
    return cdoc_xstrdup(comm);
}

/* The target of the link <root>/<path>, or NULL. */
static char *read_link(const char *root, const char *path)
{
    char *full = cdoc_path_join(root, path);
    char target[4096];
    ssize_t len = readlink(full, target, sizeof(target) - 1);

    free(full);
    if (len < 0)
        return NULL;
    target[len] = '\0';
    return cdoc_xstrdup(target);
}

/* A process in a nested PID namespace (a container inside the sandbox)
 * is not one the sandbox itself started. */
static char *read_pid_link(const char *root, pid_t pid, const char *name)
{
    char *path = cdoc_xasprintf("proc/%d/%s", (int)pid, name);
    char *target = read_link(root, path);

    free(path);
    return target;
}

static bool in_other_pid_namespace(const char *root, pid_t pid)
{
    char *theirs = read_pid_link(root, pid, "ns/pid");
    char *ours = read_link(root, "proc/self/ns/pid");
    bool other = theirs && ours && strcmp(theirs, ours) != 0;

    free(theirs);
    free(ours);
    return other;
}

/* 1 when the process was read, 0 when it has gone, -1 on error. */
static int read_process(const char *root, pid_t pid,
                        struct cdoc_process *process, struct cdoc_err *err)
{
    char *comm_path = cdoc_xasprintf("proc/%d/comm", (int)pid);
    char *argv_path = cdoc_xasprintf("proc/%d/cmdline", (int)pid);
    char *comm = NULL;
    char *argv = NULL;
    size_t argv_len = 0;
    int rc = -1;

    if (cdoc__read_value(root, comm_path, &comm, err) < 0) {
        rc = vanished(errno) ? 0 : -1;
        goto out;
    }

    /* A kernel thread has an empty cmdline; any other read failure but
     * exit leaves the name as comm has it. */
    if (cdoc_read_file(root, argv_path, CDOC__VALUE_MAX, &argv, &argv_len,
                       NULL) < 0) {
        if (vanished(errno)) {
            rc = 0;
            goto out;
        }
        argv_len = 0;
    }

    process->pid = pid;
    process->name = full_name(comm, argv ? argv : "", argv_len);
    process->exe = read_pid_link(root, pid, "exe");
    process->other_pid_namespace = in_other_pid_namespace(root, pid);
    process->comm = comm;
    comm = NULL;
    rc = 1;

out:
    free(argv);
    free(comm);
    free(argv_path);
    free(comm_path);
    return rc;
}

static int by_pid(const void *a, const void *b)
{
    const struct cdoc_process *x = a;
    const struct cdoc_process *y = b;

    return (x->pid > y->pid) - (x->pid < y->pid);
}

int cdoc_processes_read(const char *root, struct cdoc_processes *processes,
                        struct cdoc_err *err)
{
    char *proc = cdoc_path_join(root, "proc");
    DIR *dir;
    struct dirent *entry;
    int rc = 0;

    processes->items = NULL;
    processes->count = 0;

    dir = opendir(proc);
    if (!dir) {
        rc = cdoc_errf(err, "cannot list '%s': %s", proc, strerror(errno));
        goto out;
    }

    while ((entry = readdir(dir))) {
        struct cdoc_process process = {0};
        pid_t pid;
        int got;

        if (!parse_pid(entry->d_name, &pid))
            continue;
        got = read_process(root, pid, &process, err);
        if (got < 0) {
            cdoc_processes_release(processes);
            rc = -1;
            break;
        }
        if (got == 0)
            continue;
        processes->items = cdoc_xrealloc(
            processes->items, (processes->count + 1) * sizeof(process));
        processes->items[processes->count++] = process;
    }
    closedir(dir);

    if (rc == 0 && processes->count > 1)
        qsort(processes->items, processes->count, sizeof(*processes->items),
              by_pid);

out:
    free(proc);
    return rc;
}

const struct cdoc_process *cdoc_processes_find(
    const struct cdoc_processes *processes, const char *name)
{
    for (size_t i = 0; i < processes->count; i++)
        if (!strcmp(processes->items[i].name, name))
            return &processes->items[i];
    return NULL;
}

void cdoc_processes_release(struct cdoc_processes *processes)
{
    for (size_t i = 0; i < processes->count; i++) {
        free(processes->items[i].comm);
        free(processes->items[i].name);
        free(processes->items[i].exe);
    }
    free(processes->items);
    processes->items = NULL;
    processes->count = 0;
}
