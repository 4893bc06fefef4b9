/* SPDX-License-Identifier: MIT */
/* The kernel command-line parser and its matching rules. */
#include "probe/probe.h"
#include "probe_helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static struct cdoc_cmdline parse(const char *text)
{
    struct cdoc_cmdline cmdline;

    cdoc_cmdline_parse(text, &cmdline);
    return cmdline;
}

Test(probe_cmdline, keys_values_and_flags)
{
    struct cdoc_cmdline cmdline = parse("root=/dev/vda ro quiet a=b=c\n");

    cr_assert_eq(cmdline.count, 4);
    cr_assert_str_eq(cmdline.items[0].key, "root");
    cr_assert_str_eq(cmdline.items[0].value, "/dev/vda");
    cr_assert_str_eq(cmdline.items[1].key, "ro");
    cr_assert_null(cmdline.items[1].value);
    cr_assert_str_eq(cmdline.items[2].key, "quiet");
    cr_assert_str_eq(cmdline.items[3].key, "a");
    cr_assert_str_eq(cmdline.items[3].value, "b=c");
    cdoc_cmdline_release(&cmdline);
}

Test(probe_cmdline, trailing_newline_and_spaces)
{
    struct cdoc_cmdline cmdline = parse("  ro\t slab_nomerge \n");

    cr_assert_eq(cmdline.count, 2);
    cr_assert_str_eq(cmdline.items[1].key, "slab_nomerge",
                     "the newline must not stick to the last key");
    cdoc_cmdline_release(&cmdline);
}

Test(probe_cmdline, quoted_values)
{
    struct cdoc_cmdline cmdline =
        parse("foo=\"a b\" bar \"baz=c d\" e=\"\" f=x\"y z\"w\n");

    cr_assert_eq(cmdline.count, 5);
    cr_assert_str_eq(cmdline.items[0].key, "foo");
    cr_assert_str_eq(cmdline.items[0].value, "a b");
    cr_assert_str_eq(cmdline.items[1].key, "bar");
    cr_assert_null(cmdline.items[1].value);
    cr_assert_str_eq(cmdline.items[2].key, "baz");
    cr_assert_str_eq(cmdline.items[2].value, "c d");
    cr_assert_str_eq(cmdline.items[3].key, "e");
    cr_assert_str_eq(cmdline.items[3].value, "");
    /* A quote inside a value keeps its spaces and the quotes stay. */
    cr_assert_str_eq(cmdline.items[4].value, "x\"y z\"w");
    cdoc_cmdline_release(&cmdline);
}

Test(probe_cmdline, double_dash_ends_kernel_params)
{
    struct cdoc_cmdline cmdline = parse("ro -- --init-arg x slab_nomerge");

    cr_assert_eq(cmdline.count, 1);
    cr_assert_null(cdoc_cmdline_find(&cmdline, "--init-arg"));
    cr_assert_not(cdoc_cmdline_satisfies(&cmdline, "slab_nomerge"));
    cr_assert(cdoc_cmdline_satisfies(&cmdline, "ro"));
    cdoc_cmdline_release(&cmdline);
}

Test(probe_cmdline, dashes_inside_values_kept)
{
    struct cdoc_cmdline cmdline = parse("a=-- --=x b");

    cr_assert_eq(cmdline.count, 3, "only a bare -- ends the list");
    cr_assert_str_eq(cmdline.items[0].value, "--");
    cdoc_cmdline_release(&cmdline);
}

Test(probe_cmdline, last_occurrence_wins)
{
    struct cdoc_cmdline cmdline =
        parse("init_on_alloc=1 console=ttyS0 init_on_alloc=0");
    const struct cdoc_cmdline_param *param =
        cdoc_cmdline_find(&cmdline, "init_on_alloc");

    cr_assert_not_null(param);
    cr_assert_str_eq(param->value, "0");
    cr_assert_not(cdoc_cmdline_satisfies(&cmdline, "init_on_alloc=1"));
    cr_assert(cdoc_cmdline_satisfies(&cmdline, "init_on_alloc=0"));
    cdoc_cmdline_release(&cmdline);
}

Test(probe_cmdline, ro_rw_last_decides)
{
    struct cdoc_cmdline ro_last = parse("rw quiet ro");
    struct cdoc_cmdline rw_last = parse("ro quiet rw");
    struct cdoc_cmdline neither = parse("quiet");

    cr_assert(cdoc_cmdline_satisfies(&ro_last, "ro"));
    cr_assert_not(cdoc_cmdline_satisfies(&ro_last, "rw"));
    cr_assert_not(cdoc_cmdline_satisfies(&rw_last, "ro"));
    cr_assert(cdoc_cmdline_satisfies(&rw_last, "rw"));
    cr_assert_not(cdoc_cmdline_satisfies(&neither, "ro"));
    cdoc_cmdline_release(&ro_last);
    cdoc_cmdline_release(&rw_last);
    cdoc_cmdline_release(&neither);
}

