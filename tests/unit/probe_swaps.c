/* SPDX-License-Identifier: MIT */
/* The /proc/swaps parser. */
#include "probe/probe.h"
#include "probe_helpers.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static int parse_fixture(const char *name, struct cdoc_swaps *swaps,
                         struct cdoc_err *err)
{
    char *path = probe_test_fixture(name);
    char *text;
    int rc;

    cr_assert_eq(cdoc_read_file("/", path, 1 << 20, &text, NULL, err), 0,
                 "%s", err->msg);
    rc = cdoc_swaps_parse(text, swaps, err);
    free(text);
    free(path);
    return rc;
}

Test(probe_swaps, header_only_is_empty)
{
    struct cdoc_swaps swaps;
    struct cdoc_err err = {{0}};

    cr_assert_eq(parse_fixture("swaps/header-only.txt", &swaps, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(swaps.count, 0);
    cdoc_swaps_release(&swaps);
}

Test(probe_swaps, entries_parsed)
{
    struct cdoc_swaps swaps;
    struct cdoc_err err = {{0}};

    cr_assert_eq(parse_fixture("swaps/entries.txt", &swaps, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(swaps.count, 2);
    cr_assert_str_eq(swaps.items[0].filename, "/dev/vdb2");
    cr_assert_str_eq(swaps.items[0].type, "partition");
    cr_assert_eq(swaps.items[0].size_kib, 1048572);
    cr_assert_eq(swaps.items[0].used_kib, 512);
    cr_assert_eq(swaps.items[0].priority, -2);
    cr_assert_eq(swaps.items[1].priority, 10);
    cdoc_swaps_release(&swaps);
}

Test(probe_swaps, escaped_name_decoded)
{
    struct cdoc_swaps swaps;
    struct cdoc_err err = {{0}};

    cr_assert_eq(parse_fixture("swaps/entries.txt", &swaps, &err), 0, "%s",
                 err.msg);
    cr_assert_str_eq(swaps.items[1].filename, "/root/my swap\tfile\\x");
    cr_assert_str_eq(swaps.items[1].type, "file");
    cdoc_swaps_release(&swaps);
}

Test(probe_swaps, malformed_entry_named)
{
    static const char *const texts[] = {
        "Filename Type Size Used Priority\n/dev/x partition 10 0\n",
        "Filename Type Size Used Priority\n/dev/x partition ten 0 -1\n",
        "Filename Type Size Used Priority\n/dev/x partition 10 -1 -1\n",
        "Filename Type Size Used Priority\n/dev/x partition 10 0 1 9\n",
    };
    struct cdoc_swaps swaps;
    struct cdoc_err err;

    for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
        cr_assert_eq(cdoc_swaps_parse(texts[i], &swaps, &err), -1,
                     "accepted: %s", texts[i]);
        cr_assert(strstr(err.msg, "line 2"), "got: %s", err.msg);
        cr_assert_eq(swaps.count, 0);
    }
}

Test(probe_swaps, missing_header_rejected)
{
    struct cdoc_swaps swaps;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_swaps_parse("/dev/x partition 1 0 -1\n", &swaps, &err),
                 -1);
    cr_assert(strstr(err.msg, "Filename"), "got: %s", err.msg);
    cr_assert_eq(cdoc_swaps_parse("", &swaps, &err), -1);
}

Test(probe_swaps, read_under_root)
{
    char *root = probe_test_fixture("guest");
    struct cdoc_swaps swaps;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_swaps_read(root, &swaps, &err), 0, "%s", err.msg);
    cr_assert_eq(swaps.count, 2);
    cdoc_swaps_release(&swaps);
    free(root);
}

Test(probe_swaps, read_live_table)
{
    struct cdoc_swaps swaps;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_swaps_read("/", &swaps, &err), 0, "%s", err.msg);
    cdoc_swaps_release(&swaps);
}

Test(probe_swaps, read_missing_names_path)
{
    struct cdoc_swaps swaps;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_swaps_read("/nonexistent-root", &swaps, &err), -1);
    cr_assert(strstr(err.msg, "/nonexistent-root/proc/swaps"), "got: %s",
              err.msg);
}
