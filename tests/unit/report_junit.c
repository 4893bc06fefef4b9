/* SPDX-License-Identifier: MIT */
/* The JUnit writer (pkg/report/junit.c), validated against tests/junit.xsd
 * with xmllint. */
#include "report/report.h"

#include "report_fixture.h"

#include <criterion/criterion.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define XSD CDOC_SOURCE_DIR "/tests/junit.xsd"

static char *render_to_file(const struct cdoc_report *report,
                            struct cdoc_buf *xml)
{
    cdoc_junit_render(report, xml);
    return fixture_temp_file(".xml", xml->data, xml->len);
}

static int validate(const char *path)
{
    const char *argv[] = {"xmllint", "--noout", "--schema", XSD, path, NULL};

    return fixture_run(argv, NULL, NULL);
}

/* Evaluate an XPath expression over the file with xmllint. */
static char *xpath(const char *path, const char *expr)
{
    const char *argv[] = {"xmllint", "--xpath", expr, path, NULL};
    struct cdoc_buf out = {0};
    int status = fixture_run(argv, NULL, &out);

    cr_assert_eq(status, 0, "xmllint --xpath '%s' exited %d", expr, status);
    while (out.len > 0 && out.data[out.len - 1] == '\n')
        out.data[--out.len] = '\0';
    return out.data;
}

static void expect_xpath(const char *path, const char *expr, const char *want)
{
    char *got = xpath(path, expr);

    cr_expect_str_eq(got, want, "%s", expr);
    free(got);
}

Test(report_junit, hostile_report_is_valid_against_the_schema)
{
    struct cdoc_report report;
    struct cdoc_buf xml = {0};
    char *path;

    fixture_report(&report);
    path = render_to_file(&report, &xml);
    cr_expect_eq(validate(path), 0, "%s does not validate:\n%s", path,
                 xml.data);
    unlink(path);
    free(path);
    cdoc_buf_release(&xml);
    cdoc_report_release(&report);
}

Test(report_junit, hostile_bytes_never_reach_the_file)
{
    struct cdoc_report report;
    struct cdoc_buf xml = {0};
    struct cdoc_buf check = {0};

    fixture_report(&report);
    cdoc_junit_render(&report, &xml);

    cr_expect_eq(strlen(xml.data), xml.len, "a NUL byte is in the XML");
    cr_expect_null(memchr(xml.data, 0x1b, xml.len), "raw ESC in the XML");
    cr_expect_null(strstr(xml.data, "CDATA"));
    cr_expect_null(strstr(xml.data, "]]>"));
    /* The file is valid UTF-8 as a whole. */
    cdoc_utf8_sanitize(&check, xml.data, xml.len);
    cr_expect_eq(check.len, xml.len);
    cr_expect_eq(memcmp(check.data, xml.data, xml.len), 0);
    /* What was hostile is shown, not dropped. */
    cr_expect_not_null(strstr(xml.data, "\\x1b[31mred\\x1b[0m"));
    cr_expect_not_null(strstr(xml.data, "and NUL:\\x00:"));
    cr_expect_not_null(strstr(xml.data, "bad \\xff byte"));
    cr_expect_not_null(strstr(xml.data, "]]&gt; &lt;tag&gt; &amp; &#13;\n"));
    cr_expect_not_null(strstr(xml.data, "6.6.8\\x1b[0m-capsem\\xff"));

    cdoc_buf_release(&check);
    cdoc_buf_release(&xml);
    cdoc_report_release(&report);
}

