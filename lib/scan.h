/* SPDX-License-Identifier: MIT */
/* Stage 5, concept scan: all terms of one language found in one pass over
 * normalized text. Terms are words (a word may end with '*', a prefix);
 * the words of a phrase match consecutive text words joined by 1 to 3
 * bytes of ' ', '-' or '\''. Invariant: a built scanner is never written
 * again, so any number of threads may scan with it at once. */
#ifndef GX_SCAN_H
#define GX_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "gdprx.h" /* gdprx_error */

typedef struct gx_term {      /* input to the builder; the builder copies what it needs */
    const char *text;         /* normalized term: words separated by single spaces, a word
                                 may end with '*' (prefix wildcard); no other syntax */
    uint32_t concept;         /* caller's id, reported in hits */
    uint32_t id;              /* caller's term id, named in build errors */
} gx_term;

typedef struct gx_scanner gx_scanner;   /* immutable after build; shareable across threads */

typedef struct gx_scan_hit {
    uint32_t concept;
    uint32_t s, e;        /* byte span in the text: first byte of the first word .. end of the last word
                           * (texts are shorter than 4 GiB: gx_normalize rejects longer ones) */
    uint32_t w0, w1;      /* index (0-based, in the text's word sequence) of first and last word */
} gx_scan_hit;

typedef struct gx_scan_hits {  /* caller-owned, reusable; gx_scan_hits_free releases */
    gx_scan_hit *v; size_t n, cap;
    uint32_t n_words;     /* number of words in the scanned text */
} gx_scan_hits;

/* Build from n terms. Errors (GDPRX_EINVAL with err message naming the term, e.g. empty term,
 * '*' not at a word end, prefix shorter than 2 bytes before '*'; GDPRX_ENOMEM) set *err.
 * On success *out is owned by the caller (gx_scanner_free). */
int gx_scanner_build(gx_scanner **out, const gx_term *terms, size_t n, gdprx_error *err);
/* The phrase automaton's size: states (the root included) and transitions
 * after a phrase's first word. */
void gx_scanner_shape(const gx_scanner *sc, size_t *states, size_t *trans);
/* Accepts NULL. */
void gx_scanner_free(gx_scanner *sc);
/* All hits of all terms in text[0, len), sorted by (s, e, concept); one hit per (concept, s, e),
 * however many of the concept's terms match there. Returns 0, or -1 when out of memory or when
 * len >= UINT32_MAX (offsets are 32-bit).
 * Word indices count words from the start of `text`. out's previous hits are replaced. */
int gx_scan(const gx_scanner *sc, const char *text, size_t len, gx_scan_hits *out);
/* Reference path for tests: the same result computed naively, term by term, position by position,
 * with no automaton/trie sharing. Must give identical output to gx_scan.
 * Terms gx_scanner_build would reject are skipped. */
int gx_scan_naive(const gx_term *terms, size_t n, const char *text, size_t len, gx_scan_hits *out);
/* Releases h->v and zeroes *h; accepts NULL. */
void gx_scan_hits_free(gx_scan_hits *h);
/* Memory used by the compiled scanner, in bytes (for the benchmark's "compiled size"). */
size_t gx_scanner_size(const gx_scanner *sc);

#endif
