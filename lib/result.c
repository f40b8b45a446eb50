/* SPDX-License-Identifier: MIT */
/* Stage 6, findings: maps hits back to original offsets, merges overlapping
 * hits of one label (same type, subtype, polarity and attributes), orders
 * findings, and copies every string into the result's pool. */
#include "result.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "attrs.h"
#include "error.h"
#include "util.h"

static void *pool_alloc(gdprx_result *r, size_t n)
{
    return gx_pool_alloc(&r->pool, n, 1);
}

static const char *pool_strndup(gdprx_result *r, const char *s, size_t n)
{
    return gx_pool_strndup(&r->pool, s, n);
}

void gdprx_result_free(gdprx_result *r)
{
    if (!r)
        return;
    gx_pool_free(&r->pool);
    free(r->f);
    free(r->seg);
    free(r);
}

/* ---- merging ------------------------------------------------------------ */

static int cmp_str0(const char *a, size_t na, const char *b, size_t nb)
{
    size_t n = na < nb ? na : nb;
    int c = n ? memcmp(a, b, n) : 0;
    return c ? c : (na > nb) - (na < nb);
}

/* Rules are compared by the ranks worked out at load (gx_rule.label_rank:
 * equal for rules of one label, in the order strcmp gives type, then
 * subtype; gx_rule.id_rank: the order of the ids): every order below is as
 * string comparisons would make it, with a fraction of the work per hit. */
static uint32_t lab_rank(const gdprx_rules *rs, size_t rule)
{
    return rs->rules[rule].label_rank;
}

/* A hit's sort key: its label rank and what the orders below compare,
 * then its index (ties keep their order, as a stable sort does). */
typedef struct hkey {
    uint32_t lab;
    int neg;
    size_t clause, s, e, rule, i;
    const gx_hit *h;
} hkey;

static int cmp_attrs(const gx_hit *a, const gx_hit *b)
{
    int c = strcmp(a->duration, b->duration);
    if (!c)
        c = strcmp(a->duration_max, b->duration_max);
    if (!c)
        c = (a->age > b->age) - (a->age < b->age);
    if (!c)
        c = cmp_str0(a->email ? a->email : "", a->email_e - a->email_s,
                     b->email ? b->email : "", b->email_e - b->email_s);
    return c;
}

/* Same label: type, subtype, polarity and attribute values. */
static int cmp_label(const gdprx_rules *rs, const gx_hit *a, const gx_hit *b)
{
    uint32_t la = lab_rank(rs, a->rule), lb = lab_rank(rs, b->rule);
    int c = (la > lb) - (la < lb);
    if (!c)
        c = a->negated - b->negated;
    return c ? c : cmp_attrs(a, b);
}

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

/* Label, then position (longer first), then rule. */
static int cmp_hit(const void *pa, const void *pb)
{
    const hkey *a = pa, *b = pb;
    int c = CMP(a->lab, b->lab);
    if (!c)
        c = a->neg - b->neg;
    if (!c)
        c = cmp_attrs(a->h, b->h);
    if (!c)
        c = CMP(a->s, b->s);
    if (!c)
        c = CMP(b->e, a->e);
    if (!c)
        c = CMP(a->rule, b->rule);
    return c ? c : CMP(a->i, b->i);
}

/* Statement (type and subtype, clause), then position, then rule. */
static int cmp_stmt(const void *pa, const void *pb)
{
    const hkey *a = pa, *b = pb;
    int c = CMP(a->lab, b->lab);
    if (!c)
        c = CMP(a->clause, b->clause);
    if (!c)
        c = CMP(a->s, b->s);
    if (!c)
        c = CMP(a->e, b->e);
    if (!c)
        c = CMP(a->rule, b->rule);
    return c ? c : CMP(a->i, b->i);
}

/* Sort the n elements of v (size bytes each) by small keys instead of
 * moving the elements at every step: keys[j] (key_size bytes, the
 * caller's) holds at idx_off the index of its element; the keys are
 * sorted with cmp, then the elements are permuted in place, cycle by
 * cycle (each moves once; a copy of the whole array, fresh pages for
 * every part of a long document, cost more than the sort). Returns 0, or
 * -1 when out of memory. */
