/* SPDX-License-Identifier: MIT */
/* Running a tool: fork and exec with an argv array, a deadline and one
 * captured output stream. No shell is involved at any point. */
#include "probe/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Without a pidfd the loop wakes this often to ask whether the child has
 * exited. */
#define EXIT_POLL_MS 10

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Move fd to 3 or above, so that setting up 0, 1 and 2 cannot close it. */
static int above_stdio(int fd)
{
    if (fd > 2)
        return fd;
    return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/*
 * The file that PATH names for program, or NULL with *error set as execvp
 * would set it. The search is done here rather than by execvp because
 * execvp hands a file that the kernel cannot execute (ENOEXEC) to
 * /bin/sh, and the doctor runs no shell.
 */
static char *find_program(const char *program, int *error)
{
    const char *path = getenv("PATH");
    bool denied = false;

    if (strchr(program, '/'))
        return cdoc_xstrdup(program);
    /* glibc's default when PATH is unset (confstr _CS_PATH). */
    if (!path)
        path = "/bin:/usr/bin";

    for (const char *dir = path;; dir++) {
        const char *end = strchrnul(dir, ':');
        char *candidate;
        struct stat st;

        /* An empty entry means the current directory. */
        if (end == dir)
            candidate = cdoc_xasprintf("./%s", program);
        else
            candidate = cdoc_xasprintf("%.*s/%s", (int)(end - dir), dir,
                                       program);
        if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode)) {
            if (access(candidate, X_OK) == 0)
                return candidate;
            denied = true;
        }
        free(candidate);
        if (!*end)
            break;
        dir = end;
    }
    *error = denied ? EACCES : ENOENT;
    return NULL;
}

/*
 * The child's side, which only makes async-signal-safe calls until exec.
 * An exec failure reaches the parent as an errno on the status pipe. A
 * successful exec closes that pipe, because it is close-on-exec, so the
 * parent reads end-of-file.
 */
__attribute__((noreturn))
static void run_child(const char *file, const char *const argv[], int out,
                      int status)
{
    struct sigaction dfl;
    sigset_t none;
    int error;
    int null;

    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    setpgid(0, 0);
    status = above_stdio(status);
    out = above_stdio(out);
    null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0)
        null = above_stdio(null);
    if (status < 0 || out < 0 || null < 0)
        goto fail;

    /* The copies on 0, 1 and 2 are not close-on-exec; the originals are. */
    if (dup2(null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
        dup2(out, STDERR_FILENO) < 0)
        goto fail;

    execv(file, (char *const *)argv);

fail:
    error = errno;
    while (write(status, &error, sizeof(error)) < 0 && errno == EINTR)
        ;
    _exit(127);
}

/* The errno of a failed exec, or 0 once the program runs. */
static int read_exec_errno(int fd)
{
    int error = 0;
    ssize_t got;

    do
        got = read(fd, &error, sizeof(error));
    while (got < 0 && errno == EINTR);
    return got == (ssize_t)sizeof(error) ? error : 0;
}

static void keep_output(struct cdoc_exec_result *result, size_t output_max,
                        const char *bytes, size_t len)
{
    size_t room = output_max > result->output.len
                      ? output_max - result->output.len
                      : 0;

    if (len > room) {
        result->output_truncated = true;
        len = room;
    }
    if (len)
        cdoc_buf_append(&result->output, bytes, len);
}

/* Read what the pipe contains now. Returns false at end of file. */
static bool drain(int fd, struct cdoc_exec_result *result, size_t output_max,
                  double deadline)
{
    char chunk[8192];

    for (;;) {
        ssize_t got = read(fd, chunk, sizeof(chunk));

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return errno == EAGAIN;
        if (got == 0)
            return false;
        keep_output(result, output_max, chunk, (size_t)got);
        /* A writer that never pauses must not hold the doctor past the
         * deadline. */
        if (now_seconds() >= deadline)
            return true;
    }
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    return -1;
#endif
}

static void wait_blocking(pid_t pid, int *wstatus)
{
    while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
        ;
}

/*
 * Collect output until the child exits or the deadline passes. Output
 * still in the pipe when the child exits is read, but a grandchild that
 * keeps the pipe open is not waited for.
 */
static void supervise(pid_t pid, int out, double deadline, size_t output_max,
                      struct cdoc_exec_result *result)
{
    int pidfd = open_pidfd(pid);
    bool out_open = true;
    int wstatus = 0;

