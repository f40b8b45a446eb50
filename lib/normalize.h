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

/* The offset map is sparse: most normalized bytes come from the original
 * byte after the previous one's, or from the same character, so one byte
 * per normalized byte codes them (GX_MAP_BLOCK bytes share a full offset).
 * code[i] = delta << 4 | olen, where delta = ostart(i) - ostart(i - 1)
 * (0 for the first byte of a block, whose ostart is base[i / GX_MAP_BLOCK])
 * and olen = oend(i) - ostart(i), when delta < 16 and 0 < olen < 16 (so
 * that a code is never 0); otherwise code[i]
 * is 0 and the entry of esc with the largest n <= i holds the span. Cost:
 * about 1.1 bytes per normalized byte, instead of 8 for two uint32_t. */
#define GX_MAP_BLOCK 32

/* The normalized text's stand-in for a run of invalid UTF-8 bytes read
 * under GDPRX_OPT_REPLACE_INVALID: one byte (ASCII SUB, which no input byte
 * normalizes to: controls read as spaces), mapped to the whole run, so that
 * text full of invalid bytes does not grow. It reads as U+FFFD would: not
 * part of a word, no white space; gdprx_normalize() shows it as U+FFFD. */
#define GX_REPLACED '\x1a'

typedef struct gx_map_esc {
    uint32_t n;        /* first normalized byte with this span */
    uint32_t os, oe;   /* its original span */
} gx_map_esc;

typedef struct gx_text {
    char *s;           /* owned: normalized UTF-8, NUL-terminated */
    size_t len;
    uint8_t *code;     /* owned, [cap]: the map, one code per byte (above) */
    uint32_t *base;    /* owned, [cap / GX_MAP_BLOCK + 1]: ostart of each
                          block's first byte */
    gx_map_esc *esc;   /* owned, [n_esc]: spans that do not fit a code,
                          ascending n */
    size_t n_esc, cap_esc;
    size_t cap;
    size_t last_os;    /* while normalizing: ostart of byte len - 1 */
    size_t orig_len;
    size_t n_replaced;       /* invalid bytes read as GX_REPLACED */
    size_t first_replaced;   /* offset of the first one */
} gx_text;

/* Normalize `len` bytes. flags: GDPRX_OPT_REPLACE_INVALID. The text is
 * never longer than the input (t->len <= len): a chunk whose fold is
 * longer than its bytes stays as written, a run of invalid bytes is one
 * GX_REPLACED.
 * Returns GDPRX_OK, GDPRX_EUTF8 (err->offset set), GDPRX_ELIMIT,
 * GDPRX_ENOMEM or GDPRX_EINTERNAL. On failure *t is freed. */
int gx_normalize(gx_text *t, const char *in, size_t len, unsigned flags,
                 gdprx_error *err);
void gx_text_free(gx_text *t);
/* Give back the capacity past t->len (a text built by gx_text_append
 * grows by doubling: up to twice its size). Best effort: a failed realloc
 * keeps the larger buffer. */
void gx_text_trim(gx_text *t);

/* Original offset where normalized byte i's source starts; the original
 * length for i >= t->len. O(GX_MAP_BLOCK). */
size_t gx_text_ostart(const gx_text *t, size_t i);
/* Original offset where normalized byte e - 1's source ends (0 for e = 0):
 * the original end of normalized range [s, e). */
size_t gx_text_oend(const gx_text *t, size_t e);
/* First normalized position whose source starts at or after original
 * offset o (t->len if none). O(log n + GX_MAP_BLOCK). */
size_t gx_text_npos(const gx_text *t, size_t o);

/* Append bytes b[0, n) to t (zeroed before the first call), each mapped to
 * source span [os, oe), os <= oe: the same compact map, for a text built
 * by another reader (lib/html.c). Spans need not follow the normalizer's
 * invariants there: an empty span (os == oe) or one that starts before the
 * byte before's is coded as an escape (12 bytes per run of equal spans);
 * gx_text_npos() is then not meaningful. n = 0 only makes t->s a
 * NUL-terminated buffer. t->orig_len (ostart of t->len) is the caller's to
 * set. Returns 0, or -1 when out of memory (t stays valid, unchanged). */
int gx_text_append(gx_text *t, const char *b, size_t n, size_t os, size_t oe);

#endif
