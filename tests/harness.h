/* SPDX-License-Identifier: MIT */
/* Shared test helpers: run a suite, load the test rule set, read files. */
#ifndef GX_HARNESS_H
#define GX_HARNESS_H

#include <check.h>
#include <stddef.h>

#include "gdprx.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Run a suite with Check's normal output; returns the process exit code. */
int run_suite(Suite *s);

/* Path of a file under the test data directory ($GDPRX_TEST_DATA). */
const char *data_path(const char *name, char *buf, size_t n);

/* The shipped rule set's directory ($GDPRX_RULES). */
const char *rules_dir(void);

/* Read a whole file; NULL on error. Caller frees. */
char *read_all(const char *path, size_t *len);

/* Load the small, stable test rule set (tests/data/rules) or fail the test. */
gdprx_rules *load_test_rules(void);

/* Analyze with the given rules and a forced language (AUTO to detect);
 * fails the test on error. */
gdprx_result *analyze_lang(const gdprx_rules *rules, const char *text,
                           gdprx_lang lang);

/* The first finding of type.subtype ("retention.period"), or NULL. */
const gdprx_finding *find_label(const gdprx_result *r, const char *label);

/* Append the documents of corpus folder `dir` (every entry but hidden ones
 * and *.json, the gold) to (*docs)[0..*n) as "dir/name", and sort them all
 * by name. Aborts when out of memory. Ownership: the caller frees each path
 * and the array. */
void list_docs(char ***docs, size_t *n, const char *dir);

#endif
