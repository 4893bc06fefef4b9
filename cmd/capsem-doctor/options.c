/* SPDX-License-Identifier: MIT */
/* Table-driven parsing of the command line. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest -j: more workers than this only thrash a sandbox VM. */
#define MAX_JOBS 256

/* The longest --timeout: a day; anything longer is a typo. */
#define MAX_TIMEOUT_SECONDS 86400.0

/* The shortest --timeout: a worker needs a few milliseconds just to start
 * and report that it began, and a limit below that kills it silently. */
#define MIN_TIMEOUT_SECONDS 0.1

enum option_id {
    OPT_KEYWORD = 'k', OPT_FAIL_FAST = 'x', OPT_JOBS = 'j',
    OPT_VERBOSE = 'v', OPT_QUIET = 'q', OPT_HELP = 'h',
    OPT_JUNIT = 256, OPT_JSON, OPT_PROTO, OPT_PROFILE, OPT_PRINT_PROFILE,
    OPT_LIST, OPT_TIMEOUT, OPT_COLOR, OPT_VERSION, OPT_ROOT,
};

struct option_spec {
    const char *long_name;
    int id;
    const char *argument; /* NULL for flags */
    const char *help;
};

static const struct option_spec specs[] = {
    {"keyword", OPT_KEYWORD, "EXPR",
     "run checks whose full name matches EXPR: words combined with and, "
     "or, not and parentheses, as in pytest (-k \"sandbox and not setuid\")"},
    {"exitfirst", OPT_FAIL_FAST, NULL,
     "stop at the first failure or error"},
    {"jobs", OPT_JOBS, "N",
     "run N checks at once (default: the number of CPUs)"},
    {"verbose", OPT_VERBOSE, NULL,
     "also print skip reasons and recorded properties"},
    {"quiet", OPT_QUIET, NULL,
     "print only the summary and the RESULT line"},
    {"junit", OPT_JUNIT, "PATH", "write a JUnit XML report to PATH"},
    {"json", OPT_JSON, "PATH", "write a JSON report to PATH"},
    {"proto", OPT_PROTO, "PATH",
     "write a protobuf report (proto/doctor.proto, message Report) to PATH"},
    {"profile", OPT_PROFILE, "PATH",
     "check against the JSON profile at PATH instead of the built-in "
     "Capsem guest profile"},
    {"print-profile", OPT_PRINT_PROFILE, NULL,
     "print the profile in force as JSON and exit"},
    {"list", OPT_LIST, NULL,
     "print the selected checks, one full name a line, and exit"},
    {"timeout", OPT_TIMEOUT, "SECONDS",
     "time limit of every check in seconds (default: 10, or the check's "
     "own)"},
    {"color", OPT_COLOR, "WHEN",
     "colour the console: auto (on a terminal), always or never"},
    {"root", OPT_ROOT, "DIR",
     "read /proc, /sys, /dev and /etc under DIR instead of /, to test the "
     "checks on a fixture tree; every report records DIR"},
    {"version", OPT_VERSION, NULL, "print the version and exit"},
    {"help", OPT_HELP, NULL, "print this help and exit"},
};

#define SPEC_COUNT (sizeof(specs) / sizeof(specs[0]))

void print_usage(void)
{
    printf("usage: capsem-doctor [options]\n"
           "       capsem-doctor report FILE.pb [--junit PATH] [--json PATH]"
           "\n\n"
           "Check that this sandbox VM keeps its isolation promises.\n"
           "The report command turns a protobuf report written with --proto"
           "\ninto the console report and the other formats.\n\n"
           "options:\n");
    for (size_t i = 0; i < SPEC_COUNT; i++) {
        char left[48];

        if (specs[i].id < 256)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", specs[i].id,
                     specs[i].long_name, specs[i].argument ? " " : "",
                     specs[i].argument ? specs[i].argument : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", specs[i].long_name,
                     specs[i].argument ? " " : "",
                     specs[i].argument ? specs[i].argument : "");
        printf("  %-26s %s\n", left, specs[i].help);
    }
    printf("\nexit status: 0 all checks passed, 1 a check failed or "
           "errored,\n2 usage or profile error or interrupted, 5 no check "
           "selected\n");
}

static int parse_jobs(const char *text, size_t *jobs, struct cdoc_err *err)
{
    char *end;
    unsigned long value;

    errno = 0;
    value = strtoul(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || value < 1 ||
        value > MAX_JOBS)
        return cdoc_errf(err, "invalid -j value '%s': expected a whole "
                         "number from 1 to %d", text, MAX_JOBS);
    *jobs = value;
    return 0;
}

static int parse_timeout(const char *text, double *seconds,
                         struct cdoc_err *err)
{
    char *end;
    double value;

