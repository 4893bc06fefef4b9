/* SPDX-License-Identifier: MIT */
/* Shared error buffer and helpers used by every package under pkg/. */
#ifndef CDOC_H
#define CDOC_H

#include <stdarg.h>
#include <stddef.h>

#define CDOC_ERR_MAX 1024

/*
 * Caller-owned error text. A function that fails returns -1 and writes one
 * sentence here that names the value at fault and, where one exists, the fix.
 */
struct cdoc_err {
    char msg[CDOC_ERR_MAX];
};

/* Format into err (if not NULL) and return -1, so callers can write
 * "return cdoc_errf(err, ...)". */
int cdoc_errf(struct cdoc_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* malloc, calloc, realloc and strdup that abort with a message when memory
 * runs out: the doctor cannot report anything useful past that point. */
void *cdoc_xmalloc(size_t size);
void *cdoc_xcalloc(size_t count, size_t size);
void *cdoc_xrealloc(void *ptr, size_t size);
char *cdoc_xstrdup(const char *text);
char *cdoc_xasprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Growable byte buffer. Always NUL-terminated so text can be read in place. */
struct cdoc_buf {
    char *data;
    size_t len;
    size_t cap;
};

void cdoc_buf_append(struct cdoc_buf *buf, const void *bytes, size_t len);
void cdoc_buf_puts(struct cdoc_buf *buf, const char *text);
void cdoc_buf_printf(struct cdoc_buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cdoc_buf_release(struct cdoc_buf *buf);

#endif