static int sort_by_keys(void *v, size_t n, size_t size, void *keys,
                        size_t key_size, size_t idx_off,
                        int (*cmp)(const void *, const void *))
{
    char *tmp = malloc(size), *x = v, *kx = keys;
    if (!tmp)
        return -1;
    qsort(keys, n, key_size, cmp);
    for (size_t j = 0; j < n; j++) {
        size_t src;
        memcpy(&src, kx + j * key_size + idx_off, sizeof src);
        if (src == j)
            continue;   /* in place, or placed by an earlier cycle */
        memcpy(tmp, x + j * size, size);
        for (size_t k = j;;) {   /* position k takes element src */
            memcpy(kx + k * key_size + idx_off, &k, sizeof k);
            if (src == j) {
                memcpy(x + k * size, tmp, size);
                break;
            }
            memcpy(x + k * size, x + src * size, size);
            k = src;
            memcpy(&src, kx + k * key_size + idx_off, sizeof src);
        }
    }
    free(tmp);
    return 0;
}

/* Room for n elements of `size` bytes in the caller's scratch *buf
 * (capacity *cap bytes, kept from call to call), or NULL when out of
 * memory. */
static void *scratch(void **buf, size_t *cap, size_t n, size_t size)
{
    return n > SIZE_MAX / size || gx_grow(buf, cap, n * size, 1) ? NULL
                                                                 : *buf;
}

/* Sort hits v[0, n) with cmp (over hkeys; *buf and *cap: key scratch).
 * Returns 0, or -1. */
static int sort_hits(const gdprx_rules *rs, gx_hit *v, size_t n,
                     int (*cmp)(const void *, const void *), void **buf,
                     size_t *cap)
{
    if (n < 2)
        return 0;
    hkey *key = scratch(buf, cap, n, sizeof *key);
    if (!key)
        return -1;
    for (size_t i = 0; i < n; i++)
        key[i] = (hkey){lab_rank(rs, v[i].rule), v[i].negated, v[i].clause,
                        v[i].s, v[i].e, v[i].rule, i, &v[i]};
    return sort_by_keys(v, n, sizeof *v, key, sizeof *key, offsetof(hkey, i),
                        cmp);
}

/* End of the run of hits from i on with i's type, subtype and clause (v
 * sorted by cmp_stmt). */
static size_t statement_end(const gdprx_rules *rs, const gx_hit *v, size_t n,
                            size_t i)
{
    size_t j = i + 1;
    while (j < n && v[j].clause == v[i].clause &&
           lab_rank(rs, v[j].rule) == lab_rank(rs, v[i].rule))
        j++;
    return j;
}

/* Keep the hits not marked in drop (which is freed). Returns their count. */
static size_t compact(gx_hit *v, size_t n, unsigned char *drop)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!drop[i])
            v[w++] = v[i];
    free(drop);
    return w;
}

/* One statement, one polarity: an affirmed hit that overlaps a negated hit
 * of the same type and subtype in the same clause is dropped (the denial
 * read the same words with their negation: "we do not sell your data"
 * also contains "sell your data"). Returns the new count. */
static size_t resolve_polarity(const gdprx_rules *rs, gx_hit *v, size_t n)
{
    if (n < 2)
        return n;
    unsigned char *drop = calloc(n, 1);
    if (!drop)
        return n;   /* best effort: without memory both are kept */
    for (size_t i = 0; i < n;) {
        size_t j = statement_end(rs, v, n, i);   /* [i, j): one statement */
        for (size_t a = i; a < j; a++)
            for (size_t b = i; b < j && !v[a].negated && !drop[a]; b++)
                if (v[b].negated && v[b].s < v[a].e && v[a].s < v[b].e)
                    drop[a] = 1;
        i = j;
    }
    return compact(v, n, drop);
}

/* Attribute by attribute, has `in` nothing that `out` lacks or says
 * otherwise? */
static int attrs_within(const gx_hit *in, const gx_hit *out)
{
    if (in->duration[0] && strcmp(in->duration, out->duration))
        return 0;
    if (in->duration_max[0] && strcmp(in->duration_max, out->duration_max))
        return 0;
    if (in->age >= 0 && in->age != out->age)
        return 0;
    return !in->email_e ||
           (out->email_e &&
            !cmp_str0(in->email, in->email_e - in->email_s, out->email,
                      out->email_e - out->email_s));
}

