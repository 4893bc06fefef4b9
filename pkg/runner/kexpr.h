/* SPDX-License-Identifier: MIT */
/*
 * Keyword expressions for -k, as pytest reads them: words combined with
 * "and", "or", "not" and parentheses. A word matches when it is a
 * case-insensitive substring of the check's full name
 * ("test_sandbox::test_no_ipv6"). "not" binds tighter than "and", which
 * binds tighter than "or".
 */
#ifndef CDOC_RUNNER_KEXPR_H
#define CDOC_RUNNER_KEXPR_H

#include "cdoc.h"

#include <stdbool.h>

struct cdoc_kexpr;

/* Compile an expression. On a syntax error, err names the column and the
 * offending word ("-k: expected a word after 'and' at column 9"). An empty
 * or all-blank expression matches everything. */
int cdoc_kexpr_compile(const char *text, struct cdoc_kexpr **expr,
                       struct cdoc_err *err)
    __attribute__((warn_unused_result));

bool cdoc_kexpr_match(const struct cdoc_kexpr *expr, const char *name);

void cdoc_kexpr_free(struct cdoc_kexpr *expr);

#endif
