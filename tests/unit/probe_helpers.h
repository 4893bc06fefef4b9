/* SPDX-License-Identifier: MIT */
/* Scratch directories and files for the probe unit tests. */
#ifndef CDOC_TEST_PROBE_HELPERS_H
#define CDOC_TEST_PROBE_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

/* A new empty directory under /tmp; the caller frees the path and removes
 * the tree with probe_test_remove_tree. Aborts the test on failure. */
char *probe_test_tmpdir(void);

/* Write len bytes to "<dir>/<path>", creating parent directories, and set
 * the file's mode. Aborts the test on failure. */
void probe_test_write(const char *dir, const char *path, const void *bytes,
                      size_t len, mode_t mode);

/* The same for a NUL-terminated text. */
void probe_test_write_text(const char *dir, const char *path,
                           const char *text);

/* Create "<dir>/<path>" and its parents with mode 0755. */
void probe_test_mkdirs(const char *dir, const char *path);

/* Remove a tree made by these helpers, first making every directory in it
 * searchable again. */
void probe_test_remove_tree(const char *dir);

/* The fixture tree or file tests/fixtures/<name>; the caller frees it. */
char *probe_test_fixture(const char *name);

#endif
