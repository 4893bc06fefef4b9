/* SPDX-License-Identifier: MIT */
/*
 * JUnit XML in the shape pytest --junitxml writes (junit_family=xunit2),
 * so GitHub Actions steps written for the old pytest suite keep working:
 *
 *   <testsuites name="capsem-doctor" tests failures errors skipped time>
 *     <testsuite name="test_<suite>" ... timestamp hostname>
 *       <properties>...</properties>
 *       <testcase classname="test_<suite>" name="<check>[param]" time>
 *         <properties>...</properties>
 *         <failure|error|skipped message="...">text</...>
 *         <system-out>captured output</system-out>
 *       </testcase>
 *     </testsuite>
 *   </testsuites>
 *
 * No CDATA: every byte goes through cdoc_xml_escape, which keeps the file
 * well-formed whatever a command printed. tests/junit.xsd describes the
 * shape and the unit tests validate against it.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

static const char *or_empty(const char *text)
{
    return text ? text : "";
}

static void put_attr(struct cdoc_buf *buf, const char *name, const char *value)
{
    cdoc_buf_printf(buf, " %s=\"", name);
    value = or_empty(value);
    cdoc_xml_escape_attr(buf, value, strlen(value));
    cdoc_buf_puts(buf, "\"");
}

static void put_count(struct cdoc_buf *buf, const char *name, size_t value)
{
    cdoc_buf_printf(buf, " %s=\"%zu\"", name, value);
}

static void put_seconds(struct cdoc_buf *buf, const char *name, double value)
{
    char text[64];

    cdoc_format_seconds(text, sizeof(text), value);
    cdoc_buf_printf(buf, " %s=\"%s\"", name, text);
}

static void put_text(struct cdoc_buf *buf, const char *text)
{
    text = or_empty(text);
    cdoc_xml_escape(buf, text, strlen(text));
}

static void put_property(struct cdoc_buf *buf, const char *indent,
                         const char *name, const char *value)
{
    cdoc_buf_printf(buf, "%s<property", indent);
    put_attr(buf, "name", name);
    put_attr(buf, "value", value);
    cdoc_buf_puts(buf, "/>\n");
}

static void put_suite_properties(struct cdoc_buf *buf,
                                 const struct cdoc_report *report,
                                 const struct cdoc_counts *suite_counts)
{
    char not_run[32];

    snprintf(not_run, sizeof(not_run), "%zu", suite_counts->not_run);
    cdoc_buf_puts(buf, "    <properties>\n");
    put_property(buf, "      ", "profile", report->profile_name);
    put_property(buf, "      ", "hostname", report->hostname);
    put_property(buf, "      ", "kernel_release", report->kernel_release);
    put_property(buf, "      ", "architecture", report->architecture);
    put_property(buf, "      ", "root", report->root);
    put_property(buf, "      ", "doctor_version", report->doctor_version);
    /* Checks cut off by -x or an interrupt are not testcases. These
     * properties record that the run was cut short and how many of this
     * suite's checks never ran, blocked ones included. */
    put_property(buf, "      ", "interrupted",
                 report->interrupted ? "true" : "false");
    put_property(buf, "      ", "stopped_early",
                 report->stopped_early ? "true" : "false");
    put_property(buf, "      ", "not_run", not_run);
    cdoc_buf_puts(buf, "    </properties>\n");
}

/* <failure message="...">detail</failure>; the body falls back to the
 * message when there is no detail, as pytest always fills it. */
static void put_outcome(struct cdoc_buf *buf, const char *element,
                        const char *type, const struct cdoc_result *result)
{
    const char *body = result->detail && *result->detail ? result->detail
                                                          : result->message;

    cdoc_buf_printf(buf, "      <%s", element);
    if (type)
        put_attr(buf, "type", type);
    put_attr(buf, "message", result->message);
    cdoc_buf_puts(buf, ">");
    put_text(buf, body);
    cdoc_buf_printf(buf, "</%s>\n", element);
}

static void put_skipped(struct cdoc_buf *buf, const char *message)
{
    cdoc_buf_puts(buf, "      <skipped");
    put_attr(buf, "type", "pytest.skip");
    put_attr(buf, "message", message);
    cdoc_buf_puts(buf, ">");
    put_text(buf, message);
    cdoc_buf_puts(buf, "</skipped>\n");
}

