/* SPDX-License-Identifier: MIT */
/* Stage 4c, concepts: expansion and normalization of written terms, and
 * their regex form. The loader owns the concept table and builds the
 * scanners (it also expands {{macros}} in regex terms). */
#include "concepts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "prefilter.h"
#include "util.h"

typedef struct strlist {
    char ***v;
    size_t *n, *cap;
    size_t added;
    gx_pool *pool;         /* where the strings go */
} strlist;

/* The groups of a normalized term, found once (expand_from visits a
 * group once per expansion of what comes before it). Positions are
 * offsets in base. */
typedef struct groups {
    const char *base;
    size_t *close;         /* at a '(': its ')', or 0 when unbalanced */
    size_t *next;          /* at a '(' or a '|' of its group: the next '|'
                              of the group, or its ')' */
    size_t *open;          /* [n + 1]: the first '(' at or after each
                              offset, or n */
    int stray;             /* a ')' or '|' outside any group: it would be
                              in every expansion */
} groups;                  /* close, next, open: one owned block */

/* Index the groups of s[0, n); -1 when out of memory. */
static int index_groups(groups *g, const char *s, size_t n)
{
    size_t *v = n < SIZE_MAX / 5 / sizeof *v - 1
                    ? malloc((5 * n + 1) * sizeof *v) : NULL;
    if (!v)
        return -1;
    g->base = s;
    g->close = v;
    g->next = v + n;
    g->open = v + 2 * n;
    g->stray = 0;
    size_t *open = v + 3 * n, *sep = v + 4 * n, top = 0;
    for (size_t p = 0; p < n; p++) {
        if (s[p] == '(') {
            g->close[p] = 0;
            open[top] = sep[top] = p;
            top++;
        } else if (s[p] == '|' && top) {
            g->next[sep[top - 1]] = p;
            sep[top - 1] = p;
        } else if (s[p] == ')' && top) {
            top--;
            g->close[open[top]] = p;
            g->next[sep[top]] = p;
        } else if (s[p] == '|' || s[p] == ')') {
            g->stray = 1;
        }
    }
    g->open[n] = n;
    for (size_t p = n; p-- > 0;)
        g->open[p] = s[p] == '(' ? p : g->open[p + 1];
    return 0;
}

/* Lower-case, normalize like analyzed text and tidy the spaces of one
 * expanded term; NULL when out of memory. */
