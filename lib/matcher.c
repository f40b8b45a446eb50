/* SPDX-License-Identifier: MIT */
/* Stage 5, matching. For each clause, in its language: every selected rule's
 * patterns (JIT code, bounded by PCRE2 match and depth limits), negation by
 * the lexicon's cues around the match, attributes from named groups. A
 * pattern that exceeds a limit on a clause is skipped there with a warning. */
#include "matcher.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "util.h"

#define MATCH_LIMIT 1000000u   /* PCRE2 match() calls per attempt */
#define DEPTH_LIMIT 10000u     /* backtracking depth */
#define HEAP_LIMIT 20000u      /* KiB of PCRE2 heap per match */
#define JIT_STACK_MAX (1u << 20)
#define MAX_WARNINGS 100

typedef struct span {
    size_t s, e;
} span;

typedef struct cueset {        /* negation cues of a span of text */
    span *cues;                /* those no 'ignore' match overlaps */
    size_t n, cap;
    span brk[16];              /* scope breaks ("unless"), when cues exist */
    size_t n_brk;
    span exc[16];              /* exceptions ("except"), when cues exist */
    size_t n_exc;
} cueset;

/* A concept found in the current clause: by the scanner (plain terms), or
 * by its regex terms (with their attributes in a). */
typedef struct chit {
    uint32_t concept;
    unsigned have;             /* GX_ATTR_* set in m->av[ai] */
    size_t s, e;
    size_t ai;                 /* attributes (regex terms only): m->av[ai] */
    uint32_t next;             /* the concept's next hit in the clause
                                  (index in m->ch), or NO_HIT */
} chit;

#define NO_HIT UINT32_MAX

/* The concepts of one span (a heading, a lead-in, a row or column header
 * cell) that section and lead conditions ask about: every clause under a
 * heading or list asks about the same span, so its concept set is worked
 * out once (a long lead-in above many items would otherwise be walked once
 * per item). A small direct-mapped cache keyed by the span. */
#define SPAN_SLOTS 16
typedef struct spanset {
    size_t s, e;
    int lang;                  /* -1: empty slot */
} spanset;

#define GROUP_SLOTS 64   /* codes whose attribute groups are known */
#define GROUP_MAX 8      /* numbers kept per attribute name */
enum { G_DURATION_MAX, G_DURATION, G_AGE, G_EMAIL, G_NAMES };

typedef struct gslot {   /* a code's attribute group numbers */
    const pcre2_code *re;
    uint8_t n[G_NAMES];  /* how many, GROUP_MAX + 1 when more */
    uint16_t g[G_NAMES][GROUP_MAX];
} gslot;

typedef struct mstate {
    const gdprx_rules *rs;
    const gx_text *t;
    const gx_doc *doc;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *js;       /* NULL until a JIT match needs it */
    gx_hits *out;
    unsigned char *present[GX_NLANG]; /* prefilter literals in the clause */
    unsigned char *neg_present;       /* the literals of its lexicon's
                                         neg_pf that the span find_cues
                                         last looked at holds */
    uint32_t *neg_set;                /* ids set in neg_present */
    size_t n_neg_set;
    uint32_t *set;             /* ids set in present[set_lang] */
    size_t n_set;
    int set_lang;
    cueset cl;                 /* negation cues of the current clause */
    cueset ld;                 /* ... of the last list lead-in looked at */
    int cues_done;
    gdprx_error *err;
    /* concepts: the document's term hits per language (one scan each) */
    gx_scan_hits *sh;          /* [GX_NLANG], the caller's work->sh */
    gx_scan_hits *piece;       /* work->piece */
    int scanned[GX_NLANG];
    chit *ch;                  /* concept hits of the current clause */
    size_t n_ch, cap_ch;
    uint32_t *chead, *ctail;   /* [n_concepts]: a concept's first and last
                                  hit in the clause, valid where cstamp
                                  is the clause's stamp (lists in m->ch
                                  order: nearest() and the anchors look at
                                  one concept's hits, not the clause's) */
    uint32_t *cstamp;          /* [n_concepts] */
    uint32_t stamp;            /* clause_setup calls so far */
    gx_hit *av;                /* their attribute values (duration, age,
                                * email only), for regex-term hits */
    size_t n_av, cap_av;
    unsigned char *cpresent;   /* [n_concepts]: in the current clause */
    uint32_t *rx_stamp;        /* [n_concepts]: clause + 1 whose regex terms
                                  were run */
    uint64_t *pbits;           /* bit per pnum: triggered in this clause */
    uint32_t *tstamp;          /* [pnums]: stamp of the clause tcount is of */
    uint8_t *tcount;           /* [pnums]: its triggers found in the clause */
    uint32_t *cand;            /* candidate pnums of the clause */
    size_t n_cand;
    spanset span[SPAN_SLOTS];  /* concepts of recent headings and lead-ins */
    uint64_t *span_bits;       /* SPAN_SLOTS * span_words */
    gslot gs[GROUP_SLOTS];     /* attribute groups of recent codes */
    size_t span_words;
    int lead_seen;             /* lead-in paragraph + 1 whose denial was */
    int lead_denied;           /* last worked out, and the answer */
    size_t lead_cue_s, lead_cue_e;
} mstate;

int gx_hits_warn(gx_hits *h, const char *fmt, ...)
{
    if (h->n_warn >= MAX_WARNINGS)
        return 0;
    if (gx_grow(&h->warn, &h->cap_warn, h->n_warn + 1, sizeof *h->warn) != 0)
        return -1;
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (!(h->warn[h->n_warn] = gx_strdup(buf)))
        return -1;
    h->n_warn++;
    return 0;
}

/* pcre2_match with the analysis' match data and limits. JIT code runs on
 * PCRE2's 32 KB default stack; a match that needs more gets a stack of up
 * to JIT_STACK_MAX, made on first need (once per analysis), and runs again.
 * Making that stack for every document cost an mmap and a munmap per
 * analysis, which threads serialize on (the address-space lock, TLB
 * shootdowns): 2 threads lost ~5-10 % of their speedup to it. */
static int run_re(mstate *m, const pcre2_code *re, PCRE2_SPTR subject,
                  size_t len, size_t pos)
{
    int rc = pcre2_match(re, subject, len, pos, PCRE2_NO_UTF_CHECK, m->md,
                         m->mctx);
    if (rc != PCRE2_ERROR_JIT_STACKLIMIT || m->js)
        return rc;
    if (!(m->js = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL)))
        return PCRE2_ERROR_NOMEMORY;
    pcre2_jit_stack_assign(m->mctx, NULL, m->js);
    return pcre2_match(re, subject, len, pos, PCRE2_NO_UTF_CHECK, m->md,
                       m->mctx);
}

/* Does a span that holds the prefilter literals `present` (NULL: not
 * known) hold one of branch k's (or has it none)? */
static int branch_may_match(const gx_spanset *ss, size_t k,
                            const unsigned char *present)
{
    if (!present || !ss->n_lits || !ss->n_lits[k])
        return 1;
    for (size_t j = 0; j < ss->n_lits[k]; j++)
        if (present[ss->lits[k][j]])
            return 1;
    return 0;
}

