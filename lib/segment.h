/* SPDX-License-Identifier: MIT */
/* Stage 3, segmentation: normalized text -> sections (headings), paragraphs
 * (with their own language when it can be told) and clauses, the unit the
 * matcher works on. Spans are normalized offsets; every clause lies inside
 * one paragraph and never contains a line break. */
#ifndef GX_SEGMENT_H
#define GX_SEGMENT_H

#include "normalize.h"
#include "rules.h"

/* Longest clause, in normalized bytes; longer runs without a sentence end
 * are cut (at a space when there is one in the second half). */
#define GX_CLAUSE_MAX 2048

/* Longest run of original text, in bytes, that ICU's sentence breaker reads
 * at once (the UTF-16 scratch is sized for it). A longer paragraph is read
 * in windows of this size: each window's last break is found again by the
 * next window, which starts at the break before it; a window with no break
 * in its first half is cut halfway, so a sentence longer than half the
 * window may be cut there. Documented in gdprx.h. */
#define GX_SENTENCE_WINDOW (256u * 1024u)

typedef struct gx_heading {
    size_t s, e;        /* normalized span of the heading's text */
} gx_heading;

typedef struct gx_para {
    size_t s, e;
    int lang;           /* own language index, or -1 */
    int section;        /* heading index, or -1 */
    int lead;           /* list items: the paragraph ending with ':' that
                           introduces the list, or -1 */
} gx_para;

typedef struct gx_clause {
    size_t s, e;
    int lang;           /* language index the rules use for it */
    int section;        /* heading index, or -1 */
    int lead;           /* the lead-in paragraph of its list item, or -1 */
    /* a table cell: the span of its column's header cell and of its row's
     * first cell (both empty, s == e, when it has none) */
    size_t col_s, col_e, row_s, row_e;
} gx_clause;

typedef struct gx_doc {
    gx_heading *hd;
    size_t n_hd, cap_hd;
    gx_para *pa;
    size_t n_pa, cap_pa;
    gx_clause *cl;
    size_t n_cl, cap_cl;
} gx_doc;

/* Segment `t` (normalized from `orig`); line breaks inside paragraphs
 * become spaces in t->s (offsets do not move). doc_lang: the document's language
 * index (-1 unknown), used for the sentence breaker's locale and for
 * paragraphs whose own language cannot be told. */
int gx_segment(gx_doc *doc, gx_text *t, const char *orig,
               const gdprx_rules *rs, int doc_lang, gdprx_error *err);
void gx_doc_free(gx_doc *doc);

/* Open the sentence break iterators gx_segment clones (kept in rs's
 * lexicons) so that each call does not build them again. Called once while
 * the rule set is built; an iterator that cannot be opened stays NULL, and
 * gx_segment then opens it itself (and reports the error). */
void gx_segment_prepare(gdprx_rules *rs);

#endif
