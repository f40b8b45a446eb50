/* SPDX-License-Identifier: MIT */
/* The public API contract: bad arguments give GDPRX_EINVAL (never a crash)
 * and leave out-parameters alone, NULL is accepted where documented,
 * accessors are safe on NULL and out of range, status texts and the
 * version, NUL bytes in the input, results outliving their rule set, and
 * gdprx_rules_test() on the test rule set. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static gdprx_rules *rules;

static void rules_setup(void) { rules = load_test_rules(); }
static void rules_teardown(void) { gdprx_rules_free(rules); }

static gdprx_result *const untouched = (gdprx_result *)&untouched;

/* ---- core ---------------------------------------------------------------- */

/* Texts with NUL bytes (read as spaces) and other edge cases, analyzed with
 * an explicit length. */
#define S(lit) lit, sizeof(lit) - 1

static const struct case_ {
    const char *name;
    const char *in;
    size_t len;
    const char *label;
    const char *text; /* the finding's text, as in the input */
    size_t text_len;
    gdprx_polarity polarity;
} cases[] = {
    {"NUL inside the match", S("We keep your invoices\0for ten years."),
     "retention.period", S("keep your invoices\0for ten years"),
     GDPRX_AFFIRMED},
    {"NUL between cue and verb", S("We never\0sell your data."),
     "recipient.sale", S("sell your data"), GDPRX_NEGATED},
    {"NULs before the text", S("\0\0\0We keep your invoices for ten years."),
     "retention.period", S("keep your invoices for ten years"),
     GDPRX_AFFIRMED},
    {"NUL at the end", S("We keep your invoices for ten years.\0"),
     "retention.period", S("keep your invoices for ten years"),
     GDPRX_AFFIRMED},
    /* read past the length, "yearsold" would not end with a unit */
    {"bytes after the length are not read",
     "We keep your invoices for ten yearsold.", 35, "retention.period",
     S("keep your invoices for ten years"), GDPRX_AFFIRMED},
};

START_TEST(test_nul_bytes)
{
    const struct case_ *c = &cases[_i];
    gdprx_options o;
    gdprx_options_init(&o);
    o.lang = GDPRX_LANG_EN;
    gdprx_result *r = NULL;
    gdprx_error err;
    int rc = gdprx_analyze(&r, rules, c->in, c->len, &o, &err);
    ck_assert_msg(rc == GDPRX_OK, "%s: rc %d: %s", c->name, rc, err.message);
    const gdprx_finding *f = find_label(r, c->label);
    ck_assert_msg(f != NULL, "%s: no %s finding", c->name, c->label);
    ck_assert_msg(f->end - f->start == c->text_len &&
                      !memcmp(f->text, c->text, c->text_len) &&
                      !memcmp(c->in + f->start, c->text, c->text_len) &&
                      f->text[c->text_len] == '\0',
                  "%s: finding %zu-%zu \"%s\"", c->name, f->start, f->end,
                  f->text);
    ck_assert_msg(f->polarity == c->polarity, "%s: polarity %d", c->name,
                  (int)f->polarity);
    ck_assert_msg(f->end <= c->len && f->clause_end <= c->len,
                  "%s: offsets past the length", c->name);
    gdprx_result_free(r);
}
END_TEST

/* Length 0: NULL text is fine; so is a non-NUL-terminated buffer. */
START_TEST(test_empty_input)
{
    static const char *const texts[] = {NULL, "", "We sell your data."};
    for (size_t i = 0; i < N(texts); i++) {
        gdprx_result *r = untouched;
        gdprx_error err;
        int rc = gdprx_analyze(&r, rules, texts[i], 0, NULL, &err);
        ck_assert_msg(rc == GDPRX_OK && r != untouched && r != NULL,
                      "empty %zu: rc %d: %s", i, rc, err.message);
        ck_assert_msg(gdprx_result_count(r) == 0 &&
                          gdprx_result_segment_count(r) == 0 &&
                          gdprx_result_warning_count(r) == 0 &&
                          gdprx_result_lang(r) == GDPRX_LANG_AUTO,
                      "empty %zu: not an empty result", i);
        ck_assert_msg(err.code == GDPRX_OK && err.offset == -1,
                      "empty %zu: err not cleared", i);
        gdprx_result_free(r);
    }
}
END_TEST

