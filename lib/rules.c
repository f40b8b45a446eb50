/* SPDX-License-Identifier: MIT */
/* Stage 4b, the rule set: finds rule files (directory, file, memory, the
 * default set), hands them to the loader, compiles and JIT-compiles
 * patterns, and owns the immutable gdprx_rules. */
#include "rules.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "error.h"
#include "rulelimits.h"
#include "loader.h"
#include "util.h"

static const char *const lang_codes[GX_NLANG] = {"en", "fr", "nl"};

const char *gx_lang_code(int idx)
{
    return idx >= 0 && idx < GX_NLANG ? lang_codes[idx] : "";
}

int gx_lang_index(const char *code, size_t n)
{
    for (int i = 0; i < GX_NLANG; i++)
        if (n == 2 && !strncmp(code, lang_codes[i], 2))
            return i;
    return -1;
}

const char *gdprx_lang_code(gdprx_lang lang)
{
    return gx_lang_code((int)lang - 1);
}

const pcre2_code *gx_case_code(const gdprx_rules *rs, const gx_pattern *p)
{
    if (!p->jit_slot)
        return p->code;
    gx_jit_slot *js = &rs->jit[p->jit_slot - 1];
    pcre2_code *j = atomic_load_explicit(&js->code, memory_order_acquire);
    if (j)
        return j;
    if (atomic_fetch_add_explicit(&js->runs, 1u, memory_order_relaxed) !=
        GX_JIT_AFTER)
        return p->code;
    pcre2_code *c = pcre2_code_copy(p->code);
    if (c && pcre2_jit_compile(c, PCRE2_JIT_COMPLETE) == 0) {
        atomic_store_explicit(&js->code, c, memory_order_release);
        return c;
    }
    pcre2_code_free(c);   /* no JIT here (or no memory): interpret */
    return p->code;
}

/* Does pattern p need CASELESS? The text it runs on is case-folded, so
 * only a capital letter (outside an escape: \D, \K) or a non-ASCII
 * character in the pattern could be written for another case; caseless
 * matching of the rest costs time and changes nothing. */
static int needs_caseless(const char *p)
{
    for (; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        if ((*p >= 'A' && *p <= 'Z') || (unsigned char)*p >= 0x80)
            return 1;
    }
    return 0;
}

size_t gx_pattern_branches(const char *p, size_t *at, size_t max)
{
    size_t n = strlen(p), k = 0;
    int depth = 0;
    if (max)
        at[k] = 0;
    k++;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\') {
            if (p[i + 1] == 'Q' || p[i + 1] == '\0')
                return 0;   /* a quoted run: not parsed here */
            i++;
        } else if (p[i] == '[') {   /* a class: ']' first is literal */
            size_t j = i + 1;
            if (p[j] == '^')
                j++;
            if (p[j] == ']')
                j++;
            for (; j < n && p[j] != ']'; j++)
                if (p[j] == '\\')
                    j++;
                else if (p[j] == '[' && p[j + 1] == ':')
                    return 0;   /* a POSIX class: not parsed here */
            if (j >= n)
                return 0;
            i = j;
        } else if (p[i] == '(') {
            if (p[i + 1] == '?' && (p[i + 2] == '#' || p[i + 2] == '|'))
                return 0;   /* a comment, a branch reset */
            for (size_t j = i + 2; p[i + 1] == '?' && j < n &&
                                   (p[j] == '-' || p[j] == '^' ||
                                    (p[j] >= 'a' && p[j] <= 'z'));
                 j++)
                if (p[j] == 'x')
                    return 0;   /* extended syntax: '#' comments, spaces */
            depth++;
        } else if (p[i] == ')') {
            depth--;
        } else if (p[i] == '|' && depth == 0) {
            if (k < max)
                at[k] = i + 1;
            k++;
        }
    }
    return depth == 0 ? k : 0;
}

