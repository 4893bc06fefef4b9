/* SPDX-License-Identifier: MIT */
/* Running the selection: run directory, runner child, events, verdicts. */
#include "runner/runner.h"

#include "runner/check.h"
#include "runner/events.h"
#include "runner/record.h"
#include "runner/rundir.h"
#include "probe/probe.h"

#include <criterion/criterion.h>
#include <criterion/options.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Time the runner may go without finishing any check beyond the longest
 * check limit before the doctor gives up on it: worker start-up and
 * Criterion's own bookkeeping. */
#define RUNNER_GRACE_SECONDS 15.0

/* Time the runner gets to stop its workers after SIGTERM before SIGKILL. */
#define STOP_GRACE_SECONDS 2.0

/* Rounds of killing adopted children, 10 ms apart: enough for a worker,
 * the program it ran and that program's own children. */
#define ADOPTED_KILL_ROUNDS 20

struct run_state {
    struct cdoc_catalog *catalog;
    const struct cdoc_run_options *options;
    struct cdoc_report *report;
    char *run_dir;
    pid_t runner;
    int runner_status;
    bool runner_reaped;
    size_t finished;
    size_t selected;

    /* Layered checks run in waves, one layer at a time (see
     * CDOC_LAYERED_CHECK); unlayered checks run in wave 0. */
    int wave;
    const struct cdoc_check_info **result_info; /* by result index */
};

static int signal_pipe[2] = {-1, -1};

static void on_stop_signal(int signum)
{
    unsigned char byte = (unsigned char)signum;
    int saved = errno;

    if (write(signal_pipe[1], &byte, 1) < 0) {
        /* The pipe is full: a stop is already pending. */
    }
    errno = saved;
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double cdoc_effective_timeout(const struct cdoc_check_info *info,
                              const struct cdoc_run_options *options)
{
    if (options->timeout_override > 0)
        return options->timeout_override;
    if (info->timeout > 0)
        return info->timeout;
    return CDOC_DEFAULT_TIMEOUT;
}

/* ---- the runner child --------------------------------------------------- */

static struct criterion_logger silent_logger;

static void redirect_runner_stdio(const char *run_dir)
{
    char *log_path = cdoc_xasprintf("%s/runner.log", run_dir);
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                      0600);

    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
    }
    if (log_fd >= 0)
        dup2(log_fd, STDERR_FILENO);
    free(log_path);
}

/* Return whether the current wave runs this result: selected, of this
 * wave's layer, and not already blocked by a lower layer. */
static bool in_wave(const struct run_state *state, size_t result_index)
{
    const struct cdoc_result *result = &state->report->results[result_index];

    return state->result_info[result_index]->layer == state->wave &&
           result->verdict == CDOC_NOT_RUN && !result->blocked_by;
}

static void configure_checks(struct run_state *state)
{
    for (size_t i = 0; i < state->catalog->count; i++)
        state->catalog->items[i].test->data->disabled = true;
    for (size_t i = 0; i < state->report->result_count; i++)
        state->result_info[i]->test->data->disabled = !in_wave(state, i);
    /* Ordered by the declared limits, before --timeout replaces them. */
    cdoc_catalog_order_run(state->catalog->set);
    for (size_t i = 0; i < state->catalog->count; i++) {
        struct cdoc_check_info *info = &state->catalog->items[i];

        info->test->data->timeout = cdoc_effective_timeout(info,
                                                           state->options);
    }
}

static void __attribute__((noreturn))
run_runner_child(struct run_state *state, int event_fd, pid_t doctor)
{
    struct sigaction dfl = {.sa_handler = SIG_DFL};

    setpgid(0, 0);
    /* A doctor killed outright must not leave its runner going on alone. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != doctor)
        _exit(1);
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGPIPE, &dfl, NULL);
    redirect_runner_stdio(state->run_dir);

    cdoc_event_fd = event_fd;
    configure_checks(state);
    criterion_options.jobs = state->options->jobs;
    criterion_options.logger = &silent_logger;
    criterion_options.logging_threshold = CRITERION_IMPORTANT;
    criterion_options.measure_time = true;
    criterion_options.fail_fast = false;

    criterion_run_all_tests(state->catalog->set);
    _exit(0);
}

static int start_runner(struct run_state *state, int *event_read_fd,
                        struct cdoc_err *err)
{
    pid_t doctor = getpid();
    int fds[2];

    if (pipe2(fds, O_CLOEXEC) < 0)
        return cdoc_errf(err, "cannot create the event pipe: %s",
                         strerror(errno));

    fflush(NULL);
    state->runner = fork();
    if (state->runner < 0) {
        close(fds[0]);
        close(fds[1]);
        return cdoc_errf(err, "cannot fork the check runner: %s",
                         strerror(errno));
    }
    if (state->runner == 0) {
        close(fds[0]);
        close(signal_pipe[0]);
        close(signal_pipe[1]);
        run_runner_child(state, fds[1], doctor);
    }
    /* Set the group from this side too, so a kill of the group cannot
     * race the child's own setpgid. */
    setpgid(state->runner, state->runner);
    cdoc__run_dir_note_runner(state->run_dir, state->runner);
    close(fds[1]);
    *event_read_fd = fds[0];
    return 0;
}

