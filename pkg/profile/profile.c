/* SPDX-License-Identifier: MIT */
/* Loading a profile: file and embedded text, JSON syntax, and lifetime. */
#include "profile/schema.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* profiles/capsem.json, compiled in by ci/embed.cmake. */
extern const char cdoc_default_profile_json[];
extern const size_t cdoc_default_profile_json_size;

#define DEFAULT_ORIGIN "built-in profile"
#define USE_DEFAULT_HINT \
    "omit --profile to use the built-in Capsem profile"

void cdoc_profile_release(struct cdoc_profile *profile)
{
    if (!profile)
        return;
    cdoc__fields_release(&cdoc__profile_schema, profile);
    memset(profile, 0, sizeof(*profile));
}

void cdoc__json_position(const char *text, size_t offset, size_t *line,
                         size_t *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < offset; i++) {
        unsigned char c = (unsigned char)text[i];

        if (c == '\n') {
            (*line)++;
            *column = 1;
        } else if ((c & 0xc0) != 0x80) {
            (*column)++;
        }
    }
}

static int fail_syntax(const char *text, size_t offset, const char *origin,
                       const char *what, struct cdoc_err *err)
{
    size_t line;
    size_t column;

    cdoc__json_position(text, offset, &line, &column);
    return cdoc_errf(err, "%s:%zu:%zu: invalid JSON: %s", origin, line,
                     column, what);
}

/*
 * Parse text as one JSON document with json-c, rejecting anything after
 * it but whitespace. Returns the document, or NULL with err set.
 */
static struct json_object *parse_document(const char *text, size_t len,
                                          const char *origin,
                                          struct cdoc_err *err)
{
    struct json_tokener *tokener = json_tokener_new();
    struct json_object *root;
    enum json_tokener_error status;
    size_t end;

    if (!tokener) {
        cdoc_errf(err, "%s: cannot parse: out of memory", origin);
        return NULL;
    }
    /* Trailing text is rejected below, with a clearer message than
     * json-c's "unexpected character". */
    json_tokener_set_flags(tokener, JSON_TOKENER_STRICT |
                                        JSON_TOKENER_ALLOW_TRAILING_CHARS |
                                        JSON_TOKENER_VALIDATE_UTF8);
    root = json_tokener_parse_ex(tokener, text, (int)len);
    status = json_tokener_get_error(tokener);
    end = json_tokener_get_parse_end(tokener);
    if (status == json_tokener_continue) {
        /* The text ran out inside a value. A final NUL marks the end of
         * the input for json-c, which then completes a bare number or
         * fails. */
        root = json_tokener_parse_ex(tokener, "", 1);
        status = json_tokener_get_error(tokener);
        end = len;
    }
    json_tokener_free(tokener);

    if (status != json_tokener_success) {
        json_object_put(root);
        fail_syntax(text, end, origin, json_tokener_error_desc(status), err);
        return NULL;
    }
    while (end < len && cdoc__json_is_space(text[end]))
        end++;
    if (end < len) {
        json_object_put(root);
        fail_syntax(text, end, origin,
                    "unexpected text after the end of the document "
                    "(a profile is one JSON object)",
                    err);
        return NULL;
    }
    return root;
}

int cdoc_profile_parse(struct cdoc_profile *profile, const char *json,
                       size_t len, const char *origin, struct cdoc_err *err)
{
    static const char bom[] = "\xef\xbb\xbf";
    struct cdoc_profile parsed = {0};
    struct json_object *root = NULL;
    size_t blank = 0;
    int rc = -1;

    memset(profile, 0, sizeof(*profile));
    if (!origin)
        origin = "profile";
    if (!json)
        len = 0;
    if (len > CDOC_PROFILE_MAX_BYTES)
        return cdoc_errf(err,
                         "%s: the profile is %zu bytes, more than the limit "
                         "of %d bytes (1 MiB)",
                         origin, len, CDOC_PROFILE_MAX_BYTES);
    /* RFC 8259 lets a parser ignore a byte order mark; editors on some
     * systems write one. */
    if (len >= 3 && memcmp(json, bom, 3) == 0) {
        json += 3;
        len -= 3;
    }
    while (blank < len && cdoc__json_is_space(json[blank]))
        blank++;
    if (blank == len)
        return cdoc_errf(err,
                         "%s: the profile is empty; it must be a JSON "
                         "object like the one --print-profile prints",
                         origin);

    root = parse_document(json, len, origin, err);
    if (!root)
        goto out;
    if (cdoc__json_check_strict(json, len, origin, err) < 0)
        goto out;
    if (cdoc__profile_read(&parsed, root, origin, err) < 0)
        goto out;
    *profile = parsed;
    rc = 0;

out:
    if (rc < 0)
        cdoc_profile_release(&parsed);
    json_object_put(root);
    return rc;
}