char *gx_factor_word_boundary(const char *p)
{
    size_t at[64], nb = gx_pattern_branches(p, at, 64);
    if (nb < 2 || nb > 64)
        return NULL;
    for (size_t k = 0; k < nb; k++)   /* \\b, not quantified ("\\b{2}") */
        if (strncmp(p + at[k], "\\b", 2) != 0 ||
            strchr("{*+?", p[at[k] + 2]) != NULL)
            return NULL;
    size_t n = strlen(p);
    char *f = malloc(n + 5);   /* "\\b(?:" + branches without \\b + ")" */
    if (!f)
        return NULL;
    memcpy(f, "\\b(?:", 5);
    size_t w = 5;
    for (size_t k = 0; k < nb; k++) {
        size_t e = k + 1 < nb ? at[k + 1] - 1 : n;   /* before its '|' */
        if (k)
            f[w++] = '|';
        memcpy(f + w, p + at[k] + 2, e - at[k] - 2);
        w += e - at[k] - 2;
    }
    f[w++] = ')';
    f[w] = '\0';
    return f;
}

int gx_pattern_compile(pcre2_code **out, const char *pattern, gx_loc loc,
                       const char *what, int jit, gdprx_error *err)
{
    int ec;
    PCRE2_SIZE eo;
    /* no UCP: \b, \w, \d, \s are ASCII classes (rules/README.md) */
    uint32_t opt = PCRE2_UTF | PCRE2_DUPNAMES | PCRE2_NO_AUTO_CAPTURE |
                   (needs_caseless(pattern) ? PCRE2_CASELESS : 0);
    /* the factored form (same matches) when there is one; an error is
     * reported against the pattern as written */
    pcre2_code *re = NULL;
    char *f = gx_factor_word_boundary(pattern);
    if (f) {
        re = pcre2_compile((PCRE2_SPTR)f, PCRE2_ZERO_TERMINATED, opt, &ec,
                           &eo, NULL);
        free(f);
    }
    if (!re)
        re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opt,
                           &ec, &eo, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        return gx_error_at(err, GDPRX_EPATTERN, loc.file, loc.line, loc.col,
                           "%s rejected by PCRE2 at offset %zu of the "
                           "expanded pattern: %s (near '%.20s')",
                           what, (size_t)eo, (const char *)msg,
                           pattern + (eo < strlen(pattern) ? eo : 0));
    }
    /* JIT is an optimization: where the platform lacks it PCRE2 interprets. */
    if (jit)
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    *out = re;
    return GDPRX_OK;
}

int gx_required_byte(const pcre2_code *re)
{
    uint32_t type = 0, unit = 0;
    if (!re)
        return -1;
    if (pcre2_pattern_info(re, PCRE2_INFO_LASTCODETYPE, &type) == 0 &&
        type == 1 &&
        pcre2_pattern_info(re, PCRE2_INFO_LASTCODEUNIT, &unit) != 0)
        type = 0;
    if (type != 1 &&
        (pcre2_pattern_info(re, PCRE2_INFO_FIRSTCODETYPE, &type) != 0 ||
         type != 1 ||
         pcre2_pattern_info(re, PCRE2_INFO_FIRSTCODEUNIT, &unit) != 0))
        return -1;
    if (unit == 0 || unit >= 0x80 || ((unit | 0x20) >= 'a' && (unit | 0x20) <= 'z'))
        return -1;
    return (int)unit;
}

void gx_rule_free(gx_rule *r)
{
    free(r->id);
    free(r->type);
    free(r->subtype);
    for (size_t i = 0; i < r->n_articles; i++)
        free(r->articles[i]);
    free(r->articles);
    for (int l = 0; l < GX_NLANG; l++) {
        for (size_t j = 0; j < r->n_pat[l]; j++) {
            free(r->pat[l][j].source);
            free(r->pat[l][j].desc);
            free(r->pat[l][j].section_source);
            free(r->pat[l][j].lead_source);
            pcre2_code_free(r->pat[l][j].lead);
            pcre2_code_free(r->pat[l][j].code);
            free(r->pat[l][j].lits);
            pcre2_code_free(r->pat[l][j].section);
            for (int k = 0; k < GX_C_N; k++) {
                gx_clist *cl = &r->pat[l][j].cond[k];
                for (size_t i = 0; i < cl->n; i++)
                    free(cl->names[i]);
                free(cl->names);
                free(cl->ids);
            }
        }
        free(r->pat[l]);
        for (size_t j = 0; j < r->n_ex[l]; j++) {
            gx_example *e = &r->ex[l][j];
            free(e->text);
            free(e->duration);
            free(e->duration_max);
            free(e->email);
        }
        free(r->ex[l]);
    }
}

