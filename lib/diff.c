/* SPDX-License-Identifier: MIT */
/* Version comparison: two results -> the findings added, removed and
 * changed, paired by label and content (the three passes documented in
 * gdprx.h), never by offset. Borrows both results; keeps no state. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gdprx.h"
#include "util.h"

#define DEFAULT_MIN_SIMILARITY 0.5
#define NONE GDPRX_DIFF_NONE

struct gdprx_diff_result {
    gdprx_diff_entry *e; /* owned, e[0..n) */
    size_t n;
};

/* One finding as the passes see it. */
typedef struct item {
    const gdprx_finding *f; /* borrowed */
    char *seq;              /* owned: the text's tokens, space-separated */
    const char **set;       /* owned array: sorted distinct tokens (into
                               seq's copy `setbuf`) */
    char *setbuf;           /* owned */
    size_t n_set;
    char *section;          /* owned: the section's tokens without numbers */
    size_t pair;            /* index on the other side, or NONE */
    double pos;             /* relative position in the document, 0..1 */
} item;

typedef struct side {
    item *v; /* owned, v[0..n) */
    size_t n;
} side;

void gdprx_diff_options_init_sized(gdprx_diff_options *opts, size_t size)
{
    if (!opts || size < sizeof(gdprx_diff_options))
        return;
    memset(opts, 0, size);
    opts->size = size;
}

/* ---- tokens ----------------------------------------------------------- */

/* Word bytes: ASCII letters and digits, and every byte of a non-ASCII
 * character (the text is already case-folded and without accents). */
static int word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c >= 'A' && c <= 'Z');
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* The words of `s` (n bytes) as normalized text, one space between them;
 * numbers dropped when drop_numbers. NULL when out of memory. */
static char *tokens(const char *s, size_t n, int drop_numbers)
{
    char *norm = NULL;
    size_t len = 0;
    if (gdprx_normalize(&norm, &len, s ? s : "", s ? n : 0,
                        GDPRX_OPT_REPLACE_INVALID, NULL) != GDPRX_OK)
        return NULL;
    gx_buf b = {0};
    gx_buf_add(&b, "", 0); /* "" when there is no word */
    for (size_t i = 0; i < len;) {
        size_t k = i;
        while (k < len && word_byte((unsigned char)norm[k]))
            k++;
        if (k > i && !(drop_numbers && all_digits(norm + i, k - i))) {
            if (b.len)
                gx_buf_addc(&b, ' ');
            for (size_t j = i; j < k; j++) {
                char c = norm[j];
                gx_buf_addc(&b, c >= 'A' && c <= 'Z' ? (char)(c + 32) : c);
            }
        }
        i = k > i ? k : i + 1;
    }
    gdprx_free(norm);
    return gx_buf_take(&b, NULL);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* it->set: the distinct words of it->seq but numbers, sorted.
 * Returns 0 or -1. */
static int make_set(item *it)
{
    size_t n = 1;
    for (const char *p = it->seq; *p; p++)
        n += *p == ' ';
    it->setbuf = gx_strdup(it->seq);
    it->set = malloc(n * sizeof *it->set);
    if (!it->setbuf || !it->set)
        return -1;
    size_t k = 0;
    for (char *p = it->setbuf; *p;) {
        size_t w = strcspn(p, " ");
        /* numbers are compared as attributes, not as words: "under 16"
         * and "under 13" say the same thing about different ages */
        if (!all_digits(p, w))
            it->set[k++] = p;
        p += w;
        if (*p)
            *p++ = '\0';
    }
    qsort(it->set, k, sizeof *it->set, cmp_str);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (!m || strcmp(it->set[m - 1], it->set[i]))
            it->set[m++] = it->set[i];
    it->n_set = m;
    return 0;
}

/* |A and B| / |A or B| of two sorted sets; 1 for two empty sets. */
static double similarity(const item *a, const item *b)
{
    size_t i = 0, j = 0, both = 0;
    while (i < a->n_set && j < b->n_set) {
        int c = strcmp(a->set[i], b->set[j]);
        both += c == 0;
        i += c <= 0;
        j += c >= 0;
    }
    size_t any = a->n_set + b->n_set - both;
    return any ? (double)both / (double)any : 1.0;
}

/* ---- the two sides ---------------------------------------------------- */

static void side_free(side *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].seq);
        free(s->v[i].set);
        free(s->v[i].setbuf);
        free(s->v[i].section);
    }
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

