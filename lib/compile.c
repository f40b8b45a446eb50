/* SPDX-License-Identifier: MIT */
/* Stage 4b, compiling the schema into the immutable rule set. Order: lexicon
 * (word tables, derived {{number_word}}/{{unit_word}}/{{duration_phrase}},
 * negation regexes),
 * every macro expanded once (a typo is an error where it is written),
 * concepts (terms expanded, normalized; regex terms compiled: the languages
 * in parallel), then in parallel one scanner per language and the rule
 * patterns and cases, then the case index. */
#include "compile.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "segment.h"
#include "util.h"

#define MACRO_DEPTH 16

typedef struct compiler {
    gx_schema *sc;
    gdprx_rules *rs;
    char *derived[GX_NLANG][3];   /* number_word, unit_word, duration_phrase */
    unsigned char *state[GX_NLANG]; /* per concept: 0 todo, 1 busy, 2 done */
    uint32_t *by_name;     /* open-addressed concept ids by name hash,
                              UINT32_MAX free; [name_mask + 1], owned */
    size_t name_mask;
    struct donetab *done;  /* every pattern compiled so far; shared by the
                              copies of the compiler that compile the
                              languages' concepts in parallel */
    pthread_mutex_t *mu;   /* NULL, or held by such a copy while it uses
                              `done` (and rs->max_groups) */
    gdprx_error *err;      /* this copy's */
} compiler;

typedef struct donetab {
    struct compiled *v;    /* by hash of the expanded text; [mask + 1],
                              owned (the codes are borrowed from the rule
                              set) */
    size_t mask, n;
} donetab;

/* A compiled pattern, kept while compiling: the same expanded text with the
 * same JIT choice is compiled again as a copy of the code (~57 of the
 * shipped set's 355 patterns are repeats; a PCRE2 compile of a concept's
 * regex costs up to 1 M instructions, a copy a memcpy). */
typedef struct compiled {
    char *text;            /* expanded source; owned; NULL: a free slot */
    uint64_t hash;
    int jit;
    const pcre2_code *code;
    int lits_lang;         /* -1, or the language of lits below */
    const uint32_t *lits;  /* its prefilter literals (borrowed), n_lits */
    size_t n_lits;
} compiled;

static int compile_concept(compiler *ld, size_t ci, int lang, gx_loc ref,
                           int depth);
static int concept_regex_build(compiler *ld, gx_concept_lang *cl);

static int name_is(const char *have, const char *name, size_t n)
{
    return !strncmp(have, name, n) && have[n] == '\0';
}

/* The name index: concepts are looked up by name ~150,000 times while
 * terms expand (@name), so a linear search cost ~50 M instructions. The
 * first concept of a name wins, as the linear search did. */
static int index_names(compiler *ld)
{
    size_t size = 16;
    while (size < 2 * ld->rs->n_concepts + 1)
        size <<= 1;
    if (!(ld->by_name = malloc(size * sizeof *ld->by_name)))
        return gx_error_nomem(ld->err);
    ld->name_mask = size - 1;
    for (size_t i = 0; i < size; i++)
        ld->by_name[i] = UINT32_MAX;
    for (size_t i = 0; i < ld->rs->n_concepts; i++) {
        const char *nm = ld->rs->concepts[i].name;
        size_t n = strlen(nm);
        size_t h = gx_word_hash(nm, n) & ld->name_mask;
        while (ld->by_name[h] != UINT32_MAX &&
               !name_is(ld->rs->concepts[ld->by_name[h]].name, nm, n))
            h = (h + 1) & ld->name_mask;
        if (ld->by_name[h] == UINT32_MAX)
            ld->by_name[h] = (uint32_t)i;
    }
    return GDPRX_OK;
}

static long concept_index(const compiler *ld, const char *name, size_t n)
{
    size_t h = gx_word_hash(name, n) & ld->name_mask;
    for (; ld->by_name[h] != UINT32_MAX; h = (h + 1) & ld->name_mask)
        if (name_is(ld->rs->concepts[ld->by_name[h]].name, name, n))
            return (long)ld->by_name[h];
    return -1;
}

/* {{name}} of a concept in a pattern: its regex in `lang` (*val NULL if no
 * concept has that name). */
static int concept_regex(compiler *ld, int lang, const char *name, size_t n,
                         gx_loc loc, const char **val)
{
    *val = NULL;
    long ci = concept_index(ld, name, n);
    if (ci < 0)
        return GDPRX_OK;
    int rc = compile_concept(ld, (size_t)ci, lang, loc, 0);
    gx_concept_lang *cl = &ld->rs->concepts[ci].l[lang];
    if (!rc && !cl->regex)   /* built when a pattern first uses it */
        rc = concept_regex_build(ld, cl);
    if (!rc)
        *val = cl->regex;
    return rc;
}


static const char *find_macro(const compiler *ld, int lang, const char *name,
                              size_t n)
{
    if (n == 11 && !strncmp(name, "number_word", n))
        return ld->derived[lang][0];
    if (n == 9 && !strncmp(name, "unit_word", n))
        return ld->derived[lang][1];
    if (n == 15 && !strncmp(name, "duration_phrase", n))
        return ld->derived[lang][2];
    for (size_t i = 0; i < ld->sc->n_macros; i++) {
        const gx_macro *m = &ld->sc->macros[i];
        if (m->lang == lang && strlen(m->name) == n && !strncmp(m->name, name, n))
            return m->value;
    }
    return NULL;
}

/* Macros that each use another several times grow exponentially with
 * their nesting ("billion laughs"): the expansion stops at a limit. */
static int check_expanded(compiler *ld, const gx_buf *out, gx_loc loc)
{
    size_t max = ld->sc->max_expanded;
    if (!max || out->len <= max)
        return GDPRX_OK;
    return gx_error_at(ld->err, GDPRX_ELIMIT, loc.file, loc.line, loc.col,
                       "pattern longer than %zu bytes once its macros and "
                       "concepts are expanded (limit max_expanded_len)", max);
}

static int expand(compiler *ld, int lang, const char *src, gx_loc loc,
                  gx_buf *out, const char **stack, int depth)
{
    for (const char *p = src; *p;) {
        const char *open = strstr(p, "{{");
        if (!open) {
            gx_buf_adds(out, p);
            break;
        }
        gx_buf_add(out, p, (size_t)(open - p));
        const char *close = strstr(open + 2, "}}");
        if (!close)
            return gx_error_at(ld->err, GDPRX_ESYNTAX, loc.file, loc.line,
                               loc.col, "unclosed '{{' in pattern");
        const char *name = open + 2;
        size_t n = (size_t)(close - name);
        while (n && *name == ' ')
            name++, n--;
        while (n && name[n - 1] == ' ')
            n--;
        const char *val = find_macro(ld, lang, name, n);
        if (!val) {
            int rc = concept_regex(ld, lang, name, n, loc, &val);
            if (rc)
                return rc;
        }
        if (!val)
            return gx_error_at(ld->err, GDPRX_ESYNTAX, loc.file, loc.line,
                               loc.col, "undefined macro or concept "
                               "'{{%.*s}}' for %s",
                               (int)n, name, gx_lang_code(lang));
        for (int d = 0; d < depth; d++)
            if (strlen(stack[d]) == n && !strncmp(stack[d], name, n))
                return gx_error_at(ld->err, GDPRX_ESYNTAX, loc.file, loc.line,
                                   loc.col, "recursive macro '{{%.*s}}' for %s",
                                   (int)n, name, gx_lang_code(lang));
        if (depth >= MACRO_DEPTH)
            return gx_error_at(ld->err, GDPRX_ESYNTAX, loc.file, loc.line,
                               loc.col, "macros nested deeper than %d",
                               MACRO_DEPTH);
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(n < 127 ? n : 127), name);
        stack[depth] = key;
        gx_buf_adds(out, "(?:");
        int rc = expand(ld, lang, val, loc, out, stack, depth + 1);
        if (rc)
            return rc;
        gx_buf_addc(out, ')');
        p = close + 2;
        if ((rc = check_expanded(ld, out, loc)) != GDPRX_OK)
            return rc;
    }
    if (out->oom)
        return gx_error_nomem(ld->err);
    return check_expanded(ld, out, loc);
}