    for (;;) {
        struct pollfd fds[2];
        nfds_t count = 0;
        double remaining;
        int timeout_ms;

        if (waitpid(pid, &wstatus, WNOHANG) == pid) {
            if (out_open)
                drain(out, result, output_max, deadline);
            break;
        }

        remaining = deadline - now_seconds();
        if (remaining <= 0) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            result->timed_out = true;
            wait_blocking(pid, &wstatus);
            if (out_open)
                drain(out, result, output_max, deadline + 0.1);
            break;
        }

        timeout_ms = (int)(remaining * 1000) + 1;
        if (pidfd < 0 && timeout_ms > EXIT_POLL_MS)
            timeout_ms = EXIT_POLL_MS;
        if (out_open)
            fds[count++] = (struct pollfd){.fd = out, .events = POLLIN};
        if (pidfd >= 0)
            fds[count++] = (struct pollfd){.fd = pidfd, .events = POLLIN};

        if (poll(fds, count, timeout_ms) > 0 && out_open && fds[0].revents)
            out_open = drain(out, result, output_max, deadline);
    }

    if (pidfd >= 0)
        close(pidfd);
    if (WIFEXITED(wstatus))
        result->exit_status = WEXITSTATUS(wstatus);
    else if (WIFSIGNALED(wstatus))
        result->term_signal = WTERMSIG(wstatus);
}

/* Record a program that could not be run: not an error of the doctor's. */
static int not_started(struct cdoc_exec_result *result, const char *program,
                       int error, struct cdoc_err *err)
{
    result->started = false;
    cdoc_buf_append(&result->output, "", 0);
    cdoc_errf(err, "cannot run '%s': %s", program, strerror(error));
    return 0;
}

int cdoc_exec(const char *const argv[], double timeout_seconds,
              size_t output_max, struct cdoc_exec_result *result,
              struct cdoc_err *err)
{
    int out[2];
    int status[2];
    double deadline;
    char *file;
    pid_t pid;
    int error = 0;

    memset(result, 0, sizeof(*result));
    if (!argv || !argv[0] || !*argv[0])
        return cdoc_errf(err, "cannot run a program: argv[0] is empty");
    if (!(timeout_seconds > 0))
        return cdoc_errf(err, "cannot run '%s': the time limit %g s is not "
                         "above zero", argv[0], timeout_seconds);

    file = find_program(argv[0], &error);
    if (!file)
        return not_started(result, argv[0], error, err);

    if (pipe2(out, O_CLOEXEC) < 0) {
        error = errno;
        free(file);
        return cdoc_errf(err, "cannot run '%s': pipe failed: %s", argv[0],
                         strerror(error));
    }
    if (pipe2(status, O_CLOEXEC) < 0) {
        error = errno;
        close(out[0]);
        close(out[1]);
        free(file);
        return cdoc_errf(err, "cannot run '%s': pipe failed: %s", argv[0],
                         strerror(error));
    }

    deadline = now_seconds() + timeout_seconds;
    pid = fork();
    if (pid < 0) {
        error = errno;
        close(out[0]);
        close(out[1]);
        close(status[0]);
        close(status[1]);
        free(file);
        return cdoc_errf(err, "cannot run '%s': fork failed: %s", argv[0],
                         strerror(error));
    }
    if (pid == 0)
        run_child(file, argv, out[1], status[1]);
    free(file);

    close(out[1]);
    close(status[1]);
    /* Both sides set the group, so a kill at the deadline cannot race the
     * child's own setpgid. The call fails with EACCES when the child has
     * already exec'd, by which time the child has set it. */
    setpgid(pid, pid);

    error = read_exec_errno(status[0]);
    close(status[0]);
    if (error) {
        int wstatus;

        wait_blocking(pid, &wstatus);
        close(out[0]);
        return not_started(result, argv[0], error, err);
    }

    result->started = true;
    fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
    supervise(pid, out[0], deadline, output_max, result);
    close(out[0]);
    /* Callers read output as text whether or not anything was printed. */
    cdoc_buf_append(&result->output, "", 0);
    return 0;
}

void cdoc_exec_result_release(struct cdoc_exec_result *result)
{
    cdoc_buf_release(&result->output);
    memset(result, 0, sizeof(*result));
}
