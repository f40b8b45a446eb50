/* SPDX-License-Identifier: MIT */
/* Stage 4c, prefilter. A small recursive-descent reader of PCRE2 syntax
 * computes, for each sub-expression, the set of strings it can match
 * exactly (when small and known) and a set of strings one of which every
 * match must contain. Anything it does not understand becomes "unknown",
 * which only ever widens the filter: correctness never depends on it. */
#include "prefilter.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_SET 64   /* strings in an exact or required set */
#define MAX_LEN 32   /* bytes of an exact string */
#define CHUNK 65536  /* bytes of a chunk of the reader's string arena */

typedef struct sset {  /* a set of strings; known = 0 means "unknown" */
    int known;
    size_t n;
    const char *s[MAX_SET];  /* NUL-terminated, in the reader's arena */
    size_t len[MAX_SET];
} sset;

typedef struct info {
    sset exact;        /* every match is one of these */
    sset must;         /* every match contains one of these */
} info;

typedef struct chunk {   /* arena chunk; the reader owns the list */
    struct chunk *next;
    size_t used, size;
    char b[];
} chunk;

typedef struct reader {
    const char *p;
    int oom;
    int rare;          /* gate mode: short strings of rare bytes count */
    chunk *arena;      /* every string of every set (the sets are rebuilt
                          ~800,000 times at load: no malloc per string);
                          owned, freed once the pattern is read */
} reader;

/* A NUL-terminated copy of s[0, n) in the arena, or NULL (r->oom set). */
static const char *arena_dup(reader *r, const char *s, size_t n)
{
    chunk *c = r->arena;
    if (!c || c->size - c->used < n + 1) {
        size_t size = n + 1 > CHUNK ? n + 1 : CHUNK;
        if (!(c = malloc(sizeof *c + size))) {
            r->oom = 1;
            return NULL;
        }
        c->next = r->arena;
        c->used = 0;
        c->size = size;
        r->arena = c;
    }
    char *d = c->b + c->used;
    memcpy(d, s, n);
    d[n] = '\0';
    c->used += n + 1;
    return d;
}

static void arena_free(reader *r)
{
    while (r->arena) {
        chunk *next = r->arena->next;
        free(r->arena);
        r->arena = next;
    }
}

static void sset_clear(sset *a)
{
    a->n = 0;
    a->known = 0;
}

/* Does a hold the n bytes at s? */
static int sset_has(const sset *a, const char *s, size_t n)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->len[i] == n && (!n || (a->s[i][0] == s[0] &&
                                      !memcmp(a->s[i], s, n))))
            return 1;
    return 0;
}

/* Add a copy of s; gives up (unknown) past MAX_SET strings. */
static void sset_add(reader *r, sset *a, const char *s, size_t n)
{
    if (!a->known || sset_has(a, s, n))
        return;
    if (a->n == MAX_SET) {
        sset_clear(a);
        return;
    }
    const char *c = arena_dup(r, s, n);
    if (!c) {
        sset_clear(a);
        return;
    }
    a->s[a->n] = c;
    a->len[a->n++] = n;
}

/* (Sets are large and mostly empty: only their n strings are copied or,
 * below, initialized.) */
static void sset_move(sset *dst, sset *src)
{
    dst->known = src->known;
    dst->n = src->n;
    memcpy(dst->s, src->s, src->n * sizeof *src->s);
    memcpy(dst->len, src->len, src->n * sizeof *src->len);
    sset_clear(src);
}

static size_t sset_minlen(const sset *a)
{
    if (!a->known || !a->n)
        return 0;
    size_t m = (size_t)-1;
    for (size_t i = 0; i < a->n; i++)
        if (a->len[i] < m)
            m = a->len[i];
    return m;
}

static void info_clear(info *x)
{
    sset_clear(&x->exact);
    sset_clear(&x->must);
}

static void info_unknown(info *x) { info_clear(x); }

static void info_empty(reader *r, info *x) /* matches "" only */
{
    info_clear(x);
    x->exact.known = 1;
    sset_add(r, &x->exact, "", 0);
}