/* opts NULL means the defaults; an initialized struct has them. */
START_TEST(test_options_defaults)
{
    gdprx_options o;
    memset(&o, 0xA5, sizeof o);
    gdprx_options_init(&o);
    ck_assert_msg(o.lang == GDPRX_LANG_AUTO && o.types == NULL &&
                      o.flags == 0 && o.size == sizeof o,
                  "options_init: lang %d flags %u size %zu", (int)o.lang,
                  o.flags, o.size);
    gdprx_options_init_sized(NULL, sizeof o); /* no crash */
    /* a size smaller than the first version of the struct: untouched */
    gdprx_options small;
    memset(&small, 0xA5, sizeof small);
    gdprx_options_init_sized(&small, sizeof(size_t));
    ck_assert_msg(small.size != sizeof(size_t) && small.flags == 0xA5A5A5A5u,
                  "options_init_sized: a too small size was written");
    static const char in[] = "Nous ne vendons pas vos donn\xc3\xa9" "es.";
    gdprx_result *a = NULL, *b = NULL;
    ck_assert_msg(gdprx_analyze(&a, rules, in, strlen(in), NULL, NULL) ==
                          GDPRX_OK &&
                      gdprx_analyze(&b, rules, in, strlen(in), &o, NULL) ==
                          GDPRX_OK,
                  "options defaults: analyze failed");
    ck_assert_msg(gdprx_result_lang(a) == GDPRX_LANG_FR &&
                      gdprx_result_lang(b) == GDPRX_LANG_FR &&
                      gdprx_result_count(a) == gdprx_result_count(b) &&
                      gdprx_result_count(a) == 1,
                  "options defaults: NULL and initialized differ");
    gdprx_result_free(a);
    gdprx_result_free(b);

    /* a caller built before max_html_size was appended: the field's
     * memory past its size is not read (1 there would refuse the page) */
    gdprx_options old;
    gdprx_options_init_sized(&old, offsetof(gdprx_options, max_html_size));
    old.max_html_size = 1;
    old.format = GDPRX_FORMAT_HTML;
    static const char page[] = "<p>We never sell your personal data.</p>";
    gdprx_error err;
    ck_assert_msg(gdprx_analyze(&a, rules, page, strlen(page), &old, &err) ==
                      GDPRX_OK, "older options size: %s", err.message);
    ck_assert_uint_eq(gdprx_result_count(a), 1);
    gdprx_result_free(a);
}
END_TEST

/* Accessors out of range give NULL; in range, consistent data. */
START_TEST(test_accessors_range)
{
    static const char in[] = "# Sharing\n\nWe never sell your data.\n";
    gdprx_result *r = analyze_lang(rules, in, GDPRX_LANG_EN);
    size_t n = gdprx_result_count(r), ns = gdprx_result_segment_count(r);
    ck_assert_msg(n == 1 && ns == 3, "range: %zu findings, %zu segments", n,
                  ns);
    ck_assert_msg(gdprx_result_get(r, 0) != NULL &&
                      gdprx_result_get(r, n) == NULL &&
                      gdprx_result_get(r, (size_t)-1) == NULL,
                  "range: gdprx_result_get");
    ck_assert_msg(gdprx_result_segment(r, ns - 1) != NULL &&
                      gdprx_result_segment(r, ns) == NULL &&
                      gdprx_result_segment(r, (size_t)-1) == NULL,
                  "range: gdprx_result_segment");
    ck_assert_msg(gdprx_result_warning(r, gdprx_result_warning_count(r)) ==
                      NULL, "range: gdprx_result_warning");
    size_t nc = gdprx_result_coverage_count(r);
    ck_assert_msg(gdprx_result_coverage(r, nc) == NULL &&
                      (nc == 0 || gdprx_result_coverage(r, nc - 1) != NULL),
                  "range: gdprx_result_coverage");
    const gdprx_finding *f = gdprx_result_get(r, 0);
    ck_assert_msg(!strcmp(f->type, "recipient") &&
                      !strcmp(f->subtype, "sale") &&
                      !strcmp(f->rule_id, "recipient.sale.sell") &&
                      f->section && !strcmp(f->section, "Sharing") &&
                      f->age == -1 && f->duration == NULL &&
                      f->email == NULL && f->n_articles == 0 &&
                      f->pattern_index == 0,
                  "range: finding fields");
    gdprx_result_free(r);
}
END_TEST

/* gdprx_rules_get(): every rule in range with its fields, NULL beyond;
 * coverage items name the labels that state them. */