/* ---- warnings ------------------------------------------------------------ */

static int warn(compiler *ld, gx_loc loc, const char *fmt, const char *a,
                const char *b)
{
    gdprx_rules *rs = ld->rs;
    if (rs->n_warn >= 1000)
        return GDPRX_OK;
    char msg[600], full[800];
    snprintf(msg, sizeof msg, fmt, a, b);
    snprintf(full, sizeof full, "%s:%d:%d: %s", loc.file, loc.line, loc.col,
             msg);
    if (gx_grow(&rs->warn, &rs->cap_warn, rs->n_warn + 1,
                sizeof *rs->warn) != 0 ||
        !(rs->warn[rs->n_warn] = gx_strdup(full)))
        return gx_error_nomem(ld->err);
    rs->n_warn++;
    return GDPRX_OK;
}

/* Does the quantifier at q repeat without bound ('*', '+', '{n,}') or more
 * than 200 times? */
static int big_quantifier(const char *q)
{
    if (*q == '*' || *q == '+')
        return 1;
    if (*q != '{')
        return 0;
    const char *c = strchr(q, ','), *e = strchr(q, '}');
    if (!c || !e || c > e)
        return 0;
    return e == c + 1 || strtol(c + 1, NULL, 10) > 200;
}

/* Does the expanded regex x scan without bound? A wide class ('.', [\s\S],
 * [^...], \S, \W) repeated without bound or more than 200 times, alone or
 * inside a group so repeated, or a group holding a repetition that is
 * itself repeated without bound (nested quantifiers). Returns what it
 * found, or NULL. */
static const char *unbounded(const char *x)
{
    int wide = 0;   /* the last atom was a wide class */
    unsigned char has_rep[64] = {0}, has_wide[64] = {0};
    int depth = 0;
    for (const char *p = x; *p; p++) {
        if (*p == '\\' && p[1]) {
            wide = p[1] == 'S' || p[1] == 'W' || p[1] == 'D';
            has_wide[depth] |= (unsigned char)wide;
            p++;
            continue;
        }
        if (*p == '[') {
            const char *q = p + 1;
            int neg = *q == '^';
            if (*q == '^')
                q++;
            if (*q == ']')
                q++;
            while (*q && *q != ']')
                q += q[0] == '\\' && q[1] ? 2 : 1;
            wide = neg || !strncmp(p, "[\\s\\S]", 6);
            has_wide[depth] |= (unsigned char)wide;
            p = *q ? q : q - 1;
            continue;
        }
        if (*p == '(') {
            if (depth < 63) {
                depth++;
                has_rep[depth] = has_wide[depth] = 0;
            }
            wide = 0;
            continue;
        }
        if (*p == ')') {
            int rep = has_rep[depth], wid = has_wide[depth];
            if (depth > 0)
                depth--;
            if (big_quantifier(p + 1)) {
                if (wid)
                    return "a wide class repeated without bound (in a "
                           "repeated group)";
                if (rep)
                    return "a repeated group that itself repeats without "
                           "bound (nested quantifiers)";
            }
            has_rep[depth] |= (unsigned char)rep;
            has_wide[depth] |= (unsigned char)wid;
            wide = 0;
            continue;
        }
        if (*p == '*' || *p == '+' || *p == '{') {
            has_rep[depth] = 1;
            if (wide && big_quantifier(p))
                return "a wide class repeated without bound or more than "
                       "200 times ('.*', '[^.]+', '[\\s\\S]{0,400}')";
            if (*p == '{') {
                const char *e = strchr(p, '}');
                p = e ? e : p;
            }
            continue;
        }
        wide = *p == '.';
        has_wide[depth] |= (unsigned char)wide;
    }
    return NULL;
}

static int expand(compiler *ld, int lang, const char *src, gx_loc loc,
                  gx_buf *out, const char **stack, int depth);

static int lint_pattern(compiler *ld, const gx_rule *r, const gx_pattern *p,
                        int lang, const char *expanded)
{
    const char *why = unbounded(expanded);
    char what[300];
    snprintf(what, sizeof what, "%s [%s]", r->id, gx_lang_code(lang));
    if (why)
        return warn(ld, p->loc, "rule %s: pattern has %s: bound its gaps "
                    "or use a case's concepts", what, why);
    return GDPRX_OK;
}

static uint64_t text_hash(const char *t)
{
    uint64_t h = 1469598103934665603ull;
    for (; *t; t++)
        h = (h ^ (unsigned char)*t) * 1099511628211ull;
    return h;
}

static compiled *done_slot(donetab *d, const char *text, uint64_t h,
                           int jit)
{
    size_t k = (size_t)h & d->mask;
    while (d->v[k].text && (d->v[k].hash != h || d->v[k].jit != jit ||
                            strcmp(d->v[k].text, text)))
        k = (k + 1) & d->mask;
    return &d->v[k];
}

static int done_grow(compiler *ld)
{
    donetab *d = ld->done;
    if (d->v && 2 * (d->n + 1) <= d->mask + 1)
        return GDPRX_OK;
    size_t size = d->v ? 2 * (d->mask + 1) : 256;
    compiled *old = d->v;
    size_t old_size = old ? d->mask + 1 : 0;
    if (!(d->v = calloc(size, sizeof *d->v))) {
        d->v = old;
        return gx_error_nomem(ld->err);
    }
    d->mask = size - 1;
    for (size_t i = 0; i < old_size; i++)
        if (old[i].text)
            *done_slot(d, old[i].text, old[i].hash, old[i].jit) = old[i];
    free(old);
    return GDPRX_OK;
}

static void done_free(donetab *d)
{
    for (size_t i = 0; d->v && i <= d->mask; i++)
        free(d->v[i].text);
    free(d->v);
}

/* Compile expanded text x, or copy the code of an identical one; *slot
 * receives its cache entry. */
static int compile_text(compiler *ld, const char *x, gx_loc loc,
                        const char *what, int jit, pcre2_code **out,
                        compiled **slot)
{
    int rc = done_grow(ld);
    if (rc)
        return rc;
    uint64_t h = text_hash(x);
    compiled *c = *slot = done_slot(ld->done, x, h, jit);
    if (c->text) {
        if (!(*out = pcre2_code_copy(c->code)))
            return gx_error_nomem(ld->err);
        if (jit)
            pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE);
        return GDPRX_OK;
    }
    if ((rc = gx_pattern_compile(out, x, loc, what, jit, ld->err)))
        return rc;
    if (!(c->text = gx_strdup(x)))
        return gx_error_nomem(ld->err);
    c->hash = h;
    c->jit = jit;
    c->code = *out;
    c->lits_lang = -1;
    ld->done->n++;
    return GDPRX_OK;
}

/* The prefilter literals of expanded text x in lang: a copy of those of an
 * identical pattern already read in that language (gx_prefilter_add
 * depends only on the text and the literals already interned, and would
 * intern nothing new), else read. */
static int text_lits(compiler *ld, compiled *c, int lang, const char *x,
                     uint32_t **lits, size_t *n_lits)
{
    if (c->lits_lang == lang) {
        *lits = NULL;
        *n_lits = 0;
        if (c->n_lits && !(*lits = malloc(c->n_lits * sizeof **lits)))
            return gx_error_nomem(ld->err);
        if (c->n_lits)
            memcpy(*lits, c->lits, c->n_lits * sizeof **lits);
        *n_lits = c->n_lits;
        return GDPRX_OK;
    }
    if (gx_prefilter_add(&ld->rs->pf[lang], x, lits, n_lits) != 0)
        return gx_error_nomem(ld->err);
    if (c->lits_lang < 0) {
        c->lits_lang = lang;
        c->lits = *lits;
        c->n_lits = *n_lits;
    }
    return GDPRX_OK;
}