static void info_char(reader *r, info *x, char c)
{
    info_clear(x);
    x->exact.known = 1;
    if (c >= 'A' && c <= 'Z')
        c = (char)(c - 'A' + 'a');   /* the subject is case-folded */
    sset_add(r, &x->exact, &c, 1);
}

/* A must-set candidate from an exact set: usable when it has no "". */
static int exact_as_must(const sset *e)
{
    return e->known && e->n > 0 && sset_minlen(e) > 0;
}

/* A byte ordinary text is full of: letters, digits, spaces and the
 * commonest punctuation. */
static int common_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' ||
           c == '.' || c == ',' || c == '-' || c == '\'' || c >= 0x80;
}

/* How selective a set is: the prefilter's measure (its shortest string's
 * length) or, in gate mode, the same doubled, where a string shorter than
 * GX_PF_MIN that holds a rare byte ("@", "[") counts nearly as one of
 * GX_PF_MIN bytes. Sets of GX_PF_MIN or longer strings rank as before. */
static size_t sset_score(const reader *r, const sset *a)
{
    if (!r->rare)
        return sset_minlen(a);
    if (!a->known || !a->n)
        return 0;
    size_t m = (size_t)-1;
    for (size_t i = 0; i < a->n; i++) {
        size_t v = 2 * a->len[i];
        if (a->len[i] < GX_PF_MIN)
            for (size_t k = 0; k < a->len[i]; k++)
                if (!common_byte((unsigned char)a->s[i][k]))
                    v = 2 * GX_PF_MIN - 1;
        m = v < m ? v : m;
    }
    return m;
}

/* Drop the strings of a that hold another one of a ("data" suffices where
 * "personal data" is also listed; of two equal ones, the first stays). */
static void drop_redundant(sset *a)
{
    for (size_t i = 0; i < a->n;) {
        int redundant = 0;
        for (size_t j = 0; j < a->n && !redundant; j++)
            redundant = j != i && strstr(a->s[i], a->s[j]) &&
                        (a->len[j] < a->len[i] || j < i);
        if (redundant) {
            a->n--;
            a->s[i] = a->s[a->n];
            a->len[i] = a->len[a->n];
        } else {
            i++;
        }
    }
}

/* Keep in *best whichever constraint is the more selective. In gate mode
 * the kept set is cut down: any part of a required string is required
 * too, so a string with a rare byte becomes that byte (" [ at ] " -> "["),
 * and a string that holds another one of the set goes (sets stay small
 * enough for alternatives to be joined). */
static void keep_best(reader *r, sset *best, const sset *cand)
{
    if (!cand->known || !cand->n ||
        sset_score(r, cand) <= sset_score(r, best))
        return;
    sset_clear(best);
    best->known = 1;
    for (size_t i = 0; i < cand->n; i++) {
        size_t k = 0;
        while (r->rare && k < cand->len[i] &&
               common_byte((unsigned char)cand->s[i][k]))
            k++;
        if (r->rare && k < cand->len[i] && cand->len[i] > 1)
            sset_add(r, best, cand->s[i] + k, 1);
        else
            sset_add(r, best, cand->s[i], cand->len[i]);
    }
    if (r->rare)
        drop_redundant(best);
}

/* The product a x b of two exact sets into *out; returns 0 when it would
 * exceed MAX_SET strings or MAX_LEN bytes. */
static int product(reader *r, const sset *a, const sset *b, sset *out)
{
    sset_clear(out);
    if (a->n * b->n > MAX_SET)
        return 0;
    out->known = 1;
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < b->n; j++) {
            size_t lx = a->len[i], ly = b->len[j];
            if (lx + ly > MAX_LEN) {
                sset_clear(out);
                return 0;
            }
            char buf[2 * MAX_LEN + 1];
            memcpy(buf, a->s[i], lx);
            memcpy(buf + lx, b->s[j], ly);
            sset_add(r, out, buf, lx + ly);
        }
    return out->known;
}

