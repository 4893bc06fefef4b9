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
#include <stdio.h>

/* Render a report into memory. The caller releases buf. */
void cdoc_junit_render(const struct cdoc_report *report, struct cdoc_buf *buf);
void cdoc_json_render(const struct cdoc_report *report, struct cdoc_buf *buf);
/* Packed protobuf bytes of the Report message in proto/doctor.proto. */
void cdoc_proto_render(const struct cdoc_report *report, struct cdoc_buf *buf);

/* Decode a protobuf report (as written by cdoc_proto_render) back into the
 * model, for "capsem-doctor report FILE.pb". */
int cdoc_proto_parse(const void *bytes, size_t len, struct cdoc_report *report,
                     struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* Write bytes to path through "<path>.tmp.XXXXXX" + fsync + rename. */
int cdoc_write_file_atomic(const char *path, const void *bytes, size_t len,
                           struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* Text helpers shared by the writers. */

/* Append text as XML character data: &<>"' escaped, characters XML 1.0
 * forbids (C0 controls but tab, LF, CR; invalid UTF-8) replaced by their
 * \xNN form so no byte is lost from view. */
void cdoc_xml_escape(struct cdoc_buf *buf, const void *bytes, size_t len);

/* Append a JSON string literal (with quotes): invalid UTF-8 bytes become
 * U+FFFD, controls become \u00NN. */
void cdoc_json_escape(struct cdoc_buf *buf, const void *bytes, size_t len);

/* Append bytes as valid UTF-8: each invalid byte becomes U+FFFD. */
void cdoc_utf8_sanitize(struct cdoc_buf *buf, const void *bytes, size_t len);

/* Format seconds as a decimal with a dot whatever LC_NUMERIC says. */
void cdoc_format_seconds(char *out, size_t size, double seconds);

/* Console output in the manner of pytest -v. */
struct cdoc_console {
    FILE *out;
    bool color;
    int verbosity;  /* -1 quiet, 0 normal, 1 verbose */
};

/* One line for a finished check: "test_sandbox::test_no_ipv6 FAILED". */
void cdoc_console_result(const struct cdoc_console *console,
                         const struct cdoc_result *result);

/* Failure and error details, then the summary line and RESULT line. */
void cdoc_console_summary(const struct cdoc_console *console,
                          const struct cdoc_report *report);

#endif
