/* SPDX-License-Identifier: MIT */
/*
 * One hundred checks that do nothing, linked into doctor-bench (not into
 * capsem-doctor). Running them measures what the runner spends per check:
 * starting a worker, its report and the runner's bookkeeping.
 */
#include "runner/check.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define EMPTY_CHECK(n) \
    CDOC_CHECK(bench, test_empty_##n, "does nothing") {}

#define TEN_CHECKS(d)                                                   \
    EMPTY_CHECK(d##0) EMPTY_CHECK(d##1) EMPTY_CHECK(d##2)               \
    EMPTY_CHECK(d##3) EMPTY_CHECK(d##4) EMPTY_CHECK(d##5)               \
    EMPTY_CHECK(d##6) EMPTY_CHECK(d##7) EMPTY_CHECK(d##8)               \
    EMPTY_CHECK(d##9)

TEN_CHECKS(0)
TEN_CHECKS(1)
TEN_CHECKS(2)
TEN_CHECKS(3)
TEN_CHECKS(4)
TEN_CHECKS(5)
TEN_CHECKS(6)
TEN_CHECKS(7)
TEN_CHECKS(8)
TEN_CHECKS(9)

/* The peak resident memory (VmHWM) of this worker, of the Criterion runner
 * that started it, and of the doctor above that, as properties. Run it
 * last (-k test_peak_memory) so the runner has started its other workers. */
static void record_peak(const char *property, pid_t pid)
{
    char path[64];
    char line[256];
    FILE *status;

    snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
    status = fopen(path, "re");
    if (!status)
        cdoc_check_error("cannot open %s", path);
    while (fgets(line, sizeof(line), status)) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            line[strcspn(line, "\n")] = '\0';
            cdoc_check_property(property, "%s", line + 6 + strspn(line + 6,
                                                                 " \t"));
        }
    }
    fclose(status);
}

static pid_t parent_of(pid_t pid)
{
    char path[64];
    char line[512];
    long parent = -1;
    FILE *stat_file;
    char *close_paren;

    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    stat_file = fopen(path, "re");
    if (!stat_file)
        return -1;
    if (fgets(line, sizeof(line), stat_file)) {
        close_paren = strrchr(line, ')');
        if (!close_paren || sscanf(close_paren + 1, " %*c %ld", &parent) != 1)
            parent = -1;
    }
    fclose(stat_file);
    return (pid_t)parent;
}

CDOC_CHECK(bench, test_peak_memory, "records peak memory")
{
    pid_t runner = getppid();

    record_peak("worker_vmhwm", getpid());
    record_peak("runner_vmhwm", runner);
    record_peak("doctor_vmhwm", parent_of(runner));
}