START_TEST(test_rules_get)
{
    size_t n = gdprx_rules_count(rules), seen = 0;
    ck_assert_msg(n > 0 && gdprx_rules_get(rules, n) == NULL &&
                      gdprx_rules_get(NULL, 0) == NULL,
                  "rules_get: range");
    for (size_t i = 0; i < n; i++) {
        const gdprx_rule_info *ri = gdprx_rules_get(rules, i);
        ck_assert_msg(ri && ri->id && ri->type && ri->subtype && ri->langs,
                      "rules_get: rule %zu incomplete", i);
        if (!strcmp(ri->id, "recipient.sale.sell")) {
            ck_assert_msg(!strcmp(ri->type, "recipient") &&
                              !strcmp(ri->subtype, "sale") &&
                              ri->langs == 7u && ri->n_articles == 0,
                          "rules_get: recipient.sale.sell fields");
            seen++;
        }
    }
    ck_assert_msg(seen == 1, "rules_get: recipient.sale.sell seen %zu times",
                  seen);
    gdprx_result *r = analyze_lang(rules, "We never sell your data.",
                                   GDPRX_LANG_EN);
    const gdprx_coverage_item *c = gdprx_result_coverage(r, 0);
    ck_assert_msg(c && c->labels && !strcmp(c->article, "13(1)(a)") &&
                      strstr(c->labels, "controller.identity"),
                  "coverage labels: %s", c && c->labels ? c->labels : "NULL");
    gdprx_result_free(r);
}
END_TEST

/* With a types filter, the coverage items outside it are not selected (not
 * looked for, rather than "not stated") and the JSON leaves them out. */
START_TEST(test_coverage_selected)
{
    static const char text[] = "We keep your invoices for ten years. We "
                               "never sell your data.";
    gdprx_options o;
    gdprx_options_init(&o);
    o.types = "retention";
    gdprx_result *r = NULL;
    ck_assert_int_eq(gdprx_analyze(&r, rules, text, sizeof text - 1, &o, NULL),
                     GDPRX_OK);
    size_t selected = 0;
    for (size_t i = 0; i < gdprx_result_coverage_count(r); i++) {
        const gdprx_coverage_item *c = gdprx_result_coverage(r, i);
        int want = !strcmp(c->article, "13(2)(a)");
        ck_assert_msg(c->selected == want, "selected %s: %d", c->article,
                      c->selected);
        selected += (size_t)c->selected;
    }
    ck_assert_uint_eq(selected, 1);
    char *js = NULL;
    ck_assert_int_eq(gdprx_result_to_json(&js, NULL, r, NULL), GDPRX_OK);
    ck_assert_msg(strstr(js, "\"13(2)(a)\"") && !strstr(js, "\"13(1)(a)\""),
                  "JSON coverage: %s", js);
    gdprx_free(js);
    gdprx_result_free(r);
    o.types = "recipient.sale";   /* a subtype selects its type's item */
    ck_assert_int_eq(gdprx_analyze(&r, rules, text, sizeof text - 1, &o, NULL),
                     GDPRX_OK);
    for (size_t i = 0; i < gdprx_result_coverage_count(r); i++) {
        const gdprx_coverage_item *c = gdprx_result_coverage(r, i);
        ck_assert_msg(c->selected == !strcmp(c->article, "13(1)(e)"),
                      "recipient.sale selects %s: %d", c->article, c->selected);
    }
    gdprx_result_free(r);
    r = analyze_lang(rules, text, GDPRX_LANG_EN);   /* no filter: all */
    for (size_t i = 0; i < gdprx_result_coverage_count(r); i++)
        ck_assert_msg(gdprx_result_coverage(r, i)->selected,
                      "no filter: item %zu not selected", i);
    gdprx_result_free(r);
}
END_TEST

/* A result stays valid after its rule set is freed. */
START_TEST(test_result_outlives_rules)
{
    gdprx_rules *rs = load_test_rules();
    gdprx_result *r = analyze_lang(rs, "# Retention\n\nWe keep your invoices "
                                       "for ten years.\n", GDPRX_LANG_EN);
    gdprx_rules_free(rs);
    const gdprx_finding *f = gdprx_result_get(r, 0);
    ck_assert_msg(f != NULL, "outlives: no finding");
    ck_assert_msg(!strcmp(f->type, "retention") &&
                      !strcmp(f->subtype, "period") &&
                      !strcmp(f->rule_id, "retention.period.fixed") &&
                      !strcmp(f->text, "keep your invoices for ten years") &&
                      !strcmp(f->duration, "P10Y") &&
                      !strcmp(f->section, "Retention") &&
                      f->n_articles == 1 &&
                      !strcmp(f->articles[0], "13(2)(a)"),
                  "outlives: fields changed after the rules were freed");
    char *js = NULL;
    ck_assert_msg(gdprx_result_to_json(&js, NULL, r, NULL) == GDPRX_OK &&
                      strstr(js, "\"rule\":\"retention.period.fixed\""),
                  "outlives: JSON");
    gdprx_free(js);
    gdprx_result_free(r);
}
END_TEST

