/* SPDX-License-Identifier: MIT */
/* Embedding gdprx: load the default rule set, analyze one file, print the
 * findings as JSON, then a one-line summary per finding on stderr.
 * usage: scan_file POLICY [RULES] */
#include <stdio.h>
#include <stdlib.h>

#include <gdprx.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    *len = buf ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s POLICY [RULES]\n", argv[0]);
        return 2;
    }
    gdprx_error err;
    gdprx_rules *rules;
    if (gdprx_rules_load(&rules, argc > 2 ? argv[2] : NULL, &err) != GDPRX_OK) {
        fprintf(stderr, "%s\n", err.message); /* file:line:col: ... */
        return 1;
    }
    size_t len = 0;
    char *text = slurp(argv[1], &len);
    if (!text) {
        perror(argv[1]);
        gdprx_rules_free(rules);
        return 1;
    }
    gdprx_result *res;
    int rc = gdprx_analyze(&res, rules, text, len, NULL, &err);
    if (rc == GDPRX_OK) {
        char *json;
        if (gdprx_result_to_json(&json, NULL, res, &err) == GDPRX_OK) {
            puts(json);
            gdprx_free(json);
        }
        for (size_t i = 0; i < gdprx_result_count(res); i++) {
            const gdprx_finding *f = gdprx_result_get(res, i);
            fprintf(stderr, "%s.%s %s \"%.*s\"\n", f->type, f->subtype,
                    f->polarity == GDPRX_NEGATED ? "negated" : "affirmed",
                    (int)(f->end - f->start), text + f->start);
        }
        gdprx_result_free(res);
    } else {
        fprintf(stderr, "%s: %s\n", argv[1], err.message);
    }
    free(text);
    gdprx_rules_free(rules);
    return rc == GDPRX_OK ? 0 : 1;
}
