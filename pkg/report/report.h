/* SPDX-License-Identifier: MIT */
/*
 * Report writers. All read one struct cdoc_report, so the counts in every
 * format agree. Files are written to a temporary name in the target's
 * directory and renamed into place, so a crash never leaves half a report.
 */
#ifndef CDOC_REPORT_H
#define CDOC_REPORT_H

#include "cdoc.h"
#include "runner/results.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Render a report into memory, appending to buf. The caller releases buf.
 *
 * JUnit: the shape pytest --junitxml writes (xunit2), one <testsuite
 * name="test_<suite>"> per suite in report order; tests/junit.xsd describes
 * it. Not-run checks are not testcases; every testsuite carries the
 * properties interrupted, stopped_early ("true"/"false") and not_run (that
 * suite's count) instead.
 * JSON: schema "capsem-doctor/report/v1", documented in docs/report-json.md.
 */
void cdoc_junit_render(const struct cdoc_report *report, struct cdoc_buf *buf);
void cdoc_json_render(const struct cdoc_report *report, struct cdoc_buf *buf);
/* Packed protobuf bytes of the Report message in proto/doctor.proto. String
 * fields are made valid UTF-8 (cdoc_utf8_sanitize); output is kept exactly.
 * A NULL param, description, message or detail is written as "". */
void cdoc_proto_render(const struct cdoc_report *report, struct cdoc_buf *buf);

/* Decode a protobuf report (as written by cdoc_proto_render) back into the
 * model, for "capsem-doctor report FILE.pb". An empty param, description,
 * message or detail becomes NULL; report-level strings are never NULL.
 * Refused, with report left zeroed: bytes that are not a Report, a result
 * without suite or check name or with an unknown verdict, and counts that
 * disagree with the results. Release the model with cdoc_report_release. */
int cdoc_proto_parse(const void *bytes, size_t len, struct cdoc_report *report,
                     struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* Write bytes to path through "<path>.tmp.XXXXXX" + fsync + rename, with
 * mode 0644 whatever the umask. On failure the temporary file is removed,
 * path is untouched, errno is kept and err names path, step and errno. */
int cdoc_write_file_atomic(const char *path, const void *bytes, size_t len,
                           struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* Text helpers shared by the writers. */

/* Append text as XML character data: &<>"' escaped, characters XML 1.0
 * forbids (C0 controls but tab, LF, CR; invalid UTF-8; U+FFFE, U+FFFF)
 * replaced by their \xNN form so no byte is lost from view. A backslash in
 * the input is kept as is, so a literal "\x1b" reads the same as ESC. */
void cdoc_xml_escape(struct cdoc_buf *buf, const void *bytes, size_t len);

/* Append a JSON string literal (with quotes): invalid UTF-8 bytes become
 * U+FFFD, controls become \u00NN (DEL, C1 controls, U+2028, U+2029, U+FFFE
 * and U+FFFF are written as \uNNNN too). */
void cdoc_json_escape(struct cdoc_buf *buf, const void *bytes, size_t len);

/* Append bytes as valid UTF-8: each invalid byte becomes U+FFFD. */
void cdoc_utf8_sanitize(struct cdoc_buf *buf, const void *bytes, size_t len);

/* Format seconds as a decimal with a dot whatever LC_NUMERIC says. */
void cdoc_format_seconds(char *out, size_t size, double seconds);

/* Further helpers (added with the writers). */

/* Decode one UTF-8 character at s: returns its length (1-4) and sets *cp,
 * or returns 0 when s[0] does not start a valid, shortest-form character
 * (stray continuation byte, overlong form, surrogate, past U+10FFFF, cut
 * short by len). Every escaper here uses this one definition. */
size_t cdoc_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* cdoc_utf8_sanitize into a new NUL-terminated string the caller frees. */
char *cdoc_utf8_sanitize_dup(const void *bytes, size_t len);

/* As cdoc_xml_escape, for an attribute value: tab, LF and CR are written as
 * character references so attribute-value normalisation keeps them.
 * (cdoc_xml_escape writes CR as &#13; too, since parsers fold raw CR into
 * LF.) DEL and the C1 controls, which XML allows but a terminal acts on,
 * are shown as \xNN by both. */
void cdoc_xml_escape_attr(struct cdoc_buf *buf, const void *bytes, size_t len);

/* cdoc_json_escape of a C string, or the literal null when text is NULL. */
void cdoc_json_escape_str(struct cdoc_buf *buf, const char *text);

/* Append bytes so that printing them cannot drive a terminal: C0 controls
 * (tab kept, LF kept when multiline), DEL, C1 controls, bidirectional
 * overrides, U+FFFE, U+FFFF and invalid UTF-8 become \xNN per byte, so an
 * ANSI escape in captured output shows as \x1b[31m instead of turning the
 * screen red. */
void cdoc_terminal_escape(struct cdoc_buf *buf, const void *bytes, size_t len,
                          bool multiline);

/* Format value with exactly decimals (at most 9) digits after a dot, by
 * integer arithmetic, so LC_NUMERIC never turns it into a comma. NaN and
 * infinities format as 0; magnitudes are clamped to 1e18 / 10^decimals.
 * cdoc_format_seconds is this with 3 decimals and negatives clamped to 0. */
void cdoc_format_fixed(char *out, size_t size, double value,
                       unsigned decimals);

/* Format Unix time as RFC 3339 in UTC with milliseconds:
 * "2025-01-02T03:04:05.678Z", or with "+00:00" in place of "Z" when zulu
 * is false (the form pytest writes in JUnit timestamps). At least 30
 * bytes of out are needed. */
#define CDOC_TIMESTAMP_MAX 32
void cdoc_format_timestamp(char *out, size_t size, double unix_seconds,
                           bool zulu);

/* Console output in the manner of pytest -v. */
struct cdoc_console {
    FILE *out;
    bool color;
    int verbosity;  /* -1 quiet, 0 normal, 1 verbose */
};

/* One line for a finished check: "test_sandbox::test_no_ipv6 FAILED",
 * "... SKIPPED (reason)". Nothing when quiet; verbose adds the check's
 * properties, one "    name = value" line each. */
void cdoc_console_result(const struct cdoc_console *console,
                         const struct cdoc_result *result);

/* Failure and error details, then the summary line and RESULT line:
 *
 *   FAILURES / ERRORS sections (message, detail, captured output)
 *   short test summary info ("FAILED name - message"; skips when verbose)
 *   "N passed, N failed, N skipped, N errors in T.TTs" (always all four)
 *   "interrupted: N not run" or "stopped early (-x): N not run", when so
 *   "RESULT: PASS" or "RESULT: FAIL" (cdoc_report_passed)
 *
 * Quiet prints the last three only, undecorated; the not-run note is kept
 * because the counts line leaves those checks out. Everything taken from
 * the report passes through cdoc_terminal_escape. */
void cdoc_console_summary(const struct cdoc_console *console,
                          const struct cdoc_report *report);

#endif
