/* SPDX-License-Identifier: MIT */
/* Stage 4, rule-file limits: hostile and oversized rule files fail with
 * GDPRX_ELIMIT (aliases with GDPRX_ESYNTAX) at the file:line:col where the
 * limit was crossed, the limits can be raised and lowered through
 * gdprx_rules_options, and the pre-scan reads nesting exactly as libyaml
 * does on the shipped rules. Files are generated at test time in a
 * temporary directory. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "rulelimits.h"

static gdprx_rules *const untouched = (gdprx_rules *)&untouched;

/* ---- generated files ----------------------------------------------------- */

/* head, then `open` and `close` each `reps` times, then tail. */
static char *repeat(const char *head, const char *open, const char *close,
                    size_t reps, const char *tail)
{
    size_t ho = strlen(head), o = strlen(open), c = strlen(close);
    char *s = malloc(ho + (o + c) * reps + strlen(tail) + 1), *w = s;
    ck_assert_ptr_nonnull(s);
    w = memcpy(w, head, ho), w += ho;
    for (size_t i = 0; i < reps; i++, w += o)
        memcpy(w, open, o);
    for (size_t i = 0; i < reps; i++, w += c)
        memcpy(w, close, c);
    strcpy(w, tail);
    return s;
}

/* `levels` mappings, each indented one more than the last. */
static char *indented(size_t levels)
{
    char *s = malloc(levels * (levels + 12) + 1), *w = s;
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < levels; i++)
        w += sprintf(w, "%*sk%zu:\n", (int)i, "", i);
    return s;
}

#define RULE                                                                 \
    "  - id: retention.period.r%zu\n    type: retention\n"                    \
    "    subtype: period\n"                                                  \
    "    patterns: {en: ['keep'], fr: ['conserv'], nl: ['bewaar']}\n"

/* `n` rules of 4 lines each, after "rules:". */
static char *rules(size_t n)
{
    char *s = malloc(8 + n * (sizeof RULE + 20)), *w = s;
    ck_assert_ptr_nonnull(s);
    w += sprintf(w, "rules:\n");
    for (size_t i = 0; i < n; i++)
        w += sprintf(w, RULE, i);
    return s;
}

/* Macros m0..m14 each using the next one 10 times: 10^15 bytes expanded. */
static char *macro_bomb(void)
{
    char *s = malloc(4096), *w = s;
    ck_assert_ptr_nonnull(s);
    w += sprintf(w, "macros:\n  en:\n");
    for (int i = 0; i < 15; i++) {
        w += sprintf(w, "    m%d: '", i);
        for (int j = 0; j < 10; j++)
            w += sprintf(w, "{{m%d}}", i + 1);
        w += sprintf(w, "'\n");
    }
    sprintf(w, "    m15: 'x'\n");
    return s;
}