void gdprx_rules_free(gdprx_rules *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n_rules; i++)
        gx_rule_free(&rs->rules[i]);
    free(rs->rules);
    gx_wordtab_free(&rs->stop_langs);
    /* a compile error may leave n_jit counted but no slot array */
    for (size_t i = 0; rs->jit && i < rs->n_jit; i++)
        pcre2_code_free(atomic_load(&rs->jit[i].code));
    free(rs->jit);
    for (int l = 0; l < GX_NLANG; l++) {
        gx_lexicon_free(&rs->lex[l]);
        gx_prefilter_free(&rs->pf[l]);
        gx_scanner_free(rs->scan[l]);
        free(rs->terms[l]);
        free(rs->p_rule[l]);
        free(rs->p_idx[l]);
        free(rs->trig_off[l]);
        free(rs->trig[l]);
        free(rs->trig_need[l]);
        free(rs->always[l]);
    }
    for (size_t i = 0; i < rs->n_concepts; i++)
        gx_concept_free(&rs->concepts[i]);
    for (int l = 0; l < GX_NLANG; l++)
        gx_pool_free(&rs->word_pool[l]);
    for (size_t i = 0; i < rs->n_warn; i++)
        free(rs->warn[i]);
    free(rs->warn);
    free(rs->concepts);
    for (size_t i = 0; i < rs->n_files; i++)
        free(rs->files[i]);
    free(rs->files);
    free(rs);
}

size_t gdprx_rules_count(const gdprx_rules *rs) { return rs ? rs->n_rules : 0; }

static size_t code_size(const pcre2_code *re)
{
    size_t n = 0, j = 0;
    if (!re)
        return 0;
    pcre2_pattern_info(re, PCRE2_INFO_SIZE, &n);
    if (pcre2_pattern_info(re, PCRE2_INFO_JITSIZE, &j) == 0)
        n += j;
    return n;
}

size_t gx_rules_compiled_size(const gdprx_rules *rs)
{
    size_t n = 0;
    for (int l = 0; l < GX_NLANG; l++) {
        n += gx_scanner_size(rs->scan[l]);
        const gx_lexicon *lx = &rs->lex[l];
        n += code_size(lx->neg_cues) + code_size(lx->clause_split);
        const gx_spanset *sets[] = {&lx->neg_ignore, &lx->neg_breaks,
                                    &lx->neg_except};
        for (size_t k = 0; k < sizeof sets / sizeof *sets; k++)
            for (size_t j = 0; j < sets[k]->n; j++)
                n += code_size(sets[k]->re[j]);
        for (size_t i = 0; i < rs->n_concepts; i++)
            n += code_size(rs->concepts[i].l[l].re);
        for (size_t i = 0; i < rs->n_rules; i++)
            for (size_t j = 0; j < rs->rules[i].n_pat[l]; j++) {
                const gx_pattern *p = &rs->rules[i].pat[l][j];
                n += code_size(p->code) + code_size(p->section) +
                     code_size(p->lead);
            }
    }
    return n;
}

size_t gdprx_rules_warning_count(const gdprx_rules *rs)
{
    return rs ? rs->n_warn : 0;
}

const char *gdprx_rules_warning(const gdprx_rules *rs, size_t i)
{
    return rs && i < rs->n_warn ? rs->warn[i] : NULL;
}

const gdprx_rule_info *gdprx_rules_get(const gdprx_rules *rs, size_t i)
{
    return rs && i < rs->n_rules ? &rs->rules[i].info : NULL;
}

