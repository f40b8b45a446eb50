/* SPDX-License-Identifier: MIT */
/* Stage 5, attributes: gx_duration() and gx_first_number() with the test
 * rule set's lexicons (phrases are normalized first, as the matcher sees
 * them), then durations, ranges and ages through gdprx_analyze(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrs.h"
#include "harness.h"
#include "loader.h"
#include "normalize.h"
#include "rules.h"

enum { EN, FR, NL };

static gdprx_rules *rules;

static void rules_setup(void) { rules = load_test_rules(); }
static void rules_teardown(void) { gdprx_rules_free(rules); }

/* Normalize `in` into t (the extractors read normalized text). */
static void norm(const char *name, const char *in, gx_text *t)
{
    gdprx_error err;
    int rc = gx_normalize(t, in, strlen(in), 0, &err);
    ck_assert_msg(rc == GDPRX_OK, "%s: normalize: %s", name, err.message);
}

static const struct case_ {
    const char *name;
    int lang;
    const char *in;
    char fallback;    /* unit for a trailing bare number, or 0 */
    const char *want; /* ISO 8601 */
    char last;        /* last unit seen */
} cases[] = {
    {"3 ans", FR, "3 ans", 0, "P3Y", 'Y'},
    {"trois ans", FR, "trois ans", 0, "P3Y", 'Y'},
    {"drie jaar", NL, "drie jaar", 0, "P3Y", 'Y'},
    {"one month", EN, "one month", 0, "P1M", 'M'},
    {"un mois", FR, "un mois", 0, "P1M", 'M'},
    {"een maand", NL, "een maand", 0, "P1M", 'M'},
    {"één maand (accents)", NL, "\xc3\xa9\xc3\xa9n maand", 0, "P1M", 'M'},
    {"13 mois", FR, "13 mois", 0, "P13M", 'M'},
    {"1 an", FR, "1 an", 0, "P1Y", 'Y'},
    {"une année", FR, "une ann\xc3\xa9" "e", 0, "P1Y", 'Y'},
    {"72 hours", EN, "72 hours", 0, "PT72H", 'H'},
    {"72 uur", NL, "72 uur", 0, "PT72H", 'H'},
    {"72h", FR, "72h", 0, "PT72H", 'H'},
    {"1 year and 6 months", EN, "1 year and 6 months", 0, "P1Y6M", 'M'},
    {"1 an et 6 mois", FR, "1 an et 6 mois", 0, "P1Y6M", 'M'},
    {"1 jaar en 6 maanden", NL, "1 jaar en 6 maanden", 0, "P1Y6M", 'M'},
    {"2 weeks", EN, "2 weeks", 0, "P2W", 'W'},
    {"1 week and 2 days: weeks only alone", EN, "1 week and 2 days", 0,
     "P9D", 'D'},
    {"vingt-quatre heures", FR, "vingt-quatre heures", 0, "PT24H", 'H'},
    {"twenty four hours", EN, "twenty four hours", 0, "PT24H", 'H'},
    {"vierentwintig uur", NL, "vierentwintig uur", 0, "PT24H", 'H'},
    {"Twelve Months, capitals", EN, "Twelve Months", 0, "P12M", 'M'},
    {"12months, no space", EN, "12months", 0, "P12M", 'M'},
    {"30 business days", EN, "30 business days", 0, "P30D", 'D'},
    {"30 minutes", EN, "30 minutes", 0, "PT30M", 'I'},
    {"quinze minutes", FR, "quinze minutes", 0, "PT15M", 'I'},
    {"10 minuten", NL, "10 minuten", 0, "PT10M", 'I'},
    {"1.5 hours: the half is minutes", EN, "1.5 hours", 0, "PT1H30M", 'H'},
    {"2 hours and 30 minutes", EN, "2 hours and 30 minutes", 0, "PT2H30M",
     'I'},
    {"1 day and 2 hours", EN, "1 day and 2 hours", 0, "P1DT2H", 'H'},
    {"0 days", EN, "0 days", 0, "P0D", 'D'},
    {"bare number with a fallback unit", EN, "5", 'Y', "P5Y", 'Y'},
    {"number word with a fallback unit", FR, "cinq", 'Y', "P5Y", 'Y'},
    {"unit wins over the fallback", EN, "5 months", 'Y', "P5M", 'M'},
};

