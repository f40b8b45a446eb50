/* SPDX-License-Identifier: MIT */
/* Stage 4, loading rule sets: every load error carries the right status
 * code and its exact location, in err.file/line/column and as the
 * "file:line:col: " prefix of err.message. Fixtures: the files of tests/data/bad
 * (one error each), tests/data/dup (a duplicate id across two files),
 * tests/data/order (macros used before the file defining them),
 * tests/data/good/single.yaml (a complete set in one file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "rules.h"

#define NOT_CHECKED (-1)

static gdprx_rules *const untouched = (gdprx_rules *)&untouched;

/* Load `rel` (under the test data) and return the status; *out is left as
 * `untouched` on failure. */
static int load(const char *rel, gdprx_rules **out, gdprx_error *err,
                char *path, size_t n)
{
    data_path(rel, path, n);
    *out = untouched;
    return gdprx_rules_load(out, path, err);
}

static void check_error(const char *name, const gdprx_error *err, int code,
                        const char *file, int line, int col, const char *msg)
{
    ck_assert_msg(err->code == code, "%s: err.code %d, want %d (%s)", name,
                  err->code, code, err->message);
    ck_assert_msg(!strcmp(err->file, file), "%s: err.file \"%s\", want "
                  "\"%s\"", name, err->file, file);
    char prefix[600];
    if (line == NOT_CHECKED) {
        snprintf(prefix, sizeof prefix, "%s:", file);
    } else {
        ck_assert_msg(err->line == line && err->column == col,
                      "%s: at %d:%d, want %d:%d (%s)", name, err->line,
                      err->column, line, col, err->message);
        if (line > 0)
            snprintf(prefix, sizeof prefix, "%s:%d:%d: ", file, line, col);
        else
            snprintf(prefix, sizeof prefix, "%s: ", file);
    }
    ck_assert_msg(!strncmp(err->message, prefix, strlen(prefix)),
                  "%s: message \"%s\" does not start with \"%s\"", name,
                  err->message, prefix);
    ck_assert_msg(strstr(err->message, msg) != NULL,
                  "%s: message \"%s\" lacks \"%s\"", name, err->message, msg);
}

/* ---- core: rule sets that load ---------------------------------------- */

START_TEST(test_fixture_set)
{
    gdprx_rules *r = load_test_rules();
    ck_assert_msg(gdprx_rules_count(r) == 2, "fixture set: %zu rules",
                  gdprx_rules_count(r));
    /* its rules use macros defined in the lexicon files */
    gdprx_result *res = analyze_lang(r, "We keep your invoices for 5 to 10 "
                                        "years.", GDPRX_LANG_EN);
    const gdprx_finding *f = find_label(res, "retention.period");
    ck_assert_msg(f && f->duration && !strcmp(f->duration, "P5Y"),
                  "fixture set: macros from the lexicon files not expanded");
    gdprx_result_free(res);
    gdprx_rules_free(r);
}
END_TEST

static const struct case_ {
    const char *name;
    const char *rel;
    size_t rules;
    gdprx_lang lang;
    const char *in;     /* analyzed with the set */
    const char *label;  /* must be found, with text `text` */
    const char *text;
} good[] = {
    {"one self-contained file", "good/single.yaml", 1, GDPRX_LANG_EN,
     "We keep your invoices for ten years.", "retention.period",
     "keep your invoices for ten years"},
    {"one file, derived macros in fr", "good/single.yaml", 1, GDPRX_LANG_FR,
     "Nous conservons vos factures pendant deux ans.", "retention.period",
     "conservons vos factures pendant deux ans"},
    {"macros defined in a later file", "order", 1, GDPRX_LANG_EN,
     "We retain your invoices.", "retention.period", "retain your invoices"},
    {"macros defined in a later file, nl", "order", 1, GDPRX_LANG_NL,
     "Wij bewaren alles.", "retention.period", "bewaren"},
    {"test rule set directory", "rules", 2, GDPRX_LANG_NL,
     "Wij verkopen uw gegevens niet.", "recipient.sale",
     "verkopen uw gegevens"},
};