START_TEST(test_version)
{
    int v = gdprx_version();
    ck_assert_msg(v == GDPRX_VERSION_NUMBER, "version %d, header %d", v,
                  GDPRX_VERSION_NUMBER);
    ck_assert_msg(v == GDPRX_VERSION_MAJOR * 10000 +
                           GDPRX_VERSION_MINOR * 100 + GDPRX_VERSION_PATCH,
                  "version %d is not MAJOR*10000+MINOR*100+PATCH", v);
    const char *s = gdprx_version_string();
    ck_assert_msg(s && !strcmp(s, GDPRX_VERSION_STRING),
                  "version string \"%s\"", s ? s : "(null)");
    int ma, mi, pa;
    ck_assert_msg(sscanf(s, "%d.%d.%d", &ma, &mi, &pa) == 3 &&
                      ma * 10000 + mi * 100 + pa == v,
                  "version string \"%s\" does not match %d", s, v);
}
END_TEST

static const struct lang_case {
    const char *name;
    gdprx_lang lang;
    const char *code;
} langs[] = {
    {"auto", GDPRX_LANG_AUTO, ""}, {"en", GDPRX_LANG_EN, "en"},
    {"fr", GDPRX_LANG_FR, "fr"},   {"nl", GDPRX_LANG_NL, "nl"},
    {"4", (gdprx_lang)4, ""},      {"-1", (gdprx_lang)-1, ""},
};

START_TEST(test_lang_code)
{
    const struct lang_case *c = &langs[_i];
    const char *got = gdprx_lang_code(c->lang);
    ck_assert_msg(got && !strcmp(got, c->code), "%s: \"%s\", want \"%s\"",
                  c->name, got ? got : "(null)", c->code);
}
END_TEST

/* The test rule set's embedded examples all pass. */
START_TEST(test_rules_test)
{
    char *report = NULL;
    size_t failed = 99;
    gdprx_error err;
    int rc = gdprx_rules_test(&report, &failed, rules, 0, &err);
    ck_assert_msg(rc == GDPRX_OK && report, "rules_test: rc %d: %s", rc,
                  err.message);
    ck_assert_msg(failed == 0, "rules_test: %zu failed:\n%s", failed, report);
    /* 6 examples of retention.period.fixed, 5 of recipient.sale.sell */
    ck_assert_msg(!strcmp(report, "11 passed, 0 failed\n"),
                  "rules_test: report \"%s\"", report);
    gdprx_free(report);

    rc = gdprx_rules_test(&report, &failed, rules, 1, &err);
    ck_assert_msg(rc == GDPRX_OK && failed == 0, "rules_test verbose: rc %d",
                  rc);
    ck_assert_msg(strstr(report, "ok   retention.period.fixed (6 passed, 0 "
                                 "failed)\n") &&
                      strstr(report, "ok   recipient.sale.sell (5 passed, 0 "
                                     "failed)\n"),
                  "rules_test verbose: report \"%s\"", report);
    const char *last = strstr(report, "11 passed, 0 failed\n");
    ck_assert_msg(last && last[strlen("11 passed, 0 failed\n")] == '\0',
                  "rules_test verbose: no summary line last: \"%s\"", report);
    gdprx_free(report);
}
END_TEST

/* ---- errors -------------------------------------------------------------- */

