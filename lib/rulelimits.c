/* SPDX-License-Identifier: MIT */
/* Stage 4a, rule-file limits: resolves gdprx_rules_options, and checks a
 * file's size and nesting depth in one linear pass over its bytes, before
 * libyaml sees them. Invariant: nothing here reads past max_file_size
 * bytes; every error names file:line:col where the limit was crossed. */
#include "rulelimits.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"

/* Size of the first version of gdprx_rules_options. */
#define OPTIONS_V1_SIZE                                                      \
    (offsetof(gdprx_rules_options, max_examples) + sizeof(size_t))
#define OPTIONS_MAX_SIZE 4096 /* anything larger is garbage, not a struct */

void gdprx_rules_options_init_sized(gdprx_rules_options *opts, size_t size)
{
    if (!opts || size < OPTIONS_V1_SIZE)
        return;
    memset(opts, 0, size); /* every limit 0: its default */
    opts->size = size;
}

static size_t or_default(size_t v, size_t def) { return v ? v : def; }

int gx_limits_resolve(gx_limits *out, const gdprx_rules_options *opts,
                      gdprx_error *err)
{
    gdprx_rules_options o;
    gdprx_rules_options_init(&o);
    if (opts) { /* read the fields the caller's struct has */
        if (opts->size < OPTIONS_V1_SIZE || opts->size > OPTIONS_MAX_SIZE)
            return gx_error_set(err, GDPRX_EINVAL,
                                "rule options not initialized with "
                                "gdprx_rules_options_init()");
        memcpy(&o, opts, opts->size < sizeof o ? opts->size : sizeof o);
    }
    out->file_size = or_default(o.max_file_size, GDPRX_RULES_MAX_FILE_SIZE);
    out->total_size =
        or_default(o.max_total_size, GDPRX_RULES_MAX_TOTAL_SIZE);
    out->depth = or_default(o.max_depth, GDPRX_RULES_MAX_DEPTH);
    out->rules = or_default(o.max_rules, GDPRX_RULES_MAX_RULES);
    out->concepts = or_default(o.max_concepts, GDPRX_RULES_MAX_CONCEPTS);
    out->terms = or_default(o.max_terms, GDPRX_RULES_MAX_TERMS);
    out->patterns = or_default(o.max_patterns, GDPRX_RULES_MAX_PATTERNS);
    out->pattern_len =
        or_default(o.max_pattern_len, GDPRX_RULES_MAX_PATTERN_LEN);
    out->expanded_len =
        or_default(o.max_expanded_len, GDPRX_RULES_MAX_EXPANDED_LEN);
    out->examples = or_default(o.max_examples, GDPRX_RULES_MAX_EXAMPLES);
    out->threads = or_default(o.threads, GDPRX_RULES_THREADS);
    return GDPRX_OK;
}

/* ---- the pre-scan -------------------------------------------------------
 * A YAML tokenizer just precise enough to count nesting as libyaml will:
 * flow collections ('[' '{' where a token starts, or anywhere inside flow
 * context) outside quoted scalars and comments, and block collections by
 * indentation ("key:" lines, "- " and "? " entries, compact "- - x").
 * Where it misreads an odd file (a quote opening a multi-line plain
 * scalar, say), the loader's event pass checks the same limit again with
 * libyaml's own reading, which by then is linear since depth is bounded. */

enum { Q_NONE, Q_SINGLE, Q_DOUBLE };
enum { K_SEQ = 1, K_MAP = 2 };

typedef struct level {
    size_t col; /* 0-based column where the collection's entries start */
    int kind;   /* K_SEQ or K_MAP */
} level;

typedef struct scanner {
    const unsigned char *s;
    size_t n, i;        /* s[i] is the next byte; i <= n */
    size_t line, col;   /* position of s[i], 1-based; col in characters */
    int quote;          /* Q_*: inside a quoted scalar, across lines too */
    size_t flow;        /* open '[' and '{' */
    level *blk;         /* open block collections, columns increasing;
                           owned, freed by gx_prescan */
    size_t n_blk, cap_blk;
    int in_scalar;      /* inside a block scalar ('|' or '>') ... */
    size_t scalar_col;  /* ... whose lines are indented beyond this */
    int tok;            /* the next non-blank character starts a token */
    const char *name;
    const gx_limits *lim;
    gdprx_error *err;
} scanner;