START_TEST(test_good_sets)
{
    const struct case_ *c = &good[_i];
    char path[1024];
    gdprx_rules *r;
    gdprx_error err;
    int rc = load(c->rel, &r, &err, path, sizeof path);
    ck_assert_msg(rc == GDPRX_OK, "%s: rc %d: %s", c->name, rc, err.message);
    ck_assert_msg(err.code == GDPRX_OK && err.message[0] == '\0' &&
                      err.line == 0 && err.file[0] == '\0',
                  "%s: err not cleared on success", c->name);
    ck_assert_msg(gdprx_rules_count(r) == c->rules, "%s: %zu rules, want %zu",
                  c->name, gdprx_rules_count(r), c->rules);
    gdprx_result *res = analyze_lang(r, c->in, c->lang);
    const gdprx_finding *f = find_label(res, c->label);
    ck_assert_msg(f != NULL, "%s: no %s in \"%s\"", c->name, c->label, c->in);
    ck_assert_msg(f->end - f->start == strlen(c->text) &&
                      !memcmp(f->text, c->text, strlen(c->text)),
                  "%s: matched \"%s\", want \"%s\"", c->name, f->text,
                  c->text);
    gdprx_result_free(res);
    gdprx_rules_free(r);
}
END_TEST

/* The same set loads from memory; `len` bounds what is read. */
START_TEST(test_load_yaml_memory)
{
    char path[1024];
    size_t len;
    char *yaml = read_all(data_path("good/single.yaml", path, sizeof path),
                          &len);
    ck_assert_msg(yaml != NULL, "memory: cannot read %s", path);
    gdprx_rules *r = NULL;
    gdprx_error err;
    int rc = gdprx_rules_load_yaml(&r, yaml, len, "single", &err);
    ck_assert_msg(rc == GDPRX_OK && gdprx_rules_count(r) == 1,
                  "memory: rc %d, %zu rules: %s", rc, gdprx_rules_count(r),
                  err.message);
    gdprx_rules_free(r);
    free(yaml);

    /* only the first 10 bytes: the bad key after them is not read */
    static const char cut[] = "rules: []\nbogus: 1\n";
    rc = gdprx_rules_load_yaml(&r, cut, 10, "cut", &err);
    ck_assert_msg(rc == GDPRX_OK && gdprx_rules_count(r) == 0,
                  "memory cut at 10 bytes: rc %d: %s", rc, err.message);
    gdprx_rules_free(r);

    /* an empty set, from zero bytes (NULL allowed) or a comment */
    rc = gdprx_rules_load_yaml(&r, NULL, 0, NULL, &err);
    ck_assert_msg(rc == GDPRX_OK && gdprx_rules_count(r) == 0,
                  "memory empty: rc %d: %s", rc, err.message);
    gdprx_rules_free(r);
    rc = gdprx_rules_load_yaml(&r, "# nothing\n", 10, NULL, &err);
    ck_assert_msg(rc == GDPRX_OK && gdprx_rules_count(r) == 0,
                  "memory comment: rc %d: %s", rc, err.message);
    gdprx_rules_free(r);
}
END_TEST

/* ---- errors: one bad file each ------------------------------------------ */