/* Each call must return `want` and leave its out-parameter alone. */
static int bad_out(void)
{
    return gdprx_analyze(NULL, rules, "x", 1, NULL, NULL);
}
static int bad_rules(void)
{
    gdprx_result *r = untouched;
    int rc = gdprx_analyze(&r, NULL, "x", 1, NULL, NULL);
    return r == untouched ? rc : 12345;
}
static int bad_text(void)
{
    gdprx_result *r = untouched;
    int rc = gdprx_analyze(&r, rules, NULL, 5, NULL, NULL);
    return r == untouched ? rc : 12345;
}
static int opts_not_initialized(void)
{
    gdprx_options o;
    memset(&o, 0, sizeof o);
    gdprx_result *r = untouched;
    int rc = gdprx_analyze(&r, rules, "We sell your data.", 18, &o, NULL);
    return r == untouched ? rc : 12345;
}
static int opts_garbage_version(void)
{
    gdprx_options o;
    gdprx_options_init(&o);
    o.size = 0xDEADu;
    gdprx_result *r = untouched;
    int rc = gdprx_analyze(&r, rules, "We sell your data.", 18, &o, NULL);
    return r == untouched ? rc : 12345;
}
static int bad_lang_high(void)
{
    gdprx_options o;
    gdprx_options_init(&o);
    o.lang = (gdprx_lang)4;
    gdprx_result *r = untouched;
    int rc = gdprx_analyze(&r, rules, "We sell your data.", 18, &o, NULL);
    return r == untouched ? rc : 12345;
}
static int bad_lang_negative(void)
{
    gdprx_options o;
    gdprx_options_init(&o);
    o.lang = (gdprx_lang)-1;
    gdprx_result *r = untouched;
    int rc = gdprx_analyze(&r, rules, "We sell your data.", 18, &o, NULL);
    return r == untouched ? rc : 12345;
}
static int unknown_flag(void)
{
    gdprx_options o;
    gdprx_options_init(&o);
    o.flags = 1u << 7;
    gdprx_result *r = untouched;
    int rc = gdprx_analyze(&r, rules, "We sell your data.", 18, &o, NULL);
    return r == untouched ? rc : 12345;
}
static int unknown_flag_with_known(void)
{
    gdprx_options o;
    gdprx_options_init(&o);
    o.flags = GDPRX_OPT_REPLACE_INVALID | (1u << 31);
    gdprx_result *r = untouched;
    int rc = gdprx_analyze(&r, rules, "We sell your data.", 18, &o, NULL);
    return r == untouched ? rc : 12345;
}
static int unknown_type(void)
{
    gdprx_options o;
    gdprx_options_init(&o);
    o.types = "nope";
    gdprx_result *r = untouched;
    int rc = gdprx_analyze(&r, rules, "We sell your data.", 18, &o, NULL);
    return r == untouched ? rc : 12345;
}
static int too_large(void)
{
    /* the length is checked before the text is read */
    gdprx_result *r = untouched;
    int rc = gdprx_analyze(&r, rules, "x", GDPRX_MAX_INPUT + 1, NULL, NULL);
    return r == untouched ? rc : 12345;
}
static int invalid_utf8(void)
{
    gdprx_result *r = untouched;
    int rc = gdprx_analyze(&r, rules, "We sell \xff data.", 15, NULL, NULL);
    return r == untouched ? rc : 12345;
}
static int rules_test_null_report(void)
{
    size_t failed = 7;
    int rc = gdprx_rules_test(NULL, &failed, rules, 0, NULL);
    return failed == 7 ? rc : 12345;
}
static int rules_test_null_failed(void)
{
    char *rep = (char *)"untouched";
    int rc = gdprx_rules_test(&rep, NULL, rules, 0, NULL);
    return !strcmp(rep, "untouched") ? rc : 12345;
}
static int rules_test_null_rules(void)
{
    char *rep = (char *)"untouched";
    size_t failed = 7;
    int rc = gdprx_rules_test(&rep, &failed, NULL, 0, NULL);
    return !strcmp(rep, "untouched") && failed == 7 ? rc : 12345;
}
static int load_null_out(void) { return gdprx_rules_load(NULL, NULL, NULL); }
static int load_yaml_null(void)
{
    gdprx_rules *r = (gdprx_rules *)&rules;
    int rc = gdprx_rules_load_yaml(&r, NULL, 3, NULL, NULL);
    return r == (gdprx_rules *)&rules ? rc : 12345;
}
static int json_null_result(void)
{
    char *js = (char *)"untouched";
    int rc = gdprx_result_to_json(&js, NULL, NULL, NULL);
    return !strcmp(js, "untouched") ? rc : 12345;
}
static int normalize_null_out(void)
{
    return gdprx_normalize(NULL, NULL, "x", 1, 0, NULL);
}
static int normalize_null_text(void)
{
    char *out = (char *)"untouched";
    int rc = gdprx_normalize(&out, NULL, NULL, 2, 0, NULL);
    return !strcmp(out, "untouched") ? rc : 12345;
}