START_TEST(test_duration)
{
    const struct case_ *c = &cases[_i];
    gx_text t;
    norm(c->name, c->in, &t);
    char iso[GX_ISO_MAX];
    long last = '?';
    int rc = gx_duration(&rules->lex[c->lang], t.s, t.len, c->fallback, iso,
                         &last);
    ck_assert_msg(rc == 0, "%s: gx_duration failed", c->name);
    ck_assert_msg(!strcmp(iso, c->want), "%s: %s, want %s", c->name, iso,
                  c->want);
    ck_assert_msg(GX_UNIT_DESIGNATOR(last) == c->last,
                  "%s: last unit '%c', want '%c'", c->name,
                  GX_UNIT_DESIGNATOR(last), c->last);
    /* last_unit may be NULL */
    rc = gx_duration(&rules->lex[c->lang], t.s, t.len, c->fallback, iso,
                     NULL);
    ck_assert_msg(rc == 0 && !strcmp(iso, c->want),
                  "%s: without last_unit: %s", c->name, iso);
    gx_text_free(&t);
}
END_TEST

static const struct num_case {
    const char *name;
    int lang;
    const char *in;
    int want;
} numbers[] = {
    {"16", EN, "16", 16},
    {"seize", FR, "seize", 16},
    {"sixteen", EN, "sixteen", 16},
    {"zestien", NL, "zestien", 16},
    {"under 13 years", EN, "under 13 years", 13},
    {"moins de quinze ans", FR, "moins de quinze ans", 15},
    {"dix-huit", FR, "dix-huit", 18},
    {"twenty one", EN, "twenty one", 21},
    {"digits after words", EN, "aged 16 or over", 16},
    {"Sixteen, capitals", EN, "Sixteen", 16},
};

static void check_number(const struct num_case *c)
{
    gx_text t;
    norm(c->name, c->in, &t);
    int got = gx_first_number(&rules->lex[c->lang], t.s, t.len);
    ck_assert_msg(got == c->want, "%s: %d, want %d", c->name, got, c->want);
    gx_text_free(&t);
}

START_TEST(test_first_number)
{
    check_number(&numbers[_i]);
}
END_TEST

/* Through the fixture rule retention.period.fixed: durations and ranges. */
static const struct doc_case {
    const char *name;
    gdprx_lang lang;
    const char *in;
    const char *duration, *duration_max; /* NULL: none */
} docs[] = {
    {"en range", GDPRX_LANG_EN, "Logs are kept for 5 to 10 years.", "P5Y",
     "P10Y"},
    {"fr range", GDPRX_LANG_FR,
     "Les journaux sont conserv\xc3\xa9" "s pendant 5 \xc3\xa0 10 ans.", "P5Y",
     "P10Y"},
    {"nl range", GDPRX_LANG_NL, "Wij bewaren logbestanden 5 tot 10 jaar.",
     "P5Y", "P10Y"},
    {"en range with a dash", GDPRX_LANG_EN, "We keep logs for 1-3 years.",
     "P1Y", "P3Y"},
    {"en range, both units", GDPRX_LANG_EN,
     "We keep logs for 6 months to 2 years.", "P6M", "P2Y"},
    {"fr range in words", GDPRX_LANG_FR,
     "Nous conservons les journaux pendant trois \xc3\xa0 cinq ans.", "P3Y",
     "P5Y"},
    {"en single", GDPRX_LANG_EN, "We keep your invoices for ten years.",
     "P10Y", NULL},
    {"en sum is not a range", GDPRX_LANG_EN,
     "We retain CVs for 1 year and 6 months.", "P1Y6M", NULL},
    {"fr single", GDPRX_LANG_FR,
     "Vos donn\xc3\xa9" "es sont conserv\xc3\xa9" "es pendant trois ans.",
     "P3Y", NULL},
    {"fr hyphenated number word is not a range", GDPRX_LANG_FR,
     "Les journaux sont conserv\xc3\xa9" "s pendant vingt-quatre heures.",
     "PT24H", NULL},
    {"fr single, number word", GDPRX_LANG_FR,
     "Les journaux sont conserv\xc3\xa9" "s pendant douze heures.", "PT12H",
     NULL},
    {"nl single", GDPRX_LANG_NL, "Wij bewaren uw gegevens drie jaar.", "P3Y",
     NULL},
    {"nl single, accents", GDPRX_LANG_NL,
     "Wij bewaren uw gegevens \xc3\xa9\xc3\xa9n maand.", "P1M", NULL},
};

