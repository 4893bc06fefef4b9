/* SPDX-License-Identifier: MIT */
/* Unit tests of the worker record files and runner event frames. */
#include "runner/events.h"
#include "runner/record.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *temp_record(void)
{
    char *dir = strdup("/tmp/cdoc-record-XXXXXX");

    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

static void remove_temp(char *dir, char *path)
{
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
}

Test(record, round_trip_every_kind)
{
    char *dir = temp_record();
    char *path = cdoc_record_path(dir, "sandbox", "test_no_ipv6");
    struct cdoc_record record;
    struct cdoc_err err;
    static const char output[] = "label\0bytes \x1b[31m\0 nul";
    static const char property[] = "bytes_per_second\0" "12345";

    cr_assert_eq(cdoc_record_append(path, CDOC_RECORD_DETAIL, "line one",
                                    8, &err), 0);
    cr_assert_eq(cdoc_record_append(path, CDOC_RECORD_OUTPUT, output,
                                    sizeof(output) - 1, &err), 0);
    cr_assert_eq(cdoc_record_append(path, CDOC_RECORD_PROPERTY, property,
                                    sizeof(property) - 1, &err), 0);
    cr_assert_eq(cdoc_record_append(path, CDOC_RECORD_ERROR, "no tool", 7,
                                    &err), 0);
    cr_assert_eq(cdoc_record_read(path, &record, &err), 0);

    cr_assert_str_eq(record.error, "no tool");
    cr_assert_null(record.fail);
    cr_assert_str_eq(record.detail.data, "line one\n");
    cr_assert_eq(record.property_count, 1);
    cr_assert_str_eq(record.properties[0].name, "bytes_per_second");
    cr_assert_str_eq(record.properties[0].value, "12345");
    cr_assert(memmem(record.output.data, record.output.len, "--- label\n",
                     10) != NULL);
    cr_assert(memmem(record.output.data, record.output.len, "\0 nul", 5) !=
              NULL, "the NUL byte and what follows it were lost");
    cr_assert_not(record.truncated);
    cdoc_record_release(&record);
    remove_temp(dir, path);
}

Test(record, missing_file_is_empty)
{
    struct cdoc_record record;
    struct cdoc_err err;

    cr_assert_eq(cdoc_record_read("/nonexistent/x.rec", &record, &err), 0);
    cr_assert_null(record.fail);
    cr_assert_eq(record.output.len, 0);
    cdoc_record_release(&record);
}

Test(record, cut_entry_keeps_earlier_ones)
{
    /* A fail entry, then an entry whose length runs past the end, as a
     * worker killed mid-write would leave. */
    static const unsigned char bytes[] = {
        'F', 4, 0, 0, 0, 'o', 'o', 'p', 's',
        'D', 200, 0, 0, 0, 'x', 'y',
    };
    struct cdoc_record record;

    cdoc_record_parse(bytes, sizeof(bytes), &record);
    cr_assert_str_eq(record.fail, "oops");
    cr_assert(record.truncated);
    cr_assert_eq(record.detail.len, 0);
    cdoc_record_release(&record);
}

Test(record, oversized_length_rejected)
{
    static const unsigned char bytes[] = {'F', 0xff, 0xff, 0xff, 0x7f, 'x'};
    struct cdoc_record record;

    cdoc_record_parse(bytes, sizeof(bytes), &record);
    cr_assert(record.truncated);
    cr_assert_null(record.fail);
    cdoc_record_release(&record);
}

Test(record, property_without_separator_ignored)
{
    static const unsigned char bytes[] = {'P', 3, 0, 0, 0, 'a', 'b', 'c'};
    struct cdoc_record record;

    cdoc_record_parse(bytes, sizeof(bytes), &record);
    cr_assert_eq(record.property_count, 0);
    cr_assert_not(record.truncated);
    cdoc_record_release(&record);
}

Test(events, frames_round_trip_in_pieces)
{
    struct cdoc_event_header header = {.kind = CDOC_EVENT_FINISHED,
                                       .status = 1, .signal = 0,
                                       .elapsed = 0.25};
    struct cdoc_buf stream = {0};
    struct cdoc_buf pending = {0};
    struct cdoc_event event;

    cdoc_event_encode(&stream, &header, "sandbox", "test_a", "first");
    cdoc_event_encode(&stream, &header, "sandbox", "test_b", "");

    /* Feed one byte at a time, as a pipe may deliver it. */
    cdoc_buf_append(&pending, stream.data, 3);
    cr_assert_eq(cdoc_event_take(&pending, &event), 0);
    cdoc_buf_append(&pending, stream.data + 3, stream.len - 3);

    cr_assert_eq(cdoc_event_take(&pending, &event), 1);
    cr_assert_str_eq(event.check, "test_a");
    cr_assert_str_eq(event.message, "first");
    cr_assert_float_eq(event.header.elapsed, 0.25, 1e-9);
    cdoc_event_release(&event);

    cr_assert_eq(cdoc_event_take(&pending, &event), 1);
    cr_assert_str_eq(event.suite, "sandbox");
    cr_assert_str_eq(event.check, "test_b");
    cr_assert_str_eq(event.message, "");
    cdoc_event_release(&event);

    cr_assert_eq(pending.len, 0);
    cdoc_buf_release(&stream);
    cdoc_buf_release(&pending);
}

Test(events, malformed_frame_rejected)
{
    struct cdoc_event_header header = {.payload_size = 4};
    struct cdoc_buf pending = {0};
    struct cdoc_event event;

    /* Four payload bytes with no NUL terminators. */
    cdoc_buf_append(&pending, &header, sizeof(header));
    cdoc_buf_append(&pending, "abcd", 4);
    cr_assert_eq(cdoc_event_take(&pending, &event), -1);
    cdoc_buf_release(&pending);
}

Test(events, oversized_frame_rejected)
{
    struct cdoc_event_header header = {.payload_size = 0x7fffffff};
    struct cdoc_buf pending = {0};
    struct cdoc_event event;

    cdoc_buf_append(&pending, &header, sizeof(header));
    cr_assert_eq(cdoc_event_take(&pending, &event), -1);
    cdoc_buf_release(&pending);
}
