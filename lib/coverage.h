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

/* Set items[k].selected: 1 when select is NULL (every rule ran) or a rule
 * with select[rule] != 0 has one of the item's labels. */
void gx_coverage_select(gdprx_coverage_item *items, const gdprx_rules *rs,
                        const unsigned char *select);

#endif