START_TEST(test_analyze_durations)
{
    const struct doc_case *c = &docs[_i];
    gdprx_result *r = analyze_lang(rules, c->in, c->lang);
    const gdprx_finding *f = find_label(r, "retention.period");
    ck_assert_msg(f != NULL, "%s: no retention.period finding", c->name);
    ck_assert_msg(f->duration && !strcmp(f->duration, c->duration),
                  "%s: duration %s, want %s", c->name,
                  f->duration ? f->duration : "(null)", c->duration);
    if (c->duration_max)
        ck_assert_msg(f->duration_max &&
                          !strcmp(f->duration_max, c->duration_max),
                      "%s: duration_max %s, want %s", c->name,
                      f->duration_max ? f->duration_max : "(null)",
                      c->duration_max);
    else
        ck_assert_msg(f->duration_max == NULL, "%s: duration_max %s, want "
                      "none", c->name, f->duration_max);
    ck_assert_msg(f->age == -1 && f->email == NULL,
                  "%s: age %d, email %s", c->name, f->age,
                  f->email ? f->email : "(null)");
    gdprx_result_free(r);
}
END_TEST

/* Ages and e-mail addresses, with rules using {{age}} and {{email}}, and
 * a rule whose duration is optional in its pattern but required. */
static const char age_rules[] =
    "rules:\n"
    "  - id: children.age.minimum\n"
    "    type: children\n"
    "    subtype: age\n"
    "    attrs: [age]\n"
    "    patterns:\n"
    "      en: ['\\b(?:under|below) (?:the age of )?{{age}}\\b']\n"
    "      fr: ['\\bmoins de {{age}} ans\\b']\n"
    "      nl: ['\\bjonger dan {{age}} jaar\\b']\n"
    "  - id: contact.dpo.email\n"
    "    type: contact\n"
    "    subtype: dpo\n"
    "    attrs: [email]\n"
    "    patterns:\n"
    "      en: ['\\bwrite to {{email}}']\n"
    "      fr: ['\\b(?:ecrivez|ecrire) a {{email}}']\n"
    "      nl: ['\\bmail naar {{email}}']\n"
    "  - id: retention.period.maybe\n"
    "    type: retention\n"
    "    subtype: period\n"
    "    attrs: [duration]\n"
    "    patterns:\n"
    "      en: ['\\bstore\\w*(?: it)?(?: for {{duration}})?']\n"
    "      fr: ['\\bstock\\w*(?: pendant {{duration}})?']\n"
    "      nl: ['\\bopslaan(?: voor {{duration}})?']\n";

static gdprx_rules *load_age_rules(void)
{
    const char *rel[] = {"rules/lexicon/en.yaml", "rules/lexicon/fr.yaml",
                         "rules/lexicon/nl.yaml"};
    char path[N(rel)][1024];
    char *text[N(rel)];
    gx_source src[N(rel) + 1];
    for (size_t i = 0; i < N(rel); i++) {
        size_t len;
        text[i] = read_all(data_path(rel[i], path[i], sizeof path[i]), &len);
        ck_assert_msg(text[i] != NULL, "cannot read %s", path[i]);
        src[i].name = path[i];
        src[i].yaml = text[i];
        src[i].len = len;
    }
    src[N(rel)].name = "age.yaml";
    src[N(rel)].yaml = age_rules;
    src[N(rel)].len = sizeof age_rules - 1;
    gdprx_rules *rs = NULL;
    gdprx_error err;
    int rc = gx_load_sources(&rs, src, N(src), &err);
    ck_assert_msg(rc == GDPRX_OK, "age rules: %s", err.message);
    for (size_t i = 0; i < N(rel); i++)
        free(text[i]);
    return rs;
}

