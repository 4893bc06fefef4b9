/* SPDX-License-Identifier: MIT */
/*
 * Console output in the manner of pytest -v:
 *
 *   test_sandbox::test_no_ipv6 PASSED
 *   test_network::test_proxy_up FAILED
 *   ...
 *   ================================ FAILURES ================================
 *   _______________________ test_network::test_proxy_up ______________________
 *   message, detail, captured output
 *   ========================= short test summary info ========================
 *   FAILED test_network::test_proxy_up - message
 *   ============ 3 passed, 1 failed, 0 skipped, 0 errors in 1.234s ===========
 *   RESULT: FAIL
 *
 * Nothing a check recorded reaches the terminal raw: names, messages,
 * details, properties and captured output all pass through
 * cdoc_terminal_escape, so an ANSI escape a command printed shows as text.
 * The only escape sequences written are the colours, and only when
 * console->color is set.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#define WIDTH 80

#define GREEN "\x1b[32m"
#define RED "\x1b[31m"
#define YELLOW "\x1b[33m"
#define BOLD_RED "\x1b[1;31m"
#define BOLD_GREEN "\x1b[1;32m"
#define RESET "\x1b[0m"

/* A colour code, or nothing when colour is off or code is NULL. */
static const char *paint(const struct cdoc_console *console, const char *code)
{
    return console->color && code ? code : "";
}

static const char *reset(const struct cdoc_console *console)
{
    return console->color ? RESET : "";
}

/* Terminal-safe copy of text; one line unless multiline. */
static char *visible(const void *bytes, size_t len, bool multiline)
{
    struct cdoc_buf buf = {0};

    cdoc_terminal_escape(&buf, bytes, len, multiline);
    return buf.data;
}

static char *visible_str(const char *text, bool multiline)
{
    return visible(text ? text : "", text ? strlen(text) : 0, multiline);
}

static char *visible_name(const struct cdoc_result *result)
{
    char *name = cdoc_result_full_name(result);
    char *safe = visible_str(name, false);

    free(name);
    return safe;
}

/* Display width of safe text, counting UTF-8 characters (wide characters
 * are rare enough in check names not to matter for a rule line). */
static size_t text_width(const char *text)
{
    size_t width = 0;

    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        width += (*p & 0xc0) != 0x80;
    return width;
}

/* "===== title =====" across WIDTH columns, as pytest draws its rules. */
static void rule(const struct cdoc_console *console, char fill,
                 const char *title, const char *color)
{
    size_t width = title ? text_width(title) + 2 : 0;
    size_t left = width < WIDTH ? (WIDTH - width) / 2 : 1;
    size_t right = width < WIDTH ? WIDTH - width - left : 1;

    fputs(paint(console, color), console->out);
    for (size_t i = 0; i < left; i++)
        fputc(fill, console->out);
    if (title)
        fprintf(console->out, " %s ", title);
    for (size_t i = 0; i < right; i++)
        fputc(fill, console->out);
    if (color)
        fputs(reset(console), console->out);
    fputc('\n', console->out);
}

static const char *verdict_label(enum cdoc_verdict verdict)
{
    switch (verdict) {
    case CDOC_PASSED:
        return "PASSED";
    case CDOC_FAILED:
        return "FAILED";
    case CDOC_SKIPPED:
        return "SKIPPED";
    case CDOC_ERROR:
        return "ERROR";
    case CDOC_NOT_RUN:
        break;
    }
    return "NOT RUN";
}

static const char *verdict_color(enum cdoc_verdict verdict)
{
    switch (verdict) {
    case CDOC_PASSED:
        return GREEN;
    case CDOC_FAILED:
    case CDOC_ERROR:
        return RED;
    case CDOC_SKIPPED:
    case CDOC_NOT_RUN:
        break;
    }
    return YELLOW;
}

static void print_properties(const struct cdoc_console *console,
                             const struct cdoc_result *result,
                             const char *indent)
{
    for (size_t i = 0; i < result->property_count; i++) {
        char *name = visible_str(result->properties[i].name, false);
        char *value = visible_str(result->properties[i].value, false);

        fprintf(console->out, "%s%s = %s\n", indent, name, value);
        free(name);
        free(value);
    }
}

