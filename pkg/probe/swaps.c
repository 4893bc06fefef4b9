/* SPDX-License-Identifier: MIT */
/* Active swap areas from /proc/swaps. */
#include "probe/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The next whitespace-separated field of [*p, end), or false at the end. */
static bool next_field(const char **p, const char *end, const char **start,
                       size_t *len)
{
    const char *q = *p;

    while (q < end && isspace((unsigned char)*q))
        q++;
    if (q == end)
        return false;
    *start = q;
    while (q < end && !isspace((unsigned char)*q))
        q++;
    *len = (size_t)(q - *start);
    *p = q;
    return true;
}

static bool parse_number(const char *text, size_t len, bool is_signed,
                         long long *value)
{
    char buf[32];
    char *end;

    if (len == 0 || len >= sizeof(buf) || (!is_signed && text[0] == '-'))
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    errno = 0;
    *value = strtoll(buf, &end, 10);
    return !errno && !*end;
}

/*
 * One entry: "Filename Type Size Used Priority", sizes in KiB. The kernel
 * escapes whitespace and backslashes in the name as \ooo, so fields never
 * contain a literal space.
 */
static const char *parse_entry(const char *line, size_t len,
                               struct cdoc_swap *swap)
{
    const char *p = line;
    const char *end = line + len;
    const char *field[5];
    size_t field_len[5];
    size_t count = 0;
    const char *extra;
    size_t extra_len;
    long long size;
    long long used;
    long long priority;

    while (count < 5 && next_field(&p, end, &field[count], &field_len[count]))
        count++;
    if (count < 5)
        return "fewer than five fields";
    if (next_field(&p, end, &extra, &extra_len))
        return "more than five fields";
    if (!parse_number(field[2], field_len[2], false, &size))
        return "the size is not a number of KiB";
    if (!parse_number(field[3], field_len[3], false, &used))
        return "the used size is not a number of KiB";
    if (!parse_number(field[4], field_len[4], true, &priority) ||
        priority < -0x7fffffffLL - 1 || priority > 0x7fffffffLL)
        return "the priority is not an integer";

    swap->filename = cdoc__unescape_octal(field[0], field_len[0]);
    swap->type = cdoc__unescape_octal(field[1], field_len[1]);
    swap->size_kib = (uint64_t)size;
    swap->used_kib = (uint64_t)used;
    swap->priority = (int)priority;
    return NULL;
}

static int parse_table(const char *text, const char *origin,
                       struct cdoc_swaps *swaps, struct cdoc_err *err)
{
    const char *line = text;
    size_t number = 0;

    swaps->items = NULL;
    swaps->count = 0;

    if (strncmp(text, "Filename", 8))
        return cdoc_errf(err, "%s does not start with the 'Filename' header "
                         "line", origin);

    while (*line) {
        const char *newline = strchr(line, '\n');
        size_t len = newline ? (size_t)(newline - line) : strlen(line);
        struct cdoc_swap swap = {0};
        const char *problem;
        const char *start;
        const char *p = line;
        size_t start_len;

        number++;
        if (number > 1 && next_field(&p, line + len, &start, &start_len)) {
            problem = parse_entry(line, len, &swap);
            if (problem) {
                cdoc_errf(err, "%s line %zu is invalid: %s: '%.*s'", origin,
                          number, problem, (int)(len > 200 ? 200 : len),
                          line);
                cdoc_swaps_release(swaps);
                return -1;
            }
            swaps->items = cdoc_xrealloc(
                swaps->items, (swaps->count + 1) * sizeof(swap));
            swaps->items[swaps->count++] = swap;
        }
        if (!newline)
            break;
        line = newline + 1;
    }
    return 0;
}

int cdoc_swaps_parse(const char *text, struct cdoc_swaps *swaps,
                     struct cdoc_err *err)
{
    return parse_table(text, "swaps", swaps, err);
}

int cdoc_swaps_read(const char *root, struct cdoc_swaps *swaps,
                    struct cdoc_err *err)
{
    char *path = cdoc_path_join(root, "proc/swaps");
    char *text;
    int rc;

    swaps->items = NULL;
    swaps->count = 0;
    if (cdoc_read_file(root, "proc/swaps", CDOC__TABLE_MAX, &text, NULL,
                       err) < 0) {
        free(path);
        return -1;
    }
    rc = parse_table(text, path, swaps, err);
    free(text);
    free(path);
    return rc;
}

void cdoc_swaps_release(struct cdoc_swaps *swaps)
{
    for (size_t i = 0; i < swaps->count; i++) {
        free(swaps->items[i].filename);
        free(swaps->items[i].type);
    }
    free(swaps->items);
    swaps->items = NULL;
    swaps->count = 0;
}
