/* SPDX-License-Identifier: MIT */
/* Chunked analysis (gdprx_options.chunk_size) changes memory, never
 * output: every document of the development corpus ($GDPRX_CORPUS, read at
 * test time) analyzed in parts of 2 KB, and of 1 byte (a part at every
 * place a part may start), gives the same JSON and the same segments as in
 * one part; so do the corpus joined into one line, a Markdown table with
 * its header far above the rows, a list under a long lead-in, a list
 * under a lead-in many parts long (two: one that denies), one long
 * table row, and a text without any place to cut. A streamed analysis
 * (gdprx_analyze_write_json, gdprx_analyze_each) gives the same JSON,
 * coverage and segments in parts of every size, for text and HTML, and
 * stops cleanly when its callback says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static char **docs;    /* owned: paths of the corpus documents */
static size_t n_docs;
static gdprx_rules *rules;

static void setup(void)
{
    gdprx_error err;
    ck_assert_msg(gdprx_rules_load(&rules, rules_dir(), &err) == GDPRX_OK,
                  "%s", err.message);
}

static void teardown(void) { gdprx_rules_free(rules); }

/* A growing byte buffer for streamed JSON; pieces_left < 0: no limit, else
 * the write callback refuses the piece after that many. */
typedef struct sink {
    char *s;
    size_t n, cap;
    long pieces_left;
} sink;

static int sink_write(void *ctx, const char *bytes, size_t len)
{
    sink *k = ctx;
    if (k->pieces_left == 0)
        return 1;
    if (k->pieces_left > 0)
        k->pieces_left--;
    if (k->n + len + 1 > k->cap) {
        k->cap = 2 * (k->n + len + 1);
        k->s = realloc(k->s, k->cap);
        ck_assert_ptr_nonnull(k->s);
    }
    memcpy(k->s + k->n, bytes, len);
    k->n += len;
    k->s[k->n] = '\0';
    return 0;
}

/* The JSON of text analyzed in parts of `chunk` bytes (0: the default),
 * with its segments appended one a line; streamed: by
 * gdprx_analyze_write_json. Ownership: the caller's (free). */
static char *output_as(const char *text, size_t len, size_t chunk,
                       gdprx_lang lang, int streamed)
{
    gdprx_options o;
    gdprx_options_init(&o);
    o.chunk_size = chunk;
    o.lang = lang;
    o.flags = GDPRX_OPT_REPLACE_INVALID;
    gdprx_result *r = NULL;
    gdprx_error err;
    char *js = NULL;
    size_t n = 0;
    if (streamed) {
        sink k = {NULL, 0, 0, -1};
        ck_assert_msg(gdprx_analyze_write_json(&r, rules, text, len, &o,
                                               sink_write, &k, &err) ==
                          GDPRX_OK, "%s", err.message);
        ck_assert_int_eq(gdprx_result_count(r), 0);
        js = k.s;
        n = k.n;
    } else {
        ck_assert_msg(gdprx_analyze(&r, rules, text, len, &o, &err) ==
                          GDPRX_OK, "%s", err.message);
        ck_assert_int_eq(gdprx_result_to_json(&js, &n, r, &err), GDPRX_OK);
        ck_assert_int_eq(gdprx_result_streamed(r), 0);
    }
    size_t ns = gdprx_result_segment_count(r);
    char *out = malloc(n + ns * 96 + 1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, js, n);
    for (size_t i = 0; i < ns; i++) {
        const gdprx_segment *g = gdprx_result_segment(r, i);
        n += (size_t)sprintf(out + n, "\n%d %zu %zu %d %s", (int)g->kind,
                             g->start, g->end, (int)g->lang,
                             g->section ? g->section : "-");
    }
    out[n] = '\0';
    if (streamed)
        free(js);
    else
        gdprx_free(js);
    gdprx_result_free(r);
    return out;
}

static char *output(const char *text, size_t len, size_t chunk,
                    gdprx_lang lang)
{
    return output_as(text, len, chunk, lang, 0);
}