static bool reap_runner(struct run_state *state, bool block)
{
    int status;
    pid_t got;

    if (state->runner_reaped)
        return true;
    do {
        got = waitpid(state->runner, &status, block ? 0 : WNOHANG);
    } while (got < 0 && errno == EINTR);
    if (got == state->runner) {
        state->runner_status = status;
        state->runner_reaped = true;
    }
    return state->runner_reaped;
}

/* Stop the runner and anything left in its process group: SIGTERM, then
 * SIGKILL after STOP_GRACE_SECONDS. Workers have groups of their own and
 * are stopped by kill_adopted_children. */
static void stop_runner(struct run_state *state)
{
    double deadline = now_seconds() + STOP_GRACE_SECONDS;

    kill(-state->runner, SIGTERM);
    while (!reap_runner(state, false) && now_seconds() < deadline) {
        struct timespec pause = {0, 10 * 1000 * 1000};

        nanosleep(&pause, NULL);
    }
    kill(-state->runner, SIGKILL);
    reap_runner(state, true);
}

/* The parent pid field of /proc/<pid>/stat, or -1. */
static pid_t parent_of(const char *pid_dir)
{
    char path[sizeof("/proc//stat") + 256];
    char line[512];
    const char *close_paren;
    FILE *stat_file;
    long ppid = -1;

    snprintf(path, sizeof(path), "/proc/%s/stat", pid_dir);
    stat_file = fopen(path, "re");
    if (!stat_file)
        return -1;
    if (fgets(line, sizeof(line), stat_file)) {
        /* The command name may contain spaces and parentheses: the fields
         * after it start past the last ')'. */
        close_paren = strrchr(line, ')');
        if (close_paren && sscanf(close_paren + 1, " %*c %ld", &ppid) != 1)
            ppid = -1;
    }
    fclose(stat_file);
    return (pid_t)ppid;
}

/* Kill every child of this process and its process group, and report
 * whether there was any. */
