/* SPDX-License-Identifier: MIT */
/* Running tools: output, status, signals, time limits and no shell. */
#include "probe/probe.h"

#include "probe_helpers.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *scratch;

static void make_scratch(void)
{
    scratch = probe_test_tmpdir();
}

static void remove_scratch(void)
{
    probe_test_remove_tree(scratch);
    free(scratch);
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct cdoc_exec_result run(const char *const argv[], double timeout,
                                   size_t output_max)
{
    struct cdoc_exec_result result;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_exec(argv, timeout, output_max, &result, &err), 0,
                 "%s", err.msg);
    return result;
}

Test(probe_exec, captures_stdout_and_stderr)
{
    const char *const argv[] = {
        "sh", "-c", "printf out; printf err >&2; printf more", NULL};
    struct cdoc_exec_result result = run(argv, 5, 1024);

    cr_assert(result.started);
    cr_assert_not(result.timed_out);
    cr_assert_eq(result.exit_status, 0);
    cr_assert_eq(result.term_signal, 0);
    cr_assert_str_eq(result.output.data, "outerrmore");
    cr_assert_eq(result.output.len, 10);
    cr_assert_not(result.output_truncated);
    cdoc_exec_result_release(&result);
}

Test(probe_exec, exit_status)
{
    const char *const argv[] = {"sh", "-c", "exit 3", NULL};
    struct cdoc_exec_result result = run(argv, 5, 1024);

    cr_assert(result.started);
    cr_assert_eq(result.exit_status, 3);
    cr_assert_eq(result.term_signal, 0);
    cr_assert_str_eq(result.output.data, "", "no output is still text");
    cdoc_exec_result_release(&result);
}

Test(probe_exec, signal_death)
{
    const char *const argv[] = {"sh", "-c", "kill -TERM $$", NULL};
    struct cdoc_exec_result result = run(argv, 5, 1024);

    cr_assert(result.started);
    cr_assert_not(result.timed_out);
    cr_assert_eq(result.term_signal, SIGTERM);
    cdoc_exec_result_release(&result);
}

Test(probe_exec, time_limit_kills_group)
{
    /* The sleep in the background keeps the pipe open: only a kill of
     * the whole process group ends the run on time. */
    const char *const argv[] = {"sh", "-c", "sleep 5 & sleep 5", NULL};
    double start = now_seconds();
    struct cdoc_exec_result result = run(argv, 0.2, 1024);
    double elapsed = now_seconds() - start;

    cr_assert(result.started);
    cr_assert(result.timed_out);
    cr_assert_eq(result.term_signal, SIGKILL);
    cr_assert_lt(elapsed, 1.5, "took %.2f s", elapsed);
    cdoc_exec_result_release(&result);
}

/* True once pid has exited: gone, or a zombie waiting for its reaper. */
static bool has_exited(long pid)
{
    char path[64];
    char state = 0;
    FILE *stat;

    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    stat = fopen(path, "r");
    if (!stat)
        return true;
    if (fscanf(stat, "%*d (%*[^)]) %c", &state) != 1)
        state = 0;
    fclose(stat);
    return state == 'Z' || state == 'X';
}

Test(probe_exec, time_limit_kills_background_child)
{
    const char *const argv[] = {"sh", "-c", "sleep 5 & echo $!; wait", NULL};
    struct cdoc_exec_result result = run(argv, 0.3, 1024);
    long background = 0;
    bool exited = false;

    cr_assert(result.timed_out);
    cr_assert_eq(sscanf(result.output.data, "%ld", &background), 1,
                 "output: %s", result.output.data);
    for (int i = 0; i < 100 && !exited; i++) {
        exited = has_exited(background);
        if (!exited)
            usleep(10 * 1000);
    }
    cr_assert(exited, "background pid %ld outlived the time limit",
              background);
    cdoc_exec_result_release(&result);
}

Test(probe_exec, time_limit_plain_sleep)
{
    const char *const argv[] = {"sleep", "5", NULL};
    double start = now_seconds();
    struct cdoc_exec_result result = run(argv, 0.2, 1024);
    double elapsed = now_seconds() - start;

    cr_assert(result.timed_out);
    cr_assert_geq(elapsed, 0.19, "took %.2f s", elapsed);
    cr_assert_lt(elapsed, 1.5, "took %.2f s", elapsed);
    cdoc_exec_result_release(&result);
}

Test(probe_exec, missing_program_not_started)
{
    const char *const argv[] = {"capsem-doctor-no-such-program", NULL};
    struct cdoc_exec_result result;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_exec(argv, 5, 1024, &result, &err), 0, "%s", err.msg);
    cr_assert_not(result.started);
    cr_assert_not(result.timed_out);
    cr_assert(strstr(err.msg, "'capsem-doctor-no-such-program'"), "got: %s",
              err.msg);
    cr_assert(strstr(err.msg, "No such file"), "got: %s", err.msg);
    cr_assert_str_eq(result.output.data, "");
    cdoc_exec_result_release(&result);
}

