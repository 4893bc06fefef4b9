/* SPDX-License-Identifier: MIT */
/*
 * The run directory: the doctor's only place for temporary files. It contains
 * the profile for the workers, their record files and the runner's log,
 * and is removed at the end of the run. A doctor killed with SIGKILL
 * cannot remove it, so the next run sweeps directories whose doctor is
 * gone.
 */
#ifndef CDOC_RUNNER_RUNDIR_H
#define CDOC_RUNNER_RUNDIR_H

#include "cdoc.h"

#include <sys/types.h>

/* Bytes of the runner's stderr quoted when it dies without results. */
#define CDOC_RUNNER_LOG_QUOTE 2048

/* Create "$TMPDIR/capsem-doctor.<pid>.XXXXXX" (mode 0700) holding
 * profile.json. *run_dir is set even on a failure after mkdtemp, so the
 * caller can remove it. */
int cdoc__run_dir_create(const char *profile_json, char **run_dir,
                         struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* Record the runner child's pid, so a sweep can find its socket. */
void cdoc__run_dir_note_runner(const char *run_dir, pid_t runner);

/* The start of runner.log; the caller frees it. */
char *cdoc__run_dir_read_log(const char *run_dir);

/* Remove every file of the run directory, then the directory. */
void cdoc__run_dir_remove(const char *run_dir);

/* Remove run directories in $TMPDIR that this user owns and whose doctor
 * process no longer exists, with their runners' Criterion sockets. */
void cdoc__run_dir_sweep_stale(void);

/* Criterion's runner binds a nanomsg socket at /tmp/criterion_<pid>.sock
 * and leaves it behind when it is killed: remove it. */
void cdoc__criterion_socket_remove(pid_t runner);

#endif
