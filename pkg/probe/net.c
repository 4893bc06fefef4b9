/* SPDX-License-Identifier: MIT */
/* Network interfaces, their addresses and the resolver's nameservers. */
#include "probe/internal.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static bool vanished(int error)
{
    /* ENOTDIR: a plain file such as bonding_masters, not an interface. */
    return error == ENOENT || error == ENOTDIR || error == ENODEV;
}

/* 1 when the interface was read, 0 when it is not one or has gone. */
static int read_interface(const char *root, const char *name,
                          struct cdoc_interface *iface, struct cdoc_err *err)
{
    char *flags_path = cdoc_xasprintf("sys/class/net/%s/flags", name);
    char *state_path = cdoc_xasprintf("sys/class/net/%s/operstate", name);
    char *flags = NULL;
    char *state = NULL;
    char *end;
    unsigned long value;
    int rc = -1;

    if (cdoc__read_value(root, flags_path, &flags, err) < 0) {
        rc = vanished(errno) ? 0 : -1;
        goto out;
    }
    if (cdoc__read_value(root, state_path, &state, err) < 0) {
        rc = vanished(errno) ? 0 : -1;
        goto out;
    }

    errno = 0;
    value = strtoul(flags, &end, 16);
    if (errno || !isxdigit((unsigned char)flags[0]) || *end ||
        value > 0xffffffffUL) {
        char *full = cdoc_path_join(root, flags_path);

        cdoc_errf(err, "'%s' holds '%s', not hexadecimal interface flags",
                  full, flags);
        free(full);
        goto out;
    }

    iface->name = cdoc_xstrdup(name);
    iface->flags = (unsigned)value;
    iface->operstate = state;
    state = NULL;
    rc = 1;

out:
    free(state);
    free(flags);
    free(state_path);
    free(flags_path);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    const struct cdoc_interface *x = a;
    const struct cdoc_interface *y = b;

    return strcmp(x->name, y->name);
}

int cdoc_interfaces_read(const char *root, struct cdoc_interfaces *ifaces,
                         struct cdoc_err *err)
{
    char *path = cdoc_path_join(root, "sys/class/net");
    DIR *dir;
    struct dirent *entry;
    int rc = 0;

    ifaces->items = NULL;
    ifaces->count = 0;

    dir = opendir(path);
    if (!dir) {
        rc = cdoc_errf(err, "cannot list '%s': %s", path, strerror(errno));
        goto out;
    }

    while ((entry = readdir(dir))) {
        struct cdoc_interface iface = {0};
        int got;

        if (entry->d_name[0] == '.')
            continue;
        got = read_interface(root, entry->d_name, &iface, err);
        if (got < 0) {
            cdoc_interfaces_release(ifaces);
            rc = -1;
            break;
        }
        if (got == 0)
            continue;
        ifaces->items = cdoc_xrealloc(
            ifaces->items, (ifaces->count + 1) * sizeof(iface));
        ifaces->items[ifaces->count++] = iface;
    }
    closedir(dir);

    if (rc == 0 && ifaces->count > 1)
        qsort(ifaces->items, ifaces->count, sizeof(*ifaces->items), by_name);

out:
    free(path);
    return rc;
}

const struct cdoc_interface *cdoc_interfaces_find(
    const struct cdoc_interfaces *ifaces, const char *name)
{
    for (size_t i = 0; i < ifaces->count; i++)
        if (!strcmp(ifaces->items[i].name, name))
            return &ifaces->items[i];
    return NULL;
}

void cdoc_interfaces_release(struct cdoc_interfaces *ifaces)
{
    for (size_t i = 0; i < ifaces->count; i++) {
        free(ifaces->items[i].name);
        free(ifaces->items[i].operstate);
    }
    free(ifaces->items);
    ifaces->items = NULL;
    ifaces->count = 0;
}

int cdoc_interface_ipv4_addresses(const char *name, struct cdoc_strings *out,
                                  struct cdoc_err *err)
{
    struct ifaddrs *list;
    char text[INET_ADDRSTRLEN];