/* A file of `size` bytes of 80-byte comment lines in dir. */
static void write_comments(const char *dir, const char *name, size_t size)
{
    char path[1024], line[81];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    memset(line, 'x', 80);
    line[0] = '#', line[1] = ' ', line[79] = '\n';
    for (size_t n = 0; n < size; n += 80)
        ck_assert(fwrite(line, 1, size - n < 80 ? size - n : 80, f) > 0);
    ck_assert(fclose(f) == 0);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* ---- one case: YAML in memory with options -------------------------------- */

enum { GEN_REPEAT, GEN_INDENT, GEN_RULES, GEN_BOMB, GEN_TEXT };

static const struct limit_case {
    const char *name;
    int gen;             /* GEN_*: how the YAML is made */
    const char *head, *open, *close;
    size_t reps;         /* repetitions, levels or rules */
    const char *tail;
    size_t opt_index;    /* gdprx_rules_options field set (0: none) ... */
    size_t opt_value;    /* ... to this */
    int code, line, col; /* 0: loads */
    const char *msg;
} cases[] = {
    {"deep [ closed", GEN_REPEAT, "rules: ", "[", "]", 100000, "\n", 0, 0,
     GDPRX_ELIMIT, 1, 71, "nested deeper than 64 levels (limit max_depth)"},
    {"deep [ unclosed", GEN_REPEAT, "rules: ", "[", "", 100000, "\n", 0, 0,
     GDPRX_ELIMIT, 1, 71, "nested deeper than 64 levels"},
    {"deep { closed", GEN_REPEAT, "rules: ", "{a: ", "}", 100000, "\n", 0, 0,
     GDPRX_ELIMIT, 1, 260, "nested deeper than 64 levels"},
    {"deep { unclosed", GEN_REPEAT, "rules: ", "{", "", 100000, "", 0, 0,
     GDPRX_ELIMIT, 1, 71, "nested deeper than 64 levels"},
    {"deep [ on a later line, after comments and quotes", GEN_REPEAT,
     "# [[[[ not counted\nlexicon: {en: {clause_split: '[[[[ ]'}}\nrules: ",
     "[", "", 1000, "", 0, 0, GDPRX_ELIMIT, 3, 71, "nested deeper than 64"},
    /* the pre-scan takes the quote for one opening and sees no '[' after
     * it; the loader's event pass counts as libyaml reads */
    {"deep [ after a multi-line plain scalar with a quote", GEN_REPEAT,
     "lexicon: a\n  'b\nrules: ", "[", "", 1000, "", 0, 0, GDPRX_ELIMIT, 3,
     71, "nested deeper than 64 levels"},
    {"deep block mappings", GEN_INDENT, NULL, NULL, NULL, 1000, NULL, 0, 0,
     GDPRX_ELIMIT, 65, 65, "nested deeper than 64 levels"},
    {"deep compact block sequences", GEN_REPEAT, "rules:\n", "- ", "", 100000,
     "x\n", 0, 0, GDPRX_ELIMIT, 2, 127, "nested deeper than 64 levels"},
    {"depth lowered", GEN_REPEAT, "rules: ", "[", "]", 3, "\n", 3, 3,
     GDPRX_ELIMIT, 1, 10, "nested deeper than 3 levels"},
    {"depth raised: the schema speaks", GEN_REPEAT, "rules: ", "[", "]", 100,
     "\n", 3, 200, GDPRX_ESYNTAX, 1, 9, "a rule must be a mapping"},
    {"file larger than max_file_size", GEN_REPEAT, "", "# comment\n", "", 20,
     "", 1, 100, GDPRX_ELIMIT, 11, 1,
     "rule file larger than 100 bytes (limit max_file_size)"},
    {"billion laughs", GEN_TEXT,
     "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
     "a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\n"
     "a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\n",
     NULL, NULL, 0, NULL, 0, 0, GDPRX_ESYNTAX, 1, 5,
     "YAML anchors and aliases are not supported"},
    {"alias alone", GEN_TEXT, "rules: []\nlexicon: *x\n", NULL, NULL, 0, NULL,
     0, 0, GDPRX_ESYNTAX, 2, 10, "YAML anchors and aliases are not supported"},
    {"too many rules (default 2000)", GEN_RULES, NULL, NULL, NULL, 2001, NULL,
     0, 0, GDPRX_ELIMIT, 2 + 4 * 2000, 5,
     "more rules in the set than 2000 (limit max_rules)"},
    {"too many rules (max_rules 1)", GEN_RULES, NULL, NULL, NULL, 2, NULL, 4,
     1, GDPRX_ELIMIT, 6, 5, "more rules in the set than 1"},
    {"max_rules raised", GEN_RULES, NULL, NULL, NULL, 2001, NULL, 4, 3000, 0,
     0, 0, NULL},
    {"too many concepts", GEN_TEXT,
     "concepts:\n  keep: {en: [keep], fr: [conserver], nl: [bewaren]}\n"
     "  sell: {en: [sell], fr: [vendre], nl: [verkopen]}\n",
     NULL, NULL, 0, NULL, 5, 1, GDPRX_ELIMIT, 3, 3,
     "more concepts in the set than 1 (limit max_concepts)"},
    {"too many terms", GEN_TEXT,
     "concepts:\n  keep: {en: [keep, store, retain], fr: [conserver], "
     "nl: [bewaren]}\n", NULL, NULL, 0, NULL, 6, 2, GDPRX_ELIMIT, 2, 28,
     "concept 'keep' has more en terms than 2 (limit max_terms)"},
    {"too many patterns", GEN_TEXT,
     "rules:\n  - id: a.b.c\n    type: a\n    subtype: b\n"
     "    patterns: {en: ['a', 'b'], fr: ['c'], nl: ['d']}\n",
     NULL, NULL, 0, NULL, 7, 1, GDPRX_ELIMIT, 5, 26,
     "rule a.b.c has more en patterns and cases than 1 (limit max_patterns)"},
    {"pattern too long", GEN_TEXT,
     "rules:\n  - id: a.b.c\n    type: a\n    subtype: b\n"
     "    patterns: {en: ['keepers'], fr: ['c'], nl: ['d']}\n",
     NULL, NULL, 0, NULL, 8, 5, GDPRX_ELIMIT, 5, 21,
     "a pattern longer than 5 bytes (limit max_pattern_len)"},
    {"macro bomb", GEN_BOMB, NULL, NULL, NULL, 0, NULL, 0, 0, GDPRX_ELIMIT, 3,
     9, "expanded (limit max_expanded_len)"},
    {"too many examples", GEN_TEXT,
     "rules:\n  - id: a.b.c\n    type: a\n    subtype: b\n"
     "    patterns: {en: ['a'], fr: ['c'], nl: ['d']}\n"
     "    examples: {en: {match: ['a', 'b']}}\n",
     NULL, NULL, 0, NULL, 10, 1, GDPRX_ELIMIT, 6, 34,
     "rule a.b.c has more en examples than 1 (limit max_examples)"},
};

static char *make_yaml(const struct limit_case *c)
{
    switch (c->gen) {
    case GEN_REPEAT: return repeat(c->head, c->open, c->close, c->reps,
                                   c->tail);
    case GEN_INDENT: return indented(c->reps);
    case GEN_RULES: return rules(c->reps);
    case GEN_BOMB: return macro_bomb();
    default: return repeat(c->head, "", "", 0, "");
    }
}

/* Field i (1-based, in declaration order) of the options. */
static void set_option(gdprx_rules_options *o, size_t i, size_t v)
{
    size_t *fields[] = {NULL, &o->max_file_size, &o->max_total_size,
                        &o->max_depth, &o->max_rules, &o->max_concepts,
                        &o->max_terms, &o->max_patterns, &o->max_pattern_len,
                        &o->max_expanded_len, &o->max_examples};
    if (i > 0 && i < N(fields))
        *fields[i] = v;
}

START_TEST(test_limits)
{
    const struct limit_case *c = &cases[_i];
    char *yaml = make_yaml(c);
    gdprx_rules_options opts;
    gdprx_rules_options_init(&opts);
    set_option(&opts, c->opt_index, c->opt_value);
    gdprx_rules *r = untouched;
    gdprx_error err;
    int rc = gdprx_rules_load_yaml_opts(&r, yaml, strlen(yaml), "hostile.yaml",
                                        &opts, &err);
    free(yaml);
    ck_assert_msg(rc == c->code, "%s: rc %d, want %d (%s)", c->name, rc,
                  c->code, err.message);
    if (!c->code) {
        gdprx_rules_free(r);
        return;
    }
    ck_assert_msg(r == untouched, "%s: *out changed on failure", c->name);
    ck_assert_msg(err.code == c->code && !strcmp(err.file, "hostile.yaml"),
                  "%s: err.code %d, err.file '%s'", c->name, err.code,
                  err.file);
    ck_assert_msg(err.line == c->line && err.column == c->col,
                  "%s: at %d:%d, want %d:%d (%s)", c->name, err.line,
                  err.column, c->line, c->col, err.message);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "hostile.yaml:%d:%d: ", c->line, c->col);
    ck_assert_msg(!strncmp(err.message, prefix, strlen(prefix)) &&
                      strstr(err.message, c->msg),
                  "%s: message \"%s\", want \"%s...%s\"", c->name,
                  err.message, prefix, c->msg);
}
END_TEST

