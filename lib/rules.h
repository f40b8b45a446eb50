/* SPDX-License-Identifier: MIT */
/* The compiled rule set behind the public gdprx_rules handle: rules with
 * JIT-compiled patterns per language, lexicons, embedded examples.
 * Immutable once gx_rules_compile() has returned. */
#ifndef GX_RULES_H
#define GX_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdatomic.h>

#include "gdprx.h"
#include "concepts.h"
#include "error.h"
#include "lexicon.h"
#include "prefilter.h"

#define GX_NLANG 3 /* en, fr, nl: index = gdprx_lang - 1 */

enum { GX_ATTR_DURATION = 1, GX_ATTR_DURATION_MAX = 2, GX_ATTR_AGE = 4,
       GX_ATTR_EMAIL = 8 };

/* A list of concepts in a condition: names as written, ids resolved once
 * every file is read (indexes of gdprx_rules.concepts). */
typedef struct gx_clist {
    char **names;
    uint32_t *ids;
    size_t n;
    gx_loc loc;
} gx_clist;

enum { GX_C_ALL, GX_C_ANY, GX_C_NONE, GX_C_SECTION, GX_C_LEAD,
       GX_C_NONE_NEAR, GX_C_COLUMN, GX_C_NONE_SECTION, GX_C_PREV,
       GX_C_NONE_PREV, GX_C_PREV_CLAUSE, GX_C_N };

/* One way a rule is stated in one language: a regex pattern (v1), or a
 * case of the rule's `when` conditions over concepts, with an optional
 * regex that then runs only where the conditions hold. */
typedef struct gx_pattern {
    char *source;          /* as written, before macro expansion; NULL for
                              a case without a regex */
    pcre2_code *code;
    int has_cond;          /* a `when` case: cond[] below apply */
    char *desc;            /* a case's conditions as text (explain); owned */
    gx_clist cond[GX_C_N]; /* all, any, none, section, lead, none_near,
                              column, none_section, prev, none_prev,
                              prev_clause */
    int near;              /* witnesses within this many words; 0: clause */
    int order;             /* `all` witnesses in the listed order */
    int none_within;       /* > 0: a `none` concept blocks a finding only
                              inside it or within this many words of it;
                              0: anywhere in the clause */
    int none_near;         /* the case has `none_near` concepts: they block
                              a finding only when inside it, touching it,
                              or within none_near_within words of it */
    int none_near_within;  /* 0: inside or touching (no space between) */
    int alone;             /* the finding covers every word of its clause */
    int every;             /* a finding per anchor hit, not one per clause */
    char *section_source;  /* NULL, or the section-heading condition */
    pcre2_code *section;
    char *lead_source;     /* NULL, or the condition on a list's lead-in */
    pcre2_code *lead;
    int negated;           /* the pattern states a denial by itself */
    int affirmed_only;     /* negatable: false on the pattern */
    uint32_t *lits;        /* prefilter: one of these literals must occur */
    size_t n_lits;         /* 0: the pattern always runs */
    int req;               /* a byte every match contains; <= 0: none */
    size_t jit_slot;       /* a case pattern's rs->jit[jit_slot - 1]; 0:
                              the code is JIT-compiled at load */
    gx_loc loc;
} gx_pattern;

/* A case pattern is interpreted by PCRE2 until it has run on GX_JIT_AFTER
 * clauses (JIT-compiling all of them would add ~15% to the load time; most
 * run rarely). 16, not 64: on a 20 KB policy analyzed again and again
 * (callgrind, 2026-12-07) the steady state costs 13.6 M instructions
 * instead of 16.0 M (every pattern it uses runs JIT-compiled after 16
 * documents instead of 64), the first analysis 17.3 M instead of 16.9 M,
 * and by the 20th document the compilations have paid for themselves. Then the one thread whose run is number GX_JIT_AFTER makes a
 * JIT-compiled copy and publishes it here, and every later run uses it. The
 * original code is never modified, so threads matching with it meanwhile
 * are not disturbed. This is the only state of a loaded set that changes. */
#define GX_JIT_AFTER 16u

/* At most this many concepts make a case a candidate (compile.c). */
#define GX_TRIG_MAX 16
typedef struct gx_jit_slot {
    _Atomic(pcre2_code *) code;   /* the JIT copy, or NULL; owned */
    atomic_uint runs;
} gx_jit_slot;

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
    gdprx_rule_info info;  /* the public view (gdprx_rules_get); points into
                              the fields above, set once the set is loaded */
    uint32_t label_rank;   /* rank of (type, subtype) in strcmp order among
                              the set's labels: equal ranks, equal labels */
    uint32_t id_rank;      /* rank of id in strcmp order (results sort
                              by these ranks, not by the strings) */
} gx_rule;