static const struct age_case {
    const char *name;
    gdprx_lang lang;
    const char *in;
    const char *label;
    int age;           /* -1: not checked */
    const char *email; /* as written; NULL: not checked */
} ages[] = {
    {"age 16", GDPRX_LANG_EN, "Our services are not for children under 16.",
     "children.age", 16, NULL},
    {"age in words", GDPRX_LANG_EN,
     "We do not serve children below the age of sixteen.", "children.age",
     16, NULL},
    {"age seize", GDPRX_LANG_FR,
     "Nos services ne s\xe2\x80\x99" "adressent pas aux enfants de moins de "
     "seize ans.", "children.age", 16, NULL},
    {"age 15 fr", GDPRX_LANG_FR,
     "Nos services ne s\xe2\x80\x99" "adressent pas aux enfants de moins de "
     "15 ans.", "children.age", 15, NULL},
    {"age zestien", GDPRX_LANG_NL,
     "Onze diensten zijn niet voor kinderen jonger dan zestien jaar.",
     "children.age", 16, NULL},
    {"e-mail as written", GDPRX_LANG_EN,
     "Please write to DPO@Shop.Example for any question.", "contact.dpo", -1,
     "DPO@Shop.Example"},
    {"e-mail after accents", GDPRX_LANG_FR,
     "Pour toute question, \xc3\xa9" "crivez \xc3\xa0 d\xc3\xa9l\xc3\xa9gu\xc3"
     "\xa9@boulangerie.fr ou par courrier.", "contact.dpo", -1,
     "d\xc3\xa9l\xc3\xa9gu\xc3\xa9@boulangerie.fr"},
};

START_TEST(test_age_email)
{
    const struct age_case *c = &ages[_i];
    gdprx_rules *rs = load_age_rules();
    gdprx_result *r = analyze_lang(rs, c->in, c->lang);
    const gdprx_finding *f = find_label(r, c->label);
    ck_assert_msg(f != NULL, "%s: no %s finding", c->name, c->label);
    if (c->age >= 0)
        ck_assert_msg(f->age == c->age, "%s: age %d, want %d", c->name,
                      f->age, c->age);
    if (c->email)
        ck_assert_msg(f->email && !strcmp(f->email, c->email),
                      "%s: email \"%s\", want \"%s\"", c->name,
                      f->email ? f->email : "(null)", c->email);
    ck_assert_msg(f->duration == NULL, "%s: duration %s", c->name,
                  f->duration);
    gdprx_result_free(r);
    gdprx_rules_free(rs);
}
END_TEST

/* ---- errors ----------------------------------------------------------- */

static const struct case_ no_duration[] = {
    {"empty", EN, "", 0, NULL, 0},
    {"a number without a unit", EN, "5", 0, NULL, 0},
    {"a unit without a number", EN, "years", 0, NULL, 0},
    {"words only", EN, "as long as needed", 0, NULL, 0},
    {"unit of another language", EN, "3 ans", 0, NULL, 0},
    {"unit before the number", FR, "ans 3", 0, NULL, 0},
};

START_TEST(test_no_duration)
{
    const struct case_ *c = &no_duration[_i];
    gx_text t;
    norm(c->name, c->in, &t);
    char iso[GX_ISO_MAX] = "untouched";
    long last = '?';
    int rc = gx_duration(&rules->lex[c->lang], t.s, t.len, c->fallback, iso,
                         &last);
    ck_assert_msg(rc == -1, "%s: gx_duration gave %s", c->name, iso);
    ck_assert_msg(last == '?', "%s: last unit set on failure", c->name);
    gx_text_free(&t);
}
END_TEST

