/* SPDX-License-Identifier: MIT */
/* The protobuf writer and reader (pkg/report/proto.c): protoc must decode
 * what we write, and parse(render(model)) must give the model back. */
#include "report/report.h"

#include "doctor.pb-c.h"
#include "report_fixture.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int protoc_decode(const char *path, struct cdoc_buf *out)
{
    const char *argv[] = {"protoc", "--decode=capsem.doctor.v1.Report",
                          "-I", CDOC_SOURCE_DIR "/proto",
                          CDOC_SOURCE_DIR "/proto/doctor.proto", NULL};

    return fixture_run(argv, path, out);
}

Test(report_proto, protoc_decodes_a_hostile_report)
{
    struct cdoc_report report;
    struct cdoc_buf pb = {0};
    struct cdoc_buf text = {0};
    char *path;
    int status;

    fixture_report(&report);
    cdoc_proto_render(&report, &pb);
    cr_assert_gt(pb.len, 0);
    path = fixture_temp_file(".pb", pb.data, pb.len);
    status = protoc_decode(path, &text);
    cr_expect_eq(status, 0, "protoc --decode exited %d", status);
    cr_expect_not_null(strstr(text.data, "check: \"test_no_ipv6\""), "%s",
                       text.data);
    cr_expect_not_null(strstr(text.data, "check: \"test_readonly_root\""));
    cr_expect_not_null(strstr(text.data, "check: \"test_utility_available\""));
    cr_expect_not_null(strstr(text.data, "param: \"curl\""));
    cr_expect_not_null(strstr(text.data,
                              "full_name: \"test_network::test_proxy_reachable\""));
    cr_expect_not_null(strstr(text.data, "verdict: VERDICT_FAILED"));
    cr_expect_not_null(strstr(text.data, "verdict: VERDICT_SKIPPED"));
    cr_expect_not_null(strstr(text.data, "verdict: VERDICT_ERROR"));
    cr_expect_not_null(strstr(text.data, "verdict: VERDICT_NOT_RUN"));
    cr_expect_not_null(strstr(text.data, "stopped_early: true"));
    cr_expect_not_null(strstr(text.data, "not_run: 2"));
    unlink(path);
    free(path);
    cdoc_buf_release(&text);
    cdoc_buf_release(&pb);
    cdoc_report_release(&report);
}

static void expect_same_text(const char *got, const char *want,
                             const char *what)
{
    if (!want) {
        cr_expect_null(got, "%s: want NULL, got \"%s\"", what, got);
        return;
    }
    cr_assert_not_null(got, "%s: want \"%s\", got NULL", what, want);
    cr_expect_str_eq(got, want, "%s", what);
}

/* Compare the parsed model with the original, whose strings are expected
 * back through cdoc_utf8_sanitize (proto strings must be UTF-8). */
static void expect_same_report(const struct cdoc_report *got,
                               const struct cdoc_report *want)
{
    expect_same_text(got->profile_name, want->profile_name, "profile");
    expect_same_text(got->hostname, want->hostname, "hostname");
    expect_same_text(got->kernel_release, want->kernel_release, "kernel");
    expect_same_text(got->architecture, want->architecture, "architecture");
    expect_same_text(got->doctor_version, want->doctor_version, "version");
    cr_expect_eq(got->started_at, want->started_at);
    cr_expect_eq(got->seconds, want->seconds);
    cr_expect_eq(got->interrupted, want->interrupted);
    cr_expect_eq(got->stopped_early, want->stopped_early);
    cr_assert_eq(got->result_count, want->result_count);
    for (size_t i = 0; i < want->result_count; i++) {
        const struct cdoc_result *g = &got->results[i];
        const struct cdoc_result *w = &want->results[i];

        expect_same_text(g->suite, w->suite, "suite");
        expect_same_text(g->check, w->check, "check");
        expect_same_text(g->param, w->param, "param");
        expect_same_text(g->description, w->description, "description");
        cr_expect_eq(g->verdict, w->verdict, "verdict of %s", w->check);
        expect_same_text(g->message, w->message, "message");
        expect_same_text(g->detail, w->detail, "detail");
        cr_expect_eq(g->output_len, w->output_len, "output of %s", w->check);
        if (g->output_len == w->output_len && w->output_len > 0)
            cr_expect_eq(memcmp(g->output, w->output, w->output_len), 0);
        cr_expect_eq(g->output_truncated, w->output_truncated);
        cr_expect_eq(g->seconds, w->seconds);
        cr_assert_eq(g->property_count, w->property_count);
        for (size_t j = 0; j < w->property_count; j++) {
            expect_same_text(g->properties[j].name, w->properties[j].name,
                             "property name");
            expect_same_text(g->properties[j].value, w->properties[j].value,
                             "property value");
        }
    }
}

static void round_trip(const struct cdoc_report *want)
{
    struct cdoc_report got;
    struct cdoc_buf pb = {0};
    struct cdoc_err err = {{0}};

    cdoc_proto_render(want, &pb);
    cr_assert_eq(cdoc_proto_parse(pb.data, pb.len, &got, &err), 0, "%s",
                 err.msg);
    expect_same_report(&got, want);
    cdoc_report_release(&got);
    cdoc_buf_release(&pb);
}

Test(report_proto, round_trip_gives_the_same_model)
{
    struct cdoc_report report;

    fixture_clean_report(&report);
    round_trip(&report);
    cdoc_report_release(&report);
}

static void sanitize_in_place(char **text)
{
    char *clean;

    if (!*text)
        return;
    clean = cdoc_utf8_sanitize_dup(*text, strlen(*text));
    free(*text);
    *text = clean;
}

