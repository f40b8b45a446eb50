/* SPDX-License-Identifier: MIT */
/* libFuzzer target: gdprx_analyze() on arbitrary bytes with the shipped rule
 * set ($GDPRX_RULES or the default). Properties: no crash or sanitizer
 * report; without GDPRX_OPT_REPLACE_INVALID the call succeeds or fails with
 * GDPRX_EUTF8 and an offset inside the input; every finding's offsets lie in
 * the input and its text is input[start, end); JSON output is produced. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdprx.h"

static gdprx_rules *rules; /* loaded once: the fuzzer's fixture */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    gdprx_error err;
    if (gdprx_rules_load(&rules, getenv("GDPRX_RULES"), &err) != GDPRX_OK) {
        fprintf(stderr, "fuzz_analyze: %s\n", err.message);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    gdprx_options o;
    gdprx_options_init(&o);
    o.format = GDPRX_FORMAT_TEXT;   /* HTML has its own target, fuzz_html */
    /* the first byte chooses the options, the rest is the text */
    if (size) {
        o.flags = data[0] & 1 ? GDPRX_OPT_REPLACE_INVALID : 0;
        o.lang = (gdprx_lang)((data[0] >> 1) % 4);
        data++;
        size--;
    }
    const char *text = (const char *)data;
    gdprx_result *r = NULL;
    gdprx_error err;
    int rc = gdprx_analyze(&r, rules, text, size, &o, &err);
    if (rc != GDPRX_OK) {
        if (rc != GDPRX_EUTF8 || (o.flags & GDPRX_OPT_REPLACE_INVALID) ||
            err.offset < 0 || (size_t)err.offset >= size)
            abort();
        return 0;
    }
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        const gdprx_finding *f = gdprx_result_get(r, i);
        if (f->start >= f->end || f->end > size ||
            memcmp(f->text, text + f->start, f->end - f->start) != 0 ||
            f->clause_start > f->start || f->end > f->clause_end)
            abort();
    }
    char *js = NULL;
    if (gdprx_result_to_json(&js, NULL, r, &err) != GDPRX_OK)
        abort();
    gdprx_free(js);
    gdprx_result_free(r);
    return 0;
}