static const struct num_case no_number[] = {
    {"empty", EN, "", -1},
    {"no number", EN, "no number here", -1},
    {"number word of another language", EN, "seize", -1},
};

START_TEST(test_no_number)
{
    check_number(&no_number[_i]);
}
END_TEST

/* A rule requiring `duration` drops a match without one; the optional
 * group of retention.period.maybe is what decides. */
static const struct age_case required[] = {
    {"duration missing", GDPRX_LANG_EN, "We store it.", NULL, 0, NULL},
    {"duration present", GDPRX_LANG_EN, "We store it for 2 years.", NULL, 1,
     NULL},
    {"duration missing, fr", GDPRX_LANG_FR, "Nous stockons vos factures.",
     NULL, 0, NULL},
    {"duration present, fr", GDPRX_LANG_FR,
     "Nous stockons pendant trois ans.", NULL, 1, NULL},
};

START_TEST(test_required_attr)
{
    const struct age_case *c = &required[_i];
    gdprx_rules *rs = load_age_rules();
    gdprx_result *r = analyze_lang(rs, c->in, c->lang);
    const gdprx_finding *f = find_label(r, "retention.period");
    ck_assert_msg((f != NULL) == (c->age == 1), "%s: finding %s", c->name,
                  f ? "kept" : "dropped");
    if (f)
        ck_assert_msg(f->duration != NULL, "%s: kept without duration",
                      c->name);
    gdprx_result_free(r);
    gdprx_rules_free(rs);
}
END_TEST

/* ---- the shipped lexicons: composed numbers, decimals, halves ----------- */

static gdprx_rules *shipped;

static void shipped_setup(void)
{
    gdprx_error err;
    int rc = gdprx_rules_load(&shipped, rules_dir(), &err);
    ck_assert_msg(rc == GDPRX_OK, "shipped rules: %s", err.message);
}
static void shipped_teardown(void) { gdprx_rules_free(shipped); }