static bool kill_children_once(void)
{
    pid_t self = getpid();
    struct dirent *entry;
    DIR *proc = opendir("/proc");
    bool found = false;

    if (!proc)
        return false;
    while ((entry = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(entry->d_name, &end, 10);

        if (*end || pid <= 0 || parent_of(entry->d_name) != self)
            continue;
        /* A program a check ran leads a process group of its own; its
         * children die with it instead of being adopted one by one. */
        kill(-(pid_t)pid, SIGKILL);
        kill((pid_t)pid, SIGKILL);
        found = true;
    }
    closedir(proc);
    return found;
}

/*
 * Criterion puts each worker in a process group of its own, so killing the
 * runner's group does not reach them. The doctor is a child subreaper, so
 * workers orphaned by the runner's death become its children, and so do
 * the programs those workers ran once the workers die: kill and reap until
 * none is left, since each round can orphan the next generation.
 */
static void kill_adopted_children(void)
{
    for (int round = 0; round < ADOPTED_KILL_ROUNDS; round++) {
        struct timespec pause = {0, 10 * 1000 * 1000};
        bool found = kill_children_once();

        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (!found)
            return;
        nanosleep(&pause, NULL);
    }
}

/* ---- turning events into results --------------------------------------- */

/* Find the result of a check of the current wave, or return NULL. */
static struct cdoc_result *find_result(struct run_state *state,
                                       const char *suite, const char *check)
{
    for (size_t i = 0; i < state->report->result_count; i++) {
        struct cdoc_result *result = &state->report->results[i];

        if (strcmp(result->suite, suite) == 0 &&
            strcmp(result->check, check) == 0)
            return in_wave(state, i) ? result : NULL;
    }
    return NULL;
}

static const struct cdoc_check_info *find_info(struct run_state *state,
                                               const char *suite,
                                               const char *check)
{
    for (size_t i = 0; i < state->catalog->count; i++) {
        const struct cdoc_check_info *info = &state->catalog->items[i];

        if (strcmp(info->suite, suite) == 0 &&
            strcmp(info->check, check) == 0)
            return info;
    }
    return NULL;
}

static char *signal_description(int signum)
{
    const char *abbrev = sigabbrev_np(signum);

    return cdoc_xasprintf("signal %d (SIG%s: %s)", signum,
                          abbrev ? abbrev : "?", strsignal(signum));
}

static void set_verdict(struct cdoc_result *result, enum cdoc_verdict verdict,
                        char *message)
{
    result->verdict = verdict;
    free(result->message);
    result->message = message;
}

static void decide_verdict(struct run_state *state,
                           struct cdoc_result *result,
                           const struct cdoc_event *event,
                           const struct cdoc_record *record)
{
    const struct cdoc_event_header *header = &event->header;
    const struct cdoc_check_info *info =
        find_info(state, result->suite, result->check);
    char *what;

    if (header->timed_out) {
        set_verdict(result, CDOC_ERROR, cdoc_xasprintf(
            "timed out after %g s",
            info ? cdoc_effective_timeout(info, state->options) : 0.0));
    } else if (header->kind == CDOC_EVENT_CRASHED || header->signal != 0) {
        what = signal_description(header->signal);
        set_verdict(result, CDOC_ERROR,
                    cdoc_xasprintf("worker crashed with %s", what));
        free(what);
    } else if (record->error) {
        set_verdict(result, CDOC_ERROR, cdoc_xstrdup(record->error));
    } else if (header->status == CR_STATUS_SKIPPED) {
        set_verdict(result, CDOC_SKIPPED, cdoc_xstrdup(
            record->skip ? record->skip : event->message));
    } else if (header->status == CR_STATUS_FAILED) {
        if (record->fail)
            what = cdoc_xstrdup(record->fail);
        else if (*event->message)
            what = cdoc_xstrdup(event->message);
        else
            what = cdoc_xasprintf("worker exited with status %d",
                                  header->exit_code);
        set_verdict(result, CDOC_FAILED, what);
    } else {
        set_verdict(result, CDOC_PASSED, NULL);
    }
}

static void attach_record(struct cdoc_result *result,
                          struct cdoc_record *record)
{
    if (record->detail.len) {
        free(result->detail);
        result->detail = cdoc_xstrdup(record->detail.data);
    }
    if (record->output.len)
        cdoc_result_set_output(result, record->output.data,
                               record->output.len);
    for (size_t i = 0; i < record->property_count; i++)
        cdoc_result_add_property(result, record->properties[i].name,
                                 record->properties[i].value);
    if (record->truncated)
        cdoc_result_add_property(result, "record_truncated", "true");
}

static bool is_stop_verdict(enum cdoc_verdict verdict)
{
    return verdict == CDOC_FAILED || verdict == CDOC_ERROR;
}

/* Returns true when the run should stop (-x). */
static bool handle_event(struct run_state *state,
                         const struct cdoc_event *event)
{
    struct cdoc_result *result =
        find_result(state, event->suite, event->check);
    struct cdoc_record record;
    struct cdoc_err err;
    char *path;

    if (!result || result->verdict != CDOC_NOT_RUN)
        return false;

    path = cdoc_record_path(state->run_dir, event->suite, event->check);
    if (cdoc_record_read(path, &record, &err) < 0) {
        memset(&record, 0, sizeof(record));
        cdoc_buf_puts(&record.detail, err.msg);
    }
    unlink(path);
    free(path);

    result->seconds = event->header.elapsed;
    decide_verdict(state, result, event, &record);
    attach_record(result, &record);
    cdoc_record_release(&record);

    state->finished++;
    if (state->options->on_result)
        state->options->on_result(result, state->options->context);
    return state->options->fail_fast && is_stop_verdict(result->verdict);
}

/* ---- the event loop ----------------------------------------------------- */

enum loop_end { LOOP_DONE, LOOP_FAIL_FAST, LOOP_SIGNAL, LOOP_STALLED,
                LOOP_PROTOCOL };

static double longest_timeout(struct run_state *state)
{
    double longest = 0;

    for (size_t i = 0; i < state->report->result_count; i++) {
        double limit = cdoc_effective_timeout(state->result_info[i],
                                              state->options);

        if (in_wave(state, i) && limit > longest)
            longest = limit;
    }
    return longest;
}

static enum loop_end drain_events(struct run_state *state,
                                  struct cdoc_buf *pending)
{
    struct cdoc_event event;
    int taken;

    while ((taken = cdoc_event_take(pending, &event)) == 1) {
        bool stop = handle_event(state, &event);

        cdoc_event_release(&event);
        if (stop)
            return LOOP_FAIL_FAST;
    }
    return taken < 0 ? LOOP_PROTOCOL : LOOP_DONE;
}

static enum loop_end event_loop(struct run_state *state, int event_fd)
{
    double stall_limit = longest_timeout(state) + RUNNER_GRACE_SECONDS;
    double last_progress = now_seconds();
    struct cdoc_buf pending = {0};
    enum loop_end end = LOOP_DONE;

    for (;;) {
        struct pollfd fds[2] = {
            {.fd = event_fd, .events = POLLIN},
            {.fd = signal_pipe[0], .events = POLLIN},
        };
        char chunk[8192];
        ssize_t got;
        int ready = poll(fds, 2, 500);

        if (ready < 0 && errno != EINTR)
            break;
        if (fds[1].revents & POLLIN) {
            end = LOOP_SIGNAL;
            break;
        }
        if (ready > 0 && (fds[0].revents & (POLLIN | POLLHUP))) {
            got = read(event_fd, chunk, sizeof(chunk));
            if (got == 0)
                break;
            if (got > 0) {
                cdoc_buf_append(&pending, chunk, (size_t)got);
                last_progress = now_seconds();
                end = drain_events(state, &pending);
                if (end != LOOP_DONE)
                    break;
            }
        }
        if (now_seconds() - last_progress > stall_limit) {
            end = LOOP_STALLED;
            break;
        }
    }
    cdoc_buf_release(&pending);
    return end;
}

/* ---- results for checks that never reported ----------------------------- */

static char *describe_runner_end(struct run_state *state)
{
    char *what;

    if (!state->runner_reaped)
        return cdoc_xstrdup("the check runner did not end");
    if (WIFSIGNALED(state->runner_status)) {
        char *sig = signal_description(WTERMSIG(state->runner_status));

        what = cdoc_xasprintf("the check runner was killed by %s", sig);
        free(sig);
        return what;
    }
    return cdoc_xasprintf("the check runner exited with status %d",
                          WEXITSTATUS(state->runner_status));
}

static void settle_unfinished(struct run_state *state, enum loop_end end)
{
    char *why = NULL;
    char *log = NULL;

    for (size_t i = 0; i < state->report->result_count; i++) {
        struct cdoc_result *result = &state->report->results[i];

        if (!in_wave(state, i))
            continue;
        if (end == LOOP_FAIL_FAST || end == LOOP_SIGNAL)
            continue;
        if (!why) {
            why = end == LOOP_STALLED
                      ? cdoc_xasprintf("no check finished for %.0f s, so "
                                       "the doctor stopped the runner",
                                       longest_timeout(state) +
                                           RUNNER_GRACE_SECONDS)
                  : end == LOOP_PROTOCOL
                      ? cdoc_xstrdup("the check runner sent a malformed "
                                     "event")
                      : describe_runner_end(state);
            log = cdoc__run_dir_read_log(state->run_dir);
        }
        set_verdict(result, CDOC_ERROR, cdoc_xasprintf(
            "no result: %s before this check reported", why));
        if (*log)
            result->detail = cdoc_xasprintf("runner log:\n%s", log);
        if (state->options->on_result)
            state->options->on_result(result, state->options->context);
    }
    free(why);
    free(log);
}

/* ---- entry point -------------------------------------------------------- */

static void prepare_results(struct run_state *state)
{
    struct cdoc_report *report = state->report;

    report->results = cdoc_xcalloc(state->catalog->count,
                                   sizeof(*report->results));
    state->result_info = cdoc_xcalloc(state->catalog->count,
                                      sizeof(*state->result_info));
    for (size_t i = 0; i < state->catalog->count; i++) {
        const struct cdoc_check_info *info = &state->catalog->items[i];
        struct cdoc_result *result;

        if (!info->selected)
            continue;
        state->result_info[report->result_count] = info;
        result = &report->results[report->result_count++];
        result->suite = cdoc_xstrdup(info->suite);
        result->check = cdoc_xstrdup(info->check);
        result->description = cdoc_xstrdup(info->description);
        result->verdict = CDOC_NOT_RUN;
        state->selected++;
    }
}

static void install_stop_handlers(struct sigaction *saved_int,
                                  struct sigaction *saved_term)
{
    struct sigaction stop = {.sa_handler = on_stop_signal};

    sigemptyset(&stop.sa_mask);
    sigaction(SIGINT, &stop, saved_int);
    sigaction(SIGTERM, &stop, saved_term);
}

/* Directories Criterion 2.4.1 writes to whatever TMPDIR is set to: its
 * runner's nanomsg socket goes to /tmp, and boxfort keeps each worker's
 * memory arena in /dev/shm. */
static const char *const criterion_dirs[][2] = {
    {"/tmp", "runner socket"},
    {"/dev/shm", "worker arenas"},
};

/*
 * Criterion's runner aborts when it cannot create its socket, which would
 * turn every check into a crash of the runner. Find out first, and report
 * every check as an error that names the directory instead.
 */
static bool criterion_can_start(struct run_state *state)
{
    size_t count = sizeof(criterion_dirs) / sizeof(criterion_dirs[0]);

    for (size_t i = 0; i < count; i++) {
        const char *how = NULL;
        struct cdoc_err err;

        if (cdoc_probe_writable(criterion_dirs[i][0], &how, &err) == 0)
            continue;
        /* TODO: run the checks anyway, by giving the runner a private
         * writable /tmp while workers still read the real one. */
        for (size_t j = 0; j < state->report->result_count; j++) {
            struct cdoc_result *result = &state->report->results[j];

            set_verdict(result, CDOC_ERROR, cdoc_xasprintf(
                "not run: the check runner (Criterion) needs a writable "
                "%s for its %s, and %s", criterion_dirs[i][0],
                criterion_dirs[i][1], err.msg));
            if (state->options->on_result)
                state->options->on_result(result, state->options->context);
        }
        return false;
    }
    return true;
}

/* Point the workers at the run directory and at --root. */
static void export_worker_environment(const struct run_state *state)
{
    setenv(CDOC_RUN_DIR_ENV, state->run_dir, 1);
    /* Only --root sets the probes' root: a value inherited from the
     * caller's environment must not silently point the checks at a tree
     * of someone's choosing. */
    if (state->options->root)
        setenv(CDOC_ROOT_ENV, state->options->root, 1);
    else
        unsetenv(CDOC_ROOT_ENV);
}

/* Run the runner child to the end, or until -x, a signal or a stall, and
 * leave no process of it behind. */
static enum loop_end run_to_end(struct run_state *state, int event_fd)
{
    enum loop_end end = event_loop(state, event_fd);

    close(event_fd);
    if (end == LOOP_DONE)
        reap_runner(state, true);
    stop_runner(state);
    kill_adopted_children();

    state->report->interrupted = end == LOOP_SIGNAL;
    state->report->stopped_early = end == LOOP_FAIL_FAST;
    settle_unfinished(state, end);
    cdoc__criterion_socket_remove(state->runner);
    return end;
}

/* ---- layers ------------------------------------------------------------- */

static bool blocks_layers_above(enum cdoc_verdict verdict)
{
    return verdict == CDOC_FAILED || verdict == CDOC_ERROR;
}

/* The index of the first failed or errored check of the lowest layer
 * below layer in suite, the root cause that the checks of layer report;
 * SIZE_MAX when every lower layer held. */
static size_t root_cause_below(const struct run_state *state,
                               const char *suite, int layer)
{
    size_t root = SIZE_MAX;

    for (size_t i = 0; i < state->report->result_count; i++) {
        const struct cdoc_check_info *info = state->result_info[i];

        if (info->layer == 0 || info->layer >= layer ||
            strcmp(info->suite, suite) != 0 ||
            !blocks_layers_above(state->report->results[i].verdict))
            continue;
        if (root == SIZE_MAX || info->layer < state->result_info[root]->layer)
            root = i;
    }
    return root;
}

/* Settle every check of the current wave whose lower layer failed. */
static void block_wave(struct run_state *state)
{
    for (size_t i = 0; i < state->report->result_count; i++) {
        struct cdoc_result *result = &state->report->results[i];
        const struct cdoc_check_info *root_info;
        size_t root;

        if (!in_wave(state, i))
            continue;
        root = root_cause_below(state, result->suite, state->wave);
        if (root == SIZE_MAX)
            continue;
        root_info = state->result_info[root];
        set_verdict(result, CDOC_NOT_RUN, cdoc_xasprintf(
            "not run: %s in the %s layer below %s", root_info->full_name,
            root_info->layer_name ? root_info->layer_name : "next",
            state->report->results[root].verdict == CDOC_ERROR
                ? "could not be decided" : "failed"));
        result->blocked_by = cdoc_xstrdup(root_info->full_name);
        if (state->options->on_result)
            state->options->on_result(result, state->options->context);
    }
}

/* Settle the checks of a later wave whose runner could not start as
 * errors. */
static void settle_wave_unstarted(struct run_state *state,
                                  const struct cdoc_err *err)
{
    for (size_t i = 0; i < state->report->result_count; i++) {
        struct cdoc_result *result = &state->report->results[i];

        if (!in_wave(state, i))
            continue;
        set_verdict(result, CDOC_ERROR,
                    cdoc_xasprintf("not run: %s", err->msg));
        if (state->options->on_result)
            state->options->on_result(result, state->options->context);
    }
}

static int highest_layer(const struct run_state *state)
{
    int highest = 0;

    for (size_t i = 0; i < state->report->result_count; i++) {
        if (state->result_info[i]->layer > highest)
            highest = state->result_info[i]->layer;
    }
    return highest;
}

static bool wave_has_checks(const struct run_state *state)
{
    for (size_t i = 0; i < state->report->result_count; i++) {
        if (in_wave(state, i))
            return true;
    }
    return false;
}

/*
 * Run wave 0 (every unlayered check and nothing else), then each layer in
 * turn. A layer starts only after the one below it has finished, so its
 * checks know whether they stand on a failed layer. Stops at -x, a
 * signal or a runner that broke; the waves left stay not run.
 */
static int run_waves(struct run_state *state, struct cdoc_err *err)
{
    int highest = highest_layer(state);

    for (state->wave = 0; state->wave <= highest; state->wave++) {
        int event_fd = -1;

        if (state->wave > 0)
            block_wave(state);
        if (!wave_has_checks(state))
            continue;
        state->runner_reaped = false;
        if (start_runner(state, &event_fd, err) < 0) {
            if (state->wave == 0)
                return -1;
            settle_wave_unstarted(state, err);
            break;
        }
        if (run_to_end(state, event_fd) != LOOP_DONE)
            break;
    }
    return 0;
}

int cdoc_run(struct cdoc_catalog *catalog,
             const struct cdoc_run_options *options,
             struct cdoc_report *report, struct cdoc_err *err)
{
    struct run_state state = {.catalog = catalog, .options = options,
                              .report = report};
    struct sigaction saved_int, saved_term;
    double started = now_seconds();
    int rc = -1;

    report->started_at = wall_seconds();
    prepare_results(&state);

    /* Signals are caught from before the run directory exists, so an
     * interrupt at any point still removes it. */
    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        return cdoc_errf(err, "cannot create the signal pipe: %s",
                         strerror(errno));
    install_stop_handlers(&saved_int, &saved_term);
    prctl(PR_SET_CHILD_SUBREAPER, 1);

    cdoc__run_dir_sweep_stale();
    if (cdoc__run_dir_create(options->profile_json, &state.run_dir,
                             err) == 0) {
        export_worker_environment(&state);
        if (!criterion_can_start(&state))
            rc = 0;
        else
            rc = run_waves(&state, err);
    }
    report->seconds = now_seconds() - started;

    sigaction(SIGINT, &saved_int, NULL);
    sigaction(SIGTERM, &saved_term, NULL);
    close(signal_pipe[0]);
    close(signal_pipe[1]);
    if (state.run_dir) {
        cdoc__run_dir_remove(state.run_dir);
        free(state.run_dir);
    }
    free(state.result_info);
    return rc;
}