int cdoc_profile_load_default(struct cdoc_profile *profile,
                              struct cdoc_err *err)
{
    return cdoc_profile_parse(profile, cdoc_default_profile_json,
                              cdoc_default_profile_json_size, DEFAULT_ORIGIN,
                              err);
}

static int fail_open(const char *path, int error, struct cdoc_err *err)
{
    const char *hint;

    switch (error) {
    case ENOENT:
    case ENOTDIR:
        hint = "pass an existing file to --profile or " USE_DEFAULT_HINT;
        break;
    case EACCES:
    case EPERM:
        hint = "make the file readable by this user, pass another file "
               "to --profile or " USE_DEFAULT_HINT;
        break;
    default:
        hint = "pass a readable file to --profile or " USE_DEFAULT_HINT;
        break;
    }
    return cdoc_errf(err, "profile %s: cannot open: %s; %s", path,
                     strerror(error), hint);
}

static int fail_directory(const char *path, struct cdoc_err *err)
{
    return cdoc_errf(err,
                     "profile %s: is a directory; pass a JSON file to "
                     "--profile or " USE_DEFAULT_HINT,
                     path);
}

static int fail_too_large(const char *path, struct cdoc_err *err)
{
    return cdoc_errf(err,
                     "profile %s: the file is larger than %d bytes (1 MiB), "
                     "the limit for a profile; check that --profile names "
                     "a profile",
                     path, CDOC_PROFILE_MAX_BYTES);
}

/*
 * Read at most CDOC_PROFILE_MAX_BYTES + 1 bytes, which is enough to detect
 * a larger file without reading all of it. Any readable file works,
 * including a pipe such as /dev/stdin.
 */
static int read_all(int fd, const char *path, struct cdoc_buf *buf,
                    struct cdoc_err *err)
{
    const size_t limit = CDOC_PROFILE_MAX_BYTES + 1;
    char chunk[16384];

    while (buf->len < limit) {
        size_t want = limit - buf->len;
        ssize_t got = read(fd, chunk, want < sizeof(chunk) ? want
                                                           : sizeof(chunk));

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && errno == EISDIR)
            return fail_directory(path, err);
        if (got < 0)
            return cdoc_errf(err,
                             "profile %s: cannot read: %s; pass a readable "
                             "file to --profile or " USE_DEFAULT_HINT,
                             path, strerror(errno));
        if (got == 0)
            break;
        cdoc_buf_append(buf, chunk, (size_t)got);
    }
    return 0;
}

int cdoc_profile_load_file(struct cdoc_profile *profile, const char *path,
                           struct cdoc_err *err)
{
    struct cdoc_buf text = {0};
    struct stat info;
    int rc = -1;
    int fd;

    memset(profile, 0, sizeof(*profile));
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return fail_open(path, errno, err);
    if (fstat(fd, &info) < 0) {
        cdoc_errf(err, "profile %s: cannot stat: %s", path,
                  strerror(errno));
        goto out;
    }
    if (S_ISDIR(info.st_mode)) {
        fail_directory(path, err);
        goto out;
    }
    if (S_ISREG(info.st_mode) && info.st_size > CDOC_PROFILE_MAX_BYTES) {
        fail_too_large(path, err);
        goto out;
    }
    if (read_all(fd, path, &text, err) < 0)
        goto out;
    if (text.len > CDOC_PROFILE_MAX_BYTES) {
        fail_too_large(path, err);
        goto out;
    }
    if (text.len == 0) {
        cdoc_errf(err,
                  "profile %s: the file is empty; write a profile into it "
                  "(--print-profile shows the built-in one to start from) "
                  "or " USE_DEFAULT_HINT,
                  path);
        goto out;
    }
    rc = cdoc_profile_parse(profile, text.data, text.len, path, err);

out:
    cdoc_buf_release(&text);
    close(fd);
    return rc;
}

void cdoc_url_split(const char *url, char **host, char **path)
{
    static const char scheme[] = "https://";
    const char *start = url;
    size_t host_len;

    if (strncmp(url, scheme, strlen(scheme)) == 0)
        start += strlen(scheme);
    host_len = strcspn(start, "/?");
    *host = cdoc_xasprintf("%.*s", (int)host_len, start);
    if (start[host_len] == '/')
        *path = cdoc_xstrdup(start + host_len);
    else
        *path = cdoc_xasprintf("/%s", start + host_len);
}
