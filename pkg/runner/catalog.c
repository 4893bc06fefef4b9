/* SPDX-License-Identifier: MIT */
/* Enumerating the checks compiled into the binary, and -k selection. */
#include "runner/runner.h"

#include <criterion/criterion.h>
#include <criterion/internal/ordered-set.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The spec's suite order, which reports keep so habits carry over. */
static const char *const suite_order[] = {
    "sandbox",   "network",   "environment", "runtimes", "utilities",
    "workflows", "ai_cli",    "injection",   "mcp",
};

static size_t suite_rank(const char *suite)
{
    size_t known = sizeof(suite_order) / sizeof(suite_order[0]);

    for (size_t i = 0; i < known; i++) {
        if (strcmp(suite_order[i], suite) == 0)
            return i;
    }
    return known;
}

static int compare_checks(const void *a, const void *b)
{
    const struct cdoc_check_info *x = a;
    const struct cdoc_check_info *y = b;
    size_t rank_x = suite_rank(x->suite);
    size_t rank_y = suite_rank(y->suite);
    int by_suite = strcmp(x->suite, y->suite);

    if (rank_x != rank_y)
        return rank_x < rank_y ? -1 : 1;
    if (by_suite != 0)
        return by_suite;
    if (x->test->data->line_ != y->test->data->line_)
        return x->test->data->line_ < y->test->data->line_ ? -1 : 1;
    return strcmp(x->check, y->check);
}

static void add_check(struct cdoc_catalog *catalog, struct criterion_test *test)
{
    struct cdoc_check_info *info;

    catalog->items = cdoc_xrealloc(catalog->items,
                                   (catalog->count + 1) *
                                       sizeof(*catalog->items));
    info = &catalog->items[catalog->count++];
    memset(info, 0, sizeof(*info));
    info->suite = test->category;
    info->check = test->name;
    info->description = test->data->description ? test->data->description
                                                : "";
    info->full_name = cdoc_xasprintf("test_%s::%s", test->category,
                                     test->name);
    info->timeout = test->data->timeout;
    info->test = test;
}

void cdoc_catalog_load(struct cdoc_catalog *catalog)
{
    struct sigaction saved_term;
    pid_t saved_group = getpgrp();

    memset(catalog, 0, sizeof(*catalog));

    /* criterion_initialize moves the process into a group of its own and
     * installs a SIGTERM handler that kills that group. The doctor wants
     * neither: Ctrl-C must reach it, and only its runner child should be
     * in the group that gets killed. */
    sigaction(SIGTERM, NULL, &saved_term);
    catalog->set = criterion_initialize();
    if (getpgrp() != saved_group)
        setpgid(0, saved_group);
    sigaction(SIGTERM, &saved_term, NULL);

    FOREACH_SET(struct criterion_suite_set *suite, catalog->set->suites) {
        if (!suite->tests)
            continue;
        FOREACH_SET(struct criterion_test *test, suite->tests) {
            add_check(catalog, test);
        }
    }
    qsort(catalog->items, catalog->count, sizeof(*catalog->items),
          compare_checks);
}

size_t cdoc_catalog_select(struct cdoc_catalog *catalog,
                           const struct cdoc_kexpr *expr)
{
    size_t selected = 0;

    for (size_t i = 0; i < catalog->count; i++) {
        struct cdoc_check_info *info = &catalog->items[i];

        info->selected = cdoc_kexpr_match(expr, info->full_name);
        selected += info->selected;
    }
    return selected;
}

void cdoc_catalog_release(struct cdoc_catalog *catalog)
{
    for (size_t i = 0; i < catalog->count; i++)
        free(catalog->items[i].full_name);
    free(catalog->items);
    if (catalog->set)
        criterion_finalize(catalog->set);
    memset(catalog, 0, sizeof(*catalog));
}
