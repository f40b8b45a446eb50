/* SPDX-License-Identifier: MIT */
/* Per-language lexicon tables read from the rule files: stop words (for
 * language identification), number words and duration units (for the
 * attribute extractors), negation cues and clause boundaries. */
#ifndef GX_LEXICON_H
#define GX_LEXICON_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>
#include <unicode/ubrk.h>

#include "prefilter.h"

typedef struct gx_word {
    char *word;
    int value;             /* number value, or unit designator ('Y', 'M', ...) */
} gx_word;

typedef struct gx_wordslot {
    uint32_t hash;         /* gx_word_hash() of the word */
    uint32_t idx;          /* entry index + 1; 0: empty slot */
    uint32_t len;          /* strlen of the word */
} gx_wordslot;

typedef struct gx_wordtab {    /* sorted by word for binary search */
    gx_word *w;            /* owned, with each w[i].word */
    size_t n, cap;
    /* Hash index built by gx_wordtab_sort (owned; NULL if it could not be
     * built): open addressing over nslot (a power of two) slots. Valid while
     * n_indexed == n; otherwise lookups fall back to binary search. */
    gx_wordslot *slot;
    size_t nslot, n_indexed;
    size_t maxlen;         /* longest word, in bytes (valid with the index) */
} gx_wordtab;

/* A unit word's value in gx_lexicon.units: its designator (Y M W D H, or I
 * for minutes) in the low byte, how many of it the word holds above
 * ("fortnight" 2 W, "trimestre" 3 M). */
#define GX_UNIT_VALUE(designator, count) \
    ((long)(count) << 8 | (long)(unsigned char)(designator))
#define GX_UNIT_DESIGNATOR(value) ((char)((value) & 0xFF))
#define GX_UNIT_COUNT(value) ((value) >> 8)

/* A lexicon pattern run as its top-level branches, each compiled alone
 * (owned, re[n]): PCRE2 keeps each branch's own start optimization (a first
 * byte, an anchor), which one alternation of dissimilar branches loses
 * (the English scope breaks ran ~10x slower as one pattern). */
#define GX_SPANSET_MAX 128   /* branches; a pattern with more runs whole */

typedef struct gx_spanset {
    pcre2_code **re;
    uint32_t **lits;   /* [n]: literals of re[k] in the lexicon's neg_pf,
                          one of which a clause must hold for re[k] to run
                          (NULL: always) */
    size_t *n_lits;    /* [n] */
    size_t n;
} gx_spanset;

typedef struct gx_lexicon {
    int present;
    gx_wordtab stopwords, numbers, units;
    gx_wordtab halves;     /* value: thousandths ("half" 500, "anderhalf" 1500) */
    gx_wordtab joiners;    /* words that join number words ("and", "et") */
    gx_wordtab phrases;    /* durations written without a number ("sous
                              quinzaine", "binnen de maand"): the phrase,
                              as normalized text, and its value as units'
                              (GX_UNIT_VALUE) */
    gx_wordtab num_abbrevs; /* abbreviations written before a number ("art"
                              in "art. 6.1"): no sentence ends at their
                              period when a digit follows */
    pcre2_code *neg_cues, *clause_split;
    /* Span sets, each a lexicon pattern compiled branch by branch (every
     * match of every branch is a span): negation 'ignore' and 'breaks',
     * and exceptions ("except", "sauf": a cue before one does not deny what
     * follows it) */
    gx_spanset neg_ignore, neg_breaks, neg_except;
    /* the span sets' literals: scanned in a clause once it has a cue (the
     * rules' prefilter scans every clause; these would slow it) */
    gx_prefilter neg_pf;
    int neg_before, neg_after;
    /* Sentence break iterators made once per rule set by
     * gx_segment_prepare() and cloned by each gx_segment() call (owned;
     * NULL: gx_segment opens its own): the language's "xx@ss=standard",
     * and in lex[0] only, the plain "en" used for text of no known language. */
    UBreakIterator *sentences, *sentences_plain;
} gx_lexicon;

void gx_spanset_free(gx_spanset *ss);

int gx_wordtab_add(gx_wordtab *t, const char *word, size_t n, int value);
/* Sort the table and build its hash index (call again after adding). */
void gx_wordtab_sort(gx_wordtab *t);
/* Find a word of n bytes; returns its entry or NULL. Of equal words, the
 * entry binary search over the sorted table finds. */
const gx_word *gx_wordtab_find(const gx_wordtab *t, const char *word,
                               size_t n);

/* Hash of a word as the index uses it (FNV-1a, 32 bits): a caller that
 * looks one word up in several tables hashes it once. */
#define GX_WORD_HASH_INIT 2166136261u
static inline uint32_t gx_word_hash_step(uint32_t h, unsigned char c)
{
    return (h ^ c) * 16777619u;
}
static inline uint32_t gx_word_hash(const char *word, size_t n)
{
    uint32_t h = GX_WORD_HASH_INIT;
    for (size_t i = 0; i < n; i++)
        h = gx_word_hash_step(h, (unsigned char)word[i]);
    return h;
}
/* gx_wordtab_find by binary search only (tables without an index). */
const gx_word *gx_wordtab_find_sorted(const gx_wordtab *t, const char *word,
                                      size_t n);

/* gx_wordtab_find for a word without NUL bytes whose gx_word_hash is h;
 * inline because the language identifier calls it for every word. */
static inline const gx_word *gx_wordtab_find_hashed(const gx_wordtab *t,
                                                    const char *word,
                                                    size_t n, uint32_t h)
{
    if (!t->slot || t->n_indexed != t->n)
        return gx_wordtab_find_sorted(t, word, n);
    if (n > t->maxlen)
        return NULL;
    size_t mask = t->nslot - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const gx_wordslot *sl = &t->slot[i];
        if (sl->idx == 0)
            return NULL;
        if (sl->hash != h || sl->len != n)
            continue;
        const gx_word *e = &t->w[sl->idx - 1];
        size_t k = 0;
        while (k < n && e->word[k] == word[k])
            k++;
        if (k == n)
            return e;
    }
}

/* Alternation of the table's words, longest first, as a PCRE2 group
 * "(?:w1|w2|...)" with regex metacharacters escaped. Caller frees. */
char *gx_wordtab_regex(const gx_wordtab *t);
void gx_lexicon_free(gx_lexicon *lx);
/* Free a table's words and index (t itself is the caller's). */
void gx_wordtab_free(gx_wordtab *t);
/* Fill `all` (empty) with the words of tabs[0, n), each word once with the
 * value OR-ed over the tables that have it of 1 << table index; sorted and
 * indexed. Returns 0, or -1 when out of memory. */
int gx_wordtab_union_bits(gx_wordtab *all, const gx_wordtab *const *tabs,
                          int n);

#endif