/* x = a | b */
static void alternate(reader *r, info *a, info *b)
{
    sset ex, must;
    sset_clear(&ex);
    sset_clear(&must);
    if (a->exact.known && b->exact.known) {
        ex.known = 1;
        for (size_t i = 0; i < a->exact.n; i++)
            sset_add(r, &ex, a->exact.s[i], a->exact.len[i]);
        for (size_t i = 0; i < b->exact.n; i++)
            sset_add(r, &ex, b->exact.s[i], b->exact.len[i]);
    }
    const sset *ca = a->must.known && a->must.n ? &a->must
                     : exact_as_must(&a->exact) ? &a->exact : NULL;
    const sset *cb = b->must.known && b->must.n ? &b->must
                     : exact_as_must(&b->exact) ? &b->exact : NULL;
    if (ca && cb) {
        must.known = 1;
        for (size_t i = 0; i < ca->n; i++)
            sset_add(r, &must, ca->s[i], ca->len[i]);
        for (size_t i = 0; i < cb->n; i++)
            sset_add(r, &must, cb->s[i], cb->len[i]);
    }
    info_clear(a);
    info_clear(b);
    sset_move(&a->exact, &ex);
    sset_move(&a->must, &must);
}

/* ---- reader ------------------------------------------------------------ */

static void parse_alt(reader *r, info *out);

/* Skip a character class starting at '['. */
static void skip_class(reader *r)
{
    r->p++;
    if (*r->p == '^')
        r->p++;
    if (*r->p == ']')
        r->p++;
    while (*r->p && *r->p != ']') {
        if (*r->p == '\\' && r->p[1])
            r->p++;
        else if (*r->p == '[' && r->p[1] == ':') {
            const char *e = strstr(r->p + 2, ":]");
            if (e)
                r->p = e + 1;
        }
        r->p++;
    }
    if (*r->p)
        r->p++;
}

/* Gate mode: a class of a few ASCII characters without ranges ("[@\\[(]")
 * is the set of those one-byte strings. Returns 1 and consumes it, or 0
 * (any other class), consuming nothing. */
static int small_class(reader *r, info *x)
{
    char m[8];
    size_t n = 0;
    const char *p = r->p + 1;
    if (*p == '^')
        return 0;
    for (int first = 1; *p && (*p != ']' || first); first = 0) {
        char c = *p;
        if (c == '\\') {
            c = p[1];
            if (!c || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9'))
                return 0;   /* \w, \d, \x{..}: not a plain character */
            p += 2;
        } else {
            if ((c == '-' && !first && p[1] != ']') ||
                (c == '[' && p[1] == ':'))
                return 0;   /* a range or a POSIX class */
            p++;
        }
        if ((unsigned char)c >= 0x80 || n == sizeof m)
            return 0;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');   /* the subject is case-folded */
        m[n++] = c;
    }
    if (*p != ']')
        return 0;
    r->p = p + 1;
    info_clear(x);
    x->exact.known = 1;
    for (size_t i = 0; i < n; i++)
        sset_add(r, &x->exact, &m[i], 1);
    return 1;
}

/* Skip to the ')' closing a group whose '(' was consumed. */
static void skip_group(reader *r)
{
    int depth = 1;
    while (*r->p && depth) {
        if (*r->p == '\\' && r->p[1])
            r->p++;
        else if (*r->p == '[') {
            skip_class(r);
            continue;
        } else if (*r->p == '(')
            depth++;
        else if (*r->p == ')')
            depth--;
        r->p++;
    }
}

/* One atom: a literal, an escape, a class, a group or an assertion. */
static void parse_atom(reader *r, info *x)
{
    char c = *r->p;
    if (c == '(') {
        r->p++;
        if (r->p[0] == '?') {
            char k = r->p[1];
            if (k == ':' || k == '|' || k == '>') {
                r->p += 2;
            } else if (k == '<' && (r->p[2] == '=' || r->p[2] == '!')) {
                r->p += 3;
                skip_group(r);
                info_empty(r, x);   /* lookbehind: zero width */
                return;
            } else if (k == '=' || k == '!') {
                r->p += 2;
                skip_group(r);
                info_empty(r, x);   /* lookahead: zero width */
                return;
            } else if (k == '<' || k == 'P' || k == '\'') {
                const char *e = strpbrk(r->p + 2, ">'");
                if (!e) {
                    info_unknown(x);
                    r->p += strlen(r->p);
                    return;
                }
                r->p = e + 1;
            } else {   /* options, conditionals, comments, calls: give up */
                skip_group(r);
                info_unknown(x);
                return;
            }
        } else if (r->p[0] == '*') {   /* (*VERB) */
            skip_group(r);
            info_unknown(x);
            return;
        }
        parse_alt(r, x);
        if (*r->p == ')')
            r->p++;
        return;
    }
    if (c == '[') {
        if (!r->rare || !small_class(r, x)) {
            skip_class(r);
            info_unknown(x);
        }
        return;
    }
    if (c == '.') {
        r->p++;
        info_unknown(x);
        return;
    }
    if (c == '^' || c == '$') {
        r->p++;
        info_empty(r, x);
        return;
    }
    if (c == '\\') {
        char e = r->p[1];
        r->p += e ? 2 : 1;
        if (strchr("bBAzZGK", e) && e) {
            info_empty(r, x);
        } else if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
                   (e >= '0' && e <= '9') || !e) {
            if ((e == 'p' || e == 'P' || e == 'x' || e == 'g' || e == 'k' ||
                 e == 'N') && *r->p == '{') {
                const char *end = strchr(r->p, '}');
                r->p = end ? end + 1 : r->p + strlen(r->p);
            }
            info_unknown(x);   /* \w \d \s \p{..} \x{..} \1 ... */
        } else {
            info_char(r, x, e); /* escaped punctuation is itself */
        }
        return;
    }
    r->p++;
    if ((unsigned char)c >= 0x80) {   /* non-ASCII: case folding is ICU's */
        while (((unsigned char)*r->p & 0xC0) == 0x80)
            r->p++;
        info_unknown(x);
        return;
    }
    info_char(r, x, c);
}

