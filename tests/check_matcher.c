/* SPDX-License-Identifier: MIT */
/* Stage 5, matching: negation by cues (before and after the match, per
 * language, with the ignore list), patterns that state a denial, rules that
 * are never negated, overlapping matches merged, the types option, findings
 * whose text is byte-identical to the input, and the PCRE2 match limit.
 * Rules: the test rule set (tests/data/rules) plus tests/data/extra. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "loader.h"

static gdprx_rules *rules;

/* The test rule set plus one extra file, through the internal loader. */
static gdprx_rules *load_with(const char *extra)
{
    const char *rel[] = {"rules/lexicon/en.yaml", "rules/lexicon/fr.yaml",
                         "rules/lexicon/nl.yaml", "rules/core.yaml", extra};
    char path[N(rel)][1024];
    char *text[N(rel)];
    gx_source src[N(rel)];
    for (size_t i = 0; i < N(rel); i++) {
        size_t len;
        text[i] = read_all(data_path(rel[i], path[i], sizeof path[i]), &len);
        ck_assert_msg(text[i] != NULL, "cannot read %s", path[i]);
        src[i].name = path[i];
        src[i].yaml = text[i];
        src[i].len = len;
    }
    gdprx_rules *rs = NULL;
    gdprx_error err;
    int rc = gx_load_sources(&rs, src, N(rel), &err);
    ck_assert_msg(rc == GDPRX_OK, "rules with %s: %s", extra, err.message);
    for (size_t i = 0; i < N(rel); i++)
        free(text[i]);
    return rs;
}

static void rules_setup(void) { rules = load_with("extra/matcher.yaml"); }
static void rules_teardown(void) { gdprx_rules_free(rules); }

static int utf8_boundary(const char *s, size_t len, size_t i)
{
    return i == len || (i < len && ((unsigned char)s[i] & 0xC0) != 0x80);
}

/* Every finding of a result: offsets inside the input, on UTF-8
 * boundaries, text byte-identical to input[start, end), inside its clause;
 * findings ordered by start then end. */
static void check_findings(const char *name, const gdprx_result *r,
                           const char *in, size_t len)
{
    size_t prev_s = 0, prev_e = 0;
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        const gdprx_finding *f = gdprx_result_get(r, i);
        ck_assert_msg(f->start < f->end && f->end <= len,
                      "%s: finding %zu spans %zu-%zu", name, i, f->start,
                      f->end);
        ck_assert_msg(utf8_boundary(in, len, f->start) &&
                          utf8_boundary(in, len, f->end),
                      "%s: finding %zu not on UTF-8 boundaries", name, i);
        ck_assert_msg(!memcmp(f->text, in + f->start, f->end - f->start) &&
                          f->text[f->end - f->start] == '\0',
                      "%s: finding %zu text \"%s\" is not input[%zu, %zu)",
                      name, i, f->text, f->start, f->end);
        ck_assert_msg(f->clause_start <= f->start && f->end <= f->clause_end &&
                          f->clause_end <= len,
                      "%s: finding %zu outside its clause %zu-%zu", name, i,
                      f->clause_start, f->clause_end);
        ck_assert_msg(f->start > prev_s ||
                          (f->start == prev_s && f->end >= prev_e) || i == 0,
                      "%s: finding %zu out of order", name, i);
        if (f->negation_cue) {   /* in its clause, or in the list's lead-in
                                    before it */
            const char *at = strstr(in, f->negation_cue);
            ck_assert_msg(f->polarity == GDPRX_NEGATED && at &&
                              (size_t)(at - in) < f->clause_end,
                          "%s: finding %zu cue \"%s\" not before its clause "
                          "end", name, i, f->negation_cue);
        }
        prev_s = f->start;
        prev_e = f->end;
    }
}

/* ---- negation ----------------------------------------------------------- */

#define ANY_CUE "\x01" /* negation_cue must be set, whatever it is */

