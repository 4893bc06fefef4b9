/* SPDX-License-Identifier: MIT */
/* The mount table from /proc/<pid>/mountinfo, as proc(5) lays it out. */
#include "probe/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Space-separated fields of one line; the kernel escapes spaces inside a
 * field as \040, so a literal space always separates. */
struct fields {
    const char *start[64];
    size_t len[64];
    size_t count;
};

static int split_fields(const char *line, size_t line_len,
                        struct fields *fields)
{
    size_t i = 0;

    fields->count = 0;
    while (i < line_len) {
        size_t begin;

        while (i < line_len && line[i] == ' ')
            i++;
        if (i == line_len)
            break;
        if (fields->count == sizeof(fields->start) / sizeof(*fields->start))
            return -1;
        begin = i;
        while (i < line_len && line[i] != ' ')
            i++;
        fields->start[fields->count] = line + begin;
        fields->len[fields->count] = i - begin;
        fields->count++;
    }
    return 0;
}

static bool field_is(const struct fields *fields, size_t index,
                     const char *text)
{
    return fields->len[index] == strlen(text) &&
           !memcmp(fields->start[index], text, fields->len[index]);
}

static bool parse_int(const char *text, size_t len, int *value)
{
    char buf[32];
    char *end;
    long number;

    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    errno = 0;
    number = strtol(buf, &end, 10);
    if (errno || *end || number < 0 || number > 0x7fffffff)
        return false;
    *value = (int)number;
    return true;
}

static bool parse_device(const char *text, size_t len, unsigned *major,
                         unsigned *minor)
{
    char buf[32];
    unsigned long a;
    unsigned long b;
    char *end;

    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    errno = 0;
    a = strtoul(buf, &end, 10);
    if (errno || end == buf || *end != ':')
        return false;
    b = strtoul(end + 1, &end, 10);
    if (errno || *end || a > 0xffffffffUL || b > 0xffffffffUL)
        return false;
    *major = (unsigned)a;
    *minor = (unsigned)b;
    return true;
}

static char *field_text(const struct fields *fields, size_t index)
{
    return cdoc__unescape_octal(fields->start[index], fields->len[index]);
}

/*
 * One mountinfo line:
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=x
 * Six fixed fields, zero or more optional fields, a lone "-", then fstype,
 * source and super options.
 */
static const char *parse_line(const char *line, size_t line_len,
                              struct cdoc_mount *mount)
{
    struct fields fields;
    size_t dash;

    if (split_fields(line, line_len, &fields) < 0)
        return "too many fields";
    for (dash = 6; dash < fields.count; dash++)
        if (field_is(&fields, dash, "-"))
            break;
    if (fields.count < 7)
        return "fewer than the six fields that come before ' - '";
    if (dash == fields.count)
        return "no ' - ' separator after the optional fields";
    if (fields.count - dash - 1 < 3)
        return "fewer than three fields (type, source, super options) "
               "after ' - '";

    if (!parse_int(fields.start[0], fields.len[0], &mount->id))
        return "the mount ID is not a number";
    if (!parse_int(fields.start[1], fields.len[1], &mount->parent_id))
        return "the parent ID is not a number";
    if (!parse_device(fields.start[2], fields.len[2], &mount->major,
                      &mount->minor))
        return "the device is not MAJOR:MINOR";

    mount->root = field_text(&fields, 3);
    mount->mount_point = field_text(&fields, 4);
    mount->options = field_text(&fields, 5);
    mount->fstype = field_text(&fields, dash + 1);
    mount->source = field_text(&fields, dash + 2);
    mount->super_options = field_text(&fields, dash + 3);
    return NULL;
}

static void mount_release(struct cdoc_mount *mount)
{
    free(mount->root);
    free(mount->mount_point);
    free(mount->options);
    free(mount->fstype);
    free(mount->source);
    free(mount->super_options);
}

static int parse_table(const char *text, const char *origin,
                       struct cdoc_mounts *mounts, struct cdoc_err *err)
{
    const char *line = text;
    size_t number = 0;

    mounts->items = NULL;
    mounts->count = 0;

    while (*line) {
        const char *newline = strchr(line, '\n');
        size_t line_len = newline ? (size_t)(newline - line) : strlen(line);
        struct cdoc_mount mount = {0};
        const char *problem;

        number++;
        if (line_len > 0) {
            problem = parse_line(line, line_len, &mount);
            if (problem) {
                cdoc_errf(err, "%s line %zu is invalid: %s: '%.*s'", origin,
                          number, problem,
                          (int)(line_len > 200 ? 200 : line_len), line);
                cdoc_mounts_release(mounts);
                return -1;
            }
            mounts->items = cdoc_xrealloc(
                mounts->items, (mounts->count + 1) * sizeof(mount));
            mounts->items[mounts->count++] = mount;
        }
        if (!newline)
            break;
        line = newline + 1;
    }
    return 0;
}

