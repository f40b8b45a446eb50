/* SPDX-License-Identifier: MIT */
/* gdprx_diff(): each kind of change on small made-up pairs analyzed with
 * the shipped rules (added, removed, polarity, duration, age, e-mail,
 * section), what must not count as a change (offsets shifted by an
 * inserted paragraph, reordered paragraphs, renumbered headings), bad
 * arguments, and on the real revision pairs of the corpus: a document
 * against itself is equal, and old->new mirrors new->old. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static gdprx_rules *rules;

static void rules_setup(void)
{
    gdprx_error err;
    ck_assert_msg(gdprx_rules_load(&rules, rules_dir(), &err) == GDPRX_OK,
                  "%s", err.message);
}

static void rules_teardown(void) { gdprx_rules_free(rules); }

/* The diff in one line: "+label", "-label" or "~label:change,change",
 * entries separated by "; ". */
static void summarize(char *out, size_t n, const gdprx_diff_result *d)
{
    static const char *const names[] = {"polarity", "duration", "age",
                                        "email", "section"};
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < gdprx_diff_count(d) && len < n; i++) {
        const gdprx_diff_entry *e = gdprx_diff_get(d, i);
        const gdprx_finding *f = e->new_finding ? e->new_finding
                                                : e->old_finding;
        len += (size_t)snprintf(out + len, n - len, "%s%c%s.%s",
                                i ? "; " : "",
                                "?+-~"[e->kind], f->type, f->subtype);
        for (unsigned k = 0, first = 1; k < 5 && len < n; k++)
            if (e->changes & (1u << k)) {
                len += (size_t)snprintf(out + len, n - len, "%c%s",
                                        first ? ':' : ',', names[k]);
                first = 0;
            }
    }
}

/* ---- core: one row per kind of change ---------------------------------- */

#define KEEP2 "We keep your invoices for two years.\n"
#define KEEP3 "We keep your invoices for three years.\n"
#define NOSELL "We never sell your data.\n"
#define SELL "We sell your data.\n"
#define KIDS16 "Children under 16 may not use the service.\n"
#define KIDS13 "Children under 13 may not use the service.\n"
#define MAIL1 "Write to privacy@example.org for any question.\n"
#define MAIL2 "Write to help@example.org for any question.\n"
#define HELLO "Welcome! This page tells you how our little shop works.\n\n"

static const struct case_ {
    const char *name, *old, *new_, *want;
} cases[] = {
    {"identical", KEEP2 NOSELL, KEEP2 NOSELL, ""},
    {"paragraph inserted at the top", "# Storage\n\n" KEEP2 "\n" NOSELL,
     HELLO "# Storage\n\n" KEEP2 "\n" NOSELL, ""},
    {"paragraphs reordered", KEEP2 "\n" NOSELL "\n" KIDS16,
     KIDS16 "\n" KEEP2 "\n" NOSELL, ""},
    {"headings renumbered", "# 1. Storage\n\n" KEEP2,
     "# 2. Storage\n\n" KEEP2, ""},
    {"added", KEEP2, KEEP2 NOSELL, "+recipient.sale"},
    {"removed", KEEP2 NOSELL, KEEP2, "-recipient.sale"},
    {"polarity flipped", KEEP2 NOSELL, KEEP2 SELL,
     "~recipient.sale:polarity"},
    {"duration changed", HELLO KEEP2 NOSELL, KEEP3 NOSELL,
     "~retention.period:duration"},
    {"age changed", KIDS16, KIDS13, "~children.min_age:age"},
    {"email changed", MAIL1, MAIL2, "~contact.privacy:email"},
    {"empty section appended",
     "# Storage\n\n" KEEP2 "\n# Sharing\n\n" NOSELL,
     "# Storage\n\n" KEEP2 "\n# Sharing\n\n" NOSELL "\n# Other\n\n",
     ""},
    {"moved section",
     "# Storage\n\n" KEEP2 "\n# Sharing\n\n" NOSELL,
     "# Storage\n\n" "\n# Sharing\n\n" NOSELL KEEP2,
     "~retention.period:section"},
    {"two changes in one pair", "# Storage\n\n" KEEP2 "\n# Sharing\n\n",
     "# Storage\n\n\n# Sharing\n\n" KEEP3, "~retention.period:duration,"
                                           "section"},
    {"one of two identical statements removed", NOSELL "\n" NOSELL,
     NOSELL, "-recipient.sale"},
};

