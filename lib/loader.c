/* SPDX-License-Identifier: MIT */
/* Stage 4a, loading: parses rule files with libyaml's document API, checks
 * the schema of rules/README.md, expands {{macros}} and compiles every
 * pattern. Invariant: an error stops the load and names file:line:col. */
#include "loader.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "error.h"
#include "util.h"

#define MACRO_DEPTH 16

typedef struct macro {
    int lang;
    char *name, *value;
    gx_loc loc;
} macro;

typedef struct lexsrc {   /* lexicon regexes, compiled after all files */
    char *src;
    gx_loc loc;
} lexsrc;

enum { LX_CUES, LX_IGNORE, LX_BREAKS, LX_SPLIT, LX_N };

typedef struct loader {
    gdprx_rules *rs;
    size_t cap_rules, cap_files;
    macro *macros;
    size_t n_macros, cap_macros;
    lexsrc lex[GX_NLANG][LX_N];
    gx_loc lex_loc[GX_NLANG];
    char *derived[GX_NLANG][2];   /* number_word, unit_word */
    const char *file;
    yaml_document_t *doc;
    unsigned char *seen;
    size_t n_nodes;
    gdprx_error *err;
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

static int unit_pair(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    lexctx *c = ctx;
    int rc = word_ok(ld, k);
    if (!rc)
        rc = want(ld, v, YAML_SCALAR_NODE, "a unit");
    if (rc)
        return rc;
    const char *u = sval(v);
    if (strlen(u) != 1 || !strchr("YMWDH", u[0]))
        return fail(ld, v, GDPRX_ESYNTAX,
                    "unit '%s' must be one of Y, M, W, D, H (for '%s')", u,
                    sval(k));
    if (gx_wordtab_add(c->tab, sval(k), k->data.scalar.length, u[0]) != 0)
        return gx_error_nomem(ld->err);
    return GDPRX_OK;
}

static int lexsrc_set(loader *ld, int lang, int which, yaml_node_t *v,
                      const char *what)
{
    lexsrc *s = &ld->lex[lang][which];
    s->loc = loc_of(ld, v);
    return take_str(ld, v, what, &s->src);
}

static int negation_pair(loader *ld, yaml_node_t *k, yaml_node_t *v,
                         void *ctx)
{
    lexctx *c = ctx;
    gx_lexicon *lx = &ld->rs->lex[c->lang];
    if (key_is(k, "cues"))
        return lexsrc_set(ld, c->lang, LX_CUES, v, "negation.cues");
    if (key_is(k, "ignore"))
        return lexsrc_set(ld, c->lang, LX_IGNORE, v, "negation.ignore");
    if (key_is(k, "breaks"))
        return lexsrc_set(ld, c->lang, LX_BREAKS, v, "negation.breaks");
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
    if (key_is(k, "negation"))
        return each_pair(ld, v, "negation", negation_pair, &sub);
    if (key_is(k, "clause_split"))
        return lexsrc_set(ld, c->lang, LX_SPLIT, v, "clause_split");
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
        gx_loc p = ld->lex_loc[lang];
        char where[300];
        snprintf(where, sizeof where, "%s:%d:%d", p.file, p.line, p.col);
        return fail(ld, k, GDPRX_ESYNTAX,
                    "lexicon for '%s' already defined at %s", sval(k), where);
    }
    lx->present = 1;
    lx->neg_before = 6;
    ld->lex_loc[lang] = loc_of(ld, k);
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
    if (!strcmp(sval(k), "number_word") || !strcmp(sval(k), "unit_word"))
        return fail(ld, k, GDPRX_ESYNTAX,
                    "macro '%s' is derived from the lexicon and cannot be "
                    "defined%s", sval(k), "");
    for (size_t i = 0; i < ld->n_macros; i++) {
        macro *m = &ld->macros[i];
        if (m->lang == lang && !strcmp(m->name, sval(k))) {
            char where[300];
            snprintf(where, sizeof where, "%s:%d:%d", m->loc.file, m->loc.line,
                     m->loc.col);
            return fail(ld, k, GDPRX_ESYNTAX,
                        "macro '%s' already defined at %s", sval(k), where);
        }
    }
    if (gx_grow(&ld->macros, &ld->cap_macros, ld->n_macros + 1,
                sizeof *ld->macros) != 0)
        return gx_error_nomem(ld->err);
    macro *m = &ld->macros[ld->n_macros];
    memset(m, 0, sizeof *m);
    m->lang = lang;
    m->loc = loc_of(ld, v);
    int rc = take_str(ld, v, "a macro", &m->value);
    if (rc)
        return rc;
    if (!(m->name = gx_strdup(sval(k)))) {
        free(m->value);
        return gx_error_nomem(ld->err);
    }
    ld->n_macros++;
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

/* ---- rules ------------------------------------------------------------ */

typedef struct rulectx {
    gx_rule *r;
    int lang;
    int must_match;
    gx_example *ex;
    gx_pattern *pat;
    unsigned seen;
} rulectx;

static int pattern_key(loader *ld, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
    rulectx *c = ctx;
    gx_pattern *p = c->pat;
    if (key_is(k, "pattern")) {
        p->loc = loc_of(ld, v);
        return take_str(ld, v, "pattern", &p->source);
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
        return take_str(ld, v, "section", &p->section_source);
    if (key_is(k, "lead"))
        return take_str(ld, v, "lead", &p->lead_source);
    return unknown_key(ld, k, "a pattern");
}

static int pattern_item(loader *ld, yaml_node_t *v, void *ctx)
{
    rulectx *c = ctx;
    gx_rule *r = c->r;
    size_t cap = r->n_pat[c->lang];
    gx_pattern *np = realloc(r->pat[c->lang], (cap + 1) * sizeof *np);
    if (!np)
        return gx_error_nomem(ld->err);
    r->pat[c->lang] = np;
    gx_pattern *p = &np[r->n_pat[c->lang]++];
    memset(p, 0, sizeof *p);
    p->loc = loc_of(ld, v);
    if (v->type == YAML_SCALAR_NODE)
        return take_str(ld, v, "a pattern", &p->source);
    c->pat = p;
    int rc = each_pair(ld, v, "a pattern", pattern_key, c);
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
                                       "examples", "description"};
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
    default: return want(ld, v, YAML_SCALAR_NODE, "description");
    }
}

