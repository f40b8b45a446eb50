/* SPDX-License-Identifier: MIT */
/* tools/report_html.c, the exact parts of gdprx report's pages: HTML
 * escaping (every special character, CR, NUL, each kind of invalid UTF-8),
 * JSON strings safe in a <script>, segments at finding boundaries (nested,
 * overlapping, equal, empty and out-of-range spans) and page file names
 * (path traversal, hidden names, bytes outside the safe set, length). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "report_html.h"

/* ---- escaping ---------------------------------------------------------- */

static const struct case_ {
    const char *name, *in;
    size_t len; /* 0: strlen(in) */
    const char *html, *json;
} esc_cases[] = {
    {"plain", "abc", 0, "abc", "\"abc\""},
    {"specials", "&<>\"'", 0, "&amp;&lt;&gt;&quot;&#39;",
     "\"\\u0026\\u003c\\u003e\\\"'\""},
    {"script end", "</script><!--", 0, "&lt;/script&gt;&lt;!--",
     "\"\\u003c/script\\u003e\\u003c!--\""},
    {"literal reference", "&amp;", 0, "&amp;amp;", "\"\\u0026amp;\""},
    {"CR LF tab", "a\r\n\tb", 0, "a&#13;\n\tb", "\"a\\u000d\\u000a\\u0009b\""},
    {"NUL", "a\0b", 3, "a\xEF\xBF\xBD" "b", "\"a\\u0000b\""},
    {"backslash", "a\\b", 0, "a\\b", "\"a\\\\b\""},
    {"U+2028 U+2029", "a\xE2\x80\xA8" "b\xE2\x80\xA9", 0,
     "a\xE2\x80\xA8" "b\xE2\x80\xA9", "\"a\\u2028b\\u2029\""},
    {"valid multibyte", "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 0,
     "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80",
     "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\""},
    {"stray continuation", "a\x80z", 0, "a\xEF\xBF\xBDz", "\"a\\ufffdz\""},
    {"overlong", "\xC0\xAF", 0, "\xEF\xBF\xBD\xEF\xBF\xBD",
     "\"\\ufffd\\ufffd\""},
    {"overlong 3 bytes", "\xE0\x80\xAF", 0,
     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", "\"\\ufffd\\ufffd\\ufffd\""},
    {"surrogate", "\xED\xA0\x80", 0, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD",
     "\"\\ufffd\\ufffd\\ufffd\""},
    {"above U+10FFFF", "\xF4\x90\x80\x80", 0,
     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD",
     "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
    {"truncated at the end", "a\xE2\x80", 0,
     "a\xEF\xBF\xBD\xEF\xBF\xBD", "\"a\\ufffd\\ufffd\""},
    {"0xFF", "\xFF<", 0, "\xEF\xBF\xBD&lt;", "\"\\ufffd\\u003c\""},
    {"empty", "", 0, "", "\"\""},
};

START_TEST(escapes)
{
    const struct case_ *c = &esc_cases[_i];
    size_t len = c->len ? c->len : strlen(c->in);
    sbuf h = {0}, j = {0};
    rh_escape(&h, c->in, len);
    rh_json_str(&j, c->in, len);
    ck_assert_msg(!h.failed && !j.failed, "%s: out of memory", c->name);
    ck_assert_msg(h.len == strlen(c->html) &&
                      !memcmp(h.s ? h.s : "", c->html, h.len),
                  "%s: html '%s', want '%s'", c->name, h.s ? h.s : "",
                  c->html);
    ck_assert_msg(!strcmp(j.s, c->json), "%s: json '%s', want '%s'",
                  c->name, j.s, c->json);
    sb_free(&h);
    sb_free(&j);
}
END_TEST

START_TEST(json_null_and_long)
{
    sbuf b = {0};
    rh_json_str(&b, NULL, 0);
    ck_assert_str_eq(b.s, "null");
    sb_free(&b);
    /* longer than sb_printf's stack buffer, and growth past many doublings */
    for (int i = 0; i < 2000; i++)
        sb_printf(&b, "%0300d", i);
    ck_assert(!b.failed && b.len == 2000 * 300);
    sb_free(&b);
}
END_TEST

/* ---- segments ---------------------------------------------------------- */

static const struct seg_case {
    const char *name;
    size_t len;
    rh_span spans[4];
    size_t n;
    const char *want; /* "start-end:ids" per segment, ids comma-separated */
} seg_cases[] = {
    {"none", 5, {{0, 0}}, 0, "0-5:"},
    {"empty text", 0, {{0, 0}}, 0, ""},
    {"one inside", 10, {{2, 5}}, 1, "0-2: 2-5:0 5-10:"},
    {"whole text", 4, {{0, 4}}, 1, "0-4:0"},
    {"nested", 10, {{1, 9}, {3, 5}}, 2, "0-1: 1-3:0 3-5:0,1 5-9:0 9-10:"},
    {"overlapping", 10, {{1, 6}, {4, 8}}, 2, "0-1: 1-4:0 4-6:0,1 6-8:1 8-10:"},
    {"equal", 6, {{2, 4}, {2, 4}}, 2, "0-2: 2-4:0,1 4-6:"},
    {"same start", 6, {{1, 5}, {1, 3}}, 2, "0-1: 1-3:0,1 3-5:0 5-6:"},
    {"adjacent", 6, {{0, 3}, {3, 6}}, 2, "0-3:0 3-6:1"},
    {"unsorted", 6, {{4, 6}, {0, 2}}, 2, "0-2:1 2-4: 4-6:0"},
    {"empty span", 6, {{3, 3}}, 1, "0-3: 3-6:"},
    {"past the end", 6, {{4, 99}}, 1, "0-4: 4-6:0"},
    {"three deep", 8, {{0, 8}, {1, 7}, {2, 6}}, 3,
     "0-1:0 1-2:0,1 2-6:0,1,2 6-7:0,1 7-8:0"},
};

START_TEST(segments)
{
    const struct seg_case *c = &seg_cases[_i];
    rh_segments s;
    ck_assert_msg(rh_segments_build(&s, c->spans, c->n, c->len) == 0,
                  "%s: failed", c->name);
    char got[256] = "";
    size_t at = 0;
    for (size_t k = 0; k < s.n && at < sizeof got; k++) {
        at += (size_t)snprintf(got + at, sizeof got - at, "%s%zu-%zu:",
                               k ? " " : "", s.v[k].start, s.v[k].end);
        for (size_t i = 0; i < s.v[k].n && at < sizeof got; i++)
            at += (size_t)snprintf(got + at, sizeof got - at, "%s%zu",
                                   i ? "," : "", s.ids[s.v[k].first + i]);
    }
    ck_assert_msg(!strcmp(got, c->want), "%s: '%s', want '%s'", c->name, got,
                  c->want);
    rh_segments_free(&s);
}
END_TEST

/* ---- page names -------------------------------------------------------- */

static const struct name_case {
    const char *path, *want;
} name_cases[] = {
    {"policy.txt", "policy.txt"},
    {"a/b/policy.en.md", "policy.en.md"},
    {"../x", "x"},
    {"..", "_."},
    {".", "policy"},
    {"../../", "_."},
    {".hidden", "_hidden"},
    {"dir/", "dir"},
    {"we\"ird 'n' <b>&.txt", "we_ird__n___b__.txt"},
    {"caf\xC3\xA9.txt", "caf__.txt"},
    {"", "policy"},
    {"/", "policy"},
    {"-", "-"},
};

START_TEST(page_stems)
{
    const struct name_case *c = &name_cases[_i];
    char out[64];
    rh_page_stem(out, sizeof out, c->path);
    ck_assert_msg(!strcmp(out, c->want), "'%s': '%s', want '%s'", c->path,
                  out, c->want);
    ck_assert_msg(!strchr(out, '/') && out[0] != '.', "'%s': unsafe '%s'",
                  c->path, out);
}
END_TEST

START_TEST(page_stem_length)
{
    char path[300], out[16];
    memset(path, 'a', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    rh_page_stem(out, sizeof out, path);
    ck_assert_uint_eq(strlen(out), sizeof out - 1);
}
END_TEST

static Suite *report_html_suite(void)
{
    Suite *s = suite_create("report_html");
    TCase *core = tcase_create("core");
    tcase_add_loop_test(core, escapes, 0, N(esc_cases));
    tcase_add_test(core, json_null_and_long);
    tcase_add_loop_test(core, segments, 0, N(seg_cases));
    tcase_add_loop_test(core, page_stems, 0, N(name_cases));
    tcase_add_test(core, page_stem_length);
    suite_add_tcase(s, core);
    return s;
}

int main(void) { return run_suite(report_html_suite()); }
