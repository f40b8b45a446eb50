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
    int level;          /* 1-6: a Markdown ATX ("## ") or setext heading
                           (HTML h1-h6 arrive as ATX); 0: a heading told by
                           its form (numbered, question, ALL CAPS, title) */
    int parent;         /* the heading of the section this one lies in, or
                           -1: the nearest heading before it of a level from
                           2 to one less than its own (any level from 2 for
                           a level-0 heading); a level-1 heading is the
                           document's title or a top section and is no
                           heading's parent. Always < this one's index. */
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
    /* the sentence before the clause's sentence in its paragraph (empty,
     * s == e, for the first sentence and for table cells) */
    size_t prev_s, prev_e;
    /* the clause before it in its sentence (empty for a sentence's first
     * clause and for table cells): "You may refuse, | but then ..." */
    size_t pcl_s, pcl_e;
} gx_clause;

/* A span of normalized text. */
typedef struct gx_span {
    size_t s, e;
} gx_span;

/* The concept set of one context span (a heading, a lead-in, a header or
 * row cell) in one language: bit k set when concept k has a plain-term hit
 * inside [s, e) (what the matcher's section and lead conditions ask). */
typedef struct gx_ctxspan {
    size_t s, e;
    int lang;
    int used;              /* asked for by the current part */
    uint64_t *bits;        /* owned: gx_ctxmemo.words words */
} gx_ctxspan;

/* What is known about context spans that lie before the current part, kept
 * from part to part so that a part does not read them again (a heading or
 * lead-in above many parts would otherwise be scanned once per part):
 * their concept sets, and whether the last list lead-in looked at denies
 * its list. Filled by the driver (lib/analyze.c) and the matcher; read by
 * the matcher. Ownership: the analysis's (gx_ctxmemo_free). */
typedef struct gx_ctxmemo {
    gx_ctxspan *v;         /* owned */
    size_t n, cap;
    size_t words;          /* words of each bit set */
    int lead;              /* lead-in paragraph whose denial is known, or
                              -1, and what the matcher found about it */
    int lead_denied;
    size_t lead_cue_s, lead_cue_e;
    size_t reach[GX_NLANG];   /* per language: words a long span's scan
                                 windows overlap by, 0 until worked out */
} gx_ctxmemo;

/* The concept set of span [s, e) in language lang, or NULL when unknown. */
const uint64_t *gx_ctxmemo_bits(const gx_ctxmemo *x, size_t s, size_t e,
                                int lang);
/* Accepts NULL; leaves *x empty. */
void gx_ctxmemo_free(gx_ctxmemo *x);

typedef struct gx_doc {
    gx_heading *hd;
    size_t n_hd, cap_hd;
    gx_para *pa;
    size_t n_pa, cap_pa;
    gx_clause *cl;
    size_t n_cl, cap_cl;
    /* the spans the matcher's concept scan reads, ascending and disjoint,
     * each starting and ending where a word cannot go on (gx_segment_next);
     * NULL: the whole text. Borrowed; never freed by gx_doc_free. */
    const gx_span *scan;
    size_t n_scan;
    /* context spans known from earlier parts (the matcher takes their
     * concept sets from here instead of from its scan); NULL: none.
     * Borrowed; never freed by gx_doc_free. */
    gx_ctxmemo *ctx;
} gx_doc;

/* Segment `t` (normalized from `orig`); line breaks inside paragraphs
 * become spaces in t->s (offsets do not move). doc_lang: the document's language
 * index (-1 unknown), used for the sentence breaker's locale and for
 * paragraphs whose own language cannot be told. */
int gx_segment(gx_doc *doc, gx_text *t, const char *orig,
               const gdprx_rules *rs, int doc_lang, gdprx_error *err);
void gx_doc_free(gx_doc *doc);

/* The same in parts, so that the clauses and what is built from them need
 * memory for one part only. gx_segment_begin finds the headings and
 * paragraphs of the whole text (doc->hd, doc->pa); each gx_segment_next
 * call replaces doc->cl with the clauses of the next part: whole
 * paragraphs, or the sentences of one, or the clauses of a sentence cut at
 * ';' or '|', from where the last part ended, until they hold at least
 * `max` normalized bytes (SIZE_MAX: the rest) and the next part may start.
 * A part starts at a paragraph, sentence or such clause start whose
 * previous byte is no word byte, so that a scan of the text from it
 * reads the words a scan of the whole text reads; a text without such a
 * place is one part. [*lo, *hi) is the part's span (the first starts at 0,
 * the last ends at t->len; the parts tile the text); the clauses of all
 * parts are those gx_segment gives, in order. gx_segment_done tells when
 * the last part was given. Returns GDPRX_OK or a GDPRX_E* status with err
 * set (then call gx_segment_end). Ownership: the cursor is the caller's
 * (gx_segment_end); it borrows doc, t, orig, rs and err. */
typedef struct gx_segcur gx_segcur;
int gx_segment_begin(gx_segcur **out, gx_doc *doc, gx_text *t,
                     const char *orig, const gdprx_rules *rs, int doc_lang,
                     gdprx_error *err);
int gx_segment_next(gx_segcur *c, size_t max, size_t *lo, size_t *hi);
int gx_segment_done(const gx_segcur *c);
/* Accepts NULL. */
void gx_segment_end(gx_segcur *c);

/* Open the sentence break iterators gx_segment clones (kept in rs's
 * lexicons) so that each call does not build them again. Called once while
 * the rule set is built; an iterator that cannot be opened stays NULL, and
 * gx_segment then opens it itself (and reports the error). */
void gx_segment_prepare(gdprx_rules *rs);

#endif