static int check_rule(loader *ld, yaml_node_t *n, gx_rule *r)
{
    static const char *const need[] = {"id", "type", "subtype", "patterns"};
    const void *have[] = {r->id, r->type, r->subtype, r->n_pat[0] ||
                          r->n_pat[1] || r->n_pat[2] ? "" : NULL};
    for (size_t i = 0; i < GX_N(need); i++)
        if (!have[i])
            return fail(ld, n, GDPRX_ESYNTAX, "rule %s lacks '%s'",
                        r->id ? r->id : "", need[i]);
    for (int l = 0; l < GX_NLANG; l++)
        if (!r->n_pat[l])
            return fail(ld, n, GDPRX_ESYNTAX,
                        "rule %s has no patterns for '%s' (every rule needs "
                        "en, fr and nl)", r->id, gx_lang_code(l));
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
    return fail(ld, k, GDPRX_ESYNTAX,
                "unknown top-level key '%s' (expected lexicon, macros or "
                "rules)%s", sval(k), "");
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

static int yaml_fail(loader *ld, const yaml_parser_t *p)
{
    const char *what = p->problem ? p->problem : "unreadable YAML";
    if (p->context)   /* the context mark tells where the construct began */
        return gx_error_at(ld->err, GDPRX_ESYNTAX, ld->file,
                           (int)p->problem_mark.line + 1,
                           (int)p->problem_mark.column + 1,
                           "YAML error: %s (begun at %d:%d): %s", p->context,
                           (int)p->context_mark.line + 1,
                           (int)p->context_mark.column + 1, what);
    return gx_error_at(ld->err, GDPRX_ESYNTAX, ld->file,
                       (int)p->problem_mark.line + 1,
                       (int)p->problem_mark.column + 1, "YAML error: %s", what);
}

/* Refuse anchors and aliases where they are written (the document API
 * resolves them without a trace). Syntax errors are left to the loader. */
static int scan_anchors(loader *ld, const gx_source *src)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return gx_error_nomem(ld->err);
    yaml_parser_set_input_string(&p, (const unsigned char *)src->yaml,
                                 src->len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    int rc = GDPRX_OK, done = 0;
    while (!done && !rc) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev))
            break;
        const yaml_char_t *anchor =
            ev.type == YAML_SCALAR_EVENT           ? ev.data.scalar.anchor
            : ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
            : ev.type == YAML_MAPPING_START_EVENT  ? ev.data.mapping_start.anchor
                                                   : NULL;
        if (anchor || ev.type == YAML_ALIAS_EVENT)
            rc = gx_error_at(ld->err, GDPRX_ESYNTAX, ld->file,
                             (int)ev.start_mark.line + 1,
                             (int)ev.start_mark.column + 1,
                             "YAML anchors and aliases are not supported");
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