static int side_init(side *s, const gdprx_result *r, gdprx_error *err)
{
    s->n = gdprx_result_count(r);
    s->v = calloc(s->n ? s->n : 1, sizeof *s->v);
    if (!s->v)
        return gx_error_nomem(err);
    for (size_t i = 0; i < s->n; i++) {
        item *it = &s->v[i];
        it->f = gdprx_result_get(r, i);
        it->pair = NONE;
        it->pos = s->n > 1 ? (double)i / (double)(s->n - 1) : 0.0;
        const char *sec = it->f->section;
        it->seq = tokens(it->f->text, it->f->end - it->f->start, 0);
        it->section = tokens(sec, sec ? strlen(sec) : 0, 1);
        if (!it->seq || !it->section || make_set(it) != 0)
            return gx_error_nomem(err);
    }
    return GDPRX_OK;
}

/* ---- comparing two findings -------------------------------------------- */

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* E-mail addresses compare without ASCII case. */
static int same_email(const char *a, const char *b)
{
    if (!a || !b)
        return !a && !b;
    for (;; a++, b++) {
        int x = *a >= 'A' && *a <= 'Z' ? *a + 32 : *a;
        int y = *b >= 'A' && *b <= 'Z' ? *b + 32 : *b;
        if (x != y)
            return 0;
        if (!x)
            return 1;
    }
}

static int same_label(const gdprx_finding *a, const gdprx_finding *b)
{
    return !strcmp(a->type, b->type) && !strcmp(a->subtype, b->subtype);
}

/* The GDPRX_DIFF_* bits that differ between a and b. */
static unsigned changes(const item *a, const item *b)
{
    const gdprx_finding *x = a->f, *y = b->f;
    unsigned c = 0;
    if (x->polarity != y->polarity)
        c |= GDPRX_DIFF_POLARITY;
    if (!same_str(x->duration, y->duration) ||
        !same_str(x->duration_max, y->duration_max))
        c |= GDPRX_DIFF_DURATION;
    if (x->age != y->age)
        c |= GDPRX_DIFF_AGE;
    if (!same_email(x->email, y->email))
        c |= GDPRX_DIFF_EMAIL;
    if (strcmp(a->section, b->section))
        c |= GDPRX_DIFF_SECTION;
    return c;
}

/* ---- the passes -------------------------------------------------------- */

/* Passes 1 and 2: each older finding, in order, takes the first free newer
 * one with the same label and text (and, when `strict`, nothing changed),
 * so the k-th of identical findings pairs with the k-th. */
static void pair_same_text(side *o, side *n, int strict)
{
    for (size_t i = 0; i < o->n; i++) {
        item *a = &o->v[i];
        for (size_t j = 0; a->pair == NONE && j < n->n; j++) {
            item *b = &n->v[j];
            if (b->pair == NONE && same_label(a->f, b->f) &&
                !strcmp(a->seq, b->seq) && (!strict || !changes(a, b))) {
                a->pair = j;
                b->pair = i;
            }
        }
    }
}

typedef struct cand {
    size_t i, j;
    double sim;
    unsigned changed; /* changes() of the pair */
    double dist;      /* distance of the relative positions */
} cand;

