/* SPDX-License-Identifier: MIT */
/* Stage 2, language identification: gx_langid() on normalized sentences
 * with the stop words of the test rule set, the document language of
 * gdprx_analyze(), a forced language, and each paragraph's own language. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "langid.h"
#include "normalize.h"

static gdprx_rules *rules;

static void rules_setup(void) { rules = load_test_rules(); }
static void rules_teardown(void) { gdprx_rules_free(rules); }

/* gx_langid() on the normalized form of `in`. */
static int langid_of(const char *name, const char *in, int min_hits,
                     double margin)
{
    gx_text t;
    gdprx_error err;
    int rc = gx_normalize(&t, in, strlen(in), 0, &err);
    ck_assert_msg(rc == GDPRX_OK, "%s: normalize: %s", name, err.message);
    int l = gx_langid(rules, t.s, t.len, min_hits, margin);
    gx_text_free(&t);
    return l;
}

static const struct case_ {
    const char *name;
    const char *in;
    int min_hits;
    double margin;
    int want; /* 0 en, 1 fr, 2 nl, -1 unknown */
} cases[] = {
    {"en sentence", "We keep your personal data for as long as we need it.", 1,
     1.0, 0},
    {"en, strict thresholds",
     "We will not share the data that you give us with any other company.",
     4, 2.0, 0},
    {"fr sentence",
     "Nous conservons vos donn\xc3\xa9" "es personnelles pendant trois ans.",
     1, 1.0, 1},
    {"fr, strict thresholds",
     "Vos donn\xc3\xa9" "es ne sont pas vendues et nous les conservons dans "
     "l\xe2\x80\x99Union europ\xc3\xa9" "enne.",
     4, 2.0, 1},
    {"fr, capitals and accents", "VOS DONN\xc3\x89" "ES PERSONNELLES SONT "
     "CONSERV\xc3\x89" "ES PAR NOUS", 1, 1.0, 1},
    {"nl sentence", "Wij bewaren uw gegevens niet langer dan nodig is.", 1,
     1.0, 2},
    {"nl, strict thresholds",
     "Wij verkopen uw persoonsgegevens nooit aan derden en wij bewaren ze "
     "niet langer dan nodig.",
     4, 2.0, 2},
    {"nl with accents", "Wij bewaren \xc3\xa9\xc3\xa9n kopie van uw "
     "gegevens voor de administratie.", 1, 1.0, 2},
    {"best exactly twice the next", "the and of to le la", 1, 2.0, 0},
    {"margin 1: one more hit wins", "the and le", 1, 1.0, 0},
};

START_TEST(test_langid)
{
    const struct case_ *c = &cases[_i];
    int got = langid_of(c->name, c->in, c->min_hits, c->margin);
    ck_assert_msg(got == c->want, "%s: gx_langid = %d, want %d", c->name, got,
                  c->want);
}
END_TEST

/* The document language reported by gdprx_analyze(). */
static const struct doc_case {
    const char *name;
    const char *in;
    gdprx_lang want;
} docs[] = {
    {"en paragraph",
     "We collect your name and your e-mail address when you place an order. "
     "We keep your invoices for ten years, and we never sell your personal "
     "data to third parties.", GDPRX_LANG_EN},
    {"fr paragraph",
     "Nous collectons votre nom et votre adresse e\xe2\x80\x91mail lorsque "
     "vous passez une commande. Vos donn\xc3\xa9" "es sont conserv\xc3\xa9"
     "es pendant trois ans et nous ne les vendons jamais.", GDPRX_LANG_FR},
    {"nl paragraph",
     "Wij verzamelen uw naam en uw e-mailadres wanneer u een bestelling "
     "plaatst. Wij bewaren uw gegevens drie jaar en wij verkopen ze nooit "
     "aan derden.", GDPRX_LANG_NL},
    {"en with a French name in it",
     "Boulangerie Martin is the controller. We keep your orders for three "
     "years and we do not share them with any other company.",
     GDPRX_LANG_EN},
    {"fr document with headings",
     "# Politique de confidentialit\xc3\xa9\n\n"
     "## Combien de temps conservons-nous vos donn\xc3\xa9" "es ?\n\n"
     "Les donn\xc3\xa9" "es de vos commandes sont conserv\xc3\xa9" "es "
     "pendant 3 ans.\n", GDPRX_LANG_FR},
    {"nl with English loan words",
     "Wij gebruiken cookies en analytics om onze website te verbeteren. "
     "Uw gegevens worden niet met derden gedeeld.", GDPRX_LANG_NL},
    {"no stop words: unknown", "Lorem ipsum dolor sit amet.",
     GDPRX_LANG_AUTO},
    {"only spaces: unknown", " \n\t \n ", GDPRX_LANG_AUTO},
};

