/* SPDX-License-Identifier: MIT */
/*
 * The protobuf report: message capsem.doctor.v1.Report of proto/doctor.proto,
 * packed with protobuf-c.
 *
 * protobuf `string` fields must hold valid UTF-8 (protoc and most other
 * decoders reject a file otherwise), so every string goes through
 * cdoc_utf8_sanitize. Captured output is a `bytes` field and is kept
 * exactly, NUL and invalid UTF-8 included. An empty string stands for an
 * absent (NULL) param, description, message or detail, since proto3
 * strings have no presence.
 */
#include "report/report.h"

#include "doctor.pb-c.h"

#include <stdlib.h>
#include <string.h>

typedef Capsem__Doctor__V1__Report PbReport;
typedef Capsem__Doctor__V1__CheckResult PbResult;
typedef Capsem__Doctor__V1__Property PbProperty;
typedef Capsem__Doctor__V1__Counts PbCounts;

/* Strings made for one render, released together. */
struct pool {
    char **items;
    size_t count;
};

static char *pool_utf8(struct pool *pool, const char *text)
{
    char *copy;

    if (!text || !*text)
        return (char *)"";
    copy = cdoc_utf8_sanitize_dup(text, strlen(text));
    pool->items = cdoc_xrealloc(pool->items,
                                (pool->count + 1) * sizeof(*pool->items));
    pool->items[pool->count++] = copy;
    return copy;
}

static void pool_release(struct pool *pool)
{
    for (size_t i = 0; i < pool->count; i++)
        free(pool->items[i]);
    free(pool->items);
}

static Capsem__Doctor__V1__Verdict verdict_to_pb(enum cdoc_verdict verdict)
{
    switch (verdict) {
    case CDOC_PASSED:
        return CAPSEM__DOCTOR__V1__VERDICT__VERDICT_PASSED;
    case CDOC_FAILED:
        return CAPSEM__DOCTOR__V1__VERDICT__VERDICT_FAILED;
    case CDOC_SKIPPED:
        return CAPSEM__DOCTOR__V1__VERDICT__VERDICT_SKIPPED;
    case CDOC_ERROR:
        return CAPSEM__DOCTOR__V1__VERDICT__VERDICT_ERROR;
    case CDOC_NOT_RUN:
        break;
    }
    return CAPSEM__DOCTOR__V1__VERDICT__VERDICT_NOT_RUN;
}

static int verdict_from_pb(int verdict, enum cdoc_verdict *out)
{
    switch (verdict) {
    case CAPSEM__DOCTOR__V1__VERDICT__VERDICT_PASSED:
        *out = CDOC_PASSED;
        return 0;
    case CAPSEM__DOCTOR__V1__VERDICT__VERDICT_FAILED:
        *out = CDOC_FAILED;
        return 0;
    case CAPSEM__DOCTOR__V1__VERDICT__VERDICT_SKIPPED:
        *out = CDOC_SKIPPED;
        return 0;
    case CAPSEM__DOCTOR__V1__VERDICT__VERDICT_ERROR:
        *out = CDOC_ERROR;
        return 0;
    case CAPSEM__DOCTOR__V1__VERDICT__VERDICT_NOT_RUN:
        *out = CDOC_NOT_RUN;
        return 0;
    default:
        return -1;
    }
}

/* protobuf-c writes through this into a cdoc_buf, so no second copy of the
 * packed message is made. */
struct buf_sink {
    ProtobufCBuffer base;
    struct cdoc_buf *buf;
};

static void sink_append(ProtobufCBuffer *base, size_t len,
                        const uint8_t *data)
{
    struct buf_sink *sink = (struct buf_sink *)base;

    cdoc_buf_append(sink->buf, data, len);
}

