/* SPDX-License-Identifier: MIT */
/* Escaping, UTF-8 repair and locale-independent numbers (pkg/report/text.c). */
#include "report/report.h"

#include "report_fixture.h"

#include <criterion/criterion.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef void escaper(struct cdoc_buf *, const void *, size_t);

/* Run an escaper on len bytes and return the result (caller frees). */
static char *escape(escaper *fn, const void *bytes, size_t len)
{
    struct cdoc_buf buf = {0};

    fn(&buf, bytes, len);
    return buf.data;
}

/* A string literal and its length, NULs inside included. */
#define LIT(s) s, sizeof(s) - 1
#define ESCAPE(fn, s) escape(fn, LIT(s))

static void expect(char *got, const char *want)
{
    cr_expect_str_eq(got, want);
    free(got);
}

Test(report_text, utf8_decode_is_strict)
{
    uint32_t cp = 0;

    cr_expect_eq(cdoc_utf8_decode((const unsigned char *)"A", 1, &cp), 1);
    cr_expect_eq(cp, 'A');
    cr_expect_eq(cdoc_utf8_decode((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
    cr_expect_eq(cp, 0xe9);
    cr_expect_eq(cdoc_utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4);
    cr_expect_eq(cp, 0x1f600);
    cr_expect_eq(cdoc_utf8_decode((const unsigned char *)"\xf4\x8f\xbf\xbf", 4, &cp), 4);
    cr_expect_eq(cp, 0x10ffff);
    /* Invalid: continuation, overlong, surrogate, past U+10FFFF, cut. */
    cr_expect_eq(cdoc_utf8_decode((const unsigned char *)"\x80", 1, &cp), 0);
    cr_expect_eq(cdoc_utf8_decode((const unsigned char *)"\xc0\xaf", 2, &cp), 0);
    cr_expect_eq(cdoc_utf8_decode((const unsigned char *)"\xe0\x80\xaf", 3, &cp), 0);
    cr_expect_eq(cdoc_utf8_decode((const unsigned char *)"\xed\xa0\x80", 3, &cp), 0);
    cr_expect_eq(cdoc_utf8_decode((const unsigned char *)"\xf4\x90\x80\x80", 4, &cp), 0);
    cr_expect_eq(cdoc_utf8_decode((const unsigned char *)"\xe2\x82", 2, &cp), 0);
    cr_expect_eq(cdoc_utf8_decode((const unsigned char *)"\xff", 1, &cp), 0);
    cr_expect_eq(cdoc_utf8_decode((const unsigned char *)"", 0, &cp), 0);
}

Test(report_text, xml_escapes_markup)
{
    expect(ESCAPE(cdoc_xml_escape, ("a<b>&\"c'")),
           "a&lt;b&gt;&amp;&quot;c&apos;");
    expect(ESCAPE(cdoc_xml_escape, ("end]]>")), "end]]&gt;");
    expect(ESCAPE(cdoc_xml_escape, ("caf\xc3\xa9 \xf0\x9f\x98\x80")),
           "caf\xc3\xa9 \xf0\x9f\x98\x80");
    expect(escape(cdoc_xml_escape, "", 0), "");
}

Test(report_text, xml_shows_forbidden_characters_as_hex)
{
    expect(ESCAPE(cdoc_xml_escape, ("\x1b[31mred")), "\\x1b[31mred");
    expect(ESCAPE(cdoc_xml_escape, ("a\0b")), "a\\x00b");
    expect(ESCAPE(cdoc_xml_escape, ("\x01\x08\x0b\x0c\x1f\x7f")),
           "\\x01\\x08\\x0b\\x0c\\x1f\\x7f");
    /* Invalid UTF-8, byte by byte. */
    expect(ESCAPE(cdoc_xml_escape, ("x\xff\xfey")), "x\\xff\\xfey");
    expect(ESCAPE(cdoc_xml_escape, ("\xc0\xaf")), "\\xc0\\xaf");
    expect(ESCAPE(cdoc_xml_escape, ("\xed\xa0\x80")), "\\xed\\xa0\\x80");
    expect(ESCAPE(cdoc_xml_escape, ("\xe2\x82")), "\\xe2\\x82");
    /* Non-characters XML forbids, and C1 controls. */
    expect(ESCAPE(cdoc_xml_escape, ("\xef\xbf\xbe\xef\xbf\xbf")),
           "\\xef\\xbf\\xbe\\xef\\xbf\\xbf");
    expect(ESCAPE(cdoc_xml_escape, ("\xc2\x9b" "2J")), "\\xc2\\x9b" "2J");
}

Test(report_text, xml_keeps_whitespace)
{
    expect(ESCAPE(cdoc_xml_escape, ("a\tb\nc\rd")), "a\tb\nc&#13;d");
    expect(ESCAPE(cdoc_xml_escape_attr, ("a\tb\nc\rd")),
           "a&#9;b&#10;c&#13;d");
}

Test(report_text, json_escapes)
{
    expect(ESCAPE(cdoc_json_escape, ("plain")), "\"plain\"");
    expect(escape(cdoc_json_escape, "", 0), "\"\"");
    expect(ESCAPE(cdoc_json_escape, ("q\"b\\s/")), "\"q\\\"b\\\\s/\"");
    expect(ESCAPE(cdoc_json_escape, ("\b\f\n\r\t")),
           "\"\\b\\f\\n\\r\\t\"");
    expect(ESCAPE(cdoc_json_escape, ("\x1b[0m\0\x7f")),
           "\"\\u001b[0m\\u0000\\u007f\"");
    expect(ESCAPE(cdoc_json_escape, ("\xc2\x9b \xe2\x80\xa8 \xef\xbf\xbe")),
           "\"\\u009b \\u2028 \\ufffe\"");
    expect(ESCAPE(cdoc_json_escape, ("caf\xc3\xa9 \xf0\x9f\x98\x80")),
           "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
}

Test(report_text, json_replaces_invalid_utf8)
{
    expect(ESCAPE(cdoc_json_escape, ("a\xff" "b")), "\"a\\ufffdb\"");
    /* Each byte of an invalid sequence becomes one U+FFFD. */
    expect(ESCAPE(cdoc_json_escape, ("\xc0\xaf")),
           "\"\\ufffd\\ufffd\"");
    expect(ESCAPE(cdoc_json_escape, ("\xed\xa0\x80")),
           "\"\\ufffd\\ufffd\\ufffd\"");
    expect(ESCAPE(cdoc_json_escape, ("ok\xe2\x82")),
           "\"ok\\ufffd\\ufffd\"");
}

Test(report_text, json_escape_str_null)
{
    struct cdoc_buf buf = {0};

    cdoc_json_escape_str(&buf, NULL);
    cdoc_buf_puts(&buf, " ");
    cdoc_json_escape_str(&buf, "x");
    cr_expect_str_eq(buf.data, "null \"x\"");
    cdoc_buf_release(&buf);
}

Test(report_text, utf8_sanitize)
{
    struct cdoc_buf buf = {0};

    cdoc_utf8_sanitize(&buf, LIT("ok \xc3\xa9"));
    cr_expect_str_eq(buf.data, "ok \xc3\xa9");
    buf.len = 0;
    cdoc_utf8_sanitize(&buf, LIT("\xff" "a\xc0\xaf" "b\xe2\x82"));
    cr_expect_str_eq(buf.data, "\xef\xbf\xbd" "a\xef\xbf\xbd\xef\xbf\xbd"
                               "b\xef\xbf\xbd\xef\xbf\xbd");
    buf.len = 0;
    /* NUL is valid UTF-8 and kept. */
    cdoc_utf8_sanitize(&buf, LIT("a\0b"));
    cr_expect_eq(buf.len, 3);
    cr_expect_eq(memcmp(buf.data, "a\0b", 3), 0);
    buf.len = 0;
    cdoc_utf8_sanitize(&buf, "", 0);
    cr_expect_str_eq(buf.data, "");
    cdoc_buf_release(&buf);

    expect(cdoc_utf8_sanitize_dup(LIT("x\xfe")), "x\xef\xbf\xbd");
}

Test(report_text, terminal_escape)
{
    struct cdoc_buf buf = {0};

    cdoc_terminal_escape(&buf, LIT("\x1b[31mred\x1b[0m\n\tx\r"), true);
    cr_expect_str_eq(buf.data, "\\x1b[31mred\\x1b[0m\n\tx\\x0d");
    buf.len = 0;
    cdoc_terminal_escape(&buf, LIT("a\nb"), false);
    cr_expect_str_eq(buf.data, "a\\x0ab");
    buf.len = 0;
    /* C1 CSI, bidi override, invalid byte; printable UTF-8 kept. */
    cdoc_terminal_escape(&buf, LIT("\xc2\x9b|\xe2\x80\xae|\xff|\xc3\xa9"),
                         true);
    cr_expect_str_eq(buf.data, "\\xc2\\x9b|\\xe2\\x80\\xae|\\xff|\xc3\xa9");
    cr_expect_null(memchr(buf.data, 0x1b, buf.len));
    cdoc_buf_release(&buf);
}

static char *seconds(double value)
{
    char text[64];

    cdoc_format_seconds(text, sizeof(text), value);
    return cdoc_xstrdup(text);
}

Test(report_text, format_seconds)
{
    expect(seconds(0), "0.000");
    expect(seconds(0.012), "0.012");
    expect(seconds(0.0004), "0.000");
    expect(seconds(0.0006), "0.001");
    expect(seconds(1.5), "1.500");
    expect(seconds(59.9996), "60.000");
    expect(seconds(1234567.891), "1234567.891");
    expect(seconds(-3), "0.000");
    expect(seconds(NAN), "0.000");
    expect(seconds(INFINITY), "0.000");
}

Test(report_text, format_fixed)
{
    char text[64];

    cdoc_format_fixed(text, sizeof(text), 12.3456, 6);
    cr_expect_str_eq(text, "12.345600");
    cdoc_format_fixed(text, sizeof(text), -2.5, 1);
    cr_expect_str_eq(text, "-2.5");
    cdoc_format_fixed(text, sizeof(text), -0.0001, 2);
    cr_expect_str_eq(text, "0.00");
    cdoc_format_fixed(text, sizeof(text), 7.6, 0);
    cr_expect_str_eq(text, "8");
    cdoc_format_fixed(text, 5, 123.456, 3);
    cr_expect_str_eq(text, "123.");
}

Test(report_text, format_seconds_ignores_locale)
{
    char text[64];

    if (!fixture_comma_locale())
        cr_log_info("no comma-decimal locale installed (de_DE.UTF-8); "
                    "checking under the C locale only");
    cdoc_format_seconds(text, sizeof(text), 1.5);
    cr_expect_str_eq(text, "1.500");
    cdoc_format_fixed(text, sizeof(text), 1735787045.678, 6);
    cr_expect_str_eq(text, "1735787045.678000");
}

Test(report_text, format_timestamp)
{
    char text[CDOC_TIMESTAMP_MAX];

    cdoc_format_timestamp(text, sizeof(text), 0, true);
    cr_expect_str_eq(text, "1970-01-01T00:00:00.000Z");
    cdoc_format_timestamp(text, sizeof(text), 1735787045.678, true);
    cr_expect_str_eq(text, "2025-01-02T03:04:05.678Z");
    cdoc_format_timestamp(text, sizeof(text), 1735787045.678, false);
    cr_expect_str_eq(text, "2025-01-02T03:04:05.678+00:00");
    cdoc_format_timestamp(text, sizeof(text), 1735787045.9996, true);
    cr_expect_str_eq(text, "2025-01-02T03:04:06.000Z");
    cdoc_format_timestamp(text, sizeof(text), -5, true);
    cr_expect_str_eq(text, "1970-01-01T00:00:00.000Z");
}
