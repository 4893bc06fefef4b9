/* SPDX-License-Identifier: MIT */
/*
 * Checks with known outcomes, linked into doctor-selftest (not into
 * capsem-doctor) so the end-to-end tests can prove how the runner reports
 * each verdict: a pass, a failure, an error, a skip, a crash, a hang,
 * captured hostile output and properties.
 */
#include "runner/check.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

CDOC_CHECK(selftest, test_passes, "always passes")
{
}

CDOC_CHECK(selftest, test_fails, "fails with a message and detail")
{
    cdoc_check_detail("first detail line");
    cdoc_check_detail("second detail line");
    cdoc_check_fail("the promise is broken: value 42 is not 7");
}

CDOC_CHECK(selftest, test_errors, "cannot decide")
{
    cdoc_check_error("tool 'nonexistent-tool' not found in PATH");
}

CDOC_CHECK(selftest, test_skips, "is not applicable")
{
    cdoc_check_skip("not applicable: no such feature here");
}

CDOC_CHECK(selftest, test_crashes, "dereferences NULL")
{
    raise(SIGSEGV);
}

CDOC_CHECK(selftest, test_hangs, "sleeps past its limit", .timeout = 1)
{
    sleep(30);
}

CDOC_CHECK(selftest, test_hostile_output, "records hostile bytes")
{
    static const char hostile[] = "ansi \x1b[31mred\x1b[0m ]]> <tag> & "
                                  "nul\0after bad\xff\xfe utf8 \x01\x02";

    cdoc_check_output("hostile", hostile, sizeof(hostile) - 1);
    cdoc_check_property("bytes_per_second", "%d", 123456789);
    cdoc_check_fail("hostile message \x1b[2J ]]> \xc3\x28 end");
}

CDOC_CHECK(selftest, test_asserts, "fails through a plain cr_assert")
{
    cr_assert(1 == 2, "plain Criterion assertion failed");
}

CDOC_CHECK(selftest, test_exits, "calls exit(3)")
{
    exit(3);
}

CDOC_CHECK(selftest, test_large_output, "prints more than the cap")
{
    size_t len = 200 * 1024;
    char *bytes = malloc(len);

    memset(bytes, 'x', len);
    cdoc_check_output("large", bytes, len);
    free(bytes);
}