void cdoc_proto_render(const struct cdoc_report *report, struct cdoc_buf *buf)
{
    struct cdoc_counts counts = cdoc_report_counts(report);
    size_t property_total = 0;
    struct pool pool = {0};
    PbReport msg = CAPSEM__DOCTOR__V1__REPORT__INIT;
    PbCounts pb_counts = CAPSEM__DOCTOR__V1__COUNTS__INIT;
    PbResult *results;
    PbResult **result_ptrs;
    PbProperty *properties;
    PbProperty **property_ptrs;
    struct buf_sink sink = {0};
    size_t next_property = 0;

    for (size_t i = 0; i < report->result_count; i++)
        property_total += report->results[i].property_count;
    results = cdoc_xcalloc(report->result_count, sizeof(*results));
    result_ptrs = cdoc_xcalloc(report->result_count, sizeof(*result_ptrs));
    properties = cdoc_xcalloc(property_total, sizeof(*properties));
    property_ptrs = cdoc_xcalloc(property_total, sizeof(*property_ptrs));

    msg.doctor_version = pool_utf8(&pool, report->doctor_version);
    msg.profile = pool_utf8(&pool, report->profile_name);
    msg.hostname = pool_utf8(&pool, report->hostname);
    msg.kernel_release = pool_utf8(&pool, report->kernel_release);
    msg.root = pool_utf8(&pool, report->root);
    msg.architecture = pool_utf8(&pool, report->architecture);
    msg.started_at = report->started_at;
    msg.seconds = report->seconds;
    msg.interrupted = report->interrupted;
    msg.stopped_early = report->stopped_early;
    msg.passed = cdoc_report_passed(report);

    pb_counts.total = (uint32_t)counts.total;
    pb_counts.passed = (uint32_t)counts.passed;
    pb_counts.failed = (uint32_t)counts.failed;
    pb_counts.skipped = (uint32_t)counts.skipped;
    pb_counts.errors = (uint32_t)counts.errors;
    pb_counts.not_run = (uint32_t)counts.not_run;
    msg.counts = &pb_counts;

    for (size_t i = 0; i < report->result_count; i++) {
        const struct cdoc_result *result = &report->results[i];
        PbResult *pb = &results[i];
        char *full_name = cdoc_result_full_name(result);

        capsem__doctor__v1__check_result__init(pb);
        pb->suite = pool_utf8(&pool, result->suite);
        pb->check = pool_utf8(&pool, result->check);
        pb->param = pool_utf8(&pool, result->param);
        pb->full_name = pool_utf8(&pool, full_name);
        free(full_name);
        pb->description = pool_utf8(&pool, result->description);
        pb->verdict = verdict_to_pb(result->verdict);
        pb->message = pool_utf8(&pool, result->message);
        pb->detail = pool_utf8(&pool, result->detail);
        pb->blocked_by = pool_utf8(&pool, result->blocked_by);
        pb->output.data = result->output;
        pb->output.len = result->output ? result->output_len : 0;
        pb->output_truncated = result->output_truncated;
        pb->seconds = result->seconds;
        pb->n_properties = result->property_count;
        pb->properties = &property_ptrs[next_property];
        for (size_t j = 0; j < result->property_count; j++) {
            PbProperty *prop = &properties[next_property];

            capsem__doctor__v1__property__init(prop);
            prop->name = pool_utf8(&pool, result->properties[j].name);
            prop->value = pool_utf8(&pool, result->properties[j].value);
            property_ptrs[next_property++] = prop;
        }
        result_ptrs[i] = pb;
    }
    msg.n_results = report->result_count;
    msg.results = result_ptrs;

    sink.base.append = sink_append;
    sink.buf = buf;
    cdoc_buf_append(buf, "", 0);
    capsem__doctor__v1__report__pack_to_buffer(&msg, &sink.base);

    free(property_ptrs);
    free(properties);
    free(result_ptrs);
    free(results);
    pool_release(&pool);
}

/* Required text: copied as is (never NULL). */
static char *copy_text(const char *text)
{
    return cdoc_xstrdup(text ? text : "");
}

/* Optional text: an empty string is how render wrote NULL. */
static char *copy_optional(const char *text)
{
    return text && *text ? cdoc_xstrdup(text) : NULL;
}

