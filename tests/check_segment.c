/* SPDX-License-Identifier: MIT */
/* Stage 3, segmentation, seen through gdprx_analyze() and
 * gdprx_result_segment(): each case lists the segments expected in document
 * order, one per line, as KIND:original text with "H" heading, "P"
 * paragraph, "C" clause (line breaks inside a segment written "\n"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "segment.h"

static gdprx_rules *rules;

static void rules_setup(void) { rules = load_test_rules(); }
static void rules_teardown(void) { gdprx_rules_free(rules); }

/* The segments of a result as text; caller frees. */
static char *listing(const gdprx_result *r, const char *in)
{
    size_t cap = 4096, n = 0;
    char *out = malloc(cap);
    ck_assert_msg(out != NULL, "listing: malloc");
    out[0] = '\0';
    for (size_t i = 0; i < gdprx_result_segment_count(r); i++) {
        const gdprx_segment *g = gdprx_result_segment(r, i);
        size_t need = n + 4 + 2 * (g->end - g->start);
        if (need >= cap) {
            cap = 2 * need;
            out = realloc(out, cap);
            ck_assert_msg(out != NULL, "listing: realloc");
        }
        out[n++] = g->kind == GDPRX_SEG_HEADING     ? 'H'
                   : g->kind == GDPRX_SEG_PARAGRAPH ? 'P'
                   : g->kind == GDPRX_SEG_CLAUSE    ? 'C'
                                                    : '?';
        out[n++] = ':';
        for (size_t k = g->start; k < g->end; k++) {
            if (in[k] == '\n') {
                out[n++] = '\\';
                out[n++] = 'n';
            } else {
                out[n++] = in[k];
            }
        }
        out[n++] = '\n';
        out[n] = '\0';
    }
    return out;
}

