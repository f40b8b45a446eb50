/* SPDX-License-Identifier: MIT */
/* Shared test helpers. */
#include "harness.h"

#include <dirent.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

const char *data_path(const char *name, char *buf, size_t n)
{
    const char *dir = getenv("GDPRX_TEST_DATA");
    snprintf(buf, n, "%s/%s", dir ? dir : "tests/data", name);
    return buf;
}

const char *rules_dir(void)
{
    const char *dir = getenv("GDPRX_RULES");
    return dir ? dir : "rules";
}

char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

gdprx_rules *load_test_rules(void)
{
    char path[1024];
    gdprx_rules *rules = NULL;
    gdprx_error err;
    int rc = gdprx_rules_load(&rules, data_path("rules", path, sizeof path),
                              &err);
    ck_assert_msg(rc == GDPRX_OK, "test rules: %s", err.message);
    return rules;
}

gdprx_result *analyze_lang(const gdprx_rules *rules, const char *text,
                           gdprx_lang lang)
{
    gdprx_options o;
    gdprx_options_init(&o);
    o.lang = lang;
    gdprx_result *r = NULL;
    gdprx_error err;
    int rc = gdprx_analyze(&r, rules, text, strlen(text), &o, &err);
    ck_assert_msg(rc == GDPRX_OK, "analyze \"%s\": %s", text, err.message);
    return r;
}

const gdprx_finding *find_label(const gdprx_result *r, const char *label)
{
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        const gdprx_finding *f = gdprx_result_get(r, i);
        size_t tl = strlen(f->type);
        if (!strncmp(label, f->type, tl) && label[tl] == '.' &&
            !strcmp(label + tl + 1, f->subtype))
            return f;
    }
    return NULL;
}

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void list_docs(char ***docs, size_t *n, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        size_t l = strlen(name);
        if (name[0] == '.' || (l > 5 && !strcmp(name + l - 5, ".json")))
            continue;
        char **nd = realloc(*docs, (*n + 1) * sizeof **docs);
        if (!nd)
            abort();
        *docs = nd;
        if (!(nd[*n] = malloc(strlen(dir) + l + 2)))
            abort();
        sprintf(nd[(*n)++], "%s/%s", dir, name);
    }
    closedir(d);
    qsort(*docs, *n, sizeof **docs, cmp_paths);
}