static const struct bad_case {
    const char *name;
    const char *rel;   /* under the test data */
    int code;
    const char *file;  /* relative path of the file named, NULL: rel */
    int line, col;     /* 0: no position; NOT_CHECKED */
    const char *msg;   /* in the message */
    const char *msg2;  /* also in the message, or NULL */
} bad[] = {
    {"unknown top-level key", "bad/unknown_top.yaml", GDPRX_ESYNTAX, NULL, 3,
     1, "unknown top-level key 'severity'", NULL},
    {"unknown rule key", "bad/unknown_rule_key.yaml", GDPRX_ESYNTAX, NULL, 5,
     5, "unknown key 'severty' in a rule", NULL},
    {"list where a scalar is expected", "bad/list_for_scalar.yaml",
     GDPRX_ESYNTAX, NULL, 3, 11, "type must be a scalar, not a list", NULL},
    {"file that is a list", "bad/not_a_mapping.yaml", GDPRX_ESYNTAX, NULL, 1,
     1, "must be a mapping, not a list", NULL},
    {"missing fr patterns", "bad/missing_fr.yaml", GDPRX_ESYNTAX, NULL, 2, 5,
     "no patterns or cases for 'fr'", NULL},
    {"empty en pattern list", "bad/empty_patterns.yaml", GDPRX_ESYNTAX, NULL,
     6, 11, "no patterns for 'en'", NULL},
    {"unknown language", "bad/bad_lang.yaml", GDPRX_ESYNTAX, NULL, 7, 7,
     "unknown language 'de'", NULL},
    {"not a boolean", "bad/bad_bool.yaml", GDPRX_ESYNTAX, NULL, 5, 16,
     "negatable must be true or false, not 'maybe'", NULL},
    {"bad regex", "bad/bad_regex.yaml", GDPRX_EPATTERN, NULL, 6, 12,
     "missing closing parenthesis", NULL},
    {"bad regex in a lexicon", "bad/bad_cue.yaml", GDPRX_EPATTERN, NULL, 4, 13,
     "negation cues", "missing closing parenthesis"},
    {"undefined macro", "bad/undefined_macro.yaml", GDPRX_ESYNTAX, NULL, 7,
     12, "undefined macro or concept '{{nothing}}' for fr", NULL},
    /* reported at the macro, which is checked whether used or not */
    {"recursive macro", "bad/recursive_macro.yaml", GDPRX_ESYNTAX, NULL, 3,
     11, "recursive macro", "ping"},
    {"unused macros are checked too", "bad/unused_macros.yaml",
     GDPRX_ESYNTAX, NULL, 5, 11, "recursive macro '{{ping}}'", NULL},
    {"macro defined twice", "bad/duplicate_macro.yaml", GDPRX_ESYNTAX, NULL, 8,
     5, "macro 'keep' already defined at", "duplicate_macro.yaml:7:"},
    {"unknown concept in a case", "bad/unknown_concept.yaml", GDPRX_ESYNTAX,
     NULL, 7, 17, "rule retention.period.x: unknown concept 'perod'", NULL},
    {"concept without terms in a language a case needs",
     "bad/concept_missing_lang.yaml", GDPRX_ESYNTAX, NULL, 7, 17,
     "concept 'keep' has no terms for 'nl'", "limit the case"},
    {"concepts that include each other", "bad/concept_cycle.yaml",
     GDPRX_ESYNTAX, NULL, NOT_CHECKED, NOT_CHECKED, "refers to itself",
     NULL},
    {"'*' inside a word", "bad/bad_term.yaml", GDPRX_ESYNTAX, NULL, 3, 9,
     "term 'st*re'", "'*' that does not end a word"},
    {"unbalanced group in a term", "bad/bad_group.yaml", GDPRX_ESYNTAX, NULL,
     3, 9, "unbalanced", "keep(s|ing"},
    {"a concept needs an unknown concept", "bad/needs_unknown.yaml",
     GDPRX_ESYNTAX, NULL, 3, 12, "concept 'period' needs unknown concept "
     "'unit'", NULL},
    {"unknown key in a case", "bad/case_key.yaml", GDPRX_ESYNTAX, NULL, 7, 25,
     "unknown key 'nera' in a case of 'when'", NULL},
    {"none_near without its distance", "bad/none_near_half.yaml",
     GDPRX_ESYNTAX, NULL, 8, 36, "none_near needs both 'within' and "
     "'concepts'", NULL},
    {"unknown key in none_near", "bad/none_near_key.yaml", GDPRX_ESYNTAX,
     NULL, 10, 49, "unknown key 'words' in none_near", NULL},
    {"YAML alias", "bad/alias.yaml", GDPRX_ESYNTAX, NULL, 3, 11,
     "anchors and aliases are not supported", NULL},
    {"YAML anchor without alias", "bad/anchor.yaml", GDPRX_ESYNTAX, NULL, 3,
     11, "anchors and aliases are not supported", NULL},
    {"two YAML documents", "bad/two_documents.yaml", GDPRX_ESYNTAX, NULL, 2, 1,
     "only one YAML document", NULL},
    /* the error is where libyaml noticed it (the end of the file); the
     * message names where the quote was opened */
    {"malformed YAML: unclosed quote", "bad/unclosed_quote.yaml",
     GDPRX_ESYNTAX, NULL, 4, 1, "quoted scalar", "begun at 2:9"},
    {"malformed YAML: tab indentation", "bad/tabs.yaml", GDPRX_ESYNTAX, NULL,
     2, 1, "YAML error", NULL},
    {"bad unit in a lexicon", "bad/bad_unit.yaml", GDPRX_ESYNTAX, NULL, 3, 19,
     "unit 'Q' must be one of Y, M, W, D, H, TM", "year"},
    {"unit count out of range", "bad/bad_unit_count.yaml", GDPRX_ESYNTAX,
     NULL, 3, 19, "unit '1000Y' must be one of Y, M, W, D, H, TM, with an "
     "optional count of 1 to 999", "year"},
    {"duration phrase not written as normalized text",
     "bad/bad_phrase.yaml", GDPRX_ESYNTAX, NULL, 3, 24,
     "duration phrase 'Sous quinzaine' must be written as normalized text",
     NULL},
    {"bad half in a lexicon", "bad/bad_half.yaml", GDPRX_ESYNTAX, NULL, 3, 20,
     "value 'many' of 'half' must be a number between 0 and 10", NULL},
    {"id not type.subtype.variant", "bad/bad_id.yaml", GDPRX_ESYNTAX, NULL, 2,
     5, "rule id 'retention.x' must read type.subtype.", NULL},
    {"duplicate rule id across files", "dup", GDPRX_ESYNTAX, "dup/b.yaml", 10,
     5, "duplicate rule id 'retention.period.x'", "dup/a.yaml:2:5"},
    {"a rule file alone lacks the lexicon's macros", "rules/core.yaml",
     GDPRX_ESYNTAX, NULL, 8, 12, "undefined macro or concept '{{period}}' for en", NULL},
    {"missing file", "no/such/rules.yaml", GDPRX_EIO, NULL, 0, 0,
     "No such file", NULL},
    {"directory without rule files", "noyaml", GDPRX_EIO, NULL, 0, 0,
     "no *.yaml rule files", NULL},
};

