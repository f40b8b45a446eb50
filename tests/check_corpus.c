/* SPDX-License-Identifier: MIT */
/* End to end over the development corpus ($GDPRX_CORPUS, normally
 * ../shared/corpus/dev) with the shipped rule set: every document is
 * analyzed, its language is the one its name says, and every finding's and
 * clause's offsets are exact (text == input[start, end), on UTF-8
 * boundaries, the finding inside its clause), and the literal prefilter
 * changes nothing: the same JSON with and without it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rules.h"

static char **docs;
static size_t n_docs;
static gdprx_rules *rules;

static void setup(void)
{
    gdprx_error err;
    ck_assert_msg(gdprx_rules_load(&rules, rules_dir(), &err) == GDPRX_OK,
                  "%s", err.message);
}

static void teardown(void) { gdprx_rules_free(rules); }

static int utf8_boundary(const char *s, size_t i)
{
    return ((unsigned char)s[i] & 0xC0) != 0x80;
}

START_TEST(test_document)
{
    const char *path = docs[_i];
    size_t len;
    char *text = read_all(path, &len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    gdprx_result *r = NULL;
    gdprx_error err;
    ck_assert_msg(gdprx_analyze(&r, rules, text, len, NULL, &err) == GDPRX_OK,
                  "%s: %s", path, err.message);
    const char *base = strrchr(path, '/') + 1;
    const char *lang = gdprx_lang_code(gdprx_result_lang(r));
    char want[8];
    snprintf(want, sizeof want, ".%s.", lang);
    ck_assert_msg(*lang && strstr(base, want) != NULL, "%s: language '%s'",
                  base, lang);
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        const gdprx_finding *f = gdprx_result_get(r, i);
        ck_assert_msg(f->start < f->end && f->end <= len, "%s: finding %zu "
                      "range %zu-%zu", base, i, f->start, f->end);
        ck_assert_msg(!memcmp(f->text, text + f->start, f->end - f->start),
                      "%s: finding %zu text differs from the input", base, i);
        ck_assert_msg(utf8_boundary(text, f->start) &&
                          (f->end == len || utf8_boundary(text, f->end)),
                      "%s: finding %zu not on UTF-8 boundaries", base, i);
        ck_assert_msg(f->clause_start <= f->start && f->end <= f->clause_end,
                      "%s: finding %zu (%zu-%zu) outside its clause (%zu-%zu)",
                      base, i, f->start, f->end, f->clause_start,
                      f->clause_end);
    }
    for (size_t i = 0; i < gdprx_result_segment_count(r); i++) {
        const gdprx_segment *g = gdprx_result_segment(r, i);
        ck_assert_msg(g->start < g->end && g->end <= len &&
                          utf8_boundary(text, g->start),
                      "%s: segment %zu range %zu-%zu", base, i, g->start,
                      g->end);
    }
    char *js = NULL;
    ck_assert_int_eq(gdprx_result_to_json(&js, NULL, r, &err), GDPRX_OK);
    gdprx_free(js);
    gdprx_result_free(r);
    free(text);
}
END_TEST

static char *json_of(const char *text, size_t len)
{
    gdprx_result *r = NULL;
    gdprx_error err;
    ck_assert_msg(gdprx_analyze(&r, rules, text, len, NULL, &err) == GDPRX_OK,
                  "%s", err.message);
    char *js = NULL;
    ck_assert_int_eq(gdprx_result_to_json(&js, NULL, r, &err), GDPRX_OK);
    gdprx_result_free(r);
    return js;
}

/* The findings of document _i with an internal switch of the rule set
 * (int field) off and on are the same, byte for byte. */
static void same_either_way(const char *doc, int *flag, const char *what)
{
    size_t len;
    char *text = read_all(doc, &len);
    ck_assert(text != NULL);
    char *off = json_of(text, len);
    *flag = 1;   /* single-threaded test: safe to flip */
    char *on = json_of(text, len);
    *flag = 0;
    ck_assert_msg(!strcmp(off, on), "%s: %s changed the findings", doc,
                  what);
    gdprx_free(off);
    gdprx_free(on);
    free(text);
}

START_TEST(test_prefilter_changes_nothing)
{
    same_either_way(docs[_i], &rules->prefilter_off, "the prefilter");
}
END_TEST

/* The reference path: every concept term found on its own, position by
 * position (gx_scan_naive), no automaton. */
START_TEST(test_scanner_matches_reference)
{
    same_either_way(docs[_i], &rules->scan_naive,
                    "the scanner (against the reference path)");
}
END_TEST

int main(void)
{
    const char *dir = getenv("GDPRX_CORPUS");
    if (dir)
        list_docs(&docs, &n_docs, dir);
    if (!n_docs) {   /* a failure, not a skip: the corpus is required */
        fprintf(stderr, "corpus: no documents in %s (the corpus sits in "
                        "../shared beside the checkout)\n",
                dir ? dir : "$GDPRX_CORPUS");
        return 1;
    }
    Suite *s = suite_create("corpus");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_document, 0, (int)n_docs);
    tcase_add_loop_test(tc, test_prefilter_changes_nothing, 0, (int)n_docs);
    tcase_add_loop_test(tc, test_scanner_matches_reference, 0, (int)n_docs);
    suite_add_tcase(s, tc);
    int rc = run_suite(s);
    for (size_t i = 0; i < n_docs; i++)
        free(docs[i]);
    free(docs);
    return rc;
}
