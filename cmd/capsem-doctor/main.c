/* SPDX-License-Identifier: MIT */
/* capsem-doctor: check that a sandbox VM keeps its isolation promises. */
#include "options.h"

#include "profile/profile.h"
#include "report/report.h"
#include "runner/kexpr.h"
#include "runner/runner.h"

#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

enum exit_code {
    EXIT_PASSED = 0,
    EXIT_FAILED = 1,
    EXIT_USAGE = 2,   /* usage or profile error, or interrupted */
    EXIT_NO_CHECKS = 5,
};

static void error_message(const char *message)
{
    fprintf(stderr, "capsem-doctor: error: %s\n", message);
}

static int load_profile(const struct options *options,
                        struct cdoc_profile *profile)
{
    struct cdoc_err err;
    int rc;

    if (options->profile_path)
        rc = cdoc_profile_load_file(profile, options->profile_path, &err);
    else
        rc = cdoc_profile_load_default(profile, &err);
    if (rc < 0)
        error_message(err.msg);
    return rc;
}

static bool use_color(enum color_mode mode)
{
    const char *term = getenv("TERM");

    if (mode != COLOR_AUTO)
        return mode == COLOR_ALWAYS;
    if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
        return false;
    return isatty(STDOUT_FILENO) && term && strcmp(term, "dumb") != 0;
}

static void on_result(const struct cdoc_result *result, void *context)
{
    const struct cdoc_console *console = context;

    cdoc_console_result(console, result);
    fflush(console->out);
}

static void fill_report_metadata(struct cdoc_report *report,
                                 const struct cdoc_profile *profile,
                                 const char *root)
{
    report->root = cdoc_xstrdup(root ? root : "/");
    struct utsname uts;
    char host[256] = "";

    gethostname(host, sizeof(host) - 1);
    report->hostname = cdoc_xstrdup(host);
    if (uname(&uts) == 0) {
        report->kernel_release = cdoc_xstrdup(uts.release);
        report->architecture = cdoc_xstrdup(uts.machine);
    } else {
        report->kernel_release = cdoc_xstrdup("");
        report->architecture = cdoc_xstrdup("");
    }
    report->profile_name = cdoc_xstrdup(profile->name);
    report->doctor_version = cdoc_xstrdup(CDOC_VERSION);
}

static int exit_code_for(const struct cdoc_report *report)
{
    if (report->interrupted)
        return EXIT_USAGE;
    return cdoc_report_passed(report) ? EXIT_PASSED : EXIT_FAILED;
}

typedef void (*render_fn)(const struct cdoc_report *, struct cdoc_buf *);

static int write_one_report(const char *path, render_fn render,
                            const struct cdoc_report *report)
{
    struct cdoc_buf buf = {0};
    struct cdoc_err err;
    int rc;

    if (!path)
        return 0;
    render(report, &buf);
    rc = cdoc_write_file_atomic(path, buf.data, buf.len, &err);
    cdoc_buf_release(&buf);
    if (rc < 0)
        error_message(err.msg);
    return rc;
}

/* Every requested report is attempted even when one fails, so a bad
 * --junit path does not also cost the JSON report. */
static int write_reports(const struct options *options,
                         const struct cdoc_report *report)
{
    int rc = 0;

    rc |= write_one_report(options->junit_path, cdoc_junit_render, report);
    rc |= write_one_report(options->json_path, cdoc_json_render, report);
    rc |= write_one_report(options->proto_path, cdoc_proto_render, report);
    return rc;
}

static int list_checks(const struct cdoc_catalog *catalog)
{
    size_t listed = 0;

    for (size_t i = 0; i < catalog->count; i++) {
        if (!catalog->items[i].selected)
            continue;
        printf("%s\n", catalog->items[i].full_name);
        listed++;
    }
    if (listed == 0)
        fprintf(stderr, "capsem-doctor: no check matches the selection\n");
    return listed ? EXIT_PASSED : EXIT_NO_CHECKS;
}

static int print_profile(const struct cdoc_profile *profile)
{
    char *json = cdoc_profile_to_json(profile);

    fputs(json, stdout);
    if (json[0] && json[strlen(json) - 1] != '\n')
        putchar('\n');
    free(json);
    return EXIT_PASSED;
}

static int run_checks(const struct options *options,
                      const struct cdoc_profile *profile,
                      struct cdoc_catalog *catalog, size_t selected)
{
    struct cdoc_console console = {
        .out = stdout,
        .color = use_color(options->color),
        .verbosity = options->verbosity,
    };
    struct cdoc_run_options run = {
        .jobs = options->jobs,
        .timeout_override = options->timeout,
        .fail_fast = options->fail_fast,
        .on_result = on_result,
        .context = &console,
        .root = options->root,
    };
    struct cdoc_report report = {0};
    struct cdoc_err err;
    char *profile_json = cdoc_profile_to_json(profile);
    int code;