START_TEST(test_bad_files)
{
    const struct bad_case *c = &bad[_i];
    char path[1024], file[1024];
    gdprx_rules *r;
    gdprx_error err;
    int rc = load(c->rel, &r, &err, path, sizeof path);
    ck_assert_msg(rc == c->code, "%s: rc %d, want %d (%s)", c->name, rc,
                  c->code, err.message);
    ck_assert_msg(r == untouched, "%s: *out changed on failure", c->name);
    if (c->file)
        data_path(c->file, file, sizeof file);
    else
        snprintf(file, sizeof file, "%s", path);
    check_error(c->name, &err, c->code, file, c->line, c->col, c->msg);
    if (c->msg2)
        ck_assert_msg(strstr(err.message, c->msg2) != NULL,
                      "%s: message \"%s\" lacks \"%s\"", c->name, err.message,
                      c->msg2);
    /* err may be NULL: same status, no crash */
    ck_assert_msg(gdprx_rules_load(&r, path, NULL) == c->code,
                  "%s: different status without err", c->name);
}
END_TEST

/* The same errors from memory: the name stands for the file. */
static const struct mem_case {
    const char *name;
    const char *yaml;
    const char *file; /* NULL: gdprx_rules_load_yaml's name is NULL */
    int code, line, col;
    const char *msg;
} mem[] = {
    {"unknown top-level key", "rules: []\nseverity: high\n", "inline.yaml",
     GDPRX_ESYNTAX, 2, 1, "unknown top-level key 'severity'"},
    {"no name: <memory>", "rules: []\nseverity: high\n", NULL, GDPRX_ESYNTAX,
     2, 1, "unknown top-level key 'severity'"},
    {"bad regex", "rules:\n- id: a.b.c\n  type: a\n  subtype: b\n"
     "  patterns: {en: ['x'], fr: ['[y'], nl: ['z']}\n", "regex.yaml",
     GDPRX_EPATTERN, 5, 30, "missing terminating ]"},
    {"wrong type", "rules: {id: a.b.c}\n", "type.yaml", GDPRX_ESYNTAX, 1, 8,
     "rules must be a list, not a mapping"},
    {"unknown language in a lexicon", "lexicon:\n  xx: {}\n", "lex.yaml",
     GDPRX_ESYNTAX, 2, 3, "unknown language 'xx'"},
    {"example without text", "rules:\n- id: a.b.c\n  type: a\n"
     "  subtype: b\n  patterns: {en: ['x'], fr: ['y'], nl: ['z']}\n"
     "  examples: {en: {match: [{duration: P1Y}]}}\n", "ex.yaml",
     GDPRX_ESYNTAX, 6, 27, "example mapping lacks 'text'"},
    {"lexicon defined twice", "lexicon:\n  en: {}\n  en: {}\n", "twice.yaml",
     GDPRX_ESYNTAX, 3, 3, "lexicon for 'en' already defined at twice.yaml:2:3"},
    {"rule without id", "rules:\n- type: a\n  subtype: b\n"
     "  patterns: {en: ['x'], fr: ['y'], nl: ['z']}\n", "noid.yaml",
     GDPRX_ESYNTAX, 2, 3, "lacks 'id'"},
    {"type with a capital", "rules:\n- id: A.b.c\n  type: A\n  subtype: b\n"
     "  patterns: {en: ['x'], fr: ['y'], nl: ['z']}\n", "cap.yaml",
     GDPRX_ESYNTAX, 3, 9, "type 'A' must be lower-case"},
    {"key given twice in a rule", "rules:\n- id: a.b.c\n  type: a\n"
     "  type: a\n  subtype: b\n  patterns: {en: ['x'], fr: ['y'], nl: ['z']}\n",
     "twice.yaml", GDPRX_ESYNTAX, 4, 3, "key 'type' given twice"},
};

