/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the kernel command-line parser. */
#include "probe/probe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = strndup((const char *)data, size);
    struct cdoc_cmdline cmdline;

    cdoc_cmdline_parse(text, &cmdline);
    cdoc_cmdline_find(&cmdline, "init_on_alloc");
    cdoc_cmdline_satisfies(&cmdline, "ro");
    cdoc_cmdline_satisfies(&cmdline, "page_alloc.shuffle=1");
    cdoc_cmdline_release(&cmdline);
    free(text);
    return 0;
}
