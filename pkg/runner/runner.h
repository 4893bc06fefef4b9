/* SPDX-License-Identifier: MIT */
/*
 * The runner: finds the checks compiled into the binary, selects them with
 * -k, and runs the selection under Criterion, one worker process per check.
 *
 * Criterion's runner lives in a child process of its own process group, so
 * the doctor can stop it and every worker at once (-x, SIGINT, a runner
 * that stops responding) and still write the reports of what finished.
 */
#ifndef CDOC_RUNNER_H
#define CDOC_RUNNER_H

#include "cdoc.h"
#include "runner/kexpr.h"
#include "runner/results.h"

#include <stdbool.h>
#include <stddef.h>

struct criterion_test;
struct criterion_test_set;

struct cdoc_check_info {
    const char *suite;       /* Criterion category: "sandbox" */
    const char *check;       /* Criterion name: "test_no_ipv6" */
    const char *description;
    char *full_name;         /* "test_sandbox::test_no_ipv6" */
    double timeout;          /* declared limit in seconds, 0 for default */
    int layer;               /* 0, or its CDOC_LAYERED_CHECK layer */
    const char *layer_name;  /* "plumbing", or NULL */
    bool selected;
    struct criterion_test *test;
};

struct cdoc_catalog {
    struct cdoc_check_info *items; /* in report order */
    size_t count;
    struct criterion_test_set *set;
};

/* Find every check: suites in the spec's order (sandbox, network,
 * environment, runtimes, utilities, workflows, ai_cli, injection, mcp, then
 * any other alphabetically), checks in the order their file declares them.
 * Leaves the process group and signal handlers as they were. */
void cdoc_catalog_load(struct cdoc_catalog *catalog);

/* Mark the checks the expression matches; returns how many. */
size_t cdoc_catalog_select(struct cdoc_catalog *catalog,
                           const struct cdoc_kexpr *expr);

void cdoc_catalog_release(struct cdoc_catalog *catalog);

/* Set Criterion's run order: checks with the longest declared .timeout
 * first (selected checks only, so mark them disabled first), then report
 * order. */
void cdoc_catalog_order_run(struct criterion_test_set *set);

struct cdoc_run_options {
    size_t jobs;             /* workers at once; 0 for the CPU count */
    double timeout_override; /* seconds for every check; 0 keeps each
                                check's own limit or the default */
    bool fail_fast;          /* -x */
    const char *profile_json; /* the profile in force, for the workers */
    const char *root;        /* directory probes read under; NULL for / */

    /* Called in the doctor process as each check finishes. */
    void (*on_result)(const struct cdoc_result *result, void *context);
    void *context;
};

/*
 * Run the selected checks and fill report->results (one per selected
 * check, in catalog order) and the run-level fields. Returns -1 only when
 * the run could not start (no temporary directory, no fork). A check that
 * crashes, hangs or errs is a result, not a failure of cdoc_run.
 */
int cdoc_run(struct cdoc_catalog *catalog,
             const struct cdoc_run_options *options,
             struct cdoc_report *report, struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* The limit a check runs under with these options. */
double cdoc_effective_timeout(const struct cdoc_check_info *info,
                              const struct cdoc_run_options *options);

#endif
