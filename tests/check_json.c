/* SPDX-License-Identifier: MIT */
/* Stage 7, JSON output: gdprx_result_to_json() gives one valid JSON object
 * (checked by a strict RFC 8259 validator below) with the schema, the
 * language, each finding's required fields, strings escaped, invalid UTF-8
 * shown as \ufffd, and the same bytes for the same result;
 * gdprx_result_write_json() streams the same bytes in pieces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static gdprx_rules *rules;

static void rules_setup(void) { rules = load_test_rules(); }
static void rules_teardown(void) { gdprx_rules_free(rules); }

/* ---- a strict JSON validator ----------------------------------------------- */

typedef struct jp {
    const unsigned char *s;
    size_t n, i;
    int depth;
} jp;

static void ws(jp *p)
{
    while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]) && p->s[p->i])
        p->i++;
}

static int lit(jp *p, const char *w)
{
    size_t l = strlen(w);
    if (p->n - p->i < l || memcmp(p->s + p->i, w, l))
        return 0;
    p->i += l;
    return 1;
}

static int hex4(jp *p)
{
    for (int k = 0; k < 4; k++, p->i++)
        if (p->i >= p->n || !strchr("0123456789abcdefABCDEF", p->s[p->i]) ||
            !p->s[p->i])
            return 0;
    return 1;
}