/* The matches of each branch of span set ss (empty: none) in normalized
 * span [s, e), whose prefilter literals are `present` (NULL: not known,
 * every branch runs): the first max by start, then end, without
 * duplicates, into out; returns their count. */
static size_t spans_of(mstate *m, const gx_spanset *ss, size_t s, size_t e,
                       const unsigned char *present, span *out, size_t max)
{
    PCRE2_SPTR cx = (PCRE2_SPTR)m->t->s + s;
    size_t cl = e - s, n = 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    for (size_t k = 0; k < ss->n; k++) {
        if (!branch_may_match(ss, k, present))
            continue;
        for (size_t pos = 0; pos < cl;) {
            if (run_re(m, ss->re[k], cx, cl, pos) < 0)
                break;
            span sp = {s + ov[0], s + ov[1]};
            pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
            /* into out, ordered by start then end; the first max kept */
            size_t i = n;
            while (i > 0 && (out[i - 1].s > sp.s ||
                             (out[i - 1].s == sp.s && out[i - 1].e > sp.e)))
                i--;
            if (i == max || (i > 0 && out[i - 1].s == sp.s &&
                             out[i - 1].e == sp.e))
                continue;   /* past the first max, or the same span */
            size_t keep = n < max ? n : max - 1;
            memmove(out + i + 1, out + i, (keep - i) * sizeof *out);
            out[i] = sp;
            n = keep + 1;
        }
    }
    return n;
}

/* The negation cues of normalized span [s, e) that no 'ignore' match
 * overlaps, its scope breaks and its exceptions, into *o (the span-set
 * branches run where the span holds one of their literals). */
static int find_cues(mstate *m, size_t s, size_t e, const gx_lexicon *lx,
                     cueset *o)
{
    o->n = 0;
    o->n_brk = 0;
    o->n_exc = 0;
    if (!lx->neg_cues)
        return 0;
    PCRE2_SPTR cx = (PCRE2_SPTR)m->t->s + s;
    size_t cl = e - s;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    /* the cues first: most clauses have none, and then the (long) ignore
     * and break patterns need not run */
    for (size_t pos = 0; pos < cl;) {
        if (run_re(m, lx->neg_cues, cx, cl, pos) < 0)
            break;
        span sp = {s + ov[0], s + ov[1]};
        pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        if (sp.e <= sp.s)
            continue;
        if (gx_grow(&o->cues, &o->cap, o->n + 1, sizeof *o->cues))
            return -1;
        o->cues[o->n++] = sp;
    }
    if (!o->n)
        return 0;
    const unsigned char *present = NULL;
    if (!m->rs->prefilter_off) {
        for (size_t k = 0; k < m->n_neg_set; k++)   /* the last span's */
            m->neg_present[m->neg_set[k]] = 0;
        m->n_neg_set = 0;
        gx_prefilter_scan(&lx->neg_pf, m->t->s + s, e - s, m->neg_present,
                          m->neg_set, &m->n_neg_set);
        present = m->neg_present;
    }
    span ign[32];
    size_t n_ign = spans_of(m, &lx->neg_ignore, s, e, present, ign, 32);
    size_t w = 0;   /* keep the cues no 'ignore' match overlaps */
    for (size_t k = 0; k < o->n; k++) {
        int ignored = 0;
        for (size_t g = 0; g < n_ign && !ignored; g++)
            ignored = o->cues[k].s < ign[g].e && o->cues[k].e > ign[g].s;
        if (!ignored)
            o->cues[w++] = o->cues[k];
    }
    o->n = w;
    if (w) {
        o->n_brk = spans_of(m, &lx->neg_breaks, s, e, present, o->brk, 16);
        o->n_exc = spans_of(m, &lx->neg_except, s, e, present, o->exc, 16);
    }
    return 0;
}

static size_t spaces_between(const char *x, size_t a, size_t b)
{
    size_t n = 0;
    for (size_t i = a; i < b; i++)
        n += x[i] == ' ';
    return n;
}

/* Does an exception ("except", "sauf", "behalve") start inside [a, b)? */
static int excepted(const mstate *m, size_t a, size_t b)
{
    for (size_t k = 0; k < m->cl.n_exc; k++)
        if (m->cl.exc[k].s >= a && m->cl.exc[k].s < b)
            return 1;
    return 0;
}

/* Does a scope break ("unless", "tenzij", ", mag je") start inside [a, b)?
 * (It may run into the match: ", mag je vragen" opens the main clause.) */
static int broken(const mstate *m, size_t a, size_t b)
{
    for (size_t k = 0; k < m->cl.n_brk; k++)
        if (m->cl.brk[k].s >= a && m->cl.brk[k].s < b)
            return 1;
    return 0;
}

/* The negation cue that applies to match [s, e), if any: the nearest
 * within the lexicon's reach, unless a scope break lies between the two, or
 * an exception between the cue and the end of the match. */
static const span *negation(const mstate *m, const gx_lexicon *lx, size_t s,
                            size_t e)
{
    const span *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t k = 0; k < m->cl.n; k++) {
        const span *c = &m->cl.cues[k];
        size_t d;
        if (c->s >= s && c->e <= e)
            d = 0;
        else if (c->e <= s)
            d = spaces_between(m->t->s, c->e, s);
        else if (c->s >= e)
            d = spaces_between(m->t->s, e, c->s);
        else
            d = 0;
        size_t lim = c->e <= s ? (size_t)lx->neg_before
                     : c->s >= e ? (size_t)lx->neg_after
                                 : (size_t)-1;
        if (c->s >= e && lx->neg_after == 0)
            continue;
        if ((c->e <= s && broken(m, c->e, s)) || (c->s >= e && broken(m, e, c->s)))
            continue;
        /* an exception between the cue and the match's end: what the match
         * states comes after it ("we share it with no one except our
         * host", "no data is collected, except your IP address") */
        if (c->s < e && excepted(m, c->e, e))
            continue;
        /* ... and a cue inside the match after an exception denies the
         * exception, not the statement before it ("you can edit your data
         * (except that you cannot change your user name)") */
        if (c->s >= s && c->e <= e && excepted(m, s, c->s))
            continue;
        if (d <= lim && d < best_d) {
            best = c;
            best_d = d;
        }
    }
    return best;
}

/* Span of group n in the last match (made on a subject starting at
 * normalized offset `base`), if the group is set and not empty. */
static int group_span(const mstate *m, uint32_t n, size_t base, size_t *s,
                      size_t *e)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    if (n >= pcre2_get_ovector_count(m->md) || ov[2 * n] == PCRE2_UNSET ||
        ov[2 * n + 1] <= ov[2 * n])
        return 0;
    *s = base + ov[2 * n];
    *e = base + ov[2 * n + 1];
    return 1;
}

/* Span of named group `name` in the last match of re, the first of its
 * numbers that is set (looked up in re's name table). */
