/* SPDX-License-Identifier: MIT */
/* Recursive-descent parser and evaluator for -k keyword expressions. */
#include "runner/kexpr.h"

#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

enum node_kind { NODE_ALL, NODE_WORD, NODE_NOT, NODE_AND, NODE_OR };

struct cdoc_kexpr {
    enum node_kind kind;
    char *word;               /* NODE_WORD, lower-cased */
    struct cdoc_kexpr *left;  /* NOT, AND, OR */
    struct cdoc_kexpr *right; /* AND, OR */
};

enum token_kind { TOK_END, TOK_WORD, TOK_AND, TOK_OR, TOK_NOT, TOK_LPAREN,
                  TOK_RPAREN };

struct token {
    enum token_kind kind;
    const char *start;
    size_t len;
    size_t column; /* 1-based, for error messages */
};

/* Deepest nesting of parentheses and "not" accepted. The parser recurses
 * once per level, so a bound keeps a hostile -k from exhausting the
 * stack; real expressions nest a few levels. */
#define MAX_DEPTH 256

struct parser {
    const char *text;
    const char *pos;
    struct token current;
    struct cdoc_err *err;
    bool failed;
    int depth;
};

/* Characters pytest accepts inside a keyword: word characters and the
 * punctuation that appears in test ids. */
static bool is_word_char(char c)
{
    if (c == '\0')
        return false;
    return isalnum((unsigned char)c) || strchr("_:+-.[]\\/", c) != NULL ||
           ((unsigned char)c & 0x80);
}

static enum token_kind keyword_kind(const char *start, size_t len)
{
    if (len == 3 && strncmp(start, "and", 3) == 0)
        return TOK_AND;
    if (len == 2 && strncmp(start, "or", 2) == 0)
        return TOK_OR;
    if (len == 3 && strncmp(start, "not", 3) == 0)
        return TOK_NOT;
    return TOK_WORD;
}

static void next_token(struct parser *p)
{
    while (isspace((unsigned char)*p->pos))
        p->pos++;

    p->current.start = p->pos;
    p->current.column = (size_t)(p->pos - p->text) + 1;
    p->current.len = 1;

    if (*p->pos == '\0') {
        p->current.kind = TOK_END;
        p->current.len = 0;
    } else if (*p->pos == '(') {
        p->current.kind = TOK_LPAREN;
        p->pos++;
    } else if (*p->pos == ')') {
        p->current.kind = TOK_RPAREN;
        p->pos++;
    } else if (is_word_char(*p->pos)) {
        while (is_word_char(*p->pos))
            p->pos++;
        p->current.len = (size_t)(p->pos - p->current.start);
        p->current.kind = keyword_kind(p->current.start, p->current.len);
    } else {
        p->current.kind = TOK_END;
        p->failed = true;
        unsigned char c = (unsigned char)*p->pos;

        if (isprint(c))
            cdoc_errf(p->err, "-k: unexpected character '%c' at column %zu; "
                      "use words, 'and', 'or', 'not' and parentheses",
                      c, p->current.column);
        else
            cdoc_errf(p->err, "-k: unexpected byte 0x%02x at column %zu; "
                      "use words, 'and', 'or', 'not' and parentheses",
                      c, p->current.column);
    }
}

static const char *describe_token(const struct token *tok, char *out,
                                  size_t size)
{
    if (tok->kind == TOK_END)
        return "the end of the expression";
    snprintf(out, size, "'%.*s'", (int)(tok->len > 40 ? 40 : tok->len),
             tok->start);
    return out;
}

static struct cdoc_kexpr *new_node(enum node_kind kind,
                                   struct cdoc_kexpr *left,
                                   struct cdoc_kexpr *right)
{
    struct cdoc_kexpr *node = cdoc_xcalloc(1, sizeof(*node));

    node->kind = kind;
    node->left = left;
    node->right = right;
    return node;
}

static struct cdoc_kexpr *parse_or(struct parser *p);

static struct cdoc_kexpr *fail_expected(struct parser *p, const char *what,
                                        const char *after)
{
    char found[64];

    if (!p->failed)
        cdoc_errf(p->err, "-k: expected %s%s%s at column %zu, found %s",
                  what, after ? " after " : "", after ? after : "",
                  p->current.column,
                  describe_token(&p->current, found, sizeof(found)));
    p->failed = true;
    return NULL;
}

static struct cdoc_kexpr *parse_word(struct parser *p)
{
    struct cdoc_kexpr *node = new_node(NODE_WORD, NULL, NULL);

    node->word = cdoc_xmalloc(p->current.len + 1);
    for (size_t i = 0; i < p->current.len; i++)
        node->word[i] = (char)tolower((unsigned char)p->current.start[i]);
    node->word[p->current.len] = '\0';
    next_token(p);
    return node;
}