static const struct case_ {
    const char *name;
    gdprx_lang lang;
    const char *in;
    const char *want;
} cases[] = {
    {"Markdown front matter skipped", GDPRX_LANG_EN,
     "---\ntitle: Privacy policy\nlayout: page\n---\n"
     "# Privacy policy\n\nWe keep your invoices for ten years.\n",
     "H:Privacy policy\n"
     "P:We keep your invoices for ten years.\n"
     "C:We keep your invoices for ten years.\n"},
    {"front matter ended by ...", GDPRX_LANG_EN,
     "---\ntitle: Privacy\n...\nWe keep your invoices.\n",
     "P:We keep your invoices.\n"
     "C:We keep your invoices.\n"},
    {"# headings of every level", GDPRX_LANG_EN,
     "# Privacy\n\n## Who we are\n\nWe are a shop.\n\n### Contact ###\n\n"
     "Write to us.\n",
     "H:Privacy\nH:Who we are\nP:We are a shop.\nC:We are a shop.\n"
     "H:Contact\nP:Write to us.\nC:Write to us.\n"},
    {"'#' without a space is not a heading", GDPRX_LANG_EN,
     "#1 promise: we never sell your personal data.\nMore text follows "
     "here.\n",
     "P:#1 promise: we never sell your personal data.\\nMore text follows "
     "here.\n"
     "C:#1 promise: we never sell your personal data.\n"
     "C:More text follows here.\n"},
    {"kramdown attribute list stripped", GDPRX_LANG_EN,
     "## Who we are {: #who-we-are }\n\nWe are a shop.\n",
     "H:Who we are\nP:We are a shop.\nC:We are a shop.\n"},
    {"kramdown attribute line skipped", GDPRX_LANG_EN,
     "## Retention\n{: .section}\n\nWe keep your invoices.\n",
     "H:Retention\nP:We keep your invoices.\nC:We keep your invoices.\n"},
    {"numbered heading", GDPRX_LANG_EN,
     "1. Who are we?\n\nWe are a small shop in Ghent.\n\n"
     "2. What data do we keep?\n\nYour name and address.\n",
     "H:1. Who are we?\nP:We are a small shop in Ghent.\n"
     "C:We are a small shop in Ghent.\n"
     "H:2. What data do we keep?\nP:Your name and address.\n"
     "C:Your name and address.\n"},
    {"ALL CAPS heading", GDPRX_LANG_EN,
     "YOUR RIGHTS\nYou may ask us to delete your data.\n",
     "H:YOUR RIGHTS\nP:You may ask us to delete your data.\n"
     "C:You may ask us to delete your data.\n"},
    {"ALL CAPS heading with accents", GDPRX_LANG_FR,
     "POLITIQUE DE CONFIDENTIALIT\xc3\x89\n\nNous sommes une boulangerie.\n",
     "H:POLITIQUE DE CONFIDENTIALIT\xc3\x89\n"
     "P:Nous sommes une boulangerie.\nC:Nous sommes une boulangerie.\n"},
    {"question heading", GDPRX_LANG_EN,
     "What data do we collect?\nWe collect your name and your address.\n",
     "H:What data do we collect?\n"
     "P:We collect your name and your address.\n"
     "C:We collect your name and your address.\n"},
    {"title line: opens a section and is matched too", GDPRX_LANG_EN,
     "Intro text here.\n\nData Retention\n\nWe keep your invoices.\n",
     "P:Intro text here.\nC:Intro text here.\nH:Data Retention\n"
     "P:Data Retention\nC:Data Retention\n"
     "P:We keep your invoices.\nC:We keep your invoices.\n"},
    {"a 'Label: value' line is content, not a title", GDPRX_LANG_EN,
     "Intro text here.\n\nRetention period: two years\n\nMore text here.\n",
     "P:Intro text here.\nC:Intro text here.\n"
     "P:Retention period: two years\nC:Retention period: two years\n"
     "P:More text here.\nC:More text here.\n"},
    {"consecutive 'Label: value' lines are paragraphs of their own",
     GDPRX_LANG_EN,
     "Door logs: 6 months\nCamera images: 28 days\n**Invoices:** 7 years\n",
     "P:Door logs: 6 months\nC:Door logs: 6 months\n"
     "P:Camera images: 28 days\nC:Camera images: 28 days\n"
     "P:**Invoices:** 7 years\nC:**Invoices:** 7 years\n"},
    {"a soft-wrapped sentence with a colon stays one paragraph", GDPRX_LANG_EN,
     "We keep two things for a year\nlogs: they show who logged in.\n"
     "Opening hours: 10:30 to 17:00\nsee https://example.org\n",
     "P:We keep two things for a year\\nlogs: they show who logged in.\\n"
     "Opening hours: 10:30 to 17:00\\nsee https://example.org\n"
     "C:We keep two things for a year\\nlogs: they show who logged in.\n"
     "C:Opening hours: 10:30 to 17:00\\nsee https://example.org\n"},
    {"setext heading", GDPRX_LANG_EN,
     "Retention\n=========\n\nWe keep your invoices.\n",
     "H:Retention\nP:We keep your invoices.\nC:We keep your invoices.\n"},
    {"a single line is never a heading: question", GDPRX_LANG_EN,
     "Who are we?", "P:Who are we?\nC:Who are we?\n"},
    {"a single line is never a heading: capitals", GDPRX_LANG_EN,
     "YOUR RIGHTS\n", "P:YOUR RIGHTS\nC:YOUR RIGHTS\n"},
    {"a single line is never a heading: title case", GDPRX_LANG_EN,
     "Data Retention", "P:Data Retention\nC:Data Retention\n"},
    {"a single line is never a heading: numbered", GDPRX_LANG_EN,
     "1. Who are we?\n", "P:Who are we?\nC:Who are we?\n"},
    {"list items are their own clauses", GDPRX_LANG_EN,
     "We collect:\n- your name\n* your e-mail address\n"
     "\xe2\x80\xa2 your phone number\n1. your address\n(a) your age\n",
     "P:We collect:\nC:We collect:\n"
     "P:your name\nC:your name\n"
     "P:your e-mail address\nC:your e-mail address\n"
     "P:your phone number\nC:your phone number\n"
     "P:your address\nC:your address\n"
     "P:your age\nC:your age\n"},
    {"numbered list after a colon is not headings", GDPRX_LANG_EN,
     "We collect:\n\n1. Your name\n2. Your address\n",
     "P:We collect:\nC:We collect:\nP:Your name\nC:Your name\n"
     "P:Your address\nC:Your address\n"},
    {"a numbered list of three is not headings", GDPRX_LANG_EN,
     "We collect:\n\n1. Your name\n2. Your address\n3. Your phone number\n"
     "\nWe keep them.\n",
     "P:We collect:\nC:We collect:\nP:Your name\nC:Your name\n"
     "P:Your address\nC:Your address\nP:Your phone number\n"
     "C:Your phone number\nP:We keep them.\nC:We keep them.\n"},
    {"numbered headings over numbered subsections", GDPRX_LANG_EN,
     "1. About this notice\n\n1.1 We are a shop.\n\n2. Your rights\n\n"
     "2.1 You may ask for a copy.\n2.2 Write to us.\n\n3. Changes\n\n"
     "3.1 We may change it.\n",
     "H:1. About this notice\nP:We are a shop.\nC:We are a shop.\n"
     "H:2. Your rights\nP:You may ask for a copy.\nC:You may ask for a copy.\n"
     "P:Write to us.\nC:Write to us.\nH:3. Changes\n"
     "P:We may change it.\nC:We may change it.\n"},
    {"numbered title lines in a row are a list", GDPRX_LANG_EN,
     "Your rights\n\n1. Access\n2. Erasure\n3. Portability\n\nWrite to us.\n",
     "H:Your rights\nP:Your rights\nC:Your rights\nP:Access\nC:Access\n"
     "P:Erasure\nC:Erasure\nP:Portability\nC:Portability\n"
     "P:Write to us.\nC:Write to us.\n"},
    {"';' splits clauses", GDPRX_LANG_EN,
     "We collect your name; we keep it for a year.\n",
     "P:We collect your name; we keep it for a year.\n"
     "C:We collect your name;\nC:we keep it for a year.\n"},
    {"', but ' splits clauses (en clause_split)", GDPRX_LANG_EN,
     "We keep your data for a year, but we never sell it.\n",
     "P:We keep your data for a year, but we never sell it.\n"
     "C:We keep your data for a year\nC:but we never sell it.\n"},
    {"', but ' splits a clause that a ';' ends too, not a table cell",
     GDPRX_LANG_EN,
     "We keep it a year, but never sell it; we share it, but only with "
     "you.\n\n| We keep it, but | Now |\n",
     "P:We keep it a year, but never sell it; we share it, but only with "
     "you.\n"
     "C:We keep it a year\nC:but never sell it;\nC:we share it\n"
     "C:but only with you.\nP:| We keep it, but | Now |\n"
     "C:We keep it, but\nC:Now\n"},
    {"', mais ' splits clauses (fr clause_split)", GDPRX_LANG_FR,
     "Nous conservons vos donn\xc3\xa9" "es, mais nous ne les vendons pas.\n",
     "P:Nous conservons vos donn\xc3\xa9" "es, mais nous ne les vendons pas.\n"
     "C:Nous conservons vos donn\xc3\xa9" "es\n"
     "C:mais nous ne les vendons pas.\n"},
    {"', maar ' splits clauses (nl clause_split)", GDPRX_LANG_NL,
     "Wij bewaren uw gegevens, maar wij verkopen ze niet.\n",
     "P:Wij bewaren uw gegevens, maar wij verkopen ze niet.\n"
     "C:Wij bewaren uw gegevens\nC:maar wij verkopen ze niet.\n"},
    {"sentences are clauses", GDPRX_LANG_EN,
     "We keep logs. We never sell data.\n",
     "P:We keep logs. We never sell data.\nC:We keep logs.\n"
     "C:We never sell data.\n"},
    /* number_abbreviations: ICU ends a sentence at "Art." before "6.1" */
    {"no sentence ends after 'Art.' before a number (en lexicon)",
     GDPRX_LANG_EN, "We rely on Art. 6.1.b GDPR. We never sell data.\n",
     "P:We rely on Art. 6.1.b GDPR. We never sell data.\n"
     "C:We rely on Art. 6.1.b GDPR.\nC:We never sell data.\n"},
    {"... nor after 'blz.' (nl lexicon)",
     GDPRX_LANG_NL, "Zie blz. 4.2 van de gids. Wij bewaren het.\n",
     "P:Zie blz. 4.2 van de gids. Wij bewaren het.\n"
     "C:Zie blz. 4.2 van de gids.\nC:Wij bewaren het.\n"},
    {"... but after a word that is none, and after 'art.' inside a word",
     GDPRX_LANG_EN, "See the annex. 6.1 Scope. Ask the smart. 2.1 Rules.\n",
     "P:See the annex. 6.1 Scope. Ask the smart. 2.1 Rules.\n"
     "C:See the annex.\nC:6.1 Scope.\nC:Ask the smart.\nC:2.1 Rules.\n"},
    {"... nor after 'al.' in French, whatever its case",
     GDPRX_LANG_FR, "Voir l'AL. 2.3 du code. Nous ne vendons rien.\n",
     "P:Voir l'AL. 2.3 du code. Nous ne vendons rien.\n"
     "C:Voir l'AL. 2.3 du code.\nC:Nous ne vendons rien.\n"},
    {"soft-wrapped lines join into one clause", GDPRX_LANG_EN,
     "We keep your invoices\nfor ten years because\nthe law requires it.\n",
     "P:We keep your invoices\\nfor ten years because\\nthe law requires "
     "it.\n"
     "C:We keep your invoices\\nfor ten years because\\nthe law requires "
     "it.\n"},
    {"soft wrap with CRLF", GDPRX_LANG_EN,
     "We keep your invoices\r\nfor ten years.\r\n",
     "P:We keep your invoices\r\\nfor ten years.\n"
     "C:We keep your invoices\r\\nfor ten years.\n"},
    {"blank line ends a paragraph", GDPRX_LANG_EN,
     "We keep your logs,\n\nfor ten years.\n",
     "P:We keep your logs,\nC:We keep your logs,\nP:for ten years.\n"
     "C:for ten years.\n"},
};