/* Expand and compile src; with p, also derive p's prefilter literals; with
 * x, leave the expanded text there (the caller frees it). */
static int compile_src(compiler *ld, int lang, const char *src, gx_loc loc,
                       const char *what, int jit, pcre2_code **out,
                       uint32_t **lits, size_t *n_lits, gx_buf *x)
{
    gx_buf b = {0};
    const char *stack[MACRO_DEPTH + 1];
    int rc = expand(ld, lang, src, loc, &b, stack, 0);
    compiled *c = NULL;
    if (ld->mu)
        pthread_mutex_lock(ld->mu);
    if (!rc)
        rc = compile_text(ld, b.s ? b.s : "", loc, what, jit, out, &c);
    if (!rc && lits)
        rc = text_lits(ld, c, lang, b.s ? b.s : "", lits, n_lits);
    if (ld->mu)
        pthread_mutex_unlock(ld->mu);
    if (x && !rc)
        *x = b;
    else
        gx_buf_free(&b);
    return rc;
}

/* Span set ss of language lang from the expanded pattern x, compiled whole
 * (no JIT) in *whole: each top-level branch that has prefilter literals
 * alone, run only on clauses that hold one of them; the other branches
 * that open with \\b as one alternation (factored, it runs fast); each
 * other branch alone (its own first byte or anchor); or, when x has one
 * branch only or a branch does not compile alone (a reference to a group
 * of another), the whole pattern (taken from *whole), with its literals. */
static int spanset(compiler *ld, int lang, gx_spanset *ss, pcre2_code **whole,
                   const char *x, gx_loc loc, const char *what)
{
    size_t at[GX_SPANSET_MAX];
    size_t nb = x ? gx_pattern_branches(x, at, GX_SPANSET_MAX) : 0;
    if (nb > GX_SPANSET_MAX || nb < 2)
        nb = 0;   /* one branch (or too many): the whole pattern */
    size_t n = x ? strlen(x) : 0;
    if (nb && (!(ss->re = calloc(nb + 1, sizeof *ss->re)) ||
               !(ss->lits = calloc(nb + 1, sizeof *ss->lits)) ||
               !(ss->n_lits = calloc(nb + 1, sizeof *ss->n_lits)))) {
        gx_spanset_free(ss);
        return gx_error_nomem(ld->err);
    }
    gx_buf words = {0};
    int alone = 1;   /* every group compiled alone so far */
    /* branches k < nb; k == nb: the \\b group */
    for (size_t k = 0; k <= nb && nb && alone; k++) {
        gx_buf one = {0};
        const gx_buf *b = &one;
        uint32_t *ids = NULL;
        size_t n_ids = 0;
        if (k < nb) {
            size_t e = k + 1 < nb ? at[k + 1] - 1 : n;
            gx_buf_add(&one, x + at[k], e - at[k]);
            gx_prefilter *pf = &ld->rs->lex[lang].neg_pf;
            if (one.oom || gx_prefilter_add(pf, one.s, &ids, &n_ids) != 0) {
                gx_buf_free(&one);
                gx_buf_free(&words);
                gx_spanset_free(ss);
                return gx_error_nomem(ld->err);
            }
            if (!n_ids && !strncmp(x + at[k], "\\b", 2)) {
                if (words.len)
                    gx_buf_addc(&words, '|');
                gx_buf_add(&words, one.s, one.len);
                gx_buf_free(&one);
                continue;
            }
        } else if (!words.len) {
            break;   /* no \\b branch */
        } else {
            b = &words;
        }
        gdprx_error quiet;
        if (b->oom) {
            free(ids);
            gx_buf_free(&one);
            gx_buf_free(&words);
            gx_spanset_free(ss);
            return gx_error_nomem(ld->err);
        }
        alone = gx_pattern_compile(&ss->re[ss->n], b->s ? b->s : "", loc,
                                   what, 1, &quiet) == GDPRX_OK;
        if (alone) {
            ss->lits[ss->n] = ids;
            ss->n_lits[ss->n] = n_ids;
            ss->n++;
        } else {
            free(ids);
        }
        gx_buf_free(&one);
    }
    gx_buf_free(&words);
    if (!alone || ss->n == 0) {   /* the whole pattern, JIT'd now */
        gx_spanset_free(ss);
        if (!(ss->re = calloc(1, sizeof *ss->re)) ||
            !(ss->lits = calloc(1, sizeof *ss->lits)) ||
            !(ss->n_lits = calloc(1, sizeof *ss->n_lits)) ||
            gx_prefilter_add(&ld->rs->lex[lang].neg_pf, x ? x : "",
                             &ss->lits[0],
                             &ss->n_lits[0]) != 0) {
            gx_spanset_free(ss);
            return gx_error_nomem(ld->err);
        }
        ss->re[0] = *whole;
        *whole = NULL;
        ss->n = 1;
        pcre2_jit_compile(ss->re[0], PCRE2_JIT_COMPLETE);
    }
    return GDPRX_OK;
}

static int compile_lexicon(compiler *ld)
{
    gdprx_rules *rs = ld->rs;
    int rc;
    for (int l = 0; l < GX_NLANG; l++) {
        gx_lexicon *lx = &rs->lex[l];
        gx_wordtab_sort(&lx->stopwords);
        gx_wordtab_sort(&lx->numbers);
        gx_wordtab_sort(&lx->units);
        gx_wordtab_sort(&lx->halves);
        gx_wordtab_sort(&lx->joiners);
        gx_wordtab_sort(&lx->phrases);
        gx_wordtab_sort(&lx->num_abbrevs);
        if (!(ld->derived[l][0] = gx_wordtab_regex(&lx->numbers)) ||
            !(ld->derived[l][1] = gx_wordtab_regex(&lx->units)) ||
            !(ld->derived[l][2] = gx_wordtab_regex(&lx->phrases)))
            return gx_error_nomem(ld->err);
        pcre2_code *whole[GX_LX_N] = {NULL};
        pcre2_code **slot[GX_LX_N] = {&lx->neg_cues, &whole[1], &whole[2],
                                   &lx->clause_split, &whole[4]};
        gx_spanset *set[GX_LX_N] = {NULL, &lx->neg_ignore, &lx->neg_breaks,
                                    NULL, &lx->neg_except};
        static const char *const what[GX_LX_N] = {"negation cues",
                                               "negation ignore",
                                               "negation breaks",
                                               "clause_split",
                                               "negation exceptions"};
        for (int w = 0; w < GX_LX_N; w++) {
            gx_buf x = {0};
            rc = GDPRX_OK;
            if (ld->sc->lex[l][w].src &&
                (rc = compile_src(ld, l, ld->sc->lex[l][w].src,
                                  ld->sc->lex[l][w].loc, what[w], !set[w],
                                  slot[w], NULL, NULL, set[w] ? &x : NULL)))
                return rc;
            if (set[w] && whole[w])
                rc = spanset(ld, l, set[w], &whole[w], x.s,
                             ld->sc->lex[l][w].loc, what[w]);
            pcre2_code_free(whole[w]);
            gx_buf_free(&x);
            if (rc)
                return rc;
        }
    }
    const gx_wordtab *stop[GX_NLANG];
    for (int l = 0; l < GX_NLANG; l++)
        stop[l] = &rs->lex[l].stopwords;
    if (gx_wordtab_union_bits(&rs->stop_langs, stop, GX_NLANG) != 0)
        return gx_error_nomem(ld->err);
    /* every macro expands, used or not: a typo is an error where it is */
    for (size_t i = 0; i < ld->sc->n_macros; i++) {
        gx_buf b = {0};
        const char *stack[MACRO_DEPTH + 1] = {ld->sc->macros[i].name};
        rc = expand(ld, ld->sc->macros[i].lang, ld->sc->macros[i].value,
                    ld->sc->macros[i].loc, &b, stack, 1);
        gx_buf_free(&b);
        if (rc)
            return rc;
    }
    return GDPRX_OK;
}

