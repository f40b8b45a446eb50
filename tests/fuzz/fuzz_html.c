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
    int rc = gx_html_to_text(&h, (const char *)data, size,
                             GDPRX_OPT_REPLACE_INVALID, &err);
    if (rc == GDPRX_ELIMIT)
        return 0;
    if (rc != GDPRX_OK)
        abort();
    if (h.ostart[h.len] != size || h.s[h.len] != '\0')
        abort();
    for (size_t i = 0; i < h.len; i++)
        if (h.ostart[i] > h.oend[i] || h.oend[i] > size)
            abort();
    (void)gx_html_detect((const char *)data, size);
    gx_html_free(&h);
    return 0;
}