void cdoc_console_result(const struct cdoc_console *console,
                         const struct cdoc_result *result)
{
    char *name;

    if (console->verbosity < 0)
        return;
    name = visible_name(result);
    fprintf(console->out, "%s %s%s", name,
            paint(console, verdict_color(result->verdict)),
            verdict_label(result->verdict));
    if (result->verdict == CDOC_SKIPPED && result->message &&
        *result->message) {
        char *reason = visible_str(result->message, false);

        fprintf(console->out, " (%s)", reason);
        free(reason);
    }
    if (result->verdict == CDOC_NOT_RUN && result->blocked_by) {
        char *root = visible_str(result->blocked_by, false);

        fprintf(console->out, " (root cause: %s)", root);
        free(root);
    }
    fprintf(console->out, "%s\n", reset(console));
    if (console->verbosity > 0)
        print_properties(console, result, "    ");
    free(name);
}

static void print_block(const struct cdoc_console *console, const char *text)
{
    char *safe = visible_str(text, true);
    size_t len = strlen(safe);

    fputs(safe, console->out);
    if (len > 0 && safe[len - 1] != '\n')
        fputc('\n', console->out);
    free(safe);
}

/* One entry of the FAILURES or ERRORS section. */
static void print_problem(const struct cdoc_console *console,
                          const struct cdoc_result *result)
{
    char *name = visible_name(result);

    rule(console, '_', name, RED);
    if (result->description && *result->description) {
        char *description = visible_str(result->description, true);

        fprintf(console->out, "Checks: %s\n", description);
        free(description);
    }
    if (result->message && *result->message) {
        char *message = visible_str(result->message, true);

        fprintf(console->out, "%sE   %s%s\n", paint(console, BOLD_RED), message,
                reset(console));
        free(message);
    }
    if (result->detail && *result->detail)
        print_block(console, result->detail);
    if (console->verbosity > 0 && result->property_count > 0) {
        fputs("Properties:\n", console->out);
        print_properties(console, result, "    ");
    }
    if (result->output_len > 0 || result->output_truncated) {
        char *output = visible(result->output ? (const void *)result->output
                                              : "",
                               result->output ? result->output_len : 0, true);
        size_t len = strlen(output);

        rule(console, '-', "Captured output", NULL);
        fputs(output, console->out);
        if (len > 0 && output[len - 1] != '\n')
            fputc('\n', console->out);
        if (result->output_truncated)
            fprintf(console->out,
                    "[output truncated: cut at %d bytes (CDOC_OUTPUT_MAX)]\n",
                    CDOC_OUTPUT_MAX);
        free(output);
    }
    free(name);
}

static bool any_with(const struct cdoc_report *report,
                     enum cdoc_verdict verdict)
{
    for (size_t i = 0; i < report->result_count; i++) {
        if (report->results[i].verdict == verdict)
            return true;
    }
    return false;
}

static void print_section(const struct cdoc_console *console,
                          const struct cdoc_report *report,
                          enum cdoc_verdict verdict, const char *title)
{
    if (!any_with(report, verdict))
        return;
    rule(console, '=', title, NULL);
    for (size_t i = 0; i < report->result_count; i++) {
        if (report->results[i].verdict == verdict)
            print_problem(console, &report->results[i]);
    }
}

/* "FAILED test_x::y - message" lines, pytest's short test summary. */
static void print_short_summary(const struct cdoc_console *console,
                                const struct cdoc_report *report)
{
    bool any = any_with(report, CDOC_FAILED) || any_with(report, CDOC_ERROR) ||
               (console->verbosity > 0 && any_with(report, CDOC_SKIPPED));

    if (!any)
        return;
    rule(console, '=', "short test summary info", NULL);
    for (size_t i = 0; i < report->result_count; i++) {
        const struct cdoc_result *result = &report->results[i];
        char *name;
        char *message;

        if (result->verdict != CDOC_FAILED && result->verdict != CDOC_ERROR &&
            !(result->verdict == CDOC_SKIPPED && console->verbosity > 0))
            continue;
        name = visible_name(result);
        message = visible_str(result->message, false);
        fprintf(console->out, "%s%s%s %s",
                paint(console, verdict_color(result->verdict)),
                verdict_label(result->verdict), reset(console), name);
        if (*message)
            fprintf(console->out, " - %s", message);
        fputc('\n', console->out);
        free(name);
        free(message);
    }
}