/* Each finding's span and, with GDPRX_OPT_EXPLAIN, the concepts of the
 * case that made it, one line each (the witnesses are kept apart from the
 * hits and their memory reused part after part). Ownership: the caller's
 * (free). */
static char *explained(const char *text, size_t len, size_t chunk,
                       gdprx_lang lang)
{
    gdprx_options o;
    gdprx_options_init(&o);
    o.chunk_size = chunk;
    o.lang = lang;
    o.flags = GDPRX_OPT_REPLACE_INVALID | GDPRX_OPT_EXPLAIN;
    gdprx_result *r = NULL;
    gdprx_error err;
    ck_assert_msg(gdprx_analyze(&r, rules, text, len, &o, &err) == GDPRX_OK,
                  "%s", err.message);
    size_t cap = 1, n = 0;
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        const gdprx_finding *f = gdprx_result_get(r, i);
        cap += 48 + (f->concepts ? strlen(f->concepts) : 1);
    }
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    out[0] = '\0';
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        const gdprx_finding *f = gdprx_result_get(r, i);
        n += (size_t)sprintf(out + n, "%zu %zu %s\n", f->start, f->end,
                             f->concepts ? f->concepts : "-");
    }
    gdprx_result_free(r);
    return out;
}

/* The first byte where a and b differ (strlen(a) when equal). */
static size_t first_diff(const char *a, const char *b)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    return i;
}

/* Parts of each size in sizes[] give what one part gives. */
static void same_in_parts(const char *what, const char *text, size_t len,
                          gdprx_lang lang)
{
    static const size_t sizes[] = {2048, 1, 333};
    char *whole = output(text, len, (size_t)-1, lang);
    char *dflt = output(text, len, 0, lang);
    ck_assert_msg(!strcmp(whole, dflt), "%s: default chunk size differs",
                  what);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        for (int streamed = 0; streamed < 2; streamed++) {
            char *parts = output_as(text, len, sizes[k], lang, streamed);
            size_t i = first_diff(whole, parts);
            ck_assert_msg(!strcmp(whole, parts), "%s: parts of %zu bytes%s "
                          "differ at output byte %zu: \"%.60s\" vs \"%.60s\"",
                          what, sizes[k], streamed ? ", streamed," : "", i,
                          whole + i, parts + i);
            free(parts);
        }
    }
    char *why = explained(text, len, (size_t)-1, lang);
    /* a text with findings has some made by a case's concepts */
    ck_assert_msg(!strstr(whole, "\"rule\"") || strchr(why, '"'),
                  "%s: no finding names its concepts", what);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        char *parts = explained(text, len, sizes[k], lang);
        size_t i = first_diff(why, parts);
        ck_assert_msg(!strcmp(why, parts), "%s: explained in parts of %zu "
                      "bytes, differs at byte %zu: \"%.60s\" vs \"%.60s\"",
                      what, sizes[k], i, why + i, parts + i);
        free(parts);
    }
    free(why);
    free(whole);
    free(dflt);
}

START_TEST(test_corpus_document)
{
    size_t len;
    char *text = read_all(docs[_i], &len);
    ck_assert_msg(text != NULL, "cannot read %s", docs[_i]);
    same_in_parts(docs[_i], text, len, GDPRX_LANG_AUTO);
    free(text);
}
END_TEST

/* The corpus joined into one line: parts cut at sentence starts. */
START_TEST(test_single_line)
{
    size_t cap = 400000, n = 0;
    char *all = malloc(cap + 1);
    ck_assert_ptr_nonnull(all);
    for (size_t i = 0; i < n_docs && n < cap; i++) {
        size_t len;
        char *text = read_all(docs[i], &len);
        ck_assert(text != NULL);
        for (size_t k = 0; k < len && n < cap; k++)
            all[n++] = text[k] == '\n' || text[k] == '\r' ? ' ' : text[k];
        if (n < cap)
            all[n++] = ' ';
        free(text);
    }
    while (n > 0 && ((unsigned char)all[n] & 0xC0) == 0x80)
        n--;   /* cut at a character boundary */
    same_in_parts("corpus on one line", all, n, GDPRX_LANG_AUTO);
    free(all);
}
END_TEST

