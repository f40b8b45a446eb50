/* SPDX-License-Identifier: MIT */
/* Stage 6b, coverage. The table maps each Art. 13/14 information item to the
 * taxonomy labels that state it. It is regulation structure, not language
 * knowledge: it follows the taxonomy's article column. */
#include "coverage.h"

#include <string.h>

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

void gx_coverage(gdprx_coverage_item *out, size_t *idx,
                 const gdprx_finding *f, size_t n)
{
    for (size_t k = 0; k < GX_COVERAGE_ITEMS; k++) {
        const item_def *d = &items[k];
        gdprx_coverage_item *c = &out[k];
        size_t *mine = idx + k * n;
        c->article = d->article;
        c->item = d->item;
        c->labels = d->labels;
        c->applicable = d->condition == NULL;
        c->findings = mine;
        c->n_findings = 0;
        for (size_t i = 0; i < n; i++) {
            if (d->condition && f[i].polarity == GDPRX_AFFIRMED &&
                has_label(&f[i], d->condition))
                c->applicable = 1;
            /* a denial states the item too ("no transfer outside the EU"),
             * except for a denied right, which is not offered */
            if (has_label(&f[i], d->labels) &&
                (f[i].polarity == GDPRX_AFFIRMED || strcmp(f[i].type, "right")))
                mine[c->n_findings++] = i;
        }
        c->stated = c->n_findings > 0;
    }
}
