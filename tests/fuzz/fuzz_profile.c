/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the profile loader: any bytes either fail with a
 * message or give a profile that prints and parses back to the same text.
 * docs/profile.md shows how to build and run it.
 */
#include "profile/profile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cdoc_profile profile;
    struct cdoc_profile again;
    struct cdoc_err err;
    char *json;
    char *json_again;

    if (cdoc_profile_parse(&profile, (const char *)data, size, "fuzz",
                           &err) < 0)
        return 0;

    /* Whatever parses must print to JSON that parses again and prints
     * the same. */
    json = cdoc_profile_to_json(&profile);
    if (cdoc_profile_parse(&again, json, strlen(json), "printed", &err) < 0)
        abort();
    json_again = cdoc_profile_to_json(&again);
    if (strcmp(json, json_again) != 0)
        abort();
    cdoc_profile_release(&again);
    free(json_again);
    free(json);
    cdoc_profile_release(&profile);
    return 0;
}