static int group_scan(const mstate *m, const pcre2_code *re, const char *name,
                      size_t base, size_t *s, size_t *e)
{
    PCRE2_SPTR first, last;
    int esz = pcre2_substring_nametable_scan(re, (PCRE2_SPTR)name, &first,
                                             &last);
    for (PCRE2_SPTR p = first; esz > 0 && p <= last; p += esz)
        if (group_span(m, (uint32_t)((p[0] << 8) | p[1]), base, s, e))
            return 1;
    return 0;
}

static const char *const attr_group[G_NAMES] = {"duration_max", "duration",
                                                "age", "email"};

/* The numbers of re's attribute groups (looked up in its name table once
 * per code and part: a lookup per match cost ~8 % of the analysis of
 * finding-dense text). */
static const gslot *groups_of(mstate *m, const pcre2_code *re)
{
    gslot *g = &m->gs[((uintptr_t)re >> 4) % GROUP_SLOTS];
    if (g->re == re)
        return g;
    g->re = re;
    for (int k = 0; k < G_NAMES; k++) {
        PCRE2_SPTR first, last;
        int esz = pcre2_substring_nametable_scan(
            re, (PCRE2_SPTR)attr_group[k], &first, &last);
        g->n[k] = 0;
        if (esz <= 0)
            continue;
        if ((size_t)(last - first) / (size_t)esz + 1 > GROUP_MAX) {
            g->n[k] = GROUP_MAX + 1;   /* too many: group() scans */
            continue;
        }
        for (PCRE2_SPTR p = first; p <= last; p += esz)
            g->g[k][g->n[k]++] = (uint16_t)((p[0] << 8) | p[1]);
    }
    return g;
}

/* Span of attribute group k (G_*) in the last match of re (made on a
 * subject starting at normalized offset `base`), if set: the first of
 * its numbers that is. */
static int group(mstate *m, const pcre2_code *re, int k, size_t base,
                 size_t *s, size_t *e)
{
    const gslot *g = groups_of(m, re);
    if (g->n[k] > GROUP_MAX)
        return group_scan(m, re, attr_group[k], base, s, e);
    for (int i = 0; i < g->n[k]; i++)
        if (group_span(m, g->g[k][i], base, s, e))
            return 1;
    return 0;
}

/* Fill the hit's attributes from the last match's named groups; returns
 * the GX_ATTR_* bits found. */
static unsigned extract(mstate *m, const pcre2_code *re,
                        const gx_lexicon *lx, size_t base, gx_hit *h)
{
    const char *x = m->t->s;
    size_t s, e;
    long unit = 0;
    unsigned have = 0;
    if (group(m, re, G_DURATION_MAX, base, &s, &e) &&
        gx_duration(lx, x + s, e - s, 0, h->duration_max, &unit) == 0)
        have |= GX_ATTR_DURATION_MAX;
    if (group(m, re, G_DURATION, base, &s, &e) &&
        gx_duration(lx, x + s, e - s, unit, h->duration, NULL) == 0)
        have |= GX_ATTR_DURATION;
    if (group(m, re, G_AGE, base, &s, &e) &&
        (h->age = gx_first_number(lx, x + s, e - s)) >= 0)
        have |= GX_ATTR_AGE;
    if (group(m, re, G_EMAIL, base, &s, &e)) {
        h->email_s = s;
        h->email_e = e;
        h->email = x + s;
        have |= GX_ATTR_EMAIL;
    }
    if (!(have & GX_ATTR_DURATION)) {
        h->duration_max[0] = '\0';
        have &= ~(unsigned)GX_ATTR_DURATION_MAX;
    }
    return have;
}

/* Fill the hit's attributes; returns 0 if the rule's required ones are
 * missing. */
static int attributes(mstate *m, const gx_rule *r, const pcre2_code *re,
                      const gx_lexicon *lx, size_t base, gx_hit *h)
{
    return (extract(m, re, lx, base, h) & r->attrs) == r->attrs;
}

/* A pattern's condition on the clause's context (its section heading, or
 * its list's lead-in): holds without a condition, fails without a context,
 * else the condition's regex decides on the normalized span [s, e). */
static int context_ok(mstate *m, const pcre2_code *cond, int have,
                      size_t s, size_t e)
{
    if (!cond)
        return 1;
    if (!have)
        return 0;
    return run_re(m, cond, (PCRE2_SPTR)m->t->s + s, e - s, 0) >= 0;
}

static int conditions_ok(mstate *m, const gx_pattern *p,
                         const gx_clause *c)
{
    const gx_heading *hd = c->section >= 0 ? &m->doc->hd[c->section] : NULL;
    const gx_para *ld = c->lead >= 0 ? &m->doc->pa[c->lead] : NULL;
    return context_ok(m, p->section, hd != NULL, hd ? hd->s : 0,
                      hd ? hd->e : 0) &&
           context_ok(m, p->lead, ld != NULL, ld ? ld->s : 0, ld ? ld->e : 0);
}

/* Append hit h and its n_wit witnesses wit (may be NULL when none). */
static int add_hit(mstate *m, gx_hit *h, const gx_witness *wit, size_t n_wit)
{
    gx_hits *o = m->out;
    if (gx_grow(&o->v, &o->cap, o->n + 1, sizeof *o->v) != 0 ||
        o->n_wit + n_wit > UINT32_MAX ||
        gx_grow(&o->wit, &o->cap_wit, o->n_wit + n_wit + 1, sizeof *o->wit))
        return -1;
    h->wit = (uint32_t)o->n_wit;
    h->n_wit = (uint32_t)n_wit;
    for (size_t i = 0; i < n_wit; i++)
        o->wit[o->n_wit++] = wit[i];
    o->v[o->n++] = *h;
    return 0;
}

/* Can pattern p match the current clause, as far as its literals tell? */
/* Does text[s, e) contain byte b (any text does when b <= 0: no byte is
 * required)? */
static int has_byte(const mstate *m, int b, size_t s, size_t e)
{
    return b <= 0 || m->rs->prefilter_off || memchr(m->t->s + s, b, e - s);
}

static int may_match(const mstate *m, const gx_pattern *p, int lang)
{
    if (!p->n_lits || m->rs->prefilter_off)
        return 1;
    for (size_t k = 0; k < p->n_lits; k++)
        if (m->present[lang][p->lits[k]])
            return 1;
    return 0;
}

/* Is list lead-in paragraph pa a denial ("We do not collect the
 * following:")? Its last negation cue, with no scope break after it,
 * denies the list. Sets *cue. Returns 1, 0, or -1 when out of memory. */
static int lead_denies(mstate *m, const gx_lexicon *lx, const gx_para *pa,
                       span *cue)
{
    if (find_cues(m, pa->s, pa->e, lx, &m->ld) != 0)
        return -1;
    if (!m->ld.n)
        return 0;
    *cue = m->ld.cues[m->ld.n - 1];
    for (size_t k = 0; k < m->ld.n_brk; k++)
        if (m->ld.brk[k].s >= cue->e)
            return 0;
    return 1;
}

/* Whether the lead-in of list item c denies its list, into m->lead_*:
 * worked out once per list, and kept across parts in the context memo.
 * Returns 0, or -1 when out of memory. */
