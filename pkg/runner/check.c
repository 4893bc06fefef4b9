/* SPDX-License-Identifier: MIT */
/* The worker-side API of a check: verdicts, details, output, properties. */
#include "runner/check.h"

#include "runner/record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct cdoc_profile loaded_profile;
static bool profile_loaded;

/* The record file of the running check, or NULL outside a doctor run (a
 * check run by a bare Criterion runner still gets Criterion's verdict). */
static const char *record_path(void)
{
    static char *path;
    const char *run_dir;

    if (path)
        return path;
    run_dir = getenv(CDOC_RUN_DIR_ENV);
    if (!run_dir || !*run_dir || !criterion_current_test)
        return NULL;
    path = cdoc_record_path(run_dir, criterion_current_test->category,
                            criterion_current_test->name);
    return path;
}

static void record(enum cdoc_record_kind kind, const void *bytes, size_t len)
{
    const char *path = record_path();
    struct cdoc_err err;

    if (!path)
        return;
    /* A record that cannot be written loses details, not the verdict:
     * Criterion still carries pass, fail and skip to the runner. */
    if (cdoc_record_append(path, kind, bytes, len, &err) < 0)
        cr_log_warn("%s", err.msg);
}

static char *vformat(const char *fmt, va_list args)
{
    char *text = NULL;

    if (vasprintf(&text, fmt, args) < 0)
        return cdoc_xstrdup(fmt);
    return text;
}

const struct cdoc_profile *cdoc_check_profile(void)
{
    const char *run_dir = getenv(CDOC_RUN_DIR_ENV);
    struct cdoc_err err;
    char *path;
    int rc;

    if (profile_loaded)
        return &loaded_profile;

    if (run_dir && *run_dir) {
        path = cdoc_xasprintf("%s/profile.json", run_dir);
        rc = cdoc_profile_load_file(&loaded_profile, path, &err);
        free(path);
    } else {
        rc = cdoc_profile_load_default(&loaded_profile, &err);
    }
    if (rc < 0)
        cdoc_check_error("cannot load the profile in the worker: %s",
                         err.msg);
    profile_loaded = true;
    return &loaded_profile;
}

const char *cdoc_check_root(void)
{
    const char *root = getenv(CDOC_ROOT_ENV);

    return root && *root ? root : "/";
}

/* Format a verdict message and append it to the record file. */
static char *record_message(enum cdoc_record_kind kind, const char *fmt,
                            va_list args)
{
    char *msg = vformat(fmt, args);

    record(kind, msg, strlen(msg));
    return msg;
}

void cdoc_check_fail(const char *fmt, ...)
{
    va_list args;
    char *msg;

    va_start(args, fmt);
    msg = record_message(CDOC_RECORD_FAIL, fmt, args);
    va_end(args);

    cr_assert_fail("%s", msg);
    /* cr_assert_fail jumps out of the test; this line is not reached. */
    _exit(1);
}

void cdoc_check_error(const char *fmt, ...)
{
    va_list args;
    char *msg;

    va_start(args, fmt);
    msg = record_message(CDOC_RECORD_ERROR, fmt, args);
    va_end(args);

    /* Criterion has no error verdict, so it records a failure, and the
     * record file makes the runner report an error instead. */
    cr_assert_fail("error: %s", msg);
    _exit(1);
}

void cdoc_check_skip(const char *fmt, ...)
{
    va_list args;
    char *msg;

    va_start(args, fmt);
    msg = record_message(CDOC_RECORD_SKIP, fmt, args);
    va_end(args);

    cr_skip_test("%s", msg);
    _exit(0);
}

void cdoc_check_detail(const char *fmt, ...)
{
    va_list args;
    char *line;

    va_start(args, fmt);
    line = vformat(fmt, args);
    va_end(args);

    record(CDOC_RECORD_DETAIL, line, strlen(line));
    free(line);
}

void cdoc_check_output(const char *label, const void *bytes, size_t len)
{
    struct cdoc_buf entry = {0};

    cdoc_buf_append(&entry, label ? label : "", strlen(label ? label : ""));
    cdoc_buf_append(&entry, "", 1);
    cdoc_buf_append(&entry, bytes, len);
    record(CDOC_RECORD_OUTPUT, entry.data, entry.len);
    cdoc_buf_release(&entry);
}

void cdoc_check_property(const char *name, const char *fmt, ...)
{
    struct cdoc_buf entry = {0};
    va_list args;
    char *value;

    va_start(args, fmt);
    value = vformat(fmt, args);
    va_end(args);

    cdoc_buf_append(&entry, name, strlen(name));
    cdoc_buf_append(&entry, "", 1);
    cdoc_buf_append(&entry, value, strlen(value));
    record(CDOC_RECORD_PROPERTY, entry.data, entry.len);
    cdoc_buf_release(&entry);
    free(value);
}
