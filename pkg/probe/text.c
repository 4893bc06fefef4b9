/* SPDX-License-Identifier: MIT */
/* String lists and the text decoding that several probes share. */
#include "probe/internal.h"

#include <stdlib.h>
#include <string.h>

static bool is_octal(char c)
{
    return c >= '0' && c <= '7';
}

char *cdoc__unescape_octal(const char *text, size_t len)
{
    char *out = cdoc_xmalloc(len + 1);
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        /* Only a backslash followed by three octal digits is an escape,
         * which is how the kernel writes every byte it mangles. Any
         * other backslash is copied as it is. */
        if (text[i] == '\\' && i + 3 < len && is_octal(text[i + 1]) &&
            is_octal(text[i + 2]) && is_octal(text[i + 3])) {
            out[o++] = (char)(((text[i + 1] - '0') << 6) |
                              ((text[i + 2] - '0') << 3) |
                              (text[i + 3] - '0'));
            i += 3;
            continue;
        }
        out[o++] = text[i];
    }
    out[o] = '\0';
    return out;
}

void cdoc__chomp(char *text)
{
    size_t len = strlen(text);

    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ' ||
                       text[len - 1] == '\t' || text[len - 1] == '\r'))
        text[--len] = '\0';
}