static int popcount(unsigned x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* Best first: similarity, fewer attribute changes, same section, nearer
 * positions, then the indices (symmetric in old and new). */
static int cmp_cand(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->sim != b->sim)
        return a->sim > b->sim ? -1 : 1;
    unsigned sa = a->changed & GDPRX_DIFF_SECTION;
    unsigned sb = b->changed & GDPRX_DIFF_SECTION;
    int ca = popcount(a->changed & ~sa), cb = popcount(b->changed & ~sb);
    if (ca != cb)
        return ca < cb ? -1 : 1;
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (a->dist != b->dist)
        return a->dist < b->dist ? -1 : 1;
    size_t ka = a->i + a->j, kb = b->i + b->j;
    if (ka != kb)
        return ka < kb ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Pass 3: free pairs of one label whose texts are similar enough, best
 * first. Returns GDPRX_OK or GDPRX_ENOMEM. */
static int pair_similar(side *o, side *n, double min_sim, gdprx_error *err)
{
    cand *c = NULL;
    size_t nc = 0, cap = 0;
    for (size_t i = 0; i < o->n; i++) {
        for (size_t j = 0; o->v[i].pair == NONE && j < n->n; j++) {
            const item *a = &o->v[i], *b = &n->v[j];
            if (b->pair != NONE || !same_label(a->f, b->f))
                continue;
            double s = similarity(a, b);
            if (s < min_sim)
                continue;
            if (gx_grow(&c, &cap, nc + 1, sizeof *c) != 0) {
                free(c);
                return gx_error_nomem(err);
            }
            c[nc++] = (cand){i, j, s, changes(a, b), a->pos > b->pos ? a->pos - b->pos : b->pos - a->pos};
        }
    }
    if (nc)
        qsort(c, nc, sizeof *c, cmp_cand);
    for (size_t k = 0; k < nc; k++) {
        item *a = &o->v[c[k].i], *b = &n->v[c[k].j];
        if (a->pair == NONE && b->pair == NONE) {
            a->pair = c[k].j;
            b->pair = c[k].i;
        }
    }
    free(c);
    return GDPRX_OK;
}

/* ---- entries ----------------------------------------------------------- */

/* Where an entry goes: after newer finding `slot - 1` (slot 0: first);
 * a removed finding (sub 1) after the newer ones of its slot. */
typedef struct keyed {
    gdprx_diff_entry e;
    size_t slot, sub, index;
} keyed;

static int cmp_keyed(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->slot != b->slot)
        return a->slot < b->slot ? -1 : 1;
    if (a->sub != b->sub)
        return a->sub < b->sub ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static size_t collect_new(keyed *k, const side *o, const side *n)
{
    size_t m = 0;
    for (size_t j = 0; j < n->n; j++) {
        const item *b = &n->v[j];
        gdprx_diff_entry e = {GDPRX_DIFF_ADDED, NONE, j, NULL, b->f, 0, 0};
        if (b->pair != NONE) {
            const item *a = &o->v[b->pair];
            e.changes = changes(a, b);
            if (!e.changes)
                continue;
            e.kind = GDPRX_DIFF_CHANGED;
            e.old_index = b->pair;
            e.old_finding = a->f;
            e.similarity = similarity(a, b);
        }
        k[m++] = (keyed){e, j + 1, 0, j};
    }
    return m;
}

static size_t collect_removed(keyed *k, const side *o)
{
    size_t m = 0, slot = 0;
    for (size_t i = 0; i < o->n; i++) {
        const item *a = &o->v[i];
        if (a->pair != NONE) {
            slot = a->pair + 1;
            continue;
        }
        gdprx_diff_entry e = {GDPRX_DIFF_REMOVED, i, NONE, a->f, NULL, 0, 0};
        k[m++] = (keyed){e, slot, 1, i};
    }
    return m;
}

static int build_entries(gdprx_diff_result *d, const side *o, const side *n,
                         gdprx_error *err)
{
    keyed *k = malloc((o->n + n->n + 1) * sizeof *k);
    d->e = malloc((o->n + n->n + 1) * sizeof *d->e);
    if (!k || !d->e) {
        free(k);
        return gx_error_nomem(err);
    }
    size_t m = collect_new(k, o, n);
    m += collect_removed(k + m, o);
    qsort(k, m, sizeof *k, cmp_keyed);
    for (size_t i = 0; i < m; i++)
        d->e[i] = k[i].e;
    d->n = m;
    free(k);
    return GDPRX_OK;
}

/* ---- public ------------------------------------------------------------ */

static int min_similarity(double *out, const gdprx_diff_options *opts,
                          gdprx_error *err)
{
    *out = DEFAULT_MIN_SIMILARITY;
    if (!opts)
        return GDPRX_OK;
    if (opts->size < sizeof(gdprx_diff_options))
        return gx_error_set(err, GDPRX_EINVAL,
                            "diff options not set up with "
                            "gdprx_diff_options_init()");
    double s = opts->min_similarity;
    if (!(s >= 0.0 && s <= 1.0)) /* NaN too */
        return gx_error_set(err, GDPRX_EINVAL,
                            "min_similarity must be between 0 and 1");
    if (s > 0.0)
        *out = s;
    return GDPRX_OK;
}

int gdprx_diff(gdprx_diff_result **out, const gdprx_result *older,
               const gdprx_result *newer, const gdprx_diff_options *opts,
               gdprx_error *err)
{
    if (!out || !older || !newer)
        return gx_error_set(err, GDPRX_EINVAL,
                            "gdprx_diff: NULL out or result");
    double min_sim;
    int rc = min_similarity(&min_sim, opts, err);
    if (rc != GDPRX_OK)
        return rc;
    side o = {0}, n = {0};
    gdprx_diff_result *d = calloc(1, sizeof *d);
    if (!d) {
        rc = gx_error_nomem(err);
        goto out;
    }
    if ((rc = side_init(&o, older, err)) != GDPRX_OK ||
        (rc = side_init(&n, newer, err)) != GDPRX_OK)
        goto out;
    pair_same_text(&o, &n, 1);
    pair_same_text(&o, &n, 0);
    if ((rc = pair_similar(&o, &n, min_sim, err)) != GDPRX_OK ||
        (rc = build_entries(d, &o, &n, err)) != GDPRX_OK)
        goto out;
    *out = d;
    d = NULL;
out:
    gdprx_diff_free(d);
    side_free(&o);
    side_free(&n);
    return rc;
}

void gdprx_diff_free(gdprx_diff_result *diff)
{
    if (!diff)
        return;
    free(diff->e);
    free(diff);
}

size_t gdprx_diff_count(const gdprx_diff_result *diff)
{
    return diff ? diff->n : 0;
}

const gdprx_diff_entry *gdprx_diff_get(const gdprx_diff_result *diff,
                                       size_t i)
{
    return diff && i < diff->n ? &diff->e[i] : NULL;
}