/* Count the checks not run because root failed below them. */
static size_t count_blocked_by(const struct cdoc_report *report,
                               const char *root)
{
    size_t count = 0;

    for (size_t i = 0; i < report->result_count; i++) {
        const char *by = report->results[i].blocked_by;

        if (report->results[i].verdict == CDOC_NOT_RUN && by &&
            strcmp(by, root) == 0)
            count++;
    }
    return count;
}

static bool root_named_before(const struct cdoc_report *report, size_t index)
{
    for (size_t i = 0; i < index; i++) {
        if (report->results[i].verdict == CDOC_NOT_RUN &&
            report->results[i].blocked_by &&
            strcmp(report->results[i].blocked_by,
                   report->results[index].blocked_by) == 0)
            return true;
    }
    return false;
}

/* Print one line per root cause: the lower-layer check that failed, and
 * how many checks above it were not run because of it. */
static void print_root_causes(const struct cdoc_console *console,
                              const struct cdoc_report *report)
{
    for (size_t i = 0; i < report->result_count; i++) {
        const struct cdoc_result *result = &report->results[i];
        size_t blocked;
        char *root;

        if (result->verdict != CDOC_NOT_RUN || !result->blocked_by ||
            root_named_before(report, i))
            continue;
        blocked = count_blocked_by(report, result->blocked_by);
        root = visible_str(result->blocked_by, false);
        fprintf(console->out, "%sroot cause: %s; %zu check%s above it not "
                "run%s\n", paint(console, YELLOW), root, blocked,
                blocked == 1 ? "" : "s", reset(console));
        free(root);
    }
}

void cdoc_console_summary(const struct cdoc_console *console,
                          const struct cdoc_report *report)
{
    struct cdoc_counts counts = cdoc_report_counts(report);
    bool passed = cdoc_report_passed(report);
    const char *color;
    char seconds[64];
    char line[256];

    if (console->verbosity >= 0) {
        print_section(console, report, CDOC_FAILED, "FAILURES");
        print_section(console, report, CDOC_ERROR, "ERRORS");
        print_short_summary(console, report);
    }

    cdoc_format_fixed(seconds, sizeof(seconds),
                      report->seconds < 0 ? 0 : report->seconds, 2);
    /* Always all four counts, in this order, so scripts can match them. */
    snprintf(line, sizeof(line), "%zu passed, %zu failed, %zu skipped, "
             "%zu errors in %ss",
             counts.passed, counts.failed, counts.skipped, counts.errors,
             seconds);
    color = !passed ? RED : counts.skipped > 0 || counts.not_run > 0 ? YELLOW
                                                                      : GREEN;
    if (console->verbosity >= 0)
        rule(console, '=', line, color);
    else
        fprintf(console->out, "%s%s%s\n", paint(console, color), line,
                reset(console));

    /* Part of the summary, so printed even when quiet: the counts above do
     * not include checks that never ran. */
    print_root_causes(console, report);
    if (report->interrupted || report->stopped_early ||
        counts.not_run > counts.blocked) {
        const char *why = report->interrupted     ? "interrupted"
                          : report->stopped_early ? "stopped early (-x)"
                                                  : "incomplete";

        fprintf(console->out, "%s%s: %zu not run%s\n",
                paint(console, YELLOW), why,
                counts.not_run - counts.blocked, reset(console));
    }
    fprintf(console->out, "%sRESULT: %s%s\n",
            paint(console, passed ? BOLD_GREEN : BOLD_RED),
            passed ? "PASS" : "FAIL", reset(console));
    fflush(console->out);
}
