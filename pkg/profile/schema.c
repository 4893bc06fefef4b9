/* SPDX-License-Identifier: MIT */
/* The profile's keys as tables, and the reader that checks a document
 * against them. Adding a key is one row here and one member in profile.h. */
#include "profile/schema.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The offset of a member, or a compile error when the member's type is not
 * ctype, so a row cannot read a key into a member of another type. */
#define MEMBER(type, member, ctype) \
    _Generic(((type *)0)->member, ctype: offsetof(type, member))

#define TEXT(type, member, text_rule)                                 \
    {.key = #member, .kind = CDOC__FIELD_TEXT,                        \
     .offset = MEMBER(type, member, char *),                          \
     .rule = CDOC__TEXT_##text_rule}
#define LIST(type, member, text_rule)                                 \
    {.key = #member, .kind = CDOC__FIELD_LIST,                        \
     .offset = MEMBER(type, member, struct cdoc_strings),             \
     .rule = CDOC__TEXT_##text_rule}
#define INT(type, member, low, high)                                  \
    {.key = #member, .kind = CDOC__FIELD_INT,                         \
     .offset = MEMBER(type, member, int), .min = (low), .max = (high)}
#define UINT64(type, member, low, high)                               \
    {.key = #member, .kind = CDOC__FIELD_UINT64,                      \
     .offset = MEMBER(type, member, uint64_t), .min = (low),          \
     .max = (high)}
#define NUMBER(type, member, is_positive)                             \
    {.key = #member, .kind = CDOC__FIELD_NUMBER,                      \
     .offset = MEMBER(type, member, double), .positive = (is_positive)}
#define BOOL(type, member)                                            \
    {.key = #member, .kind = CDOC__FIELD_BOOL,                        \
     .offset = MEMBER(type, member, bool)}
#define OBJECT(type, member, member_type, member_schema)              \
    {.key = #member, .kind = CDOC__FIELD_OBJECT,                      \
     .offset = MEMBER(type, member, member_type),                     \
     .schema = &(member_schema)}
#define SCHEMA(fields) {(fields), sizeof(fields) / sizeof((fields)[0])}

#define POSITIVE true
#define NON_NEGATIVE false

#define S struct cdoc_profile_rootfs
static const struct cdoc__field rootfs_fields[] = {
    TEXT(S, device, PATH),
    TEXT(S, device_fstype, WORD),
    TEXT(S, root_fstype, WORD),
    TEXT(S, upper_fstype, WORD),
};
#undef S

#define S struct cdoc_profile_scratch
static const struct cdoc__field scratch_fields[] = {
    TEXT(S, path, PATH),
    TEXT(S, fstype, WORD),
    UINT64(S, min_bytes, 0, INT64_MAX),
};
#undef S

#define S struct cdoc_profile_processes
static const struct cdoc__field processes_fields[] = {
    TEXT(S, pty_agent, ANY),
    TEXT(S, net_proxy, ANY),
    TEXT(S, dns_server, ANY),
    LIST(S, forbidden_service_managers, ANY),
    LIST(S, forbidden_remote_access, ANY),
    LIST(S, forbidden_schedulers, ANY),
};
#undef S

#define S struct cdoc_profile_network
static const struct cdoc__field network_fields[] = {
    TEXT(S, dummy_interface, INTERFACE),
    LIST(S, interfaces, INTERFACE),
    TEXT(S, sentinel_address, ADDRESS),
    INT(S, proxy_port, 1, 65535),
    INT(S, https_port, 1, 65535),
    TEXT(S, ca_cert, PATH),
    LIST(S, allowed_domains, DOMAIN),
    LIST(S, denied_domains, DOMAIN),
    LIST(S, ai_provider_domains, DOMAIN),
    NUMBER(S, connect_timeout_seconds, POSITIVE),
    TEXT(S, throughput_url, URL),
    NUMBER(S, throughput_min_bytes_per_second, NON_NEGATIVE),
    NUMBER(S, throughput_timeout_seconds, POSITIVE),
    TEXT(S, resolver_address, ADDRESS),
    INT(S, http_port, 1, 65535),
    INT(S, closed_port, 1, 65535),
    TEXT(S, direct_ip, ADDRESS),
    TEXT(S, system_ca_bundle, PATH),
    LIST(S, ca_env_vars, ENV_NAME),
};
#undef S

#define S struct cdoc_profile_environment
static const struct cdoc__field environment_fields[] = {
    TEXT(S, term, WORD),
    TEXT(S, home, PATH),
    LIST(S, path_dirs, PATH),
    TEXT(S, venv, PATH),
    TEXT(S, shell, PATH),
};
#undef S

static const struct cdoc__schema rootfs_schema = SCHEMA(rootfs_fields);
static const struct cdoc__schema scratch_schema = SCHEMA(scratch_fields);
static const struct cdoc__schema processes_schema = SCHEMA(processes_fields);
static const struct cdoc__schema network_schema = SCHEMA(network_fields);
static const struct cdoc__schema environment_schema =
    SCHEMA(environment_fields);

#define S struct cdoc_profile
static const struct cdoc__field profile_fields[] = {
    TEXT(S, name, WORD),
    TEXT(S, description, ANY),
    TEXT(S, architecture, WORD),
    INT(S, kernel_major, 1, 99),
    NUMBER(S, clock_max_skew_seconds, POSITIVE),
    BOOL(S, swap_required),
    OBJECT(S, rootfs, struct cdoc_profile_rootfs, rootfs_schema),
    LIST(S, writable_paths, PATH),
    OBJECT(S, scratch, struct cdoc_profile_scratch, scratch_schema),
    LIST(S, guest_binaries, PATH),
    LIST(S, kernel_cmdline, WORD),
    OBJECT(S, processes, struct cdoc_profile_processes, processes_schema),
    OBJECT(S, network, struct cdoc_profile_network, network_schema),
    OBJECT(S, environment, struct cdoc_profile_environment,
           environment_schema),
    LIST(S, runtimes, WORD),
    LIST(S, utilities, WORD),
    LIST(S, ai_clis, WORD),
    TEXT(S, mcp_server_command, PATH),
    TEXT(S, injection_manifest, PATH),
};
#undef S

const struct cdoc__schema cdoc__profile_schema = SCHEMA(profile_fields);

/* ---- text rules --------------------------------------------------------- */

static bool is_space_or_control(unsigned char c)
{
    return c <= ' ' || c == 0x7f;
}

static bool has_space_or_control(const char *text)
{
    for (const char *p = text; *p; p++) {
        if (is_space_or_control((unsigned char)*p))
            return true;
    }
    return false;
}

/* The kernel's dev_valid_name(): shorter than IFNAMSIZ (16), not "." or
 * "..", and no '/', ':' or whitespace. */
static bool valid_interface(const char *text)
{
    size_t len = strlen(text);

    if (len == 0 || len > 15 || strcmp(text, ".") == 0 ||
        strcmp(text, "..") == 0)
        return false;
    return !has_space_or_control(text) && !strpbrk(text, "/:");
}

static bool is_label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Host names as RFC 1123 allows them, in lower case because DNS ignores
 * case and the lists are compared byte for byte. */
static bool valid_domain(const char *text)
{
    size_t label = 0;

    if (strlen(text) > 253)
        return false;
    for (const char *p = text;; p++) {
        if (*p == '.' || *p == '\0') {
            if (label == 0 || label > 63 || p[-1] == '-')
                return false;
            if (*p == '\0')
                return true;
            label = 0;
            continue;
        }
        if (!is_label_char(*p) || (label == 0 && *p == '-'))
            return false;
        label++;
    }
}

static bool valid_address(const char *text)
{
    unsigned char address[16];

    return inet_pton(AF_INET, text, address) == 1 ||
           inet_pton(AF_INET6, text, address) == 1;
}

/* https://DOMAIN or https://DOMAIN/PATH: the doctor pins the domain to
 * the sentinel and connects on network.https_port, so a user, a port or
 * an IP literal in the URL could not be honoured. */
static bool valid_url(const char *text)
{
    static const char scheme[] = "https://";
    char *domain, *path;
    bool valid;

    if (strncmp(text, scheme, strlen(scheme)) != 0 ||
        has_space_or_control(text) || strchr(text, '#'))
        return false;
    cdoc_url_split(text, &domain, &path);
    valid = valid_domain(domain) && !valid_address(domain);
    free(domain);
    free(path);
    return valid;
}

/* Letters, digits and '_', not starting with a digit: a name that
 * setenv(3) and every shell accept. */
static bool valid_env_name(const char *text)
{
    if (isdigit((unsigned char)text[0]))
        return false;
    for (const char *c = text; *c; c++) {
        if (!isalnum((unsigned char)*c) && *c != '_')
            return false;
    }
    return true;
}

static bool valid_text(enum cdoc__text_rule rule, const char *text)
{
    if (!*text)
        return false;
    switch (rule) {
    case CDOC__TEXT_ANY:
        return true;
    case CDOC__TEXT_WORD:
        return !has_space_or_control(text);
    case CDOC__TEXT_PATH:
        return text[0] == '/';
    case CDOC__TEXT_INTERFACE:
        return valid_interface(text);
    case CDOC__TEXT_DOMAIN:
        return valid_domain(text);
    case CDOC__TEXT_ADDRESS:
        return valid_address(text);
    case CDOC__TEXT_URL:
        return valid_url(text);
    case CDOC__TEXT_ENV_NAME:
        return valid_env_name(text);
    }
    return false;
}

/* The phrase for the values a rule accepts, such as "an absolute path" or,
 * in the plural, "absolute paths". */
static const char *text_rule_expected(enum cdoc__text_rule rule, bool plural)
{
    static const char *const names[][2] = {
        [CDOC__TEXT_ANY] = {"a non-empty string", "non-empty strings"},
        [CDOC__TEXT_WORD] = {"a non-empty string without whitespace",
                             "non-empty strings without whitespace"},
        [CDOC__TEXT_PATH] = {"an absolute path", "absolute paths"},
        [CDOC__TEXT_INTERFACE] = {
            "an interface name of 1 to 15 bytes without '/', ':' or "
            "whitespace",
            "interface names of 1 to 15 bytes without '/', ':' or "
            "whitespace"},
        [CDOC__TEXT_DOMAIN] = {"a lower-case domain name such as "
                               "example.com",
                               "lower-case domain names such as "
                               "example.com"},
        [CDOC__TEXT_ADDRESS] = {"an IPv4 or IPv6 address",
                                "IPv4 or IPv6 addresses"},
        [CDOC__TEXT_URL] = {"an https:// URL whose host is a domain name, "
                            "without user, port or fragment",
                            "https:// URLs whose host is a domain name, "
                            "without user, port or fragment"},
        [CDOC__TEXT_ENV_NAME] = {"an environment variable name (letters, "
                                 "digits and '_', not starting with a "
                                 "digit)",
                                 "environment variable names (letters, "
                                 "digits and '_', not starting with a "
                                 "digit)"},
    };

    return names[rule][plural ? 1 : 0];
}

/* ---- reading ------------------------------------------------------------ */

/* Key paths are built from table keys and list indexes, so this is plenty;
 * a longer path would be cut, not overflow. */
#define KEY_PATH_MAX 256

/* Maximum length, in bytes, of a value quoted in full in an error
 * message. */
#define VALUE_MAX_LEN 60

struct reader {
    const char *origin;
    struct cdoc_err *err;
    char path[KEY_PATH_MAX]; /* "network.allowed_domains[2]" */
    size_t path_len;
};

/* Write "origin: path: message" into the error, or "origin: message" at
 * the top level, and return -1. */
__attribute__((format(printf, 2, 3)))
static int fail(struct reader *reader, const char *fmt, ...)
{
    char message[CDOC_ERR_MAX];
    va_list args;

    va_start(args, fmt);
    vsnprintf(message, sizeof(message), fmt, args);
    va_end(args);
    if (reader->path_len == 0)
        return cdoc_errf(reader->err, "%s: %s", reader->origin, message);
    return cdoc_errf(reader->err, "%s: %s: %s", reader->origin,
                     reader->path, message);
}

static size_t push_key(struct reader *reader, const char *key)
{
    size_t old_len = reader->path_len;
    int written;

    written = snprintf(reader->path + old_len, sizeof(reader->path) - old_len,
                       "%s%s", old_len ? "." : "", key);
    if (written > 0)
        reader->path_len = strlen(reader->path);
    return old_len;
}

static size_t push_index(struct reader *reader, size_t index)
{
    size_t old_len = reader->path_len;
    int written;

    written = snprintf(reader->path + old_len, sizeof(reader->path) - old_len,
                       "[%zu]", index);
    if (written > 0)
        reader->path_len = strlen(reader->path);
    return old_len;
}

static void pop_path(struct reader *reader, size_t old_len)
{
    reader->path_len = old_len;
    reader->path[old_len] = '\0';
}

/* The value as JSON, shortened, for "got ..." in a message. The caller
 * frees the result. */
static char *describe(struct json_object *value)
{
    struct cdoc_buf buf = {0};
    const char *text;
    size_t len;

    if (json_object_is_type(value, json_type_string)) {
        cdoc__json_append_quoted_short(&buf, json_object_get_string(value),
                                       (size_t)json_object_get_string_len(
                                           value),
                                       VALUE_MAX_LEN);
        return buf.data;
    }
    /* json-c clamps integers beyond 64 bits to these limits, so the text
     * of the document is no longer known. */
    if (json_object_is_type(value, json_type_int)) {
        if (json_object_get_uint64(value) == UINT64_MAX)
            return cdoc_xstrdup("18446744073709551615 or more");
        if (json_object_get_int64(value) == INT64_MIN)
            return cdoc_xstrdup("-9223372036854775808 or less");
    }
    text = json_object_to_json_string_ext(
        value, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    len = strlen(text);
    if (len <= VALUE_MAX_LEN)
        return cdoc_xstrdup(text);
    len = VALUE_MAX_LEN - 3;
    while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
        len--;
    cdoc_buf_append(&buf, text, len);
    cdoc_buf_puts(&buf, "...");
    return buf.data;
}

/* fail() with "expected <expected>, got <value>". */
static int fail_expected(struct reader *reader, const char *expected,
                         struct json_object *value)
{
    char *got = describe(value);

    fail(reader, "expected %s, got %s", expected, got);
    free(got);
    return -1;
}

static void expected_of_field(const struct cdoc__field *field, char *out,
                              size_t size)
{
    switch (field->kind) {
    case CDOC__FIELD_TEXT:
        snprintf(out, size, "%s", text_rule_expected(field->rule, false));
        return;
    case CDOC__FIELD_LIST:
        snprintf(out, size, "a list of %s",
                 text_rule_expected(field->rule, true));
        return;
    case CDOC__FIELD_INT:
    case CDOC__FIELD_UINT64:
        snprintf(out, size, "an integer from %" PRId64 " to %" PRId64,
                 field->min, field->max);
        return;
    case CDOC__FIELD_NUMBER:
        snprintf(out, size, "%s",
                 field->positive ? "a number greater than 0"
                                 : "a number of 0 or more");
        return;
    case CDOC__FIELD_BOOL:
        snprintf(out, size, "true or false");
        return;
    case CDOC__FIELD_OBJECT:
        snprintf(out, size, "an object");
        return;
    }
}

/* A string value that passes rule, as a new copy in *out. */
static int read_text(struct reader *reader, enum cdoc__text_rule rule,
                     struct json_object *value, char **out)
{
    const char *text;

    if (!json_object_is_type(value, json_type_string))
        return fail_expected(reader, "a string", value);
    text = json_object_get_string(value);
    if (strlen(text) != (size_t)json_object_get_string_len(value) ||
        !valid_text(rule, text))
        return fail_expected(reader, text_rule_expected(rule, false),
                             value);
    *out = cdoc_xstrdup(text);
    return 0;
}

/* Orders pointers to list items by text, then by position in the list. */
static int compare_items(const void *a, const void *b)
{
    char **const *left = a;
    char **const *right = b;
    int order = strcmp(**left, **right);

    if (order == 0)
        return (*left > *right) - (*left < *right);
    return order;
}

/*
 * Find the first item, in list order, that repeats an earlier one. Sorting
 * pointers keeps this O(n log n) on a hostile megabyte of short strings.
 * Returns false when every item is distinct.
 */
static bool find_duplicate(char **items, size_t count, size_t *first,
                           size_t *repeat)
{
    char ***sorted;
    bool found = false;

    if (count < 2)
        return false;
    sorted = cdoc_xcalloc(count, sizeof(*sorted));
    for (size_t i = 0; i < count; i++)
        sorted[i] = &items[i];
    qsort(sorted, count, sizeof(*sorted), compare_items);
    for (size_t i = 1; i < count; i++) {
        size_t later = (size_t)(sorted[i] - items);

        if (strcmp(*sorted[i - 1], *sorted[i]) != 0)
            continue;
        /* Only the second of a run is a candidate: later ones come after
         * it in the list. */
        if (i >= 2 && strcmp(*sorted[i - 2], *sorted[i]) == 0)
            continue;
        if (!found || later < *repeat) {
            *first = (size_t)(sorted[i - 1] - items);
            *repeat = later;
            found = true;
        }
    }
    free(sorted);
    return found;
}

static int read_list(struct reader *reader, const struct cdoc__field *field,
                     struct json_object *value, struct cdoc_strings *out)
{
    struct cdoc_strings list = {0};
    size_t first = 0;
    size_t repeat = 0;
    size_t count;
    char expected[160];

    if (!json_object_is_type(value, json_type_array)) {
        expected_of_field(field, expected, sizeof(expected));
        return fail_expected(reader, expected, value);
    }
    count = json_object_array_length(value);
    if (count > 0)
        list.items = cdoc_xcalloc(count, sizeof(*list.items));
    for (size_t i = 0; i < count; i++) {
        size_t old_len = push_index(reader, i);
        int rc = read_text(reader, field->rule,
                           json_object_array_get_idx(value, i),
                           &list.items[i]);

        pop_path(reader, old_len);
        if (rc < 0)
            goto fail;
        list.count++;
    }
    if (find_duplicate(list.items, list.count, &first, &repeat)) {
        struct cdoc_buf quoted = {0};
        size_t old_len = reader->path_len;

        cdoc__json_append_quoted_short(&quoted, list.items[repeat],
                                       strlen(list.items[repeat]),
                                       VALUE_MAX_LEN);
        push_index(reader, repeat);
        fail(reader, "duplicate entry %s (already at %.*s[%zu])",
             quoted.data, (int)old_len, reader->path, first);
        pop_path(reader, old_len);
        cdoc_buf_release(&quoted);
        goto fail;
    }
    *out = list;
    return 0;

fail:
    cdoc_strings_release(&list);
    return -1;
}

/* An integer value within the field's range. */
static int read_integer(struct reader *reader, const struct cdoc__field *field,
                        struct json_object *value, int64_t *out)
{
    char expected[96];
    int64_t number;

    expected_of_field(field, expected, sizeof(expected));
    if (!json_object_is_type(value, json_type_int))
        return fail_expected(reader, expected, value);
    /* json-c keeps integers above INT64_MAX as uint64 and gives INT64_MAX
     * for them here; every range in the tables ends at INT64_MAX or
     * below. */
    number = json_object_get_int64(value);
    if (number == INT64_MAX &&
        json_object_get_uint64(value) > (uint64_t)INT64_MAX)
        return fail_expected(reader, expected, value);
    if (number < field->min || number > field->max)
        return fail_expected(reader, expected, value);
    *out = number;
    return 0;
}

static int read_number(struct reader *reader, const struct cdoc__field *field,
                       struct json_object *value, double *out)
{
    char expected[96];
    double number;

    expected_of_field(field, expected, sizeof(expected));
    if (!json_object_is_type(value, json_type_double) &&
        !json_object_is_type(value, json_type_int))
        return fail_expected(reader, expected, value);
    number = json_object_get_double(value);
    if (!isfinite(number) || number < 0 || (field->positive && number == 0))
        return fail_expected(reader, expected, value);
    *out = number;
    return 0;
}

static int read_object(struct reader *reader,
                       const struct cdoc__schema *schema,
                       struct json_object *object, void *base);

static int read_field(struct reader *reader, const struct cdoc__field *field,
                      struct json_object *value, void *base)
{
    char *member = (char *)base + field->offset;
    int64_t integer = 0;
    double number = 0;

    switch (field->kind) {
    case CDOC__FIELD_TEXT:
        return read_text(reader, field->rule, value, (char **)member);
    case CDOC__FIELD_LIST:
        return read_list(reader, field, value,
                         (struct cdoc_strings *)member);
    case CDOC__FIELD_INT:
        if (read_integer(reader, field, value, &integer) < 0)
            return -1;
        *(int *)member = (int)integer;
        return 0;
    case CDOC__FIELD_UINT64:
        if (read_integer(reader, field, value, &integer) < 0)
            return -1;
        *(uint64_t *)member = (uint64_t)integer;
        return 0;
    case CDOC__FIELD_NUMBER:
        if (read_number(reader, field, value, &number) < 0)
            return -1;
        *(double *)member = number;
        return 0;
    case CDOC__FIELD_BOOL:
        if (!json_object_is_type(value, json_type_boolean))
            return fail_expected(reader, "true or false", value);
        *(bool *)member = json_object_get_boolean(value);
        return 0;
    case CDOC__FIELD_OBJECT:
        return read_object(reader, field->schema, value, member);
    }
    return -1;
}

static const struct cdoc__field *find_field(const struct cdoc__schema *schema,
                                            const char *key)
{
    for (size_t i = 0; i < schema->count; i++) {
        if (strcmp(schema->fields[i].key, key) == 0)
            return &schema->fields[i];
    }
    return NULL;
}

static int fail_unknown_key(struct reader *reader,
                            const struct cdoc__schema *schema,
                            const char *key)
{
    struct cdoc_buf text = {0};

    cdoc_buf_puts(&text, "unknown key ");
    cdoc__json_append_quoted_short(&text, key, strlen(key), VALUE_MAX_LEN);
    cdoc_buf_puts(&text, " (expected one of: ");
    for (size_t i = 0; i < schema->count; i++)
        cdoc_buf_printf(&text, "%s%s", i ? ", " : "", schema->fields[i].key);
    cdoc_buf_puts(&text, ")");
    fail(reader, "%s", text.data);
    cdoc_buf_release(&text);
    return -1;
}

static int read_object(struct reader *reader,
                       const struct cdoc__schema *schema,
                       struct json_object *object, void *base)
{
    if (!json_object_is_type(object, json_type_object))
        return fail_expected(reader, "an object", object);

    /* Unknown keys first: a misspelt key is also a missing one, and the
     * misspelling is the message that helps. */
    json_object_object_foreach(object, key, unused) {
        (void)unused;
        if (!find_field(schema, key))
            return fail_unknown_key(reader, schema, key);
    }

    for (size_t i = 0; i < schema->count; i++) {
        const struct cdoc__field *field = &schema->fields[i];
        struct json_object *value;
        size_t old_len;
        int rc;

        if (!json_object_object_get_ex(object, field->key, &value)) {
            char expected[160];

            expected_of_field(field, expected, sizeof(expected));
            return fail(reader, "missing key \"%s\" (expected %s)",
                        field->key, expected);
        }
        old_len = push_key(reader, field->key);
        rc = read_field(reader, field, value, base);
        pop_path(reader, old_len);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- rules across keys -------------------------------------------------- */

/* test_proxy_download_throughput runs under a limit of 90 s. The
 * download gets at most 85 s of it, so that a slow download is reported
 * as slow, not as a check that timed out. */
#define THROUGHPUT_CHECK_LIMIT 90.0
#define THROUGHPUT_TIMEOUT_MAX 85.0

/* A network step gets connect_timeout_seconds; a check runs several
 * (a lookup, a connection, a handshake) within its 10 s default. */
#define CONNECT_TIMEOUT_MIN 0.1
#define CONNECT_TIMEOUT_MAX 3.0

static bool url_host_allowed(const struct cdoc_profile_network *network)
{
    char *domain, *path;
    bool allowed;

    cdoc_url_split(network->throughput_url, &domain, &path);
    allowed = cdoc_strings_contains(&network->allowed_domains, domain);
    free(domain);
    free(path);
    return allowed;
}

static int check_network(struct reader *reader,
                         const struct cdoc_profile_network *network)
{
    const struct cdoc_strings *denied = &network->denied_domains;

    if (!cdoc_strings_contains(&network->interfaces,
                               network->dummy_interface))
        return cdoc_errf(reader->err,
                         "%s: network.dummy_interface: \"%s\" is not in "
                         "network.interfaces, the only interfaces allowed "
                         "to exist; add it there",
                         reader->origin, network->dummy_interface);
    if (network->proxy_port == network->https_port)
        return cdoc_errf(reader->err,
                         "%s: network.proxy_port: %d is also "
                         "network.https_port; the proxy must listen on "
                         "another port than the one redirected to it",
                         reader->origin, network->proxy_port);
    if (network->http_port == network->https_port ||
        network->closed_port == network->https_port)
        return cdoc_errf(reader->err,
                         "%s: network.%s: %d is also network.https_port, "
                         "the one port that must reach the proxy; give a "
                         "port that must stay closed",
                         reader->origin,
                         network->http_port == network->https_port
                             ? "http_port" : "closed_port",
                         network->https_port);
    if (network->connect_timeout_seconds < CONNECT_TIMEOUT_MIN ||
        network->connect_timeout_seconds > CONNECT_TIMEOUT_MAX)
        return cdoc_errf(reader->err,
                         "%s: network.connect_timeout_seconds: %g is "
                         "outside %g to %g; each network step must fit "
                         "in a check's own 10 s limit",
                         reader->origin, network->connect_timeout_seconds,
                         CONNECT_TIMEOUT_MIN, CONNECT_TIMEOUT_MAX);
    if (!url_host_allowed(network))
        return cdoc_errf(reader->err,
                         "%s: network.throughput_url: its host is not in "
                         "network.allowed_domains; the download must go "
                         "through the proxy to an allowed domain",
                         reader->origin);
    if (network->throughput_timeout_seconds > THROUGHPUT_TIMEOUT_MAX)
        return cdoc_errf(reader->err,
                         "%s: network.throughput_timeout_seconds: %g is "
                         "above %g, which leaves the throughput check no "
                         "time within its own limit of %g s",
                         reader->origin,
                         network->throughput_timeout_seconds,
                         THROUGHPUT_TIMEOUT_MAX, THROUGHPUT_CHECK_LIMIT);
    for (size_t i = 0; i < denied->count; i++) {
        if (cdoc_strings_contains(&network->allowed_domains,
                                  denied->items[i]))
            return cdoc_errf(reader->err,
                             "%s: network.denied_domains[%zu]: \"%s\" is "
                             "also in network.allowed_domains; a domain "
                             "is either allowed or denied",
                             reader->origin, i, denied->items[i]);
    }
    return 0;
}

int cdoc__profile_read(struct cdoc_profile *profile, struct json_object *root,
                       const char *origin, struct cdoc_err *err)
{
    struct reader reader = {.origin = origin, .err = err};

    if (!json_object_is_type(root, json_type_object))
        return fail_expected(&reader, "a JSON object at the top level",
                             root);
    if (read_object(&reader, &cdoc__profile_schema, root, profile) < 0)
        return -1;
    return check_network(&reader, &profile->network);
}

/* ---- releasing ---------------------------------------------------------- */

void cdoc__fields_release(const struct cdoc__schema *schema, void *base)
{
    for (size_t i = 0; i < schema->count; i++) {
        const struct cdoc__field *field = &schema->fields[i];
        char *member = (char *)base + field->offset;

        switch (field->kind) {
        case CDOC__FIELD_TEXT:
            free(*(char **)member);
            *(char **)member = NULL;
            break;
        case CDOC__FIELD_LIST:
            cdoc_strings_release((struct cdoc_strings *)member);
            break;
        case CDOC__FIELD_OBJECT:
            cdoc__fields_release(field->schema, member);
            break;
        case CDOC__FIELD_INT:
        case CDOC__FIELD_UINT64:
        case CDOC__FIELD_NUMBER:
        case CDOC__FIELD_BOOL:
            break;
        }
    }
}