/* The segment listing of a case equals its expected one. */
static void check_listing(const struct case_ *c)
{
    gdprx_result *r = analyze_lang(rules, c->in, c->lang);
    char *got = listing(r, c->in);
    ck_assert_msg(!strcmp(got, c->want), "%s:\ngot:\n%s\nwant:\n%s", c->name,
                  got, c->want);
    free(got);
    gdprx_result_free(r);
}

START_TEST(test_segments)
{
    check_listing(&cases[_i]);
}
END_TEST

/* Segment invariants over every case: ordered, inside the input, on UTF-8
 * boundaries, every clause inside a paragraph and without a line break
 * (after normalization: a CR or LF may only be a soft wrap). */
START_TEST(test_segment_invariants)
{
    const struct case_ *c = &cases[_i];
    size_t len = strlen(c->in);
    gdprx_result *r = analyze_lang(rules, c->in, c->lang);
    size_t prev = 0, pa_s = 0, pa_e = 0;
    int have_para = 0;
    for (size_t i = 0; i < gdprx_result_segment_count(r); i++) {
        const gdprx_segment *g = gdprx_result_segment(r, i);
        ck_assert_msg(g->start < g->end && g->end <= len,
                      "%s: segment %zu spans %zu-%zu", c->name, i, g->start,
                      g->end);
        ck_assert_msg(g->start >= prev, "%s: segment %zu out of order",
                      c->name, i);
        ck_assert_msg(((unsigned char)c->in[g->start] & 0xC0) != 0x80 &&
                          (g->end == len ||
                           ((unsigned char)c->in[g->end] & 0xC0) != 0x80),
                      "%s: segment %zu not on UTF-8 boundaries", c->name, i);
        prev = g->start;
        if (g->kind == GDPRX_SEG_PARAGRAPH) {
            pa_s = g->start;
            pa_e = g->end;
            have_para = 1;
        } else if (g->kind == GDPRX_SEG_CLAUSE) {
            ck_assert_msg(have_para && g->start >= pa_s && g->end <= pa_e,
                          "%s: clause %zu outside its paragraph", c->name, i);
        } else {
            ck_assert_msg(g->kind == GDPRX_SEG_HEADING,
                          "%s: segment %zu has kind %d", c->name, i,
                          (int)g->kind);
            have_para = 0;
        }
    }
    ck_assert_msg(gdprx_result_segment(r, gdprx_result_segment_count(r)) ==
                      NULL, "%s: segment past the end", c->name);
    gdprx_result_free(r);
}
END_TEST

