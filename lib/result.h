/* SPDX-License-Identifier: MIT */
/* Stage 6, findings: hits in normalized offsets -> the public gdprx_result
 * (findings in original byte offsets, merged and ordered; segments;
 * warnings). Every string a result hands out lives in its own pool, so a
 * result stays valid after its rule set is freed. */
#ifndef GX_RESULT_H
#define GX_RESULT_H

#include "coverage.h"
#include "matcher.h"
#include "util.h"

struct gdprx_result {
    gdprx_lang lang;
    gdprx_finding *f;
    size_t n, cap;
    size_t n_streamed;     /* findings a streamed analysis handed out */
    gdprx_segment *seg;
    size_t n_seg, cap_seg;
    const char **warn;
    size_t n_warn;
    gdprx_coverage_item cov[GX_COVERAGE_ITEMS];
    gx_pool pool;          /* every string and array the findings point to */
};

/* Where a streamed analysis hands its findings: finding() gets each one in
 * result order as soon as its part is done (f is the builder's: it may be
 * changed in place, e.g. HTML offsets; it and its strings are dropped after
 * the part), index counting from 0. A nonzero return stops the analysis
 * with GDPRX_EIO. */
typedef struct gx_emit {
    int (*finding)(void *ctx, gdprx_finding *f, size_t index);
    void *ctx;
} gx_emit;

/* Build the result of one analysis, part by part (gx_segment_next):
 * gx_result_begin with the document's headings and paragraphs in doc, then
 * gx_result_add for each part in order, with doc->cl holding the part's
 * clauses and `hits` the matcher's hits on them (their warnings are moved
 * out of hits: at most 100 in all); hi is where the next part starts. The
 * findings, segments and warnings are those one part of the whole text
 * gives. With emit, the findings go there part by part and the result
 * keeps none (its coverage lists their stream indices; n_streamed counts
 * them). gx_result_end returns the result in *out and frees the builder;
 * after an error, release it with gx_result_abort (accepts NULL).
 * Ownership: the builder borrows rs, t, orig, doc and emit until it is freed;
 * *out is the caller's. */
typedef struct gx_rbuild gx_rbuild;
int gx_result_begin(gx_rbuild **out, const gdprx_rules *rs, const gx_text *t,
                    const char *orig, const gx_doc *doc, int doc_lang,
                    unsigned flags, const gx_emit *emit, gdprx_error *err);
int gx_result_add(gx_rbuild *rb, gx_hits *hits, size_t hi, gdprx_error *err);
int gx_result_end(gx_rbuild *rb, gdprx_result **out, gdprx_error *err);
void gx_result_abort(gx_rbuild *rb);

#endif
