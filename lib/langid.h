/* SPDX-License-Identifier: MIT */
/* Stage 2, language identification: counts each language's stop words (from
 * the rule set's lexicons) in normalized text; the most used wins. */
#ifndef GX_LANGID_H
#define GX_LANGID_H

#include "rules.h"

/* Language index (0 en, 1 fr, 2 nl) of normalized text s[0, n), or -1 when
 * fewer than `min_hits` stop words were seen or the best language does not
 * have `margin` times the hits of the next one. */
int gx_langid(const gdprx_rules *rs, const char *s, size_t n, int min_hits,
              double margin);

#endif