    run.profile_json = profile_json;
    if (options->verbosity >= 0)
        printf("capsem-doctor %s: profile %s, %zu %s selected\n",
               CDOC_VERSION, profile->name, selected,
               selected == 1 ? "check" : "checks");
    /* Even -q prints this: a report about a test tree is not about this
     * machine. */
    if (options->root)
        printf("root: %s (verdicts describe that tree, not this "
               "machine)\n", options->root);
    fflush(stdout);

    if (cdoc_run(catalog, &run, &report, &err) < 0) {
        error_message(err.msg);
        free(profile_json);
        cdoc_report_release(&report);
        return EXIT_USAGE;
    }
    fill_report_metadata(&report, profile, options->root);
    cdoc_console_summary(&console, &report);
    fflush(stdout);

    code = exit_code_for(&report);
    /* A missing report must not pass for a sandbox failure, or CI would
     * not tell the two apart. */
    if (write_reports(options, &report) < 0)
        code = EXIT_USAGE;

    free(profile_json);
    cdoc_report_release(&report);
    return code;
}

/* Largest protobuf report the report command reads. */
#define REPORT_INPUT_MAX (64 * 1024 * 1024)

static int read_input(const char *path, struct cdoc_buf *bytes)
{
    FILE *file = fopen(path, "rb");
    char chunk[65536];
    size_t got;

    if (!file) {
        fprintf(stderr, "capsem-doctor: error: cannot open report '%s': "
                "%s\n", path, strerror(errno));
        return -1;
    }
    while ((got = fread(chunk, 1, sizeof(chunk), file)) > 0 &&
           bytes->len <= REPORT_INPUT_MAX)
        cdoc_buf_append(bytes, chunk, got);
    if (ferror(file)) {
        fprintf(stderr, "capsem-doctor: error: cannot read report '%s': "
                "%s\n", path, strerror(errno));
        fclose(file);
        return -1;
    }
    fclose(file);
    if (bytes->len == 0) {
        fprintf(stderr, "capsem-doctor: error: report '%s' is empty; pass "
                "a file written by capsem-doctor --proto\n", path);
        return -1;
    }
    if (bytes->len > REPORT_INPUT_MAX) {
        fprintf(stderr, "capsem-doctor: error: report '%s' is larger than "
                "%d MiB; is it a capsem-doctor protobuf report?\n", path,
                REPORT_INPUT_MAX / (1024 * 1024));
        return -1;
    }
    return 0;
}

/* "capsem-doctor report FILE.pb": print and convert a report written
 * elsewhere, typically inside a guest, with --proto. */
static int convert_report(const struct options *options)
{
    struct cdoc_console console = {
        .out = stdout,
        .color = use_color(options->color),
        .verbosity = options->verbosity,
    };
    struct cdoc_report report = {0};
    struct cdoc_buf bytes = {0};
    struct cdoc_err err;
    int code;

    if (read_input(options->report_input, &bytes) < 0) {
        cdoc_buf_release(&bytes);
        return EXIT_USAGE;
    }
    if (cdoc_proto_parse(bytes.data, bytes.len, &report, &err) < 0) {
        fprintf(stderr, "capsem-doctor: error: cannot read report '%s': "
                "%s\n", options->report_input, err.msg);
        cdoc_buf_release(&bytes);
        return EXIT_USAGE;
    }
    cdoc_buf_release(&bytes);
    if (report.result_count == 0) {
        fprintf(stderr, "capsem-doctor: error: report '%s' contains no check "
                "results; pass a file written by capsem-doctor --proto\n",
                options->report_input);
        cdoc_report_release(&report);
        return EXIT_USAGE;
    }

    for (size_t i = 0; i < report.result_count; i++) {
        if (report.results[i].verdict != CDOC_NOT_RUN ||
            report.results[i].blocked_by)
            cdoc_console_result(&console, &report.results[i]);
    }
    cdoc_console_summary(&console, &report);
    code = exit_code_for(&report);
    if (write_reports(options, &report) < 0)
        code = EXIT_USAGE;
    cdoc_report_release(&report);
    return code;
}

static int select_checks(const struct options *options,
                         struct cdoc_catalog *catalog, size_t *selected)
{
    struct cdoc_kexpr *expr;
    struct cdoc_err err;

    if (cdoc_kexpr_compile(options->keyword ? options->keyword : "", &expr,
                           &err) < 0) {
        error_message(err.msg);
        return -1;
    }
    *selected = cdoc_catalog_select(catalog, expr);
    cdoc_kexpr_free(expr);
    return 0;
}

/* The file a report path names, as text: the resolved path of its
 * directory and its own name, or "dev:ino" when it already exists (which
 * also catches two links to one file). The caller frees it. */
