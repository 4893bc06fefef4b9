/* SPDX-License-Identifier: MIT */
/*
 * The results model: one record per check. The console, JUnit, JSON and
 * protobuf writers all read this one model, so their counts always agree.
 */
#ifndef CDOC_RUNNER_RESULTS_H
#define CDOC_RUNNER_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

/* Captured output beyond this many bytes is cut, and the report notes it. */
#define CDOC_OUTPUT_MAX (64 * 1024)

enum cdoc_verdict {
    CDOC_NOT_RUN = 0, /* selected but never finished (-x, interrupt), or
                         blocked by a lower layer (blocked_by) */
    CDOC_PASSED,
    CDOC_FAILED,      /* the sandbox breaks its promise */
    CDOC_SKIPPED,     /* not applicable here; message is the reason */
    CDOC_ERROR,       /* the doctor could not decide: tool missing, crash,
                         time-out, unreadable input */
};

/* Lower-case verdict name as it appears in every report ("passed"). */
const char *cdoc_verdict_name(enum cdoc_verdict verdict);

/* A named value a check recorded, such as the clock reference it used or
 * bytes per second measured through the proxy. */
struct cdoc_property {
    char *name;
    char *value;
};

struct cdoc_result {
    char *suite;       /* "sandbox"; the report class is "test_sandbox" */
    char *check;       /* "test_no_ipv6" */
    char *param;       /* "curl" for test_utility_available[curl], or NULL */
    char *description; /* what the check verifies, from the suite table */

    enum cdoc_verdict verdict;
    char *message;     /* one line: why it failed, was skipped or errored */
    char *detail;      /* longer text for failures and errors, or NULL */

    /* Bytes of commands the check ran, of any kind (NUL and invalid UTF-8
     * included). Writers must escape or encode them. */
    unsigned char *output;
    size_t output_len;
    bool output_truncated; /* more than CDOC_OUTPUT_MAX bytes were produced */

    double seconds;    /* wall time of the check's worker */

    /* Set when the check was not run because a check of a lower layer
     * failed or errored: that check's full name, the root cause. */
    char *blocked_by;

    struct cdoc_property *properties;
    size_t property_count;
};

struct cdoc_report {
    char *profile_name;
    char *hostname;
    char *kernel_release;
    char *architecture;
    char *doctor_version;
    char *root;        /* where probes read /proc, /sys and /etc: "/" is
                          this system; anything else is a test tree */

    double started_at; /* Unix time, seconds */
    double seconds;    /* wall time of the whole run */

    bool interrupted;  /* SIGINT or SIGTERM stopped the run */
    bool stopped_early; /* -x stopped the run after a failure or error */

    /* Selected checks, in suite order then check order. */
    struct cdoc_result *results;
    size_t result_count;
};

struct cdoc_counts {
    size_t total;      /* checks that ran: everything but not-run */
    size_t passed;
    size_t failed;
    size_t skipped;
    size_t errors;
    size_t not_run;
    size_t blocked;    /* of not_run: those a failed lower layer blocked
                          (blocked_by set) */
};

struct cdoc_counts cdoc_report_counts(const struct cdoc_report *report);

/* Counts restricted to one suite, for per-suite JUnit testsuite elements. */
struct cdoc_counts cdoc_report_suite_counts(const struct cdoc_report *report,
                                            const char *suite);

/* "test_sandbox::test_no_ipv6[param]"; the caller frees it. */
char *cdoc_result_full_name(const struct cdoc_result *result);

/* "test_no_ipv6[param]", the JUnit testcase name; the caller frees it. */
char *cdoc_result_case_name(const struct cdoc_result *result);

/* Record a property on a result; name and value are copied. */
void cdoc_result_add_property(struct cdoc_result *result, const char *name,
                              const char *value);

/* Replace the captured output, keeping at most CDOC_OUTPUT_MAX bytes. */
void cdoc_result_set_output(struct cdoc_result *result, const void *bytes,
                            size_t len);

/* True when the run vouches for the sandbox: no failure, no error, and
 * not interrupted. */
bool cdoc_report_passed(const struct cdoc_report *report);

void cdoc_result_release(struct cdoc_result *result);
void cdoc_report_release(struct cdoc_report *report);

#endif