/* Append s to buf (room for it is the caller's). */
static size_t put(char *buf, size_t n, const char *s)
{
    size_t l = strlen(s);
    memcpy(buf + n, s, l);
    return n + l;
}

/* Context far from the clauses: a table header 300 rows above, a list
 * lead-in above many items, a heading above a long section. */
START_TEST(test_far_context)
{
    char *t = malloc(200000);
    ck_assert_ptr_nonnull(t);
    size_t n = put(t, 0, "# Retention\n\n| Data | Retention period |\n"
                         "|---|---|\n");
    for (int i = 0; i < 300; i++)
        n = put(t, n, i % 2 ? "| invoices | ten years |\n"
                            : "| account data | 2 years after closing |\n");
    n = put(t, n, "\nWe share your data with the following recipients:\n\n");
    for (int i = 0; i < 300; i++)
        n = put(t, n, i % 2 ? "- payment providers\n" : "- our hosting "
                              "provider, who stores it in the EU\n");
    n = put(t, n, "\n## Your rights\n\n");
    for (int i = 0; i < 300; i++)
        n = put(t, n, "You may ask us for a copy of your data. We do not "
                      "sell it; we keep it for three years. ");
    same_in_parts("far context", t, n, GDPRX_LANG_EN);
    free(t);
}
END_TEST

/* `count` units, odd ones `odd` and even ones `even`, then `tail`: a text
 * (owned by the caller) of *n bytes. */
static char *alternate(const char *odd, const char *even, int count,
                       const char *tail, size_t *n)
{
    char *t = malloc(100000);
    ck_assert_ptr_nonnull(t);
    *n = 0;
    for (int i = 0; i < count; i++)
        *n = put(t, *n, i % 2 ? odd : even);
    *n = put(t, *n, tail);
    t[*n] = '\0';
    return t;
}

/* How often `needle` occurs in s. */
static size_t occurrences(const char *s, const char *needle)
{
    size_t k = 0;
    for (const char *p = s; (p = strstr(p, needle)); p++)
        k++;
    return k;
}

/* The sentence before a clause (a case's prev condition: "We archive
 * the invoices. This period is ten years.") lies in the part before when
 * a part starts at the clause's sentence: known there as in one part. */
START_TEST(test_prev_sentence)
{
    size_t n;
    char *t = alternate("We archive the invoices. This period is ten years. ",
                        "The shop is closed. This period is two weeks. ",
                        400, "", &n);
    char *whole = output(t, n, (size_t)-1, GDPRX_LANG_EN);
    size_t hits = occurrences(whole, "\"P10Y\"");
    ck_assert_msg(hits == 200, "%zu ten-year periods, want 200", hits);
    ck_assert_msg(!strstr(whole, "\"P2W\""), "a shop's closing is no "
                  "retention period");
    free(whole);
    same_in_parts("sentence before", t, n, GDPRX_LANG_EN);
    free(t);
}
END_TEST

/* The clause before a clause in its sentence (a case's prev_clause
 * condition: "you may refuse, but we will then be unable to answer") lies
 * in the part before when a part starts inside the sentence, at a clause:
 * known there as in one part. One sentence of 150 clauses cut at ", but"
 * (each "but we will then be unable to answer, you may refuse" is one), so
 * parts of 1 and 333 bytes cut it at clause starts. */
START_TEST(test_prev_clause)
{
    size_t n;
    char *t = alternate("you may refuse, but we will then be unable to "
                        "answer, ",
                        "the shop may close, but we will then be unable to "
                        "answer, ", 150, "that is all.", &n);
    char *whole = output(t, n, (size_t)-1, GDPRX_LANG_EN);
    size_t hits = occurrences(whole, "\"mandatory\"");
    ck_assert_msg(hits == 75, "%zu refusals with their consequence, want 75",
                  hits);
    free(whole);
    same_in_parts("clause before", t, n, GDPRX_LANG_EN);
    free(t);
}
END_TEST