Test(probe_exec, not_executable_not_started, .init = make_scratch,
     .fini = remove_scratch)
{
    char *path = cdoc_xasprintf("%s/plain-file", scratch);
    const char *const argv[] = {path, NULL};
    struct cdoc_exec_result result;
    struct cdoc_err err = {{0}};

    probe_test_write_text(scratch, "plain-file", "echo ran\n");
    cr_assert_eq(cdoc_exec(argv, 5, 1024, &result, &err), 0, "%s", err.msg);
    cr_assert_not(result.started);
    cr_assert(strstr(err.msg, "Permission denied"), "got: %s", err.msg);
    cdoc_exec_result_release(&result);
    free(path);
}

Test(probe_exec, script_without_interpreter_not_run, .init = make_scratch,
     .fini = remove_scratch)
{
    /* execvp would hand this file to /bin/sh; the doctor runs no shell. */
    const char *const argv[] = {"no-shebang", NULL};
    char *path = cdoc_xasprintf("%s:/usr/bin:/bin", scratch);
    struct cdoc_exec_result result;
    struct cdoc_err err = {{0}};

    probe_test_write(scratch, "no-shebang", "echo ran\n", 9, 0755);
    cr_assert_eq(setenv("PATH", path, 1), 0);
    cr_assert_eq(cdoc_exec(argv, 5, 1024, &result, &err), 0, "%s", err.msg);
    cr_assert_not(result.started, "output: %s", result.output.data);
    cr_assert(strstr(err.msg, "Exec format error"), "got: %s", err.msg);
    cdoc_exec_result_release(&result);
    free(path);
}

Test(probe_exec, found_through_path, .init = make_scratch,
     .fini = remove_scratch)
{
    const char *const argv[] = {"cdoc-hello", "x", NULL};
    char *path = cdoc_xasprintf("/nonexistent-dir:%s", scratch);
    struct cdoc_exec_result result;
    char *expected;

    static const char script[] = "#!/bin/sh\necho \"$0 $1\"\n";

    probe_test_write(scratch, "cdoc-hello", script, strlen(script), 0755);
    cr_assert_eq(setenv("PATH", path, 1), 0);
    result = run(argv, 5, 1024);
    cr_assert(result.started);
    /* The kernel gives a "#!" interpreter the file that was found. */
    expected = cdoc_xasprintf("%s/cdoc-hello x\n", scratch);
    cr_assert_str_eq(result.output.data, expected);
    cdoc_exec_result_release(&result);
    free(expected);
    free(path);
}

Test(probe_exec, output_cap)
{
    const char *const argv[] = {"head", "-c", "100000", "/dev/zero", NULL};
    struct cdoc_exec_result result = run(argv, 5, 1000);

    cr_assert(result.started);
    cr_assert_eq(result.exit_status, 0, "the reader kept draining the pipe");
    cr_assert_eq(result.output.len, 1000);
    cr_assert(result.output_truncated);
    cdoc_exec_result_release(&result);
}

Test(probe_exec, output_exactly_at_cap)
{
    const char *const argv[] = {"printf", "12345", NULL};
    struct cdoc_exec_result result = run(argv, 5, 5);

    cr_assert_str_eq(result.output.data, "12345");
    cr_assert_not(result.output_truncated);
    cdoc_exec_result_release(&result);
}

Test(probe_exec, no_shell_interpretation)
{
    const char *const argv[] = {"printf", "%s|", "$(echo hi)", "a b;c",
                                "*", NULL};
    struct cdoc_exec_result result = run(argv, 5, 1024);

    cr_assert_str_eq(result.output.data, "$(echo hi)|a b;c|*|");
    cdoc_exec_result_release(&result);
}

Test(probe_exec, stdin_is_dev_null)
{
    const char *const argv[] = {"cat", NULL};
    struct cdoc_exec_result result = run(argv, 2, 1024);

    cr_assert_not(result.timed_out, "cat waited for input");
    cr_assert_eq(result.exit_status, 0);
    cr_assert_eq(result.output.len, 0);
    cdoc_exec_result_release(&result);
}

Test(probe_exec, own_process_group)
{
    const char *const argv[] = {
        "sh", "-c", "read -r a b c d pgid rest < /proc/$$/stat; echo $pgid $$",
        NULL};
    struct cdoc_exec_result result = run(argv, 5, 1024);
    long pgid = 0;
    long pid = 0;

    cr_assert_eq(sscanf(result.output.data, "%ld %ld", &pgid, &pid), 2,
                 "output: %s", result.output.data);
    cr_assert_eq(pgid, pid, "the child leads its own process group");
    cdoc_exec_result_release(&result);
}

Test(probe_exec, invalid_arguments)
{
    const char *const empty[] = {NULL};
    const char *const argv[] = {"true", NULL};
    struct cdoc_exec_result result;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_exec(empty, 5, 10, &result, &err), -1);
    cr_assert_eq(cdoc_exec(argv, 0, 10, &result, &err), -1);
    cr_assert(strstr(err.msg, "time limit"), "got: %s", err.msg);
}