static int is_blank(int c) { return c == ' ' || c == '\t'; }
static int is_break(int c) { return c == '\n' || c == '\r'; }

static int at(const scanner *sc, size_t i) { return i < sc->n ? sc->s[i] : 0; }

static int at_eol(const scanner *sc)
{
    return sc->i >= sc->n || is_break(sc->s[sc->i]);
}

/* Move past s[i], which is not a line break. libyaml counts columns in
 * characters, so UTF-8 continuation bytes do not advance it. */
static void step(scanner *sc)
{
    sc->i++;
    if (sc->i < sc->n && (sc->s[sc->i] & 0xC0) != 0x80)
        sc->col++;
}

/* Move past the line break at s[i] ("\r\n" is one). */
static void skip_break(scanner *sc)
{
    if (sc->s[sc->i] == '\r' && at(sc, sc->i + 1) == '\n')
        sc->i++;
    sc->i++;
    sc->line++;
    sc->col = 1;
}

static void skip_to_eol(scanner *sc)
{
    while (!at_eol(sc))
        step(sc);
}

static int fail_at(const scanner *sc, const char *what, size_t limit,
                   const char *unit, const char *option)
{
    return gx_error_at(sc->err, GDPRX_ELIMIT, sc->name,
                       sc->line > INT_MAX ? INT_MAX : (int)sc->line,
                       sc->col > INT_MAX ? INT_MAX : (int)sc->col,
                       "%s %zu %s (limit %s)", what, limit, unit, option);
}

/* Called at the character that opens the collection one too deep. */
static int too_deep(const scanner *sc)
{
    return fail_at(sc, "YAML collections nested deeper than",
                   sc->lim->depth, "levels", "max_depth");
}

/* ---- block collections -------------------------------------------------- */

static int push_level(scanner *sc, size_t col, int kind)
{
    if (gx_grow(&sc->blk, &sc->cap_blk, sc->n_blk + 1, sizeof *sc->blk) != 0)
        return gx_error_nomem(sc->err);
    sc->blk[sc->n_blk].col = col;
    sc->blk[sc->n_blk++].kind = kind;
    if (sc->n_blk + sc->flow > sc->lim->depth) {
        scanner at = *sc; /* the error names the collection's column */
        at.col = col + 1;
        return too_deep(&at);
    }
    return GDPRX_OK;
}

static const level *top(const scanner *sc)
{
    return sc->n_blk ? &sc->blk[sc->n_blk - 1] : NULL;
}

/* The first collection of a line, at `col`: it continues the one open at
 * that column, or opens one (a sequence may sit at its mapping key's
 * column), closing any deeper ones. */
static int enter_level(scanner *sc, size_t col, int kind)
{
    while (top(sc) && top(sc)->col > col)
        sc->n_blk--;
    if (top(sc) && top(sc)->col == col) {
        if (top(sc)->kind == kind)
            return GDPRX_OK;
        if (kind == K_SEQ) /* "key:\n- item": a sequence below the key */
            return push_level(sc, col, kind);
        sc->n_blk--; /* that sequence ends; its mapping may go on */
        if (top(sc) && top(sc)->col == col && top(sc)->kind == kind)
            return GDPRX_OK;
    }
    return push_level(sc, col, kind);
}

/* Does the line from s[j] hold a mapping key ("key:" followed by a blank
 * or the end of the line, outside quotes and before a comment)? */
static int is_key(const scanner *sc, size_t j)
{
    int c = at(sc, j);
    if (c == '[' || c == '{')
        return 0;
    if (c == '\'' || c == '"') { /* a quoted key ends at its quote */
        for (j++; at(sc, j) != c; j++)
            if (j >= sc->n || is_break(sc->s[j]))
                return 0;
        j++;
    }
    for (; j < sc->n && !is_break(sc->s[j]); j++) {
        if (sc->s[j] == '#' && j > 0 && is_blank(sc->s[j - 1]))
            return 0;
        if (sc->s[j] == ':' &&
            (j + 1 == sc->n || is_blank(sc->s[j + 1]) ||
             is_break(sc->s[j + 1])))
            return 1;
    }
    return 0;
}