static void put_testcase(struct cdoc_buf *buf, const struct cdoc_result *result)
{
    char *classname = cdoc_xasprintf("test_%s", or_empty(result->suite));
    char *name = cdoc_result_case_name(result);

    cdoc_buf_puts(buf, "    <testcase");
    put_attr(buf, "classname", classname);
    put_attr(buf, "name", name);
    put_seconds(buf, "time", result->seconds);
    cdoc_buf_puts(buf, ">\n");
    free(classname);
    free(name);

    if (result->property_count > 0) {
        cdoc_buf_puts(buf, "      <properties>\n");
        for (size_t i = 0; i < result->property_count; i++)
            put_property(buf, "        ", result->properties[i].name,
                         result->properties[i].value);
        cdoc_buf_puts(buf, "      </properties>\n");
    }

    switch (result->verdict) {
    case CDOC_FAILED:
        put_outcome(buf, "failure", NULL, result);
        break;
    case CDOC_ERROR:
        put_outcome(buf, "error", NULL, result);
        break;
    case CDOC_SKIPPED:
        put_skipped(buf, result->message);
        break;
    case CDOC_NOT_RUN:
        /* A check blocked by a failed lower layer is shown as skipped, so
         * that CI lists it with its root cause. A check cut off by -x or
         * an interrupt is not a testcase. */
        if (result->blocked_by)
            put_skipped(buf, result->message);
        break;
    case CDOC_PASSED:
        break;
    }

    if (result->output_len > 0 || result->output_truncated) {
        cdoc_buf_puts(buf, "      <system-out>");
        cdoc_xml_escape(buf, result->output, result->output_len);
        if (result->output_truncated) {
            if (result->output_len > 0 &&
                result->output[result->output_len - 1] != '\n')
                cdoc_buf_puts(buf, "\n");
            cdoc_buf_printf(buf,
                            "[capsem-doctor: output truncated: cut at %d "
                            "bytes (CDOC_OUTPUT_MAX)]\n",
                            CDOC_OUTPUT_MAX);
        }
        cdoc_buf_puts(buf, "</system-out>\n");
    }
    cdoc_buf_puts(buf, "    </testcase>\n");
}

static bool same_suite(const char *a, const char *b)
{
    return strcmp(or_empty(a), or_empty(b)) == 0;
}

static bool is_testcase(const struct cdoc_result *result)
{
    return result->verdict != CDOC_NOT_RUN || result->blocked_by;
}

/* True when an earlier result already opened this result's suite, so a
 * suite whose results are not adjacent still yields one testsuite. */
static bool suite_seen_before(const struct cdoc_report *report, size_t index)
{
    for (size_t i = 0; i < index; i++) {
        if (same_suite(report->results[i].suite, report->results[index].suite))
            return true;
    }
    return false;
}

static void put_testsuite(struct cdoc_buf *buf,
                          const struct cdoc_report *report, size_t first)
{
    const char *suite = or_empty(report->results[first].suite);
    struct cdoc_counts counts = cdoc_report_suite_counts(report, suite);
    char timestamp[CDOC_TIMESTAMP_MAX];
    char *name = cdoc_xasprintf("test_%s", suite);
    double seconds = 0.0;

    for (size_t i = first; i < report->result_count; i++) {
        if (same_suite(report->results[i].suite, suite) &&
            is_testcase(&report->results[i]))
            seconds += report->results[i].seconds;
    }
    cdoc_format_timestamp(timestamp, sizeof(timestamp), report->started_at,
                          false);

    cdoc_buf_puts(buf, "  <testsuite");
    put_attr(buf, "name", name);
    put_count(buf, "tests", counts.total + counts.blocked);
    put_count(buf, "failures", counts.failed);
    put_count(buf, "errors", counts.errors);
    put_count(buf, "skipped", counts.skipped + counts.blocked);
    put_seconds(buf, "time", seconds);
    put_attr(buf, "timestamp", timestamp);
    put_attr(buf, "hostname", report->hostname);
    cdoc_buf_puts(buf, ">\n");
    free(name);

    put_suite_properties(buf, report, &counts);
    for (size_t i = first; i < report->result_count; i++) {
        const struct cdoc_result *result = &report->results[i];

        if (same_suite(result->suite, suite) && is_testcase(result))
            put_testcase(buf, result);
    }
    cdoc_buf_puts(buf, "  </testsuite>\n");
}

void cdoc_junit_render(const struct cdoc_report *report, struct cdoc_buf *buf)
{
    struct cdoc_counts counts = cdoc_report_counts(report);

    cdoc_buf_puts(buf, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    cdoc_buf_puts(buf, "<testsuites");
    put_attr(buf, "name", "capsem-doctor");
    put_count(buf, "tests", counts.total + counts.blocked);
    put_count(buf, "failures", counts.failed);
    put_count(buf, "errors", counts.errors);
    put_count(buf, "skipped", counts.skipped + counts.blocked);
    put_seconds(buf, "time", report->seconds);
    cdoc_buf_puts(buf, ">\n");
    for (size_t i = 0; i < report->result_count; i++) {
        if (!suite_seen_before(report, i))
            put_testsuite(buf, report, i);
    }
    cdoc_buf_puts(buf, "</testsuites>\n");
}
