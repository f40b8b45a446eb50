/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the normalizer's offset map. Properties: every
 * normalized byte maps to an original span [ostart, oend) with ostart <
 * oend <= input length, both on UTF-8 boundaries of the input; ostart never
 * decreases; gx_text_ostart(len) is the input length; gx_text_npos is its
 * inverse;
 * the normalized text is valid UTF-8 without NUL. */
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    gx_text t;
    gdprx_error err;
    if (gx_normalize(&t, (const char *)data, size, GDPRX_OPT_REPLACE_INVALID,
                     &err) != GDPRX_OK)
        abort(); /* with replacement every input normalizes */
    /* code-point starts of the input, as the decoder sees them */
    unsigned char *start = calloc(size + 1, 1);
    if (!start)
        abort();
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        int n = gx_utf8_decode(data, size, i, &cp);
        start[i] = 1;
        i += n > 0 ? (size_t)n : 1;
    }
    start[size] = 1;
    if (gx_text_ostart(&t, t.len) != size)
        abort();
    if (t.len > size)   /* normalized text never grows (normalize.h) */
        abort();
    size_t prev = 0;
    for (size_t i = 0; i < t.len; i++) {
        size_t os = gx_text_ostart(&t, i), oe = gx_text_oend(&t, i + 1);
        if (os >= oe || oe > size || !start[os] || !start[oe])
            abort();
        if (os < prev)
            abort();
        prev = os;
        if (gx_text_npos(&t, os) > i)
            abort();
        if (t.s[i] == '\0')
            abort();
    }
    for (size_t i = 0; i < t.len;) {
        uint32_t cp;
        int n = gx_utf8_decode((const unsigned char *)t.s, t.len, i, &cp);
        if (n <= 0)
            abort();
        i += (size_t)n;
    }
    free(start);
    gx_text_free(&t);
    return 0;
}
