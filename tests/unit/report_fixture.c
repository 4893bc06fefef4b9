/* SPDX-License-Identifier: MIT */
/* Fixtures shared by the report_*.c unit tests. */
#include "report_fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct cdoc_result *fixture_add(struct cdoc_report *report, const char *suite,
                                const char *check, const char *param,
                                enum cdoc_verdict verdict)
{
    struct cdoc_result *result;

    report->results = cdoc_xrealloc(report->results,
                                    (report->result_count + 1) *
                                        sizeof(*report->results));
    result = &report->results[report->result_count++];
    memset(result, 0, sizeof(*result));
    result->suite = cdoc_xstrdup(suite);
    result->check = cdoc_xstrdup(check);
    result->param = param ? cdoc_xstrdup(param) : NULL;
    result->verdict = verdict;
    return result;
}

static void fill_header(struct cdoc_report *report)
{
    memset(report, 0, sizeof(*report));
    report->profile_name = cdoc_xstrdup("capsem");
    report->hostname = cdoc_xstrdup("capsem-guest");
    report->kernel_release = cdoc_xstrdup("6.6.8-capsem");
    report->architecture = cdoc_xstrdup("aarch64");
    report->doctor_version = cdoc_xstrdup("0.1.0");
    report->started_at = 1735787045.678;
    report->seconds = 12.3456;
}

void fixture_report(struct cdoc_report *report)
{
    struct cdoc_result *r;

    fill_header(report);
    /* A control byte in a header field must be escaped too. */
    free(report->kernel_release);
    report->kernel_release = cdoc_xstrdup("6.6.8\x1b[0m-capsem\xff");
    report->stopped_early = true;

    r = fixture_add(report, "sandbox", "test_no_ipv6", NULL, CDOC_PASSED);
    r->description = cdoc_xstrdup("No interface has an IPv6 address");
    r->seconds = 0.012;
    cdoc_result_set_output(r, "ok\n", 3);
    cdoc_result_add_property(r, "interfaces", "lo,dummy0");
    cdoc_result_add_property(r, "clock_reference", "CLOCK_\x1b[1mREALTIME");

    r = fixture_add(report, "sandbox", "test_readonly_root", NULL,
                    CDOC_FAILED);
    r->description = cdoc_xstrdup("The root file system refuses writes");
    r->message = cdoc_xstrdup("wrote \"/etc/x\" <ok> & 'done' \x1b[31m]]>\xfe");
    r->detail = cdoc_xstrdup("expected: EROFS\n\tgot: 0\r\n]]> \x01\x7f end");
    r->seconds = 1.5;
    cdoc_result_set_output(r, HOSTILE_OUTPUT, HOSTILE_OUTPUT_LEN);
    r->output_truncated = true;

    r = fixture_add(report, "network", "test_utility_available", "curl",
                    CDOC_SKIPPED);
    r->message = cdoc_xstrdup("curl is not in this profile's utilities");
    r->seconds = 0.0004;

    r = fixture_add(report, "network", "test_proxy_reachable", NULL,
                    CDOC_ERROR);
    r->message = cdoc_xstrdup("timed out after 10 s");
    r->detail = cdoc_xstrdup("the worker was killed by SIGKILL");
    r->seconds = 10.25;
    cdoc_result_add_property(r, "timeout", "10");

    fixture_add(report, "network", "test_dns_sentinel", NULL, CDOC_NOT_RUN);
    fixture_add(report, "tools", "test_shell", NULL, CDOC_NOT_RUN);
}

void fixture_clean_report(struct cdoc_report *report)
{
    static const unsigned char raw[] = {'a', 0, 0xff, 0x1b, '[', 'm', '\n'};
    struct cdoc_result *r;

    fill_header(report);
    report->interrupted = true;

    r = fixture_add(report, "sandbox", "test_no_ipv6", NULL, CDOC_PASSED);
    r->description = cdoc_xstrdup("No interface has an IPv6 address");
    r->seconds = 0.012;
    cdoc_result_add_property(r, "interfaces", "lo,dummy0");
    cdoc_result_add_property(r, "empty", "");

    r = fixture_add(report, "sandbox", "test_readonly_root", NULL,
                    CDOC_FAILED);
    r->message = cdoc_xstrdup("write to / succeeded: caf\xc3\xa9 \xf0\x9f\x98\x80");
    r->detail = cdoc_xstrdup("line 1\nline 2");
    /* Output is bytes, so even hostile bytes must come back exactly. */
    cdoc_result_set_output(r, raw, sizeof(raw));
    r->output_truncated = true;
    r->seconds = 1.25;

    r = fixture_add(report, "network", "test_utility_available", "curl",
                    CDOC_SKIPPED);
    r->message = cdoc_xstrdup("not in profile");

    r = fixture_add(report, "network", "test_proxy_reachable", NULL,
                    CDOC_ERROR);
    r->message = cdoc_xstrdup("timed out");
    r->seconds = 10.0;

    fixture_add(report, "network", "test_dns_sentinel", NULL, CDOC_NOT_RUN);
}

char *fixture_temp_file(const char *suffix, const void *bytes, size_t len)
{
    const char *dir = getenv("TMPDIR");
    char *path;
    int fd;

    if (!dir || !*dir)
        dir = "/tmp";
    path = cdoc_xasprintf("%s/cdoc-report-XXXXXX%s", dir, suffix);
    fd = mkstemps(path, (int)strlen(suffix));
    if (fd < 0) {
        fprintf(stderr, "mkstemps %s: %s\n", path, strerror(errno));
        abort();
    }
    while (len > 0) {
        ssize_t n = write(fd, bytes, len);

        if (n <= 0) {
            fprintf(stderr, "write %s: %s\n", path, strerror(errno));
            abort();
        }
        bytes = (const char *)bytes + n;
        len -= (size_t)n;
    }
    close(fd);
    return path;
}

int fixture_run(const char *const argv[], const char *stdin_path,
                struct cdoc_buf *out)
{
    int pipefd[2];
    pid_t pid;
    int status;

    if (pipe(pipefd) < 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int in = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY);

        if (in < 0 || dup2(in, STDIN_FILENO) < 0 ||
            dup2(pipefd[1], STDOUT_FILENO) < 0)
            _exit(126);
        close(in);
        close(pipefd[0]);
        close(pipefd[1]);
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    for (;;) {
        char chunk[4096];
        ssize_t n = read(pipefd[0], chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (out)
            cdoc_buf_append(out, chunk, (size_t)n);
    }
    close(pipefd[0]);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    if (out)
        cdoc_buf_append(out, "", 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool fixture_comma_locale(void)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8",
                                        "de_DE",       "fr_FR.UTF-8",
                                        "fr_FR.utf8",  "nl_NL.UTF-8"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (setlocale(LC_NUMERIC, names[i])) {
            char text[16];

            snprintf(text, sizeof(text), "%.1f", 1.5);
            if (strchr(text, ','))
                return true;
        }
    }
    setlocale(LC_NUMERIC, "C");
    return false;
}
