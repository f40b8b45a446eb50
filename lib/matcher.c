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

typedef struct mstate {
    const gdprx_rules *rs;
    const gx_text *t;
    const gx_doc *doc;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    gx_hits *out;
    unsigned char *present[GX_NLANG]; /* prefilter literals in the clause */
    uint32_t *set;             /* ids set in present[set_lang] */
    size_t n_set;
    int set_lang;
    span *cues;                /* negation cues of the current clause */
    size_t n_cues, cap_cues;
    span brk[16];              /* negation scope breaks ("unless") in it */
    size_t n_brk;
    int cues_done;
    gdprx_error *err;
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

/* Spans of negation cues in clause c that no 'ignore' match overlaps. */
static int find_cues(mstate *m, const gx_clause *c, const gx_lexicon *lx)
{
    m->n_cues = 0;
    m->cues_done = 1;
    if (!lx->neg_cues)
        return 0;
    PCRE2_SPTR cx = (PCRE2_SPTR)m->t->s + c->s;
    size_t cl = c->e - c->s;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    span ign[32];
    size_t n_ign = 0;
    for (size_t pos = 0; lx->neg_ignore && pos < cl && n_ign < 32;) {
        if (pcre2_match(lx->neg_ignore, cx, cl, pos, PCRE2_NO_UTF_CHECK, m->md,
                        m->mctx) < 0)
            break;
        ign[n_ign].s = c->s + ov[0];
        ign[n_ign++].e = c->s + ov[1];
        pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
    }
    m->n_brk = 0;
    for (size_t pos = 0; lx->neg_breaks && pos < cl && m->n_brk < 16;) {
        if (pcre2_match(lx->neg_breaks, cx, cl, pos, PCRE2_NO_UTF_CHECK, m->md,
                        m->mctx) < 0)
            break;
        m->brk[m->n_brk].s = c->s + ov[0];
        m->brk[m->n_brk++].e = c->s + ov[1];
        pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
    }
    for (size_t pos = 0; pos < cl;) {
        if (pcre2_match(lx->neg_cues, cx, cl, pos, PCRE2_NO_UTF_CHECK, m->md,
                        m->mctx) < 0)
            break;
        span sp = {c->s + ov[0], c->s + ov[1]};
        pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        int ignored = 0;
        for (size_t k = 0; k < n_ign && !ignored; k++)
            ignored = sp.s < ign[k].e && sp.e > ign[k].s;
        if (ignored || sp.e <= sp.s)
            continue;
        if (gx_grow(&m->cues, &m->cap_cues, m->n_cues + 1, sizeof *m->cues))
            return -1;
        m->cues[m->n_cues++] = sp;
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

/* Does a scope break ("unless", "tenzij", ", mag je") start inside [a, b)?
 * (It may run into the match: ", mag je vragen" opens the main clause.) */
static int broken(const mstate *m, size_t a, size_t b)
{
    for (size_t k = 0; k < m->n_brk; k++)
        if (m->brk[k].s >= a && m->brk[k].s < b)
            return 1;
    return 0;
}

/* The negation cue that applies to match [s, e), if any. */
static const span *negation(const mstate *m, const gx_lexicon *lx, size_t s,
                            size_t e)
{
    const span *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t k = 0; k < m->n_cues; k++) {
        const span *c = &m->cues[k];
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
        if (d <= lim && d < best_d) {
            best = c;
            best_d = d;
        }
    }
    return best;
}

/* Span of named group `name` in the last match (made on a subject starting
 * at normalized offset `base`), if set. */
static int group(const mstate *m, const pcre2_code *re, const char *name,
                 size_t base, size_t *s, size_t *e)
{
    PCRE2_SPTR first, last;
    int esz = pcre2_substring_nametable_scan(re, (PCRE2_SPTR)name, &first,
                                             &last);
    if (esz <= 0)
        return 0;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    uint32_t nov = pcre2_get_ovector_count(m->md);
    for (PCRE2_SPTR p = first; p <= last; p += esz) {
        uint32_t g = (uint32_t)((p[0] << 8) | p[1]);
        if (g < nov && ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] > ov[2 * g]) {
            *s = base + ov[2 * g];
            *e = base + ov[2 * g + 1];
            return 1;
        }
    }
    return 0;
}

/* Fill the hit's attributes; returns 0 if the rule's required ones are
 * missing. */
static int attributes(const mstate *m, const gx_rule *r, const pcre2_code *re,
                      const gx_lexicon *lx, size_t base, gx_hit *h)
{
    const char *x = m->t->s;
    size_t s, e;
    char unit = 0;
    unsigned have = 0;
    if (group(m, re, "duration_max", base, &s, &e) &&
        gx_duration(lx, x + s, e - s, 0, h->duration_max, &unit) == 0)
        have |= GX_ATTR_DURATION_MAX;
    if (group(m, re, "duration", base, &s, &e) &&
        gx_duration(lx, x + s, e - s, unit, h->duration, NULL) == 0)
        have |= GX_ATTR_DURATION;
    if (group(m, re, "age", base, &s, &e) &&
        (h->age = gx_first_number(lx, x + s, e - s)) >= 0)
        have |= GX_ATTR_AGE;
    if (group(m, re, "email", base, &s, &e)) {
        h->email_s = s;
        h->email_e = e;
        h->email = x + s;
        have |= GX_ATTR_EMAIL;
    }
    if (!(have & GX_ATTR_DURATION))
        h->duration_max[0] = '\0';
    return (have & r->attrs) == r->attrs;
}

/* A pattern's condition on the clause's context (its section heading, or
 * its list's lead-in): holds without a condition, fails without a context,
 * else the condition's regex decides on the normalized span [s, e). */
static int context_ok(const mstate *m, const pcre2_code *cond, int have,
                      size_t s, size_t e)
{
    if (!cond)
        return 1;
    if (!have)
        return 0;
    return pcre2_match(cond, (PCRE2_SPTR)m->t->s + s, e - s, 0,
                       PCRE2_NO_UTF_CHECK, m->md, m->mctx) >= 0;
}

static int conditions_ok(const mstate *m, const gx_pattern *p,
                         const gx_clause *c)
{
    const gx_heading *hd = c->section >= 0 ? &m->doc->hd[c->section] : NULL;
    const gx_para *ld = c->lead >= 0 ? &m->doc->pa[c->lead] : NULL;
    return context_ok(m, p->section, hd != NULL, hd ? hd->s : 0,
                      hd ? hd->e : 0) &&
           context_ok(m, p->lead, ld != NULL, ld ? ld->s : 0, ld ? ld->e : 0);
}

static int add_hit(mstate *m, const gx_hit *h)
{
    gx_hits *o = m->out;
    if (gx_grow(&o->v, &o->cap, o->n + 1, sizeof *o->v) != 0)
        return -1;
    o->v[o->n++] = *h;
    return 0;
}

/* Can pattern p match the current clause, as far as its literals tell? */
static int may_match(const mstate *m, const gx_pattern *p, int lang)
{
    if (!p->n_lits || m->rs->prefilter_off)
        return 1;
    for (size_t k = 0; k < p->n_lits; k++)
        if (m->present[lang][p->lits[k]])
            return 1;
    return 0;
}

static int run_pattern(mstate *m, size_t ri, size_t pi, size_t ci)
{
    const gx_clause *c = &m->doc->cl[ci];
    const gx_rule *r = &m->rs->rules[ri];
    const gx_pattern *p = &r->pat[c->lang][pi];
    if (!may_match(m, p, c->lang))
        return 0;
    const gx_lexicon *lx = &m->rs->lex[c->lang];
    /* the subject is the clause alone: ^, $, \b and lookbehinds see only it */
    const char *cx = m->t->s + c->s;
    size_t cl = c->e - c->s;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    if (!conditions_ok(m, p, c))
        return 0;
    for (size_t pos = 0; pos < cl;) {
        int rc = pcre2_match(p->code, (PCRE2_SPTR)cx, cl, pos,
                             PCRE2_NO_UTF_CHECK, m->md, m->mctx);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0) {
            PCRE2_UCHAR why[120];
            pcre2_get_error_message(rc, why, sizeof why);
            return gx_hits_warn(m->out, "rule %s: pattern gave up on the "
                                "clause at byte %zu: %s", r->id,
                                (size_t)m->t->ostart[c->s],
                                (const char *)why);
        }
        gx_hit h;
        memset(&h, 0, sizeof h);
        h.r = r;
        h.rule = ri;
        h.pattern = pi;
        h.clause = ci;
        h.s = c->s + ov[0];
        h.e = c->s + ov[1];
        h.age = -1;
        pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        while (pos < cl && ((unsigned char)cx[pos] & 0xC0) == 0x80)
            pos++;
        if (h.e <= h.s || !attributes(m, r, p->code, lx, c->s, &h))
            continue;
        if (p->negated) {
            h.negated = 1;
        } else if (r->negatable && !p->affirmed_only) {
            if (!m->cues_done && find_cues(m, c, lx) != 0)
                return -1;
            const span *cue = negation(m, lx, h.s, h.e);
            if (cue) {
                h.negated = 1;
                h.cue_s = cue->s;
                h.cue_e = cue->e;
            }
        }
        if (add_hit(m, &h) != 0)
            return -1;
    }
    return 0;
}