START_TEST(test_cases)
{
    const struct case_ *c = &cases[_i];
    gdprx_result *a = analyze_lang(rules, c->old, GDPRX_LANG_EN);
    gdprx_result *b = analyze_lang(rules, c->new_, GDPRX_LANG_EN);
    gdprx_diff_result *d = NULL;
    gdprx_error err;
    ck_assert_msg(gdprx_diff(&d, a, b, NULL, &err) == GDPRX_OK, "%s: %s",
                  c->name, err.message);
    char got[1024];
    summarize(got, sizeof got, d);
    ck_assert_msg(!strcmp(got, c->want), "%s: got '%s', want '%s'", c->name,
                  got, c->want);
    /* every entry's indices and findings agree with the results */
    for (size_t i = 0; i < gdprx_diff_count(d); i++) {
        const gdprx_diff_entry *e = gdprx_diff_get(d, i);
        ck_assert_msg(e->old_finding == (e->old_index == GDPRX_DIFF_NONE
                                             ? NULL
                                             : gdprx_result_get(a,
                                                                e->old_index)),
                      "%s: old index", c->name);
        ck_assert_msg(e->new_finding == (e->new_index == GDPRX_DIFF_NONE
                                             ? NULL
                                             : gdprx_result_get(b,
                                                                e->new_index)),
                      "%s: new index", c->name);
        ck_assert_msg((e->kind == GDPRX_DIFF_CHANGED) == (e->changes != 0),
                      "%s: changes only on changed entries", c->name);
    }
    gdprx_diff_free(d);
    gdprx_result_free(a);
    gdprx_result_free(b);
}
END_TEST

/* The pair's old and new findings, for the duration case. */
START_TEST(test_changed_entry_fields)
{
    gdprx_result *a = analyze_lang(rules, NOSELL KEEP2, GDPRX_LANG_EN);
    gdprx_result *b = analyze_lang(rules, NOSELL KEEP3, GDPRX_LANG_EN);
    gdprx_diff_result *d = NULL;
    ck_assert_int_eq(gdprx_diff(&d, a, b, NULL, NULL), GDPRX_OK);
    ck_assert_uint_eq(gdprx_diff_count(d), 1);
    const gdprx_diff_entry *e = gdprx_diff_get(d, 0);
    ck_assert_int_eq(e->kind, GDPRX_DIFF_CHANGED);
    ck_assert_uint_eq(e->changes, GDPRX_DIFF_DURATION);
    ck_assert_str_eq(e->old_finding->duration, "P2Y");
    ck_assert_str_eq(e->new_finding->duration, "P3Y");
    ck_assert(e->similarity >= 0.5 && e->similarity < 1.0);
    ck_assert_ptr_null(gdprx_diff_get(d, 1));
    gdprx_diff_free(d);
    gdprx_result_free(a);
    gdprx_result_free(b);
}
END_TEST

/* A threshold of 1 pairs only identical word sets: the reworded
 * retention period is then removed and added. */
