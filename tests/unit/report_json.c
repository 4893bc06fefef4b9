/* SPDX-License-Identifier: MIT */
/* The JSON writer (pkg/report/json.c), read back with json-c. */
#include "report/report.h"

#include "report_fixture.h"

#include <criterion/criterion.h>
#include <json-c/json.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

static json_object *parse(const struct cdoc_buf *buf)
{
    enum json_tokener_error error = json_tokener_success;
    json_object *root = json_tokener_parse_verbose(buf->data, &error);

    cr_assert_eq(error, json_tokener_success, "invalid JSON (%s):\n%s",
                 json_tokener_error_desc(error), buf->data);
    cr_assert_not_null(root);
    cr_assert(json_object_is_type(root, json_type_object));
    return root;
}

static json_object *field(json_object *object, const char *name,
                          json_type type)
{
    json_object *value = NULL;

    cr_assert(json_object_object_get_ex(object, name, &value),
              "field %s is missing", name);
    cr_assert(json_object_is_type(value, type), "field %s is a %s", name,
              json_type_to_name(json_object_get_type(value)));
    return value;
}

static const char *string_field(json_object *object, const char *name)
{
    return json_object_get_string(field(object, name, json_type_string));
}

static int64_t int_field(json_object *object, const char *name)
{
    return json_object_get_int64(field(object, name, json_type_int));
}

static bool bool_field(json_object *object, const char *name)
{
    return json_object_get_boolean(field(object, name, json_type_boolean));
}

static double double_field(json_object *object, const char *name)
{
    return json_object_get_double(field(object, name, json_type_double));
}

static void check_fixture(json_object *root)
{
    json_object *counts = field(root, "counts", json_type_object);
    json_object *results = field(root, "results", json_type_array);
    json_object *r;
    json_object *props;
    json_object *output;
    const char *out;

    cr_expect_str_eq(string_field(root, "schema"), "capsem-doctor/report/v1");
    cr_expect_str_eq(string_field(root, "doctor_version"), "0.1.0");
    cr_expect_str_eq(string_field(root, "profile"), "capsem");
    cr_expect_str_eq(string_field(root, "hostname"), "capsem-guest");
    cr_expect_str_eq(string_field(root, "kernel_release"),
                     "6.6.8\x1b[0m-capsem\xef\xbf\xbd");
    cr_expect_str_eq(string_field(root, "architecture"), "aarch64");
    cr_expect_str_eq(string_field(root, "started_at"),
                     "2025-01-02T03:04:05.678Z");
    cr_expect_float_eq(double_field(root, "started_at_unix"), 1735787045.678,
                       1e-6);
    cr_expect_float_eq(double_field(root, "seconds"), 12.3456, 1e-9);
    cr_expect_not(bool_field(root, "interrupted"));
    cr_expect(bool_field(root, "stopped_early"));
    cr_expect_not(bool_field(root, "passed"));

    cr_expect_eq(int_field(counts, "total"), 4);
    cr_expect_eq(int_field(counts, "passed"), 1);
    cr_expect_eq(int_field(counts, "failed"), 1);
    cr_expect_eq(int_field(counts, "skipped"), 1);
    cr_expect_eq(int_field(counts, "errors"), 1);
    cr_expect_eq(int_field(counts, "not_run"), 2);

    cr_assert_eq(json_object_array_length(results), 6);

    r = json_object_array_get_idx(results, 0);
    cr_expect_str_eq(string_field(r, "name"), "test_sandbox::test_no_ipv6");
    cr_expect_str_eq(string_field(r, "suite"), "sandbox");
    cr_expect_str_eq(string_field(r, "check"), "test_no_ipv6");
    field(r, "param", json_type_null);
    cr_expect_str_eq(string_field(r, "description"),
                     "No interface has an IPv6 address");
    cr_expect_str_eq(string_field(r, "verdict"), "passed");
    field(r, "message", json_type_null);
    field(r, "detail", json_type_null);
    cr_expect_str_eq(string_field(r, "output"), "ok\n");
    cr_expect_not(bool_field(r, "output_truncated"));
    cr_expect_float_eq(double_field(r, "seconds"), 0.012, 1e-9);
    props = field(r, "properties", json_type_object);
    cr_expect_eq(json_object_object_length(props), 2);
    cr_expect_str_eq(string_field(props, "interfaces"), "lo,dummy0");
    cr_expect_str_eq(string_field(props, "clock_reference"),
                     "CLOCK_\x1b[1mREALTIME");

    r = json_object_array_get_idx(results, 1);
    cr_expect_str_eq(string_field(r, "verdict"), "failed");
    cr_expect_str_eq(string_field(r, "message"),
                     "wrote \"/etc/x\" <ok> & 'done' \x1b[31m]]>\xef\xbf\xbd");
    cr_expect_str_eq(string_field(r, "detail"),
                     "expected: EROFS\n\tgot: 0\r\n]]> \x01\x7f end");
    cr_expect(bool_field(r, "output_truncated"));
    output = field(r, "output", json_type_string);
    out = json_object_get_string(output);
    /* The NUL survives as \u0000; invalid bytes become U+FFFD each. */
    cr_expect_gt(json_object_get_string_len(output), (int)strlen(out));
    {
        static const char head[] = "line one\n\x1b[31mred\x1b[0m and NUL:";
        const size_t n = sizeof(head) - 1;

        cr_expect(strncmp(out, head, n) == 0, "%s", out);
        cr_expect_eq(memcmp(out + n, "\0: ]]>", 6), 0);
        cr_expect_not_null(strstr(out + n + 1,
                                  "bad \xef\xbf\xbd byte, overlong "
                                  "\xef\xbf\xbd\xef\xbf\xbd,"));
        cr_expect_not_null(strstr(out + n + 1, "ok \xc3\xa9\n"));
    }
    cr_expect_eq(json_object_object_length(field(r, "properties",
                                                 json_type_object)),
                 0);

    r = json_object_array_get_idx(results, 2);
    cr_expect_str_eq(string_field(r, "name"),
                     "test_network::test_utility_available[curl]");
    cr_expect_str_eq(string_field(r, "param"), "curl");
    cr_expect_str_eq(string_field(r, "verdict"), "skipped");
    cr_expect_str_eq(string_field(r, "message"),
                     "curl is not in this profile's utilities");
    cr_expect_str_eq(string_field(r, "output"), "");

    r = json_object_array_get_idx(results, 3);
    cr_expect_str_eq(string_field(r, "verdict"), "error");
    cr_expect_str_eq(string_field(r, "detail"),
                     "the worker was killed by SIGKILL");
    cr_expect_float_eq(double_field(r, "seconds"), 10.25, 1e-9);

    r = json_object_array_get_idx(results, 4);
    cr_expect_str_eq(string_field(r, "verdict"), "not-run");
    r = json_object_array_get_idx(results, 5);
    cr_expect_str_eq(string_field(r, "suite"), "tools");
}

