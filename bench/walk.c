/* SPDX-License-Identifier: MIT */
/*
 * One walk of a filesystem for setuid and setgid files, as the setuid and
 * setgid checks share it: bench-walk [DIR] (default "/"). Prints the
 * counts, so a run can be compared with find(1) on the same tree.
 */
#include "probe/probe.h"

#include <stdio.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/";
    struct cdoc_mode_scan scan;
    struct cdoc_err err;

    if (cdoc_scan_mode_bits(dir, S_ISUID | S_ISGID, &scan, &err) < 0) {
        fprintf(stderr, "bench-walk: %s\n", err.msg);
        return 1;
    }
    printf("setuid %zu setgid %zu unreadable %zu\n", scan.setuid_count,
           scan.setgid_count, scan.unreadable);
    cdoc_mode_scan_release(&scan);
    return 0;
}