START_TEST(test_min_similarity)
{
    gdprx_result *a = analyze_lang(rules, KEEP2, GDPRX_LANG_EN);
    gdprx_result *b = analyze_lang(
        rules, "We keep your invoices for two full years.\n", GDPRX_LANG_EN);
    gdprx_diff_options o;
    gdprx_diff_options_init(&o);
    gdprx_diff_result *d = NULL;
    char got[256];
    ck_assert_int_eq(gdprx_diff(&d, a, b, &o, NULL), GDPRX_OK);
    summarize(got, sizeof got, d);
    ck_assert_str_eq(got, "");
    gdprx_diff_free(d);
    o.min_similarity = 1.0;
    ck_assert_int_eq(gdprx_diff(&d, a, b, &o, NULL), GDPRX_OK);
    summarize(got, sizeof got, d);
    ck_assert_str_eq(got, "-retention.period; +retention.period");
    gdprx_diff_free(d);
    gdprx_result_free(a);
    gdprx_result_free(b);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

START_TEST(test_bad_arguments)
{
    gdprx_result *a = analyze_lang(rules, KEEP2, GDPRX_LANG_EN);
    gdprx_diff_result *const untouched = (gdprx_diff_result *)&untouched;
    gdprx_diff_result *d = untouched;
    gdprx_error err;
    ck_assert_int_eq(gdprx_diff(&d, NULL, a, NULL, &err), GDPRX_EINVAL);
    ck_assert_int_eq(gdprx_diff(&d, a, NULL, NULL, NULL), GDPRX_EINVAL);
    ck_assert_int_eq(gdprx_diff(NULL, a, a, NULL, &err), GDPRX_EINVAL);
    gdprx_diff_options o;
    memset(&o, 0, sizeof o); /* not initialized: size 0 */
    ck_assert_int_eq(gdprx_diff(&d, a, a, &o, &err), GDPRX_EINVAL);
    gdprx_diff_options_init(&o);
    o.min_similarity = 1.5;
    ck_assert_int_eq(gdprx_diff(&d, a, a, &o, &err), GDPRX_EINVAL);
    ck_assert_msg(strstr(err.message, "min_similarity") != NULL, "%s",
                  err.message);
    o.min_similarity = -0.1;
    ck_assert_int_eq(gdprx_diff(&d, a, a, &o, &err), GDPRX_EINVAL);
    ck_assert_ptr_eq(d, untouched);
    gdprx_diff_free(NULL);
    ck_assert_uint_eq(gdprx_diff_count(NULL), 0);
    ck_assert_ptr_null(gdprx_diff_get(NULL, 0));
    gdprx_result_free(a);
}
END_TEST

/* ---- the corpus's revision pairs ------------------------------------------ */

static const char *const revisions[][2] = {
    {"mozilla-accounts", "en"}, {"mozilla-accounts", "fr"},
    {"mozilla-accounts", "nl"}, {"mozilla-websites", "en"},
    {"mozilla-websites", "fr"}, {"mozilla-websites", "nl"},
};

/* Analyze a corpus document: old (revisions/, dated) or new (dev/). */
static gdprx_result *analyze_corpus(size_t i, int old)
{
    const char *dev = getenv("GDPRX_CORPUS");
    ck_assert_msg(dev != NULL, "GDPRX_CORPUS is not set");
    char path[1024];
    if (old)
        snprintf(path, sizeof path, "%s/../revisions/%s.2024-04-03.%s.md", dev,
                 revisions[i][0], revisions[i][1]);
    else
        snprintf(path, sizeof path, "%s/%s.%s.md", dev, revisions[i][0],
                 revisions[i][1]);
    size_t len;
    char *text = read_all(path, &len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    gdprx_result *r = NULL;
    gdprx_error err;
    ck_assert_msg(gdprx_analyze(&r, rules, text, len, NULL, &err) ==
                      GDPRX_OK, "%s: %s", path, err.message);
    ck_assert_msg(gdprx_result_count(r) > 0, "%s: no findings", path);
    free(text);
    return r;
}

START_TEST(test_revision_against_itself)
{
    for (int old = 0; old < 2; old++) {
        gdprx_result *r = analyze_corpus((size_t)_i, old);
        gdprx_diff_result *d = NULL;
        ck_assert_int_eq(gdprx_diff(&d, r, r, NULL, NULL), GDPRX_OK);
        ck_assert_msg(gdprx_diff_count(d) == 0, "%s.%s (%s): %zu entries",
                      revisions[_i][0], revisions[_i][1], old ? "old" : "new",
                      gdprx_diff_count(d));
        gdprx_diff_free(d);
        gdprx_result_free(r);
    }
}
END_TEST

/* Entry `e` of old->new has its mirror in new->old. */
static int has_mirror(const gdprx_diff_result *back,
                      const gdprx_diff_entry *e)
{
    static const gdprx_diff_kind mirror[] = {0, GDPRX_DIFF_REMOVED,
                                             GDPRX_DIFF_ADDED,
                                             GDPRX_DIFF_CHANGED};
    for (size_t k = 0; k < gdprx_diff_count(back); k++) {
        const gdprx_diff_entry *m = gdprx_diff_get(back, k);
        if (m->kind == mirror[e->kind] && m->old_index == e->new_index &&
            m->new_index == e->old_index && m->changes == e->changes)
            return 1;
    }
    return 0;
}

START_TEST(test_revision_mirror)
{
    gdprx_result *a = analyze_corpus((size_t)_i, 1);
    gdprx_result *b = analyze_corpus((size_t)_i, 0);
    gdprx_diff_result *fwd = NULL, *back = NULL;
    ck_assert_int_eq(gdprx_diff(&fwd, a, b, NULL, NULL), GDPRX_OK);
    ck_assert_int_eq(gdprx_diff(&back, b, a, NULL, NULL), GDPRX_OK);
    ck_assert_msg(gdprx_diff_count(fwd) > 0, "%s.%s: the versions differ",
                  revisions[_i][0], revisions[_i][1]);
    ck_assert_uint_eq(gdprx_diff_count(fwd), gdprx_diff_count(back));
    for (size_t k = 0; k < gdprx_diff_count(fwd); k++)
        ck_assert_msg(has_mirror(back, gdprx_diff_get(fwd, k)),
                      "%s.%s: entry %zu has no mirror", revisions[_i][0],
                      revisions[_i][1], k);
    gdprx_diff_free(fwd);
    gdprx_diff_free(back);
    gdprx_result_free(a);
    gdprx_result_free(b);
}
END_TEST

static Suite *diff_suite(void)
{
    Suite *s = suite_create("diff");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, rules_setup, rules_teardown);
    tcase_add_loop_test(core, test_cases, 0, N(cases));
    tcase_add_test(core, test_changed_entry_fields);
    tcase_add_test(core, test_min_similarity);
    tcase_add_loop_test(core, test_revision_against_itself, 0,
                        N(revisions));
    tcase_add_loop_test(core, test_revision_mirror, 0, N(revisions));
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("errors");
    tcase_add_unchecked_fixture(errors, rules_setup, rules_teardown);
    tcase_add_test(errors, test_bad_arguments);
    suite_add_tcase(s, errors);
    return s;
}

int main(void) { return run_suite(diff_suite()); }
