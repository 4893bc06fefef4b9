/* SPDX-License-Identifier: MIT */
/*
 * Text helpers shared by the report writers: escaping for XML, JSON and the
 * terminal, UTF-8 repair and locale-independent decimals.
 *
 * Every helper walks its input with one strict UTF-8 decoder, so the writers
 * agree on what counts as a character: overlong forms, surrogates, code
 * points past U+10FFFF and truncated sequences are invalid, byte by byte.
 */
#include "report/report.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

size_t cdoc_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    uint32_t value;
    uint32_t min;
    size_t need;

    if (len == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        need = 2;
        value = s[0] & 0x1f;
        min = 0x80;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        need = 3;
        value = s[0] & 0x0f;
        min = 0x800;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 4;
        value = s[0] & 0x07;
        min = 0x10000;
    } else {
        return 0; /* continuation byte, 0xc0/0xc1 or 0xf5..0xff */
    }
    if (len < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        value = (value << 6) | (s[i] & 0x3f);
    }
    if (value < min || value > 0x10ffff ||
        (value >= 0xd800 && value <= 0xdfff))
        return 0;
    *cp = value;
    return need;
}

static const char hex_digits[] = "0123456789abcdef";

static void append_hex_bytes(struct cdoc_buf *buf, const unsigned char *s,
                             size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char esc[4] = {'\\', 'x', hex_digits[s[i] >> 4],
                       hex_digits[s[i] & 0x0f]};

        cdoc_buf_append(buf, esc, sizeof(esc));
    }
}

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

void cdoc_utf8_sanitize(struct cdoc_buf *buf, const void *bytes, size_t len)
{
    const unsigned char *s = bytes;
    size_t i = 0;

    /* Make sure an empty input still leaves a terminated buffer. */
    cdoc_buf_append(buf, "", 0);
    while (i < len) {
        uint32_t cp;
        size_t n = cdoc_utf8_decode(s + i, len - i, &cp);
        size_t run = i;

        if (n == 0) {
            cdoc_buf_append(buf, replacement, 3);
            i++;
            continue;
        }
        /* Copy the longest valid run in one append. */
        while (run < len && (n = cdoc_utf8_decode(s + run, len - run, &cp)))
            run += n;
        cdoc_buf_append(buf, s + i, run - i);
        i = run;
    }
}

char *cdoc_utf8_sanitize_dup(const void *bytes, size_t len)
{
    struct cdoc_buf buf = {0};

    cdoc_utf8_sanitize(&buf, bytes, len);
    return buf.data;
}

/* XML 1.0 section 2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] |
 * [#xE000-#xFFFD] | [#x10000-#x10FFFF]. The decoder already refuses
 * surrogates. DEL and the C1 controls are allowed but discouraged; a
 * terminal acts on them (U+009B is CSI), so they are shown as \xNN too. */
static bool xml_shown_as_hex(uint32_t cp)
{
    if (cp < 0x20)
        return cp != 0x09 && cp != 0x0a && cp != 0x0d;
    if (cp >= 0x7f && cp <= 0x9f)
        return true;
    return cp == 0xfffe || cp == 0xffff;
}

static void xml_escape(struct cdoc_buf *buf, const void *bytes, size_t len,
                       bool attribute)
{
    const unsigned char *s = bytes;
    size_t i = 0;

    cdoc_buf_append(buf, "", 0);
    while (i < len) {
        uint32_t cp;
        size_t n = cdoc_utf8_decode(s + i, len - i, &cp);

        if (n == 0) {
            append_hex_bytes(buf, s + i, 1);
            i++;
            continue;
        }
        switch (cp) {
        case '&':
            cdoc_buf_puts(buf, "&amp;");
            break;
        case '<':
            cdoc_buf_puts(buf, "&lt;");
            break;
        case '>':
            cdoc_buf_puts(buf, "&gt;");
            break;
        case '"':
            cdoc_buf_puts(buf, "&quot;");
            break;
        case '\'':
            cdoc_buf_puts(buf, "&apos;");
            break;
        case '\r':
            /* A parser turns a raw CR (or CRLF) into LF; a reference
             * survives. */
            cdoc_buf_puts(buf, "&#13;");
            break;
        case '\t':
        case '\n':
            /* Attribute-value normalisation turns raw tab and LF into
             * spaces; references survive it. */
            if (attribute)
                cdoc_buf_puts(buf, cp == '\t' ? "&#9;" : "&#10;");
            else
                cdoc_buf_append(buf, s + i, 1);
            break;
        default:
            if (xml_shown_as_hex(cp))
                append_hex_bytes(buf, s + i, n);
            else
                cdoc_buf_append(buf, s + i, n);
            break;
        }
        i += n;
    }
}

void cdoc_xml_escape(struct cdoc_buf *buf, const void *bytes, size_t len)
{
    xml_escape(buf, bytes, len, false);
}

void cdoc_xml_escape_attr(struct cdoc_buf *buf, const void *bytes, size_t len)
{
    xml_escape(buf, bytes, len, true);
}