/* ---- concepts ------------------------------------------------------------ */

/* A term's words: '*' only at a word's end, after at least 2 bytes.
 * Without '*' (nearly every term; no_star: known to have none) it is
 * enough to find one word byte. */
static int term_ok(const char *t, int no_star)
{
    if (no_star || !strchr(t, '*')) {
        while (*t && !gx_word_byte((unsigned char)*t))
            t++;
        return *t != '\0';
    }
    size_t run = 0;
    int words = 0;
    for (const char *p = t;; p++) {
        if (*p && gx_word_byte((unsigned char)*p)) {
            run++;
            continue;
        }
        if (*p == '*') {   /* "ab**" or "ab*c": the scanner refuses them */
            if (run < 2 || p[1] == '*' ||
                (p[1] && gx_word_byte((unsigned char)p[1])))
                return 0;
            continue;
        }
        words += run > 0;
        run = 0;
        if (!*p)
            break;
    }
    return words > 0;
}

/* w is the word pool's; no_star: it has no '*'. */
static int add_word(compiler *ld, gx_concept_lang *cl, char *w, gx_loc loc,
                    const char *cname, int no_star)
{
    if (!term_ok(w, no_star))
        return gx_error_at(ld->err, GDPRX_ESYNTAX, loc.file, loc.line,
                           loc.col, "concept '%s': term '%s' has no word, "
                           "or a '*' that does not end a word of at least "
                           "2 letters", cname, w);
    if (cl->n_words == cl->cap_words &&
        gx_grow(&cl->words, &cl->cap_words, cl->n_words + 1,
                sizeof *cl->words) != 0)
        return gx_error_nomem(ld->err);
    cl->words[cl->n_words++] = w;
    return GDPRX_OK;
}

/* Replace the first @name word of w by each term of concept `name`; w and
 * the new terms are the word pool's. */
static int add_term(compiler *ld, size_t ci, int lang, char *w, gx_loc loc,
                    int depth)
{
    gx_concept *c = &ld->rs->concepts[ci];
    gx_concept_lang *cl = &c->l[lang];
    char *at = strchr(w, '@');
    if (!at)
        return add_word(ld, cl, w, loc, c->name, 0);
    size_t n = 0;
    while (at[1 + n] && (gx_word_byte((unsigned char)at[1 + n])))
        n++;
    long ri = concept_index(ld, at + 1, n);
    int rc = GDPRX_OK;
    if (ri < 0)
        rc = gx_error_at(ld->err, GDPRX_ESYNTAX, loc.file, loc.line, loc.col,
                         "concept '%s': unknown concept '@%.*s' in a term",
                         c->name, (int)n, at + 1);
    else
        rc = compile_concept(ld, (size_t)ri, lang, loc, depth + 1);
    if (rc)
        return rc;
    c = &ld->rs->concepts[ci];   /* (the table does not move; re-read) */
    cl = &c->l[lang];
    const gx_concept_lang *ref = &ld->rs->concepts[ri].l[lang];
    if (ref->n_res)
        rc = gx_error_at(ld->err, GDPRX_ESYNTAX, loc.file, loc.line, loc.col,
                         "concept '%s': '@%s' has regex terms, which cannot "
                         "be part of a term", c->name,
                         ld->rs->concepts[ri].name);
    size_t head = (size_t)(at - w), tail = strlen(at + 1 + n);
    for (size_t k = 0; k < ref->n_words && !rc; k++) {
        size_t mid = strlen(ref->words[k]);   /* head + word + tail */
        char *nw = gx_pool_alloc(&ld->rs->word_pool[lang], head + mid + tail + 1, 0);
        if (nw) {
            memcpy(nw, w, head);
            memcpy(nw + head, ref->words[k], mid);
            memcpy(nw + head + mid, at + 1 + n, tail + 1);
        }
        if (!nw)
            rc = gx_error_nomem(ld->err);
        else if (cl->n_words > GX_TERM_EXPANSIONS * 4)
            rc = gx_error_at(ld->err, GDPRX_ESYNTAX, loc.file, loc.line,
                             loc.col, "concept '%s' expands to more than %d "
                             "terms", c->name, GX_TERM_EXPANSIONS * 4);
        else
            rc = add_term(ld, ci, lang, nw, loc, depth);
    }
    return rc;
}

static int cmp_len_desc(const void *a, const void *b)
{
    size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);
    return x < y ? 1 : x > y ? -1 : strcmp(*(char *const *)a,
                                           *(char *const *)b);
}

/* The concept's regex for {{name}}: its terms as written, groups kept
 * (longest first: PCRE2 takes the first alternative that fits), then its
 * regex terms. */
static int concept_regex_build(compiler *ld, gx_concept_lang *cl)
{
    char **sorted = malloc((cl->n_terms + 1) * sizeof *sorted);
    if (!sorted)
        return gx_error_nomem(ld->err);
    if (cl->n_terms) {
        memcpy(sorted, cl->terms, cl->n_terms * sizeof *sorted);
        qsort(sorted, cl->n_terms, sizeof *sorted, cmp_len_desc);
    }
    gx_buf b = {0};
    gx_buf_adds(&b, "(?:");
    if (cl->n_terms) {
        gx_buf_adds(&b, "\\b(?:");
        for (size_t i = 0; i < cl->n_terms; i++) {
            if (i)
                gx_buf_addc(&b, '|');
            gx_term_written_regex(&b, sorted[i]);
        }
        gx_buf_adds(&b, ")\\b");
    }
    for (size_t i = 0; i < cl->n_res; i++) {
        if (i || cl->n_terms)
            gx_buf_addc(&b, '|');
        gx_buf_adds(&b, "(?:");   /* (no printf: a parse per call) */
        gx_buf_adds(&b, cl->res[i]);
        gx_buf_addc(&b, ')');
    }
    gx_buf_addc(&b, ')');
    free(sorted);
    if (!(cl->regex = gx_buf_take(&b, NULL)))
        return gx_error_nomem(ld->err);
    return GDPRX_OK;
}

static int concept_re_build(compiler *ld, gx_concept_lang *cl, int lang)
{
    if (!cl->n_res)
        return GDPRX_OK;
    gx_buf b = {0};
    for (size_t i = 0; i < cl->n_res; i++) {
        gx_buf_adds(&b, i ? "|(?:" : "(?:");
        gx_buf_adds(&b, cl->res[i]);
        gx_buf_addc(&b, ')');
    }
    if (b.oom) {
        gx_buf_free(&b);
        return gx_error_nomem(ld->err);
    }
    gx_buf x = {0};
    int rc = compile_src(ld, lang, b.s, cl->loc, "regex term", 1, &cl->re,
                         &cl->lits, &cl->n_lits, &x);
    gx_buf_free(&b);
    /* no literal of GX_PF_MIN bytes: perhaps a gate of rarer short ones */
    if (!rc && !cl->n_lits && x.s &&
        gx_prefilter_gate(x.s, &cl->gate, &cl->n_gate) != 0)
        rc = gx_error_nomem(ld->err);
    gx_buf_free(&x);
    uint32_t cc = 0;
    if (!rc) {
        pcre2_pattern_info(cl->re, PCRE2_INFO_CAPTURECOUNT, &cc);
        cl->req = gx_required_byte(cl->re);
    }
    if (ld->mu)
        pthread_mutex_lock(ld->mu);
    if (cc > ld->rs->max_groups)   /* the match data must hold its groups */
        ld->rs->max_groups = cc;
    if (ld->mu)
        pthread_mutex_unlock(ld->mu);
    return rc;
}