static const struct case_ {
    const char *name;
    gdprx_lang lang;
    const char *in;
    const char *label;
    gdprx_polarity want;
    const char *cue; /* as written in the input; NULL: none; ANY_CUE */
} cases[] = {
    /* en: cues before the match (after: 0 words) */
    {"en never", GDPRX_LANG_EN, "We never sell your data.", "recipient.sale",
     GDPRX_NEGATED, "never"},
    /* a lead-in that denies passes its polarity to its list items */
    {"en denied list", GDPRX_LANG_EN,
     "We do not share the following:\n\n- data to advertisers\n",
     "recipient.sale", GDPRX_NEGATED, "not"},
    {"en affirmed list", GDPRX_LANG_EN,
     "We share the following:\n\n- data to advertisers\n",
     "recipient.sale", GDPRX_AFFIRMED, NULL},
    {"en list after an exception in the lead-in", GDPRX_LANG_EN,
     "We do not share your data, except the following:\n\n"
     "- data to advertisers\n", "recipient.sale", GDPRX_AFFIRMED, NULL},
    {"fr denied list", GDPRX_LANG_FR,
     "Nous ne faisons jamais ce qui suit :\n\n"
     "- vendre vos donnees a des annonceurs\n",
     "recipient.sale", GDPRX_NEGATED, ANY_CUE},
    {"en not inside the match", GDPRX_LANG_EN,
     "Your data is not sold to anyone.", "recipient.sale", GDPRX_NEGATED,
     "not"},
    {"en do not", GDPRX_LANG_EN, "We do not sell your personal data.",
     "recipient.sale", GDPRX_NEGATED, "not"},
    {"en don't, curly apostrophe", GDPRX_LANG_EN,
     "We don\xe2\x80\x99t sell your personal information.", "recipient.sale",
     GDPRX_NEGATED, "n\xe2\x80\x99t"},
    {"en cannot", GDPRX_LANG_EN, "We cannot sell your data.",
     "recipient.sale", GDPRX_NEGATED, "cannot"},
    {"en NEVER in capitals", GDPRX_LANG_EN, "We NEVER sell your data.",
     "recipient.sale", GDPRX_NEGATED, "NEVER"},
    {"en never, 4 words before", GDPRX_LANG_EN,
     "We will never, under any circumstances, sell your data.",
     "recipient.sale", GDPRX_NEGATED, "never"},
    {"en nor, nearest cue", GDPRX_LANG_EN,
     "Neither we nor our partners sell your data.", "recipient.sale",
     GDPRX_NEGATED, "nor"},
    {"en affirmed", GDPRX_LANG_EN, "We sell your personal data to advertisers.",
     "recipient.sale", GDPRX_AFFIRMED, NULL},
    {"en ignore: not only", GDPRX_LANG_EN,
     "We not only sell your data to advertisers.", "recipient.sale",
     GDPRX_AFFIRMED, NULL},
    {"en ignore: whether or not", GDPRX_LANG_EN,
     "Whether or not you agree, we sell your data.", "recipient.sale",
     GDPRX_AFFIRMED, NULL},
    {"en cue too far before (9 words)", GDPRX_LANG_EN,
     "No cookies are stored on this site and we sell your data.",
     "recipient.sale", GDPRX_AFFIRMED, NULL},
    {"en cue after the match does not count", GDPRX_LANG_EN,
     "We sell your data, never mind.", "recipient.sale", GDPRX_AFFIRMED,
     NULL},
    {"en cue in another clause", GDPRX_LANG_EN,
     "We do not rent it; we sell your data.", "recipient.sale",
     GDPRX_AFFIRMED, NULL},
    {"en cue in another sentence", GDPRX_LANG_EN,
     "We do not. We sell your data.", "recipient.sale", GDPRX_AFFIRMED, NULL},
    {"en cue inside a word does not count", GDPRX_LANG_EN,
     "Notably, we sell your data.", "recipient.sale", GDPRX_AFFIRMED, NULL},
    /* fr: before 6, after 3 */
    {"fr ne ... pas", GDPRX_LANG_FR, "Nous ne vendons pas vos donn\xc3\xa9" "es.",
     "recipient.sale", GDPRX_NEGATED, ANY_CUE},
    {"fr jamais", GDPRX_LANG_FR,
     "Nous ne vendons jamais vos donn\xc3\xa9" "es personnelles.",
     "recipient.sale", GDPRX_NEGATED, ANY_CUE},
    {"fr aucune", GDPRX_LANG_FR, "Nous ne vendons aucune de vos donn\xc3\xa9"
     "es.", "recipient.sale", GDPRX_NEGATED, ANY_CUE},
    {"fr jamais alone (spoken, no ne)", GDPRX_LANG_FR,
     "On vend jamais vos donn\xc3\xa9" "es.", "recipient.sale",
     GDPRX_NEGATED, "jamais"},
    {"fr aucun alone (spoken, no ne)", GDPRX_LANG_FR,
     "On vend aucun de vos fichiers de donn\xc3\xa9" "es.", "recipient.sale",
     GDPRX_NEGATED, "aucun"},
    {"fr n' with curly apostrophe", GDPRX_LANG_FR,
     "Nous n\xe2\x80\x99" "avons jamais vendu vos donn\xc3\xa9" "es.",
     "recipient.sale", GDPRX_NEGATED, ANY_CUE},
    {"fr affirmed", GDPRX_LANG_FR,
     "Nous vendons vos donn\xc3\xa9" "es \xc3\xa0 des partenaires.",
     "recipient.sale", GDPRX_AFFIRMED, NULL},
    {"fr ignore: ne ... que", GDPRX_LANG_FR,
     "Nous ne vendons vos donn\xc3\xa9" "es que si vous y consentez.",
     "recipient.sale", GDPRX_AFFIRMED, NULL},
    /* nl: verb-final negation, after 4 */
    {"nl verb-final niet", GDPRX_LANG_NL, "Wij verkopen uw gegevens niet.",
     "recipient.sale", GDPRX_NEGATED, "niet"},
    {"nl nooit after the match", GDPRX_LANG_NL,
     "Wij verkopen uw persoonsgegevens nooit aan derden.", "recipient.sale",
     GDPRX_NEGATED, "nooit"},
    {"nl geen inside the match", GDPRX_LANG_NL,
     "Wij verkopen geen persoonsgegevens.", "recipient.sale", GDPRX_NEGATED,
     "geen"},
    {"nl niet, 4 spaces after the match", GDPRX_LANG_NL,
     "Wij verkopen uw gegevens aan adverteerders ook niet.",
     "recipient.sale", GDPRX_NEGATED, "niet"},
    {"nl affirmed", GDPRX_LANG_NL, "Wij verkopen uw gegevens aan "
     "adverteerders.", "recipient.sale", GDPRX_AFFIRMED, NULL},
    {"nl ignore: niet alleen", GDPRX_LANG_NL,
     "Wij verkopen niet alleen uw gegevens.", "recipient.sale",
     GDPRX_AFFIRMED, NULL},
    {"nl ignore: niet langer dan", GDPRX_LANG_NL,
     "Wij bewaren uw gegevens niet langer dan twee jaar.",
     "retention.period", GDPRX_AFFIRMED, NULL},
    /* a pattern that states a denial: negated, and cues do not flip it */
    {"pattern polarity negated", GDPRX_LANG_EN,
     "There is no transfer outside the EU.", "transfer.outside_eu",
     GDPRX_NEGATED, NULL},
    {"pattern polarity negated, cue before", GDPRX_LANG_EN,
     "We cannot say that there is no transfer outside the EU.",
     "transfer.outside_eu", GDPRX_NEGATED, NULL},
    {"pattern polarity negated, fr", GDPRX_LANG_FR,
     "Il n\xe2\x80\x99y a aucun transfert hors de l\xe2\x80\x99Union "
     "europ\xc3\xa9" "enne.", "transfer.outside_eu", GDPRX_NEGATED, NULL},
    /* a scope break between the cue and the match stops the negation */
    {"en break: unless", GDPRX_LANG_EN,
     "We never share anything unless we keep your invoices for ten years.",
     "retention.period", GDPRX_AFFIRMED, NULL},
    {"fr break: sauf", GDPRX_LANG_FR,
     "Nous ne gardons rien sauf les factures, conserv\xc3\xa9" "es pendant "
     "dix ans.", "retention.period", GDPRX_AFFIRMED, NULL},
    {"nl break: tenzij", GDPRX_LANG_NL,
     "Wij verkopen niets, tenzij wij uw gegevens aan adverteerders "
     "verkopen.", "recipient.sale", GDPRX_AFFIRMED, NULL},
    {"nl no break: still negated", GDPRX_LANG_NL,
     "Wij verkopen uw gegevens niet, nergens.", "recipient.sale",
     GDPRX_NEGATED, "niet"},
    /* negatable: false */
    {"negatable false", GDPRX_LANG_EN,
     "You are not obliged to provide your data.", "mandatory.provision",
     GDPRX_AFFIRMED, NULL},
    {"negatable false, nl", GDPRX_LANG_NL,
     "Het verstrekken van uw gegevens is niet verplicht.",
     "mandatory.provision", GDPRX_AFFIRMED, NULL},
};