static void copy_attrs(gx_hit *to, const gx_hit *from)
{
    memcpy(to->duration, from->duration, sizeof to->duration);
    memcpy(to->duration_max, from->duration_max, sizeof to->duration_max);
    to->age = from->age;
    to->email_s = from->email_s;
    to->email_e = from->email_e;
    to->email = from->email;
}

/* One finding per label and statement: in a clause, a hit of one type,
 * subtype and polarity whose span lies inside another's ("data protection
 * officer" inside "data protection officer at dpo@example.org") is folded
 * into the outer one; the outer one takes the inner one's attribute values
 * when it has none that differ. Two hits that overlap without either
 * holding the other ("Ecrivez a" and "a privacy@example.fr") fold the same
 * way into one whose span covers both. Hits with conflicting values (two
 * periods) stay apart. v is sorted by cmp_stmt. Returns the new count. */
static size_t fold_nested(const gdprx_rules *rs, gx_hit *v, size_t n)
{
    unsigned char *drop = n > 1 ? calloc(n, 1) : NULL;
    if (!drop)
        return n;   /* best effort: without memory both are kept */
    for (size_t i = 0; i < n;) {
        size_t j = statement_end(rs, v, n, i);   /* [i, j): one statement */
        for (size_t a = i; a < j; a++)
            for (size_t b = i; b < j && !drop[a]; b++) {
                gx_hit *o = &v[b];
                if (b == a || drop[b] || o->negated != v[a].negated ||
                    o->s >= v[a].e || v[a].s >= o->e ||
                    (o->s == v[a].s && o->e == v[a].e && b > a))
                    continue;   /* equal spans: the first one stays */
                /* a inside o, or a partial overlap where a starts later */
                int inside = o->s <= v[a].s && v[a].e <= o->e;
                if (!inside && o->s >= v[a].s)
                    continue;
                if (attrs_within(&v[a], o)) {
                    drop[a] = 1;
                } else if (attrs_within(o, &v[a])) {
                    copy_attrs(o, &v[a]);
                    drop[a] = 1;
                }
                if (drop[a]) {   /* o now covers a's words too */
                    o->s = o->s < v[a].s ? o->s : v[a].s;
                    o->e = o->e > v[a].e ? o->e : v[a].e;
                }
            }
        i = j;
    }
    return compact(v, n, drop);
}

/* Fold each run of overlapping hits of one label into its first hit
 * (whose span grows to cover the run); v is sorted by cmp_hit. Returns the
 * new count. */
static size_t merge_hits(const gdprx_rules *rs, gx_hit *v, size_t n)
{
    if (n < 2)
        return n;
    size_t w = 0;
    for (size_t i = 1; i < n; i++) {
        gx_hit *o = &v[w];
        if (!cmp_label(rs, o, &v[i]) && v[i].s < o->e) {
            if (v[i].e > o->e)
                o->e = v[i].e;
            continue;
        }
        v[++w] = v[i];
    }
    return w + 1;
}

/* A finding's sort key: position, label, polarity, rule id (as ranks),
 * then its index. */
typedef struct fkey {
    size_t start, end;
    uint32_t lab, id;
    int pol;
    size_t i;
} fkey;

static int cmp_finding(const void *pa, const void *pb)
{
    const fkey *a = pa, *b = pb;
    int c = CMP(a->start, b->start);
    if (!c)
        c = CMP(a->end, b->end);
    if (!c)
        c = CMP(a->lab, b->lab);
    if (!c)
        c = a->pol - b->pol;
    if (!c)
        c = CMP(a->id, b->id);
    return c ? c : CMP(a->i, b->i);
}

/* Order findings f[0, n), made from hits v[0, n) in that order, by
 * position, then label, polarity and rule id. Returns 0, or -1 when out
 * of memory. */
static int sort_findings(const gdprx_rules *rs, gdprx_finding *f,
                         const gx_hit *v, size_t n, void **buf, size_t *cap)
{
    if (n < 2)
        return 0;
    fkey *key = scratch(buf, cap, n, sizeof *key);
    if (!key)
        return -1;
    for (size_t i = 0; i < n; i++)
        key[i] = (fkey){f[i].start, f[i].end, lab_rank(rs, v[i].rule),
                        rs->rules[v[i].rule].id_rank, (int)f[i].polarity, i};
    return sort_by_keys(f, n, sizeof *f, key, sizeof *key, offsetof(fkey, i),
                        cmp_finding);
}

