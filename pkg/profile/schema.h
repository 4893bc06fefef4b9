/* SPDX-License-Identifier: MIT */
/*
 * Internals of the profile loader: the key tables that drive reading,
 * printing and releasing a profile, and the JSON helpers they share.
 */
#ifndef CDOC_PROFILE_SCHEMA_H
#define CDOC_PROFILE_SCHEMA_H

#include "cdoc.h"
#include "profile/profile.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cdoc__field_kind {
    CDOC__FIELD_TEXT,   /* char *, checked by a text rule */
    CDOC__FIELD_LIST,   /* struct cdoc_strings, each item by a text rule */
    CDOC__FIELD_INT,    /* int from min to max */
    CDOC__FIELD_UINT64, /* uint64_t from min to max */
    CDOC__FIELD_NUMBER, /* finite double, > 0 or >= 0 */
    CDOC__FIELD_BOOL,   /* bool */
    CDOC__FIELD_OBJECT, /* nested struct with its own table */
};

/* Rules for string values, beyond being a string without NUL
 * characters. */
enum cdoc__text_rule {
    CDOC__TEXT_ANY,       /* non-empty */
    CDOC__TEXT_WORD,      /* non-empty, no whitespace or control character */
    CDOC__TEXT_PATH,      /* absolute path */
    CDOC__TEXT_INTERFACE, /* a name Linux accepts for a network interface */
    CDOC__TEXT_DOMAIN,    /* lower-case host name, no wildcard */
    CDOC__TEXT_ADDRESS,   /* IPv4 or IPv6 address */
    CDOC__TEXT_URL,       /* https:// URL with a domain as its host */
    CDOC__TEXT_ENV_NAME,  /* an environment variable name */
};

struct cdoc__schema;

/* One key of a JSON object and the struct member it fills. */
struct cdoc__field {
    const char *key;
    enum cdoc__field_kind kind;
    size_t offset;                     /* of the member in its struct */
    enum cdoc__text_rule rule;         /* TEXT and LIST */
    int64_t min;                       /* INT and UINT64 */
    int64_t max;                       /* INT and UINT64 */
    bool positive;                     /* NUMBER: > 0 rather than >= 0 */
    const struct cdoc__schema *schema; /* OBJECT */
};

/* The keys of one JSON object, in the order they are printed. */
struct cdoc__schema {
    const struct cdoc__field *fields;
    size_t count;
};

/* The top-level object: struct cdoc_profile. */
extern const struct cdoc__schema cdoc__profile_schema;

/* Fill profile from a parsed JSON document: every key of the tables, then
 * the rules that tie keys together. On error profile may be half filled. */
int cdoc__profile_read(struct cdoc_profile *profile, struct json_object *root,
                       const char *origin, struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* Free what the fields of schema own inside the struct at base. */
void cdoc__fields_release(const struct cdoc__schema *schema, void *base);

/*
 * Reject JSON text that json-c's strict mode accepts but RFC 8259 does
 * not: single-quoted strings, raw control characters in strings, NaN,
 * Infinity, and numbers such as "1." or "-01". Also reject an object with
 * the same key twice, which json-c would collapse to the last one. text
 * must already have been accepted by json-c.
 */
int cdoc__json_check_strict(const char *text, size_t len, const char *origin,
                            struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* True for the four whitespace characters JSON allows between tokens. */
static inline bool cdoc__json_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* 1-based line and column of a byte offset; columns count characters, so
 * each UTF-8 sequence counts once. */
void cdoc__json_position(const char *text, size_t offset, size_t *line,
                         size_t *column);

/* Append text as a JSON string literal, quotes included. */
void cdoc__json_append_string(struct cdoc_buf *buf, const char *text,
                              size_t len);

/* Append text as a JSON string literal, cut to about max bytes with "..."
 * when longer, for quoting a value inside an error message. */
void cdoc__json_append_quoted_short(struct cdoc_buf *buf, const char *text,
                                    size_t len, size_t max);

#endif