START_TEST(test_document_lang)
{
    const struct doc_case *c = &docs[_i];
    gdprx_result *r = analyze_lang(rules, c->in, GDPRX_LANG_AUTO);
    ck_assert_msg(gdprx_result_lang(r) == c->want, "%s: lang %s, want %s",
                  c->name, gdprx_lang_code(gdprx_result_lang(r)),
                  gdprx_lang_code(c->want));
    /* clause segments carry the document's language */
    for (size_t i = 0; i < gdprx_result_segment_count(r); i++) {
        const gdprx_segment *g = gdprx_result_segment(r, i);
        if (g->kind == GDPRX_SEG_CLAUSE)
            ck_assert_msg(g->lang == c->want, "%s: clause %zu lang %d",
                          c->name, i, (int)g->lang);
    }
    gdprx_result_free(r);
}
END_TEST

/* A forced language overrides detection, for the result and for the rules
 * that run: French text read as Dutch finds nothing. */
static const struct forced_case {
    const char *name;
    const char *in;
    gdprx_lang lang;
    const char *label; /* a finding that must (want 1) or must not be there */
    int want;
} forced[] = {
    {"fr text, auto", "Nous ne vendons pas vos donn\xc3\xa9" "es.",
     GDPRX_LANG_AUTO, "recipient.sale", 1},
    {"fr text forced fr", "Nous ne vendons pas vos donn\xc3\xa9" "es.",
     GDPRX_LANG_FR, "recipient.sale", 1},
    {"fr text forced nl", "Nous ne vendons pas vos donn\xc3\xa9" "es.",
     GDPRX_LANG_NL, "recipient.sale", 0},
    {"fr text forced en", "Nous ne vendons pas vos donn\xc3\xa9" "es.",
     GDPRX_LANG_EN, "recipient.sale", 0},
    {"en text forced fr", "We never sell your personal data.", GDPRX_LANG_FR,
     "recipient.sale", 0},
    {"short text without stop words, forced en", "Data sold.",
     GDPRX_LANG_EN, "recipient.sale", 1},
    {"short text without stop words, auto", "Data sold.", GDPRX_LANG_AUTO,
     "recipient.sale", 0},
    {"nl text forced nl, verb first", "Wij verkopen uw gegevens niet.",
     GDPRX_LANG_NL, "recipient.sale", 1},
    {"empty text forced fr", "", GDPRX_LANG_FR, "recipient.sale", 0},
};

START_TEST(test_forced_lang)
{
    const struct forced_case *c = &forced[_i];
    gdprx_result *r = analyze_lang(rules, c->in, c->lang);
    if (c->lang != GDPRX_LANG_AUTO)
        ck_assert_msg(gdprx_result_lang(r) == c->lang, "%s: lang %s, want %s",
                      c->name, gdprx_lang_code(gdprx_result_lang(r)),
                      gdprx_lang_code(c->lang));
    int have = find_label(r, c->label) != NULL;
    ck_assert_msg(have == c->want, "%s: %s %s", c->name, c->label,
                  have ? "found" : "not found");
    for (size_t i = 0; c->lang != GDPRX_LANG_AUTO &&
                       i < gdprx_result_segment_count(r); i++) {
        const gdprx_segment *g = gdprx_result_segment(r, i);
        if (g->kind == GDPRX_SEG_CLAUSE)
            ck_assert_msg(g->lang == c->lang, "%s: clause %zu lang %d",
                          c->name, i, (int)g->lang);
    }
    gdprx_result_free(r);
}
END_TEST

/* Each paragraph of a mixed document has its own language, and its
 * clauses are matched with that language's patterns. */
static const char mixed[] =
    "We keep your invoices for ten years, as the law requires of us, and we "
    "will not share them with any other company.\n"
    "\n"
    "Nous conservons vos donn\xc3\xa9" "es personnelles pendant trois ans. "
    "Nous ne les vendons pas.\n"
    "\n"
    "Wij bewaren uw gegevens twee jaar. Wij verkopen ze niet aan derden.\n"
    "\n"
    "Thanks!\n";

static const struct para_case {
    const char *name;
    const char *starts; /* the paragraph's first words */
    gdprx_lang lang;
    const char *duration; /* the retention finding inside it, or NULL */
} paras[] = {
    {"en paragraph", "We keep your invoices", GDPRX_LANG_EN, "P10Y"},
    {"fr paragraph", "Nous conservons", GDPRX_LANG_FR, "P3Y"},
    {"nl paragraph", "Wij bewaren", GDPRX_LANG_NL, "P2Y"},
    {"too short to tell", "Thanks!", GDPRX_LANG_AUTO, NULL},
};

START_TEST(test_paragraph_lang)
{
    const struct para_case *c = &paras[_i];
    gdprx_result *r = analyze_lang(rules, mixed, GDPRX_LANG_AUTO);
    const char *at = strstr(mixed, c->starts);
    ck_assert_msg(at != NULL, "%s: bad test", c->name);
    size_t off = (size_t)(at - mixed);
    const gdprx_segment *para = NULL;
    for (size_t i = 0; i < gdprx_result_segment_count(r); i++) {
        const gdprx_segment *g = gdprx_result_segment(r, i);
        if (g->kind == GDPRX_SEG_PARAGRAPH && g->start == off)
            para = g;
    }
    ck_assert_msg(para != NULL, "%s: no paragraph starts at byte %zu",
                  c->name, off);
    ck_assert_msg(para->lang == c->lang, "%s: paragraph lang '%s', want '%s'",
                  c->name, gdprx_lang_code(para->lang),
                  gdprx_lang_code(c->lang));
    const gdprx_finding *hit = NULL;
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        const gdprx_finding *f = gdprx_result_get(r, i);
        if (f->start >= para->start && f->end <= para->end &&
            !strcmp(f->type, "retention"))
            hit = f;
    }
    if (c->duration) {
        ck_assert_msg(hit != NULL, "%s: no retention finding", c->name);
        ck_assert_msg(hit->duration && !strcmp(hit->duration, c->duration),
                      "%s: duration %s, want %s", c->name,
                      hit->duration ? hit->duration : "NULL", c->duration);
    } else {
        ck_assert_msg(hit == NULL, "%s: unexpected finding", c->name);
    }
    gdprx_result_free(r);
}
END_TEST