int gx_match(gx_hits *out, const gdprx_rules *rs, const gx_text *t,
             const gx_doc *doc, const unsigned char *select, gdprx_error *err)
{
    memset(out, 0, sizeof *out);
    mstate m;
    memset(&m, 0, sizeof m);
    m.rs = rs;
    m.t = t;
    m.doc = doc;
    m.out = out;
    m.err = err;
    pcre2_jit_stack *js = NULL;
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
    m.md = pcre2_match_data_create(rs->max_groups + 1, NULL);
    m.mctx = pcre2_match_context_create(NULL);
    js = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
    m.set = malloc((max_lits + 1) * sizeof *m.set);
    if (!m.md || !m.mctx || !js || !m.set) {
        rc = gx_error_nomem(err);
        goto out;
    }
    pcre2_set_match_limit(m.mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(m.mctx, DEPTH_LIMIT);
    pcre2_set_heap_limit(m.mctx, HEAP_LIMIT);
    pcre2_jit_stack_assign(m.mctx, NULL, js);
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
        for (size_t ri = 0; ri < rs->n_rules; ri++) {
            if (select && !select[ri])
                continue;
            for (size_t pi = 0; pi < rs->rules[ri].n_pat[c->lang]; pi++)
                if (run_pattern(&m, ri, pi, ci) != 0) {
                    rc = gx_error_nomem(err);
                    goto out;
                }
        }
    }
out:
    for (int l = 0; l < GX_NLANG; l++)
        free(m.present[l]);
    free(m.set);
    pcre2_jit_stack_free(js);
    pcre2_match_context_free(m.mctx);
    pcre2_match_data_free(m.md);
    free(m.cues);
    if (rc != GDPRX_OK)
        gx_hits_free(out);
    return rc;
}

void gx_hits_free(gx_hits *h)
{
    for (size_t i = 0; i < h->n_warn; i++)
        free(h->warn[i]);
    free(h->warn);
    free(h->v);
    memset(h, 0, sizeof *h);
}