/* Findings and clauses report the heading of their section, as written. */
static const struct section_case {
    const char *name;
    gdprx_lang lang;
    const char *in;
    const char *phrase;  /* text inside the finding */
    const char *label;
    const char *section; /* NULL: none */
} sections[] = {
    {"markdown heading", GDPRX_LANG_EN,
     "# Retention\n\nWe keep your invoices for ten years.\n", "invoices",
     "retention.period", "Retention"},
    {"second of two sections", GDPRX_LANG_EN,
     "# Retention\n\nWe keep your invoices for ten years.\n\n"
     "# Sharing\n\nWe never sell your personal data.\n", "sell",
     "recipient.sale", "Sharing"},
    {"first of two sections", GDPRX_LANG_EN,
     "# Retention\n\nWe keep your invoices for ten years.\n\n"
     "# Sharing\n\nWe never sell your personal data.\n", "invoices",
     "retention.period", "Retention"},
    {"kramdown heading", GDPRX_LANG_EN,
     "## How long we keep data {: #retention }\n\n"
     "We keep your invoices for ten years.\n", "invoices", "retention.period",
     "How long we keep data"},
    {"question heading with accents", GDPRX_LANG_FR,
     "Combien de temps conservons-nous vos donn\xc3\xa9" "es ?\n"
     "Les factures sont conserv\xc3\xa9" "es pendant dix ans.\n", "pendant",
     "retention.period",
     "Combien de temps conservons-nous vos donn\xc3\xa9" "es ?"},
    {"ALL CAPS heading", GDPRX_LANG_NL,
     "BEWAARTERMIJN\n\nWij bewaren uw facturen zeven jaar.\n", "facturen",
     "retention.period", "BEWAARTERMIJN"},
    {"numbered heading", GDPRX_LANG_EN,
     "3. How long do we keep your data?\n\n"
     "We keep your invoices for ten years.\n", "invoices",
     "retention.period", "3. How long do we keep your data?"},
    {"list item under a heading", GDPRX_LANG_EN,
     "## Sharing\n\nWe promise that:\n- we never sell your data\n", "sell",
     "recipient.sale", "Sharing"},
    {"no heading", GDPRX_LANG_EN, "We keep your invoices for ten years.\n",
     "invoices", "retention.period", NULL},
    {"text before the first heading has none", GDPRX_LANG_EN,
     "We keep your invoices for ten years.\n\n# Sharing\n\n"
     "We never sell your data.\n", "invoices", "retention.period", NULL},
};

