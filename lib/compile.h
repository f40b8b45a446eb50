/* SPDX-License-Identifier: MIT */
/* Stage 4b, compiling: what the loader read from the rule files (the
 * schema: rules, lexicon sources, macros, concepts) -> the immutable rule
 * set: lexicon regexes, concept terms expanded and normalized, one scanner
 * per language, {{macros}} and {{concepts}} expanded in patterns, patterns
 * compiled and JIT-compiled, the case index. Errors name file:line:col. */
#ifndef GX_COMPILE_H
#define GX_COMPILE_H

#include "rules.h"

typedef struct gx_macro {
    int lang;
    char *name, *value;  /* owned */
    gx_loc loc;
} gx_macro;

typedef struct gx_lexsrc {  /* a lexicon regex as written */
    char *src;              /* owned, or NULL */
    gx_loc loc;
} gx_lexsrc;

enum { GX_LX_CUES, GX_LX_IGNORE, GX_LX_BREAKS, GX_LX_SPLIT, GX_LX_EXCEPT,
       GX_LX_N };

typedef struct gx_schema {
    gdprx_rules *rs;        /* rules, concepts and lexicon word tables read
                               so far; not owned */
    gx_macro *macros;
    size_t n_macros, cap_macros;
    gx_lexsrc lex[GX_NLANG][GX_LX_N];
    gx_loc lex_loc[GX_NLANG];
    size_t max_expanded;    /* bytes a pattern may reach once its macros
                               and concepts are expanded; 0: no limit */
    size_t threads;         /* threads the compile may use (0 or 1: the
                               caller's only) */
} gx_schema;

/* Compile everything sc->rs needs; on error sc->rs is left to be freed by
 * the caller. */
int gx_compile(gx_schema *sc, gdprx_error *err);
void gx_schema_free(gx_schema *sc);

#endif
