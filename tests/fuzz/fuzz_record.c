/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the worker record reader: a worker killed
 * mid-write can leave any prefix of a record behind. */
#include "runner/record.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cdoc_record record;

    cdoc_record_parse(data, size, &record);
    cdoc_record_release(&record);
    return 0;
}
