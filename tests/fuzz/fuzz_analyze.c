/* SPDX-License-Identifier: MIT */
/* libFuzzer target: gdprx_analyze() on arbitrary bytes with the shipped rule
 * set ($GDPRX_RULES or the default). Properties: no crash or sanitizer
 * report; without GDPRX_OPT_REPLACE_INVALID the call succeeds or fails with
 * GDPRX_EUTF8 and an offset inside the input; every finding's offsets lie in
 * the input and its text is input[start, end); JSON output is produced;
 * when the first byte asks for it, the streamed analysis in small parts
 * (gdprx_analyze_write_json, chunk size from the first byte) writes the
 * same JSON bytes. */
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

/* The streamed JSON, gathered. */
typedef struct buf {
    char *s;
    size_t n, cap;
} buf;

static int gather(void *ctx, const char *bytes, size_t len)
{
    buf *b = ctx;
    if (b->n + len > b->cap) {
        size_t cap = 2 * (b->n + len);
        char *s = realloc(b->s, cap);
        if (!s)
            abort();
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->n, bytes, len);
    b->n += len;
    return 0;
}

/* Streamed in parts of `chunk` bytes, the same JSON as js[0, n). */
static void same_streamed(const char *text, size_t size, gdprx_options o,
                          size_t chunk, const char *js, size_t n)
{
    buf b = {NULL, 0, 0};
    gdprx_error err;
    gdprx_result *r = NULL;
    o.chunk_size = chunk;
    if (gdprx_analyze_write_json(&r, rules, text, size, &o, gather, &b,
                                 &err) != GDPRX_OK ||
        b.n != n || memcmp(b.s, js, n) != 0 || gdprx_result_count(r) != 0)
        abort();
    free(b.s);
    gdprx_result_free(r);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    gdprx_options o;
    gdprx_options_init(&o);
    o.format = GDPRX_FORMAT_TEXT;   /* HTML has its own target, fuzz_html */
    /* the first byte chooses the options (bit 0 flags, bits 1-2 language,
     * bit 3 a streamed run too, bits 4-7 its chunk size), the rest is the
     * text */
    size_t stream_chunk = 0;
    if (size) {
        if (data[0] & 8)
            stream_chunk = 1 + (size_t)(data[0] >> 4) * 24;
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
    size_t n = 0;
    if (gdprx_result_to_json(&js, &n, r, &err) != GDPRX_OK)
        abort();
    if (stream_chunk)
        same_streamed(text, size, o, stream_chunk, js, n);
    gdprx_free(js);
    gdprx_result_free(r);
    return 0;
}