Test(report_json, fields_and_counts)
{
    struct cdoc_report report;
    struct cdoc_buf buf = {0};
    json_object *root;

    fixture_report(&report);
    cdoc_json_render(&report, &buf);
    root = parse(&buf);
    check_fixture(root);
    json_object_put(root);
    cdoc_buf_release(&buf);
    cdoc_report_release(&report);
}

Test(report_json, output_is_valid_utf8_without_raw_controls)
{
    struct cdoc_report report;
    struct cdoc_buf buf = {0};
    struct cdoc_buf check = {0};

    fixture_report(&report);
    cdoc_json_render(&report, &buf);
    cr_expect_eq(strlen(buf.data), buf.len);
    for (size_t i = 0; i < buf.len; i++) {
        unsigned char c = (unsigned char)buf.data[i];

        cr_expect(c >= 0x20 || c == '\n', "raw control 0x%02x at %zu", c, i);
    }
    cdoc_utf8_sanitize(&check, buf.data, buf.len);
    cr_expect_str_eq(check.data, buf.data);
    cdoc_buf_release(&check);
    cdoc_buf_release(&buf);
    cdoc_report_release(&report);
}

Test(report_json, numbers_use_a_dot_in_any_locale)
{
    struct cdoc_report report;
    struct cdoc_buf buf = {0};
    json_object *root;

    if (!fixture_comma_locale())
        cr_log_info("no comma-decimal locale installed (de_DE.UTF-8); "
                    "checking under the C locale only");
    fixture_report(&report);
    cdoc_json_render(&report, &buf);
    setlocale(LC_NUMERIC, "C");
    cr_expect_not_null(strstr(buf.data, "\"seconds\": 12.345600,"));
    cr_expect_not_null(strstr(buf.data, "\"started_at_unix\": 1735787045.678000,"));
    root = parse(&buf);
    check_fixture(root);
    json_object_put(root);
    cdoc_buf_release(&buf);
    cdoc_report_release(&report);
}