static const struct case_ composed[] = {
    /* unit words that hold several of a designator (the lexicon's 2W, 3M) */
    {"a fortnight", EN, "a fortnight", 0, "P2W", 'W'},
    {"two decades", EN, "two decades", 0, "P20Y", 'Y'},
    {"un trimestre", FR, "un trimestre", 0, "P3M", 'M'},
    {"deux semestres", FR, "deux semestres", 0, "P12M", 'M'},
    {"twee kwartalen", NL, "twee kwartalen", 0, "P6M", 'M'},
    {"een decennium", NL, "een decennium", 0, "P10Y", 'Y'},
    {"twenty-four months", EN, "twenty-four months", 0, "P24M", 'M'},
    {"seventy-two hours", EN, "seventy-two hours", 0, "PT72H", 'H'},
    {"one hundred and eighty days", EN, "one hundred and eighty days", 0,
     "P180D", 'D'},
    {"1.5 years", EN, "1.5 years", 0, "P1Y6M", 'Y'},
    {"a year and a half", EN, "a year and a half", 0, "P1Y6M", 'Y'},
    {"half a year", EN, "half a year", 0, "P6M", 'Y'},
    {"one and a half years", EN, "one and a half years", 0, "P1Y6M", 'Y'},
    {"one year and one month", EN, "one year and one month", 0, "P1Y1M",
     'M'},
    {"24 hrs", EN, "24 hrs", 0, "PT24H", 'H'},
    {"2.5 days", EN, "2.5 days", 0, "P2DT12H", 'D'},
    {"1,000 days is not a decimal", EN, "1,000 days", 0, "P1000D", 'D'},
    {"quatre-vingt-dix jours", FR, "quatre-vingt-dix jours", 0, "P90D", 'D'},
    {"vingt et un jours", FR, "vingt et un jours", 0, "P21D", 'D'},
    {"soixante et onze jours", FR, "soixante et onze jours", 0, "P71D", 'D'},
    {"soixante-dix-huit mois", FR, "soixante-dix-huit mois", 0, "P78M", 'M'},
    {"cent quatre-vingts jours", FR, "cent quatre-vingts jours", 0, "P180D",
     'D'},
    {"nonante jours", FR, "nonante jours", 0, "P90D", 'D'},
    {"un an et demi", FR, "un an et demi", 0, "P1Y6M", 'Y'},
    {"1,5 an", FR, "1,5 an", 0, "P1Y6M", 'Y'},
    {"six mois et demi", FR, "six mois et demi", 0, "P6M15D", 'M'},
    {"zesendertig maanden", NL, "zesendertig maanden", 0, "P36M", 'M'},
    {"vijfentwintig jaar", NL, "vijfentwintig jaar", 0, "P25Y", 'Y'},
    {"tweeëntwintig dagen", NL, "twee\xc3\xab" "ntwintig dagen", 0, "P22D",
     'D'},
    {"honderdtachtig dagen", NL, "honderdtachtig dagen", 0, "P180D", 'D'},
    {"driehonderdvijfenzestig dagen", NL, "driehonderdvijfenzestig dagen", 0,
     "P365D", 'D'},
    {"anderhalf jaar", NL, "anderhalf jaar", 0, "P1Y6M", 'Y'},
    {"een half jaar", NL, "een half jaar", 0, "P6M", 'Y'},
    {"tweeënhalf jaar", NL, "twee\xc3\xab" "nhalf jaar", 0, "P2Y6M", 'Y'},
    {"twee en een half jaar", NL, "twee en een half jaar", 0, "P2Y6M", 'Y'},
    {"1,5 jaar", NL, "1,5 jaar", 0, "P1Y6M", 'Y'},
    /* durations without a number: the lexicon's duration_phrases */
    {"sous quinzaine", FR, "sous quinzaine", 0, "P15D", 'D'},
    {"Sous huitaine. (capitals, punctuation)", FR, "Sous huitaine.", 0,
     "P8D", 'D'},
    {"dans le mois", FR, "dans le mois", 0, "P1M", 'M'},
    {"binnen de maand", NL, "binnen de maand", 0, "P1M", 'M'},
    {"binnen het jaar", NL, "binnen het jaar", 0, "P1Y", 'Y'},
    {"within the week", EN, "within the week", 0, "P1W", 'W'},
    {"a number still wins: within the 2 weeks", EN, "within the 2 weeks", 0,
     "P2W", 'W'},
};

/* Only a whole duration phrase counts; its unit word alone, or the phrase
 * inside longer text, gives none. */
static const struct case_ not_phrases[] = {
    {"quinzaine", FR, "quinzaine", 0, NULL, 0},
    {"le mois", FR, "le mois", 0, NULL, 0},
    {"dans le mois de mai", FR, "dans le mois de mai", 0, NULL, 0},
    {"within the month of May", EN, "within the month of May", 0, NULL, 0},
    {"binnen de maand (en)", EN, "binnen de maand", 0, NULL, 0},
};

START_TEST(test_not_phrase)
{
    const struct case_ *c = &not_phrases[_i];
    gx_text t;
    norm(c->name, c->in, &t);
    char iso[GX_ISO_MAX] = "untouched";
    int rc = gx_duration(&shipped->lex[c->lang], t.s, t.len, 0, iso, NULL);
    ck_assert_msg(rc == -1, "%s: gx_duration gave %s", c->name, iso);
    gx_text_free(&t);
}
END_TEST

/* The lower bound of a range takes the upper bound's unit, count and all:
 * "2 to 3 decades" is 20 to 30 years. */