static int compile_concept(compiler *ld, size_t ci, int lang, gx_loc ref,
                           int depth)
{
    gx_concept *c = &ld->rs->concepts[ci];
    if (ld->state[lang][ci] == 2)
        return GDPRX_OK;
    if (ld->state[lang][ci] == 1 || depth > GX_CONCEPT_DEPTH)
        return gx_error_at(ld->err, GDPRX_ESYNTAX, ref.file, ref.line,
                           ref.col, "concept '%s' refers to itself (through "
                           "@ or {{}}) for %s", c->name, gx_lang_code(lang));
    if (!c->l[lang].defined)
        return gx_error_at(ld->err, GDPRX_ESYNTAX, ref.file, ref.line,
                           ref.col, "concept '%s' has no terms for '%s' "
                           "(defined at %s:%d)", c->name, gx_lang_code(lang),
                           c->loc.file, c->loc.line);
    ld->state[lang][ci] = 1;
    gx_loc loc = c->l[lang].loc;
    int rc = GDPRX_OK;
    char **ex = NULL;   /* one written term's expansions (the word pool's) */
    size_t cap = 0;
    for (size_t t = 0; t < c->l[lang].n_terms && !rc; t++) {
        char why[300];
        size_t n = 0;
        int plain = 0;   /* no expansion has '@' or '*' */
        rc = gx_term_expand(c->l[lang].terms[t], &ld->rs->word_pool[lang], &ex, &n,
                            &cap, &plain, why, sizeof why);
        if (rc == GDPRX_ENOMEM)
            rc = gx_error_nomem(ld->err);
        else if (rc)
            rc = gx_error_at(ld->err, rc, loc.file, loc.line, loc.col,
                             "concept '%s': %s", c->name, why);
        for (size_t k = 0; k < n && !rc; k++)
            rc = plain ? add_word(ld, &c->l[lang], ex[k], loc, c->name, 1)
                       : add_term(ld, ci, lang, ex[k], loc, depth);
        c = &ld->rs->concepts[ci];
    }
    free(ex);
    if (!rc)
        rc = concept_re_build(ld, &c->l[lang], lang);
    ld->state[lang][ci] = 2;
    return rc;
}

/* A concept's `needs`: concepts of plain terms, in every language where
 * it has regex terms. */
static int resolve_needs(compiler *ld, gx_concept *c)
{
    if (!c->n_needs)
        return GDPRX_OK;
    gx_loc lc = c->needs_loc;
    if (!(c->need_ids = malloc(c->n_needs * sizeof *c->need_ids)))
        return gx_error_nomem(ld->err);
    for (size_t i = 0; i < c->n_needs; i++) {
        long ni = concept_index(ld, c->need_names[i],
                                strlen(c->need_names[i]));
        if (ni < 0)
            return gx_error_at(ld->err, GDPRX_ESYNTAX, lc.file, lc.line,
                               lc.col, "concept '%s' needs unknown concept "
                               "'%s'", c->name, c->need_names[i]);
        for (int l = 0; l < GX_NLANG; l++)
            if (c->l[l].n_res && (!ld->rs->concepts[ni].l[l].n_words ||
                                  ld->rs->concepts[ni].l[l].n_res))
                return gx_error_at(ld->err, GDPRX_ESYNTAX, lc.file, lc.line,
                                   lc.col, "concept '%s' needs '%s', which "
                                   "must have plain terms (and no regex "
                                   "terms) for '%s'", c->name,
                                   c->need_names[i], gx_lang_code(l));
        c->need_ids[i] = (uint32_t)ni;
    }
    return GDPRX_OK;
}

/* ---- rule patterns and cases ---------------------------------------------- */

static int resolve(compiler *ld, const gx_rule *r, gx_pattern *p, int lang)
{
    for (int k = 0; k < GX_C_N; k++) {
        gx_clist *cl = &p->cond[k];
        if (!cl->n)
            continue;
        if (!(cl->ids = malloc(cl->n * sizeof *cl->ids)))
            return gx_error_nomem(ld->err);
        for (size_t i = 0; i < cl->n; i++) {
            long ci = concept_index(ld, cl->names[i],
                                    strlen(cl->names[i]));
            if (ci < 0)
                return gx_error_at(ld->err, GDPRX_ESYNTAX, cl->loc.file,
                                   cl->loc.line, cl->loc.col,
                                   "rule %s: unknown concept '%s'", r->id,
                                   cl->names[i]);
            if (!ld->rs->concepts[ci].l[lang].defined)
                return gx_error_at(ld->err, GDPRX_ESYNTAX, cl->loc.file,
                                   cl->loc.line, cl->loc.col,
                                   "rule %s: concept '%s' has no terms for "
                                   "'%s' (give it some, or limit the case "
                                   "with 'lang')", r->id, cl->names[i],
                                   gx_lang_code(lang));
            if ((k == GX_C_SECTION || k == GX_C_LEAD || k == GX_C_COLUMN ||
                 k == GX_C_NONE_SECTION || k == GX_C_PREV ||
                 k == GX_C_NONE_PREV || k == GX_C_PREV_CLAUSE) &&
                ld->rs->concepts[ci].l[lang].n_res)
                return gx_error_at(ld->err, GDPRX_ESYNTAX, cl->loc.file,
                                   cl->loc.line, cl->loc.col,
                                   "rule %s: concept '%s' has regex terms; "
                                   "section, lead, column, none_section, "
                                   "prev, none_prev and prev_clause "
                                   "conditions take "
                                   "concepts of plain terms", r->id,
                                   cl->names[i]);
            cl->ids[i] = (uint32_t)ci;
        }
    }
    return GDPRX_OK;
}

/* A case's conditions as text, for --explain. */
static int describe(compiler *ld, gx_pattern *p)
{
    static const char *const names[GX_C_N] = {"all", "any", "none",
                                              "section", "lead", "none_near",
                                              "column", "none_section",
                                              "prev", "none_prev",
                                              "prev_clause"};
    gx_buf b = {0};
    for (int k = 0; k < GX_C_N; k++) {
        if (!p->cond[k].n)
            continue;
        gx_buf_adds(&b, b.len ? "; " : "");   /* (no printf: ~9,700 calls) */
        gx_buf_adds(&b, names[k]);
        gx_buf_adds(&b, " [");
        for (size_t i = 0; i < p->cond[k].n; i++) {
            gx_buf_adds(&b, i ? ", " : "");
            gx_buf_adds(&b, p->cond[k].names[i]);
        }
        gx_buf_addc(&b, ']');
    }
    if (p->near)
        gx_buf_printf(&b, "; near %d", p->near);
    if (p->none_within)
        gx_buf_printf(&b, "; none within %d words", p->none_within);
    if (p->none_near)
        gx_buf_printf(&b, "; none_near within %d words", p->none_near_within);
    if (p->alone)
        gx_buf_adds(&b, "; alone in its clause");
    if (p->every)
        gx_buf_adds(&b, "; every mention");
    if (p->order)
        gx_buf_adds(&b, "; in order");
    if (p->negated)
        gx_buf_adds(&b, "; negated");
    if (p->source) {
        gx_buf_adds(&b, "; pattern '");
        gx_buf_adds(&b, p->source);
        gx_buf_addc(&b, '\'');
    }
    if (!(p->desc = gx_buf_take(&b, NULL)))
        return gx_error_nomem(ld->err);
    return GDPRX_OK;
}