Test(probe_cmdline, value_matches_exactly)
{
    struct cdoc_cmdline zero = parse("init_on_alloc=0");
    struct cdoc_cmdline ten = parse("init_on_alloc=10");
    struct cdoc_cmdline bare = parse("init_on_alloc");
    struct cdoc_cmdline one = parse("init_on_alloc=1");

    cr_assert_not(cdoc_cmdline_satisfies(&zero, "init_on_alloc=1"));
    cr_assert_not(cdoc_cmdline_satisfies(&ten, "init_on_alloc=1"));
    cr_assert_not(cdoc_cmdline_satisfies(&bare, "init_on_alloc=1"));
    cr_assert(cdoc_cmdline_satisfies(&one, "init_on_alloc=1"));
    cr_assert_not(cdoc_cmdline_satisfies(&one, "init_on_alloc"),
                  "a bare flag is not satisfied by key=value");
    cdoc_cmdline_release(&zero);
    cdoc_cmdline_release(&ten);
    cdoc_cmdline_release(&bare);
    cdoc_cmdline_release(&one);
}

Test(probe_cmdline, bare_flag_and_prefix)
{
    struct cdoc_cmdline cmdline = parse("slab_nomerge_x nomodule");

    cr_assert_not(cdoc_cmdline_satisfies(&cmdline, "slab_nomerge"));
    cr_assert(cdoc_cmdline_satisfies(&cmdline, "nomodule"));
    cdoc_cmdline_release(&cmdline);
}

Test(probe_cmdline, dotted_keys)
{
    struct cdoc_cmdline cmdline = parse("page_alloc.shuffle=1 page_alloc=2");

    cr_assert(cdoc_cmdline_satisfies(&cmdline, "page_alloc.shuffle=1"));
    cr_assert_str_eq(cdoc_cmdline_find(&cmdline, "page_alloc")->value, "2");
    cr_assert_not(cdoc_cmdline_satisfies(&cmdline, "page_alloc.shuffle=2"));
    cdoc_cmdline_release(&cmdline);
}

Test(probe_cmdline, dash_and_underscore_equal)
{
    struct cdoc_cmdline cmdline = parse("init-on-alloc=1 page_alloc.shuffle=0");

    cr_assert(cdoc_cmdline_satisfies(&cmdline, "init_on_alloc=1"));
    cr_assert_not(cdoc_cmdline_satisfies(&cmdline, "page-alloc.shuffle=1"));
    cdoc_cmdline_release(&cmdline);
}

Test(probe_cmdline, empty_line)
{
    struct cdoc_cmdline cmdline = parse("\n");

    cr_assert_eq(cmdline.count, 0);
    cr_assert_null(cdoc_cmdline_find(&cmdline, "ro"));
    cr_assert_not(cdoc_cmdline_satisfies(&cmdline, "ro"));
    cdoc_cmdline_release(&cmdline);
}

Test(probe_cmdline, read_fixture)
{
    char *root = probe_test_fixture("guest");
    struct cdoc_cmdline cmdline;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_cmdline_read(root, &cmdline, &err), 0, "%s", err.msg);
    cr_assert(cdoc_cmdline_satisfies(&cmdline, "ro"));
    cr_assert(cdoc_cmdline_satisfies(&cmdline, "init_on_alloc=1"));
    cr_assert(cdoc_cmdline_satisfies(&cmdline, "slab_nomerge"));
    cr_assert(cdoc_cmdline_satisfies(&cmdline, "page_alloc.shuffle=1"));
    cr_assert_null(cdoc_cmdline_find(&cmdline, "--init-arg"));
    cr_assert_str_eq(cmdline.items[cmdline.count - 1].key, "quiet");
    cdoc_cmdline_release(&cmdline);
    free(root);
}

Test(probe_cmdline, read_missing_names_path)
{
    struct cdoc_cmdline cmdline;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_cmdline_read("/nonexistent-root", &cmdline, &err), -1);
    cr_assert(strstr(err.msg, "/nonexistent-root/proc/cmdline"), "got: %s",
              err.msg);
    cr_assert_eq(cmdline.count, 0);
}