START_TEST(test_negation)
{
    const struct case_ *c = &cases[_i];
    gdprx_result *r = analyze_lang(rules, c->in, c->lang);
    check_findings(c->name, r, c->in, strlen(c->in));
    const gdprx_finding *f = find_label(r, c->label);
    ck_assert_msg(f != NULL, "%s: no %s finding", c->name, c->label);
    ck_assert_msg(f->polarity == c->want, "%s: %s is %s", c->name, c->label,
                  f->polarity == GDPRX_NEGATED ? "negated" : "affirmed");
    if (c->cue == NULL)
        ck_assert_msg(f->negation_cue == NULL, "%s: cue \"%s\", want none",
                      c->name, f->negation_cue);
    else if (!strcmp(c->cue, ANY_CUE))
        ck_assert_msg(f->negation_cue != NULL, "%s: no cue", c->name);
    else
        ck_assert_msg(f->negation_cue && !strcmp(f->negation_cue, c->cue),
                      "%s: cue \"%s\", want \"%s\"", c->name,
                      f->negation_cue ? f->negation_cue : "(null)", c->cue);
    gdprx_result_free(r);
}
END_TEST

/* ---- offsets: findings are exact copies of the input -------------------- */

static const struct exact_case {
    const char *name;
    gdprx_lang lang;
    const char *in;
    const char *label;
    const char *text;     /* the finding's text, as in the input */
    const char *duration; /* or NULL */
} exact[] = {
    {"fr accents and NBSP", GDPRX_LANG_FR,
     "Vos donn\xc3\xa9" "es personnelles sont conserv\xc3\xa9" "es\xc2\xa0"
     "pendant trois\xc2\xa0" "ans.", "retention.period",
     "conserv\xc3\xa9" "es\xc2\xa0pendant trois\xc2\xa0" "ans", "P3Y"},
    {"fr curly apostrophe and narrow NBSP", GDPRX_LANG_FR,
     "Nous conservons l\xe2\x80\x99historique de vos commandes pendant "
     "13\xe2\x80\xafmois.", "retention.period",
     "conservons l\xe2\x80\x99historique de vos commandes pendant "
     "13\xe2\x80\xafmois", "P13M"},
    {"fr decomposed accent and ligature", GDPRX_LANG_FR,
     "Les \xef\xac\x81" "chiers clients sont conserve\xcc\x81" "s pendant "
     "deux\xc2\xa0" "ans.", "retention.period",
     "conserve\xcc\x81" "s pendant deux\xc2\xa0" "ans", "P2Y"},
    {"fr after emoji and guillemets", GDPRX_LANG_FR,
     "\xf0\x9f\x93\xa6 \xc2\xab\xc2\xa0" "Donn\xc3\xa9" "es\xc2\xa0\xc2\xbb"
     "\xc2\xa0: nous conservons vos factures durant dix ans.",
     "retention.period", "conservons vos factures durant dix ans", "P10Y"},
    {"fr sale, NBSP before !", GDPRX_LANG_FR,
     "Nous ne vendons jamais vos donn\xc3\xa9" "es\xc2\xa0!",
     "recipient.sale", "vendons jamais vos donn\xc3\xa9" "es", NULL},
    {"nl accents", GDPRX_LANG_NL, "Wij bewaren uw gegevens \xc3\xa9\xc3\xa9n "
     "jaar.", "retention.period", "bewaren uw gegevens \xc3\xa9\xc3\xa9n jaar",
     "P1Y"},
    {"nl curly apostrophes and NBSP", GDPRX_LANG_NL,
     "Wij bewaren uw foto\xe2\x80\x99s en video\xe2\x80\x99s twee\xc2\xa0"
     "jaar.", "retention.period",
     "bewaren uw foto\xe2\x80\x99s en video\xe2\x80\x99s twee\xc2\xa0jaar",
     "P2Y"},
    {"nl sale after accented text", GDPRX_LANG_NL,
     "Co\xc3\xb6rdinatie: wij verkopen uw gegevens ni\xc3\xa9t.",
     "recipient.sale", "verkopen uw gegevens", NULL},
    {"en curly apostrophe and NBSP", GDPRX_LANG_EN,
     "We keep your customer\xe2\x80\x99s invoices for ten\xc2\xa0years.",
     "retention.period",
     "keep your customer\xe2\x80\x99s invoices for ten\xc2\xa0years", "P10Y"},
    {"en accents before, narrow NBSP", GDPRX_LANG_EN,
     "R\xc3\xa9sum\xc3\xa9s: we retain applicants\xe2\x80\x99 CVs for "
     "6\xe2\x80\xafmonths.", "retention.period",
     "retain applicants\xe2\x80\x99 CVs for 6\xe2\x80\xafmonths", "P6M"},
    {"en soft wrap with CRLF", GDPRX_LANG_EN,
     "We keep your invoices\r\nfor ten years.", "retention.period",
     "keep your invoices\r\nfor ten years", "P10Y"},
    {"en sharp s", GDPRX_LANG_EN, "We keep Stra\xc3\x9f" "e names for 2 "
     "years.", "retention.period", "keep Stra\xc3\x9f" "e names for 2 years",
     "P2Y"},
    {"en ligature inside the match", GDPRX_LANG_EN,
     "We keep \xef\xac\x81les for one year.", "retention.period",
     "keep \xef\xac\x81les for one year", "P1Y"},
    {"en full-width digits", GDPRX_LANG_EN,
     "We keep logs for \xef\xbc\x91\xef\xbc\x92 months.", "retention.period",
     "keep logs for \xef\xbc\x91\xef\xbc\x92 months", "P12M"},
    {"en match at the very start and end", GDPRX_LANG_EN,
     "Keep invoices for ten years", "retention.period",
     "Keep invoices for ten years", "P10Y"},
    {"en NBSP before sell, curly cue", GDPRX_LANG_EN,
     "We don\xe2\x80\x99t\xc2\xa0sell your personal data.", "recipient.sale",
     "sell your personal data", NULL},
    {"en pattern in capitals on case-folded text", GDPRX_LANG_EN,
     "You may receive our Newsletters.", "purpose.marketing", "Newsletters",
     NULL},
    {"fr pattern in capitals, accented text", GDPRX_LANG_FR,
     "Vous recevrez nos lettres d\xe2\x80\x99information.", "purpose.marketing",
     "lettres d\xe2\x80\x99information", NULL},
    {"en after accented letters", GDPRX_LANG_EN,
     "\xc3\xa9\xc3\xa9 We keep your invoices for ten years.",
     "retention.period", "keep your invoices for ten years", "P10Y"},
};