static int lead_denial(mstate *m, const gx_lexicon *lx, const gx_clause *c)
{
    gx_ctxmemo *x = m->doc->ctx;
    m->lead_seen = c->lead + 1;
    if (x && x->lead == c->lead) {
        m->lead_denied = x->lead_denied;
        m->lead_cue_s = x->lead_cue_s;
        m->lead_cue_e = x->lead_cue_e;
        return 0;
    }
    span lc = {0, 0};
    m->lead_denied = lead_denies(m, lx, &m->doc->pa[c->lead], &lc);
    if (m->lead_denied < 0)
        return -1;
    m->lead_cue_s = lc.s;
    m->lead_cue_e = lc.e;
    if (x) {
        x->lead = c->lead;
        x->lead_denied = m->lead_denied;
        x->lead_cue_s = lc.s;
        x->lead_cue_e = lc.e;
    }
    return 0;
}

/* Negation of hit h (a match of pattern p of rule r in clause c): by a cue
 * near it in the clause, or, in a list item, by a lead-in that denies the
 * whole list. */
static int polarity(mstate *m, const gx_rule *r, const gx_pattern *p,
                    const gx_clause *c, const gx_lexicon *lx, gx_hit *h)
{
    if (p->negated) {
        h->negated = 1;
    } else if (r->negatable && !p->affirmed_only) {
        if (!m->cues_done && find_cues(m, c->s, c->e, lx, &m->cl) != 0)
            return -1;
        m->cues_done = 1;
        const span *cue = negation(m, lx, h->s, h->e);
        if (cue) {
            h->negated = 1;
            h->cue_s = cue->s;
            h->cue_e = cue->e;
        } else if (c->lead >= 0 && c->s > m->doc->pa[c->lead].e) {
            if (m->lead_seen != c->lead + 1 && lead_denial(m, lx, c) != 0)
                return -1;
            if (m->lead_denied) {
                h->negated = 1;
                h->cue_s = m->lead_cue_s;
                h->cue_e = m->lead_cue_e;
            }
        }
    }
    return 0;
}

/* The next match of re in clause c at or after *pos (the subject is the
 * clause alone: ^, $, \b and lookbehinds see only it): its normalized span
 * in [*s, *e), *pos moved past it to a character boundary. Returns 1, 0
 * when there is none, or PCRE2's negative code when it gave up. */
static int clause_match(mstate *m, const pcre2_code *re, const gx_clause *c,
                        size_t *pos, size_t *s, size_t *e)
{
    const char *cx = m->t->s + c->s;
    size_t len = c->e - c->s;
    if (*pos >= len)
        return 0;
    int rc = run_re(m, re, (PCRE2_SPTR)cx, len, *pos);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0)
        return rc;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    *s = c->s + ov[0];
    *e = c->s + ov[1];
    *pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
    while (*pos < len && ((unsigned char)cx[*pos] & 0xC0) == 0x80)
        (*pos)++;
    return 1;
}

static int blocked_near(mstate *m, const gx_pattern *p, size_t cix, size_t s,
                        size_t e, int *oom);

/* A hit of pattern pi of rule r (index ri) in clause ci, span unset. */
static void hit_init(gx_hit *h, const gx_rule *r, size_t ri, size_t pi,
                     size_t ci)
{
    memset(h, 0, sizeof *h);
    h->r = r;
    h->rule = ri;
    h->pattern = pi;
    h->clause = ci;
    h->age = -1;
}

/* Every match of p's regex in clause ci becomes a hit. */
static int run_regex(mstate *m, size_t ri, size_t pi, size_t ci)
{
    const gx_clause *c = &m->doc->cl[ci];
    const gx_rule *r = &m->rs->rules[ri];
    const gx_pattern *p = &r->pat[c->lang][pi];
    const gx_lexicon *lx = &m->rs->lex[c->lang];
    size_t pos = 0, ms, me;
    if (!has_byte(m, p->req, c->s, c->e))
        return 0;
    const pcre2_code *code = gx_case_code(m->rs, p);
    for (int rc; (rc = clause_match(m, code, c, &pos, &ms, &me)) != 0;) {
        if (rc < 0) {
            PCRE2_UCHAR why[120];
            pcre2_get_error_message(rc, why, sizeof why);
            return gx_hits_warn(m->out, "rule %s: pattern gave up on the "
                                "clause at byte %zu: %s", r->id,
                                gx_text_ostart(m->t, c->s),
                                (const char *)why);
        }
        gx_hit h;
        hit_init(&h, r, ri, pi, ci);
        h.s = ms;
        h.e = me;
        if (h.e <= h.s || !attributes(m, r, code, lx, c->s, &h))
            continue;
        int oom = 0;
        if ((p->none_within || p->none_near) &&
            (blocked_near(m, p, ci, h.s, h.e, &oom) || oom)) {
            if (oom)
                return -1;
            /* blocked_near ran regexes: the match data is no longer this
             * pattern's; find the next match after this one */
            continue;
        }
        if (polarity(m, r, p, c, lx, &h) != 0 || add_hit(m, &h, NULL, 0) != 0)
            return -1;
    }
    return 0;
}

/* A v1 pattern: its literals and section/lead regexes, then the regex. */
static int run_pattern(mstate *m, size_t ri, size_t pi, size_t ci)
{
    const gx_clause *c = &m->doc->cl[ci];
    const gx_pattern *p = &m->rs->rules[ri].pat[c->lang][pi];
    if (!may_match(m, p, c->lang) || !conditions_ok(m, p, c))
        return 0;
    return run_regex(m, ri, pi, ci);
}

/* ---- concepts ---------------------------------------------------------- */

static int add_chit(mstate *m, uint32_t concept, size_t s, size_t e)
{
    if (m->n_ch >= NO_HIT ||
        gx_grow(&m->ch, &m->cap_ch, m->n_ch + 1, sizeof *m->ch) != 0)
        return -1;
    uint32_t k = (uint32_t)m->n_ch++;
    m->ch[k] = (chit){.concept = concept, .s = s, .e = e, .next = NO_HIT};
    if (m->cstamp[concept] != m->stamp) {
        m->cstamp[concept] = m->stamp;
        m->chead[concept] = k;
    } else
        m->ch[m->ctail[concept]].next = k;
    m->ctail[concept] = k;
    return 0;
}

/* Index of concept ci's first hit in the clause, or NO_HIT. */
static uint32_t first_chit(const mstate *m, uint32_t ci)
{
    return m->cstamp[ci] == m->stamp ? m->chead[ci] : NO_HIT;
}