void cdoc_json_escape(struct cdoc_buf *buf, const void *bytes, size_t len)
{
    const unsigned char *s = bytes;
    size_t i = 0;

    cdoc_buf_puts(buf, "\"");
    while (i < len) {
        uint32_t cp;
        size_t n = cdoc_utf8_decode(s + i, len - i, &cp);

        if (n == 0) {
            cdoc_buf_puts(buf, "\\ufffd");
            i++;
            continue;
        }
        switch (cp) {
        case '"':
            cdoc_buf_puts(buf, "\\\"");
            break;
        case '\\':
            cdoc_buf_puts(buf, "\\\\");
            break;
        case '\b':
            cdoc_buf_puts(buf, "\\b");
            break;
        case '\f':
            cdoc_buf_puts(buf, "\\f");
            break;
        case '\n':
            cdoc_buf_puts(buf, "\\n");
            break;
        case '\r':
            cdoc_buf_puts(buf, "\\r");
            break;
        case '\t':
            cdoc_buf_puts(buf, "\\t");
            break;
        default:
            /* C0 must be escaped; DEL, C1, the JavaScript line
             * separators and the non-characters U+FFFE/U+FFFF are
             * escaped too, so the file is safe to cat to a terminal or
             * paste into a script. */
            if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
                cp == 0x2029 || cp == 0xfffe || cp == 0xffff)
                cdoc_buf_printf(buf, "\\u%04x", (unsigned)cp);
            else
                cdoc_buf_append(buf, s + i, n);
            break;
        }
        i += n;
    }
    cdoc_buf_puts(buf, "\"");
}

void cdoc_json_escape_str(struct cdoc_buf *buf, const char *text)
{
    if (!text)
        cdoc_buf_puts(buf, "null");
    else
        cdoc_json_escape(buf, text, strlen(text));
}

/* Characters a terminal acts on rather than shows: C0 (but tab and, for
 * multi-line text, LF), DEL, C1, the bidirectional overrides and isolates
 * that reorder what the reader sees, and the non-characters U+FFFE/FFFF. */
static bool terminal_shown_as_hex(uint32_t cp, bool multiline)
{
    if (cp == '\t')
        return false;
    if (cp == '\n')
        return !multiline;
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
        return true;
    return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0xfffe || cp == 0xffff;
}

void cdoc_terminal_escape(struct cdoc_buf *buf, const void *bytes, size_t len,
                          bool multiline)
{
    const unsigned char *s = bytes;
    size_t i = 0;

    cdoc_buf_append(buf, "", 0);
    while (i < len) {
        uint32_t cp;
        size_t n = cdoc_utf8_decode(s + i, len - i, &cp);

        if (n == 0) {
            append_hex_bytes(buf, s + i, 1);
            i++;
        } else {
            if (terminal_shown_as_hex(cp, multiline))
                append_hex_bytes(buf, s + i, n);
            else
                cdoc_buf_append(buf, s + i, n);
            i += n;
        }
    }
}

void cdoc_format_fixed(char *out, size_t size, double value,
                       unsigned decimals)
{
    /* Integer arithmetic only: printf's %f follows LC_NUMERIC and would
     * write "0,012" under de_DE. */
    static const uint64_t scales[] = {1,      10,      100,     1000,
                                      10000,  100000,  1000000, 10000000,
                                      100000000, 1000000000};
    uint64_t scale, scaled, whole, frac;
    bool negative = false;

    if (size == 0)
        return;
    if (decimals > 9)
        decimals = 9;
    scale = scales[decimals];
    if (!isfinite(value))
        value = 0.0;
    if (value < 0) {
        negative = true;
        value = -value;
    }
    /* Clamp so the scaled value always fits in 64 bits (1e18 / scale:
     * 1e15 with 3 decimals, 1e12 with 6, far beyond any duration or
     * Unix time the doctor writes). */
    if (value > 1e18 / (double)scale)
        value = 1e18 / (double)scale;
    scaled = (uint64_t)(value * (double)scale + 0.5); /* value >= 0 */
    if (scaled == 0)
        negative = false;
    whole = scaled / scale;
    frac = scaled % scale;
    if (decimals == 0)
        snprintf(out, size, "%s%llu", negative ? "-" : "",
                 (unsigned long long)whole);
    else
        snprintf(out, size, "%s%llu.%0*llu", negative ? "-" : "",
                 (unsigned long long)whole, (int)decimals,
                 (unsigned long long)frac);
}

void cdoc_format_seconds(char *out, size_t size, double seconds)
{
    if (!isfinite(seconds) || seconds < 0)
        seconds = 0.0;
    cdoc_format_fixed(out, size, seconds, 3);
}

void cdoc_format_timestamp(char *out, size_t size, double unix_seconds,
                           bool zulu)
{
    long long ms;
    time_t whole;
    struct tm tm;

    if (size == 0)
        return;
    if (!isfinite(unix_seconds) || unix_seconds < 0)
        unix_seconds = 0;
    if (unix_seconds > 253402300799.0) /* 9999-12-31T23:59:59Z */
        unix_seconds = 253402300799.0;
    ms = (long long)(unix_seconds * 1000.0 + 0.5); /* >= 0 */
    whole = (time_t)(ms / 1000);
    if (!gmtime_r(&whole, &tm)) {
        snprintf(out, size, "1970-01-01T00:00:00.000%s",
                 zulu ? "Z" : "+00:00");
        return;
    }
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03lld%s",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, ms % 1000, zulu ? "Z" : "+00:00");
}