/* A lead-in far longer than a part above many items: the lead-in's
 * concepts (a lead condition: a period under "we keep ... for:") and its
 * denial (a negation cue ending the lead-in) are known in every part as in
 * one part, though the parts no longer read the lead-in again. */
START_TEST(test_huge_lead_in)
{
    static const char *const leads[] = {
        "We keep the data you give us, your account data and your messages "
        "with partners, for analytics and advertising, ",
        "We share the data you give us with partners, for analytics and "
        "advertising, and we do not sell or rent, ",
    };
    static const char *const ends[] = {" for:\n\n", " namely:\n\n"};
    char *t = malloc(400000);
    ck_assert_ptr_nonnull(t);
    for (size_t k = 0; k < 2; k++) {
        size_t n = put(t, 0, "# Data\n\n");
        while (n < 60000)
            n = put(t, n, leads[k]);
        n = put(t, n, ends[k]);
        for (int i = 0; i < 1500; i++)
            n = put(t, n, i % 3 == 0   ? "- two years\n"
                          : i % 3 == 1 ? "- your e-mail address to our "
                                         "partners for five years\n"
                                       : "- your data with advertisers\n");
        same_in_parts(k ? "huge denying lead-in" : "huge lead-in", t, n,
                      GDPRX_LANG_EN);
    }
    free(t);
}
END_TEST

/* A lead-in of a few KB with no sentence end (one sentence of overlong
 * clauses, with clause_split matches) above a list, in each language:
 * parts of 1, 333 and 2048 bytes are cut inside that sentence, and the
 * lead-in's concepts are read in windows; the output is that of one part. */
START_TEST(test_lead_in_no_sentence_end)
{
    static const struct {
        const char *lead, *end, *item;
        gdprx_lang lang;
    } c[] = {
        {"we keep your e-mail address and your postal address, but not "
         "your card number, and we share personal data with partners for "
         "advertising, ", "namely:\n\n", "- for two years\n", GDPRX_LANG_EN},
        {"nous conservons votre adresse e-mail et vos donn\xC3\xA9""es "
         "personnelles, mais pas votre num\xC3\xA9ro de carte, et nous les "
         "partageons avec nos partenaires \xC3\xA0 des fins publicitaires, ",
         "\xC3\xA0 savoir :\n\n", "- pendant deux ans\n", GDPRX_LANG_FR},
        {"wij bewaren uw e-mailadres en uw persoonsgegevens, maar niet uw "
         "kaartnummer, en wij delen ze met partners voor advertenties, ",
         "namelijk:\n\n", "- gedurende twee jaar\n", GDPRX_LANG_NL},
    };
    char *t = malloc(20000);
    ck_assert_ptr_nonnull(t);
    size_t n = 0;
    while (n < 5000)
        n = put(t, n, c[_i].lead);
    n = put(t, n, c[_i].end);
    for (int i = 0; i < 40; i++)
        n = put(t, n, c[_i].item);
    same_in_parts("lead-in with no sentence end", t, n, c[_i].lang);
    free(t);
}
END_TEST

/* One table row of 2,000 cells under a header: parts cut inside the
 * row's one sentence, after a '|' or a ';'. */
START_TEST(test_one_long_row)
{
    char *t = malloc(200000);
    ck_assert_ptr_nonnull(t);
    size_t n = put(t, 0, "| Data | Period | Why |\n|---|---|---|\n| logs ");
    for (int i = 0; i < 2000; i++)
        n = put(t, n, i % 3 ? "| we keep your data for 3 years; then we "
                              "delete it " : "| two years ");
    n = put(t, n, "|\n");
    same_in_parts("one long row", t, n, GDPRX_LANG_EN);
    free(t);
}
END_TEST