static int load_file(loader *ld, const gx_source *src)
{
    if (!(ld->file = intern_file(ld, src->name)))
        return gx_error_nomem(ld->err);
    int rc = scan_anchors(ld, src);
    if (rc)
        return rc;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return gx_error_nomem(ld->err);
    yaml_parser_set_input_string(&parser, (const unsigned char *)src->yaml,
                                 src->len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = yaml_fail(ld, &parser);
        yaml_parser_delete(&parser);
        return rc;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root) {
        ld->doc = &doc;
        ld->n_nodes = (size_t)(doc.nodes.top - doc.nodes.start);
        ld->seen = calloc(ld->n_nodes ? ld->n_nodes : 1, 1);
        if (!ld->seen)
            rc = gx_error_nomem(ld->err);
        else if (!node(ld, 1))
            rc = GDPRX_ESYNTAX;
        else
            rc = each_pair(ld, root, "a rule file", top_key, NULL);
        free(ld->seen);
        ld->seen = NULL;
        yaml_document_delete(&doc);
        if (!rc) {   /* a second document would be silently ignored: refuse */
            if (!yaml_parser_load(&parser, &doc))
                rc = yaml_fail(ld, &parser);
            else {
                if (yaml_document_get_root_node(&doc))
                    rc = gx_error_at(ld->err, GDPRX_ESYNTAX, ld->file,
                                     (int)doc.start_mark.line + 1,
                                     (int)doc.start_mark.column + 1,
                                     "only one YAML document per file");
                yaml_document_delete(&doc);
            }
        }
    } else {
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* ---- macro expansion and compilation ------------------------------------ */

static const char *find_macro(const loader *ld, int lang, const char *name,
                              size_t n)
{
    if (n == 11 && !strncmp(name, "number_word", n))
        return ld->derived[lang][0];
    if (n == 9 && !strncmp(name, "unit_word", n))
        return ld->derived[lang][1];
    for (size_t i = 0; i < ld->n_macros; i++) {
        const macro *m = &ld->macros[i];
        if (m->lang == lang && strlen(m->name) == n && !strncmp(m->name, name, n))
            return m->value;
    }
    return NULL;
}

static int expand(loader *ld, int lang, const char *src, gx_loc loc,
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
        if (!val)
            return gx_error_at(ld->err, GDPRX_ESYNTAX, loc.file, loc.line,
                               loc.col, "undefined macro '{{%.*s}}' for %s",
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
    }
    return out->oom ? gx_error_nomem(ld->err) : GDPRX_OK;
}

/* Expand and compile src; with p, also derive p's prefilter literals. */
static int compile_src(loader *ld, int lang, const char *src, gx_loc loc,
                       const char *what, pcre2_code **out, gx_pattern *p)
{
    gx_buf b = {0};
    const char *stack[MACRO_DEPTH + 1];
    int rc = expand(ld, lang, src, loc, &b, stack, 0);
    if (!rc)
        rc = gx_pattern_compile(out, b.s ? b.s : "", loc, what, ld->err);
    if (!rc && p &&
        gx_prefilter_add(&ld->rs->pf[lang], b.s ? b.s : "", &p->lits,
                         &p->n_lits) != 0)
        rc = gx_error_nomem(ld->err);
    gx_buf_free(&b);
    return rc;
}

static int compile_all(loader *ld)
{
    gdprx_rules *rs = ld->rs;
    int rc;
    for (int l = 0; l < GX_NLANG; l++) {
        gx_lexicon *lx = &rs->lex[l];
        gx_wordtab_sort(&lx->stopwords);
        gx_wordtab_sort(&lx->numbers);
        gx_wordtab_sort(&lx->units);
        if (!(ld->derived[l][0] = gx_wordtab_regex(&lx->numbers)) ||
            !(ld->derived[l][1] = gx_wordtab_regex(&lx->units)))
            return gx_error_nomem(ld->err);
        pcre2_code **slot[LX_N] = {&lx->neg_cues, &lx->neg_ignore,
                                   &lx->neg_breaks, &lx->clause_split};
        static const char *const what[LX_N] = {"negation cues",
                                               "negation ignore",
                                               "negation breaks",
                                               "clause_split"};
        for (int w = 0; w < LX_N; w++)
            if (ld->lex[l][w].src &&
                (rc = compile_src(ld, l, ld->lex[l][w].src, ld->lex[l][w].loc,
                                  what[w], slot[w], NULL)))
                return rc;
    }
    /* every macro expands, used or not: a typo is an error where it is */
    for (size_t i = 0; i < ld->n_macros; i++) {
        gx_buf b = {0};
        const char *stack[MACRO_DEPTH + 1] = {ld->macros[i].name};
        rc = expand(ld, ld->macros[i].lang, ld->macros[i].value,
                    ld->macros[i].loc, &b, stack, 1);
        gx_buf_free(&b);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < rs->n_rules; i++) {
        gx_rule *r = &rs->rules[i];
        for (int l = 0; l < GX_NLANG; l++)
            for (size_t j = 0; j < r->n_pat[l]; j++) {
                gx_pattern *p = &r->pat[l][j];
                rc = compile_src(ld, l, p->source, p->loc, "pattern", &p->code,
                                 p);
                if (!rc && p->section_source)
                    rc = compile_src(ld, l, p->section_source, p->loc,
                                     "section", &p->section, NULL);
                if (!rc && p->lead_source)
                    rc = compile_src(ld, l, p->lead_source, p->loc, "lead",
                                     &p->lead, NULL);
                if (rc)
                    return rc;
                uint32_t cc = 0;
                pcre2_pattern_info(p->code, PCRE2_INFO_CAPTURECOUNT, &cc);
                if (cc > rs->max_groups)
                    rs->max_groups = cc;
            }
    }
    return GDPRX_OK;
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

static void loader_free(loader *ld)
{
    for (size_t i = 0; i < ld->n_macros; i++) {
        free(ld->macros[i].name);
        free(ld->macros[i].value);
    }
    free(ld->macros);
    for (int l = 0; l < GX_NLANG; l++) {
        for (int w = 0; w < LX_N; w++)
            free(ld->lex[l][w].src);
        free(ld->derived[l][0]);
        free(ld->derived[l][1]);
    }
}

int gx_load_sources(gdprx_rules **out, const gx_source *src, size_t n,
                    gdprx_error *err)
{
    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.err = err;
    if (!(ld.rs = calloc(1, sizeof *ld.rs)))
        return gx_error_nomem(err);
    int rc = GDPRX_OK;
    for (size_t i = 0; i < n && !rc; i++)
        rc = load_file(&ld, &src[i]);
    if (!rc)
        rc = check_ids(&ld);
    if (!rc)
        rc = compile_all(&ld);
    if (rc)
        gdprx_rules_free(ld.rs);
    else
        *out = ld.rs;
    loader_free(&ld);
    return rc;
}
