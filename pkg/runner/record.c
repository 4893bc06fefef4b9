/* SPDX-License-Identifier: MIT */
/* Writing and reading the per-check record files of the run directory. */
#include "runner/record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *cdoc_record_path(const char *run_dir, const char *suite,
                       const char *check)
{
    return cdoc_xasprintf("%s/%s.%s.rec", run_dir, suite, check);
}

static void put_le32(unsigned char *out, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        out[i] = (unsigned char)(value >> (8 * i));
}

static uint32_t get_le32(const unsigned char *in)
{
    return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 |
           (uint32_t)in[3] << 24;
}

int cdoc_record_append(const char *path, enum cdoc_record_kind kind,
                       const void *bytes, size_t len, struct cdoc_err *err)
{
    unsigned char *entry;
    ssize_t written;
    int fd;

    if (len > CDOC_RECORD_ENTRY_MAX)
        len = CDOC_RECORD_ENTRY_MAX;

    entry = cdoc_xmalloc(len + 5);
    entry[0] = (unsigned char)kind;
    put_le32(entry + 1, (uint32_t)len);
    memcpy(entry + 5, bytes, len);

    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        free(entry);
        return cdoc_errf(err, "cannot open record %s: %s", path,
                         strerror(errno));
    }
    written = write(fd, entry, len + 5);
    close(fd);
    free(entry);
    if (written != (ssize_t)(len + 5))
        return cdoc_errf(err, "cannot write record %s: %s", path,
                         written < 0 ? strerror(errno) : "short write");
    return 0;
}

static void replace_text(char **slot, const unsigned char *bytes, size_t len)
{
    free(*slot);
    *slot = cdoc_xmalloc(len + 1);
    memcpy(*slot, bytes, len);
    (*slot)[len] = '\0';
}

static void add_property(struct cdoc_record *record,
                         const unsigned char *bytes, size_t len)
{
    const unsigned char *nul = memchr(bytes, '\0', len);
    struct cdoc_property *slot;
    size_t name_len;

    if (!nul)
        return;
    name_len = (size_t)(nul - bytes);
    record->properties = cdoc_xrealloc(
        record->properties,
        (record->property_count + 1) * sizeof(*record->properties));
    slot = &record->properties[record->property_count++];
    slot->name = cdoc_xmalloc(name_len + 1);
    memcpy(slot->name, bytes, name_len);
    slot->name[name_len] = '\0';
    slot->value = cdoc_xmalloc(len - name_len);
    memcpy(slot->value, nul + 1, len - name_len - 1);
    slot->value[len - name_len - 1] = '\0';
}

/* Output entries carry "label\0bytes"; the label becomes a header line so
 * a reader of system-out can tell which command printed what. */
static void add_output(struct cdoc_record *record, const unsigned char *bytes,
                       size_t len)
{
    const unsigned char *nul = memchr(bytes, '\0', len);
    size_t label_len = nul ? (size_t)(nul - bytes) : 0;
    size_t body_start = nul ? label_len + 1 : 0;

    if (label_len) {
        cdoc_buf_puts(&record->output, "--- ");
        cdoc_buf_append(&record->output, bytes, label_len);
        cdoc_buf_puts(&record->output, "\n");
    }
    cdoc_buf_append(&record->output, bytes + body_start, len - body_start);
    if (len > body_start && bytes[len - 1] != '\n')
        cdoc_buf_puts(&record->output, "\n");
}

static void apply_entry(struct cdoc_record *record, unsigned char kind,
                        const unsigned char *bytes, size_t len)
{
    switch (kind) {
    case CDOC_RECORD_FAIL:
        replace_text(&record->fail, bytes, len);
        break;
    case CDOC_RECORD_ERROR:
        replace_text(&record->error, bytes, len);
        break;
    case CDOC_RECORD_SKIP:
        replace_text(&record->skip, bytes, len);
        break;
    case CDOC_RECORD_DETAIL:
        cdoc_buf_append(&record->detail, bytes, len);
        cdoc_buf_puts(&record->detail, "\n");
        break;
    case CDOC_RECORD_OUTPUT:
        add_output(record, bytes, len);
        break;
    case CDOC_RECORD_PROPERTY:
        add_property(record, bytes, len);
        break;
    default:
        break;
    }
}

void cdoc_record_parse(const void *data, size_t len,
                       struct cdoc_record *record)
{
    const unsigned char *bytes = data;
    size_t at = 0;

    memset(record, 0, sizeof(*record));
    while (at < len) {
        uint32_t entry_len;

        if (len - at < 5) {
            record->truncated = true;
            return;
        }
        entry_len = get_le32(bytes + at + 1);
        if (entry_len > CDOC_RECORD_ENTRY_MAX || entry_len > len - at - 5) {
            record->truncated = true;
            return;
        }
        apply_entry(record, bytes[at], bytes + at + 5, entry_len);
        at += 5 + (size_t)entry_len;
    }
}

int cdoc_record_read(const char *path, struct cdoc_record *record,
                     struct cdoc_err *err)
{
    struct cdoc_buf content = {0};
    char chunk[65536];
    ssize_t got;
    int fd;

    memset(record, 0, sizeof(*record));
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        return cdoc_errf(err, "cannot open record %s: %s", path,
                         strerror(errno));
    }
    while ((got = read(fd, chunk, sizeof(chunk))) > 0)
        cdoc_buf_append(&content, chunk, (size_t)got);
    close(fd);
    if (got < 0) {
        cdoc_buf_release(&content);
        return cdoc_errf(err, "cannot read record %s: %s", path,
                         strerror(errno));
    }
    cdoc_record_parse(content.data, content.len, record);
    cdoc_buf_release(&content);
    return 0;
}

void cdoc_record_release(struct cdoc_record *record)
{
    free(record->fail);
    free(record->error);
    free(record->skip);
    cdoc_buf_release(&record->detail);
    cdoc_buf_release(&record->output);
    for (size_t i = 0; i < record->property_count; i++) {
        free(record->properties[i].name);
        free(record->properties[i].value);
    }
    free(record->properties);
    memset(record, 0, sizeof(*record));
}