/* Nowhere to cut (no space, no line break): one part, same output. */
START_TEST(test_no_place_to_cut)
{
    size_t n = 50000;
    char *t = malloc(n);
    ck_assert_ptr_nonnull(t);
    static const char unit[] = "we.keep.your.data.for.3.years;";
    for (size_t i = 0; i < n; i++)
        t[i] = unit[i % (sizeof unit - 1)];
    same_in_parts("no place to cut", t, n, GDPRX_LANG_EN);
    free(t);
}
END_TEST

/* An HTML page: streamed findings carry the page's offsets. */
START_TEST(test_streamed_html)
{
    static const char head[] = "<!DOCTYPE html><html><body><h1>Privacy</h1>",
                      item[] = "<p>We keep your <b>e-mail</b> address for two "
                               "years &amp; we never sell your data.</p>\n";
    size_t n = 0, cap = sizeof head + 300 * sizeof item + 32;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    n = put(t, n, head);
    for (int i = 0; i < 300; i++)
        n = put(t, n, item);
    n = put(t, n, "</body></html>");
    same_in_parts("HTML page", t, n, GDPRX_LANG_AUTO);
    free(t);
}
END_TEST

/* What each() saw: the indices in order, the last finding's start. */
typedef struct seen {
    size_t n, last_start;
    long stop_at;   /* refuse finding number stop_at (-1: never) */
} seen;

static int see(void *ctx, const gdprx_finding *f, size_t index)
{
    seen *s = ctx;
    ck_assert_uint_eq(index, s->n);
    ck_assert_ptr_nonnull(f->text);
    if (s->stop_at >= 0 && index == (size_t)s->stop_at)
        return 1;
    s->n++;
    s->last_start = f->start;
    return 0;
}

static char *item_text(size_t *len)
{
    static const char item[] = "- we keep your e-mail address for two years\n";
    size_t n = 0, cap = 2000 * sizeof item;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    for (int i = 0; i < 2000; i++)
        n = put(t, n, item);
    *len = n;
    return t;
}

/* each() sees every finding once, in order, and its refusal stops the
 * analysis with the place named; NULL callbacks are refused. */
START_TEST(test_streamed_callbacks)
{
    size_t len;
    char *t = item_text(&len);
    gdprx_options o;
    gdprx_options_init(&o);
    o.chunk_size = 4096;
    gdprx_result *r = NULL, *whole = NULL;
    gdprx_error err;
    ck_assert_int_eq(gdprx_analyze(&whole, rules, t, len, &o, &err), GDPRX_OK);
    size_t total = gdprx_result_count(whole);
    ck_assert_uint_gt(total, 2000);
    seen s = {0, 0, -1};
    ck_assert_int_eq(gdprx_analyze_each(&r, rules, t, len, &o, see, &s, &err),
                     GDPRX_OK);
    ck_assert_uint_eq(s.n, total);
    ck_assert_uint_eq(gdprx_result_streamed(r), total);
    ck_assert_uint_eq(gdprx_result_count(r), 0);
    ck_assert_ptr_null(gdprx_result_get(r, 0));
    ck_assert_uint_eq(s.last_start, gdprx_result_get(whole, total - 1)->start);
    for (size_t i = 0; i < gdprx_result_coverage_count(r); i++) {
        const gdprx_coverage_item *a = gdprx_result_coverage(r, i),
                                  *b = gdprx_result_coverage(whole, i);
        ck_assert_uint_eq(a->n_findings, b->n_findings);
        ck_assert_int_eq(a->stated, b->stated);
        ck_assert_int_eq(a->applicable, b->applicable);
        for (size_t k = 0; k < a->n_findings; k++)
            ck_assert_uint_eq(a->findings[k], b->findings[k]);
    }
    gdprx_result_free(r);
    /* refused in a middle part: an error naming the finding's place */
    seen stop = {0, 0, (long)total / 2};
    r = NULL;
    ck_assert_int_eq(gdprx_analyze_each(&r, rules, t, len, &o, see, &stop,
                                        &err), GDPRX_EIO);
    ck_assert_ptr_null(r);
    ck_assert_uint_eq(stop.n, total / 2);
    ck_assert_int_eq(err.offset,
                     (long long)gdprx_result_get(whole, total / 2)->start);
    ck_assert_ptr_nonnull(strstr(err.message, "callback"));
    ck_assert_int_eq(gdprx_analyze_each(&r, rules, t, len, &o, NULL, NULL,
                                        &err), GDPRX_EINVAL);
    ck_assert_int_eq(gdprx_analyze_write_json(&r, rules, t, len, &o, NULL,
                                              NULL, &err), GDPRX_EINVAL);
    ck_assert_int_eq(gdprx_analyze_each(&r, NULL, t, len, &o, see, &s, &err),
                     GDPRX_EINVAL);
    ck_assert_ptr_null(r);
    /* no segments kept: the same findings and JSON */
    o.flags = GDPRX_OPT_NO_SEGMENTS;
    ck_assert_int_eq(gdprx_analyze(&r, rules, t, len, &o, &err), GDPRX_OK);
    ck_assert_uint_ge(gdprx_result_segment_count(whole), 4000);
    ck_assert_uint_eq(gdprx_result_segment_count(r), 0);
    char *a = NULL, *b = NULL;
    ck_assert_int_eq(gdprx_result_to_json(&a, NULL, whole, &err), GDPRX_OK);
    ck_assert_int_eq(gdprx_result_to_json(&b, NULL, r, &err), GDPRX_OK);
    ck_assert_str_eq(a, b);
    gdprx_free(a);
    gdprx_free(b);
    gdprx_result_free(r);
    gdprx_result_free(whole);
    free(t);
}
END_TEST

