/* SPDX-License-Identifier: MIT */
/*
 * A three-layer stack of checks for the end-to-end tests of layered runs.
 * CDOC_SELFTEST_BREAK names the layer (1, 2 or 3) whose check fails, and
 * every check that really runs touches a file named after itself in
 * CDOC_SELFTEST_MARKS, so the tests can tell a check reported as not run
 * from one that ran.
 */
#include "runner/check.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void mark_and_maybe_fail(const char *check, int layer)
{
    const char *marks = getenv("CDOC_SELFTEST_MARKS");
    const char *broken = getenv("CDOC_SELFTEST_BREAK");

    if (marks) {
        char path[4096];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", marks, check);
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
    }
    if (broken && atoi(broken) == layer)
        cdoc_check_fail("layer %d is broken on purpose", layer);
}

CDOC_LAYERED_CHECK(layers, test_base, 1, "base", "the bottom layer")
{
    mark_and_maybe_fail("test_base", 1);
}

CDOC_LAYERED_CHECK(layers, test_base_sibling, 1, "base",
                   "a second check of the bottom layer")
{
    mark_and_maybe_fail("test_base_sibling", -1);
}

CDOC_LAYERED_CHECK(layers, test_middle, 2, "middle", "stands on base")
{
    mark_and_maybe_fail("test_middle", 2);
}

CDOC_LAYERED_CHECK(layers, test_top, 3, "top", "stands on middle")
{
    mark_and_maybe_fail("test_top", 3);
}

CDOC_CHECK(layers, test_unlayered, "belongs to no layer")
{
    mark_and_maybe_fail("test_unlayered", -1);
}
