/* SPDX-License-Identifier: MIT */
/* The literal prefilter: which literals a pattern is given (every match
 * must contain one), and that patterns it cannot read get none. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "prefilter.h"

static const struct case_ {
    const char *name, *pattern;
    const char *want; /* literals, sorted, |-separated; "" for none */
} cases[] = {
    {"plain word", "keep", "keep"},
    {"alternation", "\\b(?:keep|retain)\\w*\\b", "keep|retain"},
    {"the longer of two parts", "\\bus[^.;]{0,40}?\\bdelete", "delete"},
    {"optional letter", "colou?r", "color|colour"},
    {"named group", "(?<duration>\\d+) (?:years|months)", " months| years"},
    {"capitals fold", "IBAN", "iban"},
    {"escaped punctuation", "e\\.g\\. data", "e.g. data"},
    {"too short", "ip", ""},
    {"optional alternative", "(?:sell|)\\w+", ""},
    {"each branch its own", "sell|\\w+ing", "ing|sell"},
    {"a branch without literals", "sell|\\w+", ""},
    {"lookarounds are zero width", "(?<!not )share(?= with)", "share"},
    {"a quantified group keeps its literals", "(?:data ){2,}x", "data "},
    {"optional group drops them", "(?:personal )?data", "data"},
    {"extended mode is not read", "(?x) keep  data", ""},
    {"\\Q is not read", "\\Qkeep\\E", ""},
    {"literal brace", "a{,5}bcd", "a{,5}bcd"},
    {"non-ASCII is unknown", "donn\xc3\xa9" "es", "donn"},
    {"classes are unknown", "[kK]eep", "eep"},
};

static void sorted_literals(const gx_prefilter *pf, const uint32_t *ids,
                            size_t n, char *buf, size_t size)
{
    const char *v[64];
    for (size_t i = 0; i < n; i++)
        v[i] = pf->lits[ids[i]].s;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
            const char *t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strncat(buf, "|", size - strlen(buf) - 1);
        strncat(buf, v[i], size - strlen(buf) - 1);
    }
}

START_TEST(test_literals)
{
    const struct case_ *c = &cases[_i];
    gx_prefilter pf;
    memset(&pf, 0, sizeof pf);
    uint32_t *ids = NULL;
    size_t n = 0;
    ck_assert_msg(gx_prefilter_add(&pf, c->pattern, &ids, &n) == 0, "%s",
                  c->name);
    char got[512];
    sorted_literals(&pf, ids, n, got, sizeof got);
    ck_assert_msg(!strcmp(got, c->want), "%s: got \"%s\", want \"%s\"",
                  c->name, got, c->want);
    free(ids);
    gx_prefilter_free(&pf);
}
END_TEST