START_TEST(test_exact_text)
{
    const struct exact_case *c = &exact[_i];
    size_t len = strlen(c->in);
    gdprx_result *r = analyze_lang(rules, c->in, c->lang);
    check_findings(c->name, r, c->in, len);
    const gdprx_finding *f = find_label(r, c->label);
    ck_assert_msg(f != NULL, "%s: no %s finding", c->name, c->label);
    size_t n = f->end - f->start;
    ck_assert_msg(n == strlen(c->text) && !memcmp(f->text, c->text, n) &&
                      !memcmp(c->in + f->start, c->text, n),
                  "%s: text \"%.*s\" (%zu-%zu), want \"%s\"", c->name,
                  (int)n, f->text, f->start, f->end, c->text);
    if (c->duration)
        ck_assert_msg(f->duration && !strcmp(f->duration, c->duration),
                      "%s: duration %s, want %s", c->name,
                      f->duration ? f->duration : "(null)", c->duration);
    gdprx_result_free(r);
}
END_TEST

/* ---- merging -------------------------------------------------------------- */

static const struct merge_case {
    const char *name;
    const char *in;
    size_t count;      /* recipient.sale findings */
    const char *first; /* text of the first one */
} merges[] = {
    {"overlapping matches of two rules and two patterns",
     "We sell your personal data to advertisers.", 1,
     "sell your personal data to advertisers"},
    {"the same span from two rules", "We sell your data to them.", 1,
     "sell your data to"},
    {"two separate statements", "We sell your data. We sell your data.", 2,
     "sell your data"},
    {"affirmed and negated stay apart",
     "We never sell your data; we sell your data to advertisers.", 2,
     "sell your data"},
    {"a denial overrides an affirmed reading of the same words",
     "We never sell your data.", 1, "sell your data"},
};

START_TEST(test_merge)
{
    const struct merge_case *c = &merges[_i];
    gdprx_result *r = analyze_lang(rules, c->in, GDPRX_LANG_EN);
    check_findings(c->name, r, c->in, strlen(c->in));
    size_t n = 0;
    const gdprx_finding *first = NULL;
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        const gdprx_finding *f = gdprx_result_get(r, i);
        if (!strcmp(f->type, "recipient") && !strcmp(f->subtype, "sale")) {
            if (!first)
                first = f;
            n++;
        }
    }
    ck_assert_msg(n == c->count, "%s: %zu recipient.sale findings, want %zu",
                  c->name, n, c->count);
    ck_assert_msg(first && !strcmp(first->text, c->first),
                  "%s: first is \"%s\", want \"%s\"", c->name,
                  first ? first->text : "(none)", c->first);
    gdprx_result_free(r);
}
END_TEST

/* ---- sections --------------------------------------------------------- */

static const struct section_case {
    const char *name;
    gdprx_lang lang;
    const char *in;
    const char *label;
    int found;
} sections[] = {
    {"item under its section", GDPRX_LANG_EN,
     "# Your rights\n\nYou have these rights:\n\n- access\n- erasure\n",
     "right.access", 1},
    {"item under another section", GDPRX_LANG_EN,
     "# Cookies\n\nWe use these cookies:\n\n- access\n- session\n",
     "right.access", 0},
    {"no section at all", GDPRX_LANG_EN, "Access to the site is free.",
     "right.access", 0},
    {"fr item under its section", GDPRX_LANG_FR,
     "## Vos droits\n\nVous disposez des droits suivants :\n\n- acc\xc3\xa8s\n"
     "- effacement\n", "right.access", 1},
    {"anchored pattern: the clause alone", GDPRX_LANG_EN,
     "# Your rights\n\nYou have these rights:\n\n- access\n- erasure\n",
     "right.erasure", 1},
    {"anchored pattern: not inside a longer clause", GDPRX_LANG_EN,
     "We honour requests for erasure.", "right.erasure", 0},
    /* lead: the paragraph ending with ':' that opens a list */
    {"lead: item after its lead-in", GDPRX_LANG_EN,
     "We use your data for these purposes:\n\n- managing your account\n"
     "- billing\n", "purpose.service", 1},
    {"lead: loose list, blank lines between items", GDPRX_LANG_EN,
     "We use your data for these purposes:\n\n- billing\n\n"
     "- managing your account\n", "purpose.service", 1},
    {"lead: no lead-in", GDPRX_LANG_EN, "- managing your account\n",
     "purpose.service", 0},
    {"lead: another lead-in", GDPRX_LANG_EN,
     "We collect:\n\n- managing your account\n", "purpose.service", 0},
    {"lead: a heading ends the list", GDPRX_LANG_EN,
     "We use your data for these purposes:\n\n# Other\n\n"
     "- managing your account\n", "purpose.service", 0},
    {"lead: a plain paragraph is no item", GDPRX_LANG_EN,
     "We use your data for these purposes:\nmanaging your account\n",
     "purpose.service", 0},
    {"lead: fr", GDPRX_LANG_FR,
     "Vos donn\xc3\xa9" "es sont trait\xc3\xa9" "es pour les finalit\xc3\xa9"
     "s suivantes :\n\n\xe2\x80\xa2 gestion de votre compte\n",
     "purpose.service", 1},
    {"lead: nl", GDPRX_LANG_NL,
     "Wij gebruiken uw gegevens voor de volgende doeleinden:\n\n"
     "1. beheer van uw account\n", "purpose.service", 1},
};