START_TEST(test_sections)
{
    const struct section_case *c = &sections[_i];
    gdprx_result *r = analyze_lang(rules, c->in, c->lang);
    size_t at = (size_t)(strstr(c->in, c->phrase) - c->in);
    const gdprx_finding *f = NULL;
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        const gdprx_finding *g = gdprx_result_get(r, i);
        char label[128];
        snprintf(label, sizeof label, "%s.%s", g->type, g->subtype);
        if (g->start <= at && at < g->end && !strcmp(label, c->label))
            f = g;
    }
    ck_assert_msg(f != NULL, "%s: no %s finding over \"%s\"", c->name,
                  c->label, c->phrase);
    if (c->section)
        ck_assert_msg(f->section && !strcmp(f->section, c->section),
                      "%s: section \"%s\", want \"%s\"", c->name,
                      f->section ? f->section : "(null)", c->section);
    else
        ck_assert_msg(f->section == NULL, "%s: section \"%s\", want none",
                      c->name, f->section);
    /* the clause segment holding the finding has the same section */
    const gdprx_segment *cl = NULL;
    for (size_t i = 0; i < gdprx_result_segment_count(r); i++) {
        const gdprx_segment *g = gdprx_result_segment(r, i);
        if (g->kind == GDPRX_SEG_CLAUSE && g->start == f->clause_start &&
            g->end == f->clause_end)
            cl = g;
    }
    ck_assert_msg(cl != NULL, "%s: no clause segment %zu-%zu", c->name,
                  f->clause_start, f->clause_end);
    ck_assert_msg((cl->section == NULL) == (c->section == NULL) &&
                      (!c->section || !strcmp(cl->section, c->section)),
                  "%s: clause section \"%s\"", c->name,
                  cl->section ? cl->section : "(null)");
    gdprx_result_free(r);
}
END_TEST

/* Headings are never matched: a heading alone states nothing. */
START_TEST(test_heading_not_matched)
{
    static const char in[] = "# We never sell your personal data\n\n"
                             "Read on.\n";
    gdprx_result *r = analyze_lang(rules, in, GDPRX_LANG_EN);
    ck_assert_msg(gdprx_result_count(r) == 0,
                  "heading not matched: %zu findings", gdprx_result_count(r));
    gdprx_result_free(r);
}
END_TEST

/* gx_segment directly: soft line breaks inside a paragraph become spaces in
 * the normalized text (offsets do not move); clauses never hold '\n'. */