Test(report_junit, shape_and_counts)
{
    struct cdoc_report report;
    struct cdoc_buf xml = {0};
    char *path;

    fixture_report(&report);
    path = render_to_file(&report, &xml);

    cr_expect(strncmp(xml.data,
                      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                      "<testsuites name=\"capsem-doctor\" tests=\"4\" "
                      "failures=\"1\" errors=\"1\" skipped=\"1\" "
                      "time=\"12.346\">\n",
                      strlen("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                             "<testsuites name=\"capsem-doctor\" tests=\"4\" "
                             "failures=\"1\" errors=\"1\" skipped=\"1\" "
                             "time=\"12.346\">\n")) == 0,
              "unexpected head:\n%.300s", xml.data);

    /* One testsuite per suite, in report order, even one with no
     * testcase left (tools: its only check never ran). */
    expect_xpath(path, "count(/testsuites/testsuite)", "3");
    expect_xpath(path, "string(/testsuites/testsuite[1]/@name)", "test_sandbox");
    expect_xpath(path, "string(/testsuites/testsuite[2]/@name)", "test_network");
    expect_xpath(path, "string(/testsuites/testsuite[3]/@name)", "test_tools");
    expect_xpath(path, "string(/testsuites/testsuite[1]/@tests)", "2");
    expect_xpath(path, "string(/testsuites/testsuite[1]/@failures)", "1");
    expect_xpath(path, "string(/testsuites/testsuite[2]/@tests)", "2");
    expect_xpath(path, "string(/testsuites/testsuite[2]/@skipped)", "1");
    expect_xpath(path, "string(/testsuites/testsuite[2]/@errors)", "1");
    expect_xpath(path, "string(/testsuites/testsuite[3]/@tests)", "0");
    expect_xpath(path, "string(/testsuites/testsuite[1]/@time)", "1.512");
    expect_xpath(path, "string(/testsuites/testsuite[1]/@timestamp)",
                 "2025-01-02T03:04:05.678+00:00");
    expect_xpath(path, "string(/testsuites/testsuite[1]/@hostname)",
                 "capsem-guest");

    /* Run facts as suite properties; not-run checks are not testcases. */
    expect_xpath(path,
                 "string(//testsuite[1]/properties/property[@name='profile']/@value)",
                 "capsem");
    expect_xpath(path,
                 "string(//testsuite[1]/properties/property[@name='doctor_version']/@value)",
                 "0.1.0");
    expect_xpath(path,
                 "string(//testsuite[2]/properties/property[@name='stopped_early']/@value)",
                 "true");
    expect_xpath(path,
                 "string(//testsuite[2]/properties/property[@name='interrupted']/@value)",
                 "false");
    expect_xpath(path,
                 "string(//testsuite[2]/properties/property[@name='not_run']/@value)",
                 "1");
    expect_xpath(path, "count(//testcase)", "4");
    expect_xpath(path, "count(//testcase[@name='test_dns_sentinel'])", "0");

    /* Testcases, one verdict element each. */
    expect_xpath(path, "string(//testcase[1]/@classname)", "test_sandbox");
    expect_xpath(path, "string(//testsuite[1]/testcase[1]/@name)",
                 "test_no_ipv6");
    expect_xpath(path, "string(//testsuite[1]/testcase[1]/@time)", "0.012");
    expect_xpath(path, "count(//testsuite[1]/testcase[1]/*[self::failure or self::error or self::skipped])", "0");
    expect_xpath(path, "string(//testsuite[1]/testcase[1]/properties/property[1]/@name)",
                 "interfaces");
    expect_xpath(path, "string(//testsuite[1]/testcase[1]/properties/property[2]/@value)",
                 "CLOCK_\\x1b[1mREALTIME");
    expect_xpath(path, "string(//testsuite[1]/testcase[1]/system-out)", "ok");

    expect_xpath(path, "string(//testcase[@name='test_readonly_root']/failure/@message)",
                 "wrote \"/etc/x\" <ok> & 'done' \\x1b[31m]]>\\xfe");
    expect_xpath(path, "string(//testcase[@name='test_readonly_root']/failure)",
                 "expected: EROFS\n\tgot: 0\r\n]]> \\x01\\x7f end");

    expect_xpath(path, "string(//testcase[@name='test_utility_available[curl]']/skipped/@type)",
                 "pytest.skip");
    expect_xpath(path, "string(//testcase[@name='test_utility_available[curl]']/skipped/@message)",
                 "curl is not in this profile's utilities");
    expect_xpath(path, "string(//testcase[@name='test_utility_available[curl]']/skipped)",
                 "curl is not in this profile's utilities");
    expect_xpath(path, "string(//testcase[@name='test_utility_available[curl]']/@classname)",
                 "test_network");
    expect_xpath(path, "string(//testcase[@name='test_utility_available[curl]']/@time)",
                 "0.000");

    expect_xpath(path, "string(//testcase[@name='test_proxy_reachable']/error/@message)",
                 "timed out after 10 s");
    expect_xpath(path, "string(//testcase[@name='test_proxy_reachable']/error)",
                 "the worker was killed by SIGKILL");
    expect_xpath(path, "string(//testcase[@name='test_proxy_reachable']/@time)",
                 "10.250");

    unlink(path);
    free(path);
    cdoc_buf_release(&xml);
    cdoc_report_release(&report);
}

