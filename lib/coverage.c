/* SPDX-License-Identifier: MIT */
/* Stage 6b, coverage. The table maps each Art. 13/14 information item to the
 * taxonomy labels that state it. It is regulation structure, not language
 * knowledge: it follows the taxonomy's article column. */
#include "coverage.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "util.h"

typedef struct item_def {
    const char *article, *item;
    const char *labels;     /* space-separated "type" or "type.subtype" */
    const char *condition;  /* label that must be found (affirmed) for the
                               item to apply, or NULL */
} item_def;

static const item_def items[GX_COVERAGE_ITEMS] = {
    {"13(1)(a)", "identity and contact details of the controller",
     "controller.identity", NULL},
    {"13(1)(b)", "contact details of the data protection officer",
     "contact.dpo", NULL},
    {"13(1)(c)", "purposes of the processing", "purpose", NULL},
    {"13(1)(c)", "legal basis of the processing", "legal_basis", NULL},
    {"13(1)(d)", "legitimate interests pursued",
     "legal_basis.legitimate_interest", "legal_basis.legitimate_interest"},
    {"13(1)(e)", "recipients or categories of recipients", "recipient", NULL},
    {"13(1)(f)", "transfers to third countries and safeguards", "transfer",
     NULL},
    {"13(2)(a)", "storage period or the criteria to determine it",
     "retention.period retention.criteria retention.indefinite", NULL},
    {"13(2)(b)", "rights of access, rectification, erasure, restriction, "
                 "objection and portability",
     "right.access right.rectification right.erasure right.restriction "
     "right.objection right.portability", NULL},
    {"13(2)(c)", "right to withdraw consent at any time",
     "right.withdraw_consent", "legal_basis.consent"},
    {"13(2)(d)", "right to lodge a complaint with a supervisory authority",
     "right.complaint", NULL},
    {"13(2)(e)", "whether providing the data is required, and the "
                 "consequences of not providing it",
     "mandatory.statement", NULL},
    {"13(2)(f)", "automated decision-making, including profiling",
     "automated_decision right.automated_decision", NULL},
    {"14(1)(d)", "categories of personal data concerned", "data_category",
     NULL},
    {"14(2)(f)", "the source the personal data come from", "source", NULL},
};

/* Does finding f carry one of the space-separated labels? */
static int has_label(const gdprx_finding *f, const char *labels)
{
    size_t tl = strlen(f->type), sl = strlen(f->subtype);
    for (const char *p = labels; *p;) {
        const char *q = strchr(p, ' ');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n == tl && !strncmp(p, f->type, tl))
            return 1;
        if (n == tl + 1 + sl && !strncmp(p, f->type, tl) && p[tl] == '.' &&
            !strncmp(p + tl + 1, f->subtype, sl))
            return 1;
        p += n + (q != NULL);
    }
    return 0;
}

void gx_coverage_select(gdprx_coverage_item *items, const gdprx_rules *rs,
                        const unsigned char *select)
{
    for (unsigned k = 0; k < GX_COVERAGE_ITEMS; k++) {
        items[k].selected = select == NULL;
        for (size_t i = 0; select && i < rs->n_rules && !items[k].selected;
             i++) {
            gdprx_finding probe;
            memset(&probe, 0, sizeof probe);
            probe.type = rs->rules[i].type;
            probe.subtype = rs->rules[i].subtype;
            items[k].selected = select[i] && has_label(&probe, items[k].labels);
        }
    }
}

/* Bit k set: the finding carries a label of item k (lab), or of item k's
 * condition (cond). Findings of one rule share their type and subtype
 * strings, so a small cache keyed by those pointers answers most of them. */
typedef struct memo {
    const char *type, *subtype;
    uint32_t lab, cond;
} memo;

#define MEMO_SLOTS 256u   /* a power of two, above the rules of a document */

static const memo *masks(memo *cache, const gdprx_finding *f)
{
    /* the strings are small neighbours in one pool: mix the bits (a plain
     * shift and xor sent most rules to a few slots, and a miss costs 30
     * label comparisons) */
    uint64_t h = ((uint64_t)(uintptr_t)f->type * 0x9E3779B97F4A7C15u) ^
                 (uint64_t)(uintptr_t)f->subtype;
    h *= 0x9E3779B97F4A7C15u;
    memo *m = &cache[(h >> 56) % MEMO_SLOTS];
    if (m->type == f->type && m->subtype == f->subtype)
        return m;
    m->type = f->type;
    m->subtype = f->subtype;
    m->lab = m->cond = 0;
    for (unsigned k = 0; k < GX_COVERAGE_ITEMS; k++) {
        if (has_label(f, items[k].labels))
            m->lab |= 1u << k;
        if (items[k].condition && has_label(f, items[k].condition))
            m->cond |= 1u << k;
    }
    return m;
}