/* First scan hit of language `lang` that starts at or after s. */
static size_t first_hit(const gx_scan_hits *sh, size_t s)
{
    size_t lo = 0, hi = sh->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sh->v[mid].s < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Does any concept of list ids have a plain-term hit inside [s, e)? */
static int span_has(mstate *m, int lang, const gx_clist *ids, size_t s,
                    size_t e)
{
    size_t slot = (s * 31 + e) % SPAN_SLOTS;
    spanset *sp = &m->span[slot];
    uint64_t *bits = m->span_bits + slot * m->span_words;
    if (sp->lang != lang || sp->s != s || sp->e != e) {
        const gx_scan_hits *sh = &m->sh[lang];
        /* a span before the part: known from the part that first read it */
        const uint64_t *known = gx_ctxmemo_bits(m->doc->ctx, s, e, lang);
        if (known)
            memcpy(bits, known, m->span_words * sizeof *bits);
        else
            memset(bits, 0, m->span_words * sizeof *bits);
        for (size_t k = first_hit(sh, s); !known && k < sh->n && sh->v[k].s < e;
             k++)
            if (sh->v[k].e <= e)
                bits[sh->v[k].concept / 64] |= 1ull << (sh->v[k].concept % 64);
        *sp = (spanset){s, e, lang};
    }
    for (size_t i = 0; i < ids->n; i++)
        if (bits[ids->ids[i] / 64] >> (ids->ids[i] % 64) & 1)
            return 1;
    return 0;
}

/* Run concept ci's regex terms over clause c once (lazily: only when a
 * candidate case asks for the concept). */
static int regex_terms(mstate *m, uint32_t ci, size_t cix)
{
    const gx_clause *c = &m->doc->cl[cix];
    const gx_concept_lang *cl = &m->rs->concepts[ci].l[c->lang];
    if (!cl->re || m->rx_stamp[ci] == cix + 1)
        return 0;
    m->rx_stamp[ci] = (uint32_t)(cix + 1);
    int lit = !cl->n_lits || m->rs->prefilter_off;   /* a literal it needs */
    for (size_t k = 0; k < cl->n_lits && !lit; k++)
        lit = m->present[c->lang][cl->lits[k]];
    const gx_concept *cc = &m->rs->concepts[ci];
    if (lit && cc->n_needs) {   /* one of the concepts it needs */
        int any = 0;
        for (size_t k = 0; k < cc->n_needs && !any; k++)
            any = m->cpresent[cc->need_ids[k]];
        lit = any;
    }
    if (!lit || !has_byte(m, cl->req, c->s, c->e) ||
        (!m->rs->prefilter_off &&
         !gx_prefilter_gate_open(cl->gate, cl->n_gate, m->t->s + c->s,
                                 c->e - c->s)))
        return 0;
    const gx_lexicon *lx = &m->rs->lex[c->lang];
    size_t pos = 0, s, e;
    for (int rc; (rc = clause_match(m, cl->re, c, &pos, &s, &e)) != 0;) {
        if (rc < 0)
            return gx_hits_warn(m->out, "concept %s: regex term gave up on "
                                "the clause at byte %zu",
                                m->rs->concepts[ci].name,
                                gx_text_ostart(m->t, c->s));
        if (e <= s)
            continue;
        if (add_chit(m, ci, s, e) != 0)
            return -1;
        if (gx_grow(&m->av, &m->cap_av, m->n_av + 1, sizeof *m->av) != 0)
            return -1;
        gx_hit *a = &m->av[m->n_av];
        memset(a, 0, sizeof *a);
        a->age = -1;
        chit *h = &m->ch[m->n_ch - 1];
        if ((h->have = extract(m, cl->re, lx, c->s, a)) != 0)
            h->ai = m->n_av++;
        m->cpresent[ci] = 1;
    }
    return 0;
}

/* Is concept ci in the current clause? (Runs its regex terms if needed.) */
static int present(mstate *m, uint32_t ci, size_t cix, int *oom)
{
    if (!m->cpresent[ci] && regex_terms(m, ci, cix) != 0)
        *oom = 1;
    return m->cpresent[ci];
}

static int context_holds(mstate *m, const gx_pattern *p, size_t cix);

/* Is concept ci's presence in clause cix known without running a regex
 * (it has no regex terms in the language, or they have run)? */
static int known(const mstate *m, uint32_t ci, size_t cix)
{
    const gx_clause *c = &m->doc->cl[cix];
    return m->cpresent[ci] || !m->rs->concepts[ci].l[c->lang].re ||
           m->rx_stamp[ci] == cix + 1;
}

/* Can the case be ruled out on what the scan found alone: an `all`
 * concept known absent, a `none` concept present, every `any` concept
 * known absent? */
static int ruled_out(const mstate *m, const gx_pattern *p, size_t cix)
{
    const gx_clist *all = &p->cond[GX_C_ALL], *any = &p->cond[GX_C_ANY],
                   *none = &p->cond[GX_C_NONE];
    for (size_t i = 0; i < all->n; i++)
        if (!m->cpresent[all->ids[i]] && known(m, all->ids[i], cix))
            return 1;
    for (size_t i = 0; i < none->n && !p->none_within; i++)
        if (m->cpresent[none->ids[i]])
            return 1;
    int open = !any->n;
    for (size_t i = 0; i < any->n && !open; i++)
        open = m->cpresent[any->ids[i]] || !known(m, any->ids[i], cix);
    return !open;
}

/* The case's presence conditions on clause cix: all, any, none, section,
 * lead. The cheap ones first (what the scan found, the heading, the
 * lead-in), regex terms last: they run only where nothing else failed. */
static int case_holds(mstate *m, const gx_pattern *p, size_t cix, int *oom)
{
    const gx_clist *all = &p->cond[GX_C_ALL], *any = &p->cond[GX_C_ANY],
                   *none = &p->cond[GX_C_NONE];
    if (ruled_out(m, p, cix) || !context_holds(m, p, cix))
        return 0;
    for (size_t i = 0; i < all->n; i++)
        if (!present(m, all->ids[i], cix, oom))
            return 0;
    int one = !any->n;
    for (size_t i = 0; i < any->n && !one; i++)
        one = present(m, any->ids[i], cix, oom);
    if (!one)
        return 0;
    for (size_t i = 0; i < none->n && !p->none_within; i++)
        if (present(m, none->ids[i], cix, oom))
            return 0;
    return 1;
}

/* Does the heading of clause c's section or of a section it lies in
 * ("## What we collect" above "### In the app"), or (for a table cell) its
 * column's header cell, hold one of the concepts of l? */
static int under(mstate *m, const gx_clause *c, const gx_clist *l)
{
    for (int h = c->section; h >= 0; h = m->doc->hd[h].parent)
        if (span_has(m, c->lang, l, m->doc->hd[h].s, m->doc->hd[h].e))
            return 1;
    return c->col_e > c->col_s &&
           span_has(m, c->lang, l, c->col_s, c->col_e);
}

/* Does the sentence before clause c (in its paragraph) hold one of the
 * concepts of l? */
static int after(mstate *m, const gx_clause *c, const gx_clist *l)
{
    return c->prev_e > c->prev_s &&
           span_has(m, c->lang, l, c->prev_s, c->prev_e);
}

/* The case's context conditions on clause cix: section, lead, column,
 * none_section, prev, none_prev and prev_clause. */
static int context_holds(mstate *m, const gx_pattern *p, size_t cix)
{
    const gx_clause *c = &m->doc->cl[cix];
    /* a table cell's column header is a heading of its own, its row's first
     * cell (or the label cut off before a value) a lead-in */
    const gx_clist *sec = &p->cond[GX_C_SECTION], *lead = &p->cond[GX_C_LEAD];
    if (sec->n && !under(m, c, sec))
        return 0;
    if (lead->n &&
        !(c->lead >= 0 && span_has(m, c->lang, lead, m->doc->pa[c->lead].s,
                                   m->doc->pa[c->lead].e)) &&
        !(c->row_e > c->row_s &&
          span_has(m, c->lang, lead, c->row_s, c->row_e)))
        return 0;
    /* column: the table cell's header cell only, never a heading */
    const gx_clist *col = &p->cond[GX_C_COLUMN];
    if (col->n && !(c->col_e > c->col_s &&
                    span_has(m, c->lang, col, c->col_s, c->col_e)))
        return 0;
    /* none_section: not under a heading (or a column header) with these */
    const gx_clist *nsec = &p->cond[GX_C_NONE_SECTION];
    if (nsec->n && under(m, c, nsec))
        return 0;
    /* prev: the sentence before, in the same paragraph ("We keep your
     * data. This period is two years.") */
    const gx_clist *prev = &p->cond[GX_C_PREV];
    if (prev->n && !after(m, c, prev))
        return 0;
    /* none_prev: the sentence before holds none of these ("We use
     * cookies. They expire after 13 months." is no retention period) */
    const gx_clist *nprev = &p->cond[GX_C_NONE_PREV];
    if (nprev->n && after(m, c, nprev))
        return 0;
    /* prev_clause: the clause before, in the same sentence ("You may
     * refuse, | but we then cannot answer you.") */
    const gx_clist *pcl = &p->cond[GX_C_PREV_CLAUSE];
    if (pcl->n && !(c->pcl_e > c->pcl_s &&
                    span_has(m, c->lang, pcl, c->pcl_s, c->pcl_e)))
        return 0;
    return 1;
}

static size_t gap(const chit *a, const chit *b)
{
    return a->e <= b->s ? b->s - a->e : b->e <= a->s ? a->s - b->e : 0;
}

/* The hit of concept ci nearest to anchor a; with order, the nearest that
 * ends before `before` (if set) and starts at or after `after`. */
static const chit *nearest(const mstate *m, uint32_t ci, const chit *a,
                           size_t after, size_t before)
{
    const chit *best = NULL;
    for (uint32_t k = first_chit(m, ci); k != NO_HIT; k = m->ch[k].next) {
        const chit *h = &m->ch[k];
        if (h->s < after || h->e > before)
            continue;
        if (!best || gap(a, h) < gap(a, best))
            best = h;
    }
    return best;
}

/* Witnesses of the case around anchor a (a hit of all[ai], or of an `any`
 * concept when the case has no `all`): one hit per `all` concept (in the
 * listed order if p->order) and one of an `any` concept. */
static size_t witnesses(const mstate *m, const gx_pattern *p, size_t ai,
                        const chit *a, const chit **w)
{
    const gx_clist *all = &p->cond[GX_C_ALL], *any = &p->cond[GX_C_ANY];
    size_t n = 0;
    w[n++] = a;
    if (all->n) {
        size_t lo = a->s, hi = a->e;
        for (size_t k = ai; k-- > 0;) {   /* before the anchor */
            const chit *h = nearest(m, all->ids[k], a, 0,
                                    p->order ? lo : (size_t)-1);
            if (!h)
                return 0;
            w[n++] = h;
            lo = h->s;
        }
        for (size_t k = ai + 1; k < all->n; k++) {   /* after it */
            const chit *h = nearest(m, all->ids[k], a, p->order ? hi : 0,
                                    (size_t)-1);
            if (!h)
                return 0;
            w[n++] = h;
            hi = h->e;
        }
        const chit *best = NULL;
        for (size_t k = 0; k < any->n; k++) {
            const chit *h = nearest(m, any->ids[k], a, 0, (size_t)-1);
            if (h && (!best || gap(a, h) < gap(a, best)))
                best = h;
        }
        if (any->n && !best)
            return 0;
        if (best)
            w[n++] = best;
    }
    return n;
}

static int is_anchor(const gx_pattern *p, size_t ai, uint32_t concept)
{
    if (p->cond[GX_C_ALL].n)
        return concept == p->cond[GX_C_ALL].ids[ai];
    for (size_t k = 0; k < p->cond[GX_C_ANY].n; k++)
        if (concept == p->cond[GX_C_ANY].ids[k])
            return 1;
    return 0;
}

/* The clause's hits that may be anchors, in clause order: those of the
 * anchor `all` concept, or every hit (the `any` concepts). */
static uint32_t first_anchor(const mstate *m, const gx_pattern *p, size_t ai)
{
    if (p->cond[GX_C_ALL].n)
        return first_chit(m, p->cond[GX_C_ALL].ids[ai]);
    return m->n_ch ? 0 : NO_HIT;
}

static uint32_t next_anchor(const mstate *m, const gx_pattern *p, uint32_t k)
{
    if (p->cond[GX_C_ALL].n)
        return m->ch[k].next;
    return k + 1 < m->n_ch ? k + 1 : NO_HIT;
}

/* The anchor concept: the first `all` concept, or, for a rule that reports
 * attributes, the first one whose regex terms give them (one finding per
 * value: "1 year or 2 years"). */
static size_t anchor_index(const mstate *m, const gx_rule *r,
                           const gx_pattern *p, int lang)
{
    const gx_clist *all = &p->cond[GX_C_ALL];
    if (r->attrs)
        for (size_t k = 0; k < all->n; k++)
            if (m->rs->concepts[all->ids[k]].l[lang].re)
                return k;
    return 0;
}

/* Is a concept of list `kind` inside [s, e) or within `within` words of
 * it? */
static int near_span(mstate *m, const gx_pattern *p, int kind, int within,
                     size_t cix, size_t s, size_t e, int *oom)
{
    const gx_clist *none = &p->cond[kind];
    for (size_t i = 0; i < none->n; i++) {
        if (!present(m, none->ids[i], cix, oom))
            continue;
        for (uint32_t k = first_chit(m, none->ids[i]); k != NO_HIT;
             k = m->ch[k].next) {
            const chit *h = &m->ch[k];
            size_t words = h->e <= s   ? spaces_between(m->t->s, h->e, s)
                           : h->s >= e ? spaces_between(m->t->s, e, h->s)
                                       : 0;
            if (words <= (size_t)within)
                return 1;
        }
    }
    return 0;
}

/* Is the finding [s, e) blocked by a `none` concept near it (none_within)
 * or a `none_near` one? */
static int blocked_near(mstate *m, const gx_pattern *p, size_t cix, size_t s,
                        size_t e, int *oom)
{
    return (p->none_within && near_span(m, p, GX_C_NONE, p->none_within, cix,
                                         s, e, oom)) ||
           (p->none_near &&
            near_span(m, p, GX_C_NONE_NEAR, p->none_near_within, cix, s, e,
                      oom));
}

/* Does [s, e) cover every word of clause c? */
static int covers_clause(const mstate *m, const gx_clause *c, size_t s,
                         size_t e)
{
    for (size_t i = c->s; i < c->e; i++) {
        unsigned char b = (unsigned char)m->t->s[i];
        if ((i < s || i >= e) &&
            ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b >= 0x80))
            return 0;
    }
    return 1;
}

