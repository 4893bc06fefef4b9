/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for -k keyword expressions: compile, then match. */
#include "runner/kexpr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = strndup((const char *)data, size);
    struct cdoc_kexpr *expr;
    struct cdoc_err err;

    if (cdoc_kexpr_compile(text, &expr, &err) == 0) {
        cdoc_kexpr_match(expr, "test_sandbox::test_no_setuid_binaries");
        cdoc_kexpr_match(expr, "test_utilities::test_utility_available[x]");
        cdoc_kexpr_free(expr);
    }
    free(text);
    return 0;
}