static const struct call_case {
    const char *name;
    int (*call)(void);
    int want;
} calls[] = {
    {"analyze: NULL out", bad_out, GDPRX_EINVAL},
    {"analyze: NULL rules", bad_rules, GDPRX_EINVAL},
    {"analyze: NULL text with a length", bad_text, GDPRX_EINVAL},
    {"analyze: options not initialized", opts_not_initialized, GDPRX_EINVAL},
    {"analyze: options with a bad version", opts_garbage_version,
     GDPRX_EINVAL},
    {"analyze: lang 4", bad_lang_high, GDPRX_EINVAL},
    {"analyze: lang -1", bad_lang_negative, GDPRX_EINVAL},
    {"analyze: unknown flag", unknown_flag, GDPRX_EINVAL},
    {"analyze: unknown flag with a known one", unknown_flag_with_known,
     GDPRX_EINVAL},
    {"analyze: unknown type", unknown_type, GDPRX_EINVAL},
    {"analyze: input too large", too_large, GDPRX_ELIMIT},
    {"analyze: invalid UTF-8", invalid_utf8, GDPRX_EUTF8},
    {"rules_test: NULL report", rules_test_null_report, GDPRX_EINVAL},
    {"rules_test: NULL failed", rules_test_null_failed, GDPRX_EINVAL},
    {"rules_test: NULL rules", rules_test_null_rules, GDPRX_EINVAL},
    {"rules_load: NULL out", load_null_out, GDPRX_EINVAL},
    {"rules_load_yaml: NULL yaml with a length", load_yaml_null,
     GDPRX_EINVAL},
    {"result_to_json: NULL result", json_null_result, GDPRX_EINVAL},
    {"normalize: NULL out", normalize_null_out, GDPRX_EINVAL},
    {"normalize: NULL text with a length", normalize_null_text, GDPRX_EINVAL},
};

START_TEST(test_bad_calls)
{
    const struct call_case *c = &calls[_i];
    int rc = c->call();
    ck_assert_msg(rc != 12345, "%s: out-parameter changed on failure",
                  c->name);
    ck_assert_msg(rc == c->want, "%s: rc %d (%s), want %d (%s)", c->name, rc,
                  gdprx_strerror(rc), c->want, gdprx_strerror(c->want));
}
END_TEST

/* The same failures fill err: code, a message, and the offset only for
 * GDPRX_EUTF8. */
START_TEST(test_bad_calls_err)
{
    gdprx_error err;
    gdprx_options o;
    gdprx_options_init(&o);
    o.lang = (gdprx_lang)7;
    gdprx_result *r = untouched;
    int rc = gdprx_analyze(&r, rules, "We sell your data.", 18, &o, &err);
    ck_assert_msg(rc == GDPRX_EINVAL && err.code == GDPRX_EINVAL &&
                      err.message[0] && err.offset == -1 && err.line == 0 &&
                      err.file[0] == '\0',
                  "bad lang: err %d \"%s\"", err.code, err.message);
    rc = gdprx_analyze(&r, rules, "We sell \xff data.", 15, NULL, &err);
    ck_assert_msg(rc == GDPRX_EUTF8 && err.code == GDPRX_EUTF8 &&
                      err.offset == 8 && strstr(err.message, "8"),
                  "invalid UTF-8: err %d offset %lld \"%s\"", err.code,
                  err.offset, err.message);
    rc = gdprx_analyze(&r, rules, "x", GDPRX_MAX_INPUT + 1, NULL, &err);
    ck_assert_msg(rc == GDPRX_ELIMIT && err.code == GDPRX_ELIMIT &&
                      err.message[0],
                  "too large: err %d \"%s\"", err.code, err.message);
    ck_assert_msg(r == untouched, "out changed on failure");
}
END_TEST

/* Free functions and accessors accept NULL. */
START_TEST(test_null_handles)
{
    gdprx_rules_free(NULL);
    gdprx_result_free(NULL);
    gdprx_free(NULL);
    ck_assert_msg(gdprx_rules_count(NULL) == 0, "rules_count(NULL)");
    ck_assert_msg(gdprx_rules_pattern(NULL, "retention.period.fixed",
                                      GDPRX_LANG_EN, 0) == NULL,
                  "rules_pattern(NULL)");
    ck_assert_msg(gdprx_result_count(NULL) == 0, "result_count(NULL)");
    ck_assert_msg(gdprx_result_get(NULL, 0) == NULL, "result_get(NULL)");
    ck_assert_msg(gdprx_result_lang(NULL) == GDPRX_LANG_AUTO,
                  "result_lang(NULL)");
    ck_assert_msg(gdprx_result_segment_count(NULL) == 0,
                  "segment_count(NULL)");
    ck_assert_msg(gdprx_result_segment(NULL, 0) == NULL, "segment(NULL)");
    ck_assert_msg(gdprx_result_warning_count(NULL) == 0,
                  "warning_count(NULL)");
    ck_assert_msg(gdprx_result_warning(NULL, 0) == NULL, "warning(NULL)");
    ck_assert_msg(gdprx_result_coverage_count(NULL) == 0,
                  "coverage_count(NULL)");
    ck_assert_msg(gdprx_result_coverage(NULL, 0) == NULL, "coverage(NULL)");
    ck_assert_msg(gdprx_rules_pattern(rules, NULL, GDPRX_LANG_EN, 0) == NULL,
                  "rules_pattern(rules, NULL id)");
}
END_TEST

