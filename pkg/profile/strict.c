/* SPDX-License-Identifier: MIT */
/*
 * A second pass over JSON text that json-c has accepted. json-c 0.16 lets
 * some text through even in strict mode: single-quoted strings, raw
 * control characters in strings, NaN and Infinity, and numbers such as
 * "1." and "-01". It also keeps the last of two equal keys in an object
 * without an error. A profile whose text reads one way and loads another is
 * what this project exists to catch, so this pass rejects all of these.
 */
#include "profile/schema.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys longer than this are quoted cut short in messages. */
#define KEY_MAX_LEN 60

struct key {
    char *text;    /* decoded */
    size_t offset; /* of the opening quote */
};

struct frame {
    bool is_object;
    bool expect_key; /* object: the next string is a key */
    size_t index;    /* array: index of the current element */
    struct key *keys;
    size_t key_count;
    size_t key_cap;
};

struct scanner {
    const char *text;
    size_t len;
    const char *origin;
    struct cdoc_err *err;
    struct json_tokener *tokener; /* decodes keys with escapes */
    struct frame *frames;
    size_t depth;
    size_t frame_cap;
};

/* The key path of the value that frame `depth` describes, such as
 * "network.allowed_domains[2]"; "" at the top level. */
static void append_path(struct cdoc_buf *buf, const struct scanner *scanner,
                        size_t depth)
{
    for (size_t i = 0; i < depth; i++) {
        const struct frame *frame = &scanner->frames[i];

        if (!frame->is_object) {
            cdoc_buf_printf(buf, "[%zu]", frame->index);
            continue;
        }
        if (frame->key_count == 0)
            continue;
        if (buf->len)
            cdoc_buf_puts(buf, ".");
        /* Keys here are not checked against the tables yet, so any text
         * can come; control characters would garble the message. */
        for (const char *p = frame->keys[frame->key_count - 1].text; *p;
             p++) {
            if ((unsigned char)*p < ' ' || *p == 0x7f)
                cdoc_buf_printf(buf, "\\u%04x", (unsigned char)*p);
            else
                cdoc_buf_append(buf, p, 1);
        }
    }
}