int cdoc_mounts_parse(const char *text, struct cdoc_mounts *mounts,
                      struct cdoc_err *err)
{
    return parse_table(text, "mountinfo", mounts, err);
}

int cdoc_mounts_read(const char *root, struct cdoc_mounts *mounts,
                     struct cdoc_err *err)
{
    char *path = cdoc_path_join(root, "proc/self/mountinfo");
    char *text;
    int rc;

    mounts->items = NULL;
    mounts->count = 0;
    if (cdoc_read_file(root, "proc/self/mountinfo", CDOC__TABLE_MAX, &text,
                       NULL, err) < 0) {
        free(path);
        return -1;
    }
    rc = parse_table(text, path, mounts, err);
    free(text);
    free(path);
    return rc;
}

const struct cdoc_mount *cdoc_mounts_at(const struct cdoc_mounts *mounts,
                                        const char *mount_point)
{
    for (size_t i = mounts->count; i > 0; i--)
        if (!strcmp(mounts->items[i - 1].mount_point, mount_point))
            return &mounts->items[i - 1];
    return NULL;
}

/* True when path is mount_point or lies below it. */
static bool is_under(const char *path, const char *mount_point)
{
    size_t len = strlen(mount_point);

    while (len > 0 && mount_point[len - 1] == '/')
        len--;
    if (len == 0)
        return path[0] == '/';
    return !strncmp(path, mount_point, len) &&
           (path[len] == '\0' || path[len] == '/');
}

const struct cdoc_mount *cdoc_mounts_containing(
    const struct cdoc_mounts *mounts, const char *path)
{
    const struct cdoc_mount *best = NULL;
    size_t best_len = 0;

    /* ">=" lets a later mount at the same point win, as it stacks on top. */
    for (size_t i = 0; i < mounts->count; i++) {
        const struct cdoc_mount *mount = &mounts->items[i];
        size_t len = strlen(mount->mount_point);

        if (!is_under(path, mount->mount_point))
            continue;
        if (!best || len >= best_len) {
            best = mount;
            best_len = len;
        }
    }
    return best;
}

/* The value of key in a comma-separated option list, honouring
 * backslash-escaped commas; the last occurrence wins. */
static char *find_option(const char *options, const char *key)
{
    size_t key_len = strlen(key);
    const char *item = options;
    char *value = NULL;

    while (item && *item) {
        const char *end = item;
        size_t len;

        while (*end && *end != ',') {
            if (*end == '\\' && end[1])
                end++;
            end++;
        }
        len = (size_t)(end - item);

        if (len == key_len && !strncmp(item, key, key_len)) {
            free(value);
            value = cdoc_xstrdup("");
        } else if (len > key_len && !strncmp(item, key, key_len) &&
                   item[key_len] == '=') {
            free(value);
            value = cdoc_xasprintf("%.*s", (int)(len - key_len - 1),
                                   item + key_len + 1);
        }
        item = *end ? end + 1 : NULL;
    }
    return value;
}

char *cdoc_mount_option(const struct cdoc_mount *mount, const char *key)
{
    char *value = NULL;

    if (mount->super_options)
        value = find_option(mount->super_options, key);
    if (!value && mount->options)
        value = find_option(mount->options, key);
    return value;
}

bool cdoc_mount_is_read_only(const struct cdoc_mount *mount)
{
    char *value;
    bool read_only;

    if (!mount->options)
        return false;
    value = find_option(mount->options, "ro");
    read_only = value && !*value;
    free(value);
    return read_only;
}

void cdoc_overlay_split_lowerdirs(const char *value, struct cdoc_strings *dirs)
{
    struct cdoc_buf dir = {0};

    /* overlayfs takes "\" as an escape for the next byte, so "\:" is a
     * colon inside a path. An empty element comes from "::", which marks
     * the data-only layers that follow; they are still lower layers. */
    for (const char *p = value;; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            cdoc_buf_append(&dir, p, 1);
            continue;
        }
        if (*p == ':' || *p == '\0') {
            if (dir.len > 0)
                cdoc_strings_append(dirs, dir.data);
            dir.len = 0;
            if (!*p)
                break;
            continue;
        }
        cdoc_buf_append(&dir, p, 1);
    }
    cdoc_buf_release(&dir);
}

void cdoc_mounts_release(struct cdoc_mounts *mounts)
{
    for (size_t i = 0; i < mounts->count; i++)
        mount_release(&mounts->items[i]);
    free(mounts->items);
    mounts->items = NULL;
    mounts->count = 0;
}