static char *report_identity(const char *path)
{
    char *copy = cdoc_xstrdup(path);
    char *slash = strrchr(copy, '/');
    const char *name = slash ? slash + 1 : copy;
    char *dir = NULL;
    char *identity;
    struct stat st;

    if (stat(path, &st) == 0) {
        free(copy);
        return cdoc_xasprintf("%ju:%ju", (uintmax_t)st.st_dev,
                              (uintmax_t)st.st_ino);
    }
    if (slash) {
        *slash = '\0';
        dir = realpath(*copy ? copy : "/", NULL);
    } else {
        dir = realpath(".", NULL);
    }
    identity = cdoc_xasprintf("%s/%s", dir ? dir : "?", name);
    free(dir);
    free(copy);
    return identity;
}

static bool same_report_file(const char *a, const char *b)
{
    char *first, *second;
    bool same;

    if (!a || !b)
        return false;
    if (strcmp(a, b) == 0)
        return true;
    first = report_identity(a);
    second = report_identity(b);
    same = strcmp(first, second) == 0;
    free(first);
    free(second);
    return same;
}

/* Two reports on one file would leave only the last one written. */
static int check_report_paths(const struct options *options)
{
    const char *paths[] = {options->junit_path, options->json_path,
                           options->proto_path};

    for (size_t i = 0; i < 3; i++) {
        for (size_t j = i + 1; j < 3; j++) {
            if (same_report_file(paths[i], paths[j])) {
                fprintf(stderr, "capsem-doctor: error: two reports are to "
                        "be written to '%s'; give each format its own "
                        "file\n", paths[i]);
                return -1;
            }
        }
    }
    return 0;
}

/* Resolve --root to an absolute directory, so workers read the same tree
 * whatever their working directory. */
static int resolve_root(struct options *options, char **resolved)
{
    struct stat st;

    *resolved = NULL;
    if (!options->root)
        return 0;
    if (stat(options->root, &st) < 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "capsem-doctor: error: --root '%s' is not a "
                "directory; name a tree laid out like / (proc, sys, etc)\n",
                options->root);
        return -1;
    }
    *resolved = realpath(options->root, NULL);
    if (!*resolved) {
        fprintf(stderr, "capsem-doctor: error: cannot resolve --root '%s': "
                "%s\n", options->root, strerror(errno));
        return -1;
    }
    options->root = *resolved;
    return 0;
}

/* Until the run installs its own handlers, an interrupt has nothing to
 * save: exit with the interrupted status at once. */
static void exit_interrupted(int signum)
{
    (void)signum;
    _exit(EXIT_USAGE);
}

static void install_early_signals(void)
{
    struct sigaction stop = {.sa_handler = exit_interrupted};
    struct sigaction ignore = {.sa_handler = SIG_IGN};

    sigemptyset(&stop.sa_mask);
    sigaction(SIGINT, &stop, NULL);
    sigaction(SIGTERM, &stop, NULL);
    /* A reader that goes away (capsem-doctor | head) must not kill the
     * doctor before it writes its report files. */
    sigaction(SIGPIPE, &ignore, NULL);
}

int main(int argc, char **argv)
{
    struct options options;
    struct cdoc_profile profile = {0};
    struct cdoc_catalog catalog;
    struct cdoc_err err;
    size_t selected = 0;
    char *root = NULL;
    int code;

    install_early_signals();
    if (parse_options(argc, argv, &options, &err) < 0) {
        error_message(err.msg);
        return EXIT_USAGE;
    }
    if (options.help) {
        print_usage();
        return EXIT_PASSED;
    }
    if (options.version) {
        printf("capsem-doctor %s\n", CDOC_VERSION);
        return EXIT_PASSED;
    }
    if (check_report_paths(&options) < 0)
        return EXIT_USAGE;
    if (options.report_input)
        return convert_report(&options);
    if (resolve_root(&options, &root) < 0)
        return EXIT_USAGE;
    if (load_profile(&options, &profile) < 0)
        return EXIT_USAGE;
    if (options.print_profile) {
        code = print_profile(&profile);
        cdoc_profile_release(&profile);
        return code;
    }

    cdoc_catalog_load(&catalog);
    if (select_checks(&options, &catalog, &selected) < 0) {
        code = EXIT_USAGE;
    } else if (options.list) {
        code = list_checks(&catalog);
    } else if (selected == 0) {
        fprintf(stderr, "capsem-doctor: no check matches -k '%s'; run "
                "capsem-doctor --list to see every check\n",
                options.keyword ? options.keyword : "");
        code = EXIT_NO_CHECKS;
    } else {
        code = run_checks(&options, &profile, &catalog, selected);
    }

    cdoc_catalog_release(&catalog);
    cdoc_profile_release(&profile);
    free(root);
    return code;
}