Test(report_junit, truncated_output_says_so)
{
    struct cdoc_report report;
    struct cdoc_buf xml = {0};
    char *path;
    char *out;
    char *note;

    fixture_report(&report);
    path = render_to_file(&report, &xml);
    out = xpath(path, "string(//testcase[@name='test_readonly_root']/system-out)");
    cr_expect(strncmp(out, "line one\n\\x1b[31mred", 20) == 0, "%s", out);
    note = cdoc_xasprintf("\n[capsem-doctor: output truncated: cut at %d "
                          "bytes (CDOC_OUTPUT_MAX)]",
                          CDOC_OUTPUT_MAX);
    cr_expect(strlen(out) > strlen(note) &&
                  strcmp(out + strlen(out) - strlen(note), note) == 0,
              "no truncation note at the end of:\n%s", out);
    free(note);
    free(out);
    unlink(path);
    free(path);
    cdoc_buf_release(&xml);
    cdoc_report_release(&report);
}

Test(report_junit, empty_and_interrupted_reports_validate)
{
    struct cdoc_report report = {0};
    struct cdoc_buf xml = {0};
    char *path;

    /* No results at all, no header strings. */
    path = render_to_file(&report, &xml);
    cr_expect_eq(validate(path), 0, "%s", xml.data);
    cr_expect_not_null(strstr(xml.data, "tests=\"0\" failures=\"0\" "
                                        "errors=\"0\" skipped=\"0\" "
                                        "time=\"0.000\""));
    unlink(path);
    free(path);
    cdoc_buf_release(&xml);

    /* Interrupted with only not-run checks. */
    report.interrupted = true;
    fixture_add(&report, "sandbox", "test_a", NULL, CDOC_NOT_RUN);
    fixture_add(&report, "sandbox", "test_b", "x<y", CDOC_PASSED);
    path = render_to_file(&report, &xml);
    cr_expect_eq(validate(path), 0, "%s", xml.data);
    expect_xpath(path, "string(//property[@name='interrupted']/@value)", "true");
    expect_xpath(path, "string(//testcase/@name)", "test_b[x<y]");
    unlink(path);
    free(path);
    cdoc_buf_release(&xml);
    cdoc_report_release(&report);
}

Test(report_junit, times_use_a_dot_in_any_locale)
{
    struct cdoc_report report;
    struct cdoc_buf xml = {0};
    char *path;

    if (!fixture_comma_locale())
        cr_log_info("no comma-decimal locale installed (de_DE.UTF-8); "
                    "checking under the C locale only");
    fixture_report(&report);
    path = render_to_file(&report, &xml);
    setlocale(LC_NUMERIC, "C");
    cr_expect_eq(validate(path), 0);
    cr_expect_not_null(strstr(xml.data, "time=\"12.346\""));
    cr_expect_not_null(strstr(xml.data, "time=\"1.500\""));
    cr_expect_null(strstr(xml.data, ",0"));
    unlink(path);
    free(path);
    cdoc_buf_release(&xml);
    cdoc_report_release(&report);
}

/* The schema itself must catch what it exists to catch. */
Test(report_junit, schema_rejects_a_comma_time_and_a_nameless_case)
{
    static const char comma[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<testsuites name=\"capsem-doctor\" tests=\"1\" failures=\"0\" "
        "errors=\"0\" skipped=\"0\" time=\"0,012\"/>\n";
    static const char nameless[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<testsuites name=\"capsem-doctor\" tests=\"1\" failures=\"0\" "
        "errors=\"0\" skipped=\"0\" time=\"0.012\">"
        "<testsuite name=\"test_x\" tests=\"1\" failures=\"0\" errors=\"0\" "
        "skipped=\"0\" time=\"0.012\" timestamp=\"2025-01-02T03:04:05.678+00:00\" "
        "hostname=\"h\"><testcase classname=\"test_x\" time=\"0.1\"/>"
        "</testsuite></testsuites>\n";
    char *path;

    path = fixture_temp_file(".xml", comma, sizeof(comma) - 1);
    cr_expect_neq(validate(path), 0);
    unlink(path);
    free(path);
    path = fixture_temp_file(".xml", nameless, sizeof(nameless) - 1);
    cr_expect_neq(validate(path), 0);
    unlink(path);
    free(path);
}
