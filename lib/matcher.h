/* SPDX-License-Identifier: MIT */
/* Stage 5, matching: runs each selected rule's patterns (in the clause's
 * language) over every clause, applies negation and extracts attributes.
 * Produces hits in normalized offsets; per-call scratch only. */
#ifndef GX_MATCHER_H
#define GX_MATCHER_H

#include "attrs.h"
#include "scan.h"
#include "segment.h"

#define GX_WITNESS_MAX 12

typedef struct gx_witness {      /* a concept hit that made a case hold */
    uint32_t concept;
    size_t s, e;                 /* normalized span */
} gx_witness;

typedef struct gx_hit {
    const gx_rule *r;            /* rules[rule] */
    size_t rule, pattern, clause;
    size_t s, e;                 /* normalized span of the match */
    int negated;
    size_t cue_s, cue_e;         /* negation cue span, when one applied */
    char duration[GX_ISO_MAX], duration_max[GX_ISO_MAX];
    int age;
    size_t email_s, email_e;     /* normalized span, email_e = 0 if none */
    const char *email;           /* normalized text of the e-mail */
    uint32_t wit, n_wit;         /* concepts of a `when` case, if any:
                                    gx_hits.wit[wit, wit + n_wit) (kept
                                    apart: the hits are sorted and moved) */
} gx_hit;

typedef struct gx_hits {
    gx_hit *v;
    size_t n, cap;
    gx_witness *wit;             /* the hits' witnesses */
    size_t n_wit, cap_wit;
    char **warn;                 /* warnings, heap strings */
    size_t n_warn, cap_warn;
} gx_hits;

/* Scratch that one analysis' calls of gx_match reuse, part after part
 * (zeroed before the first call; gx_mwork_free after the last): the
 * concept scan's hits, held from one part to the next so that a long
 * document does not map and fault in fresh pages for each part. */
typedef struct gx_mwork {
    gx_scan_hits sh[GX_NLANG];   /* a part's term hits per language */
    gx_scan_hits piece;          /* one scan span's, before appending */
} gx_mwork;

void gx_mwork_free(gx_mwork *w);

/* Hits of one call of gx_match (the caller's out: zeroed before the first
 * call; a later call reuses its memory). select[i] != 0 when rule i is to
 * run (NULL: all rules). The concept
 * terms of each language the clauses use are found first, in one scan of
 * the text per language; scan_ns (may be NULL) receives its time. */
int gx_match(gx_hits *out, gx_mwork *work, const gdprx_rules *rs,
             const gx_text *t, const gx_doc *doc,
             const unsigned char *select, double *scan_ns, gdprx_error *err);
void gx_hits_free(gx_hits *h);
/* Forget the hits and warnings, keep the memory for the next gx_match. */
void gx_hits_reset(gx_hits *h);
/* Add a warning (at most 100 are kept; later ones are dropped).
 * Returns 0, or -1 when out of memory. */
int gx_hits_warn(gx_hits *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