static char *normalize_term(const char *s, size_t n, int icu)
{
    int ascii = 1;
    for (size_t i = 0; i < n && icu; i++)
        ascii &= (unsigned char)s[i] < 0x80;
    char *norm;
    if (ascii) {
        if (!(norm = gx_strndup(s, n)))
            return NULL;
        for (char *p = norm; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
    } else {
        gx_text t;
        if (gx_normalize(&t, s, n, GDPRX_OPT_REPLACE_INVALID, NULL) != 0)
            return NULL;
        norm = gx_strndup(t.s, t.len);
        gx_text_free(&t);
        if (!norm)
            return NULL;
    }
    /* one space between words, none at the ends */
    char *w = norm;
    for (const char *p = norm; *p; p++) {
        int sp = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
        if (sp && (w == norm || w[-1] == ' '))
            continue;
        *w++ = sp ? ' ' : *p;
    }
    while (w > norm && w[-1] == ' ')
        w--;
    *w = '\0';
    return norm;
}

/* stray: the expansion holds a ')' or '|' outside any group. */
static int push(strlist *l, const char *s, size_t n, int stray)
{
    if (++l->added > GX_TERM_EXPANSIONS)
        return GDPRX_ELIMIT;
    if (stray)
        return GDPRX_ESYNTAX;
    while (n && s[n - 1] == ' ')   /* (expand_from keeps spaces single) */
        n--;
    if (!n || !*s)   /* "(a|)" alone gives an empty term: nothing to find */
        return GDPRX_OK;
    char *t = gx_pool_strndup(l->pool, s, n);
    if (!t || (*l->n == *l->cap &&
               gx_grow(l->v, l->cap, *l->n + 1, sizeof **l->v) != 0))
        return GDPRX_ENOMEM;
    (*l->v)[(*l->n)++] = t;
    return GDPRX_OK;
}

/* What remains to expand after a group: pieces of the term, in order. */
typedef struct pending {
    const char *s;
    size_t n;
    const struct pending *next;
} pending;

/* An expansion being built: no longer than the term, which is normalized
 * (lower case, single spaces), so it never grows. */
typedef struct outbuf {
    char *s;               /* [strlen(term) + 1], owned by gx_term_expand */
    size_t len;
} outbuf;

/* Append a piece; a space where the expansion is empty or already ends
 * with one is left out ("(your |)data", "a ( |b) c"). */
static void out_add(outbuf *b, const char *s, size_t n)
{
    if (n && *s == ' ' && (!b->len || b->s[b->len - 1] == ' '))
        s++, n--;
    memcpy(b->s + b->len, s, n);
    b->len += n;
}

/* Expand s[0, n) then the pending pieces after it, left to right, into b
 * after its current bytes; each complete expansion is pushed. The order is
 * that of substituting the first group's alternatives in turn, and the
 * prefix before a group is copied once, not once per expansion. */
static int expand_from(strlist *l, const groups *g, outbuf *b,
                       const char *s, size_t n, const pending *next)
{
    size_t at = (size_t)(s - g->base), i;
    while ((i = g->open[at] - at) >= n) {   /* no group in s[0, n) */
        out_add(b, s, n);
        if (!next)
            return push(l, b->s, b->len, g->stray);
        s = next->s;
        n = next->n;
        next = next->next;
        at = (size_t)(s - g->base);
    }
    size_t j = g->close[at + i];   /* (offsets in base from here on) */
    if (!j || j - at >= n)
        return GDPRX_ESYNTAX;
    out_add(b, s, i);
    size_t keep = b->len;
    pending rest = {g->base + j + 1, n - (j - at) - 1, next};
    int rc = GDPRX_OK;
    for (size_t a = at + i; a < j && !rc;) {   /* a: its '(' or a '|' */
        size_t e = g->next[a];   /* the alternative's end: '|' or ')' */
        rc = expand_from(l, g, b, g->base + a + 1, e - a - 1, &rest);
        b->len = keep;
        a = e;
    }
    return rc;
}

int gx_term_expand(const char *term, gx_pool *pool, char ***out, size_t *n,
                   size_t *cap, int *plain, char *why, size_t wn)
{
    strlist l = {out, n, cap, 0, pool};
    /* normalize once, then expand: (a|b) groups and '*' survive NFKC case
     * folding, and ICU runs once per written term, not per expansion */
    char *norm = normalize_term(term, strlen(term), 1);
    size_t len = norm ? strlen(norm) : 0;
    *plain = norm && !strpbrk(norm, "@*");
    outbuf b = {norm ? malloc(len + 1) : NULL, 0};
    groups g = {0};
    int rc = b.s && !index_groups(&g, norm, len)
                 ? expand_from(&l, &g, &b, norm, len, NULL)
                 : GDPRX_ENOMEM;
    free(g.close);
    free(b.s);
    free(norm);
    if (rc == GDPRX_ESYNTAX)
        snprintf(why, wn, "unbalanced '(', ')' or '|' in term '%s'", term);
    else if (rc == GDPRX_ELIMIT) {
        snprintf(why, wn, "term '%s' expands to more than %d terms", term,
                 GX_TERM_EXPANSIONS);
        rc = GDPRX_ESYNTAX;
    } else if (rc == GDPRX_ENOMEM)
        snprintf(why, wn, "out of memory");
    return rc;
}

void gx_term_written_regex(gx_buf *b, const char *term)
{
    char *t = normalize_term(term, strlen(term), 1);
    if (!t) {
        b->oom = 1;
        return;
    }
    for (const char *p = t; *p;) {
        unsigned char c = (unsigned char)*p;
        if (gx_word_byte(c)) {
            gx_buf_addc(b, *p++);
        } else if (c == '*') {
            gx_buf_adds(b, "\\w*");
            p++;
        } else if (c == '(') {
            gx_buf_adds(b, "(?:");
            p++;
        } else if (c == '|' || c == ')') {
            gx_buf_addc(b, *p++);
        } else if (c == '@') {
            const char *q = ++p;
            while (*q && gx_word_byte((unsigned char)*q))
                q++;
            gx_buf_printf(b, "{{%.*s}}", (int)(q - p), p);
            p = q;
        } else if (c == ' ' || c == '-' || c == '\'') {
            while (*p == ' ' || *p == '-' || *p == '\'')
                p++;
            gx_buf_adds(b, "[ '-]{1,3}");
        } else {
            gx_buf_addc(b, '\\');
            gx_buf_addc(b, *p++);
        }
    }
    free(t);
}

void gx_concept_free(gx_concept *c)
{
    free(c->name);
    for (size_t i = 0; i < c->n_needs; i++)
        free(c->need_names[i]);
    free(c->need_names);
    free(c->need_ids);
    for (int l = 0; l < 3; l++) {
        gx_concept_lang *cl = &c->l[l];
        for (size_t i = 0; i < cl->n_terms; i++)
            free(cl->terms[i]);
        free(cl->terms);
        for (size_t i = 0; i < cl->n_res; i++)
            free(cl->res[i]);
        free(cl->res);
        free(cl->words);   /* (its strings are the word pool's) */
        free(cl->regex);
        pcre2_code_free(cl->re);
        free(cl->lits);
        gx_prefilter_gate_free(cl->gate, cl->n_gate);
    }
    memset(c, 0, sizeof *c);
}