/* "origin:LINE:COLUMN: [path: ]message" for the byte at offset. */
__attribute__((format(printf, 4, 5)))
static int fail_at(struct scanner *scanner, size_t offset, size_t depth,
                   const char *fmt, ...)
{
    struct cdoc_buf path = {0};
    char message[CDOC_ERR_MAX];
    size_t line;
    size_t column;
    va_list args;

    va_start(args, fmt);
    vsnprintf(message, sizeof(message), fmt, args);
    va_end(args);
    cdoc__json_position(scanner->text, offset, &line, &column);
    append_path(&path, scanner, depth);
    cdoc_errf(scanner->err, "%s:%zu:%zu: %s%s%s", scanner->origin, line,
              column, path.len ? path.data : "", path.len ? ": " : "",
              message);
    cdoc_buf_release(&path);
    return -1;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool valid_number(const char *text, size_t len)
{
    size_t i = 0;
    size_t start;

    if (i < len && text[i] == '-')
        i++;
    if (i < len && text[i] == '0') {
        i++;
    } else {
        start = i;
        while (i < len && is_digit(text[i]))
            i++;
        if (i == start)
            return false;
    }
    if (i < len && text[i] == '.') {
        start = ++i;
        while (i < len && is_digit(text[i]))
            i++;
        if (i == start)
            return false;
    }
    if (i < len && (text[i] == 'e' || text[i] == 'E')) {
        i++;
        if (i < len && (text[i] == '+' || text[i] == '-'))
            i++;
        start = i;
        while (i < len && is_digit(text[i]))
            i++;
        if (i == start)
            return false;
    }
    return i == len;
}

/* A number or literal runs to the next structural character or space. */
static size_t token_end(const struct scanner *scanner, size_t pos)
{
    while (pos < scanner->len && !cdoc__json_is_space(scanner->text[pos]) &&
           !strchr(",:]}", scanner->text[pos]))
        pos++;
    return pos;
}

static int check_token(struct scanner *scanner, size_t start, size_t end)
{
    const char *token = scanner->text + start;
    size_t len = end - start;
    struct cdoc_buf quoted = {0};

    if (token[0] == '-' || is_digit(token[0])) {
        if (valid_number(token, len))
            return 0;
        cdoc__json_append_quoted_short(&quoted, token, len, KEY_MAX_LEN);
        fail_at(scanner, start, scanner->depth,
                "invalid JSON: invalid number %s", quoted.data);
        goto out;
    }
    if ((len == 4 && memcmp(token, "true", 4) == 0) ||
        (len == 5 && memcmp(token, "false", 5) == 0) ||
        (len == 4 && memcmp(token, "null", 4) == 0))
        return 0;
    cdoc__json_append_quoted_short(&quoted, token, len, KEY_MAX_LEN);
    fail_at(scanner, start, scanner->depth,
            "invalid JSON: unknown literal %s (JSON has only true, false "
            "and null)",
            quoted.data);
out:
    cdoc_buf_release(&quoted);
    return -1;
}

static void push_frame(struct scanner *scanner, bool is_object)
{
    if (scanner->depth == scanner->frame_cap) {
        scanner->frame_cap = scanner->frame_cap ? scanner->frame_cap * 2 : 8;
        scanner->frames = cdoc_xrealloc(
            scanner->frames, scanner->frame_cap * sizeof(*scanner->frames));
    }
    scanner->frames[scanner->depth++] = (struct frame){
        .is_object = is_object,
        .expect_key = is_object,
    };
}

static void release_frame(struct frame *frame)
{
    for (size_t i = 0; i < frame->key_count; i++)
        free(frame->keys[i].text);
    free(frame->keys);
    frame->keys = NULL;
    frame->key_count = 0;
}

static void append_key(struct frame *frame, char *text, size_t offset)
{
    if (frame->key_count == frame->key_cap) {
        frame->key_cap = frame->key_cap ? frame->key_cap * 2 : 16;
        frame->keys = cdoc_xrealloc(frame->keys,
                                    frame->key_cap * sizeof(*frame->keys));
    }
    frame->keys[frame->key_count++] = (struct key){
        .text = text,
        .offset = offset,
    };
}

/* Decode the string literal at [start, end) and add it as a key of the
 * innermost object. */
static int add_key(struct scanner *scanner, size_t start, size_t end)
{
    struct frame *frame = &scanner->frames[scanner->depth - 1];
    const char *literal = scanner->text + start;
    struct json_object *decoded;
    const char *text;
    size_t len;

    /* Without escapes the bytes are the key: json-c has checked that they
     * are UTF-8 and contain no NUL. This also spares a json-c call per
     * key, each of which costs a locale copy. */
    if (!memchr(literal, '\\', end - start)) {
        append_key(frame, cdoc_xasprintf("%.*s", (int)(end - start - 2),
                                         literal + 1),
                   start);
        return 0;
    }
    if (!scanner->tokener)
        scanner->tokener = json_tokener_new();
    if (!scanner->tokener)
        return cdoc_errf(scanner->err,
                         "%s: cannot decode a key: out of memory",
                         scanner->origin);
    json_tokener_reset(scanner->tokener);
    decoded = json_tokener_parse_ex(scanner->tokener, literal,
                                    (int)(end - start));
    if (!json_object_is_type(decoded, json_type_string)) {
        json_object_put(decoded);
        return fail_at(scanner, start, scanner->depth,
                       "invalid JSON: invalid object key");
    }
    text = json_object_get_string(decoded);
    len = (size_t)json_object_get_string_len(decoded);
    if (strlen(text) != len) {
        struct cdoc_buf quoted = {0};

        cdoc__json_append_quoted_short(&quoted, text, len, KEY_MAX_LEN);
        fail_at(scanner, start, scanner->depth - 1,
                "key %s contains a NUL character", quoted.data);
        cdoc_buf_release(&quoted);
        json_object_put(decoded);
        return -1;
    }
    append_key(frame, cdoc_xstrdup(text), start);
    json_object_put(decoded);
    return 0;
}

static int compare_keys(const void *a, const void *b)
{
    const struct key *left = a;
    const struct key *right = b;
    int order = strcmp(left->text, right->text);

    if (order == 0)
        return (left->offset > right->offset) -
               (left->offset < right->offset);
    return order;
}

/* Reject the innermost object when two of its keys are equal, naming the
 * second occurrence that comes first in the text. Sorting keeps this
 * O(n log n) for a megabyte of keys. */
static int check_duplicate_keys(struct scanner *scanner)
{
    struct frame *frame = &scanner->frames[scanner->depth - 1];
    const struct key *first = NULL;
    const struct key *repeat = NULL;
    struct cdoc_buf quoted = {0};
    size_t line;
    size_t column;

    if (frame->key_count < 2)
        return 0;
    qsort(frame->keys, frame->key_count, sizeof(*frame->keys), compare_keys);
    for (size_t i = 1; i < frame->key_count; i++) {
        const struct key *key = &frame->keys[i];

        if (strcmp(frame->keys[i - 1].text, key->text) != 0)
            continue;
        if (i >= 2 && strcmp(frame->keys[i - 2].text, key->text) == 0)
            continue;
        if (!repeat || key->offset < repeat->offset) {
            first = &frame->keys[i - 1];
            repeat = key;
        }
    }
    if (!repeat)
        return 0;

    cdoc__json_append_quoted_short(&quoted, repeat->text,
                                   strlen(repeat->text), KEY_MAX_LEN);
    cdoc__json_position(scanner->text, first->offset, &line, &column);
    fail_at(scanner, repeat->offset, scanner->depth - 1,
            "duplicate key %s (first at line %zu, column %zu)", quoted.data,
            line, column);
    cdoc_buf_release(&quoted);
    return -1;
}

/* The offset just past the string literal that opens at start, or 0 after
 * reporting a raw control character in it. depth is the path to name. */
static size_t scan_string(struct scanner *scanner, size_t start,
                          size_t depth)
{
    size_t pos = start + 1;

    while (pos < scanner->len && scanner->text[pos] != '"') {
        unsigned char c = (unsigned char)scanner->text[pos];

        if (c < ' ') {
            fail_at(scanner, pos, depth,
                    "invalid JSON: raw control character 0x%02x in a "
                    "string; write it as an escape such as \\n or \\u%04x",
                    c, c);
            return 0;
        }
        /* Skipping the escaped character is enough: json-c has checked
         * the escape, and no \uXXXX digit is a quote. */
        pos += c == '\\' ? 2 : 1;
    }
    return pos + 1;
}

static int scan_string_token(struct scanner *scanner, size_t *pos)
{
    struct frame *top =
        scanner->depth ? &scanner->frames[scanner->depth - 1] : NULL;
    bool is_key = top && top->is_object && top->expect_key;
    size_t start = *pos;
    size_t end;

    /* A key's own path ends at its object, not at the key before it. */
    end = scan_string(scanner, start, scanner->depth - (is_key ? 1 : 0));
    if (end == 0)
        return -1;
    *pos = end;
    if (is_key) {
        top->expect_key = false;
        return add_key(scanner, start, end);
    }
    return 0;
}

static int scan_char(struct scanner *scanner, size_t *pos)
{
    struct frame *top =
        scanner->depth ? &scanner->frames[scanner->depth - 1] : NULL;
    char c = scanner->text[*pos];
    size_t end;

    switch (c) {
    case '{':
    case '[':
        push_frame(scanner, c == '{');
        break;
    case '}':
    case ']':
        if (!top)
            break;
        if (top->is_object && check_duplicate_keys(scanner) < 0)
            return -1;
        release_frame(top);
        scanner->depth--;
        break;
    case ',':
        if (top && top->is_object)
            top->expect_key = true;
        else if (top)
            top->index++;
        break;
    case '"':
        return scan_string_token(scanner, pos);
    case '\'':
        return fail_at(scanner, *pos, scanner->depth,
                       "invalid JSON: strings must be in double quotes");
    default:
        if (cdoc__json_is_space(c) || c == ':')
            break;
        end = token_end(scanner, *pos);
        if (end == *pos)
            return fail_at(scanner, *pos, scanner->depth,
                           "invalid JSON: unexpected character");
        if (check_token(scanner, *pos, end) < 0)
            return -1;
        *pos = end;
        return 0;
    }
    (*pos)++;
    return 0;
}

int cdoc__json_check_strict(const char *text, size_t len, const char *origin,
                            struct cdoc_err *err)
{
    struct scanner scanner = {
        .text = text,
        .len = len,
        .origin = origin,
        .err = err,
    };
    size_t pos = 0;
    int rc = 0;

    while (pos < len && rc == 0)
        rc = scan_char(&scanner, &pos);
    for (size_t i = 0; i < scanner.depth; i++)
        release_frame(&scanner.frames[i]);
    free(scanner.frames);
    if (scanner.tokener)
        json_tokener_free(scanner.tokener);
    return rc;
}
