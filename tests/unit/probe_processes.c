/* SPDX-License-Identifier: MIT */
/* The process list and full names of processes with cut-down comms. */
#include "probe/probe.h"
#include "probe_helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct cdoc_processes read_tree(void)
{
    char *root = probe_test_fixture("proc-tree");
    struct cdoc_processes processes;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_processes_read(root, &processes, &err), 0, "%s",
                 err.msg);
    free(root);
    return processes;
}

static const struct cdoc_process *by_pid(const struct cdoc_processes *list,
                                         pid_t pid)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i].pid == pid)
            return &list->items[i];
    return NULL;
}

Test(probe_processes, numeric_entries_only)
{
    struct cdoc_processes processes = read_tree();
    static const pid_t expected[] = {1, 2, 123, 124, 200, 201, 300, 301};

    cr_assert_eq(processes.count, sizeof(expected) / sizeof(*expected));
    for (size_t i = 0; i < processes.count; i++)
        cr_assert_eq(processes.items[i].pid, expected[i],
                     "entry %zu is pid %d", i, (int)processes.items[i].pid);
    cr_assert_null(cdoc_processes_find(&processes, "notapid"));
    cr_assert_null(cdoc_processes_find(&processes, "self"));
    cdoc_processes_release(&processes);
}

Test(probe_processes, vanished_pid_skipped)
{
    struct cdoc_processes processes = read_tree();

    cr_assert_null(by_pid(&processes, 999), "no comm: the process exited");
    cr_assert_null(by_pid(&processes, 998), "no cmdline: it exited mid-read");
    cr_assert_null(cdoc_processes_find(&processes, "half-gone"));
    cdoc_processes_release(&processes);
}

Test(probe_processes, long_name_from_argv0)
{
    struct cdoc_processes processes = read_tree();
    const struct cdoc_process *proxy =
        cdoc_processes_find(&processes, "capsem-net-proxy");
    const struct cdoc_process *agent =
        cdoc_processes_find(&processes, "capsem-pty-agent");

    cr_assert_not_null(proxy);
    cr_assert_eq(proxy->pid, 123);
    cr_assert_str_eq(proxy->comm, "capsem-net-prox");
    cr_assert_not_null(agent, "argv[0] without a directory");
    cr_assert_eq(agent->pid, 124);
    cr_assert_null(cdoc_processes_find(&processes, "capsem-net-prox"),
                   "the full name replaces the cut-down comm");
    cdoc_processes_release(&processes);
}

Test(probe_processes, script_name_after_interpreter)
{
    struct cdoc_processes processes = read_tree();
    const struct cdoc_process *script = by_pid(&processes, 200);

    cr_assert_not_null(script);
    cr_assert_str_eq(script->name, "long-script-name");
    cdoc_processes_release(&processes);
}

Test(probe_processes, fifteen_byte_program_kept)
{
    struct cdoc_processes processes = read_tree();
    const struct cdoc_process *exact = by_pid(&processes, 201);
    const struct cdoc_process *title = by_pid(&processes, 301);

    cr_assert_not_null(exact);
    cr_assert_str_eq(exact->name, "fifteen-chars-x",
                     "an argument must not rename a 15-byte program");
    cr_assert_not_null(title);
    cr_assert_str_eq(title->name, "rewritten-title");
    cdoc_processes_release(&processes);
}

Test(probe_processes, kernel_thread_empty_cmdline)
{
    struct cdoc_processes processes = read_tree();
    const struct cdoc_process *kthreadd = by_pid(&processes, 2);

    cr_assert_not_null(kthreadd);
    cr_assert_str_eq(kthreadd->comm, "kthreadd");
    cr_assert_str_eq(kthreadd->name, "kthreadd");
    cr_assert_eq(cdoc_processes_find(&processes, "dnsmasq"),
                 by_pid(&processes, 300));
    cdoc_processes_release(&processes);
}

Test(probe_processes, missing_proc_names_path)
{
    struct cdoc_processes processes;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_processes_read("/nonexistent-root", &processes, &err),
                 -1);
    cr_assert(strstr(err.msg, "/nonexistent-root/proc"), "got: %s", err.msg);
    cr_assert_eq(processes.count, 0);
}

Test(probe_processes, live_list_has_self)
{
    struct cdoc_processes processes;
    struct cdoc_err err = {{0}};
    const struct cdoc_process *self;
    char *comm;

    cr_assert_eq(cdoc_processes_read("/", &processes, &err), 0, "%s",
                 err.msg);
    self = by_pid(&processes, getpid());
    cr_assert_not_null(self);
    cr_assert_eq(cdoc_read_file("/", "proc/self/comm", 64, &comm, NULL, &err),
                 0);
    cr_assert_eq(strncmp(self->comm, comm, strlen(self->comm)), 0);
    free(comm);
    cdoc_processes_release(&processes);
}