START_TEST(test_sections)
{
    const struct section_case *c = &sections[_i];
    gdprx_result *r = analyze_lang(rules, c->in, c->lang);
    check_findings(c->name, r, c->in, strlen(c->in));
    const gdprx_finding *f = find_label(r, c->label);
    ck_assert_msg((f != NULL) == c->found, "%s: %s %s", c->name, c->label,
                  f ? "found" : "not found");
    gdprx_result_free(r);
}
END_TEST

/* ---- types option ------------------------------------------------------ */

static const char both[] =
    "We keep your invoices for ten years. We never sell your data.";

static const struct types_case {
    const char *name;
    const char *types;
    int retention, sale; /* expected presence */
} types[] = {
    {"all (NULL)", NULL, 1, 1},
    {"all (empty)", "", 1, 1},
    {"one type", "retention", 1, 0},
    {"type.subtype", "recipient.sale", 0, 1},
    {"two", "retention,recipient", 1, 1},
    {"spaces around", " retention , recipient.sale ", 1, 1},
    {"a type without findings here", "transfer", 0, 0},
};

START_TEST(test_types)
{
    const struct types_case *c = &types[_i];
    gdprx_options o;
    gdprx_options_init(&o);
    o.lang = GDPRX_LANG_EN;
    o.types = c->types;
    gdprx_result *r = NULL;
    gdprx_error err;
    int rc = gdprx_analyze(&r, rules, both, strlen(both), &o, &err);
    ck_assert_msg(rc == GDPRX_OK, "%s: rc %d: %s", c->name, rc, err.message);
    int ret = find_label(r, "retention.period") != NULL;
    int sale = find_label(r, "recipient.sale") != NULL;
    ck_assert_msg(ret == c->retention && sale == c->sale,
                  "%s: retention %d sale %d, want %d %d", c->name, ret, sale,
                  c->retention, c->sale);
    ck_assert_msg(gdprx_result_count(r) == (size_t)(ret + sale),
                  "%s: %zu findings", c->name, gdprx_result_count(r));
    gdprx_result_free(r);
}
END_TEST

/* ---- errors -------------------------------------------------------------- */

static const struct bad_types {
    const char *name;
    const char *types;
    const char *named; /* in the message */
} bad_types[] = {
    {"unknown type", "nope", "nope"},
    {"unknown among known", "retention,nope", "nope"},
    {"unknown subtype", "retention.nope", "retention.nope"},
    {"a rule id is not a type", "recipient.sale.sell", "recipient.sale.sell"},
    {"type prefix only", "ret", "ret"},
};

START_TEST(test_bad_types)
{
    const struct bad_types *c = &bad_types[_i];
    gdprx_options o;
    gdprx_options_init(&o);
    o.types = c->types;
    gdprx_result *r = (gdprx_result *)&o;
    gdprx_error err;
    int rc = gdprx_analyze(&r, rules, both, strlen(both), &o, &err);
    ck_assert_msg(rc == GDPRX_EINVAL && err.code == GDPRX_EINVAL,
                  "%s: rc %d", c->name, rc);
    ck_assert_msg(r == (gdprx_result *)&o, "%s: *out changed", c->name);
    ck_assert_msg(strstr(err.message, c->named) != NULL,
                  "%s: message \"%s\" does not name \"%s\"", c->name,
                  err.message, c->named);
}
END_TEST

/* A pattern with catastrophic backtracking hits the match limit on its
 * clause: a warning, and everything else is still analyzed, including the
 * same clause by the other rules. */
START_TEST(test_match_limit)
{
    gdprx_rules *rs = load_with("extra/limit.yaml");
    char in[512];
    char run[121];
    memset(run, 'a', sizeof run - 1);
    run[sizeof run - 1] = '\0';
    snprintf(in, sizeof in,
             "Caf\xc3\xa9 cr\xc3\xa8me is served; we sell your data %s x b. "
             "We keep your invoices for ten years.", run);
    gdprx_result *r = analyze_lang(rs, in, GDPRX_LANG_EN);
    ck_assert_msg(gdprx_result_warning_count(r) > 0, "match limit: no warning");
    const char *w = gdprx_result_warning(r, 0);
    ck_assert_msg(w && strstr(w, "test.limit.catastrophic") &&
                      strstr(w, "limit"),
                  "match limit: warning \"%s\"", w ? w : "(null)");
    /* the clause starts at byte 24 of the input (22 once normalized) */
    ck_assert_msg(strstr(w, "at byte 24:") != NULL,
                  "match limit: warning offset in \"%s\"", w);
    ck_assert_msg(find_label(r, "recipient.sale") != NULL,
                  "match limit: the same clause not analyzed by other rules");
    const gdprx_finding *f = find_label(r, "retention.period");
    ck_assert_msg(f && f->duration && !strcmp(f->duration, "P10Y"),
                  "match limit: the next sentence not analyzed");
    ck_assert_msg(find_label(r, "test.limit") == NULL,
                  "match limit: a finding from the runaway pattern");
    check_findings("match limit", r, in, strlen(in));
    gdprx_result_free(r);
    /* the same pattern where it can match: no warning, a finding */
    r = analyze_lang(rs, "We keep aab here.", GDPRX_LANG_EN);
    ck_assert_msg(gdprx_result_warning_count(r) == 0 &&
                      find_label(r, "test.limit") != NULL,
                  "match limit: short subject, %zu warnings",
                  gdprx_result_warning_count(r));
    gdprx_result_free(r);
    /* a match that needs more than the JIT's default stack: found, whole */
    enum { DEEP = 1700 };   /* > 32 KB of JIT stack; a clause < GX_CLAUSE_MAX */
    char *deep = malloc(DEEP + 64);
    ck_assert_ptr_nonnull(deep);
    memcpy(deep, "We keep ", 8);
    for (int i = 0; i < DEEP; i++)
        deep[8 + i] = i % 2 ? 'y' : 'x';
    strcpy(deep + 8 + DEEP, "z here.");
    r = analyze_lang(rs, deep, GDPRX_LANG_EN);
    f = find_label(r, "test.deep");
    ck_assert_msg(f && f->end - f->start == DEEP + 1,
                  "deep match: %s (%zu bytes), %zu warnings", f ? "short" : "none", f ? f->end - f->start : 0,
                  gdprx_result_warning_count(r));
    ck_assert_msg(gdprx_result_warning_count(r) == 0,
                  "deep match: warning \"%s\"", gdprx_result_warning(r, 0));
    gdprx_result_free(r);
    free(deep);
    gdprx_rules_free(rs);
}
END_TEST

