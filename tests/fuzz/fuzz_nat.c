/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the iptables-save nat rule reader. */
#include "probe/netpath.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = strndup((const char *)data, size);
    char *rule = NULL;
    char *problem = NULL;

    cdoc_nat_has_redirect(text, 443, 10443, "10.0.0.1", &rule, &problem);
    free(rule);
    free(problem);
    free(text);
    return 0;
}