    errno = 0;
    value = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(value) ||
        value < MIN_TIMEOUT_SECONDS || value > MAX_TIMEOUT_SECONDS)
        return cdoc_errf(err, "invalid --timeout value '%s': expected "
                         "seconds from %g to %.0f", text,
                         MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS);
    *seconds = value;
    return 0;
}

static int parse_color(const char *text, enum color_mode *mode,
                       struct cdoc_err *err)
{
    if (strcmp(text, "auto") == 0)
        *mode = COLOR_AUTO;
    else if (strcmp(text, "always") == 0)
        *mode = COLOR_ALWAYS;
    else if (strcmp(text, "never") == 0)
        *mode = COLOR_NEVER;
    else
        return cdoc_errf(err, "invalid --color value '%s': expected auto, "
                         "always or never", text);
    return 0;
}

static int apply_option(int id, const char *arg, struct options *options,
                        struct cdoc_err *err)
{
    switch (id) {
    case OPT_KEYWORD:
        options->keyword = arg;
        return 0;
    case OPT_FAIL_FAST:
        options->fail_fast = true;
        return 0;
    case OPT_JOBS:
        return parse_jobs(arg, &options->jobs, err);
    case OPT_VERBOSE:
        options->verbosity = 1;
        return 0;
    case OPT_QUIET:
        options->verbosity = -1;
        return 0;
    case OPT_JUNIT:
        options->junit_path = arg;
        return 0;
    case OPT_JSON:
        options->json_path = arg;
        return 0;
    case OPT_PROTO:
        options->proto_path = arg;
        return 0;
    case OPT_PROFILE:
        options->profile_path = arg;
        return 0;
    case OPT_PRINT_PROFILE:
        options->print_profile = true;
        return 0;
    case OPT_LIST:
        options->list = true;
        return 0;
    case OPT_TIMEOUT:
        return parse_timeout(arg, &options->timeout, err);
    case OPT_COLOR:
        return parse_color(arg, &options->color, err);
    case OPT_VERSION:
        options->version = true;
        return 0;
    case OPT_ROOT:
        options->root = arg;
        return 0;
    case OPT_HELP:
        options->help = true;
        return 0;
    }
    return cdoc_errf(err, "internal error: option %d has no handler", id);
}

static void build_getopt_tables(struct option *longs, char *shorts)
{
    size_t n = 0;

    *shorts++ = ':'; /* report a missing argument as ':' */
    for (size_t i = 0; i < SPEC_COUNT; i++) {
        longs[i] = (struct option){specs[i].long_name,
                                   specs[i].argument ? required_argument
                                                     : no_argument,
                                   NULL, specs[i].id};
        if (specs[i].id < 256) {
            shorts[n++] = (char)specs[i].id;
            if (specs[i].argument)
                shorts[n++] = ':';
        }
    }
    longs[SPEC_COUNT] = (struct option){0};
    shorts[n] = '\0';
}

static const char *option_name(int argc, char **argv)
{
    /* getopt leaves optind past the offending word in most cases. */
    int at = optind - 1;

    if (at >= 1 && at < argc)
        return argv[at];
    return "?";
}

static int take_report_input(int argc, char **argv, struct options *options,
                             struct cdoc_err *err)
{
    if (optind >= argc)
        return cdoc_errf(err, "report needs a protobuf file: capsem-doctor "
                         "report FILE.pb");
    if (optind + 1 < argc)
        return cdoc_errf(err, "unexpected argument '%s': report reads one "
                         "file", argv[optind + 1]);
    options->report_input = argv[optind];
    return 0;
}

int parse_options(int argc, char **argv, struct options *options,
                  struct cdoc_err *err)
{
    struct option longs[SPEC_COUNT + 1];
    char shorts[2 * SPEC_COUNT + 2];
    int id;

    memset(options, 0, sizeof(*options));
    build_getopt_tables(longs, shorts);
    opterr = 0;
    optind = 1;
    if (argc > 1 && strcmp(argv[1], "report") == 0)
        optind = 2;

    while ((id = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        if (id == '?')
            return cdoc_errf(err, "unknown option '%s'; run capsem-doctor "
                             "--help for the list",
                             optopt ? (char[]){'-', (char)optopt, 0}
                                    : option_name(argc, argv));
        if (id == ':')
            return cdoc_errf(err, "option '%s' needs a value; run "
                             "capsem-doctor --help for its form",
                             option_name(argc, argv));
        if (apply_option(id, optarg, options, err) < 0)
            return -1;
    }
    if (argc > 1 && strcmp(argv[1], "report") == 0)
        return take_report_input(argc, argv, options, err);
    if (optind < argc)
        return cdoc_errf(err, "unexpected argument '%s'; select checks "
                         "with -k EXPR", argv[optind]);
    return 0;
}
