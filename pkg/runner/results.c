/* SPDX-License-Identifier: MIT */
/* The results model shared by every report writer. */
#include "runner/results.h"

#include "cdoc.h"

#include <stdlib.h>
#include <string.h>

const char *cdoc_verdict_name(enum cdoc_verdict verdict)
{
    switch (verdict) {
    case CDOC_PASSED:
        return "passed";
    case CDOC_FAILED:
        return "failed";
    case CDOC_SKIPPED:
        return "skipped";
    case CDOC_ERROR:
        return "error";
    case CDOC_NOT_RUN:
        break;
    }
    return "not-run";
}

static void count_result(struct cdoc_counts *counts,
                         const struct cdoc_result *result)
{
    switch (result->verdict) {
    case CDOC_PASSED:
        counts->passed++;
        break;
    case CDOC_FAILED:
        counts->failed++;
        break;
    case CDOC_SKIPPED:
        counts->skipped++;
        break;
    case CDOC_ERROR:
        counts->errors++;
        break;
    case CDOC_NOT_RUN:
        counts->not_run++;
        if (result->blocked_by)
            counts->blocked++;
        return;
    }
    counts->total++;
}

struct cdoc_counts cdoc_report_counts(const struct cdoc_report *report)
{
    struct cdoc_counts counts = {0};

    for (size_t i = 0; i < report->result_count; i++)
        count_result(&counts, &report->results[i]);
    return counts;
}

struct cdoc_counts cdoc_report_suite_counts(const struct cdoc_report *report,
                                            const char *suite)
{
    struct cdoc_counts counts = {0};

    for (size_t i = 0; i < report->result_count; i++) {
        if (strcmp(report->results[i].suite, suite) == 0)
            count_result(&counts, &report->results[i]);
    }
    return counts;
}

char *cdoc_result_case_name(const struct cdoc_result *result)
{
    if (result->param)
        return cdoc_xasprintf("%s[%s]", result->check, result->param);
    return cdoc_xstrdup(result->check);
}

char *cdoc_result_full_name(const struct cdoc_result *result)
{
    char *case_name = cdoc_result_case_name(result);
    char *full = cdoc_xasprintf("test_%s::%s", result->suite, case_name);

    free(case_name);
    return full;
}

void cdoc_result_add_property(struct cdoc_result *result, const char *name,
                              const char *value)
{
    size_t n = result->property_count + 1;

    result->properties = cdoc_xrealloc(result->properties,
                                       n * sizeof(*result->properties));
    result->properties[n - 1].name = cdoc_xstrdup(name);
    result->properties[n - 1].value = cdoc_xstrdup(value);
    result->property_count = n;
}

void cdoc_result_set_output(struct cdoc_result *result, const void *bytes,
                            size_t len)
{
    free(result->output);
    result->output_truncated = len > CDOC_OUTPUT_MAX;
    if (result->output_truncated)
        len = CDOC_OUTPUT_MAX;
    result->output = cdoc_xmalloc(len + 1);
    memcpy(result->output, bytes, len);
    result->output[len] = '\0';
    result->output_len = len;
}

bool cdoc_report_passed(const struct cdoc_report *report)
{
    struct cdoc_counts counts = cdoc_report_counts(report);

    /* An interrupted run has not checked everything it was asked to, so
     * it cannot vouch for the sandbox. */
    return counts.failed == 0 && counts.errors == 0 && !report->interrupted;
}

void cdoc_result_release(struct cdoc_result *result)
{
    free(result->suite);
    free(result->check);
    free(result->param);
    free(result->description);
    free(result->message);
    free(result->detail);
    free(result->blocked_by);
    free(result->output);
    for (size_t i = 0; i < result->property_count; i++) {
        free(result->properties[i].name);
        free(result->properties[i].value);
    }
    free(result->properties);
    memset(result, 0, sizeof(*result));
}

void cdoc_report_release(struct cdoc_report *report)
{
    for (size_t i = 0; i < report->result_count; i++)
        cdoc_result_release(&report->results[i]);
    free(report->results);
    free(report->profile_name);
    free(report->hostname);
    free(report->kernel_release);
    free(report->architecture);
    free(report->doctor_version);
    free(report->root);
    memset(report, 0, sizeof(*report));
}
