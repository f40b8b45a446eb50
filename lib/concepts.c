/* SPDX-License-Identifier: MIT */
/* Stage 4c, concepts: expansion and normalization of written terms, and
 * their regex form. The loader owns the concept table and builds the
 * scanners (it also expands {{macros}} in regex terms). */
#include "concepts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "util.h"

typedef struct strlist {
    char ***v;
    size_t *n, *cap;
    size_t added;
} strlist;

/* Index of the ')' closing the '(' at s[i], or 0 if unbalanced. */
static size_t closing(const char *s, size_t i)
{
    int depth = 0;
    for (size_t k = i; s[k]; k++) {
        if (s[k] == '(')
            depth++;
        else if (s[k] == ')' && --depth == 0)
            return k;
    }
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

static int push(strlist *l, const char *s, size_t n)
{
    if (++l->added > GX_TERM_EXPANSIONS)
        return GDPRX_ELIMIT;
    if (memchr(s, ')', n) || memchr(s, '|', n))
        return GDPRX_ESYNTAX;   /* a ')' or '|' outside any group */
    while (n && s[n - 1] == ' ')   /* (expand_from keeps spaces single) */
        n--;
    char *t = gx_strndup(s, n);
    if (!t)
        return GDPRX_ENOMEM;
    if (!*t) {   /* "(a|)" alone gives an empty term: nothing to find */
        free(t);
        return GDPRX_OK;
    }
    if (gx_grow(l->v, l->cap, *l->n + 1, sizeof **l->v) != 0) {
        free(t);
        return GDPRX_ENOMEM;
    }
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
static int expand_from(strlist *l, outbuf *b, const char *s, size_t n,
                       const pending *next)
{
    const char *open;
    while (!(open = memchr(s, '(', n))) {
        out_add(b, s, n);
        if (!next)
            return push(l, b->s, b->len);
        s = next->s;
        n = next->n;
        next = next->next;
    }
    size_t i = (size_t)(open - s), j = closing(s, i);
    if (!j || j >= n)
        return GDPRX_ESYNTAX;
    out_add(b, s, i);
    size_t keep = b->len;
    pending rest = {s + j + 1, n - j - 1, next};
    int rc = GDPRX_OK;
    for (size_t a = i + 1; a <= j && !rc;) {
        size_t e = a;   /* end of this alternative: '|' or ')' at depth 0 */
        for (int depth = 0; e < j; e++) {
            if (s[e] == '(')
                depth++;
            else if (s[e] == ')')
                depth--;
            else if (s[e] == '|' && depth == 0)
                break;
        }
        rc = expand_from(l, b, s + a, e - a, &rest);
        b->len = keep;
        a = e + 1;
    }
    return rc;
}

int gx_term_expand(const char *term, char ***out, size_t *n, size_t *cap,
                   char *why, size_t wn)
{
    strlist l = {out, n, cap, 0};
    /* normalize once, then expand: (a|b) groups and '*' survive NFKC case
     * folding, and ICU runs once per written term, not per expansion */
    char *norm = normalize_term(term, strlen(term), 1);
    outbuf b = {norm ? malloc(strlen(norm) + 1) : NULL, 0};
    int rc = b.s ? expand_from(&l, &b, norm, strlen(norm), NULL)
                 : GDPRX_ENOMEM;
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

static int word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
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
        if (word_byte(c)) {
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
            while (*q && word_byte((unsigned char)*q))
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
        for (size_t i = 0; i < cl->n_words; i++)
            free(cl->words[i]);
        free(cl->words);
        free(cl->regex);
        pcre2_code_free(cl->re);
        free(cl->lits);
    }
    memset(c, 0, sizeof *c);
}