    if (if_nametoindex(name) == 0)
        return cdoc_errf(err, "interface '%s' not found: %s", name,
                         strerror(errno));
    if (getifaddrs(&list) < 0)
        return cdoc_errf(err, "getifaddrs failed: %s", strerror(errno));

    for (struct ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next) {
        const struct sockaddr_in *sin;

        if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET ||
            strcmp(ifa->ifa_name, name))
            continue;
        sin = (const struct sockaddr_in *)(const void *)ifa->ifa_addr;
        if (inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text)))
            cdoc_strings_append(out, text);
    }
    freeifaddrs(list);
    return 0;
}

bool cdoc_address_is_local(const char *address)
{
    struct in_addr v4;
    struct in6_addr v6;
    struct ifaddrs *list;
    bool is_v4 = inet_pton(AF_INET, address, &v4) == 1;
    bool found = false;

    if (!is_v4 && inet_pton(AF_INET6, address, &v6) != 1)
        return false;
    if (getifaddrs(&list) < 0)
        return false;

    for (struct ifaddrs *ifa = list; ifa && !found; ifa = ifa->ifa_next) {
        const void *sa = ifa->ifa_addr;

        if (!sa)
            continue;
        if (is_v4 && ifa->ifa_addr->sa_family == AF_INET) {
            const struct sockaddr_in *sin = sa;

            found = sin->sin_addr.s_addr == v4.s_addr;
        } else if (!is_v4 && ifa->ifa_addr->sa_family == AF_INET6) {
            const struct sockaddr_in6 *sin6 = sa;

            found = !memcmp(&sin6->sin6_addr, &v6, sizeof(v6));
        }
    }
    freeifaddrs(list);
    return found;
}

/* The address of a "nameserver" line, or NULL for any other line. glibc's
 * res_init reads the keyword at the start of the line and the address up
 * to whitespace or a trailing comment. */
static char *nameserver_of(const char *line, size_t len)
{
    static const char keyword[] = "nameserver";
    size_t i = sizeof(keyword) - 1;
    size_t start;

    if (len <= i || strncmp(line, keyword, i) ||
        (line[i] != ' ' && line[i] != '\t'))
        return NULL;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    start = i;
    while (i < len && !strchr(" \t\r;#", line[i]))
        i++;
    if (i == start)
        return NULL;
    return cdoc_xasprintf("%.*s", (int)(i - start), line + start);
}

int cdoc_resolv_nameservers(const char *root, struct cdoc_strings *out,
                            struct cdoc_err *err)
{
    char *text;
    size_t len;
    size_t at = 0;

    /* Reading one byte over the limit shows whether the file was cut.
     * glibc reads every line, so a nameserver past the cut would be used
     * without the guard ever reading it. */
    if (cdoc_read_file(root, "etc/resolv.conf", CDOC__TABLE_MAX + 1, &text,
                       &len, err) < 0)
        return -1;
    if (len > CDOC__TABLE_MAX) {
        free(text);
        cdoc_errf(err, "/etc/resolv.conf is larger than %u bytes, so not "
                  "every nameserver in it can be read", CDOC__TABLE_MAX);
        errno = EFBIG;
        return -1;
    }

    while (at < len) {
        const char *line = text + at;
        const char *newline = memchr(line, '\n', len - at);
        size_t line_len = newline ? (size_t)(newline - line) : len - at;
        /* glibc parses each line as a C string, so a NUL ends the line
         * but not the file. */
        size_t text_len = strnlen(line, line_len);
        char *address = nameserver_of(line, text_len);

        if (address) {
            cdoc_strings_append(out, address);
            free(address);
        }
        at += line_len + 1;
    }
    free(text);
    return 0;
}

bool cdoc_address_is_loopback(const char *address)
{
    struct in_addr v4;
    struct in6_addr v6;

    if (inet_pton(AF_INET, address, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, address, &v6) != 1)
        return false;
    if (IN6_IS_ADDR_LOOPBACK(&v6))
        return true;
    /* ::ffff:127.0.0.1 reaches the IPv4 loopback through a dual-stack
     * socket. */
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}