/* One UTF-8 sequence (no overlongs, surrogates or values past U+10FFFF). */
static int utf8(jp *p)
{
    unsigned c = p->s[p->i];
    int len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2
                         : c >= 0xE0 && c <= 0xEF   ? 3
                         : c >= 0xF0 && c <= 0xF4   ? 4
                                                    : 0;
    if (!len || p->n - p->i < (size_t)len)
        return 0;
    unsigned long v = len == 1 ? c : c & (0x7F >> len);
    for (int k = 1; k < len; k++) {
        unsigned d = p->s[p->i + k];
        if ((d & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (d & 0x3F);
    }
    static const unsigned long min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    p->i += (size_t)len;
    return 1;
}

static int string(jp *p)
{
    if (!lit(p, "\""))
        return 0;
    while (p->i < p->n) {
        unsigned char c = p->s[p->i];
        if (c == '"') {
            p->i++;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c == '\\') {
            p->i++;
            if (p->i >= p->n)
                return 0;
            c = p->s[p->i++];
            if (c == 'u') {
                if (!hex4(p))
                    return 0;
            } else if (!strchr("\"\\/bfnrt", c) || !c) {
                return 0;
            }
        } else if (!utf8(p)) {
            return 0;
        }
    }
    return 0;
}

static int number(jp *p)
{
    size_t st = p->i;
    lit(p, "-");
    if (lit(p, "0")) {
    } else if (p->i < p->n && p->s[p->i] >= '1' && p->s[p->i] <= '9') {
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
    } else {
        return 0;
    }
    if (lit(p, ".")) {
        size_t d = p->i;
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
        if (p->i == d)
            return 0;
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (!lit(p, "+"))
            lit(p, "-");
        size_t d = p->i;
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
        if (p->i == d)
            return 0;
    }
    return p->i > st;
}

static int value(jp *p)
{
    if (++p->depth > 64)
        return 0;
    ws(p);
    int ok;
    if (p->i >= p->n) {
        ok = 0;
    } else if (p->s[p->i] == '{') {
        p->i++;
        ws(p);
        ok = 1;
        if (!lit(p, "}")) {
            do {
                ws(p);
                ok = string(p);
                ws(p);
                ok = ok && lit(p, ":") && value(p);
                ws(p);
            } while (ok && lit(p, ","));
            ok = ok && lit(p, "}");
        }
    } else if (p->s[p->i] == '[') {
        p->i++;
        ws(p);
        ok = 1;
        if (!lit(p, "]")) {
            do {
                ok = value(p);
                ws(p);
            } while (ok && lit(p, ","));
            ok = ok && lit(p, "]");
        }
    } else if (p->s[p->i] == '"') {
        ok = string(p);
    } else if (lit(p, "true") || lit(p, "false") || lit(p, "null")) {
        ok = 1;
    } else {
        ok = number(p);
    }
    p->depth--;
    return ok;
}

/* Whether s[0, n) is exactly one JSON object; *at: where it failed. */
static int valid_json_object(const char *s, size_t n, size_t *at)
{
    jp p = {(const unsigned char *)s, n, 0, 0};
    ws(&p);
    int ok = p.i < n && s[p.i] == '{' && value(&p);
    ws(&p);
    ok = ok && p.i == n;
    *at = p.i;
    return ok;
}

/* ---- helpers -------------------------------------------------------------- */

/* Analyze and serialize; checks the JSON is one valid object with no
 * newline at the end and out_len right. Caller frees with gdprx_free(). */
static char *json_of(const char *name, const char *in, size_t len,
                     gdprx_lang lang, unsigned flags)
{
    gdprx_options o;
    gdprx_options_init(&o);
    o.lang = lang;
    o.flags = flags;
    gdprx_result *r = NULL;
    gdprx_error err;
    int rc = gdprx_analyze(&r, rules, in, len, &o, &err);
    ck_assert_msg(rc == GDPRX_OK, "%s: analyze: %s", name, err.message);
    char *js = NULL;
    size_t n = 0;
    rc = gdprx_result_to_json(&js, &n, r, &err);
    ck_assert_msg(rc == GDPRX_OK && js != NULL, "%s: to_json: rc %d %s", name,
                  rc, err.message);
    ck_assert_msg(n == strlen(js), "%s: out_len %zu, strlen %zu", name, n,
                  strlen(js));
    size_t at;
    ck_assert_msg(valid_json_object(js, n, &at),
                  "%s: invalid JSON at byte %zu: %s", name, at, js);
    ck_assert_msg(n > 0 && js[n - 1] == '}', "%s: JSON does not end with }",
                  name);
    gdprx_result_free(r);
    return js;
}

/* ---- core --------------------------------------------------------------- */

#define S(lit) lit, sizeof(lit) - 1

static const struct case_ {
    const char *name;
    const char *in;
    size_t len;
    gdprx_lang lang;
    unsigned flags;
    const char *want[4]; /* substrings of the JSON */
} cases[] = {
    {"schema, lang and a whole finding",
     S("We keep your invoices for ten years."), GDPRX_LANG_AUTO, 0,
     {"{\"schema\":1,\"lang\":\"en\",\"findings\":[{",
      "{\"type\":\"retention\",\"subtype\":\"period\",\"polarity\":"
      "\"affirmed\",\"start\":3,\"end\":35,\"attrs\":{\"duration\":\"P10Y\"},"
      "\"rule\":\"retention.period.fixed\",\"text\":\"keep your invoices for "
      "ten years\",\"clause\":{\"start\":0,\"end\":36},\"section\":null,"
      "\"articles\":[\"13(2)(a)\"]",
      "\"warnings\":[]"}},
    {"lang fr", S("Nous conservons vos donn\xc3\xa9" "es pendant trois ans."),
     GDPRX_LANG_AUTO, 0,
     {"{\"schema\":1,\"lang\":\"fr\",",
      "\"text\":\"conservons vos donn\xc3\xa9" "es pendant trois ans\"",
      "\"attrs\":{\"duration\":\"P3Y\"}"}},
    {"lang nl, negated with its cue", S("Wij verkopen uw gegevens niet."),
     GDPRX_LANG_AUTO, 0,
     {"\"lang\":\"nl\"", "\"polarity\":\"negated\"",
      "\"negation_cue\":\"niet\"", "\"attrs\":{},"}},
    {"range attributes", S("Logs are kept for 5 to 10 years."),
     GDPRX_LANG_EN, 0,
     {"\"attrs\":{\"duration\":\"P5Y\",\"duration_max\":\"P10Y\"}"}},
    {"articles empty list", S("We sell your personal data."), GDPRX_LANG_EN,
     0, {"\"articles\":[]", "\"section\":null"}},
    {"section as written, quotes escaped",
     S("# \"Retention\" \xe2\x80\x94 \\o/\n\nWe keep your invoices for ten "
       "years.\n"), GDPRX_LANG_EN, 0,
     {"\"section\":\"\\\"Retention\\\" \xe2\x80\x94 \\\\o/\""}},
    {"quotes, backslash, control characters, CR LF in text",
     S("We keep your \"invoices\" \\ and\x01notes for\tten\r\nyears."),
     GDPRX_LANG_EN, 0,
     {"\"text\":\"keep your \\\"invoices\\\" \\\\ and\\u0001notes for\\tten"
      "\\r\\nyears\""}},
    {"DEL and NUL escaped",
     S("We keep your\x7finvoices and\0notes for ten years."), GDPRX_LANG_EN,
     0, {"\"text\":\"keep your\\u007finvoices and\\u0000notes for ten "
         "years\""}},
    {"UTF-8 kept as is",
     S("We keep your caf\xc3\xa9 receipts \xf0\x9f\xa7\xbe for ten years."),
     GDPRX_LANG_EN, 0,
     {"\"text\":\"keep your caf\xc3\xa9 receipts \xf0\x9f\xa7\xbe for ten "
      "years\""}},
    {"invalid UTF-8 replaced: one byte",
     S("We keep your invoices\xff for ten years."), GDPRX_LANG_EN,
     GDPRX_OPT_REPLACE_INVALID,
     {"\"text\":\"keep your invoices\\ufffd for ten years\"",
      "\"start\":3,\"end\":36", "\"warnings\":[\""}},
    {"invalid UTF-8 replaced: overlong and truncated",
     S("We keep \xc0\x80 your invoices \xe2\x82 for ten years."),
     GDPRX_LANG_EN, GDPRX_OPT_REPLACE_INVALID,
     {"\"text\":\"keep \\ufffd\\ufffd your invoices \\ufffd\\ufffd for ten "
      "years\"", "invalid UTF-8"}},
    {"no findings", S("Hello, we are a small shop and you are welcome."),
     GDPRX_LANG_AUTO, 0, {"\"lang\":\"en\",\"findings\":[]"}},
    {"empty input: lang null", S(""), GDPRX_LANG_AUTO, 0,
     {"{\"schema\":1,\"lang\":null,\"findings\":[]", "\"warnings\":[]"}},
    {"empty input, forced language", S(""), GDPRX_LANG_FR, 0,
     {"{\"schema\":1,\"lang\":\"fr\",\"findings\":[]"}},
    {"no language: lang null", S("Lorem ipsum dolor sit amet."),
     GDPRX_LANG_AUTO, 0, {"\"lang\":null,\"findings\":[]"}},
};

START_TEST(test_json)
{
    const struct case_ *c = &cases[_i];
    char *js = json_of(c->name, c->in, c->len, c->lang, c->flags);
    for (size_t k = 0; k < N(c->want) && c->want[k]; k++)
        ck_assert_msg(strstr(js, c->want[k]) != NULL,
                      "%s: lacks %s\nin %s", c->name, c->want[k], js);
    gdprx_free(js);
}
END_TEST

/* Every finding object has the required fields, in order. */
START_TEST(test_required_fields)
{
    static const char in[] = "# Policy\n\nWe keep your invoices for ten "
                             "years. We never sell your data.";
    char *js = json_of("required fields", in, strlen(in), GDPRX_LANG_AUTO, 0);
    static const char *const keys[] = {
        "{\"type\":\"", ",\"subtype\":\"", ",\"polarity\":\"", ",\"start\":",
        ",\"end\":", ",\"attrs\":{", ",\"rule\":\"", ",\"text\":\"",
        ",\"clause\":{\"start\":", ",\"end\":", "},\"section\":",
        ",\"articles\":["};
    size_t objects = 0;
    for (const char *p = strstr(js, "{\"type\":"); p;
         p = strstr(p + 1, "{\"type\":")) {
        const char *q = p;
        for (size_t k = 0; k < N(keys); k++) {
            q = strstr(q, keys[k]);
            ck_assert_msg(q != NULL, "required fields: finding %zu lacks %s",
                          objects, keys[k]);
            q += strlen(keys[k]);
        }
        const char *next = strstr(p + 1, "{\"type\":");
        ck_assert_msg(!next || q < next,
                      "required fields: finding %zu fields out of order",
                      objects);
        objects++;
    }
    ck_assert_msg(objects == 2, "required fields: %zu findings in %s",
                  objects, js);
    gdprx_free(js);
}
END_TEST

/* The same input gives the same bytes; so does serializing twice. */
START_TEST(test_deterministic)
{
    static const char in[] =
        "# Retention\n\nWe keep your invoices for ten years; logs are kept "
        "for 5 to 10 years. We never sell your personal data, but we sell "
        "your data to advertisers.\n\nNous conservons vos donn\xc3\xa9" "es "
        "personnelles pendant trois ans dans nos locaux.\n";
    char *a = json_of("deterministic 1", in, strlen(in), GDPRX_LANG_AUTO, 0);
    char *b = json_of("deterministic 2", in, strlen(in), GDPRX_LANG_AUTO, 0);
    ck_assert_msg(!strcmp(a, b), "deterministic: two analyses differ:\n%s\n%s",
                  a, b);
    ck_assert_msg(strstr(a, "\"P10Y\"") && strstr(a, "\"P5Y\"") &&
                      strstr(a, "\"P3Y\""),
                  "deterministic: findings missing in %s", a);
    gdprx_free(a);
    gdprx_free(b);

    gdprx_result *r = analyze_lang(rules, in, GDPRX_LANG_AUTO);
    char *x = NULL, *y = NULL;
    ck_assert_msg(gdprx_result_to_json(&x, NULL, r, NULL) == GDPRX_OK &&
                      gdprx_result_to_json(&y, NULL, r, NULL) == GDPRX_OK,
                  "deterministic: to_json without out_len");
    ck_assert_msg(!strcmp(x, y), "deterministic: two serializations differ");
    /* findings appear in the result's order */
    const char *prev = x;
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        char key[64];
        snprintf(key, sizeof key, "\"start\":%zu,\"end\":%zu",
                 gdprx_result_get(r, i)->start, gdprx_result_get(r, i)->end);
        const char *at = strstr(prev, key);
        ck_assert_msg(at != NULL, "deterministic: finding %zu (%s) missing "
                      "or out of order", i, key);
        prev = at;
    }
    gdprx_free(x);
    gdprx_free(y);
    gdprx_result_free(r);
}
END_TEST

/* ---- streamed output ------------------------------------------------------- */

/* A write callback that keeps the pieces; refuses piece number `refuse`
 * (counted from 1; 0: none). */
typedef struct sink {
    char *s;
    size_t len, pieces, first_len, max_piece, refuse;
} sink;

static int sink_write(void *ctx, const char *bytes, size_t len)
{
    sink *k = ctx;
    k->pieces++;
    if (k->refuse && k->pieces == k->refuse)
        return 1;
    char *p = realloc(k->s, k->len + len + 1);
    ck_assert_ptr_nonnull(p);
    memcpy(p + k->len, bytes, len);
    k->s = p;
    k->len += len;
    k->s[k->len] = '\0';
    if (k->pieces == 1)
        k->first_len = len;
    if (len > k->max_piece)
        k->max_piece = len;
    return 0;
}

/* Many findings: the JSON runs to several pieces of about 64 KB. */
static gdprx_result *many_findings(size_t *n_lines)
{
    static const char line[] =
        "- We keep your e-mail address for two years.\n";
    size_t n = 1500, ll = sizeof line - 1;
    char *in = malloc(n * ll + 1);
    ck_assert_ptr_nonnull(in);
    for (size_t i = 0; i < n; i++)
        memcpy(in + i * ll, line, ll);
    in[n * ll] = '\0';
    gdprx_result *r = analyze_lang(rules, in, GDPRX_LANG_EN);
    free(in);
    *n_lines = n;
    return r;
}

START_TEST(test_write_json)
{
    size_t n;
    gdprx_result *r = many_findings(&n);
    ck_assert_msg(gdprx_result_count(r) >= n, "write_json: %zu findings",
                  gdprx_result_count(r));
    char *js = NULL;
    size_t js_len = 0;
    ck_assert_int_eq(gdprx_result_to_json(&js, &js_len, r, NULL), GDPRX_OK);
    ck_assert_msg(js_len > 3 * 65536, "write_json: only %zu bytes", js_len);
    sink k = {0};
    gdprx_error err;
    ck_assert_int_eq(gdprx_result_write_json(r, sink_write, &k, &err),
                     GDPRX_OK);
    ck_assert_msg(k.len == js_len && !memcmp(k.s, js, js_len),
                  "write_json: %zu bytes streamed, %zu from to_json", k.len,
                  js_len);
    /* pieces of about 64 KB that end after a whole finding */
    ck_assert_msg(k.pieces >= 3 && k.first_len > 65536 &&
                      k.max_piece < 65536 + 4096,
                  "write_json: %zu pieces, first %zu, largest %zu bytes",
                  k.pieces, k.first_len, k.max_piece);
    ck_assert_msg(k.s[k.first_len - 1] == '}' && k.s[k.first_len] == ',',
                  "write_json: the first piece ends inside a finding");
    free(k.s);
    gdprx_free(js);
    gdprx_result_free(r);
}
END_TEST

START_TEST(test_write_json_stops)
{
    size_t n;
    gdprx_result *r = many_findings(&n);
    sink k = {.refuse = 2};
    gdprx_error err;
    ck_assert_int_eq(gdprx_result_write_json(r, sink_write, &k, &err),
                     GDPRX_EIO);
    ck_assert_msg(k.pieces == 2 && err.code == GDPRX_EIO &&
                      err.offset == (long long)k.first_len &&
                      k.len == k.first_len,
                  "write_json refused: %zu calls, offset %lld, first %zu: %s",
                  k.pieces, err.offset, k.first_len, err.message);
    ck_assert_msg(strstr(err.message, "stopped") != NULL,
                  "write_json refused: message \"%s\"", err.message);
    free(k.s);
    ck_assert_int_eq(gdprx_result_write_json(NULL, sink_write, &k, &err),
                     GDPRX_EINVAL);
    ck_assert_int_eq(gdprx_result_write_json(r, NULL, &k, &err),
                     GDPRX_EINVAL);
    ck_assert_msg(strstr(err.message, "write") != NULL, "NULL write: %s",
                  err.message);
    gdprx_result_free(r);
}
END_TEST

/* ---- errors ---------------------------------------------------------------- */

START_TEST(test_json_arguments)
{
    gdprx_result *r = analyze_lang(rules, "We keep it.", GDPRX_LANG_EN);
    gdprx_error err;
    size_t n = 7;
    ck_assert_msg(gdprx_result_to_json(NULL, &n, r, &err) == GDPRX_EINVAL &&
                      err.code == GDPRX_EINVAL && n == 7,
                  "NULL out: %s", err.message);
    char *js = (char *)"untouched";
    ck_assert_msg(gdprx_result_to_json(&js, &n, NULL, &err) == GDPRX_EINVAL &&
                      !strcmp(js, "untouched") && n == 7,
                  "NULL result: %s", err.message);
    ck_assert_msg(gdprx_result_to_json(NULL, NULL, NULL, NULL) ==
                      GDPRX_EINVAL, "all NULL");
    gdprx_result_free(r);
}
END_TEST

/* The validator itself rejects what it must (so that a pass means
 * something). */
static const struct bad_json {
    const char *name;
    const char *in;
} bad_json[] = {
    {"raw newline in a string", "{\"a\":\"x\ny\"}"},
    {"raw control byte", "{\"a\":\"x\x01y\"}"},
    {"bad escape", "{\"a\":\"\\x41\"}"},
    {"short \\u", "{\"a\":\"\\u12\"}"},
    {"invalid UTF-8", "{\"a\":\"\xff\"}"},
    {"surrogate in UTF-8", "{\"a\":\"\xed\xa0\x80\"}"},
    {"trailing comma", "{\"a\":[1,2,]}"},
    {"two objects", "{}{}"},
    {"unquoted key", "{a:1}"},
    {"leading zero", "{\"a\":01}"},
    {"unclosed", "{\"a\":[1,2}"},
    {"not an object", "[1,2]"},
};

START_TEST(test_validator_rejects)
{
    const struct bad_json *c = &bad_json[_i];
    size_t at;
    ck_assert_msg(!valid_json_object(c->in, strlen(c->in), &at),
                  "%s: accepted", c->name);
    static const char good[] =
        "{\"a\":[1,-2.5e3,\"\\u00e9\\n\",true,null,{}],\"b\":\"\xc3\xa9\"}";
    ck_assert_msg(valid_json_object(good, strlen(good), &at),
                  "%s: the validator rejects valid JSON at %zu", c->name, at);
}
END_TEST

static Suite *stage_suite(void)
{
    Suite *s = suite_create("json");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, rules_setup, rules_teardown);
    tcase_add_loop_test(core, test_json, 0, N(cases));
    tcase_add_test(core, test_required_fields);
    tcase_add_test(core, test_deterministic);
    tcase_add_test(core, test_write_json);
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("errors");
    tcase_add_unchecked_fixture(errors, rules_setup, rules_teardown);
    tcase_add_test(errors, test_json_arguments);
    tcase_add_test(errors, test_write_json_stops);
    tcase_add_loop_test(errors, test_validator_rejects, 0, N(bad_json));
    suite_add_tcase(s, errors);
    return s;
}

int main(void) { return run_suite(stage_suite()); }
