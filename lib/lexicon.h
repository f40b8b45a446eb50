/* SPDX-License-Identifier: MIT */
/* Per-language lexicon tables read from the rule files: stop words (for
 * language identification), number words and duration units (for the
 * attribute extractors), negation cues and clause boundaries. */
#ifndef GX_LEXICON_H
#define GX_LEXICON_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>

typedef struct gx_word {
    char *word;
    int value;             /* number value, or unit designator ('Y', 'M', ...) */
} gx_word;

typedef struct gx_wordtab {    /* sorted by word for binary search */
    gx_word *w;
    size_t n, cap;
} gx_wordtab;

typedef struct gx_lexicon {
    int present;
    gx_wordtab stopwords, numbers, units;
    pcre2_code *neg_cues, *neg_ignore, *neg_breaks, *clause_split;
    int neg_before, neg_after;
} gx_lexicon;

int gx_wordtab_add(gx_wordtab *t, const char *word, size_t n, int value);
void gx_wordtab_sort(gx_wordtab *t);
/* Find a word of n bytes; returns its entry or NULL. */
const gx_word *gx_wordtab_find(const gx_wordtab *t, const char *word,
                               size_t n);
/* Alternation of the table's words, longest first, as a PCRE2 group
 * "(?:w1|w2|...)" with regex metacharacters escaped. Caller frees. */
char *gx_wordtab_regex(const gx_wordtab *t);
void gx_lexicon_free(gx_lexicon *lx);

#endif
