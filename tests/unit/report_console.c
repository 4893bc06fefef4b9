/* SPDX-License-Identifier: MIT */
/* Console output (pkg/report/console.c), captured with open_memstream. */
#include "report/report.h"

#include "report_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct capture {
    char *text;
    size_t len;
    struct cdoc_console console;
};

static void capture_open(struct capture *cap, bool color, int verbosity)
{
    memset(cap, 0, sizeof(*cap));
    cap->console.out = open_memstream(&cap->text, &cap->len);
    cr_assert_not_null(cap->console.out);
    cap->console.color = color;
    cap->console.verbosity = verbosity;
}

static void capture_close(struct capture *cap)
{
    fclose(cap->console.out);
    cap->console.out = NULL;
}

/* Everything a run prints: one line per finished check, then the summary. */
static void run_console(struct capture *cap, const struct cdoc_report *report,
                        bool color, int verbosity)
{
    capture_open(cap, color, verbosity);
    for (size_t i = 0; i < report->result_count; i++) {
        if (report->results[i].verdict != CDOC_NOT_RUN)
            cdoc_console_result(&cap->console, &report->results[i]);
    }
    cdoc_console_summary(&cap->console, report);
    capture_close(cap);
}

static size_t count_lines(const char *text)
{
    size_t lines = 0;

    for (; *text; text++)
        lines += *text == '\n';
    return lines;
}

Test(report_console, result_lines)
{
    struct cdoc_report report;
    struct capture cap;

    fixture_report(&report);
    capture_open(&cap, false, 0);
    for (size_t i = 0; i < 4; i++)
        cdoc_console_result(&cap.console, &report.results[i]);
    capture_close(&cap);
    cr_expect_str_eq(cap.text,
                     "test_sandbox::test_no_ipv6 PASSED\n"
                     "test_sandbox::test_readonly_root FAILED\n"
                     "test_network::test_utility_available[curl] SKIPPED "
                     "(curl is not in this profile's utilities)\n"
                     "test_network::test_proxy_reachable ERROR\n");
    free(cap.text);
    cdoc_report_release(&report);
}

Test(report_console, colour_only_when_asked)
{
    struct cdoc_report report;
    struct capture cap;

    fixture_report(&report);
    run_console(&cap, &report, false, 1);
    cr_expect_null(memchr(cap.text, 0x1b, cap.len),
                   "an escape byte with colour off:\n%s", cap.text);
    free(cap.text);

    run_console(&cap, &report, true, 1);
    cr_expect_not_null(strstr(cap.text, "test_no_ipv6 \x1b[32mPASSED\x1b[0m\n"));
    cr_expect_not_null(strstr(cap.text, "\x1b[31mFAILED\x1b[0m\n"));
    cr_expect_not_null(strstr(cap.text, "\x1b[33mSKIPPED ("));
    cr_expect_not_null(strstr(cap.text, "\x1b[31mERROR\x1b[0m\n"));
    cr_expect_not_null(strstr(cap.text, "\x1b[1;31mRESULT: FAIL\x1b[0m\n"));
    free(cap.text);
    cdoc_report_release(&report);
}

/* Remove the colour codes the console itself writes; any escape byte left
 * came from the report's data. */
static void strip_own_colours(char *text)
{
    static const char *const codes[] = {"\x1b[32m", "\x1b[31m", "\x1b[33m",
                                        "\x1b[1;31m", "\x1b[1;32m",
                                        "\x1b[0m"};

    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        size_t n = strlen(codes[i]);
        char *at;

        while ((at = strstr(text, codes[i])))
            memmove(at, at + n, strlen(at + n) + 1);
    }
}

Test(report_console, captured_escapes_never_reach_the_terminal)
{
    struct cdoc_report report;
    struct capture cap;

    fixture_report(&report);
    for (int verbosity = -1; verbosity <= 1; verbosity++) {
        run_console(&cap, &report, true, verbosity);
        cr_expect_eq(strlen(cap.text), cap.len, "a NUL reached the terminal");
        strip_own_colours(cap.text);
        for (const unsigned char *p = (const unsigned char *)cap.text; *p;
             p++)
            cr_expect(*p >= 0x20 || *p == '\n' || *p == '\t',
                      "control byte 0x%02x reached the terminal "
                      "(verbosity %d)",
                      *p, verbosity);
        /* C1 CSI as UTF-8 must not pass either. */
        cr_expect_null(strstr(cap.text, "\xc2\x9b"));
        free(cap.text);
    }
    cdoc_report_release(&report);
}