Test(report_json, empty_report_and_duplicate_properties)
{
    struct cdoc_report report = {0};
    struct cdoc_buf buf = {0};
    struct cdoc_result *r;
    json_object *root;
    json_object *props;

    cdoc_json_render(&report, &buf);
    root = parse(&buf);
    cr_expect_eq(json_object_array_length(field(root, "results",
                                                json_type_array)),
                 0);
    field(root, "profile", json_type_null);
    cr_expect(bool_field(root, "passed"));
    cr_expect_str_eq(string_field(root, "started_at"),
                     "1970-01-01T00:00:00.000Z");
    json_object_put(root);
    cdoc_buf_release(&buf);

    r = fixture_add(&report, "sandbox", "test_a", NULL, CDOC_PASSED);
    cdoc_result_add_property(r, "rate", "1");
    cdoc_result_add_property(r, "other", "x");
    cdoc_result_add_property(r, "rate", "2");
    cdoc_json_render(&report, &buf);
    root = parse(&buf);
    props = field(json_object_array_get_idx(field(root, "results",
                                                  json_type_array),
                                            0),
                  "properties", json_type_object);
    cr_expect_eq(json_object_object_length(props), 2);
    cr_expect_str_eq(string_field(props, "rate"), "2");
    cr_expect_str_eq(string_field(props, "other"), "x");
    cr_expect_eq(strstr(strstr(buf.data, "\"rate\"") + 1, "\"rate\""), NULL,
                 "a property name appears twice:\n%s", buf.data);
    json_object_put(root);
    cdoc_buf_release(&buf);
    cdoc_report_release(&report);
}

/* Every key the writer emits is in the documented example and the other
 * way round, at each level, so docs/report-json.md cannot drift. */
static void expect_same_keys(json_object *written, json_object *documented,
                             const char *where)
{
    json_object_object_foreach(written, key, value) {
        (void)value;
        cr_expect(json_object_object_get_ex(documented, key, NULL),
                  "%s.%s is written but not in docs/report-json.md", where,
                  key);
    }
    json_object_object_foreach(documented, dkey, dvalue) {
        (void)dvalue;
        cr_expect(json_object_object_get_ex(written, dkey, NULL),
                  "%s.%s is documented but not written", where, dkey);
    }
}

Test(report_json, documented_example_matches_the_writer)
{
    const char *path = CDOC_SOURCE_DIR "/docs/report-json.md";
    struct cdoc_report report;
    struct cdoc_buf doc = {0};
    struct cdoc_buf example = {0};
    struct cdoc_buf buf = {0};
    json_object *written;
    json_object *documented;
    char chunk[4096];
    size_t n;
    FILE *f = fopen(path, "r");
    const char *start;
    const char *end;

    cr_assert_not_null(f, "cannot open %s", path);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        cdoc_buf_append(&doc, chunk, n);
    fclose(f);
    start = strstr(doc.data, "```json\n");
    cr_assert_not_null(start, "no ```json block in %s", path);
    start += strlen("```json\n");
    end = strstr(start, "```");
    cr_assert_not_null(end);
    cdoc_buf_append(&example, start, (size_t)(end - start));

    fixture_report(&report);
    cdoc_json_render(&report, &buf);
    written = parse(&buf);
    documented = parse(&example);

    expect_same_keys(written, documented, "report");
    expect_same_keys(field(written, "counts", json_type_object),
                     field(documented, "counts", json_type_object), "counts");
    expect_same_keys(json_object_array_get_idx(field(written, "results",
                                                     json_type_array), 0),
                     json_object_array_get_idx(field(documented, "results",
                                                     json_type_array), 0),
                     "results[]");
    cr_expect_str_eq(string_field(documented, "schema"),
                     string_field(written, "schema"));

    json_object_put(written);
    json_object_put(documented);
    cdoc_buf_release(&buf);
    cdoc_buf_release(&example);
    cdoc_buf_release(&doc);
    cdoc_report_release(&report);
}
