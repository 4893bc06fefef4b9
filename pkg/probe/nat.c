/* SPDX-License-Identifier: MIT */
/*
 * Deciding from iptables-save output whether the guest's own TCP traffic
 * to one port is redirected to another. Only the nat table's OUTPUT chain
 * receives a local process's connections, and its rules apply in order, so
 * the redirect must cover all such traffic and come before any rule that
 * could take that traffic elsewhere.
 */
#include "probe/netpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* User chains followed from OUTPUT before the reader gives up. */
#define MAX_CHAIN_DEPTH 8

#define MAX_WORDS 128

struct rule {
    char *line;               /* the rule as iptables-save printed it */
    char *chain;
    char *words[MAX_WORDS];   /* quotes removed; "!" is a word of its own */
    size_t count;
    char *storage;
};

struct nat_table {
    struct rule *rules;
    size_t count;
};

/* Split a rule line into words, keeping a quoted comment as one word. */
static void split_words(struct rule *rule)
{
    char *at = rule->storage;

    while (*at && rule->count < MAX_WORDS) {
        char *word;

        while (*at == ' ' || *at == '\t')
            at++;
        if (!*at)
            break;
        if (*at == '"') {
            word = ++at;
            while (*at && *at != '"') {
                if (*at == '\\' && at[1])
                    at++;
                at++;
            }
        } else {
            word = at;
            while (*at && *at != ' ' && *at != '\t')
                at++;
        }
        if (*at)
            *at++ = '\0';
        rule->words[rule->count++] = word;
    }
}

static void add_rule(struct nat_table *table, const char *line, size_t len)
{
    struct rule *rule;

    table->rules = cdoc_xrealloc(table->rules,
                                 (table->count + 1) * sizeof(*rule));
    rule = &table->rules[table->count++];
    memset(rule, 0, sizeof(*rule));
    rule->line = cdoc_xmalloc(len + 1);
    memcpy(rule->line, line, len);
    rule->line[len] = '\0';
    rule->storage = cdoc_xstrdup(rule->line);
    split_words(rule);
    rule->chain = rule->count >= 2 ? rule->words[1] : "";
}

/* The "-A CHAIN ..." lines of the *nat table, in order. */
static void read_nat_table(const char *text, struct nat_table *table)
{
    bool in_nat = false;
    const char *line = text;

    memset(table, 0, sizeof(*table));
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);

        if (line[0] == '*')
            in_nat = len == 4 && strncmp(line, "*nat", 4) == 0;
        else if (in_nat && len > 3 && strncmp(line, "-A ", 3) == 0)
            add_rule(table, line, len);
        line = end ? end + 1 : NULL;
    }
}

static void release_table(struct nat_table *table)
{
    for (size_t i = 0; i < table->count; i++) {
        free(table->rules[i].line);
        free(table->rules[i].storage);
    }
    free(table->rules);
}

static const char *word_after(const struct rule *rule, const char *flag,
                              bool *negated)
{
    for (size_t i = 2; i + 1 < rule->count; i++) {
        if (strcmp(rule->words[i], flag) == 0) {
            if (negated)
                *negated = i > 0 && strcmp(rule->words[i - 1], "!") == 0;
            return rule->words[i + 1];
        }
    }
    return NULL;
}