static int result_from_pb(const PbResult *pb, size_t index,
                          struct cdoc_result *result, struct cdoc_err *err)
{
    if (!pb->suite || !*pb->suite || !pb->check || !*pb->check)
        return cdoc_errf(err,
                         "result %zu of the protobuf report has no %s name; "
                         "the file was not written by capsem-doctor",
                         index + 1,
                         !pb->suite || !*pb->suite ? "suite" : "check");
    if (verdict_from_pb(pb->verdict, &result->verdict) < 0)
        return cdoc_errf(err,
                         "result %zu (%s::%s) of the protobuf report has "
                         "verdict %d, which this capsem-doctor does not know",
                         index + 1, pb->suite, pb->check, (int)pb->verdict);

    result->suite = copy_text(pb->suite);
    result->check = copy_text(pb->check);
    result->param = copy_optional(pb->param);
    result->description = copy_optional(pb->description);
    result->message = copy_optional(pb->message);
    result->detail = copy_optional(pb->detail);
    result->blocked_by = copy_optional(pb->blocked_by);
    if (pb->output.len > 0 || pb->output_truncated) {
        cdoc_result_set_output(result,
                               pb->output.data ? (const void *)pb->output.data
                                               : "",
                               pb->output.len);
        result->output_truncated = result->output_truncated ||
                                   pb->output_truncated;
    }
    result->seconds = pb->seconds;
    for (size_t i = 0; i < pb->n_properties; i++)
        cdoc_result_add_property(
            result,
            pb->properties[i]->name ? pb->properties[i]->name : "",
            pb->properties[i]->value ? pb->properties[i]->value : "");
    return 0;
}

static bool counts_agree(const PbCounts *pb, const struct cdoc_counts *counts)
{
    return pb->total == counts->total && pb->passed == counts->passed &&
           pb->failed == counts->failed && pb->skipped == counts->skipped &&
           pb->errors == counts->errors && pb->not_run == counts->not_run;
}

int cdoc_proto_parse(const void *bytes, size_t len, struct cdoc_report *report,
                     struct cdoc_err *err)
{
    PbReport *msg;
    struct cdoc_counts counts;

    memset(report, 0, sizeof(*report));
    msg = capsem__doctor__v1__report__unpack(NULL, len, bytes);
    if (!msg)
        return cdoc_errf(err,
                         "the %zu bytes given are not a "
                         "capsem.doctor.v1.Report protobuf message; pass a "
                         "file written by capsem-doctor --proto",
                         len);

    report->doctor_version = copy_text(msg->doctor_version);
    report->profile_name = copy_text(msg->profile);
    report->hostname = copy_text(msg->hostname);
    report->kernel_release = copy_text(msg->kernel_release);
    report->root = copy_text(msg->root);
    report->architecture = copy_text(msg->architecture);
    report->started_at = msg->started_at;
    report->seconds = msg->seconds;
    report->interrupted = msg->interrupted;
    report->stopped_early = msg->stopped_early;
    report->results = cdoc_xcalloc(msg->n_results, sizeof(*report->results));
    for (size_t i = 0; i < msg->n_results; i++) {
        if (result_from_pb(msg->results[i], i, &report->results[i], err) < 0) {
            report->result_count = i + 1;
            goto fail;
        }
        report->result_count = i + 1;
    }

    /* Counts are derived from the results; disagreement means the file was
     * altered or cut, and a report built from it would mislead. */
    counts = cdoc_report_counts(report);
    if (msg->counts && !counts_agree(msg->counts, &counts)) {
        cdoc_errf(err,
                  "the protobuf report's counts (%u total, %u failed, %u "
                  "errors) disagree with its %zu results (%zu total, %zu "
                  "failed, %zu errors); the file is damaged",
                  msg->counts->total, msg->counts->failed, msg->counts->errors,
                  report->result_count, counts.total, counts.failed,
                  counts.errors);
        goto fail;
    }

    capsem__doctor__v1__report__free_unpacked(msg, NULL);
    return 0;

fail:
    capsem__doctor__v1__report__free_unpacked(msg, NULL);
    cdoc_report_release(report);
    return -1;
}