/* ---- building ------------------------------------------------------------ */

typedef struct bctx {
    gdprx_result *r;
    const gx_text *t;
    const char *orig;
    const gx_doc *doc;
    const char **sections;   /* original heading text per heading, copied
                                into the result's pool when first used
                                (a page of short paragraphs read as
                                headings held a copy of itself) */
    struct rulestr *rules;   /* pooled copies per rule, built lazily */
    gx_pool *fp;             /* where the strings of one finding go: the
                                result's pool, or the part's when streamed */
    const gdprx_rules *rs;
    unsigned flags;          /* GDPRX_OPT_* of the analysis */
    const gx_witness *wit;   /* the witnesses of the part's hits */
} bctx;

/* A rule's strings, copied into the result once however many findings. */
struct rulestr {
    const char *type, *subtype, *id;
    const char **articles;
};

static gdprx_lang pub_lang(int idx)
{
    return idx < 0 ? GDPRX_LANG_AUTO : (gdprx_lang)(idx + 1);
}

/* The original bytes of normalized span [s, e), copied into pool p. */
static const char *orig_str(bctx *b, gx_pool *p, size_t s, size_t e)
{
    size_t os = gx_text_ostart(b->t, s), oe = gx_text_oend(b->t, e);
    return gx_pool_strndup(p, b->orig + os, oe - os);
}

/* *out: heading i's original text (NULL when i < 0: no section). Returns
 * 0, or -1 when out of memory. */
static int section_str(bctx *b, long i, const char **out)
{
    if (i < 0) {
        *out = NULL;
        return 0;
    }
    if (!b->sections[i] &&
        !(b->sections[i] = orig_str(b, &b->r->pool, b->doc->hd[i].s,
                                    b->doc->hd[i].e)))
        return -1;
    *out = b->sections[i];
    return 0;
}

/* An e-mail address as written, without the invisible characters the
 * normalizer dropped (attrs.c). */
static const char *email_str(bctx *b, size_t s, size_t e)
{
    size_t os = gx_text_ostart(b->t, s), oe = gx_text_oend(b->t, e);
    char *d = gx_pool_alloc(b->fp, oe - os + 1, 1);
    if (d) {
        memcpy(d, b->orig + os, oe - os);
        d[oe - os] = '\0';
        gx_strip_ignorable(d);
    }
    return d;
}

static const struct rulestr *rule_strings(bctx *b, size_t ri,
                                          const gx_rule *rule)
{
    struct rulestr *rs = &b->rules[ri];
    if (rs->id)
        return rs;
    gdprx_result *r = b->r;
    const char **a = pool_alloc(r, (rule->n_articles + 1) * sizeof *a);
    if (!a)
        return NULL;
    for (size_t k = 0; k < rule->n_articles; k++)
        if (!(a[k] = pool_strndup(r, rule->articles[k],
                                  strlen(rule->articles[k]))))
            return NULL;
    a[rule->n_articles] = NULL;
    rs->articles = a;
    if (!(rs->type = pool_strndup(r, rule->type, strlen(rule->type))) ||
        !(rs->subtype = pool_strndup(r, rule->subtype, strlen(rule->subtype))) ||
        !(rs->id = pool_strndup(r, rule->id, strlen(rule->id))))
        return NULL;
    return rs;
}

/* 'keep "stored", period "two years"': a case's witnesses as written. */
static const char *witnesses_str(bctx *b, const gx_hit *h)
{
    gx_buf s = {0};
    for (size_t i = 0; i < h->n_wit; i++) {
        const gx_witness *w = &b->wit[h->wit + i];
        size_t os = gx_text_ostart(b->t, w->s), oe = gx_text_oend(b->t, w->e);
        gx_buf_printf(&s, "%s%s \"", i ? ", " : "",
                      b->rs->concepts[w->concept].name);
        gx_buf_add(&s, b->orig + os, oe - os);
        gx_buf_addc(&s, '"');
    }
    const char *out = s.oom ? NULL : gx_pool_strndup(b->fp, s.s, s.len);
    gx_buf_free(&s);
    return out;
}