START_TEST(test_gx_segment_soft_wrap)
{
    static const char in[] = "# Title\n\nWe keep your\ninvoices; and\n"
                             "for ten years.\n\nNext one.\n";
    gx_text t;
    gx_doc d;
    gdprx_error err;
    ck_assert_msg(gx_normalize(&t, in, strlen(in), 0, &err) == GDPRX_OK,
                  "soft wrap: %s", err.message);
    size_t len = t.len;
    ck_assert_msg(gx_segment(&d, &t, in, rules, 0, &err) == GDPRX_OK,
                  "soft wrap: %s", err.message);
    ck_assert_msg(t.len == len, "soft wrap: normalized length changed");
    ck_assert_msg(d.n_hd == 1 && d.n_pa == 2 && d.n_cl == 3,
                  "soft wrap: %zu headings, %zu paragraphs, %zu clauses",
                  d.n_hd, d.n_pa, d.n_cl);
    ck_assert_msg(!memcmp(t.s + d.pa[0].s, "we keep your invoices; and for "
                                           "ten years.",
                          d.pa[0].e - d.pa[0].s),
                  "soft wrap: paragraph \"%.*s\"",
                  (int)(d.pa[0].e - d.pa[0].s), t.s + d.pa[0].s);
    for (size_t i = 0; i < d.n_cl; i++) {
        ck_assert_msg(!memchr(t.s + d.cl[i].s, '\n', d.cl[i].e - d.cl[i].s),
                      "soft wrap: clause %zu holds a line break", i);
        ck_assert_msg(d.cl[i].section == 0, "soft wrap: clause %zu section "
                      "%d", i, d.cl[i].section);
    }
    ck_assert_msg(d.cl[0].e - d.cl[0].s == strlen("we keep your invoices;") &&
                      !memcmp(t.s + d.cl[0].s, "we keep your invoices;",
                              d.cl[0].e - d.cl[0].s),
                  "soft wrap: clause 0 \"%.*s\"",
                  (int)(d.cl[0].e - d.cl[0].s), t.s + d.cl[0].s);
    gx_doc_free(&d);
    gx_text_free(&t);
}
END_TEST

/* Headings carry their level (Markdown ATX and setext; 0 for a heading told
 * by its form) and the heading of the section they lie in: the nearest
 * heading before them of a lower level from 2; a level-1 heading (the
 * title) encloses nothing, and a sibling or a deeper heading is skipped. */
START_TEST(test_heading_parents)
{
    static const char in[] =
        "# Privacy notice\n\n## 1. What we collect\n\n### In the app\n\n"
        "Text.\n\n#### Logs\n\nText.\n\n### On the site\n\nText.\n\n"
        "## 2. Your rights\n\nText.\n\nBY E-MAIL\n\nText.\n\n"
        "Contact\n-------\n\nText.\n\n# Annex\n\nText.\n";
    static const struct { int level, parent; } want[] = {
        {1, -1},  /* Privacy notice: the title */
        {2, -1},  /* 1. What we collect: the title encloses nothing */
        {3, 1},   /* In the app */
        {4, 2},   /* Logs */
        {3, 1},   /* On the site: a sibling of In the app, not its child */
        {2, -1},  /* 2. Your rights */
        {0, 5},   /* BY E-MAIL: told by its form, inside 2. Your rights */
        {2, -1},  /* Contact (setext '-'): a sibling of 2. Your rights */
        {1, -1},  /* Annex */
    };
    gx_text t;
    gx_doc d;
    gdprx_error err;
    ck_assert_msg(gx_normalize(&t, in, strlen(in), 0, &err) == GDPRX_OK,
                  "parents: %s", err.message);
    ck_assert_msg(gx_segment(&d, &t, in, rules, 0, &err) == GDPRX_OK,
                  "parents: %s", err.message);
    ck_assert_msg(d.n_hd == sizeof want / sizeof *want, "parents: %zu headings",
                  d.n_hd);
    for (size_t i = 0; i < d.n_hd; i++)
        ck_assert_msg(d.hd[i].level == want[i].level &&
                          d.hd[i].parent == want[i].parent,
                      "parents: heading %zu \"%.*s\": level %d parent %d, "
                      "want %d %d", i, (int)(d.hd[i].e - d.hd[i].s),
                      t.s + d.hd[i].s, d.hd[i].level, d.hd[i].parent,
                      want[i].level, want[i].parent);
    gx_doc_free(&d);
    gx_text_free(&t);
}
END_TEST

/* ---- errors ----------------------------------------------------------- */

