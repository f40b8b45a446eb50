/* SPDX-License-Identifier: MIT */
/* Stage 4a, loading: parses rule files with libyaml (each file's events
 * composed into a document, by two threads ahead of the file being
 * read), checks the schema of rules/README.md and hands it to compile.c.
 * Invariant: an error stops the load and names file:line:col; it is the
 * error a serial load would meet first. */
#include "loader.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "compile.h"
#include "error.h"
#include "rulelimits.h"
#include "util.h"

typedef struct loader {
    gx_schema sc;                 /* what the files say, compiled at the end */
    gdprx_rules *rs;              /* sc.rs */
    size_t cap_rules, cap_files, cap_concepts;
    const char *file;
    yaml_document_t *doc;
    unsigned char *seen;
    size_t n_nodes;
    gdprx_error *err;
    const gx_limits *lim;         /* borrowed for the load */
} loader;

/* ---- YAML node access ------------------------------------------------ */

static gx_loc loc_of(const loader *ld, const yaml_node_t *n)
{
    gx_loc l = {ld->file, (int)n->start_mark.line + 1,
                (int)n->start_mark.column + 1};
    return l;
}

static int fail(loader *ld, const yaml_node_t *n, int code, const char *fmt,
                const char *a, const char *b)
{
    gx_loc l = loc_of(ld, n);
    return gx_error_at(ld->err, code, l.file, l.line, l.col, fmt, a, b);
}

/* Fetch node `id`; each node may be reached once (aliases are refused, so
 * no document can expand beyond its own size). */
static yaml_node_t *node(loader *ld, int id)
{
    yaml_node_t *n = yaml_document_get_node(ld->doc, id);
    if (!n || id < 1 || (size_t)id > ld->n_nodes) {
        gx_error_at(ld->err, GDPRX_ESYNTAX, ld->file, 0, 0, "bad YAML node");
        return NULL;
    }
    if (ld->seen[id - 1]) {
        fail(ld, n, GDPRX_ESYNTAX,
             "YAML anchors and aliases are not supported%s%s", "", "");
        return NULL;
    }
    ld->seen[id - 1] = 1;
    return n;
}

static const char *kind_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

static int want(loader *ld, const yaml_node_t *n, yaml_node_type_t t,
                const char *what)
{
    if (n->type == t)
        return GDPRX_OK;
    const char *k = t == YAML_SCALAR_NODE     ? "a scalar"
                    : t == YAML_SEQUENCE_NODE ? "a list"
                                              : "a mapping";
    char msg[200];
    snprintf(msg, sizeof msg, "%s must be %s, not %%s%%s", what, k);
    return fail(ld, n, GDPRX_ESYNTAX, msg, kind_name(n), "");
}

static const char *sval(const yaml_node_t *n) /* scalar text, NUL-terminated */
{
    return (const char *)n->data.scalar.value;
}

static int key_is(const yaml_node_t *k, const char *s)
{
    return strcmp(sval(k), s) == 0;
}

/* Scalar `n` as a fresh string. */
static int take_str(loader *ld, const yaml_node_t *n, const char *what,
                    char **out)
{
    int rc = want(ld, n, YAML_SCALAR_NODE, what);
    if (rc)
        return rc;
    free(*out);
    *out = gx_strndup(sval(n), n->data.scalar.length);
    return *out ? GDPRX_OK : gx_error_nomem(ld->err);
}

/* A limit crossed at node n: GDPRX_ELIMIT naming the option to raise. */
static int over_limit(loader *ld, const yaml_node_t *n, const char *what,
                      size_t limit, const char *option)
{
    gx_loc l = loc_of(ld, n);
    return gx_error_at(ld->err, GDPRX_ELIMIT, l.file, l.line, l.col,
                       "%s %zu (limit %s)", what, limit, option);
}

/* Scalar `n`, a regex or term, as a fresh string of bounded length. */
static int take_pat(loader *ld, const yaml_node_t *n, const char *what,
                    char **out)
{
    if (n->type == YAML_SCALAR_NODE &&
        n->data.scalar.length > ld->lim->pattern_len) {
        gx_loc l = loc_of(ld, n);
        return gx_error_at(ld->err, GDPRX_ELIMIT, l.file, l.line, l.col,
                           "%s longer than %zu bytes (limit max_pattern_len)",
                           what, ld->lim->pattern_len);
    }
    return take_str(ld, n, what, out);
}

static int take_int(loader *ld, const yaml_node_t *n, const char *what,
                    int lo, int hi, int *out)
{
    int rc = want(ld, n, YAML_SCALAR_NODE, what);
    if (rc)
        return rc;
    char *end;
    long v = strtol(sval(n), &end, 10);
    if (!*sval(n) || *end || v < lo || v > hi) {
        char msg[160];
        snprintf(msg, sizeof msg, "%%s must be an integer from %d to %d, "
                 "not '%%s'", lo, hi);
        return fail(ld, n, GDPRX_ESYNTAX, msg, what, sval(n));
    }
    *out = (int)v;
    return GDPRX_OK;
}

static int take_bool(loader *ld, const yaml_node_t *n, const char *what,
                     int *out)
{
    int rc = want(ld, n, YAML_SCALAR_NODE, what);
    if (rc)
        return rc;
    const char *s = sval(n);
    if (!strcmp(s, "true") || !strcmp(s, "yes"))
        *out = 1;
    else if (!strcmp(s, "false") || !strcmp(s, "no"))
        *out = 0;
    else
        return fail(ld, n, GDPRX_ESYNTAX, "%s must be true or false, not '%s'",
                    what, s);
    return GDPRX_OK;
}

static int lang_of(loader *ld, const yaml_node_t *k)
{
    int rc = want(ld, k, YAML_SCALAR_NODE, "a language");
    if (rc)
        return rc;
    int li = gx_lang_index(sval(k), k->data.scalar.length);
    if (li < 0)
        return fail(ld, k, GDPRX_ESYNTAX,
                    "unknown language '%s' (expected en, fr or nl)%s", sval(k),
                    "");
    return li;
}

/* Iterate a mapping: calls fn(ld, key, value, ctx) for each pair. */
typedef int (*pair_fn)(loader *, yaml_node_t *, yaml_node_t *, void *);

static int each_pair(loader *ld, yaml_node_t *m, const char *what, pair_fn fn,
                     void *ctx)
{
    int rc = want(ld, m, YAML_MAPPING_NODE, what);
    if (rc)
        return rc;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
         p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(ld, p->key), *v;
        if (!k)
            return GDPRX_ESYNTAX;
        if ((rc = want(ld, k, YAML_SCALAR_NODE, "a key")) != GDPRX_OK)
            return rc;
        if (!(v = node(ld, p->value)))
            return GDPRX_ESYNTAX;
        if ((rc = fn(ld, k, v, ctx)) != GDPRX_OK)
            return rc;
    }
    return GDPRX_OK;
}

typedef int (*item_fn)(loader *, yaml_node_t *, void *);

static int each_item(loader *ld, yaml_node_t *s, const char *what, item_fn fn,
                     void *ctx)
{
    int rc = want(ld, s, YAML_SEQUENCE_NODE, what);
    if (rc)
        return rc;
    for (yaml_node_item_t *it = s->data.sequence.items.start;
         it < s->data.sequence.items.top; it++) {
        yaml_node_t *v = node(ld, *it);
        if (!v)
            return GDPRX_ESYNTAX;
        if ((rc = fn(ld, v, ctx)) != GDPRX_OK)
            return rc;
    }
    return GDPRX_OK;
}

static int unknown_key(loader *ld, yaml_node_t *k, const char *where)
{
    return fail(ld, k, GDPRX_ESYNTAX, "unknown key '%s' in %s", sval(k),
                where);
}

/* ---- lexicon ---------------------------------------------------------- */

typedef struct lexctx {
    int lang;
    gx_wordtab *tab;
} lexctx;