/* ---- files on disk --------------------------------------------------------- */

/* A 50 MB file is refused at its first byte beyond the default 1 MiB. */
START_TEST(test_huge_file)
{
    char dir[] = "/tmp/gdprx-limits-XXXXXX";
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp");
    write_comments(dir, "huge.yaml", 50u << 20);
    gdprx_rules *r = untouched;
    gdprx_error err;
    int rc = gdprx_rules_load(&r, dir, &err);
    char file[1024];
    snprintf(file, sizeof file, "%s/huge.yaml", dir);
    remove_dir(dir);
    ck_assert_msg(rc == GDPRX_ELIMIT && r == untouched, "huge: rc %d (%s)",
                  rc, err.message);
    /* byte 1048576 = 13107 lines of 80 bytes, then 16 bytes */
    ck_assert_msg(!strcmp(err.file, file) && err.line == 13108 &&
                      err.column == 17,
                  "huge: at %s:%d:%d (%s)", err.file, err.line, err.column,
                  err.message);
    ck_assert_msg(strstr(err.message, "rule file larger than 1048576 bytes "
                                      "(limit max_file_size)") != NULL,
                  "huge: %s", err.message);
}
END_TEST

/* Two files within max_file_size but together beyond max_total_size: the
 * second is refused where the total crosses the limit. */
