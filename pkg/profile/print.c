/* SPDX-License-Identifier: MIT */
/* Writing a profile as JSON, driven by the same key tables as reading. */
#include "profile/schema.h"

#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDENT "  "

void cdoc__json_append_string(struct cdoc_buf *buf, const char *text,
                              size_t len)
{
    size_t run = 0;

    cdoc_buf_puts(buf, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        const char *escape = NULL;
        char code[8];

        switch (c) {
        case '"':
            escape = "\\\"";
            break;
        case '\\':
            escape = "\\\\";
            break;
        case '\n':
            escape = "\\n";
            break;
        case '\r':
            escape = "\\r";
            break;
        case '\t':
            escape = "\\t";
            break;
        default:
            if (c < ' ' || c == 0x7f) {
                snprintf(code, sizeof(code), "\\u%04x", c);
                escape = code;
            }
        }
        if (!escape) {
            run++;
            continue;
        }
        cdoc_buf_append(buf, text + i - run, run);
        cdoc_buf_puts(buf, escape);
        run = 0;
    }
    cdoc_buf_append(buf, text + len - run, run);
    cdoc_buf_puts(buf, "\"");
}

void cdoc__json_append_quoted_short(struct cdoc_buf *buf, const char *text,
                                    size_t len, size_t max)
{
    size_t cut;

    if (len <= max) {
        cdoc__json_append_string(buf, text, len);
        return;
    }
    /* Cut at a character boundary, not inside a UTF-8 sequence. */
    cut = max > 3 ? max - 3 : 0;
    while (cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80)
        cut--;
    cdoc__json_append_string(buf, text, cut);
    buf->len--; /* reopen the string to put the ellipsis inside */
    cdoc_buf_puts(buf, "...\"");
}

/*
 * The shortest decimal text that reads back as the same double: plain
 * ("60", "0.25") for exponents from -5 to 16, else with an exponent
 * ("1e-07"). printf and strtod follow LC_NUMERIC, so both run under the C
 * locale here to write '.' as the decimal point whatever the program's
 * locale is. 17 significant digits always read back.
 */
static void format_double(double value, char *out, size_t size)
{
    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t previous;
    int digits;
    int exponent;

    /* glibc returns its static C locale object for "C" with no base, so
     * this fails only when memory runs out, and cdoc_xmalloc aborts then
     * too. */
    if (c_locale == (locale_t)0)
        abort();
    previous = uselocale(c_locale);
    for (digits = 1; digits < 17; digits++) {
        snprintf(out, size, "%.*e", digits - 1, value);
        if (strtod(out, NULL) == value)
            break;
    }
    snprintf(out, size, "%.*e", digits - 1, value);
    exponent = atoi(strchr(out, 'e') + 1);
    if (exponent >= -5 && exponent < 17) {
        int decimals = digits - 1 - exponent;

        snprintf(out, size, "%.*f", decimals > 0 ? decimals : 0, value);
    }
    uselocale(previous);
    freelocale(c_locale);
}

static void append_indent(struct cdoc_buf *buf, int level)
{
    for (int i = 0; i < level; i++)
        cdoc_buf_puts(buf, INDENT);
}

static void append_text(struct cdoc_buf *buf, const char *text)
{
    if (text)
        cdoc__json_append_string(buf, text, strlen(text));
    else
        cdoc_buf_puts(buf, "null");
}

static void append_list(struct cdoc_buf *buf,
                        const struct cdoc_strings *list, int level)
{
    if (list->count == 0) {
        cdoc_buf_puts(buf, "[]");
        return;
    }
    cdoc_buf_puts(buf, "[\n");
    for (size_t i = 0; i < list->count; i++) {
        append_indent(buf, level + 1);
        append_text(buf, list->items[i]);
        cdoc_buf_puts(buf, i + 1 < list->count ? ",\n" : "\n");
    }
    append_indent(buf, level);
    cdoc_buf_puts(buf, "]");
}

/* JSON has no NaN or infinity; null keeps the output valid JSON, and the
 * reader rejects it. */
static void append_number(struct cdoc_buf *buf, double value)
{
    char text[48];

    if (!isfinite(value)) {
        cdoc_buf_puts(buf, "null");
        return;
    }
    format_double(value, text, sizeof(text));
    cdoc_buf_puts(buf, text);
}

static void append_object(struct cdoc_buf *buf,
                          const struct cdoc__schema *schema,
                          const void *base, int level);

static void append_value(struct cdoc_buf *buf,
                         const struct cdoc__field *field, const void *base,
                         int level)
{
    const char *member = (const char *)base + field->offset;

    switch (field->kind) {
    case CDOC__FIELD_TEXT:
        append_text(buf, *(char *const *)member);
        return;
    case CDOC__FIELD_LIST:
        append_list(buf, (const struct cdoc_strings *)member, level);
        return;
    case CDOC__FIELD_INT:
        cdoc_buf_printf(buf, "%d", *(const int *)member);
        return;
    case CDOC__FIELD_UINT64:
        cdoc_buf_printf(buf, "%" PRIu64, *(const uint64_t *)member);
        return;
    case CDOC__FIELD_NUMBER:
        append_number(buf, *(const double *)member);
        return;
    case CDOC__FIELD_BOOL:
        cdoc_buf_puts(buf, *(const bool *)member ? "true" : "false");
        return;
    case CDOC__FIELD_OBJECT:
        append_object(buf, field->schema, member, level);
        return;
    }
}

static void append_object(struct cdoc_buf *buf,
                          const struct cdoc__schema *schema,
                          const void *base, int level)
{
    cdoc_buf_puts(buf, "{\n");
    for (size_t i = 0; i < schema->count; i++) {
        const struct cdoc__field *field = &schema->fields[i];

        append_indent(buf, level + 1);
        cdoc__json_append_string(buf, field->key, strlen(field->key));
        cdoc_buf_puts(buf, ": ");
        append_value(buf, field, base, level + 1);
        cdoc_buf_puts(buf, i + 1 < schema->count ? ",\n" : "\n");
    }
    append_indent(buf, level);
    cdoc_buf_puts(buf, "}");
}

char *cdoc_profile_to_json(const struct cdoc_profile *profile)
{
    struct cdoc_buf buf = {0};

    append_object(&buf, &cdoc__profile_schema, profile, 0);
    cdoc_buf_puts(&buf, "\n");
    return buf.data;
}
