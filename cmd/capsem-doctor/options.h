/* SPDX-License-Identifier: MIT */
/* Command-line options of capsem-doctor. */
#ifndef CDOC_CMD_OPTIONS_H
#define CDOC_CMD_OPTIONS_H

#include "cdoc.h"

#include <stdbool.h>
#include <stddef.h>

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct options {
    const char *keyword;       /* -k */
    bool fail_fast;            /* -x */
    size_t jobs;               /* -j, 0 for the CPU count */
    int verbosity;             /* -q -1, default 0, -v 1 */
    const char *junit_path;
    const char *json_path;
    const char *proto_path;
    const char *profile_path;
    bool print_profile;
    bool list;
    double timeout;            /* 0 keeps each check's own limit */
    enum color_mode color;
    bool version;
    bool help;
    const char *root;          /* --root: a test tree instead of / */
    const char *report_input;  /* "report FILE.pb": the protobuf to read */
};

/* Parse argv. A first argument "report" selects the report command, which
 * takes one protobuf file. On a usage error, err names the wrong option
 * or value and how to fix it. */
int parse_options(int argc, char **argv, struct options *options,
                  struct cdoc_err *err);

/* Print --help text to stdout. */
void print_usage(void);

#endif