/* A write callback that refuses its third piece: GDPRX_EIO with the bytes
 * taken, what was taken a prefix of the whole JSON; `out` may be NULL. */
START_TEST(test_streamed_write_stops)
{
    size_t len;
    char *t = item_text(&len);
    gdprx_options o;
    gdprx_options_init(&o);
    gdprx_error err;
    sink all = {NULL, 0, 0, -1}, some = {NULL, 0, 0, 2};
    ck_assert_int_eq(gdprx_analyze_write_json(NULL, rules, t, len, &o,
                                              sink_write, &all, &err),
                     GDPRX_OK);
    ck_assert_uint_gt(all.n, 3 * 64 * 1024);
    ck_assert_int_eq(gdprx_analyze_write_json(NULL, rules, t, len, &o,
                                              sink_write, &some, &err),
                     GDPRX_EIO);
    ck_assert_int_eq(err.offset, (long long)some.n);
    ck_assert_uint_gt(some.n, 0);
    ck_assert_uint_lt(some.n, all.n);
    ck_assert_int_eq(memcmp(some.s, all.s, some.n), 0);
    free(all.s);
    free(some.s);
    free(t);
}
END_TEST

int main(void)
{
    const char *dir = getenv("GDPRX_CORPUS");
    if (dir)
        list_docs(&docs, &n_docs, dir);
    if (!n_docs) {   /* a failure, not a skip: the corpus is required */
        fprintf(stderr, "chunks: no documents in %s\n",
                dir ? dir : "$GDPRX_CORPUS (not set)");
        return 1;
    }
    Suite *s = suite_create("chunks");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_corpus_document, 0, (int)n_docs);
    tcase_add_test(tc, test_single_line);
    tcase_add_test(tc, test_far_context);
    tcase_add_test(tc, test_prev_sentence);
    tcase_add_test(tc, test_prev_clause);
    tcase_add_test(tc, test_huge_lead_in);
    tcase_add_loop_test(tc, test_lead_in_no_sentence_end, 0, 3);
    tcase_add_test(tc, test_one_long_row);
    tcase_add_test(tc, test_no_place_to_cut);
    tcase_add_test(tc, test_streamed_html);
    tcase_add_test(tc, test_streamed_callbacks);
    tcase_add_test(tc, test_streamed_write_stops);
    suite_add_tcase(s, tc);
    int rc = run_suite(s);
    for (size_t i = 0; i < n_docs; i++)
        free(docs[i]);
    free(docs);
    return rc;
}