/* Parse a quantifier at r->p if any: *min receives its minimum, *max its
 * maximum (-1 unbounded). Returns 0 when there is none. */
static int quantifier(reader *r, long *min, long *max)
{
    const char *p = r->p;
    if (*p == '?' || *p == '*' || *p == '+') {
        *min = *p == '+';
        *max = *p == '?' ? 1 : -1;
        p++;
    } else if (*p == '{') {
        char *end;
        long a = strtol(p + 1, &end, 10);
        if (end == p + 1)
            return 0;   /* a literal '{' */
        long b = a;
        if (*end == ',') {
            b = end[1] == '}' ? -1 : strtol(end + 1, &end, 10);
            if (b == -1)
                end++;
        }
        if (*end != '}')
            return 0;
        *min = a;
        *max = b;
        p = end + 1;
    } else {
        return 0;
    }
    if (*p == '?' || *p == '+')
        p++;
    r->p = p;
    return 1;
}

static void repeat(reader *r, info *x, long min, long max)
{
    if (min == 1 && max == 1)
        return;
    if (min == 0 && max == 1 && x->exact.known) {
        sset_add(r, &x->exact, "", 0);   /* "colou?r" */
        sset_clear(&x->must);
        return;
    }
    sset keep;
    sset_clear(&keep);
    if (min >= 1) {   /* the atom occurs at least once */
        if (x->must.known && x->must.n)
            sset_move(&keep, &x->must);
        else if (exact_as_must(&x->exact))
            sset_move(&keep, &x->exact);
    }
    info_clear(x);
    sset_move(&x->must, &keep);
}

/* A sequence: the exact set of the whole (while every atom's is known), and
 * as its required set the best of the atoms' required sets and of the
 * products of runs of atoms with known exact sets ("del" "ete" -> "delete"
 * even after an unknown atom). */