/* Inputs with nothing to segment, or odd line structures. */
static const struct case_ odd[] = {
    {"empty", GDPRX_LANG_EN, "", ""},
    {"only blank lines", GDPRX_LANG_EN, "\n\n \n\t\n", ""},
    {"only front matter", GDPRX_LANG_EN, "---\ntitle: x\n---\n", ""},
    {"unterminated front matter is text", GDPRX_LANG_EN,
     "---\ntitle: We keep data.\n",
     "P:title: We keep data.\nC:title: We keep data.\n"},
    {"only a horizontal rule", GDPRX_LANG_EN, "-----\n", ""},
    {"only Markdown headings", GDPRX_LANG_EN, "# One\n\n## Two\n",
     "H:One\nH:Two\n"},
    {"only separators: no clause", GDPRX_LANG_EN, "; ; ;\n", "P:; ; ;\n"},
    {"a very long line is never a heading", GDPRX_LANG_EN,
     "WE KEEP YOUR INVOICES FOR TEN YEARS BECAUSE THE LAW OF THIS COUNTRY "
     "REQUIRES IT AND WE HAVE NO CHOICE IN THE MATTER AT ALL OR ANY OTHER\n"
     "Thanks.\n",
     "P:WE KEEP YOUR INVOICES FOR TEN YEARS BECAUSE THE LAW OF THIS COUNTRY "
     "REQUIRES IT AND WE HAVE NO CHOICE IN THE MATTER AT ALL OR ANY OTHER"
     "\\nThanks.\n"
     "C:WE KEEP YOUR INVOICES FOR TEN YEARS BECAUSE THE LAW OF THIS COUNTRY "
     "REQUIRES IT AND WE HAVE NO CHOICE IN THE MATTER AT ALL OR ANY OTHER"
     "\\nThanks.\n"},
    {"an e-mail address line is not a heading", GDPRX_LANG_EN,
     "DPO@SHOP.EXAMPLE\n\nWrite to us.\n",
     "P:DPO@SHOP.EXAMPLE\nC:DPO@SHOP.EXAMPLE\nP:Write to us.\n"
     "C:Write to us.\n"},
};

/* A paragraph longer than GX_SENTENCE_WINDOW (read by the sentence
 * breaker in windows) gives the same sentences as short text: each one a
 * clause, none cut where a window ends. */
START_TEST(test_long_paragraph_windows)
{
    size_t n = 0, cap = 3 * GX_SENTENCE_WINDOW, k = 0;
    char *in = malloc(cap + 64);
    ck_assert_ptr_nonnull(in);
    for (; n < cap; k++)
        n += (size_t)sprintf(in + n, "We keep item %zu for %s years. ", k,
                             k % 3 ? "two" : "several more");
    gx_text t;
    gx_doc d;
    gdprx_error err;
    ck_assert_msg(gx_normalize(&t, in, n, 0, &err) == GDPRX_OK, "%s",
                  err.message);
    ck_assert_msg(gx_segment(&d, &t, in, rules, 0, &err) == GDPRX_OK, "%s",
                  err.message);
    ck_assert_msg(d.n_pa == 1 && d.n_cl == k, "%zu paragraphs, %zu clauses, "
                  "want 1 and %zu", d.n_pa, d.n_cl, k);
    for (size_t i = 0; i < d.n_cl; i++) {
        char want[64];
        int wl = snprintf(want, sizeof want, "we keep item %zu for %s years.",
                          i, i % 3 ? "two" : "several more");
        ck_assert_msg(d.cl[i].e - d.cl[i].s == (size_t)wl &&
                          !memcmp(t.s + d.cl[i].s, want, (size_t)wl),
                      "clause %zu is \"%.*s\"", i,
                      (int)(d.cl[i].e - d.cl[i].s), t.s + d.cl[i].s);
    }
    gx_doc_free(&d);
    gx_text_free(&t);
    free(in);
}
END_TEST

/* Inputs whose first paragraph is one sentence of several KB (no sentence
 * end): a list lead-in, one with clause_split matches (", but "), one
 * whose overlong clause is cut before ',' (the next piece starts past it),
 * and overlong clauses before a clause_split match and before a ';'. */
static char *long_sentence(int kind, size_t *len)
{
    static const char *const units[] = {
        "we gather, store and pass on your details to suppliers for "
        "statistics and publicity, ",
        "we store your postal address for deliveries, but not your card "
        "number, and we pass on the order to the courier, ",
        "alpha ,beta ,gamma ,delta ,epsilon ,zeta ,eta ,theta ,iota ,",
        "and your phone number ",
        "and your phone number ",
    };
    static const char *const seps[] = {"", "", "", "but not your card, ",
                                       "; "};
    size_t cap = 16000, n = 0;
    char *in = malloc(cap + 200);
    ck_assert_ptr_nonnull(in);
    while (n < cap) {
        n += (size_t)sprintf(in + n, "%s", units[kind]);
        if (n % 6000 < strlen(units[kind]))   /* every ~6 KB */
            n += (size_t)sprintf(in + n, "%s", seps[kind]);
    }
    n += (size_t)sprintf(in + n, "as follows:\n- your name\n- your e-mail "
                                 "address for two years\n\nThe end.\n");
    *len = n;
    return in;
}