static int finding_of(bctx *b, const gx_hit *h, gdprx_finding *f)
{
    const gx_rule *rule = h->r;
    const gx_clause *c = &b->doc->cl[h->clause];
    const struct rulestr *rs = rule_strings(b, h->rule, rule);
    if (!rs)
        return -1;
    memset(f, 0, sizeof *f);
    f->type = rs->type;
    f->subtype = rs->subtype;
    f->rule_id = rs->id;
    f->articles = rs->articles;
    f->n_articles = rule->n_articles;
    f->polarity = h->negated ? GDPRX_NEGATED : GDPRX_AFFIRMED;
    f->start = gx_text_ostart(b->t, h->s);
    f->end = gx_text_oend(b->t, h->e);
    f->clause_start = gx_text_ostart(b->t, c->s);
    f->clause_end = gx_text_oend(b->t, c->e);
    if (section_str(b, c->section, &f->section) != 0)
        return -1;
    f->age = h->age;
    f->pattern_index = h->pattern;
    f->lang = pub_lang(c->lang);
    gx_pool *p = b->fp;
    if (!(f->text = gx_pool_strndup(p, b->orig + f->start, f->end - f->start)))
        return -1;
    f->text_len = f->end - f->start;
    if (h->duration[0] &&
        !(f->duration = gx_pool_strndup(p, h->duration, strlen(h->duration))))
        return -1;
    if (h->duration_max[0] &&
        !(f->duration_max =
              gx_pool_strndup(p, h->duration_max, strlen(h->duration_max))))
        return -1;
    if (h->email_e > h->email_s && !(f->email = email_str(b, h->email_s,
                                                          h->email_e)))
        return -1;
    if (h->cue_e > h->cue_s && !(f->negation_cue = orig_str(b, p, h->cue_s,
                                                            h->cue_e)))
        return -1;
    if (h->n_wit && (b->flags & GDPRX_OPT_EXPLAIN) &&
        !(f->concepts = witnesses_str(b, h)))
        return -1;
    return 0;
}

static int add_segment(gdprx_result *r, gdprx_segment_kind k, size_t s,
                       size_t e, gdprx_lang lang, const char *section)
{
    if (gx_grow(&r->seg, &r->cap_seg, r->n_seg + 1, sizeof *r->seg) != 0)
        return -1;
    gdprx_segment *g = &r->seg[r->n_seg++];
    g->kind = k;
    g->start = s;
    g->end = e;
    g->lang = lang;
    g->section = section;
    return 0;
}


/* The builder of one result, fed part by part (gx_result_add). */
struct gx_rbuild {
    bctx b;
    int doc_lang;
    size_t h, p;     /* the next heading and paragraph to list as segments */
    char **warn;     /* owned, heap strings: warnings of the parts so far */
    size_t n_warn, cap_warn;
    const gx_emit *emit;  /* borrowed; NULL: the result keeps its findings */
    gx_covacc *cov;  /* owned, when streamed: coverage of the findings out */
    size_t n_out;    /* findings handed to emit so far */
    gx_pool part;    /* owned, when streamed: strings of the part's findings */
    void *keys;      /* owned: sort keys, kept from part to part */
    size_t cap_keys; /* bytes */
};

#define MAX_WARNINGS 100   /* as the matcher keeps */

/* Headings and paragraphs that start before hi, and the part's clauses
 * (all of them start before hi) unless n_cl is 0, in document order; none
 * with GDPRX_OPT_NO_SEGMENTS. */
static int segments(gx_rbuild *rb, size_t hi, size_t n_cl)
{
    bctx *b = &rb->b;
    if (b->flags & GDPRX_OPT_NO_SEGMENTS)
        return 0;
    const gx_doc *d = b->doc;
    const gx_text *t = b->t;
    size_t c = 0;
    for (;;) {
        size_t hs = rb->h < d->n_hd && d->hd[rb->h].s < hi ? d->hd[rb->h].s
                                                            : (size_t)-1;
        size_t ps = rb->p < d->n_pa && d->pa[rb->p].s < hi ? d->pa[rb->p].s
                                                            : (size_t)-1;
        size_t cs = c < n_cl ? d->cl[c].s : (size_t)-1;
        if (hs == (size_t)-1 && ps == (size_t)-1 && cs == (size_t)-1)
            return 0;
        int rc;
        const char *sec;
        if (hs <= ps && hs <= cs) {
            rc = section_str(b, (long)rb->h, &sec) ||
                 add_segment(b->r, GDPRX_SEG_HEADING, gx_text_ostart(t, hs),
                             gx_text_oend(t, d->hd[rb->h].e),
                             pub_lang(rb->doc_lang), sec);
            rb->h++;
        } else if (ps <= cs) {
            const gx_para *pa = &d->pa[rb->p++];
            rc = section_str(b, pa->section, &sec) ||
                 add_segment(b->r, GDPRX_SEG_PARAGRAPH, gx_text_ostart(t, ps),
                             gx_text_oend(t, pa->e), pub_lang(pa->lang), sec);
        } else {
            const gx_clause *cl = &d->cl[c++];
            rc = section_str(b, cl->section, &sec) ||
                 add_segment(b->r, GDPRX_SEG_CLAUSE, gx_text_ostart(t, cs),
                             gx_text_oend(t, cl->e), pub_lang(rb->doc_lang),
                             sec);
        }
        if (rc)
            return -1;
    }
}