struct gdprx_rules {
    gx_rule *rules;
    size_t n_rules;
    gx_lexicon lex[GX_NLANG];
    gx_wordtab stop_langs; /* every language's stop words, value: the bit
                            * 1 << lang of each language that has it */
    char **files;          /* every file name used in a gx_loc */
    size_t n_files;
    uint32_t max_groups;   /* largest capture count over all patterns */
    gx_prefilter pf[GX_NLANG];
    int prefilter_off;     /* tests only: run every pattern on every clause */
    gx_concept *concepts;  /* every concept of the set, by id */
    size_t n_concepts;
    gx_scanner *scan[GX_NLANG];  /* all literal terms of a language */
    int scan_naive;        /* tests only: find terms without the scanner */
    gx_term *terms[GX_NLANG];    /* the scanner's input, kept for scan_naive */
    gx_pool word_pool[GX_NLANG];  /* the text of every concept's words
                              (terms above point into it), by language
                              (languages compile in parallel); owned */
    size_t n_terms[GX_NLANG];
    /* Case index per language: patterns are numbered in rule order
     * (pnum -> rule, pattern); trig[trig_off[c] .. trig_off[c + 1]) are the
     * pnums concept c triggers, always[] those tried on every clause;
     * pnum p is a candidate in a clause where trig_need[p] of the concepts
     * that trigger it are found (see triggers() in compile.c). */
    uint32_t *p_rule[GX_NLANG], *p_idx[GX_NLANG];
    size_t n_pnum[GX_NLANG];
    gx_jit_slot *jit;      /* lazily JIT-compiled case patterns; owned */
    size_t n_jit;
    uint32_t *trig_off[GX_NLANG], *trig[GX_NLANG];
    uint8_t *trig_need[GX_NLANG];
    char **warn;           /* compile-time warnings (rules check) */
    size_t n_warn, cap_warn;
    uint32_t *always[GX_NLANG];
    size_t n_always[GX_NLANG];
};

const char *gx_lang_code(int idx); /* "en", "fr", "nl" */
int gx_lang_index(const char *code, size_t n); /* -1 if unknown */

/* Build a rule set from the files of a directory or one file, or from YAML
 * in memory (loader.c). */
struct gx_limits;
int gx_rules_load_path(gdprx_rules **out, const char *path,
                       const struct gx_limits *lim, gdprx_error *err);

/* Compile a pattern with the set's options (UTF, DUPNAMES; CASELESS when
 * it has capitals: see rules/README.md)
 * and, with jit, JIT-compile it (worth it for what runs on many clauses:
 * lexicon and v1 patterns, regex terms; a case's regex runs only where its
 * concepts hold); errors name loc. */
/* A byte that every match of re contains (PCRE2's required code unit,
 * used only when it is ASCII and not a letter, so that caseless matching
 * cannot change it), or -1. A clause without it cannot match. */
/* The code to match case pattern p with: its JIT-compiled copy once it has
 * one, else p->code (see gx_jit_slot). Thread-safe. */
const pcre2_code *gx_case_code(const gdprx_rules *rs, const gx_pattern *p);
int gx_required_byte(const pcre2_code *re);
/* Where the top-level branches of pattern p start: the offsets of at most
 * `max` of them into at[] (at[0] = 0); returns their number (1 for no
 * alternation), or 0 when p holds what is not parsed here (\\Q, a comment,
 * (?x), (?|, a POSIX class) or its parentheses do not balance. Branch k
 * ends where branch k + 1 starts, less its '|'. */
size_t gx_pattern_branches(const char *p, size_t *at, size_t max);

/* "\\bA|\\bB|\\bC" as "\\b(?:A|B|C)" (malloc'd, the caller's), or NULL when
 * the pattern is not an alternation (of at most 64 branches) whose every
 * top-level branch opens with \\b, gx_pattern_branches() cannot parse it,
 * or memory is short. Both match the same; PCRE2's JIT runs the second much
 * faster (each branch that opens with an assertion is tried on its own at
 * every position: the English negation 'ignore' lexicon, 31 such branches,
 * ran 7-8x slower as written). gx_pattern_compile() uses it. */
char *gx_factor_word_boundary(const char *pattern);

int gx_pattern_compile(pcre2_code **out, const char *pattern, gx_loc loc,
                       const char *what, int jit, gdprx_error *err);

void gx_rule_free(gx_rule *r);

/* Bytes of compiled code the rule set holds: scanners, PCRE2 patterns and
 * their JIT code (the benchmark's "compiled size"). */
size_t gx_rules_compiled_size(const gdprx_rules *rs);

/* The default rule set's path: $GDPRX_RULES when set, else `installed`,
 * else `source`, the first that is a directory. NULL when neither is: err
 * (GDPRX_EIO) then lists every place looked at, in order. Ownership: the
 * result is getenv()'s or one of the arguments. */
const char *gx_rules_default(const char *installed, const char *source,
                             gdprx_error *err);

#endif