static void parse_seq(reader *r, info *out)
{
    sset whole, run, best;
    sset_clear(&whole);
    sset_clear(&run);
    sset_clear(&best);
    whole.known = run.known = 1;
    sset_add(r, &whole, "", 0);
    sset_add(r, &run, "", 0);
    while (*r->p && *r->p != '|' && *r->p != ')') {
        info a;
        info_clear(&a);
        parse_atom(r, &a);
        long min, max;
        while (quantifier(r, &min, &max))
            repeat(r, &a, min, max);
        keep_best(r, &best, &a.must);
        sset next;
        if (a.exact.known) {
            if (product(r, &run, &a.exact, &next)) {
                sset_move(&run, &next);
            } else {   /* too many or too long: close the run, start anew */
                if (exact_as_must(&run))
                    keep_best(r, &best, &run);
                sset_clear(&run);
                run.known = 1;
                for (size_t i = 0; i < a.exact.n; i++)
                    sset_add(r, &run, a.exact.s[i], a.exact.len[i]);
            }
            if (whole.known && product(r, &whole, &a.exact, &next))
                sset_move(&whole, &next);
            else
                sset_clear(&whole);
        } else {
            if (exact_as_must(&run))
                keep_best(r, &best, &run);
            sset_clear(&run);
            run.known = 1;
            sset_add(r, &run, "", 0);
            sset_clear(&whole);
        }
        info_clear(&a);
    }
    if (exact_as_must(&run))
        keep_best(r, &best, &run);
    sset_clear(&run);
    info_clear(out);
    sset_move(&out->exact, &whole);
    sset_move(&out->must, &best);
}

static void parse_alt(reader *r, info *out)
{
    parse_seq(r, out);
    while (*r->p == '|') {
        r->p++;
        info b;
        info_clear(&b);
        parse_seq(r, &b);
        alternate(r, out, &b);
    }
}

/* ---- the literal table and the scan ------------------------------------- */

static uint32_t hash3(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    return ((uint32_t)u[0] * 31u * 31u + (uint32_t)u[1] * 31u + u[2]) %
           GX_PF_BUCKETS;
}

static int intern(gx_prefilter *pf, const char *s, uint32_t *id)
{
    size_t n = strlen(s);
    if (!pf->bucket) {
        pf->bucket = malloc(GX_PF_BUCKETS * sizeof *pf->bucket);
        if (!pf->bucket)
            return -1;
        for (size_t i = 0; i < GX_PF_BUCKETS; i++)
            pf->bucket[i] = UINT32_MAX;
    }
    uint32_t h = hash3(s);
    for (uint32_t k = pf->bucket[h]; k != UINT32_MAX; k = pf->lits[k].next)
        if (pf->lits[k].n == n && !memcmp(pf->lits[k].s, s, n)) {
            *id = k;
            return 0;
        }
    if (gx_grow(&pf->lits, &pf->cap_lits, pf->n_lits + 1, sizeof *pf->lits))
        return -1;
    gx_lit *l = &pf->lits[pf->n_lits];
    if (!(l->s = gx_strndup(s, n)))
        return -1;
    l->n = n;
    l->next = pf->bucket[h];
    pf->bucket[h] = (uint32_t)pf->n_lits;
    *id = (uint32_t)pf->n_lits++;
    return 0;
}

/* Syntax the reader does not model and that changes what literals mean:
 * \Q...\E quoting and the extended (x) option. */
static int unsupported(const char *p)
{
    if (strstr(p, "\\Q"))
        return 1;
    for (const char *q = strstr(p, "(?"); q; q = strstr(q + 2, "(?")) {
        const char *o = q + 2;
        while ((*o >= 'a' && *o <= 'z') || (*o >= 'A' && *o <= 'Z') ||
               *o == '-' || *o == '^')
            if (*o++ == 'x')
                return 1;
    }
    return 0;
}

/* Read r's pattern whole; *best gets the most selective set of strings one
 * of which every match holds (unknown when the reader stopped early at an
 * unbalanced ')'). */
static void read_best(reader *r, sset *best)
{
    info x;
    info_clear(&x);
    parse_alt(r, &x);
    sset_clear(best);
    if (!*r->p) {
        keep_best(r, best, &x.must);
        if (exact_as_must(&x.exact))
            keep_best(r, best, &x.exact);
    }
    info_clear(&x);
}

int gx_prefilter_add(gx_prefilter *pf, const char *pattern, uint32_t **ids,
                     size_t *n)
{
    *ids = NULL;
    *n = 0;
    if (unsupported(pattern))
        return 0;
    reader r = {pattern, 0, 0, NULL};
    sset best;
    read_best(&r, &best);
    drop_redundant(&best);
    int rc = r.oom ? -1 : 0;
    if (!rc && best.known && sset_minlen(&best) >= GX_PF_MIN) {
        *ids = malloc(best.n * sizeof **ids);
        if (!*ids)
            rc = -1;
        for (size_t i = 0; !rc && i < best.n; i++)
            rc = intern(pf, best.s[i], &(*ids)[i]);
        if (rc) {
            free(*ids);
            *ids = NULL;
        } else {
            *n = best.n;
        }
    }
    sset_clear(&best);
    arena_free(&r);
    return rc;
}