void gx_result_abort(gx_rbuild *rb)
{
    if (!rb)
        return;
    for (size_t i = 0; i < rb->n_warn; i++)
        free(rb->warn[i]);
    free(rb->warn);
    free(rb->b.sections);
    free(rb->b.rules);
    gx_covacc_free(rb->cov);
    gx_pool_free(&rb->part);
    free(rb->keys);
    gdprx_result_free(rb->b.r);
    free(rb);
}

int gx_result_begin(gx_rbuild **out, const gdprx_rules *rs, const gx_text *t,
                    const char *orig, const gx_doc *doc, int doc_lang,
                    unsigned flags, const gx_emit *emit, gdprx_error *err)
{
    gx_rbuild *rb = calloc(1, sizeof *rb);
    if (!rb)
        return gx_error_nomem(err);
    gdprx_result *r = calloc(1, sizeof *r);
    rb->b = (bctx){r, t, orig, doc, NULL, NULL, r ? &r->pool : NULL, rs,
                   flags, NULL};
    rb->doc_lang = doc_lang;
    rb->emit = emit;
    if (!r || (emit && gx_covacc_new(&rb->cov)))
        goto oom;
    if (emit)
        rb->b.fp = &rb->part;
    r->lang = pub_lang(doc_lang);
    rb->b.sections = calloc(doc->n_hd + 1, sizeof *rb->b.sections);
    rb->b.rules = calloc(rs->n_rules + 1, sizeof *rb->b.rules);
    if (!rb->b.sections || !rb->b.rules)
        goto oom;
    *out = rb;
    return GDPRX_OK;
oom:
    gx_result_abort(rb);
    return gx_error_nomem(err);
}

/* Streamed: hand the part's findings (all of r->f) to emit, in order, and
 * drop them with their strings. */
static int emit_part(gx_rbuild *rb, gdprx_error *err)
{
    gdprx_result *r = rb->b.r;
    for (size_t i = 0; i < r->n; i++, rb->n_out++) {
        if (gx_covacc_add(rb->cov, &r->f[i], rb->n_out))
            return gx_error_nomem(err);
        if (rb->emit->finding(rb->emit->ctx, &r->f[i], rb->n_out))
            return gx_error_offset(err, GDPRX_EIO, r->f[i].start,
                                   "the finding callback stopped the analysis "
                                   "at finding %zu", rb->n_out);
    }
    r->n = 0;
    gx_pool_free(&rb->part);
    return GDPRX_OK;
}

int gx_result_add(gx_rbuild *rb, gx_hits *hits, size_t hi, gdprx_error *err)
{
    bctx *b = &rb->b;
    gdprx_result *r = b->r;
    const gdprx_rules *rs = b->rs;
    b->wit = hits->wit;
    if (sort_hits(rs, hits->v, hits->n, cmp_stmt, &rb->keys, &rb->cap_keys))
        return gx_error_nomem(err);
    hits->n = resolve_polarity(rs, hits->v, hits->n);
    hits->n = fold_nested(rs, hits->v, hits->n);
    if (sort_hits(rs, hits->v, hits->n, cmp_hit, &rb->keys, &rb->cap_keys))
        return gx_error_nomem(err);
    hits->n = merge_hits(rs, hits->v, hits->n);
    if (hits->n && gx_grow(&r->f, &r->cap, r->n + hits->n, sizeof *r->f))
        return gx_error_nomem(err);
    size_t n0 = r->n;
    for (size_t i = 0; i < hits->n; i++)
        if (finding_of(b, &hits->v[i], &r->f[r->n++]) != 0)
            return gx_error_nomem(err);
    /* a part's findings all start before the next part's (r->f is NULL
     * while there are none: no pointer arithmetic on it then) */
    if (r->n - n0 > 1 && sort_findings(rs, r->f + n0, hits->v, r->n - n0,
                                        &rb->keys, &rb->cap_keys))
        return gx_error_nomem(err);
    if (segments(rb, hi, b->doc->n_cl) != 0)
        return gx_error_nomem(err);
    int rc;
    if (rb->emit && (rc = emit_part(rb, err)) != GDPRX_OK)
        return rc;
    for (size_t i = 0; i < hits->n_warn; i++) {   /* moved, up to the cap */
        if (rb->n_warn < MAX_WARNINGS &&
            !gx_grow(&rb->warn, &rb->cap_warn, rb->n_warn + 1,
                     sizeof *rb->warn)) {
            rb->warn[rb->n_warn++] = hits->warn[i];
            hits->warn[i] = NULL;
        }
    }
    return GDPRX_OK;
}