static int compile_patterns(compiler *ld)
{
    gdprx_rules *rs = ld->rs;
    int rc;
    for (size_t i = 0; i < rs->n_rules; i++) {
        gx_rule *r = &rs->rules[i];
        for (int l = 0; l < GX_NLANG; l++)
            for (size_t j = 0; j < r->n_pat[l]; j++) {
                gx_pattern *p = &r->pat[l][j];
                rc = p->has_cond ? resolve(ld, r, p, l) : GDPRX_OK;
                if (!rc && p->has_cond)
                    rc = describe(ld, p);
                gx_buf x = {0};
                if (!rc && p->source)
                    rc = compile_src(ld, l, p->source, p->loc,
                                     p->has_cond ? "case pattern" : "pattern",
                                     !p->has_cond, &p->code, p->has_cond ? NULL : &p->lits,
                                     &p->n_lits, &x);
                p->req = rc || !p->source ? -1 : gx_required_byte(p->code);
                if (!rc && p->source && p->has_cond)
                    p->jit_slot = ++rs->n_jit;
                if (!rc && p->source)
                    rc = lint_pattern(ld, r, p, l, x.s ? x.s : "");
                gx_buf_free(&x);
                if (!rc && p->section_source)
                    rc = compile_src(ld, l, p->section_source, p->loc,
                                     "section", 1, &p->section, NULL, NULL,
                                     NULL);
                if (!rc && p->lead_source)
                    rc = compile_src(ld, l, p->lead_source, p->loc, "lead",
                                     1, &p->lead, NULL, NULL, NULL);
                if (rc)
                    return rc;
                uint32_t cc = 0;
                if (p->code)
                    pcre2_pattern_info(p->code, PCRE2_INFO_CAPTURECOUNT, &cc);
                if (cc > rs->max_groups)
                    rs->max_groups = cc;
            }
    }
    if (rs->n_jit && !(rs->jit = malloc(rs->n_jit * sizeof *rs->jit)))
        return gx_error_nomem(ld->err);
    for (size_t i = 0; i < rs->n_jit; i++) {
        atomic_init(&rs->jit[i].code, NULL);
        atomic_init(&rs->jit[i].runs, 0u);
    }
    return GDPRX_OK;
}


/* ---- the case index --------------------------------------------------- */

static int literal(const gdprx_rules *rs, uint32_t ci, int lang)
{
    return rs->concepts[ci].l[lang].n_words > 0;
}

static int cmp_rule_label(const void *pa, const void *pb)
{
    const gx_rule *a = *(const gx_rule *const *)pa,
                  *b = *(const gx_rule *const *)pb;
    int c = strcmp(a->type, b->type);
    return c ? c : strcmp(a->subtype, b->subtype);
}

static int cmp_rule_id(const void *pa, const void *pb)
{
    const gx_rule *a = *(const gx_rule *const *)pa,
                  *b = *(const gx_rule *const *)pb;
    return strcmp(a->id, b->id);
}

/* Each rule's rank in the order of its ids (by_id) or labels (rules of
 * one label share one) into id_rank or label_rank; v is scratch of
 * n_rules. */
static void rank_rules(gdprx_rules *rs, gx_rule **v, int by_id)
{
    int (*cmp)(const void *, const void *) =
        by_id ? cmp_rule_id : cmp_rule_label;
    for (size_t i = 0; i < rs->n_rules; i++)
        v[i] = &rs->rules[i];
    qsort(v, rs->n_rules, sizeof *v, cmp);
    uint32_t rank = 0;
    for (size_t i = 0; i < rs->n_rules; i++) {
        if (i && cmp(&v[i - 1], &v[i]))
            rank++;
        *(by_id ? &v[i]->id_rank : &v[i]->label_rank) = rank;
    }
}

/* The rules' label_rank and id_rank. Returns 0, or -1 when out of
 * memory. */
static int rank_labels(gdprx_rules *rs)
{
    gx_rule **v = malloc((rs->n_rules + 1) * sizeof *v);
    if (!v)
        return -1;
    rank_rules(rs, v, 0);
    rank_rules(rs, v, 1);
    free(v);
    return 0;
}

/* Is concept ci found by the scan alone in lang: plain terms, no regex
 * terms (its absence from the scan's hits is then final)? */
static int scan_only(const gdprx_rules *rs, uint32_t ci, int lang)
{
    return literal(rs, ci, lang) && !rs->concepts[ci].l[lang].n_res;
}

/* The concepts whose scan hits make pattern p a candidate in lang, into
 * out[] (at most GX_TRIG_MAX), and *need, how many of them a clause must
 * hold: none when p has no conditions or no concept the scan alone decides
 * (it is tried on every clause). With an `all` concept the scan alone
 * decides (plain terms, no regex terms), its first such concept and every
 * other such `all` concept must all be found (a clause without one of them
 * is ruled out by case_holds anyway); else, with `any` concepts all decided
 * by the scan alone, one of them. A concept that also has regex terms is
 * no trigger: a clause where only its regex matches ("the U.S." beside
 * "united states") must still be tried. */
static size_t triggers(const gdprx_rules *rs, const gx_pattern *p, int lang,
                       uint32_t *out, uint32_t *need)
{
    *need = 0;
    if (!p->has_cond)
        return 0;
    const gx_clist *all = &p->cond[GX_C_ALL], *any = &p->cond[GX_C_ANY];
    size_t n = 0, first = all->n;
    for (size_t i = 0; i < all->n && first == all->n; i++)
        if (scan_only(rs, all->ids[i], lang))
            first = i;
    for (size_t i = first; i < all->n && n < GX_TRIG_MAX; i++) {
        uint32_t ci = all->ids[i];
        int dup = 0;
        for (size_t k = 0; k < n && !dup; k++)
            dup = out[k] == ci;
        if (!dup && (i == first || scan_only(rs, ci, lang)))
            out[n++] = ci;
    }
    if (n) {
        *need = (uint32_t)n;
        return n;
    }
    if (all->n || !any->n || any->n > GX_TRIG_MAX)
        return 0;
    for (size_t i = 0; i < any->n; i++)
        if (!scan_only(rs, any->ids[i], lang))
            return 0;
    memcpy(out, any->ids, any->n * sizeof *out);
    *need = 1;
    return any->n;
}

/* Of the n `all` triggers t[] that a clause must all hold (need == n),
 * keep the GX_TRIG_KEEP that the fewest cases of the language share
 * (uses[c]; ties: the first written): a concept most cases share ("we",
 * "your data") would walk all of them at its first hit in every clause,
 * and a case found through its rarer concepts is still checked for every
 * `all` concept by case_holds. Returns the new count (and *need). */
#define GX_TRIG_KEEP 2
static size_t keep_rarest(uint32_t *t, size_t n, uint32_t *need,
                          const uint32_t *uses)
{
    if (*need != n || n <= GX_TRIG_KEEP)
        return n;
    for (size_t k = 0; k < GX_TRIG_KEEP; k++) {   /* selection, stable */
        size_t best = k;
        for (size_t i = k + 1; i < n; i++)
            if (uses[t[i]] < uses[t[best]])
                best = i;
        uint32_t c = t[best];
        memmove(t + k + 1, t + k, (best - k) * sizeof *t);
        t[k] = c;
    }
    *need = GX_TRIG_KEEP;
    return GX_TRIG_KEEP;
}