Test(report_proto, round_trip_of_hostile_bytes)
{
    struct cdoc_report report;

    /* Strings come back sanitized, output bytes exactly. */
    fixture_report(&report);
    sanitize_in_place(&report.kernel_release);
    for (size_t i = 0; i < report.result_count; i++) {
        sanitize_in_place(&report.results[i].message);
        sanitize_in_place(&report.results[i].detail);
    }
    round_trip(&report);
    cdoc_report_release(&report);
}

Test(report_proto, strings_are_valid_utf8_and_output_is_exact)
{
    struct cdoc_report report;
    struct cdoc_report got;
    struct cdoc_buf pb = {0};
    struct cdoc_err err = {{0}};

    fixture_report(&report);
    cdoc_proto_render(&report, &pb);
    cr_assert_eq(cdoc_proto_parse(pb.data, pb.len, &got, &err), 0, "%s",
                 err.msg);
    cr_expect_str_eq(got.kernel_release, "6.6.8\x1b[0m-capsem\xef\xbf\xbd");
    cr_expect_str_eq(got.results[1].message,
                     "wrote \"/etc/x\" <ok> & 'done' \x1b[31m]]>\xef\xbf\xbd");
    cr_assert_eq(got.results[1].output_len, HOSTILE_OUTPUT_LEN);
    cr_expect_eq(memcmp(got.results[1].output, HOSTILE_OUTPUT,
                        HOSTILE_OUTPUT_LEN),
                 0);
    cr_expect(got.results[1].output_truncated);
    cdoc_report_release(&got);
    cdoc_buf_release(&pb);
    cdoc_report_release(&report);
}

Test(report_proto, empty_report_round_trips)
{
    struct cdoc_report report = {0};
    struct cdoc_report got;
    struct cdoc_buf pb = {0};
    struct cdoc_err err = {{0}};

    cdoc_proto_render(&report, &pb);
    cr_assert_eq(cdoc_proto_parse(pb.data, pb.len, &got, &err), 0, "%s",
                 err.msg);
    cr_expect_eq(got.result_count, 0);
    cr_expect_str_eq(got.hostname, "");
    cdoc_report_release(&got);
    cdoc_buf_release(&pb);
}

Test(report_proto, garbage_and_cut_input_are_refused)
{
    static const unsigned char garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    struct cdoc_report report;
    struct cdoc_report got;
    struct cdoc_buf pb = {0};
    struct cdoc_err err = {{0}};

    cr_expect_eq(cdoc_proto_parse(garbage, sizeof(garbage), &got, &err), -1);
    cr_expect_not_null(strstr(err.msg, "capsem.doctor.v1.Report"), "%s",
                       err.msg);
    cr_expect_null(got.results);

    fixture_clean_report(&report);
    cdoc_proto_render(&report, &pb);
    err.msg[0] = '\0';
    cr_expect_eq(cdoc_proto_parse(pb.data, pb.len - 3, &got, &err), -1);
    cr_expect_neq(err.msg[0], '\0');
    cdoc_buf_release(&pb);
    cdoc_report_release(&report);
}

/* Pack a hand-made message, as a damaged or foreign file would be. */
static void pack(const Capsem__Doctor__V1__Report *msg, struct cdoc_buf *out)
{
    size_t size = capsem__doctor__v1__report__get_packed_size(msg);

    out->len = 0;
    cdoc_buf_append(out, "", 0);
    out->data = cdoc_xrealloc(out->data, size + 1);
    out->cap = size + 1;
    out->len = capsem__doctor__v1__report__pack(msg, (uint8_t *)out->data);
}

Test(report_proto, inconsistent_reports_are_refused)
{
    Capsem__Doctor__V1__Report msg = CAPSEM__DOCTOR__V1__REPORT__INIT;
    Capsem__Doctor__V1__Counts counts = CAPSEM__DOCTOR__V1__COUNTS__INIT;
    Capsem__Doctor__V1__CheckResult result =
        CAPSEM__DOCTOR__V1__CHECK_RESULT__INIT;
    Capsem__Doctor__V1__CheckResult *results[] = {&result};
    struct cdoc_report got;
    struct cdoc_buf pb = {0};
    struct cdoc_err err = {{0}};

    result.suite = "sandbox";
    result.check = "test_a";
    result.verdict = CAPSEM__DOCTOR__V1__VERDICT__VERDICT_FAILED;
    msg.n_results = 1;
    msg.results = results;

    /* Counts that do not match the results. */
    counts.total = 1;
    counts.passed = 1;
    msg.counts = &counts;
    pack(&msg, &pb);
    cr_expect_eq(cdoc_proto_parse(pb.data, pb.len, &got, &err), -1);
    cr_expect_not_null(strstr(err.msg, "disagree"), "%s", err.msg);
    cr_expect_null(got.results);

    /* Matching counts parse. */
    counts.passed = 0;
    counts.failed = 1;
    pack(&msg, &pb);
    cr_expect_eq(cdoc_proto_parse(pb.data, pb.len, &got, &err), 0, "%s",
                 err.msg);
    cdoc_report_release(&got);

    /* An unset verdict. */
    result.verdict = CAPSEM__DOCTOR__V1__VERDICT__VERDICT_UNSPECIFIED;
    msg.counts = NULL;
    pack(&msg, &pb);
    cr_expect_eq(cdoc_proto_parse(pb.data, pb.len, &got, &err), -1);
    cr_expect_not_null(strstr(err.msg, "sandbox::test_a"), "%s", err.msg);

    /* A result without a check name. */
    result.verdict = CAPSEM__DOCTOR__V1__VERDICT__VERDICT_PASSED;
    result.check = "";
    pack(&msg, &pb);
    cr_expect_eq(cdoc_proto_parse(pb.data, pb.len, &got, &err), -1);
    cr_expect_not_null(strstr(err.msg, "no check name"), "%s", err.msg);
    cdoc_buf_release(&pb);
}