static const struct code_case {
    const char *name;
    int code;
    int known;
} codes[] = {
    {"OK", GDPRX_OK, 1},
    {"ENOMEM", GDPRX_ENOMEM, 1},
    {"EINVAL", GDPRX_EINVAL, 1},
    {"EIO", GDPRX_EIO, 1},
    {"ESYNTAX", GDPRX_ESYNTAX, 1},
    {"EPATTERN", GDPRX_EPATTERN, 1},
    {"EUTF8", GDPRX_EUTF8, 1},
    {"ELIMIT", GDPRX_ELIMIT, 1},
    {"EINTERNAL", GDPRX_EINTERNAL, 1},
    {"1", 1, 0},
    {"-8", -8, 0},
    {"-98", -98, 0},
    {"12345", 12345, 0},
    {"INT_MIN", INT_MIN, 0},
    {"INT_MAX", INT_MAX, 0},
};

START_TEST(test_strerror)
{
    const struct code_case *c = &codes[_i];
    const char *s = gdprx_strerror(c->code);
    ck_assert_msg(s != NULL && s[0] != '\0', "%s: strerror empty", c->name);
    if (c->known) {
        ck_assert_msg(strcmp(s, "unknown error") != 0,
                      "%s: strerror is \"unknown error\"", c->name);
        for (size_t k = 0; k < N(codes); k++)
            if (codes[k].known && codes[k].code != c->code)
                ck_assert_msg(strcmp(s, gdprx_strerror(codes[k].code)),
                              "%s: strerror same as for %s", c->name,
                              codes[k].name);
    } else {
        ck_assert_msg(!strcmp(s, "unknown error"), "%s: strerror \"%s\"",
                      c->name, s);
    }
}
END_TEST

/* The rule set of YAML text yaml[0, len) as file "x.yaml" (the test fails
 * when it does not load). Ownership: the caller's (gdprx_rules_free). */
static gdprx_rules *load_yaml(const char *yaml, size_t len)
{
    gdprx_rules *rs = NULL;
    gdprx_error err;
    ck_assert_msg(gdprx_rules_load_yaml(&rs, yaml, len, "x.yaml", &err) ==
                      GDPRX_OK, "x.yaml: %s", err.message);
    return rs;
}

/* Examples that fail are reported, with a status of GDPRX_OK. */
START_TEST(test_rules_test_failing)
{
    static const char yaml[] =
        "rules:\n"
        "  - id: recipient.sale.x\n"
        "    type: recipient\n"
        "    subtype: sale\n"
        "    patterns: {en: ['\\bsell\\b'], fr: ['\\bvend\\w*'], nl: ['x']}\n"
        "    examples:\n"
        "      en:\n"
        "        match: [\"We sell it.\", \"We rent it.\"]\n"
        "        no_match: [\"We sell nothing.\"]\n"
        "      fr:\n"
        "        match: [{text: \"Nous vendons tout.\", polarity: negated}]\n";
    gdprx_rules *rs = load_yaml(yaml, sizeof yaml - 1);
    gdprx_error err;
    char *report = NULL;
    size_t failed = 0;
    int rc = gdprx_rules_test(&report, &failed, rs, 1, &err);
    ck_assert_msg(rc == GDPRX_OK, "failing examples: rc %d", rc);
    /* "We rent it." no match, "We sell nothing." matched, the fr example's
     * polarity, nl without examples */
    ck_assert_msg(failed == 4, "failing examples: %zu failed:\n%s", failed,
                  report);
    ck_assert_msg(strstr(report, "x.yaml:8:") &&
                      strstr(report, "We rent it.") &&
                      strstr(report, "We sell nothing.") &&
                      strstr(report, "polarity") &&
                      strstr(report, "[nl] has no match examples") &&
                      strstr(report, "FAIL recipient.sale.x (1 passed, 4 "
                                     "failed)") &&
                      strstr(report, "1 passed, 4 failed\n"),
                  "failing examples: report:\n%s", report);
    gdprx_free(report);
    gdprx_rules_free(rs);
}
END_TEST

/* A named attribute group repeated in a pattern: the first of its numbers
 * that is set gives the value, past the 8 numbers the matcher keeps per
 * name (it then reads the name table) as below them. */
