/* SPDX-License-Identifier: MIT */
/* Error formatting, allocation and byte buffers shared by pkg/. */
#include "cdoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cdoc_errf(struct cdoc_err *err, const char *fmt, ...)
{
    va_list args;

    if (!err)
        return -1;

    va_start(args, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, args);
    va_end(args);
    return -1;
}

static void die_out_of_memory(size_t size)
{
    fprintf(stderr, "capsem-doctor: out of memory allocating %zu bytes\n",
            size);
    abort();
}

void *cdoc_xmalloc(size_t size)
{
    void *ptr = malloc(size ? size : 1);

    if (!ptr)
        die_out_of_memory(size);
    return ptr;
}

void *cdoc_xcalloc(size_t count, size_t size)
{
    void *ptr = calloc(count ? count : 1, size ? size : 1);

    if (!ptr)
        die_out_of_memory(count * size);
    return ptr;
}

void *cdoc_xrealloc(void *ptr, size_t size)
{
    void *grown = realloc(ptr, size ? size : 1);

    if (!grown)
        die_out_of_memory(size);
    return grown;
}

char *cdoc_xstrdup(const char *text)
{
    char *copy = strdup(text ? text : "");

    if (!copy)
        die_out_of_memory(strlen(text));
    return copy;
}

char *cdoc_xasprintf(const char *fmt, ...)
{
    va_list args;
    char *text = NULL;
    int len;

    va_start(args, fmt);
    len = vasprintf(&text, fmt, args);
    va_end(args);
    if (len < 0)
        die_out_of_memory(0);
    return text;
}

void cdoc_buf_append(struct cdoc_buf *buf, const void *bytes, size_t len)
{
    if (buf->len + len + 1 > buf->cap) {
        size_t cap = buf->cap ? buf->cap : 256;

        while (cap < buf->len + len + 1)
            cap *= 2;
        buf->data = cdoc_xrealloc(buf->data, cap);
        buf->cap = cap;
    }
    if (len)
        memcpy(buf->data + buf->len, bytes, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
}

void cdoc_buf_puts(struct cdoc_buf *buf, const char *text)
{
    cdoc_buf_append(buf, text, strlen(text));
}

void cdoc_buf_printf(struct cdoc_buf *buf, const char *fmt, ...)
{
    va_list args;
    char *text;
    int len;

    va_start(args, fmt);
    len = vasprintf(&text, fmt, args);
    va_end(args);
    if (len < 0)
        die_out_of_memory(0);
    cdoc_buf_append(buf, text, (size_t)len);
    free(text);
}

void cdoc_buf_release(struct cdoc_buf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
}
