/* SPDX-License-Identifier: MIT */
/* Stage 6, findings: hits in normalized offsets -> the public gdprx_result
 * (findings in original byte offsets, merged and ordered; segments;
 * warnings). Every string a result hands out lives in its own pool, so a
 * result stays valid after its rule set is freed. */
#ifndef GX_RESULT_H
#define GX_RESULT_H

#include "coverage.h"
#include "matcher.h"

typedef struct gx_pool_block gx_pool_block;

struct gdprx_result {
    gdprx_lang lang;
    gdprx_finding *f;
    size_t n, cap;
    gdprx_segment *seg;
    size_t n_seg, cap_seg;
    const char **warn;
    size_t n_warn;
    gdprx_coverage_item cov[GX_COVERAGE_ITEMS];
    gx_pool_block *pool;
};

/* Build the result of one analysis. */
int gx_result_build(gdprx_result **out, const gdprx_rules *rs,
                    const gx_text *t, const char *orig, const gx_doc *doc,
                    gx_hits *hits, int doc_lang, unsigned flags,
                    gdprx_error *err);

#endif