/* ---- cases over concepts (format v2) ---------------------------------- */

static gdprx_rules *case_rules;
static void cases_setup(void) { case_rules = load_with("extra/cases.yaml"); }
static void cases_teardown(void) { gdprx_rules_free(case_rules); }

static const struct concept_case {
    const char *name;
    gdprx_lang lang;
    const char *in;
    const char *rule;     /* the one finding expected, or NULL for none */
    const char *text;     /* its text */
    const char *duration; /* its duration, or NULL */
    int negated;
} concept_cases[] = {
    {"all, with a regex term's attribute", GDPRX_LANG_EN,
     "Invoices are kept for ten years.", "cookies.lifetime.case",
     "kept for ten years", "P10Y", 0},
    {"prefix term, accents folded in a French term", GDPRX_LANG_FR,
     "Les factures sont conservées cinq ans.", "cookies.lifetime.case",
     "conservées cinq ans", "P5Y", 0},
    {"Dutch order needs no rule of its own", GDPRX_LANG_NL,
     "Facturen worden zeven jaar bewaard.", "cookies.lifetime.case",
     "zeven jaar bewaard", "P7Y", 0},
    {"needs: no unit word, so the duration regex does not run",
     GDPRX_LANG_EN, "Invoices are kept for ten.", NULL, NULL, NULL, 0},
    {"none: a cookie clause is no retention period", GDPRX_LANG_EN,
     "Cookies are stored for 13 months.", NULL, NULL, NULL, 0},
    {"near: witnesses too far apart", GDPRX_LANG_EN,
     "We keep in mind that you may want to hear from us about our offers "
     "within two years.", NULL, NULL, NULL, 0},
    {"order holds", GDPRX_LANG_EN, "We never sell customer records.",
     "recipient.third_party.case", "sell customer records", NULL, 1},
    {"order broken", GDPRX_LANG_EN, "Your data is what we sell to nobody.",
     NULL, NULL, NULL, 0},
    {"@reference and a group in a phrase", GDPRX_LANG_EN,
     "They sold the data.", "recipient.third_party.case", "sold the data", NULL,
     0},
    {"a phrase does not cross a comma", GDPRX_LANG_EN,
     "We sell customer, records.", NULL, NULL, NULL, 0},
    {"section holds", GDPRX_LANG_EN, "# Your rights\n\n- Erasure\n",
     "right.erasure.case", "Erasure", NULL, 0},
    {"section missing", GDPRX_LANG_EN, "# Cookies\n\n- Erasure\n", NULL,
     NULL, NULL, 0},
    /* section: the heading of a section the clause's section lies in counts
     * ("## Your rights" above "### In detail"), not the title, not a
     * sibling section */
    {"section two levels up", GDPRX_LANG_EN,
     "# Notice\n\n## Your rights\n\n### In detail\n\n#### Note\n\n- Erasure\n",
     "right.erasure.case", "Erasure", NULL, 0},
    {"section: the title (level 1) encloses nothing", GDPRX_LANG_EN,
     "# Your rights\n\n## In detail\n\n- Erasure\n", NULL, NULL, NULL, 0},
    {"section: a sibling section does not enclose", GDPRX_LANG_EN,
     "## Your rights\n\n### Access\n\n## Cookies\n\n### Other\n\n"
     "- Erasure\n", NULL, NULL, NULL, 0},
    {"a table cell's column header is its section", GDPRX_LANG_EN,
     "Intro.\n\n| Data | Retention |\n| --- | --- |\n"
     "| Invoices | 10 years |\n", "retention.period.case_cell", "10 years",
     "P10Y", 0},
    {"every body row's cells have their column header (not only the first "
     "row's)", GDPRX_LANG_EN,
     "Intro.\n\n| Data | Retention |\n| --- | --- |\n"
     "| Invoices | on request |\n| Logs | 6 months |\n| Notes | - |\n",
     "retention.period.case_cell", "6 months", "P6M", 0},
    {"a later body row's cell has its column header too", GDPRX_LANG_EN,
     "Intro.\n\n| Data | Retention |\n| --- | --- |\n"
     "| Invoices | none |\n| Logs | kept apart |\n| Backups | 10 years |\n",
     "retention.period.case_cell", "10 years", "P10Y", 0},
    {"another column's header does not count", GDPRX_LANG_EN,
     "Intro.\n\n| Retention | Note |\n| --- | --- |\n"
     "| Invoices | 10 years |\n", NULL, NULL, NULL, 0},
    {"alone: a bare list item", GDPRX_LANG_EN,
     "Legal bases:\n\n- Consent\n", "legal_basis.consent.case_alone",
     "Consent", NULL, 0},
    {"alone: not inside a sentence", GDPRX_LANG_EN,
     "You may withdraw consent at any time.", NULL, NULL, NULL, 0},
    {"none_within: far enough", GDPRX_LANG_EN,
     "We trade nothing with them, and you can always withdraw.",
     "recipient.processor.case_near", "trade", NULL, 0},
    {"none_within: too close", GDPRX_LANG_EN, "We trade or withdraw.", NULL,
     NULL, NULL, 0},
    {"none_near: far enough, next to a clause-wide none", GDPRX_LANG_FR,
     "Nous troquons des paniers et vous pouvez toujours vous retirer.",
     "recipient.partner.case_none_near", "troquons", NULL, 0},
    {"none_near: too close", GDPRX_LANG_FR, "Nous troquons ou retirons.",
     NULL, NULL, NULL, 0},
    {"none_near does not lift the case's clause-wide none", GDPRX_LANG_FR,
     "Nous troquons des paniers avec beaucoup de cookies partout.", NULL, NULL,
     NULL, 0},
    {"a case's regex runs where its concepts hold", GDPRX_LANG_NL,
     "Uw gegevens worden bewaard tot verwijdering.",
     "retention.deletion.case", "bewaard tot verwijdering", NULL, 0},
};