/* ---- errors ----------------------------------------------------------- */

/* Too short or ambiguous: no language. */
static const struct case_ undecided[] = {
    {"empty", "", 1, 1.0, -1},
    {"no stop words", "Cookies, analytics, newsletter 2024.", 1, 1.0, -1},
    {"digits and punctuation only", "12345 !!! ??? 2024-01-01", 1, 1.0, -1},
    {"one word of each language: a tie", "we nous wij", 1, 1.0, -1},
    {"two each: a tie", "the and le la het van", 1, 1.0, -1},
    {"fewer hits than min_hits", "We keep it.", 4, 2.0, -1},
    {"best not twice the next", "the and of le la", 1, 2.0, -1},
    {"stop word inside a longer word does not count",
     "theory android offer", 1, 1.0, -1},
};

START_TEST(test_undecided)
{
    const struct case_ *c = &undecided[_i];
    int got = langid_of(c->name, c->in, c->min_hits, c->margin);
    ck_assert_msg(got == -1, "%s: gx_langid = %d, want -1", c->name, got);
}
END_TEST

/* Text with no language: no clause is matched, nothing is found. */
START_TEST(test_unknown_lang_no_findings)
{
    static const char *const in[] = {
        "Data sold. Invoices kept 10 years.",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
    };
    for (size_t i = 0; i < N(in); i++) {
        gdprx_result *r = analyze_lang(rules, in[i], GDPRX_LANG_AUTO);
        ck_assert_msg(gdprx_result_lang(r) == GDPRX_LANG_AUTO,
                      "unknown %zu: lang %s", i,
                      gdprx_lang_code(gdprx_result_lang(r)));
        ck_assert_msg(gdprx_result_count(r) == 0,
                      "unknown %zu: %zu findings", i, gdprx_result_count(r));
        gdprx_result_free(r);
    }
}
END_TEST

/* An empty input has no language, unless one is forced. */
START_TEST(test_empty_lang)
{
    gdprx_result *r = NULL;
    gdprx_error err;
    ck_assert_msg(gdprx_analyze(&r, rules, "", 0, NULL, &err) == GDPRX_OK,
                  "empty: %s", err.message);
    ck_assert_msg(gdprx_result_lang(r) == GDPRX_LANG_AUTO &&
                      gdprx_result_segment_count(r) == 0,
                  "empty: lang %d, %zu segments", (int)gdprx_result_lang(r),
                  gdprx_result_segment_count(r));
    gdprx_result_free(r);
    /* gx_langid on zero bytes */
    ck_assert_msg(gx_langid(rules, "", 0, 0, 1.0) == -1,
                  "empty: gx_langid with min_hits 0");
}
END_TEST

/* Out-of-range forced languages are refused. */
START_TEST(test_bad_forced_lang)
{
    static const int bad[] = {-1, 4, 99};
    for (size_t i = 0; i < N(bad); i++) {
        gdprx_options o;
        gdprx_options_init(&o);
        o.lang = (gdprx_lang)bad[i];
        gdprx_result *r = NULL;
        gdprx_error err;
        int rc = gdprx_analyze(&r, rules, "We keep it.", 11, &o, &err);
        ck_assert_msg(rc == GDPRX_EINVAL && r == NULL,
                      "bad lang %d: rc %d", bad[i], rc);
        ck_assert_msg(err.code == GDPRX_EINVAL && err.message[0],
                      "bad lang %d: err not set", bad[i]);
    }
}
END_TEST

static Suite *stage_suite(void)
{
    Suite *s = suite_create("langid");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, rules_setup, rules_teardown);
    tcase_add_loop_test(core, test_langid, 0, N(cases));
    tcase_add_loop_test(core, test_document_lang, 0, N(docs));
    tcase_add_loop_test(core, test_forced_lang, 0, N(forced));
    tcase_add_loop_test(core, test_paragraph_lang, 0, N(paras));
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("errors");
    tcase_add_unchecked_fixture(errors, rules_setup, rules_teardown);
    tcase_add_loop_test(errors, test_undecided, 0, N(undecided));
    tcase_add_test(errors, test_unknown_lang_no_findings);
    tcase_add_test(errors, test_empty_lang);
    tcase_add_test(errors, test_bad_forced_lang);
    suite_add_tcase(s, errors);
    return s;
}

int main(void) { return run_suite(stage_suite()); }