static bool has_word(const struct rule *rule, const char *word)
{
    for (size_t i = 0; i < rule->count; i++) {
        if (strcmp(rule->words[i], word) == 0)
            return true;
    }
    return false;
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

/* False only when the rule plainly cannot match TCP to port: another
 * protocol or another destination port, without negation. */
static bool could_match(const struct rule *rule, int port)
{
    bool negated = false;
    const char *proto = word_after(rule, "-p", &negated);
    const char *dport;

    if (proto && !negated && strcmp(proto, "tcp") != 0 &&
        strcmp(proto, "6") != 0)
        return false;
    negated = false;
    dport = word_after(rule, "--dport", &negated);
    if (dport && !negated && strchr(dport, ':') == NULL &&
        !port_spec_is(dport, port))
        return false;
    return true;
}

/* Words a covering redirect may have beyond its own: the match module,
 * a comment, and a destination of everything or the sentinel. */
static bool only_covering_words(const struct rule *rule,
                                const char *sentinel)
{
    char host[64];

    snprintf(host, sizeof(host), "%s/32", sentinel ? sentinel : "");
    for (size_t i = 2; i < rule->count; i++) {
        const char *word = rule->words[i];
        const char *value = i + 1 < rule->count ? rule->words[i + 1] : "";

        if (strcmp(word, "!") == 0)
            return false;
        if (strcmp(word, "-p") == 0 || strcmp(word, "--dport") == 0 ||
            strcmp(word, "-j") == 0 || strcmp(word, "--to-ports") == 0 ||
            strcmp(word, "--comment") == 0) {
            i++;
            continue;
        }
        if (strcmp(word, "-m") == 0 &&
            (strcmp(value, "tcp") == 0 || strcmp(value, "comment") == 0)) {
            i++;
            continue;
        }
        if (strcmp(word, "-d") == 0 &&
            (strcmp(value, "0.0.0.0/0") == 0 || strcmp(value, host) == 0 ||
             (sentinel && strcmp(value, sentinel) == 0))) {
            i++;
            continue;
        }
        return false;
    }
    return true;
}

static bool is_redirect_to(const struct rule *rule, int from, int to)
{
    bool negated = false;
    const char *proto = word_after(rule, "-p", &negated);
    const char *dport = word_after(rule, "--dport", &negated);
    const char *target = word_after(rule, "-j", NULL);
    const char *to_ports = word_after(rule, "--to-ports", NULL);

    return proto && strcmp(proto, "tcp") == 0 && dport &&
           port_spec_is(dport, from) && target &&
           strcmp(target, "REDIRECT") == 0 && to_ports &&
           port_spec_is(to_ports, to);
}

/* Targets that do not end the chain walk for a packet. */
static bool is_non_terminal_target(const char *target)
{
    static const char *const passing[] = {"LOG", "NFLOG", "MARK",
                                          "CONNMARK", "TRACE", NULL};

    for (size_t i = 0; passing[i]; i++) {
        if (strcmp(target, passing[i]) == 0)
            return true;
    }
    return false;
}

static bool chain_exists(const struct nat_table *table, const char *chain)
{
    for (size_t i = 0; i < table->count; i++) {
        if (strcmp(table->rules[i].chain, chain) == 0)
            return true;
    }
    return false;
}

enum walk_result { WALK_REDIRECTED, WALK_TAKEN, WALK_FELL_THROUGH };

struct walk {
    const struct nat_table *table;
    int from;
    int to;
    const char *sentinel;
    char *rule;     /* the covering redirect */
    char *problem;  /* why traffic is not redirected */
};

static enum walk_result walk_chain(struct walk *walk, const char *chain,
                                   int depth);

static enum walk_result judge_rule(struct walk *walk,
                                   const struct rule *rule, int depth)
{
    const char *target = word_after(rule, "-j", NULL);
    bool covering = only_covering_words(rule, walk->sentinel);

    if (!target || !could_match(rule, walk->from) ||
        is_non_terminal_target(target))
        return WALK_FELL_THROUGH;

    if (is_redirect_to(rule, walk->from, walk->to)) {
        if (!covering)
            return WALK_FELL_THROUGH; /* redirects part of it, harmless */
        walk->rule = cdoc_xstrdup(rule->line);
        return WALK_REDIRECTED;
    }

    /* A jump to a user chain goes on there, and comes back on RETURN or
     * at the chain's end. */
    if (chain_exists(walk->table, target) && depth < MAX_CHAIN_DEPTH) {
        enum walk_result inner = walk_chain(walk, target, depth + 1);

        if (inner != WALK_FELL_THROUGH)
            return inner;
        return WALK_FELL_THROUGH;
    }

    walk->problem = cdoc_xasprintf("'%s' comes first and can take TCP port "
                                   "%d traffic elsewhere", rule->line,
                                   walk->from);
    return WALK_TAKEN;
}

static enum walk_result walk_chain(struct walk *walk, const char *chain,
                                   int depth)
{
    for (size_t i = 0; i < walk->table->count; i++) {
        const struct rule *rule = &walk->table->rules[i];
        enum walk_result result;

        if (strcmp(rule->chain, chain) != 0)
            continue;
        if (has_word(rule, "RETURN") && could_match(rule, walk->from) &&
            depth > 0)
            return WALK_FELL_THROUGH;
        result = judge_rule(walk, rule, depth);
        if (result != WALK_FELL_THROUGH)
            return result;
    }
    return WALK_FELL_THROUGH;
}

bool cdoc_nat_has_redirect(const char *iptables_save, int from_port,
                           int to_port, const char *sentinel, char **rule,
                           char **problem)
{
    struct nat_table table;
    struct walk walk = {.from = from_port, .to = to_port,
                        .sentinel = sentinel};
    enum walk_result result;

    read_nat_table(iptables_save, &table);
    walk.table = &table;
    result = walk_chain(&walk, "OUTPUT", 0);
    release_table(&table);

    if (result == WALK_FELL_THROUGH)
        walk.problem = cdoc_xasprintf("no rule in the nat OUTPUT chain "
                                      "redirects all TCP port %d traffic "
                                      "to %d", from_port, to_port);
    if (rule)
        *rule = walk.rule;
    else
        free(walk.rule);
    if (problem)
        *problem = walk.problem;
    else
        free(walk.problem);
    return result == WALK_REDIRECTED;
}