/* Fill each rule's public view once the set is built (it cannot change
 * afterwards, so the pointers stay valid until gdprx_rules_free). */
static void set_rule_info(gdprx_rules *rs)
{
    for (size_t i = 0; i < rs->n_rules; i++) {
        gx_rule *r = &rs->rules[i];
        r->info.id = r->id;
        r->info.type = r->type;
        r->info.subtype = r->subtype;
        r->info.articles = (const char *const *)r->articles;
        r->info.n_articles = r->n_articles;
        r->info.langs = 0;
        for (int l = 0; l < GX_NLANG; l++)
            if (r->n_pat[l])
                r->info.langs |= 1u << l;
    }
}

static int load_sources(gdprx_rules **out, const gx_source *src, size_t n,
                        const gx_limits *lim, gdprx_error *err)
{
    int rc = gx_load_sources_lim(out, src, n, lim, err);
    if (rc == GDPRX_OK)
        set_rule_info(*out);
    return rc;
}

/* ---- files ------------------------------------------------------------ */

typedef struct pathlist {
    char **v;
    size_t n, cap;
} pathlist;

static void pathlist_free(pathlist *pl)
{
    for (size_t i = 0; i < pl->n; i++)
        free(pl->v[i]);
    free(pl->v);
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n > m && !strcmp(s + n - m, suf);
}

static int collect(pathlist *pl, const char *dir, int depth, gdprx_error *err)
{
    if (depth > 16)
        return gx_error_at(err, GDPRX_EIO, dir, 0, 0,
                           "directories nested too deep");
    DIR *d = opendir(dir);
    if (!d)
        return gx_error_at(err, GDPRX_EIO, dir, 0, 0, "%s", strerror(errno));
    int rc = GDPRX_OK;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        if (!p) {
            rc = gx_error_nomem(err);
            break;
        }
        snprintf(p, n, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = collect(pl, p, depth + 1, err);
            free(p);
        } else if (has_suffix(p, ".yaml") || has_suffix(p, ".yml")) {
            if (gx_grow(&pl->v, &pl->cap, pl->n + 1, sizeof *pl->v) != 0) {
                free(p);
                rc = gx_error_nomem(err);
            } else {
                pl->v[pl->n++] = p;
            }
        } else {
            free(p);
        }
    }
    closedir(d);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read at most cap + 1 bytes of the file at `path`: enough for the
 * pre-scan to tell a file over its size limit, and where it crosses it,
 * without holding more (a device or a FIFO never ends). */
