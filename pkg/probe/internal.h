/* SPDX-License-Identifier: MIT */
/* Helpers shared by the probe sources; not part of the public API. */
#ifndef CDOC_PROBE_INTERNAL_H
#define CDOC_PROBE_INTERNAL_H

#include "probe/probe.h"

#include <stddef.h>

/* Largest /proc table read whole (mountinfo on a busy host, swaps). */
#define CDOC__TABLE_MAX (16u * 1024 * 1024)
/* Largest one-value file read (sysfs attributes, comm, cmdline). */
#define CDOC__VALUE_MAX 4096u

/* Copy len bytes of text, turning each \ooo octal escape (as the kernel
 * writes space, tab, newline and backslash in /proc tables) into its byte.
 * The caller frees the copy. */
char *cdoc__unescape_octal(const char *text, size_t len);

/* Drop trailing whitespace (newline, CR, space, tab) in place. */
void cdoc__chomp(char *text);

/* Read one short value file under root with trailing whitespace removed.
 * Returns -1 with errno kept, as cdoc_read_file does. */
int cdoc__read_value(const char *root, const char *path, char **value,
                     struct cdoc_err *err)
    __attribute__((warn_unused_result));

#endif