Test(report_console, summary_sections)
{
    struct cdoc_report report;
    struct capture cap;
    char *truncated;

    fixture_report(&report);
    run_console(&cap, &report, false, 0);

    cr_expect_not_null(strstr(cap.text, " FAILURES "), "%s", cap.text);
    cr_expect_not_null(strstr(cap.text, " ERRORS "));
    cr_expect_not_null(strstr(cap.text, " test_sandbox::test_readonly_root "));
    cr_expect_not_null(strstr(cap.text, "E   wrote \"/etc/x\" <ok> & 'done' "
                                        "\\x1b[31m]]>\\xfe\n"));
    cr_expect_not_null(strstr(cap.text, "expected: EROFS\n\tgot: 0\\x0d\n"));
    cr_expect_not_null(strstr(cap.text, " Captured output "));
    cr_expect_not_null(strstr(cap.text, "\\x1b[31mred\\x1b[0m and NUL:\\x00:"));
    truncated = cdoc_xasprintf("[output truncated: cut at %d bytes",
                               CDOC_OUTPUT_MAX);
    cr_expect_not_null(strstr(cap.text, truncated));
    free(truncated);
    cr_expect_not_null(strstr(cap.text, "E   timed out after 10 s\n"
                                        "the worker was killed by SIGKILL\n"));
    /* Short summary: failures and errors, skips only when verbose. */
    cr_expect_not_null(strstr(cap.text, "FAILED test_sandbox::test_readonly_root - "));
    cr_expect_not_null(strstr(cap.text, "ERROR test_network::test_proxy_reachable - "
                                        "timed out after 10 s\n"));
    cr_expect_null(strstr(cap.text, "SKIPPED test_network"));
    /* No section for passed checks, nor their output. */
    cr_expect_null(strstr(cap.text, " test_sandbox::test_no_ipv6 _"));
    cr_expect_not_null(strstr(cap.text,
                              " 1 passed, 1 failed, 1 skipped, 1 errors in "
                              "12.35s "));
    cr_expect_not_null(strstr(cap.text, "\nstopped early (-x): 2 not run\n"
                                        "RESULT: FAIL\n"));
    free(cap.text);
    cdoc_report_release(&report);
}

Test(report_console, quiet_prints_only_the_summary)
{
    struct cdoc_report report;
    struct capture cap;

    fixture_report(&report);
    run_console(&cap, &report, false, -1);
    cr_expect_str_eq(cap.text,
                     "1 passed, 1 failed, 1 skipped, 1 errors in 12.35s\n"
                     "stopped early (-x): 2 not run\n"
                     "RESULT: FAIL\n");
    free(cap.text);

    report.stopped_early = false;
    report.interrupted = true;
    run_console(&cap, &report, false, -1);
    cr_expect_str_eq(cap.text,
                     "1 passed, 1 failed, 1 skipped, 1 errors in 12.35s\n"
                     "interrupted: 2 not run\n"
                     "RESULT: FAIL\n");
    free(cap.text);
    cdoc_report_release(&report);
}

Test(report_console, verbose_adds_skip_reasons_and_properties)
{
    struct cdoc_report report;
    struct capture cap;

    fixture_report(&report);
    run_console(&cap, &report, false, 1);
    cr_expect_not_null(strstr(cap.text, "test_sandbox::test_no_ipv6 PASSED\n"
                                        "    interfaces = lo,dummy0\n"
                                        "    clock_reference = "
                                        "CLOCK_\\x1b[1mREALTIME\n"),
                       "%s", cap.text);
    cr_expect_not_null(strstr(cap.text, "SKIPPED test_network::test_utility_"
                                        "available[curl] - curl is not in "
                                        "this profile's utilities\n"));
    cr_expect_not_null(strstr(cap.text, "Properties:\n    timeout = 10\n"));
    free(cap.text);

    run_console(&cap, &report, false, 0);
    cr_expect_null(strstr(cap.text, "interfaces = "));
    free(cap.text);
    cdoc_report_release(&report);
}

Test(report_console, passing_run)
{
    struct cdoc_report report = {0};
    struct capture cap;

    report.seconds = 0.5;
    fixture_add(&report, "sandbox", "test_a", NULL, CDOC_PASSED);
    fixture_add(&report, "sandbox", "test_b", "x", CDOC_PASSED);
    run_console(&cap, &report, false, 0);
    cr_expect_str_eq(cap.text,
                     "test_sandbox::test_a PASSED\n"
                     "test_sandbox::test_b[x] PASSED\n"
                     "=============== 2 passed, 0 failed, 0 skipped, 0 errors "
                     "in 0.50s ===============\n"
                     "RESULT: PASS\n");
    cr_expect_eq(count_lines(cap.text), 4);
    free(cap.text);
    cdoc_report_release(&report);
}
