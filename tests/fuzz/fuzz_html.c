/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the HTML reader (lib/html.c). Properties: any bytes
 * convert (with replacement of invalid UTF-8) or are refused as too deeply
 * nested; every text byte maps to [ostart, oend) with ostart <= oend <=
 * input length; ostart[len] is the input length; the text is NUL-terminated
 * at len. */
#include <stdlib.h>
#include <string.h>

#include "html.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    gx_html h;
    gdprx_error err;
    /* a tag limit of 1-64 when the input starts with '@', a size limit of
     * 1-128 bytes when it starts with '#' (else the defaults): the refusal
     * paths run too */
    size_t max_tags = size > 1 && data[0] == '@' ? 1 + data[1] % 64 : 0;
    size_t max_size = size > 1 && data[0] == '#' ? 1 + data[1] % 128 : 0;
    int rc = gx_html_to_text(&h, (const char *)data, size,
                             GDPRX_OPT_REPLACE_INVALID, max_tags, max_size,
                             &err);
    if (rc == GDPRX_ELIMIT) {
        if (err.offset >= 0 && (size_t)err.offset >= size)
            abort();   /* a limit error points into the input */
        return 0;
    }
    if (rc != GDPRX_OK)
        abort();
    if (gx_text_ostart(&h.t, h.t.len) != size || h.t.s[h.t.len] != '\0')
        abort();
    for (size_t i = 0; i < h.t.len; i++)
        if (gx_text_ostart(&h.t, i) > gx_text_oend(&h.t, i + 1) ||
            gx_text_oend(&h.t, i + 1) > size)
            abort();
    (void)gx_html_detect((const char *)data, size);
    gx_html_free(&h);
    return 0;
}