static struct cdoc_kexpr *parse_nested(struct parser *p, const char *after);

static struct cdoc_kexpr *parse_not(struct parser *p, const char *after)
{
    struct cdoc_kexpr *inner;

    if (p->depth >= MAX_DEPTH) {
        if (!p->failed)
            cdoc_errf(p->err, "-k: the expression nests deeper than %d "
                      "levels at column %zu; simplify it", MAX_DEPTH,
                      p->current.column);
        p->failed = true;
        return NULL;
    }
    p->depth++;
    inner = parse_nested(p, after);
    p->depth--;
    return inner;
}

static struct cdoc_kexpr *parse_nested(struct parser *p, const char *after)
{
    struct cdoc_kexpr *inner;

    if (p->current.kind == TOK_NOT) {
        next_token(p);
        inner = parse_not(p, "'not'");
        return inner ? new_node(NODE_NOT, inner, NULL) : NULL;
    }
    if (p->current.kind == TOK_LPAREN) {
        size_t column = p->current.column;

        next_token(p);
        inner = parse_or(p);
        if (!inner)
            return NULL;
        if (p->current.kind != TOK_RPAREN) {
            cdoc_kexpr_free(inner);
            if (!p->failed)
                cdoc_errf(p->err, "-k: '(' at column %zu is never closed; "
                          "add ')'", column);
            p->failed = true;
            return NULL;
        }
        next_token(p);
        return inner;
    }
    if (p->current.kind == TOK_WORD)
        return parse_word(p);
    return fail_expected(p, "a word", after);
}

static struct cdoc_kexpr *parse_and(struct parser *p, const char *after)
{
    struct cdoc_kexpr *left = parse_not(p, after);

    while (left && p->current.kind == TOK_AND) {
        struct cdoc_kexpr *right;

        next_token(p);
        right = parse_not(p, "'and'");
        if (!right) {
            cdoc_kexpr_free(left);
            return NULL;
        }
        left = new_node(NODE_AND, left, right);
    }
    return left;
}

static struct cdoc_kexpr *parse_or(struct parser *p)
{
    struct cdoc_kexpr *left = parse_and(p, NULL);

    while (left && p->current.kind == TOK_OR) {
        struct cdoc_kexpr *right;

        next_token(p);
        right = parse_and(p, "'or'");
        if (!right) {
            cdoc_kexpr_free(left);
            return NULL;
        }
        left = new_node(NODE_OR, left, right);
    }
    return left;
}

int cdoc_kexpr_compile(const char *text, struct cdoc_kexpr **expr,
                       struct cdoc_err *err)
{
    struct parser p = {.text = text, .pos = text, .err = err};
    struct cdoc_kexpr *root;
    char found[64];

    *expr = NULL;
    next_token(&p);
    if (p.failed)
        return -1;
    if (p.current.kind == TOK_END) {
        *expr = new_node(NODE_ALL, NULL, NULL);
        return 0;
    }

    root = parse_or(&p);
    if (!root)
        return -1;
    if (p.current.kind != TOK_END || p.failed) {
        if (!p.failed)
            cdoc_errf(err, "-k: unexpected %s at column %zu; join words "
                      "with 'and' or 'or'",
                      describe_token(&p.current, found, sizeof(found)),
                      p.current.column);
        cdoc_kexpr_free(root);
        return -1;
    }
    *expr = root;
    return 0;
}

/* Case-insensitive substring search; word is already lower case. */
static bool contains_word(const char *name, const char *word)
{
    size_t word_len = strlen(word);

    for (const char *at = name; *at; at++) {
        size_t i = 0;

        while (i < word_len && at[i] &&
               tolower((unsigned char)at[i]) == word[i])
            i++;
        if (i == word_len)
            return true;
    }
    return word_len == 0;
}

bool cdoc_kexpr_match(const struct cdoc_kexpr *expr, const char *name)
{
    switch (expr->kind) {
    case NODE_ALL:
        return true;
    case NODE_WORD:
        return contains_word(name, expr->word);
    case NODE_NOT:
        return !cdoc_kexpr_match(expr->left, name);
    case NODE_AND:
        return cdoc_kexpr_match(expr->left, name) &&
               cdoc_kexpr_match(expr->right, name);
    case NODE_OR:
        return cdoc_kexpr_match(expr->left, name) ||
               cdoc_kexpr_match(expr->right, name);
    }
    return false;
}

void cdoc_kexpr_free(struct cdoc_kexpr *expr)
{
    if (!expr)
        return;
    cdoc_kexpr_free(expr->left);
    cdoc_kexpr_free(expr->right);
    free(expr->word);
    free(expr);
}