static int build_index(compiler *ld, int lang)
{
    gdprx_rules *rs = ld->rs;
    size_t np = 0, nc = rs->n_concepts;
    for (size_t i = 0; i < rs->n_rules; i++)
        np += rs->rules[i].n_pat[lang];
    rs->n_pnum[lang] = np;
    rs->p_rule[lang] = malloc((np + 1) * sizeof(uint32_t));
    rs->p_idx[lang] = malloc((np + 1) * sizeof(uint32_t));
    rs->trig_off[lang] = calloc(nc + 2, sizeof(uint32_t));
    rs->always[lang] = malloc((np + 1) * sizeof(uint32_t));
    rs->trig_need[lang] = malloc((np + 1) * sizeof(uint8_t));
    uint32_t t[GX_TRIG_MAX], need;
    uint32_t *uses = calloc(nc + 1, sizeof *uses);   /* cases per concept */
    if (!rs->p_rule[lang] || !rs->p_idx[lang] || !rs->trig_off[lang] ||
        !rs->always[lang] || !rs->trig_need[lang] || !uses) {
        free(uses);
        return gx_error_nomem(ld->err);
    }
    for (size_t i = 0; i < rs->n_rules; i++)
        for (size_t j = 0; j < rs->rules[i].n_pat[lang]; j++) {
            size_t n = triggers(rs, &rs->rules[i].pat[lang][j], lang, t,
                                &need);
            for (size_t k = 0; k < n; k++)
                uses[t[k]]++;
        }
    size_t pn = 0, nt = 0;
    for (size_t i = 0; i < rs->n_rules; i++)
        for (size_t j = 0; j < rs->rules[i].n_pat[lang]; j++, pn++) {
            rs->p_rule[lang][pn] = (uint32_t)i;
            rs->p_idx[lang][pn] = (uint32_t)j;
            const gx_pattern *p = &rs->rules[i].pat[lang][j];
            size_t n = triggers(rs, p, lang, t, &need);
            n = keep_rarest(t, n, &need, uses);
            rs->trig_need[lang][pn] = (uint8_t)need;
            if (!n)
                rs->always[lang][rs->n_always[lang]++] = (uint32_t)pn;
            if (!n && p->has_cond &&
                warn(ld, p->loc, "rule %s: this case has no concept of "
                     "plain terms in %s, so it is tried on every clause",
                     rs->rules[i].id, gx_lang_code(lang)) != GDPRX_OK) {
                free(uses);
                return GDPRX_ENOMEM;
            }
            for (size_t k = 0; k < n; k++)
                rs->trig_off[lang][t[k] + 2]++;
            nt += n;
        }
    for (size_t c = 0; c < nc; c++)   /* counts -> start offsets (+1) */
        rs->trig_off[lang][c + 2] += rs->trig_off[lang][c + 1];
    if (!(rs->trig[lang] = malloc((nt + 1) * sizeof(uint32_t)))) {
        free(uses);
        return gx_error_nomem(ld->err);
    }
    for (pn = 0; pn < np; pn++) {
        size_t n = triggers(rs, &rs->rules[rs->p_rule[lang][pn]]
                                     .pat[lang][rs->p_idx[lang][pn]],
                            lang, t, &need);
        n = keep_rarest(t, n, &need, uses);
        for (size_t k = 0; k < n; k++)
            rs->trig[lang][rs->trig_off[lang][t[k] + 1]++] = (uint32_t)pn;
    }
    free(uses);
    return GDPRX_OK;   /* trig_off[c] .. trig_off[c + 1] now bound c's list */
}

/* ---- the parallel part ---------------------------------------------------
 * Compiling the concepts, the scanners and the patterns runs as seven
 * tasks, taken by the caller's thread and up to sc->threads - 1 more:
 * - concepts of language l (one task per language): the concepts l
 *   defines, compiled by a copy of the compiler (its own error; the table
 *   of compiled patterns shared under its lock). A language's concepts
 *   touch only that language's state, words, word pool and prefilter.
 * - scanner of l, once l's concepts are compiled: l's term list and its
 *   automaton, from what l's concepts wrote (no other task writes it).
 * - patterns, once every language's concepts are compiled: the concepts'
 *   `needs`, then the rules' patterns and cases (the compiler's state; no
 *   scanner touches it).
 * A free thread takes the ready concepts task with the most written terms,
 * else the heaviest ready scanner or patterns task: the scanner of the
 * language compiled first starts while the others' concepts compile, where
 * two barriers (concepts, then scanners and patterns) left a thread idle.
 * Errors are reported as a serial run would: concepts (the failure at the
 * lowest (concept, language); the first concept named like a macro bounds
 * the concepts compiled), needs, scanners in language order, patterns. */

enum { T_CONCEPTS = 0, T_SCANNER = GX_NLANG, T_PATTERNS = 2 * GX_NLANG,
       T_N };
enum { T_WAITING, T_READY, T_TAKEN, T_DONE };

typedef struct lang_job {  /* a language's concepts task */
    compiler c;            /* a copy of the compiler, with its own error */
    gdprx_error err;
    size_t failed_at;      /* the concept whose compile failed, or named */
} lang_job;

typedef struct graph {
    compiler *ld;
    size_t named;           /* compile concepts [0, named): the first one
                               named like a macro, or n_concepts */
    lang_job job[GX_NLANG];
    gdprx_error err[GX_NLANG];   /* scanners' errors (the patterns task
                                    reports into ld->err) */
    int state[T_N];
    int rc[T_N];
    size_t weight[T_N];     /* the larger, the sooner taken */
    int needs_failed;       /* the patterns task stopped at `needs` */
    size_t left;            /* tasks not done */
    int threaded;           /* mu and cv are initialized and used */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} graph;

static void graph_lock(graph *g)
{
    if (g->threaded)
        pthread_mutex_lock(&g->mu);
}

static void graph_unlock(graph *g)
{
    if (g->threaded)
        pthread_mutex_unlock(&g->mu);
}

/* The ready task to take next, or -1 (under the lock). */
static int graph_pick(const graph *g)
{
    int best = -1;
    for (int k = 0; k < T_N; k++)
        if (g->state[k] == T_READY &&
            (best < 0 || (k < T_SCANNER) > (best < T_SCANNER) ||
             ((k < T_SCANNER) == (best < T_SCANNER) &&
              g->weight[k] > g->weight[best])))
            best = k;
    return best;
}

/* Task k will not run: a task it needs failed (under the lock). */
static void graph_skip(graph *g, int k)
{
    g->state[k] = T_DONE;
    g->left--;
}

/* Task k has run: the tasks waiting for it become ready, or are skipped
 * (under the lock). */
static void graph_done(graph *g, int k)
{
    g->state[k] = T_DONE;
    g->left--;
    if (k >= T_SCANNER)
        return;
    gdprx_rules *rs = g->ld->rs;
    if (g->rc[k])
        graph_skip(g, T_SCANNER + k);
    else {
        g->state[T_SCANNER + k] = T_READY;
        for (size_t i = 0; i < rs->n_concepts; i++)
            g->weight[T_SCANNER + k] += rs->concepts[i].l[k].n_words;
    }
    for (int l = 0; l < GX_NLANG; l++)
        if (g->state[T_CONCEPTS + l] != T_DONE)
            return;
    int ok = g->named == rs->n_concepts;
    for (int l = 0; l < GX_NLANG; l++)
        ok = ok && !g->rc[T_CONCEPTS + l];
    if (ok)
        g->state[T_PATTERNS] = T_READY;
    else
        graph_skip(g, T_PATTERNS);
}

static int run_concepts(graph *g, int l)
{
    lang_job *j = &g->job[l];
    gdprx_rules *rs = j->c.rs;
    j->failed_at = g->named;
    for (size_t k = 0; k < g->named; k++)
        if (rs->concepts[k].l[l].defined) {
            int rc = compile_concept(&j->c, k, l, rs->concepts[k].loc, 0);
            if (rc) {
                j->failed_at = k;
                return rc;
            }
        }
    return GDPRX_OK;
}

/* Language l's term list (every concept's words, in concept order), then
 * its scanner. */