static int read_file(gx_buf *b, const char *path, size_t cap,
                     gdprx_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return gx_error_at(err, GDPRX_EIO, path, 0, 0, "%s", strerror(errno));
    char chunk[65536];
    size_t n, want = cap < SIZE_MAX ? cap + 1 : cap;
    while (b->len < want &&
           (n = fread(chunk, 1,
                      want - b->len < sizeof chunk ? want - b->len
                                                   : sizeof chunk,
                      f)) > 0)
        gx_buf_add(b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return gx_error_at(err, GDPRX_EIO, path, 0, 0, "read error");
    if (b->oom)
        return gx_error_nomem(err);
    return GDPRX_OK;
}

int gx_rules_load_path(gdprx_rules **out, const char *path,
                       const gx_limits *lim, gdprx_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return gx_error_at(err, GDPRX_EIO, path, 0, 0, "%s", strerror(errno));
    pathlist pl = {0};
    int rc = GDPRX_OK;
    if (S_ISDIR(st.st_mode)) {
        rc = collect(&pl, path, 0, err);
        if (!rc && pl.n == 0)
            rc = gx_error_at(err, GDPRX_EIO, path, 0, 0,
                             "no *.yaml rule files in this directory");
        if (pl.n)
            qsort(pl.v, pl.n, sizeof *pl.v, cmp_str);
    } else if (!(pl.v = malloc(sizeof *pl.v)) || !(pl.v[0] = gx_strdup(path))) {
        rc = gx_error_nomem(err);
    } else {
        pl.n = pl.cap = 1;
    }
    gx_buf *bufs = pl.n ? calloc(pl.n, sizeof *bufs) : NULL;
    gx_source *src = pl.n ? calloc(pl.n, sizeof *src) : NULL;
    if (!rc && (!bufs || !src))
        rc = gx_error_nomem(err);
    size_t total = 0;
    for (size_t i = 0; !rc && i < pl.n; i++) {
        size_t left = total < lim->total_size ? lim->total_size - total : 0;
        rc = read_file(&bufs[i], pl.v[i],
                       left < lim->file_size ? left : lim->file_size, err);
        total += bufs[i].len;
        src[i].name = pl.v[i];
        src[i].yaml = bufs[i].s ? bufs[i].s : "";
        src[i].len = bufs[i].len;
    }
    if (!rc)
        rc = load_sources(out, src, pl.n, lim, err);
    for (size_t i = 0; bufs && i < pl.n; i++)
        gx_buf_free(&bufs[i]);
    free(bufs);
    free(src);
    pathlist_free(&pl);
    return rc;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *gx_rules_default(const char *installed, const char *source,
                             gdprx_error *err)
{
    const char *env = getenv("GDPRX_RULES");
    if (env && *env)
        return env;
    if (is_dir(installed))
        return installed;
    if (is_dir(source))
        return source;
    gx_error_set(err, GDPRX_EIO,
                 "no rule set found; looked, in order, at: 1. $GDPRX_RULES: "
                 "not set; 2. %s (installed with the library): no such "
                 "directory; 3. %s (the source tree): no such directory. "
                 "Set GDPRX_RULES or pass a rule directory or file",
                 installed, source);
    return NULL;
}

int gdprx_rules_load_opts(gdprx_rules **out, const char *path,
                          const gdprx_rules_options *opts, gdprx_error *err)
{
    gx_error_clear(err);
    if (!out)
        return gx_error_set(err, GDPRX_EINVAL, "gdprx_rules_load: NULL out");
    gx_limits lim;
    int rc = gx_limits_resolve(&lim, opts, err);
    if (rc)
        return rc;
    if (!path && !(path = gx_rules_default(GDPRX_RULES_INSTALL_DIR,
                                           GDPRX_RULES_SOURCE_DIR, err)))
        return GDPRX_EIO;
    return gx_rules_load_path(out, path, &lim, err);
}

int gdprx_rules_load(gdprx_rules **out, const char *path, gdprx_error *err)
{
    return gdprx_rules_load_opts(out, path, NULL, err);
}

int gdprx_rules_load_yaml_opts(gdprx_rules **out, const char *yaml,
                               size_t len, const char *name,
                               const gdprx_rules_options *opts,
                               gdprx_error *err)
{
    gx_error_clear(err);
    if (!out || (!yaml && len))
        return gx_error_set(err, GDPRX_EINVAL,
                            "gdprx_rules_load_yaml: NULL %s",
                            out ? "yaml" : "out");
    gx_limits lim;
    int rc = gx_limits_resolve(&lim, opts, err);
    if (rc)
        return rc;
    gx_source src = {name ? name : "<memory>", yaml ? yaml : "", len};
    return load_sources(out, &src, 1, &lim, err);
}

int gdprx_rules_load_yaml(gdprx_rules **out, const char *yaml, size_t len,
                          const char *name, gdprx_error *err)
{
    return gdprx_rules_load_yaml_opts(out, yaml, len, name, NULL, err);
}

const char *gdprx_rules_pattern(const gdprx_rules *rs, const char *rule_id,
                                gdprx_lang lang, size_t index)
{
    int l = (int)lang - 1;
    if (!rs || !rule_id || l < 0 || l >= GX_NLANG)
        return NULL;
    for (size_t i = 0; i < rs->n_rules; i++)
        if (!strcmp(rs->rules[i].id, rule_id))
            return index < rs->rules[i].n_pat[l]
                       ? (rs->rules[i].pat[l][index].has_cond
                              ? rs->rules[i].pat[l][index].desc
                              : rs->rules[i].pat[l][index].source)
                       : NULL;
    return NULL;
}
