/* SPDX-License-Identifier: MIT */
/* Creating, removing and sweeping the doctor's run directories. */
#include "runner/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUN_DIR_PREFIX "capsem-doctor."

static const char *temp_root(void)
{
    const char *tmp = getenv("TMPDIR");

    return tmp && *tmp ? tmp : "/tmp";
}

static int write_file(const char *path, const char *text,
                      struct cdoc_err *err)
{
    size_t len = strlen(text);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ssize_t written;

    if (fd < 0)
        return cdoc_errf(err, "cannot create %s: %s", path,
                         strerror(errno));
    written = write(fd, text, len);
    close(fd);
    if (written != (ssize_t)len)
        return cdoc_errf(err, "cannot write %s: %s", path,
                         written < 0 ? strerror(errno) : "short write");
    return 0;
}

int cdoc__run_dir_create(const char *profile_json, char **run_dir,
                         struct cdoc_err *err)
{
    const char *tmp = temp_root();
    char *template;
    char *profile_path;
    int rc;

    *run_dir = NULL;
    template = cdoc_xasprintf("%s/" RUN_DIR_PREFIX "%ld.XXXXXX", tmp,
                              (long)getpid());
    if (!mkdtemp(template)) {
        cdoc_errf(err, "cannot create a run directory in %s: %s; set "
                  "TMPDIR to a writable directory", tmp, strerror(errno));
        free(template);
        return -1;
    }
    *run_dir = template;

    profile_path = cdoc_xasprintf("%s/profile.json", template);
    rc = write_file(profile_path, profile_json, err);
    free(profile_path);
    return rc;
}

void cdoc__run_dir_note_runner(const char *run_dir, pid_t runner)
{
    char *path = cdoc_xasprintf("%s/runner.pid", run_dir);
    char text[32];

    snprintf(text, sizeof(text), "%ld\n", (long)runner);
    /* Without the note a later sweep cannot find the runner's socket,
     * which costs one stale socket file, not the run. */
    write_file(path, text, NULL);
    free(path);
}

char *cdoc__run_dir_read_log(const char *run_dir)
{
    char *path = cdoc_xasprintf("%s/runner.log", run_dir);
    char *text = cdoc_xcalloc(1, CDOC_RUNNER_LOG_QUOTE + 1);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t got = 0;

    if (fd >= 0) {
        got = read(fd, text, CDOC_RUNNER_LOG_QUOTE);
        close(fd);
    }
    text[got > 0 ? got : 0] = '\0';
    free(path);
    return text;
}

void cdoc__run_dir_remove(const char *run_dir)
{
    DIR *dir = opendir(run_dir);
    struct dirent *entry;

    if (!dir)
        return;
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 ||
            strcmp(entry->d_name, "..") == 0)
            continue;
        /* unlinkat never follows a link, so nothing outside the run
         * directory can be removed through it. */
        unlinkat(dirfd(dir), entry->d_name, 0);
    }
    closedir(dir);
    rmdir(run_dir);
}

void cdoc__criterion_socket_remove(pid_t runner)
{
    char path[64];
    struct stat st;

    snprintf(path, sizeof(path), "/tmp/criterion_%ld.sock", (long)runner);
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
}

/* The doctor pid in "capsem-doctor.<pid>.XXXXXX", or 0. */
static pid_t owner_pid(const char *name)
{
    const char *digits = name + strlen(RUN_DIR_PREFIX);
    char *end;
    long pid;

    if (strncmp(name, RUN_DIR_PREFIX, strlen(RUN_DIR_PREFIX)) != 0)
        return 0;
    pid = strtol(digits, &end, 10);
    if (end == digits || *end != '.' || pid <= 0)
        return 0;
    return (pid_t)pid;
}

static pid_t noted_runner(const char *run_dir)
{
    char *path = cdoc_xasprintf("%s/runner.pid", run_dir);
    char text[32] = "";
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t got = -1;

    free(path);
    if (fd >= 0) {
        got = read(fd, text, sizeof(text) - 1);
        close(fd);
    }
    if (got <= 0)
        return 0;
    text[got] = '\0';
    return (pid_t)strtol(text, NULL, 10);
}

static void sweep_one(const char *tmp, const char *name)
{
    char *path = cdoc_xasprintf("%s/%s", tmp, name);
    pid_t doctor = owner_pid(name);
    pid_t runner;
    struct stat st;

    /* Only this user's directories, and only when their doctor is gone:
     * a running doctor's directory is in use. */
    if (doctor && lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
        st.st_uid == geteuid() && kill(doctor, 0) < 0 && errno == ESRCH) {
        runner = noted_runner(path);
        if (runner > 0 && kill(runner, 0) < 0 && errno == ESRCH)
            cdoc__criterion_socket_remove(runner);
        cdoc__run_dir_remove(path);
    }
    free(path);
}

void cdoc__run_dir_sweep_stale(void)
{
    const char *tmp = temp_root();
    DIR *dir = opendir(tmp);
    struct dirent *entry;

    if (!dir)
        return;
    while ((entry = readdir(dir)) != NULL) {
        if (owner_pid(entry->d_name))
            sweep_one(tmp, entry->d_name);
    }
    closedir(dir);
}