int gx_prefilter_gate(const char *pattern, char ***gate, size_t *n)
{
    *gate = NULL;
    *n = 0;
    if (unsupported(pattern))
        return 0;
    reader r = {pattern, 0, 1, NULL};
    sset best;
    read_best(&r, &best);
    int rc = r.oom ? -1 : 0;
    if (!rc && best.known && best.n && best.n <= GX_GATE_MAX &&
        sset_score(&r, &best) >= 2 * GX_PF_MIN - 1) {
        if (!(*gate = calloc(best.n, sizeof **gate)))
            rc = -1;
        for (size_t i = 0; !rc && i < best.n; i++)
            if (!((*gate)[i] = gx_strndup(best.s[i], best.len[i])))
                rc = -1;
        if (rc)
            gx_prefilter_gate_free(*gate, best.n);
        else
            *n = best.n;
        if (rc)
            *gate = NULL;
    }
    sset_clear(&best);
    arena_free(&r);
    return rc;
}

void gx_prefilter_gate_free(char **gate, size_t n)
{
    for (size_t i = 0; gate && i < n; i++)
        free(gate[i]);
    free(gate);
}

#define BIT_HAS(set, b) ((set)[(b) >> 5] >> ((b) & 31) & 1)
#define BIT_SET(set, b) ((set)[(b) >> 5] |= 1u << ((b) & 31))

/* One pass over s with bit sets of the gate strings' bytes: a string of
 * one byte opens the gate where the byte is; longer ones are compared where
 * their first two bytes are (a memchr pass per string cost 15 passes of the
 * clause for the e-mail gate, run on most clauses, and most of its strings
 * open with a space). */
int gx_prefilter_gate_open(char *const *gate, size_t n, const char *s,
                           size_t len)
{
    if (!n)
        return 1;
    uint32_t one[8] = {0}, first[8] = {0}, second[8] = {0};
    for (size_t i = 0; i < n; i++) {
        unsigned char b0 = (unsigned char)gate[i][0];
        if (!b0)
            return 1;   /* an empty string: always open */
        unsigned char b1 = (unsigned char)gate[i][1];
        if (!b1) {
            BIT_SET(one, b0);
            continue;
        }
        BIT_SET(first, b0);
        BIT_SET(second, b1);
    }
    for (size_t p = 0; p < len; p++) {
        unsigned char b = (unsigned char)s[p];
        if (BIT_HAS(one, b))
            return 1;
        if (!BIT_HAS(first, b) || p + 1 == len ||
            !BIT_HAS(second, (unsigned char)s[p + 1]))
            continue;
        for (size_t i = 0; i < n; i++) {
            const char *g = gate[i];
            if (g[0] != s[p] || g[1] != s[p + 1])
                continue;
            size_t k = strlen(g);
            if (k <= len - p && !memcmp(s + p, g, k))
                return 1;
        }
    }
    return 0;
}

void gx_prefilter_free(gx_prefilter *pf)
{
    for (size_t i = 0; i < pf->n_lits; i++)
        free(pf->lits[i].s);
    free(pf->lits);
    free(pf->bucket);
    memset(pf, 0, sizeof *pf);
}

void gx_prefilter_scan(const gx_prefilter *pf, const char *s, size_t n,
                       unsigned char *present, uint32_t *set, size_t *n_set)
{
    if (!pf->bucket)
        return;
    for (size_t i = 0; i + GX_PF_MIN <= n; i++) {
        for (uint32_t k = pf->bucket[hash3(s + i)]; k != UINT32_MAX;
             k = pf->lits[k].next) {
            const gx_lit *l = &pf->lits[k];
            if (!present[k] && l->n <= n - i && !memcmp(l->s, s + i, l->n)) {
                present[k] = 1;
                set[(*n_set)++] = k;
            }
        }
    }
}
