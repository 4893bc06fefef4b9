/* SPDX-License-Identifier: MIT */
/* The kernel command line, split the way the kernel's next_arg() does. */
#include "probe/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void add_param(struct cdoc_cmdline *cmdline, const char *key,
                      size_t key_len, const char *value, size_t value_len)
{
    struct cdoc_cmdline_param *param;

    cmdline->items = cdoc_xrealloc(
        cmdline->items, (cmdline->count + 1) * sizeof(*cmdline->items));
    param = &cmdline->items[cmdline->count++];
    param->key = cdoc_xasprintf("%.*s", (int)key_len, key);
    param->value =
        value ? cdoc_xasprintf("%.*s", (int)value_len, value) : NULL;
}

/*
 * A double quote switches quoting on or off wherever it appears, so
 * whitespace between quotes stays in the parameter. The kernel then drops
 * a quote that opens the value (foo="a b") or the whole parameter
 * ("foo=a b"), and the quote that ends it.
 */
void cdoc_cmdline_parse(const char *text, struct cdoc_cmdline *cmdline)
{
    const char *p = text;

    cmdline->items = NULL;
    cmdline->count = 0;

    for (;;) {
        const char *start;
        const char *end;
        const char *equals = NULL;
        const char *value;
        bool in_quote = false;
        bool quoted = false;

        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;

        if (*p == '"') {
            p++;
            in_quote = true;
            quoted = true;
        }
        start = p;
        for (; *p; p++) {
            if (isspace((unsigned char)*p) && !in_quote)
                break;
            if (!equals && *p == '=')
                equals = p;
            if (*p == '"')
                in_quote = !in_quote;
        }
        end = p;

        value = equals ? equals + 1 : NULL;
        if (value && value < end && *value == '"') {
            value++;
            if (end > value && end[-1] == '"')
                end--;
        } else if (quoted && end > start && end[-1] == '"') {
            end--;
        }

        /* A bare "--" hands the rest of the line to init. */
        if (!equals && end - start == 2 && !strncmp(start, "--", 2))
            break;

        if (equals)
            add_param(cmdline, start, (size_t)(equals - start), value,
                      end > value ? (size_t)(end - value) : 0);
        else
            add_param(cmdline, start, (size_t)(end - start), NULL, 0);
    }
}

int cdoc_cmdline_read(const char *root, struct cdoc_cmdline *cmdline,
                      struct cdoc_err *err)
{
    char *text;

    cmdline->items = NULL;
    cmdline->count = 0;
    if (cdoc_read_file(root, "proc/cmdline", CDOC__TABLE_MAX, &text, NULL,
                       err) < 0)
        return -1;
    cdoc_cmdline_parse(text, cmdline);
    free(text);
    return 0;
}

/* The kernel compares parameter names with '-' and '_' as the same
 * character (parameq() in kernel/params.c). */
static bool key_equal(const char *a, const char *b)
{
    for (;; a++, b++) {
        char x = *a == '-' ? '_' : *a;
        char y = *b == '-' ? '_' : *b;

        if (x != y)
            return false;
        if (!x)
            return true;
    }
}

const struct cdoc_cmdline_param *cdoc_cmdline_find(
    const struct cdoc_cmdline *cmdline, const char *key)
{
    for (size_t i = cmdline->count; i > 0; i--)
        if (key_equal(cmdline->items[i - 1].key, key))
            return &cmdline->items[i - 1];
    return NULL;
}

/* Whichever of the bare flags "ro" and "rw" comes last decides how the
 * kernel mounts the root filesystem. */
static bool root_mode_is(const struct cdoc_cmdline *cmdline, const char *mode)
{
    for (size_t i = cmdline->count; i > 0; i--) {
        const struct cdoc_cmdline_param *param = &cmdline->items[i - 1];

        if (param->value)
            continue;
        if (!strcmp(param->key, "ro") || !strcmp(param->key, "rw"))
            return !strcmp(param->key, mode);
    }
    return false;
}

bool cdoc_cmdline_satisfies(const struct cdoc_cmdline *cmdline,
                            const char *required)
{
    const char *equals = strchr(required, '=');
    const struct cdoc_cmdline_param *param;
    char *key;
    bool satisfied;

    if (!equals) {
        if (!strcmp(required, "ro") || !strcmp(required, "rw"))
            return root_mode_is(cmdline, required);
        param = cdoc_cmdline_find(cmdline, required);
        return param && !param->value;
    }

    key = cdoc_xasprintf("%.*s", (int)(equals - required), required);
    param = cdoc_cmdline_find(cmdline, key);
    satisfied = param && param->value && !strcmp(param->value, equals + 1);
    free(key);
    return satisfied;
}

void cdoc_cmdline_release(struct cdoc_cmdline *cmdline)
{
    for (size_t i = 0; i < cmdline->count; i++) {
        free(cmdline->items[i].key);
        free(cmdline->items[i].value);
    }
    free(cmdline->items);
    cmdline->items = NULL;
    cmdline->count = 0;
}