START_TEST(test_range_unit_count)
{
    gx_text t;
    norm("3 decades", "3 decades", &t);
    char iso[GX_ISO_MAX];
    long last = 0;
    ck_assert_int_eq(gx_duration(&shipped->lex[EN], t.s, t.len, 0, iso, &last),
                     0);
    ck_assert_str_eq(iso, "P30Y");
    gx_text_free(&t);
    norm("2", "2", &t);
    ck_assert_int_eq(gx_duration(&shipped->lex[EN], t.s, t.len, last, iso,
                                 NULL), 0);
    ck_assert_msg(!strcmp(iso, "P20Y"), "2 (of decades): %s", iso);
    gx_text_free(&t);
}
END_TEST

START_TEST(test_composed)
{
    const struct case_ *c = &composed[_i];
    gx_text t;
    norm(c->name, c->in, &t);
    char iso[GX_ISO_MAX];
    long last = '?';
    int rc = gx_duration(&shipped->lex[c->lang], t.s, t.len, c->fallback, iso,
                         &last);
    ck_assert_msg(rc == 0, "%s: gx_duration failed", c->name);
    ck_assert_msg(!strcmp(iso, c->want), "%s: %s, want %s", c->name, iso,
                  c->want);
    ck_assert_msg(GX_UNIT_DESIGNATOR(last) == c->last,
                  "%s: last unit '%c', want '%c'", c->name,
                  GX_UNIT_DESIGNATOR(last), c->last);
    gx_text_free(&t);
}
END_TEST

static const struct num_case composed_numbers[] = {
    {"vingt et un", FR, "vingt et un", 21},
    {"quatre-vingt-dix", FR, "quatre-vingt-dix", 90},
    {"eenentwintig", NL, "eenentwintig", 21},
    {"one hundred and twenty", EN, "one hundred and twenty", 120},
    {"not a compound", NL, "eenmaal", -1},
};

START_TEST(test_composed_number)
{
    const struct num_case *c = &composed_numbers[_i];
    gx_text t;
    norm(c->name, c->in, &t);
    int got = gx_first_number(&shipped->lex[c->lang], t.s, t.len);
    ck_assert_msg(got == c->want, "%s: %d, want %d", c->name, got, c->want);
    gx_text_free(&t);
}
END_TEST

/* The shipped value macros capture the whole phrase: ranges with a
 * minimum and a maximum, number words in several parts. */
static const struct doc_case shipped_docs[] = {
    {"en min and max", GDPRX_LANG_EN,
     "We keep invoices for a minimum of 5 and a maximum of 10 years.", "P5Y",
     "P10Y"},
    {"en up to a maximum of", GDPRX_LANG_EN,
     "We keep logs for 6 months up to a maximum of 2 years.", "P6M", "P2Y"},
    {"en hyphenated words", GDPRX_LANG_EN,
     "We keep logs for thirty-six months.", "P36M", NULL},
    {"en parenthesized digits", GDPRX_LANG_EN,
     "We keep logs for forty-five (45) days.", "P45D", NULL},
    {"fr au minimum et au maximum", GDPRX_LANG_FR,
     "Nous conservons les factures au minimum 5 ans et au maximum 10 ans.",
     "P5Y", "P10Y"},
    {"fr words in three parts", GDPRX_LANG_FR,
     "Nous conservons les journaux pendant quatre-vingt-dix jours.", "P90D",
     NULL},
    {"fr et demi", GDPRX_LANG_FR,
     "Nous conservons les candidatures pendant un an et demi.", "P1Y6M",
     NULL},
    {"nl tot maximaal", GDPRX_LANG_NL,
     "Wij bewaren logbestanden 6 maanden tot maximaal 2 jaar.", "P6M", "P2Y"},
    {"nl minimaal en maximaal", GDPRX_LANG_NL,
     "Wij bewaren facturen minimaal 5 en maximaal 10 jaar.", "P5Y", "P10Y"},
    {"nl compound", GDPRX_LANG_NL,
     "Wij bewaren sollicitaties zesendertig maanden.", "P36M", NULL},
    {"nl anderhalf", GDPRX_LANG_NL,
     "Wij bewaren sollicitaties anderhalf jaar.", "P1Y6M", NULL},
};

