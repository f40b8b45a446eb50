/* SPDX-License-Identifier: MIT */
/* Stage 6b, coverage: which information items of GDPR Art. 13 and 14 the
 * document's findings state, with the conditions the regulation puts on
 * some of them. */
#ifndef GX_COVERAGE_H
#define GX_COVERAGE_H

#include "gdprx.h"

#define GX_COVERAGE_ITEMS 15

/* The number of finding indices gx_coverage writes for these findings
 * (each finding counts once for every item it states). */
size_t gx_coverage_entries(const gdprx_finding *f, size_t n_findings);
/* Fill items[GX_COVERAGE_ITEMS] from the findings. idx receives the finding
 * indices of every item, one after the other: it must hold
 * gx_coverage_entries(f, n_findings) entries. */
void gx_coverage(gdprx_coverage_item *items, size_t *idx,
                 const gdprx_finding *f, size_t n_findings);

/* Coverage of findings handed over one at a time (a streamed analysis
 * keeps none of them): gx_covacc_add each finding with its index in the
 * stream, then gx_covacc_finish fills items[GX_COVERAGE_ITEMS] as
 * gx_coverage would for those findings in that order; idx must hold
 * gx_covacc_entries() entries. gx_covacc_new and gx_covacc_add return 0,
 * or -1 when out of memory. Ownership: *out is the caller's
 * (gx_covacc_free, which accepts NULL). */
typedef struct gx_covacc gx_covacc;
int gx_covacc_new(gx_covacc **out);
int gx_covacc_add(gx_covacc *a, const gdprx_finding *f, size_t index);
size_t gx_covacc_entries(const gx_covacc *a);
void gx_covacc_finish(const gx_covacc *a, gdprx_coverage_item *items,
                      size_t *idx);
void gx_covacc_free(gx_covacc *a);

/* Set items[k].selected: 1 when select is NULL (every rule ran) or a rule
 * with select[rule] != 0 has one of the item's labels. */
void gx_coverage_select(gdprx_coverage_item *items, const gdprx_rules *rs,
                        const unsigned char *select);

#endif
