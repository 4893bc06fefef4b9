/* SPDX-License-Identifier: MIT */
/*
 * The JSON report, schema "capsem-doctor/report/v1" (docs/report-json.md).
 *
 * Written by hand rather than with json-c: json-c formats doubles with
 * printf, whose decimal separator follows LC_NUMERIC, and the escaping
 * rules here (U+FFFD for invalid UTF-8, controls as \u00NN) must match the
 * other writers'. Numbers go through cdoc_format_fixed, which always writes
 * a dot.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#define JSON_SCHEMA "capsem-doctor/report/v1"

static void key(struct cdoc_buf *buf, int indent, const char *name, bool *first)
{
    cdoc_buf_printf(buf, "%s\n%*s\"%s\": ", *first ? "" : ",", indent, "",
                    name);
    *first = false;
}

static void put_string(struct cdoc_buf *buf, int indent, const char *name,
                       const char *value, bool *first)
{
    key(buf, indent, name, first);
    cdoc_json_escape_str(buf, value);
}

static void put_bool(struct cdoc_buf *buf, int indent, const char *name,
                     bool value, bool *first)
{
    key(buf, indent, name, first);
    cdoc_buf_puts(buf, value ? "true" : "false");
}

static void put_count(struct cdoc_buf *buf, int indent, const char *name,
                      size_t value, bool *first)
{
    key(buf, indent, name, first);
    cdoc_buf_printf(buf, "%zu", value);
}

static void put_number(struct cdoc_buf *buf, int indent, const char *name,
                       double value, unsigned decimals, bool *first)
{
    char text[64];

    cdoc_format_fixed(text, sizeof(text), value, decimals);
    key(buf, indent, name, first);
    cdoc_buf_puts(buf, text);
}

/* Properties as an object. A name recorded twice appears once, with the
 * value recorded last, so no consumer meets duplicate keys. */
static void put_properties(struct cdoc_buf *buf, int indent,
                           const struct cdoc_result *result, bool *first)
{
    bool inner = true;

    key(buf, indent, "properties", first);
    cdoc_buf_puts(buf, "{");
    for (size_t i = 0; i < result->property_count; i++) {
        const char *name = result->properties[i].name;
        bool later = false;

        name = name ? name : "";
        for (size_t j = i + 1; j < result->property_count && !later; j++)
            later = strcmp(name, result->properties[j].name
                                     ? result->properties[j].name
                                     : "") == 0;
        if (later)
            continue;
        cdoc_buf_printf(buf, "%s\n%*s", inner ? "" : ",", indent + 2, "");
        inner = false;
        cdoc_json_escape_str(buf, name);
        cdoc_buf_puts(buf, ": ");
        cdoc_json_escape_str(buf, result->properties[i].value
                                      ? result->properties[i].value
                                      : "");
    }
    if (!inner)
        cdoc_buf_printf(buf, "\n%*s", indent, "");
    cdoc_buf_puts(buf, "}");
}

static void put_result(struct cdoc_buf *buf, const struct cdoc_result *result)
{
    const int indent = 6;
    char *name = cdoc_result_full_name(result);
    bool first = true;

    cdoc_buf_puts(buf, "    {");
    put_string(buf, indent, "name", name, &first);
    put_string(buf, indent, "suite", result->suite ? result->suite : "",
               &first);
    put_string(buf, indent, "check", result->check ? result->check : "",
               &first);
    put_string(buf, indent, "param", result->param, &first);
    put_string(buf, indent, "description", result->description, &first);
    put_string(buf, indent, "verdict", cdoc_verdict_name(result->verdict),
               &first);
    put_string(buf, indent, "message", result->message, &first);
    put_string(buf, indent, "detail", result->detail, &first);
    put_string(buf, indent, "blocked_by", result->blocked_by, &first);
    key(buf, indent, "output", &first);
    cdoc_json_escape(buf, result->output,
                     result->output ? result->output_len : 0);
    put_bool(buf, indent, "output_truncated", result->output_truncated,
             &first);
    put_number(buf, indent, "seconds",
               result->seconds < 0 ? 0 : result->seconds, 6, &first);
    put_properties(buf, indent, result, &first);
    cdoc_buf_puts(buf, "\n    }");
    free(name);
}

void cdoc_json_render(const struct cdoc_report *report, struct cdoc_buf *buf)
{
    struct cdoc_counts counts = cdoc_report_counts(report);
    char started[CDOC_TIMESTAMP_MAX];
    bool first = true;
    bool inner = true;

    cdoc_format_timestamp(started, sizeof(started), report->started_at, true);

    cdoc_buf_puts(buf, "{");
    put_string(buf, 2, "schema", JSON_SCHEMA, &first);
    put_string(buf, 2, "doctor_version", report->doctor_version, &first);
    put_string(buf, 2, "profile", report->profile_name, &first);
    put_string(buf, 2, "hostname", report->hostname, &first);
    put_string(buf, 2, "kernel_release", report->kernel_release, &first);
    put_string(buf, 2, "architecture", report->architecture, &first);
    put_string(buf, 2, "root", report->root, &first);
    put_string(buf, 2, "started_at", started, &first);
    put_number(buf, 2, "started_at_unix",
               report->started_at < 0 ? 0 : report->started_at, 6, &first);
    put_number(buf, 2, "seconds", report->seconds < 0 ? 0 : report->seconds, 6,
               &first);
    put_bool(buf, 2, "interrupted", report->interrupted, &first);
    put_bool(buf, 2, "stopped_early", report->stopped_early, &first);
    put_bool(buf, 2, "passed", cdoc_report_passed(report), &first);

    key(buf, 2, "counts", &first);
    cdoc_buf_puts(buf, "{");
    put_count(buf, 4, "total", counts.total, &inner);
    put_count(buf, 4, "passed", counts.passed, &inner);
    put_count(buf, 4, "failed", counts.failed, &inner);
    put_count(buf, 4, "skipped", counts.skipped, &inner);
    put_count(buf, 4, "errors", counts.errors, &inner);
    put_count(buf, 4, "not_run", counts.not_run, &inner);
    cdoc_buf_puts(buf, "\n  }");

    key(buf, 2, "results", &first);
    cdoc_buf_puts(buf, "[");
    for (size_t i = 0; i < report->result_count; i++) {
        cdoc_buf_puts(buf, i == 0 ? "\n" : ",\n");
        put_result(buf, &report->results[i]);
    }
    cdoc_buf_puts(buf, report->result_count ? "\n  ]" : "]");
    cdoc_buf_puts(buf, "\n}\n");
}