START_TEST(test_shipped_durations)
{
    const struct doc_case *c = &shipped_docs[_i];
    gdprx_result *r = analyze_lang(shipped, c->in, c->lang);
    const gdprx_finding *f = find_label(r, "retention.period");
    ck_assert_msg(f != NULL, "%s: no retention.period finding", c->name);
    ck_assert_msg(f->duration && !strcmp(f->duration, c->duration),
                  "%s: duration %s, want %s", c->name,
                  f->duration ? f->duration : "(null)", c->duration);
    if (c->duration_max)
        ck_assert_msg(f->duration_max &&
                          !strcmp(f->duration_max, c->duration_max),
                      "%s: duration_max %s, want %s", c->name,
                      f->duration_max ? f->duration_max : "(null)",
                      c->duration_max);
    else
        ck_assert_msg(f->duration_max == NULL, "%s: duration_max %s, want "
                      "none", c->name, f->duration_max);
    gdprx_result_free(r);
}
END_TEST

/* E-mail addresses written against spam harvesters, through the shipped
 * contact rules: the attribute is the address as written. */
static const struct age_case shipped_emails[] = {
    {"(at)", GDPRX_LANG_NL, "Mail ons via privacy(at)winkel.nl met je vraag.",
     "contact.privacy", -1, "privacy(at)winkel.nl"},
    {"[at] and [dot]", GDPRX_LANG_EN,
     "You can reach our privacy team at privacy [at] shop [dot] example.",
     "contact.privacy", -1, "privacy [at] shop [dot] example"},
    {"(at) in French", GDPRX_LANG_FR,
     "Pour exercer vos droits, écrivez à dpo(at)boutique.fr.",
     "contact.privacy", -1, "dpo(at)boutique.fr"},
    {"plain address", GDPRX_LANG_EN,
     "Email privacy@shop.example with any question.", "contact.privacy", -1,
     "privacy@shop.example"},
};

START_TEST(test_shipped_emails)
{
    const struct age_case *c = &shipped_emails[_i];
    gdprx_result *r = analyze_lang(shipped, c->in, c->lang);
    size_t n = gdprx_result_count(r);
    int found = 0;
    for (size_t k = 0; k < n && !found; k++) {
        const gdprx_finding *f = gdprx_result_get(r, k);
        found = f->email && !strcmp(f->email, c->email);
    }
    ck_assert_msg(found, "%s: no finding with email \"%s\"", c->name,
                  c->email);
    gdprx_result_free(r);
}
END_TEST

static Suite *stage_suite(void)
{
    Suite *s = suite_create("attrs");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, rules_setup, rules_teardown);
    tcase_add_loop_test(core, test_duration, 0, N(cases));
    tcase_add_loop_test(core, test_first_number, 0, N(numbers));
    tcase_add_loop_test(core, test_analyze_durations, 0, N(docs));
    tcase_add_loop_test(core, test_age_email, 0, N(ages));
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("errors");
    tcase_add_unchecked_fixture(errors, rules_setup, rules_teardown);
    tcase_add_loop_test(errors, test_no_duration, 0, N(no_duration));
    tcase_add_loop_test(errors, test_no_number, 0, N(no_number));
    tcase_add_loop_test(errors, test_required_attr, 0, N(required));
    suite_add_tcase(s, errors);
    TCase *ship = tcase_create("shipped");
    tcase_add_unchecked_fixture(ship, shipped_setup, shipped_teardown);
    tcase_add_loop_test(ship, test_composed, 0, N(composed));
    tcase_add_test(ship, test_range_unit_count);
    tcase_add_loop_test(ship, test_not_phrase, 0, N(not_phrases));
    tcase_add_loop_test(ship, test_composed_number, 0, N(composed_numbers));
    tcase_add_loop_test(ship, test_shipped_durations, 0, N(shipped_docs));
    tcase_add_loop_test(ship, test_shipped_emails, 0, N(shipped_emails));
    suite_add_tcase(s, ship);
    return s;
}

int main(void) { return run_suite(stage_suite()); }