int gx_result_end(gx_rbuild *rb, gdprx_result **out, gdprx_error *err)
{
    gdprx_result *r = rb->b.r;
    if (segments(rb, (size_t)-1, 0) != 0)
        goto oom;
    if (r->cap > r->n) {   /* give back what the growth left over */
        gdprx_finding *f = realloc(r->f, (r->n ? r->n : 1) * sizeof *f);
        if (f) {
            r->f = f;
            r->cap = r->n ? r->n : 1;
        }
    }
    if (r->cap_seg > r->n_seg && r->n_seg) {
        gdprx_segment *g = realloc(r->seg, r->n_seg * sizeof *g);
        if (g) {
            r->seg = g;
            r->cap_seg = r->n_seg;
        }
    }
    size_t n_idx = rb->cov ? gx_covacc_entries(rb->cov)
                           : gx_coverage_entries(r->f, r->n);
    size_t *cov_idx = pool_alloc(r, (n_idx + 1) * sizeof *cov_idx);
    if (!cov_idx)
        goto oom;
    if (rb->cov)
        gx_covacc_finish(rb->cov, r->cov, cov_idx);
    else
        gx_coverage(r->cov, cov_idx, r->f, r->n);
    r->n_streamed = rb->n_out;
    if (rb->n_warn) {
        if (!(r->warn = pool_alloc(r, rb->n_warn * sizeof *r->warn)))
            goto oom;
        for (size_t i = 0; i < rb->n_warn; i++)
            if (!(r->warn[r->n_warn++] =
                      pool_strndup(r, rb->warn[i], strlen(rb->warn[i]))))
                goto oom;
    }
    rb->b.r = NULL;
    gx_result_abort(rb);
    *out = r;
    return GDPRX_OK;
oom:
    gx_result_abort(rb);
    return gx_error_nomem(err);
}

/* ---- accessors ------------------------------------------------------------- */

gdprx_lang gdprx_result_lang(const gdprx_result *r)
{
    return r ? r->lang : GDPRX_LANG_AUTO;
}

size_t gdprx_result_count(const gdprx_result *r) { return r ? r->n : 0; }

size_t gdprx_result_streamed(const gdprx_result *r)
{
    return r ? r->n_streamed : 0;
}

const gdprx_finding *gdprx_result_get(const gdprx_result *r, size_t i)
{
    return r && i < r->n ? &r->f[i] : NULL;
}

size_t gdprx_result_segment_count(const gdprx_result *r)
{
    return r ? r->n_seg : 0;
}

const gdprx_segment *gdprx_result_segment(const gdprx_result *r, size_t i)
{
    return r && i < r->n_seg ? &r->seg[i] : NULL;
}

size_t gdprx_result_warning_count(const gdprx_result *r)
{
    return r ? r->n_warn : 0;
}

const char *gdprx_result_warning(const gdprx_result *r, size_t i)
{
    return r && i < r->n_warn ? r->warn[i] : NULL;
}

size_t gdprx_result_coverage_count(const gdprx_result *r)
{
    return r ? GX_COVERAGE_ITEMS : 0;
}

const gdprx_coverage_item *gdprx_result_coverage(const gdprx_result *r,
                                                 size_t i)
{
    return r && i < GX_COVERAGE_ITEMS ? &r->cov[i] : NULL;
}