static int word_ok(loader *ld, yaml_node_t *n)
{
    if (n->data.scalar.length == 0 || strchr(sval(n), ' '))
        return fail(ld, n, GDPRX_ESYNTAX,
                    "lexicon word '%s' must be one word without spaces%s",
                    sval(n), "");
    return GDPRX_OK;
}

static int stopword_item(loader *ld, yaml_node_t *v, void *ctx)
{
    lexctx *c = ctx;
    int rc = want(ld, v, YAML_SCALAR_NODE, "a stop word");
    if (!rc)
        rc = word_ok(ld, v);
    if (rc)
        return rc;
    if (gx_wordtab_add(c->tab, sval(v), v->data.scalar.length, 1) != 0)
        return gx_error_nomem(ld->err);
    return GDPRX_OK;
}

static int number_pair(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    lexctx *c = ctx;
    int val, rc = word_ok(ld, k);
    if (!rc)
        rc = take_int(ld, v, "a number word's value", 0, 1000000, &val);
    if (rc)
        return rc;
    if (gx_wordtab_add(c->tab, sval(k), k->data.scalar.length, val) != 0)
        return gx_error_nomem(ld->err);
    return GDPRX_OK;
}

/* "half: 0.5": a word for a fraction of one, or one and a fraction */
static int half_pair(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    lexctx *c = ctx;
    int rc = word_ok(ld, k);
    if (!rc)
        rc = want(ld, v, YAML_SCALAR_NODE, "a value such as 0.5");
    if (rc)
        return rc;
    char *end = NULL;
    double x = strtod(sval(v), &end);
    if (end == sval(v) || *end || !(x > 0 && x < 10))
        return fail(ld, v, GDPRX_ESYNTAX,
                    "value '%s' of '%s' must be a number between 0 and 10, "
                    "such as 0.5", sval(v), sval(k));
    if (gx_wordtab_add(c->tab, sval(k), k->data.scalar.length,
                       (int)(x * 1000 + 0.5)) != 0)
        return gx_error_nomem(ld->err);
    return GDPRX_OK;
}

/* Add key k with unit value v ("Y", "2W", "TM") to c->tab. */
static int add_unit(loader *ld, lexctx *c, yaml_node_t *k, yaml_node_t *v)
{
    int rc = want(ld, v, YAML_SCALAR_NODE, "a unit");
    if (rc)
        return rc;
    /* [count]unit: a unit word may hold several of a designator
     * ("fortnight: 2W", "trimestre: 3M", "decennium: 10Y") */
    const char *u = sval(v);
    long count = 1;
    if (*u >= '1' && *u <= '9') {
        count = 0;
        while (*u >= '0' && *u <= '9' && count < 1000)
            count = count * 10 + (*u++ - '0');
    }
    int minutes = !strcmp(u, "TM");   /* ISO 8601's minutes, after the T */
    if (count >= 1000 ||
        (!minutes && (strlen(u) != 1 || !strchr("YMWDH", u[0]))))
        return fail(ld, v, GDPRX_ESYNTAX,
                    "unit '%s' must be one of Y, M, W, D, H, TM, with an "
                    "optional count of 1 to 999 before it (2W, 3M) (for "
                    "'%s')", sval(v), sval(k));
    if (gx_wordtab_add(c->tab, sval(k), k->data.scalar.length,
                       GX_UNIT_VALUE(minutes ? 'I' : u[0], count)) != 0)
        return gx_error_nomem(ld->err);
    return GDPRX_OK;
}

static int unit_pair(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    int rc = word_ok(ld, k);
    return rc ? rc : add_unit(ld, ctx, k, v);
}

/* A duration phrase without a number ("sous quinzaine: 15D"): words of
 * normalized text (lower-case ASCII letters, digits, ' and -, one space
 * between words), since it is matched against normalized text as written. */
