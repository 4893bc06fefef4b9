/* SPDX-License-Identifier: MIT */
/* Enumerating the checks compiled into the binary, and -k selection. */
#include "runner/runner.h"

#include "runner/check.h"

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

/*
 * The cost hint of a check is its declared time limit (.timeout): checks
 * that may run long declare one above the default, and starting them first
 * keeps the slowest check from starting last, after the cheap ones have
 * drained. A suite's hint is that of its most expensive check, because
 * Criterion starts suites one after another.
 */
static double test_cost(const struct criterion_test *test)
{
    return test->data->timeout;
}

static double suite_cost(const struct criterion_suite_set *suite)
{
    double cost = 0;

    if (!suite->tests)
        return 0;
    FOREACH_SET(const struct criterion_test *test, suite->tests) {
        if (!test->data->disabled && test_cost(test) > cost)
            cost = test_cost(test);
    }
    return cost;
}

static int compare_suite_nodes(const void *a, const void *b)
{
    const struct criterion_suite_set *x =
        (const void *)(*(struct criterion_ordered_set_node *const *)a + 1);
    const struct criterion_suite_set *y =
        (const void *)(*(struct criterion_ordered_set_node *const *)b + 1);
    double cost_x = suite_cost(x);
    double cost_y = suite_cost(y);
    size_t rank_x = suite_rank(x->suite.name);
    size_t rank_y = suite_rank(y->suite.name);

    if (cost_x != cost_y)
        return cost_x > cost_y ? -1 : 1;
    if (rank_x != rank_y)
        return rank_x < rank_y ? -1 : 1;
    return strcmp(x->suite.name, y->suite.name);
}

static int compare_test_nodes(const void *a, const void *b)
{
    const struct criterion_test *x =
        (const void *)(*(struct criterion_ordered_set_node *const *)a + 1);
    const struct criterion_test *y =
        (const void *)(*(struct criterion_ordered_set_node *const *)b + 1);

    if (test_cost(x) != test_cost(y))
        return test_cost(x) > test_cost(y) ? -1 : 1;
    if (x->data->line_ != y->data->line_)
        return x->data->line_ < y->data->line_ ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Relink an ordered set's nodes in the order cmp gives. */
static void reorder_set(struct criterion_ordered_set *set,
                        int (*cmp)(const void *, const void *))
{
    struct criterion_ordered_set_node **nodes;
    size_t count = 0;

    for (struct criterion_ordered_set_node *n = set->first; n; n = n->next)
        count++;
    if (count < 2)
        return;
    nodes = cdoc_xcalloc(count, sizeof(*nodes));
    count = 0;
    for (struct criterion_ordered_set_node *n = set->first; n; n = n->next)
        nodes[count++] = n;
    qsort(nodes, count, sizeof(*nodes), cmp);
    for (size_t i = 0; i + 1 < count; i++)
        nodes[i]->next = nodes[i + 1];
    nodes[count - 1]->next = NULL;
    set->first = nodes[0];
    free(nodes);
}

/* Criterion runs suites and tests sorted by name; run the expensive ones
 * first and the rest in report order. Reports keep catalog order whatever
 * the run order. */
void cdoc_catalog_order_run(struct criterion_test_set *set)
{
    reorder_set(set->suites, compare_suite_nodes);
    FOREACH_SET(struct criterion_suite_set *suite, set->suites) {
        if (suite->tests)
            reorder_set(suite->tests, compare_test_nodes);
    }
}

/* The linker gathers every CDOC_LAYERED_CHECK tag into the cdoc_layers
 * section and names its bounds. Weak, so a binary without layered checks
 * (the unit tests) still links, with no tags. */
extern const struct cdoc_layer_tag __start_cdoc_layers[] __attribute__((weak));
extern const struct cdoc_layer_tag __stop_cdoc_layers[] __attribute__((weak));

static void find_layer(struct cdoc_check_info *info)
{
    const struct cdoc_layer_tag *tag = __start_cdoc_layers;

    if (!tag)
        return;
    for (; tag < __stop_cdoc_layers; tag++) {
        if (strcmp(tag->suite, info->suite) == 0 &&
            strcmp(tag->check, info->check) == 0) {
            info->layer = tag->layer;
            info->layer_name = tag->layer_name;
            return;
        }
    }
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
    find_layer(info);
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
