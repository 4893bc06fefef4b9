/* SPDX-License-Identifier: MIT */
/* String lists, kept apart from the profile loader so that the network
 * library can use them without linking json-c. */
#include "profile/profile.h"

#include <stdlib.h>
#include <string.h>

bool cdoc_strings_contains(const struct cdoc_strings *list, const char *text)
{
    if (!list || !text)
        return false;
    for (size_t i = 0; i < list->count; i++) {
        if (list->items[i] && strcmp(list->items[i], text) == 0)
            return true;
    }
    return false;
}

void cdoc_strings_append(struct cdoc_strings *list, const char *text)
{
    list->items = cdoc_xrealloc(list->items,
                                (list->count + 1) * sizeof(*list->items));
    list->items[list->count++] = cdoc_xstrdup(text);
}

void cdoc_strings_copy(struct cdoc_strings *dst,
                       const struct cdoc_strings *src)
{
    *dst = (struct cdoc_strings){0};
    for (size_t i = 0; i < src->count; i++)
        cdoc_strings_append(dst, src->items[i]);
}

void cdoc_strings_release(struct cdoc_strings *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}