START_TEST(test_concept_cases)
{
    const struct concept_case *c = &concept_cases[_i];
    gdprx_result *r = analyze_lang(case_rules, c->in, c->lang);
    check_findings(c->name, r, c->in, strlen(c->in));
    const gdprx_finding *hit = NULL;
    size_t n = 0;
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        const gdprx_finding *f = gdprx_result_get(r, i);
        if (strstr(f->rule_id, ".case")) {
            hit = f;
            n++;
        }
    }
    if (!c->rule) {
        ck_assert_msg(n == 0, "%s: unexpected %s \"%s\"", c->name,
                      hit->rule_id, hit->text);
    } else {
        ck_assert_msg(n == 1, "%s: %zu findings, want 1", c->name, n);
        ck_assert_str_eq(hit->rule_id, c->rule);
        ck_assert_str_eq(hit->text, c->text);
        ck_assert_int_eq(hit->polarity == GDPRX_NEGATED, c->negated);
        if (c->duration)
            ck_assert_msg(hit->duration && !strcmp(hit->duration, c->duration),
                          "%s: duration %s, want %s", c->name,
                          hit->duration ? hit->duration : "(none)",
                          c->duration);
    }
    gdprx_result_free(r);
}
END_TEST

/* A context condition's cases: rule `rule` of the case rules gives `want`
 * findings (each with text "Trade") on input `in`. */
static const struct context_case {
    const char *rule;
    const char *in;
    int want;
} context_cases[] = {
    /* column: the header cell of a table cell's column holds the concept; a
     * heading with it does not count, nor another column's header */
    {"right.objection.column_only",
     "Intro.\n\n| Rights | Note |\n| --- | --- |\n| Trade | yes |\n", 1},
    {"right.objection.column_only",
     "Intro.\n\n| Note | Rights |\n| --- | --- |\n| Trade | yes |\n", 0},
    {"right.objection.column_only", "# Your rights\n\n- Trade\n", 0},
    {"right.objection.column_only",
     "# Your rights\n\n| Note | Other |\n| --- | --- |\n| Trade | yes |\n", 0},
    /* none_section: the case does not hold under a heading, or a column
     * header, that holds the concept; elsewhere it does */
    {"right.restriction.not_under", "# Prices\n\nTrade daily.\n", 1},
    {"right.restriction.not_under", "Trade daily.\n", 1},
    {"right.restriction.not_under", "# Your rights\n\nTrade daily.\n", 0},
    {"right.restriction.not_under",
     "## Your rights\n\n### Prices\n\nTrade daily.\n", 0},
    {"right.restriction.not_under",
     "# Your rights\n\n## Prices\n\nTrade daily.\n", 1},
    {"right.restriction.not_under",
     "Intro.\n\n| Rights | Note |\n| --- | --- |\n| Trade | yes |\n", 0},
    /* prev: the sentence before the clause's, in its paragraph, holds the
     * concept; not the same sentence, not two sentences back, not the
     * previous paragraph, list item or table cell, not a heading */
    {"right.erasure.after_rights", "About your rights. Trade daily.\n", 1},
    {"right.erasure.after_rights", "Rights and prices. Trade. Trade.\n", 1},
    {"right.erasure.after_rights", "Rights; trade daily.\n", 0},
    {"right.erasure.after_rights", "Rights here. Then. Trade daily.\n", 0},
    {"right.erasure.after_rights", "Rights here.\n\nTrade daily.\n", 0},
    {"right.erasure.after_rights", "Rights:\n\n- Rights here.\n- Trade.\n",
     0},
    {"right.erasure.after_rights", "# Your rights\n\nTrade daily.\n", 0},
    {"right.erasure.after_rights",
     "Intro.\n\n| Rights | Note |\n| --- | --- |\n| Rights | Trade |\n", 0},
    /* none_prev: the reverse, with no sentence before holding */
    {"right.portability.not_after_rights", "About your rights. Trade.\n", 0},
    {"right.portability.not_after_rights", "Rights. Prices. Trade.\n", 1},
    {"right.portability.not_after_rights", "Trade daily.\n", 1},
    {"right.portability.not_after_rights", "Rights; Trade daily.\n", 1},
    {"right.portability.not_after_rights", "Rights here.\n\nTrade.\n", 1},
    /* prev_clause: the clause before, in the same sentence; not the clause
     * two back, not the next one, not the sentence before, not a lead-in
     * or a table's row cell, nothing for a sentence's first clause */
    {"right.rectification.after_clause", "Rights apply; Trade daily.\n", 1},
    {"right.rectification.after_clause", "Rights apply, but Trade.\n", 1},
    {"right.rectification.after_clause",
     "Prices; rights apply; Trade daily.\n", 1},
    {"right.rectification.after_clause",
     "Rights apply; prices; Trade daily.\n", 0},
    {"right.rectification.after_clause", "Trade daily; rights apply.\n", 0},
    {"right.rectification.after_clause", "Rights apply. Trade daily.\n", 0},
    {"right.rectification.after_clause", "Trade daily.\n", 0},
    {"right.rectification.after_clause", "Rights:\n\n- Trade.\n", 0},
    {"right.rectification.after_clause",
     "Intro.\n\n| Rights | Trade |\n| --- | --- |\n| Rights | Trade |\n",
     0},
};