/* The block collections a line opens: its "- " and "? " entries (compact
 * ones nest: "- - x"), then a "key:". s[i] is the line's first non-blank
 * character, outside flow and quotes. Nothing is consumed. */
static int block_line(scanner *sc)
{
    size_t j = sc->i, col = sc->col - 1;
    for (int first = 1;; first = 0) {
        int c = at(sc, j), kind = 0;
        int entry = (c == '-' || c == '?') &&
                    (j + 1 >= sc->n || is_blank(sc->s[j + 1]) ||
                     is_break(sc->s[j + 1]));
        if (entry)
            kind = c == '-' ? K_SEQ : K_MAP;
        else if (is_key(sc, j))
            kind = K_MAP;
        int rc = GDPRX_OK;
        if (kind)
            rc = first ? enter_level(sc, col, kind) : push_level(sc, col, kind);
        else if (first)
            while (top(sc) && top(sc)->col > col)
                sc->n_blk--;
        if (rc || !entry)
            return rc;
        for (j++, col++; j < sc->n && is_blank(sc->s[j]); j++)
            col++;
        c = at(sc, j);
        if (j >= sc->n || is_break(c) || c == '#')
            return GDPRX_OK;
    }
}

/* A block scalar header ('|' or '>', then indicators [-+0-9]) at s[i]
 * ending the line? */
static int scalar_header(const scanner *sc)
{
    size_t j = sc->i + 1;
    while (j < sc->n && strchr("-+0123456789", sc->s[j]) && sc->s[j])
        j++;
    while (j < sc->n && is_blank(sc->s[j]))
        j++;
    return j >= sc->n || is_break(sc->s[j]) || sc->s[j] == '#';
}

/* ---- one line, character by character ----------------------------------- */

/* Inside a quoted scalar: move to its end or the end of the line. */
static void scan_quoted(scanner *sc)
{
    while (!at_eol(sc) && sc->quote != Q_NONE) {
        int c = sc->s[sc->i];
        if (sc->quote == Q_SINGLE && c == '\'') {
            if (at(sc, sc->i + 1) == '\'')
                step(sc); /* '' is an escaped quote */
            else
                sc->quote = Q_NONE;
        } else if (sc->quote == Q_DOUBLE && c == '\\') {
            step(sc);
            if (at_eol(sc)) /* an escaped line break */
                return;
        } else if (sc->quote == Q_DOUBLE && c == '"') {
            sc->quote = Q_NONE;
        }
        step(sc);
    }
}

/* Does ':' '-' or '?' at s[i] act as an indicator, after which a token
 * starts? */
static int indicator(const scanner *sc, int c, int tok, int after_quote)
{
    int next = at(sc, sc->i + 1);
    int blank = sc->i + 1 >= sc->n || is_blank(next) || is_break(next);
    if (c == ':')
        return blank || after_quote ||
               (sc->flow && next && strchr(",[]{}", next));
    return tok && blank;
}