/* Does finding f (with label bits lab) state item k? A denial states the
 * item too ("no transfer outside the EU"), except for a denied right, which
 * is not offered. */
static int states(const gdprx_finding *f, uint32_t lab, unsigned k)
{
    return (lab >> k & 1u) &&
           (f->polarity == GDPRX_AFFIRMED || strcmp(f->type, "right"));
}

size_t gx_coverage_entries(const gdprx_finding *f, size_t n)
{
    memo cache[MEMO_SLOTS];
    memset(cache, 0, sizeof cache);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t lab = masks(cache, &f[i])->lab;
        for (unsigned k = 0; lab && k < GX_COVERAGE_ITEMS; k++)
            total += (size_t)states(&f[i], lab, k);
    }
    return total;
}

/* The table's items, none stated yet. */
static void start_items(gdprx_coverage_item *out)
{
    for (unsigned k = 0; k < GX_COVERAGE_ITEMS; k++) {
        gdprx_coverage_item *c = &out[k];
        c->article = items[k].article;
        c->item = items[k].item;
        c->labels = items[k].labels;
        c->applicable = items[k].condition == NULL;
        c->selected = 1;
        c->n_findings = 0;
    }
}

/* Count finding f (label bits m) into the items: applicability and the
 * number of findings each item will list. */
static void tally(gdprx_coverage_item *out, const memo *m,
                  const gdprx_finding *f)
{
    for (unsigned k = 0; (m->lab | m->cond) && k < GX_COVERAGE_ITEMS; k++) {
        if ((m->cond >> k & 1u) && f->polarity == GDPRX_AFFIRMED)
            out[k].applicable = 1;
        out[k].n_findings += (size_t)states(f, m->lab, k);
    }
}

void gx_coverage(gdprx_coverage_item *out, size_t *idx,
                 const gdprx_finding *f, size_t n)
{
    memo cache[MEMO_SLOTS];
    memset(cache, 0, sizeof cache);
    start_items(out);
    /* count, then place each item's indices after the previous item's */
    for (size_t i = 0; i < n; i++)
        tally(out, masks(cache, &f[i]), &f[i]);
    size_t at[GX_COVERAGE_ITEMS], next = 0;
    for (unsigned k = 0; k < GX_COVERAGE_ITEMS; k++) {
        at[k] = next;
        out[k].findings = idx + next;
        out[k].stated = out[k].n_findings > 0;
        next += out[k].n_findings;
    }
    for (size_t i = 0; i < n; i++) {
        const memo *m = masks(cache, &f[i]);
        for (unsigned k = 0; m->lab && k < GX_COVERAGE_ITEMS; k++)
            if (states(&f[i], m->lab, k))
                idx[at[k]++] = i;
    }
}

/* ---- findings one at a time ---------------------------------------------- */

struct gx_covacc {
    memo cache[MEMO_SLOTS];
    gdprx_coverage_item out[GX_COVERAGE_ITEMS]; /* n_findings: so far */
    size_t *idx[GX_COVERAGE_ITEMS];             /* owned: each item's indices */
    size_t cap[GX_COVERAGE_ITEMS];
};

int gx_covacc_new(gx_covacc **out)
{
    gx_covacc *a = calloc(1, sizeof *a);
    if (!a)
        return -1;
    start_items(a->out);
    *out = a;
    return 0;
}

void gx_covacc_free(gx_covacc *a)
{
    if (!a)
        return;
    for (unsigned k = 0; k < GX_COVERAGE_ITEMS; k++)
        free(a->idx[k]);
    free(a);
}

int gx_covacc_add(gx_covacc *a, const gdprx_finding *f, size_t index)
{
    const memo *m = masks(a->cache, f);
    for (unsigned k = 0; m->lab && k < GX_COVERAGE_ITEMS; k++)
        if (states(f, m->lab, k) &&
            gx_grow(&a->idx[k], &a->cap[k], a->out[k].n_findings + 1,
                    sizeof *a->idx[k]))
            return -1;
    for (unsigned k = 0; m->lab && k < GX_COVERAGE_ITEMS; k++)
        if (states(f, m->lab, k))
            a->idx[k][a->out[k].n_findings] = index;
    tally(a->out, m, f);
    return 0;
}

size_t gx_covacc_entries(const gx_covacc *a)
{
    size_t n = 0;
    for (unsigned k = 0; k < GX_COVERAGE_ITEMS; k++)
        n += a->out[k].n_findings;
    return n;
}

void gx_covacc_finish(const gx_covacc *a, gdprx_coverage_item *out,
                      size_t *idx)
{
    for (unsigned k = 0; k < GX_COVERAGE_ITEMS; k++) {
        out[k] = a->out[k];
        out[k].findings = idx;
        out[k].stated = out[k].n_findings > 0;
        if (out[k].n_findings)
            memcpy(idx, a->idx[k], out[k].n_findings * sizeof *idx);
        idx += out[k].n_findings;
    }
}