/* A case of concepts alone: each anchor with its witnesses (within `near`
 * words) gives a hit spanning them; a rule without attributes gives at
 * most one hit per case and clause, unless the case asks for `every`. */
static int run_concepts(mstate *m, size_t ri, size_t pi, size_t ci)
{
    const gx_clause *c = &m->doc->cl[ci];
    const gx_rule *r = &m->rs->rules[ri];
    const gx_pattern *p = &r->pat[c->lang][pi];
    const gx_lexicon *lx = &m->rs->lex[c->lang];
    size_t ai = anchor_index(m, r, p, c->lang);
    const chit *w[GX_WITNESS_MAX];
    if (p->cond[GX_C_ALL].n + 2 > GX_WITNESS_MAX)
        return 0;
    for (uint32_t k = first_anchor(m, p, ai); k != NO_HIT;
         k = next_anchor(m, p, k)) {
        const chit *a = &m->ch[k];
        if (!is_anchor(p, ai, a->concept))
            continue;
        size_t n = witnesses(m, p, ai, a, w);
        if (!n)
            continue;
        gx_hit h;
        gx_witness wit[GX_WITNESS_MAX];
        hit_init(&h, r, ri, pi, ci);
        h.s = (size_t)-1;
        unsigned have = 0;
        for (size_t i = 0; i < n; i++) {
            h.s = w[i]->s < h.s ? w[i]->s : h.s;
            h.e = w[i]->e > h.e ? w[i]->e : h.e;
            if (w[i]->have & ~have) {   /* the first witness with values */
                const gx_hit *v = &m->av[w[i]->ai];
                strcpy(h.duration, v->duration);
                strcpy(h.duration_max, v->duration_max);
                if (w[i]->have & GX_ATTR_AGE)
                    h.age = v->age;
                if (w[i]->have & GX_ATTR_EMAIL) {
                    h.email_s = v->email_s;
                    h.email_e = v->email_e;
                    h.email = v->email;
                }
                have |= w[i]->have;
            }
            wit[i] = (gx_witness){w[i]->concept, w[i]->s, w[i]->e};
        }
        if (p->near && spaces_between(m->t->s, h.s, h.e) + 1 > (size_t)p->near)
            continue;
        if (p->alone && !covers_clause(m, c, h.s, h.e))
            continue;
        int oom = 0;
        if (blocked_near(m, p, ci, h.s, h.e, &oom) || oom) {
            if (oom)
                return -1;
            continue;
        }
        if ((have & r->attrs) != r->attrs)
            continue;
        if (polarity(m, r, p, c, lx, &h) != 0 || add_hit(m, &h, wit, n) != 0)
            return -1;
        if (!r->attrs && !p->every)
            break;
    }
    return 0;
}

