/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the protobuf report reader, and through it for the
 * writers: whatever parses must render as JUnit, JSON, protobuf and
 * console text without crashing.
 */
#include "report/report.h"

#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cdoc_report report = {0};
    struct cdoc_buf out = {0};
    struct cdoc_err err;
    FILE *sink;

    if (cdoc_proto_parse(data, size, &report, &err) < 0)
        return 0;

    cdoc_junit_render(&report, &out);
    out.len = 0;
    cdoc_json_render(&report, &out);
    out.len = 0;
    cdoc_proto_render(&report, &out);
    cdoc_buf_release(&out);

    sink = fopen("/dev/null", "w");
    if (sink) {
        struct cdoc_console console = {.out = sink, .verbosity = 1};

        for (size_t i = 0; i < report.result_count; i++)
            cdoc_console_result(&console, &report.results[i]);
        cdoc_console_summary(&console, &report);
        fclose(sink);
    }
    cdoc_report_release(&report);
    return 0;
}