static int phrase_pair(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    const char *p = sval(k);
    size_t n = k->data.scalar.length;
    int ok = n > 0 && p[0] != ' ' && p[n - 1] != ' ';
    for (size_t i = 0; ok && i < n; i++)
        ok = (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') ||
             p[i] == '\'' || p[i] == '-' || (p[i] == ' ' && p[i + 1] != ' ');
    if (!ok)
        return fail(ld, k, GDPRX_ESYNTAX,
                    "duration phrase '%s' must be written as normalized text "
                    "(lower-case letters without accents, digits, ' and -, "
                    "one space between words)%s", p, "");
    return add_unit(ld, ctx, k, v);
}

static int lexsrc_set(loader *ld, int lang, int which, yaml_node_t *v,
                      const char *what)
{
    gx_lexsrc *s = &ld->sc.lex[lang][which];
    s->loc = loc_of(ld, v);
    return take_pat(ld, v, what, &s->src);
}

static int negation_pair(loader *ld, yaml_node_t *k, yaml_node_t *v,
                         void *ctx)
{
    lexctx *c = ctx;
    gx_lexicon *lx = &ld->rs->lex[c->lang];
    if (key_is(k, "cues"))
        return lexsrc_set(ld, c->lang, GX_LX_CUES, v, "negation.cues");
    if (key_is(k, "ignore"))
        return lexsrc_set(ld, c->lang, GX_LX_IGNORE, v, "negation.ignore");
    if (key_is(k, "breaks"))
        return lexsrc_set(ld, c->lang, GX_LX_BREAKS, v, "negation.breaks");
    if (key_is(k, "exceptions"))
        return lexsrc_set(ld, c->lang, GX_LX_EXCEPT, v, "negation.exceptions");
    if (key_is(k, "before"))
        return take_int(ld, v, "negation.before", 0, 50, &lx->neg_before);
    if (key_is(k, "after"))
        return take_int(ld, v, "negation.after", 0, 50, &lx->neg_after);
    return unknown_key(ld, k, "negation");
}

static int lexicon_key(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    lexctx *c = ctx;
    gx_lexicon *lx = &ld->rs->lex[c->lang];
    lexctx sub = {c->lang, NULL};
    if (key_is(k, "stopwords")) {
        sub.tab = &lx->stopwords;
        return each_item(ld, v, "stopwords", stopword_item, &sub);
    }
    if (key_is(k, "numbers")) {
        sub.tab = &lx->numbers;
        return each_pair(ld, v, "numbers", number_pair, &sub);
    }
    if (key_is(k, "units")) {
        sub.tab = &lx->units;
        return each_pair(ld, v, "units", unit_pair, &sub);
    }
    if (key_is(k, "duration_phrases")) {
        sub.tab = &lx->phrases;
        return each_pair(ld, v, "duration_phrases", phrase_pair, &sub);
    }
    if (key_is(k, "halves")) {
        sub.tab = &lx->halves;
        return each_pair(ld, v, "halves", half_pair, &sub);
    }
    if (key_is(k, "joiners")) {
        sub.tab = &lx->joiners;
        return each_item(ld, v, "joiners", stopword_item, &sub);
    }
    if (key_is(k, "number_abbreviations")) {
        sub.tab = &lx->num_abbrevs;
        return each_item(ld, v, "number_abbreviations", stopword_item, &sub);
    }
    if (key_is(k, "negation"))
        return each_pair(ld, v, "negation", negation_pair, &sub);
    if (key_is(k, "clause_split"))
        return lexsrc_set(ld, c->lang, GX_LX_SPLIT, v, "clause_split");
    return unknown_key(ld, k, "a lexicon");
}

static int lexicon_lang(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    int lang = lang_of(ld, k);
    if (lang < 0)
        return lang;
    gx_lexicon *lx = &ld->rs->lex[lang];
    if (lx->present) {
        gx_loc p = ld->sc.lex_loc[lang];
        char where[300];
        snprintf(where, sizeof where, "%s:%d:%d", p.file, p.line, p.col);
        return fail(ld, k, GDPRX_ESYNTAX,
                    "lexicon for '%s' already defined at %s", sval(k), where);
    }
    lx->present = 1;
    lx->neg_before = 6;
    ld->sc.lex_loc[lang] = loc_of(ld, k);
    lexctx c = {lang, NULL};
    return each_pair(ld, v, "a lexicon", lexicon_key, &c);
}

/* ---- macros ----------------------------------------------------------- */

static int name_ok(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

static int macro_pair(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    int lang = *(int *)ctx;
    if (!name_ok(sval(k)))
        return fail(ld, k, GDPRX_ESYNTAX,
                    "macro name '%s' must be lower-case letters, digits "
                    "and _%s", sval(k), "");
    if (!strcmp(sval(k), "number_word") || !strcmp(sval(k), "unit_word") ||
        !strcmp(sval(k), "duration_phrase"))
        return fail(ld, k, GDPRX_ESYNTAX,
                    "macro '%s' is derived from the lexicon and cannot be "
                    "defined%s", sval(k), "");
    for (size_t i = 0; i < ld->sc.n_macros; i++) {
        gx_macro *m = &ld->sc.macros[i];
        if (m->lang == lang && !strcmp(m->name, sval(k))) {
            char where[300];
            snprintf(where, sizeof where, "%s:%d:%d", m->loc.file, m->loc.line,
                     m->loc.col);
            return fail(ld, k, GDPRX_ESYNTAX,
                        "macro '%s' already defined at %s", sval(k), where);
        }
    }
    if (gx_grow(&ld->sc.macros, &ld->sc.cap_macros, ld->sc.n_macros + 1,
                sizeof *ld->sc.macros) != 0)
        return gx_error_nomem(ld->err);
    gx_macro *m = &ld->sc.macros[ld->sc.n_macros];
    memset(m, 0, sizeof *m);
    m->lang = lang;
    m->loc = loc_of(ld, v);
    int rc = take_pat(ld, v, "a macro", &m->value);
    if (rc)
        return rc;
    if (!(m->name = gx_strdup(sval(k)))) {
        free(m->value);
        return gx_error_nomem(ld->err);
    }
    ld->sc.n_macros++;
    return GDPRX_OK;
}

static int macros_lang(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    int lang = lang_of(ld, k);
    if (lang < 0)
        return lang;
    return each_pair(ld, v, "macros", macro_pair, &lang);
}

/* ---- concepts ----------------------------------------------------------- */

typedef struct concctx {
    size_t ci;             /* index in rs->concepts (which may move) */
    int lang;
} concctx;

static int push_str(loader *ld, const yaml_node_t *v, const char *what,
                    char ***arr, size_t *n)
{
    if (v->type == YAML_SCALAR_NODE &&
        v->data.scalar.length > ld->lim->pattern_len)
        return take_pat(ld, v, what, NULL);
    char **na = realloc(*arr, (*n + 1) * sizeof *na);
    if (!na)
        return gx_error_nomem(ld->err);
    *arr = na;
    na[*n] = NULL;
    int rc = take_str(ld, v, what, &na[*n]);
    if (!rc)
        (*n)++;
    return rc;
}

/* One more term for concept c in its language, or the limit. */
static int term_room(loader *ld, const yaml_node_t *v, const concctx *c)
{
    const gx_concept *cc = &ld->rs->concepts[c->ci];
    const gx_concept_lang *cl = &cc->l[c->lang];
    if (cl->n_terms + cl->n_res < ld->lim->terms)
        return GDPRX_OK;
    char msg[200];
    snprintf(msg, sizeof msg, "concept '%s' has more %s terms than",
             cc->name, gx_lang_code(c->lang));
    return over_limit(ld, v, msg, ld->lim->terms, "max_terms");
}

static int term_re_key(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    concctx *c = ctx;
    gx_concept_lang *cl = &ld->rs->concepts[c->ci].l[c->lang];
    if (!key_is(k, "re"))
        return unknown_key(ld, k, "a term (expected 're')");
    return push_str(ld, v, "re", &cl->res, &cl->n_res);
}

static int term_item(loader *ld, yaml_node_t *v, void *ctx)
{
    concctx *c = ctx;
    gx_concept_lang *cl = &ld->rs->concepts[c->ci].l[c->lang];
    int rc = term_room(ld, v, c);
    if (rc)
        return rc;
    if (v->type == YAML_MAPPING_NODE)
        return each_pair(ld, v, "a term", term_re_key, c);
    if (v->type == YAML_SCALAR_NODE && !v->data.scalar.length)
        return fail(ld, v, GDPRX_ESYNTAX, "empty term%s%s", "", "");
    return push_str(ld, v, "a term", &cl->terms, &cl->n_terms);
}

static int need_item(loader *ld, yaml_node_t *v, void *ctx)
{
    gx_concept *c = &ld->rs->concepts[((concctx *)ctx)->ci];
    int rc = want(ld, v, YAML_SCALAR_NODE, "a concept name");
    return rc ? rc : push_str(ld, v, "a concept name", &c->need_names,
                              &c->n_needs);
}

static int concept_lang(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    concctx *c = ctx;
    if (key_is(k, "needs")) {
        gx_concept *cc = &ld->rs->concepts[c->ci];
        if (cc->n_needs)
            return fail(ld, k, GDPRX_ESYNTAX, "'needs' given twice%s%s", "",
                        "");
        cc->needs_loc = loc_of(ld, v);
        if (v->type == YAML_SCALAR_NODE)
            return need_item(ld, v, c);
        return each_item(ld, v, "needs", need_item, c);
    }
    int lang = lang_of(ld, k);
    if (lang < 0)
        return lang;
    gx_concept_lang *cl = &ld->rs->concepts[c->ci].l[lang];
    if (cl->defined)
        return fail(ld, k, GDPRX_ESYNTAX, "terms for '%s' given twice%s",
                    sval(k), "");
    cl->defined = 1;
    cl->loc = loc_of(ld, v);
    c->lang = lang;
    return each_item(ld, v, "a concept's terms", term_item, c);
}

static int concept_pair(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    gdprx_rules *rs = ld->rs;
    if (!name_ok(sval(k)))
        return fail(ld, k, GDPRX_ESYNTAX,
                    "concept name '%s' must be lower-case letters, digits "
                    "and _%s", sval(k), "");
    const char *name = sval(k);
    for (size_t i = 0; i < rs->n_concepts; i++)   /* (first bytes first:
                                                     n^2 / 2 compares) */
        if (rs->concepts[i].name[0] == name[0] &&
            !strcmp(rs->concepts[i].name, name)) {
            char where[300];
            snprintf(where, sizeof where, "%s:%d:%d",
                     rs->concepts[i].loc.file, rs->concepts[i].loc.line,
                     rs->concepts[i].loc.col);
            return fail(ld, k, GDPRX_ESYNTAX,
                        "concept '%s' already defined at %s", sval(k), where);
        }
    if (rs->n_concepts >= ld->lim->concepts)
        return over_limit(ld, k, "more concepts in the set than",
                          ld->lim->concepts, "max_concepts");
    if (gx_grow(&rs->concepts, &ld->cap_concepts, rs->n_concepts + 1,
                sizeof *rs->concepts) != 0)
        return gx_error_nomem(ld->err);
    gx_concept *c = &rs->concepts[rs->n_concepts];
    memset(c, 0, sizeof *c);
    if (!(c->name = gx_strdup(sval(k))))
        return gx_error_nomem(ld->err);
    c->loc = loc_of(ld, k);
    concctx cc = {rs->n_concepts++, 0};
    return each_pair(ld, v, "a concept", concept_lang, &cc);
}

/* ---- rules ------------------------------------------------------------ */

typedef struct rulectx {
    gx_rule *r;
    int lang;
    int must_match;
    gx_example *ex;
    gx_pattern *pat;
    unsigned seen;
} rulectx;

/* One more pattern or case for rule r in language lang, or the limit. */
static int pattern_room(loader *ld, const yaml_node_t *v, const gx_rule *r,
                        int lang)
{
    if (r->n_pat[lang] < ld->lim->patterns)
        return GDPRX_OK;
    char msg[200];
    snprintf(msg, sizeof msg, "rule %s has more %s patterns and cases than",
             r->id ? r->id : "", gx_lang_code(lang));
    return over_limit(ld, v, msg, ld->lim->patterns, "max_patterns");
}

/* ---- when: cases over concepts ------------------------------------------ */

typedef struct casesrc {
    gx_pattern p;                 /* conditions, polarity; source unused */
    char *re[GX_NLANG];           /* regex per language, or NULL */
    unsigned langs;               /* bit per language; 0: all */
    unsigned seen;
} casesrc;

static int clist_item(loader *ld, yaml_node_t *v, void *ctx)
{
    gx_clist *cl = ctx;
    int rc = want(ld, v, YAML_SCALAR_NODE, "a concept name");
    if (rc)
        return rc;
    return push_str(ld, v, "a concept name", &cl->names, &cl->n);
}

static int take_clist(loader *ld, yaml_node_t *v, gx_clist *cl)
{
    cl->loc = loc_of(ld, v);
    if (v->type == YAML_SCALAR_NODE)
        return clist_item(ld, v, cl);
    int rc = each_item(ld, v, "a list of concepts", clist_item, cl);
    if (!rc && !cl->n)
        return fail(ld, v, GDPRX_ESYNTAX, "empty list of concepts%s%s", "",
                    "");
    return rc;
}

static int case_lang_item(loader *ld, yaml_node_t *v, void *ctx)
{
    casesrc *cs = ctx;
    int lang = lang_of(ld, v);
    if (lang < 0)
        return lang;
    cs->langs |= 1u << lang;
    return GDPRX_OK;
}

static int case_re_lang(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    casesrc *cs = ctx;
    int lang = lang_of(ld, k);
    if (lang < 0)
        return lang;
    if (cs->re[lang])
        return fail(ld, k, GDPRX_ESYNTAX, "pattern for '%s' given twice%s",
                    sval(k), "");
    return take_pat(ld, v, "pattern", &cs->re[lang]);
}

/* none_near: {within: N, concepts: [...]}: concepts that block a finding
 * only within N words of it, next to the case's clause-wide `none`. */
static int none_near_key(loader *ld, yaml_node_t *k, yaml_node_t *v,
                         void *ctx)
{
    casesrc *cs = ctx;
    if (key_is(k, "within")) {
        if (cs->p.none_near)
            return fail(ld, k, GDPRX_ESYNTAX, "key '%s' given twice%s",
                        sval(k), "");
        cs->p.none_near = 1;
        return take_int(ld, v, "within", 0, 1000, &cs->p.none_near_within);
    }
    if (key_is(k, "concepts")) {
        if (cs->p.cond[GX_C_NONE_NEAR].n)
            return fail(ld, k, GDPRX_ESYNTAX, "key '%s' given twice%s",
                        sval(k), "");
        return take_clist(ld, v, &cs->p.cond[GX_C_NONE_NEAR]);
    }
    return unknown_key(ld, k, "none_near (expected within or concepts)");
}

static int take_none_near(loader *ld, yaml_node_t *v, casesrc *cs)
{
    int rc = want(ld, v, YAML_MAPPING_NODE, "none_near");
    if (!rc)
        rc = each_pair(ld, v, "none_near", none_near_key, cs);
    if (!rc && (!cs->p.none_near || !cs->p.cond[GX_C_NONE_NEAR].n))
        rc = fail(ld, v, GDPRX_ESYNTAX,
                  "none_near needs both 'within' and 'concepts'%s%s", "", "");
    return rc;
}

static int case_key(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    casesrc *cs = ctx;
    static const char *const keys[] = {"all", "any", "none", "section",
                                       "lead", "near", "order", "pattern",
                                       "lang", "polarity", "negatable",
                                       "none_within", "alone", "none_near",
                                       "every", "column", "none_section",
                                       "prev", "none_prev", "prev_clause"};
    size_t ki = 0;
    while (ki < GX_N(keys) && !key_is(k, keys[ki]))
        ki++;
    if (ki == GX_N(keys))
        return unknown_key(ld, k, "a case of 'when' (expected all, any, "
                                  "none, section, lead, near, order, "
                                  "pattern, lang, polarity, negatable, "
                                  "none_within, alone, none_near, every, "
                                  "column, none_section, prev, "
                                  "none_prev or prev_clause)");
    if (cs->seen & (1u << ki))
        return fail(ld, k, GDPRX_ESYNTAX, "key '%s' given twice in a case%s",
                    sval(k), "");
    cs->seen |= 1u << ki;
    if (ki <= GX_C_LEAD)   /* all any none section lead, in enum order */
        return take_clist(ld, v, &cs->p.cond[ki]);
    switch (ki) {
    case 5: {
        int rc = take_int(ld, v, "near", 1, 1000, &cs->p.near);
        return rc;
    }
    case 6: return take_bool(ld, v, "order", &cs->p.order);
    case 7:
        if (v->type == YAML_SCALAR_NODE) {
            for (int l = 0; l < GX_NLANG; l++) {
                int rc = take_pat(ld, v, "pattern", &cs->re[l]);
                if (rc)
                    return rc;
            }
            return GDPRX_OK;
        }
        return each_pair(ld, v, "pattern", case_re_lang, cs);
    case 8:
        if (v->type == YAML_SCALAR_NODE)
            return case_lang_item(ld, v, cs);
        return each_item(ld, v, "lang", case_lang_item, cs);
    case 9: {
        int rc = want(ld, v, YAML_SCALAR_NODE, "polarity");
        if (rc)
            return rc;
        if (!strcmp(sval(v), "negated"))
            cs->p.negated = 1;
        else if (strcmp(sval(v), "affirmed"))
            return fail(ld, v, GDPRX_ESYNTAX,
                        "polarity must be affirmed or negated, not '%s'%s",
                        sval(v), "");
        return GDPRX_OK;
    }
    case 10: {
        int neg = 1, rc = take_bool(ld, v, "negatable", &neg);
        cs->p.affirmed_only = !neg;
        return rc;
    }
    case 11: return take_int(ld, v, "none_within", 1, 1000,
                             &cs->p.none_within);
    case 12: return take_bool(ld, v, "alone", &cs->p.alone);
    case 13: return take_none_near(ld, v, cs);
    case 14: return take_bool(ld, v, "every", &cs->p.every);
    case 15: return take_clist(ld, v, &cs->p.cond[GX_C_COLUMN]);
    case 16: return take_clist(ld, v, &cs->p.cond[GX_C_NONE_SECTION]);
    case 17: return take_clist(ld, v, &cs->p.cond[GX_C_PREV]);
    case 18: return take_clist(ld, v, &cs->p.cond[GX_C_NONE_PREV]);
    default: return take_clist(ld, v, &cs->p.cond[GX_C_PREV_CLAUSE]);
    }
}

static int clist_copy(gx_clist *dst, const gx_clist *src)
{
    memset(dst, 0, sizeof *dst);
    dst->loc = src->loc;
    if (!src->n)
        return 0;
    if (!(dst->names = calloc(src->n, sizeof *dst->names)))
        return -1;
    for (size_t i = 0; i < src->n; i++, dst->n++)
        if (!(dst->names[i] = gx_strdup(src->names[i])))
            return -1;
    return 0;
}

static void casesrc_free(casesrc *cs)
{
    for (int k = 0; k < GX_C_N; k++) {
        for (size_t i = 0; i < cs->p.cond[k].n; i++)
            free(cs->p.cond[k].names[i]);
        free(cs->p.cond[k].names);
    }
    for (int l = 0; l < GX_NLANG; l++)
        free(cs->re[l]);
}

/* One case of a rule's `when`: checked, then copied into the rule's
 * patterns of each language it applies to. */
static int case_item(loader *ld, yaml_node_t *v, void *ctx)
{
    rulectx *c = ctx;
    gx_rule *r = c->r;
    casesrc cs;
    memset(&cs, 0, sizeof cs);
    cs.p.loc = loc_of(ld, v);
    int rc = each_pair(ld, v, "a case of 'when'", case_key, &cs);
    int has_re = 0;
    for (int l = 0; l < GX_NLANG; l++)
        has_re |= cs.re[l] != NULL;
    if (!rc && !cs.p.cond[GX_C_ALL].n && !cs.p.cond[GX_C_ANY].n)
        rc = fail(ld, v, GDPRX_ESYNTAX,
                  "a case needs 'all' or 'any' concepts%s%s", "", "");
    if (!rc && (cs.seen & (1u << 11)) && !cs.p.cond[GX_C_NONE].n)
        rc = fail(ld, v, GDPRX_ESYNTAX,
                  "'none_within' limits 'none', which the case lacks%s%s", "",
                  "");
    if (!rc && has_re && (cs.p.near || cs.p.order || cs.p.alone ||
                          cs.p.every))
        rc = fail(ld, v, GDPRX_ESYNTAX,
                  "'near', 'order', 'alone' and 'every' place concepts; with "
                  "'pattern' the regex places the finding%s%s", "", "");
    for (int l = 0; l < GX_NLANG && !rc; l++) {
        if (cs.langs && !(cs.langs & (1u << l)))
            continue;
        if (has_re && !cs.re[l]) {
            if (cs.langs)   /* languages named but a regex missing */
                rc = fail(ld, v, GDPRX_ESYNTAX,
                          "case has no pattern for '%s'%s", gx_lang_code(l),
                          "");
            continue;       /* a case with regexes applies where it has one */
        }
        if ((rc = pattern_room(ld, v, r, l)) != GDPRX_OK)
            break;
        gx_pattern *np = realloc(r->pat[l], (r->n_pat[l] + 1) * sizeof *np);
        if (!np) {
            rc = gx_error_nomem(ld->err);
            break;
        }
        r->pat[l] = np;
        gx_pattern *p = &np[r->n_pat[l]++];
        *p = cs.p;
        p->has_cond = 1;
        p->source = NULL;
        for (int k = 0; k < GX_C_N; k++)
            p->cond[k].names = NULL, p->cond[k].n = 0;
        for (int k = 0; k < GX_C_N && !rc; k++)
            if (clist_copy(&p->cond[k], &cs.p.cond[k]) != 0)
                rc = gx_error_nomem(ld->err);
        if (!rc && cs.re[l] && !(p->source = gx_strdup(cs.re[l])))
            rc = gx_error_nomem(ld->err);
    }
    casesrc_free(&cs);
    return rc;
}

static int take_when(loader *ld, yaml_node_t *v, rulectx *c)
{
    if (v->type == YAML_MAPPING_NODE)
        return case_item(ld, v, c);
    return each_item(ld, v, "when", case_item, c);
}

static int pattern_key(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    rulectx *c = ctx;
    gx_pattern *p = c->pat;
    if (key_is(k, "pattern")) {
        p->loc = loc_of(ld, v);
        return take_pat(ld, v, "pattern", &p->source);
    }
    if (key_is(k, "polarity")) {
        int rc = want(ld, v, YAML_SCALAR_NODE, "polarity");
        if (rc)
            return rc;
        if (!strcmp(sval(v), "negated"))
            p->negated = 1;
        else if (strcmp(sval(v), "affirmed"))
            return fail(ld, v, GDPRX_ESYNTAX,
                        "polarity must be affirmed or negated, not '%s'%s",
                        sval(v), "");
        return GDPRX_OK;
    }
    if (key_is(k, "negatable")) {
        int neg = 1, rc = take_bool(ld, v, "negatable", &neg);
        p->affirmed_only = !neg;
        return rc;
    }
    if (key_is(k, "section"))
        return take_pat(ld, v, "section", &p->section_source);
    if (key_is(k, "lead"))
        return take_pat(ld, v, "lead", &p->lead_source);
    return unknown_key(ld, k, "a pattern");
}

static int pattern_item(loader *ld, yaml_node_t *v, void *ctx)
{
    rulectx *c = ctx;
    gx_rule *r = c->r;
    int rc = pattern_room(ld, v, r, c->lang);
    if (rc)
        return rc;
    size_t cap = r->n_pat[c->lang];
    gx_pattern *np = realloc(r->pat[c->lang], (cap + 1) * sizeof *np);
    if (!np)
        return gx_error_nomem(ld->err);
    r->pat[c->lang] = np;
    gx_pattern *p = &np[r->n_pat[c->lang]++];
    memset(p, 0, sizeof *p);
    p->loc = loc_of(ld, v);
    if (v->type == YAML_SCALAR_NODE)
        return take_pat(ld, v, "a pattern", &p->source);
    c->pat = p;
    rc = each_pair(ld, v, "a pattern", pattern_key, c);
    if (!rc && !p->source)
        return fail(ld, v, GDPRX_ESYNTAX, "pattern mapping lacks 'pattern'%s%s",
                    "", "");
    return rc;
}

static int patterns_lang(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    rulectx *c = ctx;
    int lang = lang_of(ld, k);
    if (lang < 0)
        return lang;
    if (c->r->n_pat[lang])
        return fail(ld, k, GDPRX_ESYNTAX, "patterns for '%s' given twice%s",
                    sval(k), "");
    c->lang = lang;
    int rc = each_item(ld, v, "patterns", pattern_item, c);
    if (!rc && !c->r->n_pat[lang])
        return fail(ld, v, GDPRX_ESYNTAX, "no patterns for '%s'%s", sval(k),
                    "");
    return rc;
}

static int example_key(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    rulectx *c = ctx;
    gx_example *e = c->ex;
    if (key_is(k, "text"))
        return take_str(ld, v, "text", &e->text);
    if (key_is(k, "polarity")) {
        int rc = want(ld, v, YAML_SCALAR_NODE, "polarity");
        if (rc)
            return rc;
        if (!strcmp(sval(v), "negated"))
            e->polarity = GDPRX_NEGATED;
        else if (strcmp(sval(v), "affirmed"))
            return fail(ld, v, GDPRX_ESYNTAX,
                        "polarity must be affirmed or negated, not '%s'%s",
                        sval(v), "");
        return GDPRX_OK;
    }
    if (key_is(k, "duration"))
        return take_str(ld, v, "duration", &e->duration);
    if (key_is(k, "duration_max"))
        return take_str(ld, v, "duration_max", &e->duration_max);
    if (key_is(k, "email"))
        return take_str(ld, v, "email", &e->email);
    if (key_is(k, "age"))
        return take_int(ld, v, "age", 0, 200, &e->age);
    return unknown_key(ld, k, "an example");
}

static int example_item(loader *ld, yaml_node_t *v, void *ctx)
{
    rulectx *c = ctx;
    gx_rule *r = c->r;
    size_t n = r->n_ex[c->lang];
    if (n >= ld->lim->examples) {
        char msg[200];
        snprintf(msg, sizeof msg, "rule %s has more %s examples than",
                 r->id ? r->id : "", gx_lang_code(c->lang));
        return over_limit(ld, v, msg, ld->lim->examples, "max_examples");
    }
    gx_example *ne = realloc(r->ex[c->lang], (n + 1) * sizeof *ne);
    if (!ne)
        return gx_error_nomem(ld->err);
    r->ex[c->lang] = ne;
    gx_example *e = &ne[r->n_ex[c->lang]++];
    memset(e, 0, sizeof *e);
    e->age = -1;
    e->must_match = c->must_match;
    e->loc = loc_of(ld, v);
    if (v->type == YAML_SCALAR_NODE)
        return take_str(ld, v, "an example", &e->text);
    if (!c->must_match)
        return want(ld, v, YAML_SCALAR_NODE, "a no_match example");
    c->ex = e;
    int rc = each_pair(ld, v, "an example", example_key, c);
    if (!rc && !e->text)
        return fail(ld, v, GDPRX_ESYNTAX, "example mapping lacks 'text'%s%s",
                    "", "");
    return rc;
}

static int examples_kind(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    rulectx *c = ctx;
    if (key_is(k, "match"))
        c->must_match = 1;
    else if (key_is(k, "no_match"))
        c->must_match = 0;
    else
        return unknown_key(ld, k, "examples");
    return each_item(ld, v, sval(k), example_item, c);
}

static int examples_lang(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    rulectx *c = ctx;
    int lang = lang_of(ld, k);
    if (lang < 0)
        return lang;
    c->lang = lang;
    return each_pair(ld, v, "examples", examples_kind, c);
}

static int article_item(loader *ld, yaml_node_t *v, void *ctx)
{
    gx_rule *r = ((rulectx *)ctx)->r;
    char **na = realloc(r->articles, (r->n_articles + 1) * sizeof *na);
    if (!na)
        return gx_error_nomem(ld->err);
    r->articles = na;
    na[r->n_articles] = NULL;
    int rc = take_str(ld, v, "an article", &na[r->n_articles]);
    if (!rc)
        r->n_articles++;
    return rc;
}

static int attr_item(loader *ld, yaml_node_t *v, void *ctx)
{
    gx_rule *r = ((rulectx *)ctx)->r;
    int rc = want(ld, v, YAML_SCALAR_NODE, "an attribute");
    if (rc)
        return rc;
    static const struct { const char *name; unsigned bit; } names[] = {
        {"duration", GX_ATTR_DURATION}, {"duration_max", GX_ATTR_DURATION_MAX},
        {"age", GX_ATTR_AGE}, {"email", GX_ATTR_EMAIL}};
    for (size_t i = 0; i < GX_N(names); i++)
        if (!strcmp(sval(v), names[i].name)) {
            r->attrs |= names[i].bit;
            return GDPRX_OK;
        }
    return fail(ld, v, GDPRX_ESYNTAX,
                "unknown attribute '%s' (expected duration, duration_max, "
                "age or email)%s", sval(v), "");
}

static int rule_key(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    rulectx *c = ctx;
    gx_rule *r = c->r;
    static const char *const keys[] = {"id", "type", "subtype", "articles",
                                       "attrs", "negatable", "patterns",
                                       "examples", "description", "when"};
    size_t ki = 0;
    while (ki < GX_N(keys) && !key_is(k, keys[ki]))
        ki++;
    if (ki == GX_N(keys))
        return unknown_key(ld, k, "a rule");
    if (c->seen & (1u << ki))
        return fail(ld, k, GDPRX_ESYNTAX, "key '%s' given twice in a rule%s",
                    sval(k), "");
    c->seen |= 1u << ki;
    switch (ki) {
    case 0: return take_str(ld, v, "id", &r->id);
    case 1:
    case 2: {
        int rc = take_str(ld, v, keys[ki], ki == 1 ? &r->type : &r->subtype);
        if (!rc && !name_ok(sval(v)))
            return fail(ld, v, GDPRX_ESYNTAX,
                        "%s '%s' must be lower-case letters, digits and _",
                        keys[ki], sval(v));
        return rc;
    }
    case 3: return each_item(ld, v, "articles", article_item, c);
    case 4: return each_item(ld, v, "attrs", attr_item, c);
    case 5: return take_bool(ld, v, "negatable", &r->negatable);
    case 6: return each_pair(ld, v, "patterns", patterns_lang, c);
    case 7: return each_pair(ld, v, "examples", examples_lang, c);
    case 9: return take_when(ld, v, c);
    default: return want(ld, v, YAML_SCALAR_NODE, "description");
    }
}

static int check_rule(loader *ld, yaml_node_t *n, gx_rule *r)
{
    static const char *const need[] = {"id", "type", "subtype",
                                       "patterns' or 'when"};
    const void *have[] = {r->id, r->type, r->subtype, r->n_pat[0] ||
                          r->n_pat[1] || r->n_pat[2] ? "" : NULL};
    for (size_t i = 0; i < GX_N(need); i++)
        if (!have[i])
            return fail(ld, n, GDPRX_ESYNTAX, "rule %s lacks '%s'",
                        r->id ? r->id : "", need[i]);
    for (int l = 0; l < GX_NLANG; l++)
        if (!r->n_pat[l])
            return fail(ld, n, GDPRX_ESYNTAX,
                        "rule %s has no patterns or cases for '%s' (every "
                        "rule needs en, fr and nl)", r->id, gx_lang_code(l));
    size_t tl = strlen(r->type), sl = strlen(r->subtype);
    const char *id = r->id;
    if (strncmp(id, r->type, tl) || id[tl] != '.' ||
        strncmp(id + tl + 1, r->subtype, sl) || id[tl + 1 + sl] != '.' ||
        !id[tl + 2 + sl])
        return fail(ld, n, GDPRX_ESYNTAX,
                    "rule id '%s' must read %s.<variant>", id, "type.subtype");
    for (const char *p = id + tl + 2 + sl; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '.' || *p == '-'))
            return fail(ld, n, GDPRX_ESYNTAX,
                        "rule id '%s' has a character other than a-z 0-9 _ "
                        ". -%s", id, "");
    return GDPRX_OK;
}

static int rule_item(loader *ld, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    gdprx_rules *rs = ld->rs;
    if (rs->n_rules >= ld->lim->rules)
        return over_limit(ld, v, "more rules in the set than", ld->lim->rules,
                          "max_rules");
    if (gx_grow(&rs->rules, &ld->cap_rules, rs->n_rules + 1,
                sizeof *rs->rules) != 0)
        return gx_error_nomem(ld->err);
    gx_rule *r = &rs->rules[rs->n_rules++];
    memset(r, 0, sizeof *r);
    r->negatable = 1;
    r->loc = loc_of(ld, v);
    rulectx c = {r, 0, 0, NULL, NULL, 0};
    int rc = each_pair(ld, v, "a rule", rule_key, &c);
    return rc ? rc : check_rule(ld, v, r);
}

static int top_key(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    (void)ctx;
    if (key_is(k, "lexicon"))
        return each_pair(ld, v, "lexicon", lexicon_lang, NULL);
    if (key_is(k, "macros"))
        return each_pair(ld, v, "macros", macros_lang, NULL);
    if (key_is(k, "rules"))
        return each_item(ld, v, "rules", rule_item, NULL);
    if (key_is(k, "concepts"))
        return each_pair(ld, v, "concepts", concept_pair, NULL);
    return fail(ld, k, GDPRX_ESYNTAX,
                "unknown top-level key '%s' (expected lexicon, macros, "
                "concepts or rules)%s", sval(k), "");
}

/* ---- one file ----------------------------------------------------------- */

static const char *intern_file(loader *ld, const char *name)
{
    gdprx_rules *rs = ld->rs;
    if (gx_grow(&rs->files, &ld->cap_files, rs->n_files + 1,
                sizeof *rs->files) != 0)
        return NULL;
    char *s = gx_strdup(name);
    if (s)
        rs->files[rs->n_files++] = s;
    return s;
}

static int yaml_fail_at(gdprx_error *err, const char *file,
                        const yaml_parser_t *p)
{
    const char *what = p->problem ? p->problem : "unreadable YAML";
    if (p->context)   /* the context mark tells where the construct began */
        return gx_error_at(err, GDPRX_ESYNTAX, file,
                           (int)p->problem_mark.line + 1,
                           (int)p->problem_mark.column + 1,
                           "YAML error: %s (begun at %d:%d): %s", p->context,
                           (int)p->context_mark.line + 1,
                           (int)p->context_mark.column + 1, what);
    return gx_error_at(err, GDPRX_ESYNTAX, file,
                       (int)p->problem_mark.line + 1,
                       (int)p->problem_mark.column + 1, "YAML error: %s", what);
}

static int yaml_fail(loader *ld, const yaml_parser_t *p)
{
    return yaml_fail_at(ld->err, ld->file, p);
}

/* A YAML error kept for later: the parser's problem, as yaml_fail reads
 * it (libyaml's problem and context texts are static). */
typedef struct yaml_problem {
    int set;
    yaml_parser_t p;       /* only problem, context and their marks used */
} yaml_problem;

/* Where the composer stands: the open collections (their node ids) and, per
 * open mapping, the key waiting for its value. */
typedef struct composer {
    yaml_document_t *doc;
    int *stack, *key;      /* [depth]: open collection, its waiting key (0:
                              none); owned */
    size_t depth, cap_stack, cap_key;
    size_t docs;           /* documents begun */
    int first_done;        /* the first document has ended */
    int second_done;       /* ... and the second */
    int second_content;    /* the second document has a node */
    yaml_mark_t second_mark;
} composer;

/* Add the node of event ev to the first document: attached to the open
 * collection (a sequence's item, a mapping's key or value), or the root. */
static int add_node(composer *c, const yaml_event_t *ev)
{
    yaml_document_t *d = c->doc;
    int id;
    if (ev->type == YAML_SCALAR_EVENT)
        id = yaml_document_add_scalar(d, NULL, ev->data.scalar.value,
                                      (int)ev->data.scalar.length,
                                      ev->data.scalar.style);
    else if (ev->type == YAML_SEQUENCE_START_EVENT)
        id = yaml_document_add_sequence(d, NULL, ev->data.sequence_start.style);
    else
        id = yaml_document_add_mapping(d, NULL, ev->data.mapping_start.style);
    if (!id)
        return -1;
    d->nodes.start[id - 1].start_mark = ev->start_mark;
    d->nodes.start[id - 1].end_mark = ev->end_mark;
    if (c->depth) {
        int parent = c->stack[c->depth - 1];
        yaml_node_t *pn = &d->nodes.start[parent - 1];
        if (pn->type == YAML_SEQUENCE_NODE) {
            if (!yaml_document_append_sequence_item(d, parent, id))
                return -1;
        } else if (!c->key[c->depth - 1]) {
            c->key[c->depth - 1] = id;
        } else {
            if (!yaml_document_append_mapping_pair(d, parent,
                                                   c->key[c->depth - 1], id))
                return -1;
            c->key[c->depth - 1] = 0;
        }
    }
    if (ev->type != YAML_SCALAR_EVENT) {
        if (gx_grow(&c->stack, &c->cap_stack, c->depth + 1,
                    sizeof *c->stack) ||
            gx_grow(&c->key, &c->cap_key, c->depth + 1, sizeof *c->key))
            return -1;
        c->stack[c->depth] = id;
        c->key[c->depth++] = 0;
    }
    return 0;
}

/* One pass over the file's YAML events, instead of one to refuse anchors
 * and aliases where they are written (the document API resolves them
 * without a trace) and a second one by yaml_parser_load (~110 M
 * instructions for the shipped set). It builds the first document as
 * yaml_parser_load would (the nodes' values and start marks: the loader
 * reads no tags or styles), and keeps what loading a second document would
 * have said, in *later (a syntax error) or c->second_content, for after the
 * first document's schema errors. Errors that come first, as before: an
 * anchor, an alias or too deep a nesting anywhere before a syntax error; a
 * syntax error in the first document. */
static int compose(const char *file, const gx_limits *lim, gdprx_error *err,
                   const gx_source *src, composer *c, yaml_problem *later)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return gx_error_nomem(err);
    yaml_parser_set_input_string(&p, (const unsigned char *)src->yaml,
                                 src->len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    size_t depth = 0;
    int rc = GDPRX_OK, done = 0;
    while (!done && !rc) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            if (!c->first_done)
                rc = yaml_fail_at(err, file, &p);
            else if (!c->second_done) {
                later->set = 1;
                later->p = p;
            }
            break;
        }
        const yaml_char_t *anchor =
            ev.type == YAML_SCALAR_EVENT           ? ev.data.scalar.anchor
            : ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
            : ev.type == YAML_MAPPING_START_EVENT  ? ev.data.mapping_start.anchor
                                                   : NULL;
        if (anchor || ev.type == YAML_ALIAS_EVENT)
            rc = gx_error_at(err, GDPRX_ESYNTAX, file,
                             (int)ev.start_mark.line + 1,
                             (int)ev.start_mark.column + 1,
                             "YAML anchors and aliases are not supported");
        int node = ev.type == YAML_SCALAR_EVENT ||
                   ev.type == YAML_SEQUENCE_START_EVENT ||
                   ev.type == YAML_MAPPING_START_EVENT;
        /* the pre-scan's limit again, as libyaml reads the nesting: a file
         * the pre-scan misread stops here, still after bounded work */
        if (ev.type == YAML_SEQUENCE_START_EVENT ||
            ev.type == YAML_MAPPING_START_EVENT) {
            if (++depth > lim->depth && !rc)
                rc = gx_error_at(err, GDPRX_ELIMIT, file,
                                 (int)ev.start_mark.line + 1,
                                 (int)ev.start_mark.column + 1,
                                 "YAML collections nested deeper than %zu "
                                 "levels (limit max_depth)", lim->depth);
        } else if (ev.type == YAML_SEQUENCE_END_EVENT ||
                   ev.type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        int in_first = c->docs == 1 && !c->first_done;
        if (!rc && node && in_first && add_node(c, &ev) != 0)
            rc = gx_error_nomem(err);
        if (in_first && c->depth && (ev.type == YAML_SEQUENCE_END_EVENT ||
                                     ev.type == YAML_MAPPING_END_EVENT))
            c->depth--;
        if (ev.type == YAML_DOCUMENT_START_EVENT && ++c->docs == 2)
            c->second_mark = ev.start_mark;
        if (node && c->docs == 2 && !c->second_done)
            c->second_content = 1;
        if (ev.type == YAML_DOCUMENT_END_EVENT) {
            if (c->docs == 1)
                c->first_done = 1;
            else if (c->docs == 2)
                c->second_done = 1;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

/* One file parsed (pre-scan, then its events composed into a document),
 * apart from the loader: files are parsed ahead of the one being read into
 * the schema, on another thread (see read_files). */
typedef struct parsed {
    yaml_document_t doc;
    int has_doc;           /* doc initialized: delete it */
    composer c;
    yaml_problem later;
    int rc;                /* of the pre-scan or the composition */
    gdprx_error err;       /* ... its error */
    int state;             /* 0 waiting, 1 being parsed, 2 parsed */
} parsed;

static void parse_file(parsed *pf, const gx_source *src, size_t total_left,
                       const gx_limits *lim)
{
    pf->rc = gx_prescan(src->name, src->yaml, src->len, total_left, lim,
                        &pf->err);
    if (pf->rc)
        return;
    if (!yaml_document_initialize(&pf->doc, NULL, NULL, NULL, 1, 1)) {
        pf->rc = gx_error_nomem(&pf->err);
        return;
    }
    pf->has_doc = 1;
    pf->c.doc = &pf->doc;
    pf->rc = compose(src->name, lim, &pf->err, src, &pf->c, &pf->later);
}

static void parsed_free(parsed *pf)
{
    if (pf->has_doc)
        yaml_document_delete(&pf->doc);
    free(pf->c.stack);
    free(pf->c.key);
    memset(pf, 0, sizeof *pf);
}

/* Read parsed file pf into the schema. */
static int walk_file(loader *ld, const gx_source *src, parsed *pf)
{
    if (!(ld->file = intern_file(ld, src->name)))
        return gx_error_nomem(ld->err);
    if (pf->rc) {
        if (ld->err)
            *ld->err = pf->err;
        return pf->rc;
    }
    int rc = GDPRX_OK;
    yaml_node_t *root = yaml_document_get_root_node(&pf->doc);
    if (root) {
        ld->doc = &pf->doc;
        ld->n_nodes = (size_t)(pf->doc.nodes.top - pf->doc.nodes.start);
        ld->seen = calloc(ld->n_nodes ? ld->n_nodes : 1, 1);
        if (!ld->seen)
            rc = gx_error_nomem(ld->err);
        else if (!node(ld, 1))
            rc = GDPRX_ESYNTAX;
        else
            rc = each_pair(ld, root, "a rule file", top_key, NULL);
        free(ld->seen);
        ld->seen = NULL;
        /* a second document would be silently ignored: refuse */
        if (!rc && pf->later.set)
            rc = yaml_fail(ld, &pf->later.p);
        else if (!rc && pf->c.second_content)
            rc = gx_error_at(ld->err, GDPRX_ESYNTAX, ld->file,
                             (int)pf->c.second_mark.line + 1,
                             (int)pf->c.second_mark.column + 1,
                             "only one YAML document per file");
        ld->doc = NULL;
    }
    return rc;
}

/* ---- reading the files: parsed ahead by two threads -------------------- */

#define PARSE_AHEAD 2   /* documents parsed and not yet read, at most */

typedef struct files {
    const gx_source *src;
    size_t n;
    const size_t *left;    /* [n]: each file's share of max_total_size */
    const gx_limits *lim;
    parsed *p;             /* [n] */
    size_t next;           /* the next file nobody parses yet */
    size_t read;           /* files read into the schema (and freed) */
    int stop;              /* the reader stopped: parse nothing more */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} files;

/* Parse the next file nobody parses yet (fs->mu held on entry and on
 * return; released while parsing). */
static void parse_next(files *fs)
{
    size_t i = fs->next++;
    fs->p[i].state = 1;
    pthread_mutex_unlock(&fs->mu);
    parse_file(&fs->p[i], &fs->src[i], fs->left[i], fs->lim);
    pthread_mutex_lock(&fs->mu);
    fs->p[i].state = 2;
    pthread_cond_broadcast(&fs->cv);
}

static void *parse_ahead(void *arg)
{
    files *fs = arg;
    pthread_mutex_lock(&fs->mu);
    for (;;) {
        while (!fs->stop && fs->next < fs->n &&
               fs->next >= fs->read + PARSE_AHEAD)
            pthread_cond_wait(&fs->cv, &fs->mu);
        if (fs->stop || fs->next >= fs->n)
            break;
        parse_next(fs);
    }
    pthread_mutex_unlock(&fs->mu);
    return NULL;
}

/* Until file i is parsed, the reader parses too: file i if nobody has
 * taken it, else the next one within PARSE_AHEAD of the files read (both
 * threads parse; the reader's walk is fast beside a parse). */
static void parse_until(files *fs, size_t i)
{
    pthread_mutex_lock(&fs->mu);
    while (fs->p[i].state != 2) {
        if (fs->next < fs->n &&
            (fs->next == i || fs->next < fs->read + PARSE_AHEAD))
            parse_next(fs);
        else
            pthread_cond_wait(&fs->cv, &fs->mu);
    }
    pthread_mutex_unlock(&fs->mu);
}

/* Every file, in order: parsed (by this thread alone, or, when
 * ld->lim->threads > 1, by a second one and by this one while it waits),
 * then read into the schema. The first
 * error stops the load, as in a serial read: a file parsed ahead after it
 * is dropped unread. */
static int read_files(loader *ld, const gx_source *src, size_t n)
{
    files fs;
    memset(&fs, 0, sizeof fs);
    fs.src = src;
    fs.n = n;
    fs.lim = ld->lim;
    size_t *left = malloc((n ? n : 1) * sizeof *left);
    fs.p = calloc(n ? n : 1, sizeof *fs.p);
    if (!left || !fs.p) {
        free(left);
        free(fs.p);
        return gx_error_nomem(ld->err);
    }
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        left[i] = total < ld->lim->total_size ? ld->lim->total_size - total
                                              : 0;
        total += src[i].len;
    }
    fs.left = left;
    int threaded = ld->lim->threads > 1 && n > 1 &&
                   pthread_mutex_init(&fs.mu, NULL) == 0;
    if (threaded && pthread_cond_init(&fs.cv, NULL) != 0) {
        pthread_mutex_destroy(&fs.mu);
        threaded = 0;
    }
    pthread_t th;
    if (threaded && pthread_create(&th, NULL, parse_ahead, &fs) != 0) {
        pthread_cond_destroy(&fs.cv);
        pthread_mutex_destroy(&fs.mu);
        threaded = 0;
    }
    int rc = GDPRX_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        if (threaded)
            parse_until(&fs, i);
        else
            parse_file(&fs.p[i], &src[i], left[i], ld->lim);
        rc = walk_file(ld, &src[i], &fs.p[i]);
        parsed_free(&fs.p[i]);
        if (threaded) {
            pthread_mutex_lock(&fs.mu);
            fs.read = i + 1;
            fs.stop = rc != GDPRX_OK;
            pthread_cond_broadcast(&fs.cv);
            pthread_mutex_unlock(&fs.mu);
        }
    }
    if (threaded) {
        pthread_mutex_lock(&fs.mu);
        fs.stop = 1;
        pthread_cond_broadcast(&fs.cv);
        pthread_mutex_unlock(&fs.mu);
        pthread_join(th, NULL);
        pthread_cond_destroy(&fs.cv);
        pthread_mutex_destroy(&fs.mu);
    }
    for (size_t i = 0; i < n; i++)   /* parsed ahead of an error */
        parsed_free(&fs.p[i]);
    free(fs.p);
    free(left);
    return rc;
}

static int cmp_rule_id(const void *a, const void *b)
{
    return strcmp((*(gx_rule *const *)a)->id, (*(gx_rule *const *)b)->id);
}

static int check_ids(loader *ld)
{
    gdprx_rules *rs = ld->rs;
    if (rs->n_rules < 2)
        return GDPRX_OK;
    gx_rule **v = malloc(rs->n_rules * sizeof *v);
    if (!v)
        return gx_error_nomem(ld->err);
    for (size_t i = 0; i < rs->n_rules; i++)
        v[i] = &rs->rules[i];
    qsort(v, rs->n_rules, sizeof *v, cmp_rule_id);
    int rc = GDPRX_OK;
    for (size_t i = 1; i < rs->n_rules && !rc; i++)
        if (!strcmp(v[i - 1]->id, v[i]->id)) {
            gx_rule *a = v[i - 1] < v[i] ? v[i - 1] : v[i];
            gx_rule *b = a == v[i] ? v[i - 1] : v[i];
            rc = gx_error_at(ld->err, GDPRX_ESYNTAX, b->loc.file, b->loc.line,
                             b->loc.col, "duplicate rule id '%s' (first at "
                             "%s:%d:%d)", b->id, a->loc.file, a->loc.line,
                             a->loc.col);
        }
    free(v);
    return rc;
}

int gx_load_sources(gdprx_rules **out, const gx_source *src, size_t n,
                    gdprx_error *err)
{
    gx_limits lim;
    int rc = gx_limits_resolve(&lim, NULL, err);
    return rc ? rc : gx_load_sources_lim(out, src, n, &lim, err);
}

int gx_load_sources_lim(gdprx_rules **out, const gx_source *src, size_t n,
                        const gx_limits *lim, gdprx_error *err)
{
    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.err = err;
    ld.lim = lim;
    ld.sc.max_expanded = lim->expanded_len;
    ld.sc.threads = lim->threads;
    if (!(ld.rs = ld.sc.rs = calloc(1, sizeof *ld.rs)))
        return gx_error_nomem(err);
    int rc = read_files(&ld, src, n);
    if (!rc)
        rc = check_ids(&ld);
    if (!rc)
        rc = gx_compile(&ld.sc, err);
    if (rc)
        gdprx_rules_free(ld.rs);
    else
        *out = ld.rs;
    gx_schema_free(&ld.sc);
    return rc;
}
