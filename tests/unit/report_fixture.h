/* SPDX-License-Identifier: MIT */
/* Shared by the report_*.c unit tests: a report with every verdict and
 * hostile bytes, temporary files, and running tools without a shell. */
#ifndef CDOC_TEST_REPORT_FIXTURE_H
#define CDOC_TEST_REPORT_FIXTURE_H

#include "cdoc.h"
#include "runner/results.h"

#include <stdbool.h>
#include <stddef.h>

/* Bytes no writer may pass through raw: NUL, ESC + ANSI colour, "]]>",
 * CR, a lone 0xff, an overlong '/', a surrogate, U+FFFE, C1 CSI. */
#define HOSTILE_OUTPUT                                                     \
    "line one\n\x1b[31mred\x1b[0m and NUL:\0: ]]> <tag> & \r\n"            \
    "bad \xff byte, overlong \xc0\xaf, surrogate \xed\xa0\x80, "           \
    "nonchar \xef\xbf\xbe, csi \xc2\x9b" "2J, bell \a, ok \xc3\xa9\n"
#define HOSTILE_OUTPUT_LEN (sizeof(HOSTILE_OUTPUT) - 1)

/*
 * Fills report with, in order:
 *   sandbox/test_no_ipv6           passed, output "ok\n", 2 properties
 *   sandbox/test_readonly_root     failed, hostile message/detail/output,
 *                                  output_truncated
 *   network/test_utility_available[curl]  skipped
 *   network/test_proxy_reachable   error, with detail
 *   network/test_dns_sentinel      not run
 *   tools/test_shell               not run (a suite with no testcase)
 * stopped_early is set. Counts: 4 total, 1 each, 2 not run.
 */
void fixture_report(struct cdoc_report *report);

/* A report whose strings are all valid UTF-8, so the protobuf round trip
 * must give back exactly the same model. */
void fixture_clean_report(struct cdoc_report *report);

/* Append a result to report and return it, zeroed but for the names. */
struct cdoc_result *fixture_add(struct cdoc_report *report, const char *suite,
                                const char *check, const char *param,
                                enum cdoc_verdict verdict);

/* Write bytes to a new file under the test temporary directory; returns
 * its path (the caller frees it and unlinks the file). */
char *fixture_temp_file(const char *suffix, const void *bytes, size_t len);

/* Run argv[0] (found in PATH) with stdin from stdin_path (or /dev/null)
 * and stdout collected into out (if not NULL). Returns the exit status,
 * or -1 if it did not exit normally. No shell is involved. */
int fixture_run(const char *const argv[], const char *stdin_path,
                struct cdoc_buf *out);

/* True when a locale whose decimal separator is a comma could be set for
 * LC_NUMERIC (de_DE, fr_FR, ...). */
bool fixture_comma_locale(void);

#endif
