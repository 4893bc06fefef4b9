/* SPDX-License-Identifier: MIT */
/* Unit tests of the -k keyword expression parser. */
#include "runner/kexpr.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {
    "test_sandbox::test_no_setuid_binaries",
    "test_sandbox::test_no_setgid_binaries",
    "test_sandbox::test_no_ipv6",
    "test_environment::test_home_is_root",
    "test_network::test_dns_all_resolve_to_local",
    "test_utilities::test_utility_available[curl]",
};

#define NAME_COUNT (sizeof(names) / sizeof(names[0]))

/* The names an expression selects, as a bit mask over names[]. */
static unsigned selection(const char *text)
{
    struct cdoc_kexpr *expr;
    struct cdoc_err err;
    unsigned mask = 0;

    cr_assert_eq(cdoc_kexpr_compile(text, &expr, &err), 0,
                 "'%s' did not compile: %s", text, err.msg);
    for (size_t i = 0; i < NAME_COUNT; i++) {
        if (cdoc_kexpr_match(expr, names[i]))
            mask |= 1u << i;
    }
    cdoc_kexpr_free(expr);
    return mask;
}

static char *compile_error(const char *text)
{
    struct cdoc_kexpr *expr = NULL;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_kexpr_compile(text, &expr, &err), -1,
                 "'%s' compiled but should not", text);
    cr_assert_null(expr);
    return strdup(err.msg);
}

Test(kexpr, empty_selects_all)
{
    cr_assert_eq(selection(""), 0x3f);
    cr_assert_eq(selection("   "), 0x3f);
}

Test(kexpr, word_is_substring)
{
    cr_assert_eq(selection("sandbox"), 0x07);
    cr_assert_eq(selection("setuid"), 0x01);
    cr_assert_eq(selection("test_environment::test_home"), 0x08);
}

Test(kexpr, match_ignores_case)
{
    cr_assert_eq(selection("SANDBOX"), 0x07);
    cr_assert_eq(selection("IPv6"), 0x04);
}

Test(kexpr, brackets_in_words)
{
    cr_assert_eq(selection("available[curl]"), 0x20);
    cr_assert_eq(selection("[curl]"), 0x20);
}

Test(kexpr, not_and_or)
{
    cr_assert_eq(selection("sandbox and not setuid"), 0x06);
    cr_assert_eq(selection("ipv6 or home"), 0x0c);
    cr_assert_eq(selection("not sandbox"), 0x38);
}

Test(kexpr, and_binds_tighter_than_or)
{
    /* ipv6 or (home and sandbox): home is not in the sandbox suite. */
    cr_assert_eq(selection("ipv6 or home and sandbox"), 0x04);
    cr_assert_eq(selection("(ipv6 or home) and sandbox"), 0x04);
    cr_assert_eq(selection("(ipv6 or home) and environment"), 0x08);
}

Test(kexpr, not_binds_tighter_than_and)
{
    cr_assert_eq(selection("not setuid and sandbox"), 0x06);
    cr_assert_eq(selection("not (setuid and sandbox)"), 0x3e);
    cr_assert_eq(selection("not not ipv6"), 0x04);
}

Test(kexpr, nested_parentheses)
{
    cr_assert_eq(selection("((sandbox) and (not (setuid or setgid)))"),
                 0x04);
}

Test(kexpr, error_trailing_operator)
{
    char *msg = compile_error("sandbox and");

    cr_assert(strstr(msg, "after 'and'"), "message: %s", msg);
    cr_assert(strstr(msg, "column 12"), "message: %s", msg);
    free(msg);
}

Test(kexpr, error_leading_operator)
{
    char *msg = compile_error("or sandbox");

    cr_assert(strstr(msg, "found 'or'"), "message: %s", msg);
    cr_assert(strstr(msg, "column 1"), "message: %s", msg);
    free(msg);
}

Test(kexpr, error_two_words)
{
    char *msg = compile_error("sandbox network");

    cr_assert(strstr(msg, "'network'"), "message: %s", msg);
    cr_assert(strstr(msg, "column 9"), "message: %s", msg);
    free(msg);
}

Test(kexpr, error_unclosed_parenthesis)
{
    char *msg = compile_error("(sandbox or network");

    cr_assert(strstr(msg, "never closed"), "message: %s", msg);
    cr_assert(strstr(msg, "column 1"), "message: %s", msg);
    free(msg);
}

Test(kexpr, error_stray_close)
{
    char *msg = compile_error("sandbox)");

    cr_assert(strstr(msg, "')'"), "message: %s", msg);
    free(msg);
}

Test(kexpr, error_bad_character)
{
    char *msg = compile_error("sandbox & network");

    cr_assert(strstr(msg, "'&'"), "message: %s", msg);
    cr_assert(strstr(msg, "column 9"), "message: %s", msg);
    free(msg);
}

Test(kexpr, error_empty_parentheses)
{
    char *msg = compile_error("()");

    cr_assert(strstr(msg, "expected a word"), "message: %s", msg);
    free(msg);
}

Test(kexpr, word_stops_at_string_end)
{
    /* A word at the very end must not read past the terminator. */
    char text[] = "ipv6";

    cr_assert_eq(selection(text), 0x04);
}

Test(kexpr, deep_nesting_rejected)
{
    size_t depth = 100000;
    char *text = malloc(2 * depth + 5);
    char *msg;

    memset(text, '(', depth);
    memcpy(text + depth, "ipv6", 4);
    memset(text + depth + 4, ')', depth);
    text[2 * depth + 4] = '\0';
    msg = compile_error(text);
    cr_assert(strstr(msg, "nests deeper than 256"), "message: %s", msg);
    free(msg);
    free(text);
}

Test(kexpr, deep_not_chain_rejected)
{
    size_t count = 50000;
    char *text = malloc(4 * count + 5);
    char *msg;

    for (size_t i = 0; i < count; i++)
        memcpy(text + 4 * i, "not ", 4);
    memcpy(text + 4 * count, "ipv6", 5);
    msg = compile_error(text);
    cr_assert(strstr(msg, "nests deeper"), "message: %s", msg);
    free(msg);
    free(text);
}

Test(kexpr, moderate_nesting_accepted)
{
    char text[2 * 100 + 5];

    memset(text, '(', 100);
    memcpy(text + 100, "ipv6", 4);
    memset(text + 104, ')', 100);
    text[204] = '\0';
    cr_assert_eq(selection(text), 0x04);
}

Test(kexpr, control_byte_shown_as_hex)
{
    char *msg = compile_error("sandbox \x1b[31m");

    cr_assert(strstr(msg, "0x1b"), "message: %s", msg);
    cr_assert_null(strchr(msg, '\x1b'));
    free(msg);
}
