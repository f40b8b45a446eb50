/* SPDX-License-Identifier: MIT */
/* Stage 4c, concepts: named per-language sets of terms ("keep": keep,
 * retain*, store*, ...) that every rule can use. Terms are written as people
 * write them; this module expands their (a|b) groups and @concept
 * references, normalizes them like the analyzed text, and builds per
 * language the scanner that finds all terms of the rule set in one pass and
 * the regex form used by {{name}} in patterns. */
#ifndef GX_CONCEPTS_H
#define GX_CONCEPTS_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "scan.h"
#include "util.h"

/* Bounds on what one concept may expand to: a typo such as a recursive
 * reference or a group of groups must not make a rule set explode. */
#define GX_TERM_EXPANSIONS 4096 /* terms one written term may expand to */
#define GX_CONCEPT_DEPTH 8      /* @concept references nested this deep */

typedef struct gx_concept_lang {
    int defined;          /* the concept has a list for this language */
    char **terms;         /* as written (before expansion); owned */
    size_t n_terms;
    char **res;           /* regex terms as written ({{macros}} allowed) */
    size_t n_res;
    gx_loc loc;      /* where the language's list starts */
    /* compiled by gx_concepts_compile: */
    char **words;         /* expanded, normalized literal terms; the
                             array owned, the strings in the rule set's
                             word pool (gdprx_rules.word_pool) */
    size_t n_words, cap_words;
    char *regex;          /* every term as one regex group (for {{name}});
                             regex terms kept unexpanded; built when a
                             pattern first uses it; owned */
    pcre2_code *re;       /* the regex terms alone, or NULL */
    int req;              /* gx_required_byte(re); <= 0: none */
    uint32_t *lits;       /* prefilter: one of these literals must be in a
                             clause for re to run there (0: always); owned */
    size_t n_lits;
    char **gate;          /* without lits: one of these strings must be in
                             a clause for re to run there (see
                             gx_prefilter_gate); owned */
    size_t n_gate;
} gx_concept_lang;

typedef struct gx_concept {
    char *name;
    gx_loc loc;
    /* needs: the regex terms run only in clauses where one of these
     * concepts (of plain terms) occurs, e.g. a duration needs a unit word */
    char **need_names;    /* as written; owned */
    uint32_t *need_ids;   /* resolved at compile time; owned */
    size_t n_needs;
    gx_loc needs_loc;
    gx_concept_lang l[3]; /* en, fr, nl */
} gx_concept;

/* Expand one written term: (a|b|) groups (nesting allowed) give every
 * combination; the result is lower-cased and normalized like analyzed text
 * (accents removed, one space between words). @name words are left for the
 * caller. Appends to *out (the array the caller's; the strings allocated
 * in `pool`, even on failure); *plain is set when the normalized term, so
 * every expansion, has no '@' and no '*'. GDPRX_OK, GDPRX_ENOMEM, or
 * GDPRX_ESYNTAX with a message in why[wn] (unbalanced group, too many
 * expansions). */
int gx_term_expand(const char *term, gx_pool *pool, char ***out, size_t *n,
                   size_t *cap, int *plain, char *why, size_t wn);

struct gx_buf;
/* A written term as a regex, groups kept: (a|b|) -> (?:a|b|), w* -> w\w*,
 * @name -> {{name}} (expanded later), gaps between words -> [ '-]{1,3}.
 * `term` is normalized first (accents, case). Appended to b; much shorter
 * than the alternation of the term's expansions. */
void gx_term_written_regex(struct gx_buf *b, const char *term);

void gx_concept_free(gx_concept *c);

#endif