/* A `when` case: presence conditions, then its regex or its witnesses. */
static int run_case(mstate *m, size_t ri, size_t pi, size_t ci)
{
    const gx_clause *c = &m->doc->cl[ci];
    const gx_pattern *p = &m->rs->rules[ri].pat[c->lang][pi];
    int oom = 0;
    int ok = case_holds(m, p, ci, &oom);
    if (oom)
        return -1;
    if (!ok)
        return 0;
    return p->code ? run_regex(m, ri, pi, ci) : run_concepts(m, ri, pi, ci);
}

/* Language lang's terms in text[s, e), offsets from text. */
static int scan_span(const mstate *m, int lang, size_t s, size_t e,
                     gx_scan_hits *h)
{
    const gdprx_rules *rs = m->rs;
    if (rs->scan_naive)
        return gx_scan_naive(rs->terms[lang], rs->n_terms[lang], m->t->s + s,
                             e - s, h);
    return gx_scan(rs->scan[lang], m->t->s + s, e - s, h);
}

/* Scan the text once for language lang's terms: the whole text, or the
 * spans doc->scan (their hits appended in order, offsets moved to the
 * whole text's; word indices stay per span, unused here). */
static int scan_lang(mstate *m, int lang)
{
    if (m->scanned[lang])
        return 0;
    m->scanned[lang] = 1;
    const gx_doc *d = m->doc;
    if (!d->scan)
        return scan_span(m, lang, 0, m->t->len, &m->sh[lang]);
    gx_scan_hits *all = &m->sh[lang], *part = m->piece;
    int rc = 0;
    all->n = 0;
    for (size_t i = 0; i < d->n_scan && !rc; i++) {
        size_t s = d->scan[i].s, n0 = all->n;
        /* the first span's hits go straight into all (a part has one
         * span: a second array as large as all cost its size in peak
         * memory), a later span's through part */
        gx_scan_hits *to = i ? part : all;
        if ((rc = scan_span(m, lang, s, d->scan[i].e, to)) ||
            (i && (rc = gx_grow(&all->v, &all->cap, all->n + part->n + 1,
                                sizeof *all->v))))
            break;
        for (size_t k = 0; k < part->n && i; k++)
            all->v[all->n++] = part->v[k];
        for (size_t k = n0; k < all->n; k++) {
            all->v[k].s += (uint32_t)s;
            all->v[k].e += (uint32_t)s;
        }
    }
    return rc ? -1 : 0;
}

/* The clause's plain-term hits, present bits, and the patterns its
 * concepts trigger, in rule order (those tried on every clause are in
 * rs->always, also in rule order). */
static int clause_setup(mstate *m, size_t ci)
{
    const gx_clause *c = &m->doc->cl[ci];
    const gdprx_rules *rs = m->rs;
    int l = c->lang;
    for (size_t k = 0; k < m->n_ch; k++)
        m->cpresent[m->ch[k].concept] = 0;
    m->n_ch = 0;
    m->stamp++;   /* every concept's hit list is now empty */
    m->n_av = 0;
    m->n_cand = 0;
    if (scan_lang(m, l) != 0)
        return -1;
    const gx_scan_hits *sh = &m->sh[l];
    size_t lo = (size_t)-1, hi = 0;   /* words of pbits in use */
    for (size_t k = first_hit(sh, c->s); k < sh->n && sh->v[k].s < c->e; k++) {
        if (sh->v[k].e > c->e)
            continue;
        uint32_t cc = sh->v[k].concept;
        if (add_chit(m, cc, sh->v[k].s, sh->v[k].e) != 0)
            return -1;
        if (m->cpresent[cc])
            continue;
        m->cpresent[cc] = 1;   /* first hit of cc: the cases it triggers */
        for (uint32_t i = rs->trig_off[l][cc]; i < rs->trig_off[l][cc + 1];
             i++) {
            uint32_t pn = rs->trig[l][i];
            if (m->tstamp[pn] != m->stamp) {   /* first of pn's triggers */
                m->tstamp[pn] = m->stamp;
                m->tcount[pn] = 0;
            }
            if (++m->tcount[pn] != rs->trig_need[l][pn])
                continue;   /* not yet all of them (or already a candidate) */
            m->pbits[pn >> 6] |= (uint64_t)1 << (pn & 63);
            lo = pn >> 6 < lo ? pn >> 6 : lo;
            hi = pn >> 6 > hi ? pn >> 6 : hi;
        }
    }
    for (size_t w = lo; w <= hi && lo != (size_t)-1; w++)   /* rule order */
        for (uint64_t bits = m->pbits[w]; bits; bits &= bits - 1)
            m->cand[m->n_cand++] =
                (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits));
    for (size_t w = lo; w <= hi && lo != (size_t)-1; w++)
        m->pbits[w] = 0;
    return 0;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One scan per language that some clause uses. */