START_TEST(test_context_cases)
{
    const struct context_case *c = &context_cases[_i];
    gdprx_result *r = analyze_lang(case_rules, c->in, GDPRX_LANG_EN);
    check_findings(c->rule, r, c->in, strlen(c->in));
    int n = 0;
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        const gdprx_finding *f = gdprx_result_get(r, i);
        if (!strcmp(f->rule_id, c->rule)) {
            ck_assert_str_eq(f->text, "Trade");
            n++;
        }
    }
    ck_assert_msg(n == c->want, "%s, case %d: %d findings, want %d", c->rule,
                  _i, n, c->want);
    gdprx_result_free(r);
}
END_TEST

/* every: a finding per mention; none_near within 0: not inside or touching
 * a blocking concept, but one word away is far enough. */
START_TEST(test_case_every)
{
    static const struct {
        gdprx_lang lang;
        const char *in;
        const char *want;   /* the case's findings' texts, '|'-joined */
    } t[] = {
        {GDPRX_LANG_EN, "Our helpdesk and the help desk of our partner "
                        "answer.", "helpdesk|help desk"},
        {GDPRX_LANG_EN, "Write to helpdesk@example.org or ask our helpdesk.",
         "helpdesk"},
        {GDPRX_LANG_NL, "De helpdesk (helpdesk@example.org) en de "
                        "servicedesk.", "helpdesk|servicedesk"},
        {GDPRX_LANG_FR, "Contact: assistance@example.org.", ""},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        gdprx_result *r = analyze_lang(case_rules, t[i].in, t[i].lang);
        char got[256] = "";
        for (size_t k = 0; k < gdprx_result_count(r); k++) {
            const gdprx_finding *f = gdprx_result_get(r, k);
            if (strcmp(f->rule_id, "purpose.support.case_every"))
                continue;
            if (*got)
                strncat(got, "|", sizeof got - strlen(got) - 1);
            strncat(got, f->text, sizeof got - strlen(got) - 1);
        }
        ck_assert_msg(!strcmp(got, t[i].want), "\"%s\": got \"%s\", want "
                      "\"%s\"", t[i].in, got, t[i].want);
        gdprx_result_free(r);
    }
}
END_TEST

/* Nested or overlapping findings of one label in a clause are one finding:
 * the outer span (or both spans), with the attribute value only one had. */
START_TEST(test_nested_fold)
{
    const char *in = "Our data protection officer (dpo@example.org) answers.";
    gdprx_result *r = analyze_lang(case_rules, in, GDPRX_LANG_EN);
    check_findings("nested", r, in, strlen(in));
    size_t n = 0;
    const gdprx_finding *hit = NULL;
    for (size_t i = 0; i < gdprx_result_count(r); i++)
        if (!strcmp(gdprx_result_get(r, i)->rule_id,
                    "contact.dpo.case_nested"))
            hit = gdprx_result_get(r, i), n++;
    ck_assert_msg(n == 1, "nested: %zu findings, want 1", n);
    ck_assert_str_eq(hit->text,
                     "data protection officer (dpo@example.org) answers");
    ck_assert_msg(hit->email && !strcmp(hit->email, "dpo@example.org"),
                  "nested: email %s", hit->email ? hit->email : "(none)");
    gdprx_result_free(r);
    /* two e-mails: values that differ stay two findings */
    in = "Write to ann@example.org or bob@example.org.";
    r = analyze_lang(case_rules, in, GDPRX_LANG_EN);
    n = 0;
    for (size_t i = 0; i < gdprx_result_count(r); i++)
        n += !strcmp(gdprx_result_get(r, i)->rule_id,
                     "contact.privacy.case_mails");
    ck_assert_msg(n == 2, "two e-mails: %zu findings, want 2", n);
    gdprx_result_free(r);
    /* overlapping, not nested ("Write to" and "to dpo@example.org"): one
     * finding over both, with the e-mail */
    in = "Please write to dpo@example.org today.";
    r = analyze_lang(case_rules, in, GDPRX_LANG_EN);
    check_findings("overlap", r, in, strlen(in));
    n = 0;
    for (size_t i = 0; i < gdprx_result_count(r); i++)
        if (!strcmp(gdprx_result_get(r, i)->rule_id,
                    "contact.dpo.case_overlap"))
            hit = gdprx_result_get(r, i), n++;
    ck_assert_msg(n == 1, "overlap: %zu findings, want 1", n);
    ck_assert_str_eq(hit->text, "write to dpo@example.org");
    ck_assert_msg(hit->email && !strcmp(hit->email, "dpo@example.org"),
                  "overlap: email %s", hit->email ? hit->email : "(none)");
    gdprx_result_free(r);
}
END_TEST

static Suite *stage_suite(void)
{
    Suite *s = suite_create("matcher");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, rules_setup, rules_teardown);
    tcase_add_loop_test(core, test_negation, 0, N(cases));
    tcase_add_loop_test(core, test_exact_text, 0, N(exact));
    tcase_add_loop_test(core, test_merge, 0, N(merges));
    tcase_add_loop_test(core, test_sections, 0, N(sections));
    tcase_add_loop_test(core, test_types, 0, N(types));
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("errors");
    tcase_add_unchecked_fixture(errors, rules_setup, rules_teardown);
    tcase_add_loop_test(errors, test_bad_types, 0, N(bad_types));
    tcase_add_test(errors, test_match_limit);
    suite_add_tcase(s, errors);
    TCase *concepts = tcase_create("concepts");
    tcase_add_unchecked_fixture(concepts, cases_setup, cases_teardown);
    tcase_add_loop_test(concepts, test_concept_cases, 0, N(concept_cases));
    tcase_add_test(concepts, test_case_every);
    tcase_add_loop_test(concepts, test_context_cases, 0,
                        (int)(sizeof context_cases / sizeof *context_cases));
    tcase_add_test(concepts, test_nested_fold);
    suite_add_tcase(s, concepts);
    return s;
}

int main(void) { return run_suite(stage_suite()); }