static int run_scanner(graph *g, int l)
{
    gdprx_rules *rs = g->ld->rs;
    size_t n = 0;
    for (size_t i = 0; i < rs->n_concepts; i++)
        n += rs->concepts[i].l[l].n_words;
    if (!(rs->terms[l] = malloc((n + 1) * sizeof *rs->terms[l])))
        return gx_error_nomem(&g->err[l]);
    for (size_t i = 0; i < rs->n_concepts; i++)
        for (size_t k = 0; k < rs->concepts[i].l[l].n_words; k++) {
            gx_term *t = &rs->terms[l][rs->n_terms[l]];
            t->text = rs->concepts[i].l[l].words[k];
            t->concept = (uint32_t)i;
            t->id = (uint32_t)rs->n_terms[l]++;
        }
    return gx_scanner_build(&rs->scan[l], rs->terms[l], rs->n_terms[l],
                            &g->err[l]);
}

static int run_patterns(graph *g)
{
    gdprx_rules *rs = g->ld->rs;
    for (size_t i = 0; i < rs->n_concepts; i++) {
        int rc = resolve_needs(g->ld, &rs->concepts[i]);
        if (rc) {
            g->needs_failed = 1;
            return rc;
        }
    }
    return compile_patterns(g->ld);
}

static void graph_run(graph *g, int k)
{
    if (k < T_SCANNER)
        g->rc[k] = run_concepts(g, k - T_CONCEPTS);
    else if (k < T_PATTERNS)
        g->rc[k] = run_scanner(g, k - T_SCANNER);
    else
        g->rc[k] = run_patterns(g);
}

static void *graph_work(void *arg)
{
    graph *g = arg;
    graph_lock(g);
    for (;;) {
        int k;
        while ((k = graph_pick(g)) < 0 && g->left && g->threaded)
            pthread_cond_wait(&g->cv, &g->mu);
        if (k < 0)   /* all done (alone, a ready task is always there) */
            break;
        g->state[k] = T_TAKEN;
        graph_unlock(g);
        graph_run(g, k);
        graph_lock(g);
        graph_done(g, k);
        if (g->threaded)
            pthread_cond_broadcast(&g->cv);
    }
    graph_unlock(g);
    return NULL;
}

/* Start up to `want` threads running fn(arg) beside the caller's; returns
 * how many started (one that cannot start leaves its share to the
 * others). */
static size_t start_threads(pthread_t *th, size_t want, void *(*fn)(void *),
                            void *arg)
{
    size_t started = 0;
    while (started < want && pthread_create(&th[started], NULL, fn, arg) == 0)
        started++;
    return started;
}

/* The first concept named like a macro, or n_concepts. */
static size_t first_macro_named(compiler *ld)
{
    gdprx_rules *rs = ld->rs;
    for (size_t i = 0; i < rs->n_concepts; i++)
        for (int l = 0; l < GX_NLANG; l++)
            if (find_macro(ld, l, rs->concepts[i].name,
                           strlen(rs->concepts[i].name)))
                return i;
    return rs->n_concepts;
}

/* The error a serial run would report first, into ld->err. */
static int graph_error(graph *g)
{
    compiler *ld = g->ld;
    gdprx_rules *rs = ld->rs;
    int worst = -1;
    for (int l = 0; l < GX_NLANG; l++)
        if (g->rc[T_CONCEPTS + l] &&
            (worst < 0 || g->job[l].failed_at < g->job[worst].failed_at))
            worst = l;
    if (worst >= 0) {
        if (ld->err)   /* (may be NULL: no error wanted) */
            *ld->err = g->job[worst].err;
        return g->rc[T_CONCEPTS + worst];
    }
    if (g->named < rs->n_concepts)
        return gx_error_at(ld->err, GDPRX_ESYNTAX,
                           rs->concepts[g->named].loc.file,
                           rs->concepts[g->named].loc.line,
                           rs->concepts[g->named].loc.col,
                           "concept '%s' has the name of a macro",
                           rs->concepts[g->named].name);
    if (g->needs_failed)
        return g->rc[T_PATTERNS];   /* (reported into ld->err) */
    for (int l = 0; l < GX_NLANG; l++)
        if (g->rc[T_SCANNER + l]) {
            if (ld->err)
                *ld->err = g->err[l];
            return g->rc[T_SCANNER + l];
        }
    return g->rc[T_PATTERNS];
}

static int compile_graph(compiler *ld)
{
    gdprx_rules *rs = ld->rs;
    graph *g = calloc(1, sizeof *g);
    if (!g)
        return gx_error_nomem(ld->err);
    g->ld = ld;
    g->named = first_macro_named(ld);
    size_t want = ld->sc->threads > 1 ? ld->sc->threads - 1 : 0;
    if (want > GX_NLANG)
        want = GX_NLANG;
    pthread_mutex_t done_mu;   /* the copies' shared table of patterns */
    if (want && pthread_mutex_init(&done_mu, NULL) != 0)
        want = 0;
    if (want && pthread_mutex_init(&g->mu, NULL) != 0) {
        pthread_mutex_destroy(&done_mu);
        want = 0;
    }
    if (want && pthread_cond_init(&g->cv, NULL) != 0) {
        pthread_mutex_destroy(&g->mu);
        pthread_mutex_destroy(&done_mu);
        want = 0;
    }
    g->threaded = want > 0;
    for (int l = 0; l < GX_NLANG; l++) {
        lang_job *j = &g->job[l];
        j->c = *ld;
        j->c.err = &j->err;
        j->c.mu = want ? &done_mu : NULL;
        g->state[T_CONCEPTS + l] = T_READY;
        for (size_t i = 0; i < g->named; i++)   /* most written terms */
            g->weight[T_CONCEPTS + l] += rs->concepts[i].l[l].n_terms;
    }
    /* a scanner's work grows with its terms (weighed once its concepts
     * are compiled); the patterns take about as long as a scanner of
     * 150,000 terms (shipped set: 23 ms, fr's 150,304 terms 23.5 ms), so
     * they start before a smaller scanner that would end the load later */
    g->weight[T_PATTERNS] = 150000;
    g->left = T_N;
    pthread_t th[GX_NLANG];
    size_t started = start_threads(th, want, graph_work, g);
    graph_work(g);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (want) {
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
        pthread_mutex_destroy(&done_mu);
    }
    int rc = graph_error(g);
    free(g);
    return rc;
}

int gx_compile(gx_schema *sc, gdprx_error *err)
{
    compiler ld;
    memset(&ld, 0, sizeof ld);
    donetab done = {0};
    ld.done = &done;
    ld.sc = sc;
    ld.rs = sc->rs;
    ld.err = err;
    int rc = GDPRX_OK;
    for (int l = 0; l < GX_NLANG && !rc; l++)
        if (!(ld.state[l] = calloc(ld.rs->n_concepts + 1, 1)))
            rc = gx_error_nomem(err);
    if (!rc)
        rc = index_names(&ld);
    if (!rc)
        rc = compile_lexicon(&ld);
    if (!rc)
        gx_segment_prepare(ld.rs);   /* sentence breakers, cloned per scan */
    if (!rc)
        rc = compile_graph(&ld);
    for (int l = 0; l < GX_NLANG && !rc; l++)
        rc = build_index(&ld, l);
    if (!rc && rank_labels(ld.rs) != 0)
        rc = gx_error_nomem(err);
    for (int l = 0; l < GX_NLANG; l++) {
        free(ld.state[l]);
        free(ld.derived[l][0]);
        free(ld.derived[l][1]);
        free(ld.derived[l][2]);
    }
    free(ld.by_name);
    done_free(&done);
    return rc;
}

void gx_schema_free(gx_schema *sc)
{
    for (size_t i = 0; i < sc->n_macros; i++) {
        free(sc->macros[i].name);
        free(sc->macros[i].value);
    }
    free(sc->macros);
    for (int l = 0; l < GX_NLANG; l++)
        for (int w = 0; w < GX_LX_N; w++)
            free(sc->lex[l][w].src);
}