/* Segmenting part by part (gx_segment_next) with parts of 1, 333 and 2048
 * bytes gives the clauses of one part, and cuts inside the long sentence
 * (a sentence with no end is not one part), inside any overlong clause. */
START_TEST(test_cut_inside_sentence)
{
    size_t n;
    char *in = long_sentence(_i, &n);
    gx_text t;
    gx_doc whole;
    gdprx_error err;
    ck_assert(gx_normalize(&t, in, n, 0, &err) == GDPRX_OK);
    ck_assert(gx_segment(&whole, &t, in, rules, 0, &err) == GDPRX_OK);
    ck_assert(whole.n_pa >= 3 && whole.n_cl > 3);
    size_t sent_e = whole.pa[0].e;
    gx_text_free(&t);
    static const size_t sizes[] = {1, 333, 2048};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        gx_text tp;
        gx_doc d;
        gx_segcur *c;
        ck_assert(gx_normalize(&tp, in, n, 0, &err) == GDPRX_OK);
        ck_assert(gx_segment_begin(&c, &d, &tp, in, rules, 0, &err) ==
                  GDPRX_OK);
        size_t got = 0, inside = 0, lo, hi;
        for (;;) {
            ck_assert(gx_segment_next(c, sizes[k], &lo, &hi) == GDPRX_OK);
            if (hi > 0 && hi < sent_e)
                inside++;
            /* parts of 1 byte end at the first place they may: overlong
             * clauses are cut at most GX_CLAUSE_MAX bytes apart */
            ck_assert_msg(sizes[k] > 1 || hi - lo <= GX_CLAUSE_MAX + 32,
                          "kind %d: part [%zu, %zu) of %zu bytes", _i, lo, hi,
                          hi - lo);
            for (size_t i = 0; i < d.n_cl; i++, got++) {
                ck_assert_msg(got < whole.n_cl, "kind %d, parts of %zu: "
                              "more clauses than %zu", _i, sizes[k],
                              whole.n_cl);
                const gx_clause *a = &whole.cl[got], *b = &d.cl[i];
                ck_assert_msg(a->s == b->s && a->e == b->e &&
                                  a->lang == b->lang &&
                                  a->section == b->section &&
                                  a->lead == b->lead,
                              "kind %d, parts of %zu: clause %zu is [%zu, "
                              "%zu), want [%zu, %zu)", _i, sizes[k], got,
                              b->s, b->e, a->s, a->e);
                ck_assert(b->s >= lo && b->e <= hi);
            }
            if (gx_segment_done(c))
                break;
        }
        ck_assert_msg(got == whole.n_cl, "kind %d, parts of %zu: %zu "
                      "clauses, want %zu", _i, sizes[k], got, whole.n_cl);
        ck_assert_msg(inside >= (sizes[k] < 2048 ? 3 : 1),
                      "kind %d, parts of %zu: %zu cuts inside the sentence",
                      _i, sizes[k], inside);
        gx_segment_end(c);
        gx_doc_free(&d);
        gx_text_free(&tp);
    }
    gx_doc_free(&whole);
    free(in);
}
END_TEST

START_TEST(test_odd_inputs)
{
    check_listing(&odd[_i]);
}
END_TEST

static Suite *stage_suite(void)
{
    Suite *s = suite_create("segment");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, rules_setup, rules_teardown);
    tcase_add_loop_test(core, test_segments, 0, N(cases));
    tcase_add_loop_test(core, test_segment_invariants, 0, N(cases));
    tcase_add_loop_test(core, test_sections, 0, N(sections));
    tcase_add_test(core, test_heading_not_matched);
    tcase_add_test(core, test_gx_segment_soft_wrap);
    tcase_add_test(core, test_heading_parents);
    tcase_add_test(core, test_long_paragraph_windows);
    tcase_add_loop_test(core, test_cut_inside_sentence, 0, 5);
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("errors");
    tcase_add_unchecked_fixture(errors, rules_setup, rules_teardown);
    tcase_add_loop_test(errors, test_odd_inputs, 0, N(odd));
    suite_add_tcase(s, errors);
    return s;
}

int main(void) { return run_suite(stage_suite()); }