START_TEST(test_repeated_attribute_groups)
{
    static const char yaml[] =
        "rules:\n"
        "  - id: children.age.x\n"
        "    type: children\n"
        "    subtype: age\n"
        "    attrs: [age]\n"
        "    patterns:\n"
        "      en: ['\\bunder (?:(?<age>10)|(?<age>11)|(?<age>12)|(?<age>13)|"
        "(?<age>14)|(?<age>15)|(?<age>16)|(?<age>17)|(?<age>18)|(?<age>19))"
        "\\b', '\\bbelow (?:(?<age>1\\d)|(?<age>\\d))\\b']\n"
        "      fr: ['x']\n"
        "      nl: ['x']\n";
    gdprx_rules *rs = load_yaml(yaml, sizeof yaml - 1);
    gdprx_error err;
    static const char text[] = "Nobody under 19 may use it. Nobody under 10 "
                               "either. Nobody below 7 or below 16.";
    gdprx_options o;
    gdprx_options_init(&o);
    o.lang = GDPRX_LANG_EN;
    gdprx_result *r = NULL;
    ck_assert_msg(gdprx_analyze(&r, rs, text, sizeof text - 1, &o, &err) ==
                      GDPRX_OK, "%s", err.message);
    static const int ages[] = {19, 10, 7, 16};
    ck_assert_uint_eq(gdprx_result_count(r), 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(gdprx_result_get(r, i)->age, ages[i]);
    gdprx_result_free(r);
    gdprx_rules_free(rs);
}
END_TEST

/* A concept with plain and regex terms is no case's trigger: a clause
 * where only its regex matches is tried too ("the U.S." beside "united
 * states" in one concept). */
START_TEST(test_mixed_concept_regex_hit)
{
    static const char yaml[] =
        "concepts:\n"
        "  zz_refuse:\n"
        "    en: [decline, {re: '\\brefuse\\b'}]\n"
        "    fr: [refuser]\n"
        "    nl: [weigeren]\n"
        "  zz_request:\n"
        "    en: [request]\n"
        "    fr: [demande]\n"
        "    nl: [verzoek]\n"
        "rules:\n"
        "  - id: right.access.x\n"
        "    type: right\n"
        "    subtype: access\n"
        "    when: {all: [zz_refuse, zz_request], near: 4}\n";
    gdprx_rules *rs = load_yaml(yaml, sizeof yaml - 1);
    gdprx_error err;
    gdprx_options o;
    gdprx_options_init(&o);
    o.lang = GDPRX_LANG_EN;
    static const char *const texts[] = {"We may refuse your request.",
                                        "We may decline your request.",
                                        "We may refuse it."};
    static const size_t want[] = {1, 1, 0};
    for (size_t i = 0; i < 3; i++) {
        gdprx_result *r = NULL;
        ck_assert_msg(gdprx_analyze(&r, rs, texts[i], strlen(texts[i]), &o,
                                    &err) == GDPRX_OK, "%s", err.message);
        ck_assert_msg(gdprx_result_count(r) == want[i], "\"%s\": %zu findings",
                      texts[i], gdprx_result_count(r));
        gdprx_result_free(r);
    }
    gdprx_rules_free(rs);
}
END_TEST

static Suite *stage_suite(void)
{
    Suite *s = suite_create("api");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, rules_setup, rules_teardown);
    tcase_add_loop_test(core, test_nul_bytes, 0, N(cases));
    tcase_add_test(core, test_empty_input);
    tcase_add_test(core, test_options_defaults);
    tcase_add_test(core, test_accessors_range);
    tcase_add_test(core, test_rules_get);
    tcase_add_test(core, test_result_outlives_rules);
    tcase_add_test(core, test_coverage_selected);
    tcase_add_test(core, test_version);
    tcase_add_loop_test(core, test_lang_code, 0, N(langs));
    tcase_add_test(core, test_rules_test);
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("errors");
    tcase_add_unchecked_fixture(errors, rules_setup, rules_teardown);
    tcase_add_loop_test(errors, test_bad_calls, 0, N(calls));
    tcase_add_test(errors, test_bad_calls_err);
    tcase_add_test(errors, test_null_handles);
    tcase_add_loop_test(errors, test_strerror, 0, N(codes));
    tcase_add_test(errors, test_rules_test_failing);
    tcase_add_test(core, test_repeated_attribute_groups);
    tcase_add_test(core, test_mixed_concept_regex_hit);
    suite_add_tcase(s, errors);
    return s;
}

int main(void) { return run_suite(stage_suite()); }