static int scan_chars(scanner *sc)
{
    int prev_blank = 1, word = 0, after_quote = 0;
    while (!at_eol(sc)) {
        if (sc->quote != Q_NONE) {
            scan_quoted(sc);
            after_quote = sc->quote == Q_NONE;
            sc->tok = 0;
            continue;
        }
        int c = sc->s[sc->i];
        if (is_blank(c)) {
            if (word == '!' || word == '&') /* a tag or anchor, then a node */
                sc->tok = 1;
            word = 0;
            prev_blank = 1;
            step(sc);
            continue;
        }
        if (c == '#' && prev_blank) {
            skip_to_eol(sc);
            return GDPRX_OK;
        }
        if (!word)
            word = c;
        int tok = sc->tok;
        sc->tok = 0;
        if ((c == '\'' || c == '"') && tok) {
            sc->quote = c == '\'' ? Q_SINGLE : Q_DOUBLE;
        } else if ((c == '[' || c == '{') && (tok || sc->flow)) {
            sc->flow++;
            if (sc->n_blk + sc->flow > sc->lim->depth)
                return too_deep(sc);
            sc->tok = 1, word = 0;
        } else if ((c == ']' || c == '}') && sc->flow) {
            sc->flow--;
        } else if (c == ',' && sc->flow) {
            sc->tok = 1, word = 0;
        } else if ((c == ':' || c == '-' || c == '?') &&
                   indicator(sc, c, tok, after_quote)) {
            sc->tok = 1, word = 0;
        } else if ((c == '|' || c == '>') && tok && !sc->flow &&
                   scalar_header(sc)) {
            sc->in_scalar = 1;
            sc->scalar_col = top(sc) ? top(sc)->col + 1 : 0;
            skip_to_eol(sc);
            return GDPRX_OK;
        }
        prev_blank = after_quote = 0;
        step(sc);
    }
    return GDPRX_OK;
}

/* A line's start in block context: blank and comment lines, the lines of
 * a block scalar, document markers, then its block collections. */
static int line_start(scanner *sc)
{
    while (!at_eol(sc) && is_blank(sc->s[sc->i]))
        step(sc);
    if (at_eol(sc) || sc->s[sc->i] == '#') {
        skip_to_eol(sc);
        return GDPRX_OK;
    }
    sc->tok = 1;
    if (sc->col == 1 && sc->n - sc->i >= 3 &&
        (!memcmp(sc->s + sc->i, "---", 3) ||
         !memcmp(sc->s + sc->i, "...", 3)) &&
        (sc->n - sc->i == 3 || is_blank(sc->s[sc->i + 3]) ||
         is_break(sc->s[sc->i + 3]))) {
        sc->n_blk = 0; /* a new document */
        sc->in_scalar = 0;
        step(sc), step(sc), step(sc);
        return GDPRX_OK;
    }
    if (sc->in_scalar && sc->col - 1 >= sc->scalar_col) {
        skip_to_eol(sc);
        return GDPRX_OK;
    }
    sc->in_scalar = 0;
    return block_line(sc);
}

static int scan_lines(scanner *sc)
{
    if (sc->n >= 3 && !memcmp(sc->s, "\xEF\xBB\xBF", 3))
        sc->i = 3; /* a byte order mark takes no column */
    while (sc->i < sc->n) {
        int rc = GDPRX_OK;
        if (sc->quote == Q_NONE && !sc->flow)
            rc = line_start(sc);
        if (!rc)
            rc = scan_chars(sc);
        if (rc)
            return rc;
        if (sc->i < sc->n)
            skip_break(sc);
    }
    return GDPRX_OK;
}

/* The line and column of byte `off` (the first one beyond a size limit). */
static void position_of(scanner *sc, size_t off)
{
    while (sc->i < off) {
        if (is_break(sc->s[sc->i]))
            skip_break(sc);
        else
            step(sc);
    }
}

int gx_prescan(const char *name, const char *yaml, size_t len,
               size_t total_left, const gx_limits *lim, gdprx_error *err)
{
    scanner sc;
    memset(&sc, 0, sizeof sc);
    sc.s = (const unsigned char *)yaml;
    sc.n = len;
    sc.line = sc.col = 1;
    sc.name = name;
    sc.lim = lim;
    sc.err = err;
    if (len > lim->file_size || len > total_left) {
        int file = len > lim->file_size &&
                   (lim->file_size <= total_left || len <= total_left);
        size_t off = file ? lim->file_size : total_left;
        position_of(&sc, off);
        return file ? fail_at(&sc, "rule file larger than", lim->file_size,
                              "bytes", "max_file_size")
                    : fail_at(&sc, "rule files together larger than",
                              lim->total_size, "bytes", "max_total_size");
    }
    int rc = scan_lines(&sc);
    free(sc.blk);
    return rc;
}