START_TEST(test_memory_errors)
{
    const struct mem_case *c = &mem[_i];
    gdprx_rules *r = untouched;
    gdprx_error err;
    int rc = gdprx_rules_load_yaml(&r, c->yaml, strlen(c->yaml), c->file,
                                   &err);
    ck_assert_msg(rc == c->code, "%s: rc %d, want %d (%s)", c->name, rc,
                  c->code, err.message);
    ck_assert_msg(r == untouched, "%s: *out changed on failure", c->name);
    check_error(c->name, &err, c->code, c->file ? c->file : "<memory>",
                c->line, c->col, c->msg);
}
END_TEST

/* An empty directory has no rules to load. */
START_TEST(test_empty_directory)
{
    char dir[] = "/tmp/gdprx-empty-XXXXXX";
    ck_assert_msg(mkdtemp(dir) != NULL, "empty directory: mkdtemp");
    gdprx_rules *r = untouched;
    gdprx_error err;
    int rc = gdprx_rules_load(&r, dir, &err);
    rmdir(dir);
    ck_assert_msg(rc == GDPRX_EIO && r == untouched,
                  "empty directory: rc %d", rc);
    check_error("empty directory", &err, GDPRX_EIO, dir, 0, 0,
                "no *.yaml rule files");
}
END_TEST

/* Bad arguments. */
/* No default rule set anywhere: the error says every place looked at;
 * $GDPRX_RULES (set by meson's test environment) comes first. */
START_TEST(test_default_not_found)
{
    gdprx_error err;
    ck_assert_int_eq(setenv("GDPRX_RULES", "/from/env", 1), 0);
    ck_assert_str_eq(gx_rules_default("/nonexistent/a", "/nonexistent/b", &err),
                     "/from/env");
    ck_assert_int_eq(unsetenv("GDPRX_RULES"), 0);
    ck_assert_ptr_null(gx_rules_default("/nonexistent/installed",
                                        "/nonexistent/source", &err));
    ck_assert_int_eq(err.code, GDPRX_EIO);
    ck_assert_msg(strstr(err.message, "$GDPRX_RULES: not set") &&
                      strstr(err.message, "/nonexistent/installed") &&
                      strstr(err.message, "/nonexistent/source") &&
                      strstr(err.message, "Set GDPRX_RULES"),
                  "message: %s", err.message);
    char dir[1024];
    ck_assert_str_eq(gx_rules_default("/nonexistent/installed",
                                      data_path("rules", dir, sizeof dir),
                                      &err), dir);
}
END_TEST

START_TEST(test_load_arguments)
{
    gdprx_error err;
    ck_assert_msg(gdprx_rules_load(NULL, "x", &err) == GDPRX_EINVAL &&
                      err.code == GDPRX_EINVAL,
                  "load NULL out: %s", err.message);
    ck_assert_msg(gdprx_rules_load_yaml(NULL, "rules: []", 9, NULL, &err) ==
                      GDPRX_EINVAL, "load_yaml NULL out");
    gdprx_rules *r = untouched;
    ck_assert_msg(gdprx_rules_load_yaml(&r, NULL, 9, NULL, &err) ==
                          GDPRX_EINVAL && r == untouched,
                  "load_yaml NULL yaml with a length");
    ck_assert_msg(gdprx_rules_count(NULL) == 0, "count of NULL");
}
END_TEST

/* rules check: patterns that scan without bound and cases tried on every
 * clause are reported with their place; bounded ones are not. */
