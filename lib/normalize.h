/* SPDX-License-Identifier: MIT */
/* Stage 1, normalization: UTF-8 input -> folded text the rules are written
 * against, with a map from every normalized byte back to the original bytes.
 * Invariants: ostart is non-decreasing; every ostart/oend value lies on a
 * UTF-8 boundary of the input; ostart[i] < oend[i]. */
#ifndef GX_NORMALIZE_H
#define GX_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "gdprx.h"

typedef struct gx_text {
    char *s;           /* normalized UTF-8, NUL-terminated */
    size_t len;
    uint32_t *ostart;  /* [len + 1]: original offset where byte i's source starts;
                          ostart[len] = original length */
    uint32_t *oend;    /* [len]: original offset where byte i's source ends */
    size_t cap;
    size_t orig_len;
    size_t n_replaced;       /* invalid bytes replaced by U+FFFD */
    size_t first_replaced;   /* offset of the first one */
} gx_text;

/* Normalize `len` bytes. flags: GDPRX_OPT_REPLACE_INVALID.
 * Returns GDPRX_OK, GDPRX_EUTF8 (err->offset set), GDPRX_ELIMIT,
 * GDPRX_ENOMEM or GDPRX_EINTERNAL. On failure *t is freed. */
int gx_normalize(gx_text *t, const char *in, size_t len, unsigned flags,
                 gdprx_error *err);
void gx_text_free(gx_text *t);

/* Original span of normalized range [s, e), s < e. */
static inline size_t gx_text_ostart(const gx_text *t, size_t s)
{
    return t->ostart[s];
}
static inline size_t gx_text_oend(const gx_text *t, size_t e)
{
    return e ? t->oend[e - 1] : 0;
}
/* First normalized position whose source starts at or after original
 * offset o (t->len if none). */
size_t gx_text_npos(const gx_text *t, size_t o);

#endif
