/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the /proc/swaps parser. */
#include "probe/probe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = strndup((const char *)data, size);
    struct cdoc_swaps swaps;
    struct cdoc_err err;

    if (cdoc_swaps_parse(text, &swaps, &err) == 0)
        cdoc_swaps_release(&swaps);
    free(text);
    return 0;
}