static int scan_all(mstate *m, double *scan_ns)
{
    double t0 = scan_ns ? now_ns() : 0;
    for (size_t ci = 0; ci < m->doc->n_cl; ci++) {
        int l = m->doc->cl[ci].lang;
        if (l >= 0 && !m->scanned[l] && scan_lang(m, l) != 0)
            return -1;
    }
    if (scan_ns)
        *scan_ns = now_ns() - t0;
    return 0;
}

void gx_mwork_free(gx_mwork *w)
{
    for (int l = 0; l < GX_NLANG; l++)
        gx_scan_hits_free(&w->sh[l]);
    gx_scan_hits_free(&w->piece);
}

int gx_match(gx_hits *out, gx_mwork *work, const gdprx_rules *rs,
             const gx_text *t, const gx_doc *doc,
             const unsigned char *select, double *scan_ns, gdprx_error *err)
{
    gx_hits_reset(out);
    mstate m;
    memset(&m, 0, sizeof m);
    m.sh = work->sh;
    m.piece = &work->piece;
    for (int l = 0; l < GX_NLANG; l++)
        work->sh[l].n = 0;
    m.rs = rs;
    m.t = t;
    m.doc = doc;
    m.out = out;
    m.err = err;
    int rc = GDPRX_OK;
    size_t max_lits = 0;
    for (int l = 0; l < GX_NLANG; l++) {
        if (!(m.present[l] = calloc(rs->pf[l].n_lits + 1, 1))) {
            rc = gx_error_nomem(err);
            goto out;
        }
        if (rs->pf[l].n_lits > max_lits)
            max_lits = rs->pf[l].n_lits;
    }
    size_t max_neg = 0;
    for (int l = 0; l < GX_NLANG; l++)
        if (rs->lex[l].neg_pf.n_lits > max_neg)
            max_neg = rs->lex[l].neg_pf.n_lits;
    m.neg_present = calloc(max_neg + 1, 1);
    m.neg_set = malloc((max_neg + 1) * sizeof *m.neg_set);
    m.md = pcre2_match_data_create(rs->max_groups + 1, NULL);
    m.mctx = pcre2_match_context_create(NULL);
    m.set = malloc((max_lits + 1) * sizeof *m.set);
    size_t max_pn = 0;
    for (int l = 0; l < GX_NLANG; l++)
        max_pn = rs->n_pnum[l] > max_pn ? rs->n_pnum[l] : max_pn;
    m.cpresent = calloc(rs->n_concepts + 1, 1);
    m.rx_stamp = calloc(rs->n_concepts + 1, sizeof *m.rx_stamp);
    m.chead = malloc((rs->n_concepts + 1) * sizeof *m.chead);
    m.ctail = malloc((rs->n_concepts + 1) * sizeof *m.ctail);
    m.cstamp = calloc(rs->n_concepts + 1, sizeof *m.cstamp);
    m.pbits = calloc(max_pn / 64 + 1, sizeof *m.pbits);
    m.tstamp = calloc(max_pn + 1, sizeof *m.tstamp);
    m.tcount = malloc(max_pn + 1);
    m.cand = malloc((max_pn + 1) * sizeof *m.cand);
    m.span_words = (rs->n_concepts + 1) / 64 + 1;
    m.span_bits = malloc(SPAN_SLOTS * m.span_words * sizeof *m.span_bits);
    for (int k = 0; k < SPAN_SLOTS; k++)
        m.span[k].lang = -1;
    if (!m.span_bits || !m.md || !m.mctx || !m.set || !m.neg_present ||
        !m.neg_set || !m.cpresent || !m.rx_stamp ||
        !m.pbits || !m.cand || !m.chead || !m.ctail || !m.cstamp ||
        !m.tstamp || !m.tcount) {
        rc = gx_error_nomem(err);
        goto out;
    }
    pcre2_set_match_limit(m.mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(m.mctx, DEPTH_LIMIT);
    pcre2_set_heap_limit(m.mctx, HEAP_LIMIT);
    if (scan_all(&m, scan_ns) != 0) {
        rc = gx_error_nomem(err);
        goto out;
    }
    for (size_t ci = 0; ci < doc->n_cl; ci++) {
        const gx_clause *c = &doc->cl[ci];
        if (c->lang < 0)
            continue;
        m.cues_done = 0;
        for (size_t k = 0; k < m.n_set; k++)   /* forget the last clause's */
            m.present[m.set_lang][m.set[k]] = 0;
        m.n_set = 0;
        m.set_lang = c->lang;
        gx_prefilter_scan(&rs->pf[c->lang], t->s + c->s, c->e - c->s,
                          m.present[c->lang], m.set, &m.n_set);
        if (clause_setup(&m, ci) != 0) {
            rc = gx_error_nomem(err);
            goto out;
        }
        const uint32_t *al = rs->always[c->lang];
        size_t n_al = rs->n_always[c->lang];
        for (size_t k = 0, a = 0; k < m.n_cand || a < n_al;) {
            uint32_t pn = a < n_al && (k >= m.n_cand || al[a] < m.cand[k])
                              ? al[a++]
                              : m.cand[k++];   /* merge: rule order */
            size_t ri = rs->p_rule[c->lang][pn], pi = rs->p_idx[c->lang][pn];
            if (select && !select[ri])
                continue;
            int r = rs->rules[ri].pat[c->lang][pi].has_cond
                        ? run_case(&m, ri, pi, ci)
                        : run_pattern(&m, ri, pi, ci);
            if (r != 0) {
                rc = gx_error_nomem(err);
                goto out;
            }
        }
    }
out:
    for (int l = 0; l < GX_NLANG; l++)
        free(m.present[l]);
    free(m.neg_present);
    free(m.neg_set);
    free(m.ch);
    free(m.av);
    free(m.cpresent);
    free(m.rx_stamp);
    free(m.chead);
    free(m.ctail);
    free(m.cstamp);
    free(m.pbits);
    free(m.tstamp);
    free(m.tcount);
    free(m.cand);
    free(m.span_bits);
    free(m.set);
    pcre2_jit_stack_free(m.js);
    pcre2_match_context_free(m.mctx);
    pcre2_match_data_free(m.md);
    free(m.cl.cues);
    free(m.ld.cues);
    if (rc != GDPRX_OK)
        gx_hits_free(out);
    return rc;
}

void gx_hits_reset(gx_hits *h)
{
    for (size_t i = 0; i < h->n_warn; i++)
        free(h->warn[i]);
    h->n_warn = 0;
    h->n = 0;
    h->n_wit = 0;
}

void gx_hits_free(gx_hits *h)
{
    gx_hits_reset(h);
    free(h->warn);
    free(h->v);
    free(h->wit);
    memset(h, 0, sizeof *h);
}