START_TEST(test_total_size)
{
    char dir[] = "/tmp/gdprx-limits-XXXXXX";
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp");
    write_comments(dir, "a.yaml", 600000);
    write_comments(dir, "b.yaml", 600000);
    gdprx_rules_options opts;
    gdprx_rules_options_init(&opts);
    opts.max_total_size = 1000000;
    gdprx_rules *r = untouched;
    gdprx_error err;
    int rc = gdprx_rules_load_opts(&r, dir, &opts, &err);
    char file[1024];
    snprintf(file, sizeof file, "%s/b.yaml", dir);
    ck_assert_msg(rc == GDPRX_ELIMIT && r == untouched, "total: rc %d (%s)",
                  rc, err.message);
    ck_assert_msg(!strcmp(err.file, file) && err.line == 5001 &&
                      err.column == 1,
                  "total: at %s:%d:%d (%s)", err.file, err.line, err.column,
                  err.message);
    ck_assert_msg(strstr(err.message, "limit max_total_size") != NULL,
                  "total: %s", err.message);
    opts.max_total_size = 2000000; /* raised: both files load */
    rc = gdprx_rules_load_opts(&r, dir, &opts, &err);
    remove_dir(dir);
    ck_assert_msg(rc == GDPRX_OK, "total raised: rc %d (%s)", rc, err.message);
    gdprx_rules_free(r);
}
END_TEST

/* Options not set up with gdprx_rules_options_init() are refused. */
START_TEST(test_bad_options)
{
    gdprx_rules_options opts;
    memset(&opts, 0, sizeof opts);
    gdprx_rules *r = untouched;
    gdprx_error err;
    ck_assert_msg(gdprx_rules_load_yaml_opts(&r, "rules: []", 9, NULL, &opts,
                                             &err) == GDPRX_EINVAL &&
                      r == untouched,
                  "size 0: %s", err.message);
    gdprx_rules_options_init(&opts);
    ck_assert_msg(opts.size == sizeof opts && opts.max_depth == 0,
                  "init: size %zu", opts.size);
    ck_assert_msg(gdprx_rules_load_yaml_opts(&r, "rules: []", 9, NULL, NULL,
                                             &err) == GDPRX_OK,
                  "NULL options: %s", err.message);
    gdprx_rules_free(r);
}
END_TEST

/* The pre-scan reads the nesting of every shipped rule file as libyaml
 * does: the smallest max_depth it accepts is the smallest the loader's
 * event pass accepts. */
START_TEST(test_prescan_exact_on_shipped_rules)
{
    static const char *const files[] = {
        "retention.yaml", "rights.yaml", "recipients.yaml", "cookies.yaml",
        "lexicon/en.yaml", "lexicon/concepts.yaml", "data_categories.yaml"};
    for (size_t f = 0; f < N(files); f++) {
        char path[1024];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", rules_dir(), files[f]);
        char *yaml = read_all(path, &len);
        ck_assert_msg(yaml != NULL, "cannot read %s", path);
        size_t pre = 0, loader = 0;
        for (size_t d = 1; d <= 64 && (!pre || !loader); d++) {
            gx_limits lim;
            gdprx_rules_options opts;
            gdprx_rules_options_init(&opts);
            opts.max_depth = d;
            gx_limits_resolve(&lim, &opts, NULL);
            if (!pre && gx_prescan(path, yaml, len, SIZE_MAX, &lim, NULL) ==
                            GDPRX_OK)
                pre = d;
            gdprx_rules *r = NULL;
            if (!loader && gdprx_rules_load_yaml_opts(&r, yaml, len, path,
                                                      &opts, NULL) !=
                               GDPRX_ELIMIT)
                loader = d;
            gdprx_rules_free(r);
        }
        free(yaml);
        ck_assert_msg(pre && pre == loader,
                      "%s: pre-scan accepts depth %zu, libyaml %zu", files[f],
                      pre, loader);
    }
}
END_TEST

static Suite *stage_suite(void)
{
    Suite *s = suite_create("limits");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_prescan_exact_on_shipped_rules);
    tcase_add_test(core, test_bad_options);
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("errors");
    tcase_add_loop_test(errors, test_limits, 0, N(cases));
    tcase_add_test(errors, test_huge_file);
    tcase_add_test(errors, test_total_size);
    suite_add_tcase(s, errors);
    return s;
}

int main(void) { return run_suite(stage_suite()); }
