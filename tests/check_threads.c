/* SPDX-License-Identifier: MIT */
/* One rule set shared by 8 threads, each analyzing different documents:
 * every result is byte-identical (as JSON) to the single-threaded one; and
 * a rule set loaded with 1, 2 or 4 load threads gives the same results and
 * the same errors. Run under ThreadSanitizer by .ci/run. Documents: the
 * example policies and, if present, the development corpus. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define THREADS 8
#define ROUNDS 3
#define MAX_DOCS 64

typedef struct doc {
    char *text, *json;
    size_t len;
} doc;

static gdprx_rules *rules;
static doc docs[MAX_DOCS];
static size_t n_docs;

static char *to_json(const char *text, size_t len)
{
    gdprx_result *r = NULL;
    gdprx_error err;
    if (gdprx_analyze(&r, rules, text, len, NULL, &err) != GDPRX_OK)
        return NULL;
    char *js = NULL;
    gdprx_result_to_json(&js, NULL, r, &err);
    gdprx_result_free(r);
    return js;
}

static void add_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && n_docs < MAX_DOCS) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || (l > 5 && !strcmp(e->d_name + l - 5, ".json")))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        doc *dc = &docs[n_docs];
        if ((dc->text = read_all(path, &dc->len)))
            n_docs++;
    }
    closedir(d);
}

static void *worker(void *arg)
{
    size_t id = (size_t)arg, bad = 0;
    for (int round = 0; round < ROUNDS; round++)
        for (size_t i = id; i < n_docs; i += THREADS / 2) {
            doc *dc = &docs[(i + (size_t)round) % n_docs];
            char *js = to_json(dc->text, dc->len);
            bad += !js || strcmp(js, dc->json) != 0;
            gdprx_free(js);
        }
    return (void *)bad;
}

START_TEST(test_shared_rules)
{
    pthread_t th[THREADS];
    for (size_t t = 0; t < THREADS; t++)
        ck_assert_int_eq(pthread_create(&th[t], NULL, worker, (void *)t), 0);
    size_t bad = 0;
    for (size_t t = 0; t < THREADS; t++) {
        void *ret;
        ck_assert_int_eq(pthread_join(th[t], &ret), 0);
        bad += (size_t)ret;
    }
    ck_assert_msg(bad == 0, "%zu threaded results differ from the "
                  "single-threaded ones", bad);
}
END_TEST

/* Load the rule set at `path`, or (path NULL) the YAML text `yaml` (named
 * "c.yaml"), with `threads` load threads. */
static int load_threads(gdprx_rules **rs, const char *path, const char *yaml,
                        size_t threads, gdprx_error *err)
{
    gdprx_rules_options opts;
    gdprx_rules_options_init(&opts);
    opts.threads = threads;
    *rs = NULL;
    return path ? gdprx_rules_load_opts(rs, path, &opts, err)
                : gdprx_rules_load_yaml_opts(rs, yaml, strlen(yaml), "c.yaml",
                                             &opts, err);
}

/* The load's threads change nothing: a set loaded on the caller's thread
 * only, and one loaded with more threads than it has tasks, give every
 * document the JSON of the default load (2 threads) and the same rules. */
START_TEST(test_load_threads)
{
    static const size_t counts[] = {1, 4};
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
        gdprx_rules *rs;
        gdprx_error err;
        ck_assert_msg(load_threads(&rs, rules_dir(), "", counts[c], &err) ==
                          GDPRX_OK,
                      "threads %zu: %s", counts[c], err.message);
        ck_assert_uint_eq(gdprx_rules_count(rs), gdprx_rules_count(rules));
        ck_assert_uint_eq(gdprx_rules_warning_count(rs),
                          gdprx_rules_warning_count(rules));
        size_t bad = 0;
        for (size_t i = 0; i < n_docs; i++) {
            gdprx_result *r = NULL;
            char *js = NULL;
            if (gdprx_analyze(&r, rs, docs[i].text, docs[i].len, NULL,
                              &err) == GDPRX_OK)
                gdprx_result_to_json(&js, NULL, r, &err);
            bad += !js || strcmp(js, docs[i].json) != 0;
            gdprx_free(js);
            gdprx_result_free(r);
        }
        ck_assert_msg(bad == 0, "threads %zu: %zu of %zu documents differ",
                      counts[c], bad, n_docs);
        gdprx_rules_free(rs);
    }
}
END_TEST

/* A rule file with an error gives the same located error whatever the
 * number of load threads (the patterns' task runs beside the scanners'). */
START_TEST(test_load_threads_error)
{
    char path[1024];
    data_path("bad/bad_regex.yaml", path, sizeof path);
    gdprx_error first;
    for (size_t t = 1; t <= 4; t++) {
        gdprx_rules *rs;
        gdprx_error err;
        ck_assert_int_eq(load_threads(&rs, path, "", t, &err),
                         GDPRX_EPATTERN);
        ck_assert_ptr_null(rs);
        ck_assert_int_eq(err.line, 6);
        if (t == 1)
            first = err;
        else
            ck_assert_str_eq(err.message, first.message);
    }
}
END_TEST

/* Concepts compile one language per thread: the error reported is still
 * the one a serial compile meets first (concept order, then language
 * order; a concept named like a macro where its turn comes), not the one
 * the fastest thread found. */
