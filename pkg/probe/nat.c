/* SPDX-License-Identifier: MIT */
/* Reading a REDIRECT rule out of iptables-save output. */
#include "probe/netpath.h"

#include <stdlib.h>
#include <string.h>

/* The value after flag in the rule's words, or NULL. */
static const char *flag_value(char **words, size_t count, const char *flag)
{
    for (size_t i = 0; i + 1 < count; i++) {
        if (strcmp(words[i], flag) == 0)
            return words[i + 1];
    }
    return NULL;
}

/* "10443" or "10443-10443" both mean exactly port. */
static bool port_spec_is(const char *spec, int port)
{
    char *end;
    long first = strtol(spec, &end, 10);

    if (end == spec || first != port)
        return false;
    if (*end == '\0')
        return true;
    if (*end != '-')
        return false;
    return strtol(end + 1, &end, 10) == port && *end == '\0';
}

static bool rule_redirects(char *line, int from_port, int to_port)
{
    char *words[64];
    size_t count = 0;
    const char *proto, *dport, *target, *to_ports;

    for (char *word = strtok(line, " \t"); word && count < 64;
         word = strtok(NULL, " \t"))
        words[count++] = word;
    if (count < 2 || strcmp(words[0], "-A") != 0)
        return false;

    proto = flag_value(words, count, "-p");
    dport = flag_value(words, count, "--dport");
    target = flag_value(words, count, "-j");
    to_ports = flag_value(words, count, "--to-ports");
    return proto && strcmp(proto, "tcp") == 0 && dport &&
           port_spec_is(dport, from_port) && target &&
           strcmp(target, "REDIRECT") == 0 && to_ports &&
           port_spec_is(to_ports, to_port);
}

bool cdoc_nat_has_redirect(const char *iptables_save, int from_port,
                           int to_port, char **rule)
{
    bool in_nat = false;
    const char *line = iptables_save;

    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *copy = cdoc_xmalloc(len + 1);
        bool found = false;

        memcpy(copy, line, len);
        copy[len] = '\0';
        if (copy[0] == '*')
            in_nat = strcmp(copy, "*nat") == 0;
        else if (in_nat && rule) {
            char *original = cdoc_xstrdup(copy);

            found = rule_redirects(copy, from_port, to_port);
            if (found)
                *rule = original;
            else
                free(original);
        } else if (in_nat) {
            found = rule_redirects(copy, from_port, to_port);
        }
        free(copy);
        if (found)
            return true;
        line = end ? end + 1 : NULL;
    }
    return false;
}
