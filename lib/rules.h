/* SPDX-License-Identifier: MIT */
/* The compiled rule set behind the public gdprx_rules handle: rules with
 * JIT-compiled patterns per language, lexicons, embedded examples.
 * Immutable once gx_rules_compile() has returned. */
#ifndef GX_RULES_H
#define GX_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "gdprx.h"
#include "lexicon.h"
#include "prefilter.h"

#define GX_NLANG 3 /* en, fr, nl: index = gdprx_lang - 1 */

enum { GX_ATTR_DURATION = 1, GX_ATTR_DURATION_MAX = 2, GX_ATTR_AGE = 4,
       GX_ATTR_EMAIL = 8 };

typedef struct gx_loc {
    const char *file; /* owned by the rule set's file table */
    int line, col;
} gx_loc;

typedef struct gx_pattern {
    char *source;          /* as written, before macro expansion */
    pcre2_code *code;
    char *section_source;  /* NULL, or the section-heading condition */
    pcre2_code *section;
    char *lead_source;     /* NULL, or the condition on a list's lead-in */
    pcre2_code *lead;
    int negated;           /* the pattern states a denial by itself */
    int affirmed_only;     /* negatable: false on the pattern */
    uint32_t *lits;        /* prefilter: one of these literals must occur */
    size_t n_lits;         /* 0: the pattern always runs */
    gx_loc loc;
} gx_pattern;

typedef struct gx_example {
    char *text;
    int must_match;
    gdprx_polarity polarity;
    char *duration, *duration_max, *email;
    int age;               /* -1 if not asserted */
    gx_loc loc;
} gx_example;

typedef struct gx_rule {
    char *id, *type, *subtype;
    char **articles;
    size_t n_articles;
    unsigned attrs;        /* GX_ATTR_* a finding must carry */
    int negatable;
    gx_pattern *pat[GX_NLANG];
    size_t n_pat[GX_NLANG];
    gx_example *ex[GX_NLANG];
    size_t n_ex[GX_NLANG];
    gx_loc loc;
} gx_rule;

struct gdprx_rules {
    gx_rule *rules;
    size_t n_rules;
    gx_lexicon lex[GX_NLANG];
    char **files;          /* every file name used in a gx_loc */
    size_t n_files;
    uint32_t max_groups;   /* largest capture count over all patterns */
    gx_prefilter pf[GX_NLANG];
    int prefilter_off;     /* tests only: run every pattern on every clause */
};

const char *gx_lang_code(int idx); /* "en", "fr", "nl" */
int gx_lang_index(const char *code, size_t n); /* -1 if unknown */

/* Build a rule set from the files of a directory or one file, or from YAML
 * in memory (loader.c). */
int gx_rules_load_path(gdprx_rules **out, const char *path, gdprx_error *err);
int gx_rules_load_mem(gdprx_rules **out, const char *yaml, size_t len,
                      const char *name, gdprx_error *err);

/* Compile a pattern with the set's options (UTF, UCP, CASELESS, DUPNAMES)
 * and JIT it; errors name loc. */
int gx_pattern_compile(pcre2_code **out, const char *pattern, gx_loc loc,
                       const char *what, gdprx_error *err);

void gx_rule_free(gx_rule *r);

#endif