static const struct lint_case {
    const char *name;
    const char *pattern;   /* the en pattern of a test rule */
    const char *want;      /* in the warning, or NULL: no warning */
} lints[] = {
    {"guard scanning 400 bytes", "\\G(?![\\s\\S]{0,400}?cookie)x",
     "more than 200 times"},
    {"dot star", "keep.*years", "without bound"},
    {"nested quantifiers", "(?:a+)+b", "nested quantifiers"},
    {"wide class in an unbounded group", "(?:(?!x)[^;])*?y",
     "in a repeated group"},
    {"bounded gap", "keep\\b[^.;]{0,80}?years", NULL},
    {"small bounded word gap", "keep (?:\\w+ ){0,3}?years", NULL},
};

START_TEST(test_lint)
{
    const struct lint_case *c = &lints[_i];
    char yaml[600];
    snprintf(yaml, sizeof yaml,
             "rules:\n"
             "  - id: retention.period.x\n"
             "    type: retention\n"
             "    subtype: period\n"
             "    patterns:\n"
             "      en: ['%s']\n"
             "      fr: ['conserv']\n"
             "      nl: ['bewaar']\n", c->pattern);
    gdprx_rules *r = NULL;
    gdprx_error err;
    int rc = gdprx_rules_load_yaml(&r, yaml, strlen(yaml), "lint", &err);
    ck_assert_msg(rc == GDPRX_OK, "%s: %s", c->name, err.message);
    if (!c->want) {
        ck_assert_msg(gdprx_rules_warning_count(r) == 0, "%s: warned %s",
                      c->name, gdprx_rules_warning(r, 0));
    } else {
        ck_assert_msg(gdprx_rules_warning_count(r) == 1, "%s: %zu warnings",
                      c->name, gdprx_rules_warning_count(r));
        const char *w = gdprx_rules_warning(r, 0);
        ck_assert_msg(strstr(w, c->want) && strstr(w, "lint:6:12:") &&
                      strstr(w, "retention.period.x [en]"),
                      "%s: warning \"%s\"", c->name, w);
    }
    ck_assert_ptr_null(gdprx_rules_warning(r, 5));
    gdprx_rules_free(r);
}
END_TEST

/* A pattern whose every branch opens with \\b runs factored and matches
 * exactly what it matches as written (every start position of every text);
 * patterns the rewrite cannot parse stay as they are. */