START_TEST(test_concept_error_order)
{
    static const struct {
        const char *yaml, *want;
    } cases[] = {
        {"concepts:\n"
         "  first: {en: [a], fr: [b], nl: ['@nowhere']}\n"
         "  second: {en: ['@missing'], fr: [c], nl: [d]}\n",
         "concept 'first': unknown concept '@nowhere'"},
        {"concepts:\n"
         "  first: {en: [a], fr: ['@nowhere'], nl: ['@nowhere']}\n"
         "  second: {en: ['@missing'], fr: [c], nl: [d]}\n",
         "c.yaml:2:24: concept 'first'"},
        {"macros:\n  en: {second: x}\n"
         "concepts:\n"
         "  first: {en: [a], fr: [b], nl: [c]}\n"
         "  second: {en: [a], fr: [b], nl: [c]}\n"
         "  third: {en: ['@missing'], fr: [c], nl: [d]}\n",
         "concept 'second' has the name of a macro"},
        {"macros:\n  en: {third: x}\n"
         "concepts:\n"
         "  first: {en: [a], fr: [b], nl: ['@gone']}\n"
         "  third: {en: [a], fr: [b], nl: [c]}\n",
         "concept 'first': unknown concept '@gone'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        for (size_t t = 1; t <= 4; t++) {
            gdprx_rules *rs;
            gdprx_error err;
            int rc = load_threads(&rs, NULL, cases[i].yaml, t, &err);
            ck_assert_msg(rc == GDPRX_ESYNTAX && !rs,
                          "case %zu, threads %zu: rc %d", i, t, rc);
            ck_assert_msg(strstr(err.message, cases[i].want),
                          "case %zu, threads %zu: %s", i, t, err.message);
        }
}
END_TEST

/* Concepts, scanners and patterns compile as one task graph: a concept's
 * `needs` that names no concept is still reported before a bad pattern of
 * a rule, as a serial compile would, whatever the number of threads. */
START_TEST(test_needs_error_before_pattern)
{
    static const char yaml[] =
        "concepts:\n"
        "  plain: {en: [x], fr: [y], nl: [z]}\n"
        "  needy: {en: [{re: 'q+'}], fr: [{re: 'q+'}], nl: [{re: 'q+'}], "
        "needs: [nothere]}\n"
        "rules:\n"
        "  - id: data_category.contact.t\n"
        "    type: data_category\n"
        "    subtype: contact\n"
        "    patterns: {en: ['(a'], fr: ['(b'], nl: ['(c']}\n";
    for (size_t t = 1; t <= 4; t++) {
        gdprx_rules *rs;
        gdprx_error err;
        int rc = load_threads(&rs, NULL, yaml, t, &err);
        ck_assert_msg(rc == GDPRX_ESYNTAX && !rs, "threads %zu: rc %d", t,
                      rc);
        ck_assert_msg(strstr(err.message, "needs unknown concept 'nothere'"),
                      "threads %zu: %s", t, err.message);
        ck_assert_int_eq(err.line, 3);
    }
}
END_TEST

/* Files are parsed ahead of the one being read, on another thread: the
 * first file in order with an error is still the one reported (a later bad
 * file parsed ahead is dropped), and an error in the last file is found. */
START_TEST(test_file_error_order)
{
    static const char *const good =
        "concepts:\n  thing: {en: [thing], fr: [chose], nl: [ding]}\n";
    static const struct {
        const char *b, *c, *want;
    } cases[] = {
        {"rules: [\n", "x: &a 1\n", "b.yaml:2:1: YAML error"},
        {"concepts:\n  other: {en: [a], fr: [b], nl: [c]}\n",
         "rules:\n  - id: [\n", "c.yaml:3:1: YAML error"},
        {"unknown_key: 1\n", "rules: [\n", "b.yaml:1:1: unknown"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char dir[] = "/tmp/gdprx-files-XXXXXX", path[64];
        ck_assert_ptr_nonnull(mkdtemp(dir));
        const char *text[3] = {good, cases[k].b, cases[k].c};
        for (int f = 0; f < 3; f++) {
            snprintf(path, sizeof path, "%s/%c.yaml", dir, 'a' + f);
            FILE *fp = fopen(path, "w");
            ck_assert_ptr_nonnull(fp);
            fputs(text[f], fp);
            fclose(fp);
        }
        for (size_t t = 1; t <= 3; t++) {
            gdprx_rules *rs;
            gdprx_error err;
            int rc = load_threads(&rs, dir, "", t, &err);
            ck_assert_msg(rc == GDPRX_ESYNTAX && !rs,
                          "case %zu, threads %zu: rc %d", k, t, rc);
            ck_assert_msg(strstr(err.message, cases[k].want),
                          "case %zu, threads %zu: %s", k, t, err.message);
        }
        for (int f = 0; f < 3; f++) {
            snprintf(path, sizeof path, "%s/%c.yaml", dir, 'a' + f);
            unlink(path);
        }
        rmdir(dir);
    }
}
END_TEST

static void setup(void)
{
    gdprx_error err;
    ck_assert_msg(gdprx_rules_load(&rules, rules_dir(), &err) == GDPRX_OK,
                  "%s", err.message);
    char path[1024];
    add_dir(data_path("../../examples/policies", path, sizeof path));
    const char *corpus = getenv("GDPRX_CORPUS");
    if (corpus)
        add_dir(corpus);
    ck_assert_msg(n_docs >= 3, "only %zu documents", n_docs);
    for (size_t i = 0; i < n_docs; i++)
        ck_assert_msg((docs[i].json = to_json(docs[i].text, docs[i].len)),
                      "document %zu does not analyze", i);
}

static void teardown(void)
{
    for (size_t i = 0; i < n_docs; i++) {
        free(docs[i].text);
        gdprx_free(docs[i].json);
    }
    gdprx_rules_free(rules);
}

static Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 1200);
    tcase_add_test(tc, test_shared_rules);
    tcase_add_test(tc, test_load_threads);
    tcase_add_test(tc, test_load_threads_error);
    tcase_add_test(tc, test_concept_error_order);
    tcase_add_test(tc, test_needs_error_before_pattern);
    tcase_add_test(tc, test_file_error_order);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(threads_suite()); }