START_TEST(test_scan)
{
    gx_prefilter pf;
    memset(&pf, 0, sizeof pf);
    uint32_t *a = NULL, *b = NULL;
    size_t na, nb;
    ck_assert_int_eq(gx_prefilter_add(&pf, "keep|retain", &a, &na), 0);
    ck_assert_int_eq(gx_prefilter_add(&pf, "sell", &b, &nb), 0);
    unsigned char present[8] = {0};
    uint32_t set[8];
    size_t n_set = 0;
    const char *s = "we retain and retain your data";
    gx_prefilter_scan(&pf, s, strlen(s), present, set, &n_set);
    ck_assert_msg(n_set == 1 && present[a[1]] && !present[a[0]] &&
                      !present[b[0]],
                  "scan: %zu literals found", n_set);
    n_set = 0;
    present[a[1]] = 0;
    gx_prefilter_scan(&pf, "sel", 3, present, set, &n_set);
    ck_assert_msg(n_set == 0, "scan: a literal longer than the text found");
    free(a);
    free(b);
    gx_prefilter_free(&pf);
}
END_TEST

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Gates: short strings of rare bytes, one of which every match holds. */
static const struct gcase {
    const char *name, *pattern, *want;   /* want: sorted, '|'-joined */
} gcases[] = {
    {"an address needs its '@'", "[a-z0-9._]+@[a-z0-9-]+\\.[a-z]{2,}", "@"},
    {"... or a bracket or a spelled-out 'at'",
     "(?<![a-z0-9])(?=[a-z0-9.]*+(?:@| ?\\[| ?\\())[a-z0-9.]+(?:@| ?\\[ ?at ?\\] ?"
     "| ?\\( ?at ?\\) ?)[a-z]+\\.[a-z]{2,}|[a-z0-9]+ at [a-z]+ dot [a-z]{2,}",
     " dot |(|@|["},
    {"a small class gives its bytes", "x[@<]y", "<|@"},
    {"... a class with a range or \\w none", "x[@a-c]y|x[@\\w]y", ""},
    {"... nor a negated class", "x[^@]y", ""},
    {"a period or a letter is too common to gate", "[a-z]+\\.[a-z]+", ""},
    {"a digit is too common", "\\d{1,2}", ""},
    {"an alternative with no rare byte opens the gate", "@[a-z]+|[a-z]+", ""},
    {"a lookahead alone does not gate", "(?=@)", ""},
    {"more than GX_GATE_MAX strings: no gate",
     "[!#$%&*+/<=>?@^`{|}~]x", ""},
};

START_TEST(test_gate)
{
    const struct gcase *c = &gcases[_i];
    char **g = NULL;
    size_t n = 0;
    ck_assert_msg(gx_prefilter_gate(c->pattern, &g, &n) == 0, "%s", c->name);
    if (n)   /* qsort(NULL, 0, ...) is undefined */
        qsort(g, n, sizeof *g, cmp_str);
    char got[256] = "";
    for (size_t i = 0; i < n; i++) {
        if (i)
            strncat(got, "|", sizeof got - strlen(got) - 1);
        strncat(got, g[i], sizeof got - strlen(got) - 1);
    }
    ck_assert_msg(!strcmp(got, c->want), "%s: got \"%s\", want \"%s\"",
                  c->name, got, c->want);
    ck_assert(gx_prefilter_gate_open(g, n, "", 0) == !n);
    gx_prefilter_gate_free(g, n);
}
END_TEST

START_TEST(test_gate_open)
{
    char *g[] = {"@", " at ", "[at]"};
    const char *yes[] = {"dpo@x.eu", "dpo at x", "dpo[at]x", "x[at]", "@"};
    const char *no[] = {"", "dpo", "dpo at", "[a t]", "[at", "at x"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        ck_assert_msg(gx_prefilter_gate_open(g, 3, yes[i], strlen(yes[i])),
                      "closed on \"%s\"", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        ck_assert_msg(!gx_prefilter_gate_open(g, 3, no[i], strlen(no[i])),
                      "open on \"%s\"", no[i]);
    ck_assert(gx_prefilter_gate_open(g, 0, "dpo", 3));
    /* strings sharing their first two bytes; a match that would run past
     * len (the text goes on, the span does not) */
    char *h[] = {" arobase ", " at ", ")"};
    ck_assert(gx_prefilter_gate_open(h, 3, "a at b", 6));
    ck_assert(gx_prefilter_gate_open(h, 3, "a arobase b", 11));
    ck_assert(!gx_prefilter_gate_open(h, 3, "a arobas b", 10));
    ck_assert(!gx_prefilter_gate_open(h, 3, "a at b", 4));
    ck_assert(gx_prefilter_gate_open(h, 3, "x)", 2));
    ck_assert(!gx_prefilter_gate_open(h, 3, "x)", 1));
}
END_TEST

static Suite *prefilter_suite(void)
{
    Suite *s = suite_create("prefilter");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_literals, 0, (int)N(cases));
    tcase_add_test(tc, test_scan);
    tcase_add_loop_test(tc, test_gate, 0, (int)N(gcases));
    tcase_add_test(tc, test_gate_open);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(prefilter_suite()); }