START_TEST(test_factored_word_boundary)
{
    static const struct {
        const char *pattern, *factored;   /* NULL: stays as written */
    } rows[] = {
        {"\\bnot only\\b|\\bno (?:more|later) than\\b|\\bfree of charge\\b",
         "\\b(?:not only\\b|no (?:more|later) than\\b|free of charge\\b)"},
        {"\\bsa(?:y|ys) no to\\b|\\b[|)]x\\b|\\b[]|]y|\\bwhether or not\\b",
         "\\b(?:sa(?:y|ys) no to\\b|[|)]x\\b|[]|]y|whether or not\\b)"},
        {"\\bdo\\b|n't\\b", NULL},               /* a branch without \\b */
        {"\\b\\Qa|b\\E|\\bc", NULL},              /* a quoted run */
        {"\\bx(?#a|b)|\\by", NULL},                /* a comment */
        {"\\bx", NULL},                           /* one branch */
        {"\\bx|\\b", NULL},                        /* a bare \\b: "" NUL */
        {"\\bx\\||\\by\\K z|\\b(?:p|q)r",
         "\\b(?:x\\||y\\K z|(?:p|q)r)"},
    };
    static const char *const texts[] = {
        "not only this", "no later than a month", "we say no to it",
        "|x and )x", "whether or not", "don't", "a|b c", "ax y z qr pr x|",
        "]y |y",
        "free of charge", "nothing here"};
    for (size_t r = 0; r < N(rows); r++) {
        pcre2_code *f = NULL;
        gdprx_error err;
        gx_loc loc = {"t.yaml", 1, 1};
        ck_assert_int_eq(gx_pattern_compile(&f, rows[r].pattern, loc, "test",
                                            0, &err), GDPRX_OK);
        int ec;
        PCRE2_SIZE eo;
        pcre2_code *w = pcre2_compile((PCRE2_SPTR)rows[r].pattern,
                                      PCRE2_ZERO_TERMINATED,
                                      PCRE2_UTF | PCRE2_NO_AUTO_CAPTURE, &ec,
                                      &eo, NULL);
        ck_assert_ptr_nonnull(w);
        char *x = gx_factor_word_boundary(rows[r].pattern);
        ck_assert_msg(rows[r].factored ? x && !strcmp(x, rows[r].factored)
                                       : x == NULL,
                      "row %zu: \"%s\"", r, x ? x : "(null)");
        free(x);
        pcre2_match_data *mf = pcre2_match_data_create(4, NULL);
        pcre2_match_data *mw = pcre2_match_data_create(4, NULL);
        ck_assert(mf && mw);
        for (size_t t = 0; t < N(texts); t++) {
            size_t len = strlen(texts[t]);
            for (size_t pos = 0; pos <= len; pos++) {
                int a = pcre2_match(f, (PCRE2_SPTR)texts[t], len, pos, 0, mf,
                                    NULL);
                int b = pcre2_match(w, (PCRE2_SPTR)texts[t], len, pos, 0, mw,
                                    NULL);
                ck_assert_msg((a > 0) == (b > 0), "row %zu \"%s\" at %zu",
                              r, texts[t], pos);
                if (a > 0) {
                    PCRE2_SIZE *of = pcre2_get_ovector_pointer(mf),
                               *ow = pcre2_get_ovector_pointer(mw);
                    ck_assert_msg(of[0] == ow[0] && of[1] == ow[1],
                                  "row %zu \"%s\" at %zu: [%zu, %zu) vs "
                                  "[%zu, %zu)", r, texts[t], pos, of[0],
                                  of[1], ow[0], ow[1]);
                }
            }
        }
        pcre2_match_data_free(mf);
        pcre2_match_data_free(mw);
        pcre2_code_free(f);
        pcre2_code_free(w);
    }
    /* branch starts; 0 for what is not parsed here */
    static const struct {
        const char *p;
        size_t n, second;   /* branches; where the second starts */
    } br[] = {
        {"abc", 1, 0},
        {"a|b(c|d)|[|]e", 3, 2},
        {"a\\|b|c", 2, 5},
        {"[]|]x|y", 2, 6},
        {"(?i)a|b", 2, 6},
        {"a(?ix)b # c|d\n|e", 0, 0},   /* extended syntax */
        {"a|(?#x|y)b", 0, 0},            /* a comment */
        {"a|(?|(b)|(c))", 0, 0},         /* a branch reset */
        {"\\Qa|b\\E|c", 0, 0},           /* a quoted run */
        {"a|(b", 0, 0},                  /* unbalanced */
    };
    for (size_t r = 0; r < N(br); r++) {
        size_t at[8];
        size_t nb = gx_pattern_branches(br[r].p, at, 8);
        ck_assert_msg(nb == br[r].n && (nb < 2 || at[1] == br[r].second),
                      "branches of \"%s\": %zu (second at %zu)", br[r].p,
                      nb, nb > 1 ? at[1] : 0);
    }
    /* a quantified \\b is an error as written: not factored (the factored
     * text would read "{2}" as a literal), the error is the pattern's */
    const char *q = "\\bx|\\b{2}y";
    ck_assert_ptr_null(gx_factor_word_boundary(q));
    pcre2_code *f = NULL;
    gdprx_error err;
    gx_loc loc = {"t.yaml", 3, 5};
    ck_assert_int_eq(gx_pattern_compile(&f, q, loc, "test", 0, &err),
                     GDPRX_EPATTERN);
    ck_assert_msg(strstr(err.message, "t.yaml:3:5") != NULL, "%s",
                  err.message);
}
END_TEST

static Suite *stage_suite(void)
{
    Suite *s = suite_create("loader");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_fixture_set);
    tcase_add_loop_test(core, test_good_sets, 0, N(good));
    tcase_add_test(core, test_load_yaml_memory);
    tcase_add_loop_test(core, test_lint, 0, N(lints));
    tcase_add_test(core, test_factored_word_boundary);
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("errors");
    tcase_add_loop_test(errors, test_bad_files, 0, N(bad));
    tcase_add_loop_test(errors, test_memory_errors, 0, N(mem));
    tcase_add_test(errors, test_empty_directory);
    tcase_add_test(errors, test_load_arguments);
    tcase_add_test(errors, test_default_not_found);
    suite_add_tcase(s, errors);
    return s;
}

int main(void) { return run_suite(stage_suite()); }
