/* SPDX-License-Identifier: MIT */
/* Stage 1, normalization: validates UTF-8, applies NFKC case folding (ICU),
 * strips combining marks, unifies quotes/apostrophes/dashes and white space,
 * and records for each output byte the original span it came from. */
#include "normalize.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf16.h>

#include "error.h"
#include "util.h"

#define CHUNK_MAX 32   /* code points normalized together at most */
#define UBUF 4096      /* UTF-16 units for a normalized chunk */

typedef struct norm {
    gx_text *t;
    const UNormalizer2 *nfkc, *nfd;
    const unsigned char *in;
} norm;

static int push_byte(gx_text *t, char c, size_t os, size_t oe)
{
    if (t->len + 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        char *s = realloc(t->s, cap);
        if (!s)
            return -1;
        t->s = s;
        uint32_t *a = realloc(t->ostart, (cap + 1) * sizeof *a);
        if (!a)
            return -1;
        t->ostart = a;
        uint32_t *b = realloc(t->oend, cap * sizeof *b);
        if (!b)
            return -1;
        t->oend = b;
        t->cap = cap;
    }
    t->s[t->len] = c;
    t->ostart[t->len] = (uint32_t)os;
    t->oend[t->len] = (uint32_t)oe;
    t->len++;
    return 0;
}

/* Typographic variants folded to one ASCII form. Applied after folding. */
static uint32_t fold_punct(uint32_t c)
{
    switch (c) {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x02BC:
    case 0x02B9: case 0x2032: case 0x00B4: case 0x0060:
        return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x00AB:
    case 0x00BB: case 0x2039: case 0x203A: case 0x2033:
        return '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
    case 0x2015: case 0x2212: case 0xFE58: case 0xFE63:
        return '-';
    case 0x000B: case 0x000C: case 0x0085: case 0x2028: case 0x2029:
        return '\n';
    default:
        break;
    }
    if (c == '\n' || c == '\r')
        return '\n';
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
        return ' ';   /* NUL and other controls read as spaces */
    if (c > 0x7F && u_isUWhiteSpace((UChar32)c))
        return ' ';
    return c;
}

/* Append code point c (already folded) for original span [os, oe),
 * collapsing white space: no leading spaces on a line, one space between
 * words, at most one empty line. */
static int emit(gx_text *t, uint32_t c, size_t os, size_t oe)
{
    if (c == ' ') {
        if (t->len == 0 || t->s[t->len - 1] == ' ' || t->s[t->len - 1] == '\n')
            return 0;
        return push_byte(t, ' ', os, oe);
    }
    if (c == '\n') {
        if (t->len && t->s[t->len - 1] == ' ')
            t->len--;
        if (t->len == 0)
            return 0;
        if (t->len >= 2 && t->s[t->len - 1] == '\n' && t->s[t->len - 2] == '\n')
            return 0;
        return push_byte(t, '\n', os, oe);
    }
    char u[4];
    int n = gx_utf8_encode(c, u);
    for (int k = 0; k < n; k++)
        if (push_byte(t, u[k], os, oe) != 0)
            return -1;
    return 0;
}

/* Normalize the code points in[os, oe) (one ICU normalization chunk). */
static int emit_chunk(norm *nm, const uint32_t *cps, int ncp, size_t os,
                      size_t oe, gdprx_error *err)
{
    UChar a[UBUF], b[UBUF];
    int32_t na = 0;
    for (int k = 0; k < ncp; k++) {
        uint32_t c = cps[k];
        if (c == 0x00B4 || c == 0x0060)   /* accents used as apostrophes */
            c = '\'';
        U16_APPEND_UNSAFE(a, na, c);
    }
    UErrorCode st = U_ZERO_ERROR;
    int32_t nb = unorm2_normalize(nm->nfkc, a, na, b, UBUF, &st);
    if (U_FAILURE(st))
        return gx_error_offset(err, GDPRX_EINTERNAL, os,
                               "ICU NFKC_Casefold failed: %s", u_errorName(st));
    st = U_ZERO_ERROR;
    na = unorm2_normalize(nm->nfd, b, nb, a, UBUF, &st);
    if (U_FAILURE(st))
        return gx_error_offset(err, GDPRX_EINTERNAL, os,
                               "ICU NFD failed: %s", u_errorName(st));
    for (int32_t i = 0; i < na;) {
        UChar32 c;
        U16_NEXT(a, i, na, c);
        if (u_charType(c) == U_NON_SPACING_MARK)
            continue;
        if (emit(nm->t, fold_punct((uint32_t)c), os, oe) != 0)
            return gx_error_nomem(err);
    }
    return GDPRX_OK;
}

static int decode(const unsigned char *in, size_t len, size_t i, uint32_t *cp,
                  unsigned flags, gx_text *t, gdprx_error *err)
{
    int n = gx_utf8_decode(in, len, i, cp);
    if (n > 0)
        return n;
    if (!(flags & GDPRX_OPT_REPLACE_INVALID)) {
        gx_error_offset(err, GDPRX_EUTF8, i, "invalid UTF-8 (byte 0x%02X)",
                        in[i]);
        return -1;
    }
    if (t->n_replaced++ == 0)
        t->first_replaced = i;
    *cp = 0xFFFD;
    return 1;
}

int gx_normalize(gx_text *t, const char *text, size_t len, unsigned flags,
                 gdprx_error *err)
{
    memset(t, 0, sizeof *t);
    if (len > GDPRX_MAX_INPUT)
        return gx_error_set(err, GDPRX_ELIMIT,
                            "input of %zu bytes is larger than the limit "
                            "of %zu", len, (size_t)GDPRX_MAX_INPUT);
    UErrorCode st = U_ZERO_ERROR;
    norm nm = {t, unorm2_getNFKCCasefoldInstance(&st), NULL,
               (const unsigned char *)text};
    if (U_SUCCESS(st))
        nm.nfd = unorm2_getNFDInstance(&st);
    if (U_FAILURE(st))
        return gx_error_set(err, GDPRX_EINTERNAL, "ICU normalizer: %s",
                            u_errorName(st));
    int rc = GDPRX_OK;
    const unsigned char *in = nm.in;
    size_t i = 0;
    uint32_t cp = 0;
    int n = len ? decode(in, len, 0, &cp, flags, t, err) : 0;
    while (i < len) {
        if (n < 0) {
            rc = GDPRX_EUTF8;
            goto out;
        }
        uint32_t cps[CHUNK_MAX];
        int ncp = 0;
        size_t os = i;
        cps[ncp++] = cp;
        i += (size_t)n;
        n = i < len ? decode(in, len, i, &cp, flags, t, err) : 0;
        /* extend the chunk while the next code point composes with it */
        while (n > 0 && ncp < CHUNK_MAX && cp >= 0x80 &&
               !unorm2_hasBoundaryBefore(nm.nfkc, (UChar32)cp)) {
            cps[ncp++] = cp;
            i += (size_t)n;
            n = i < len ? decode(in, len, i, &cp, flags, t, err) : 0;
        }
        if (ncp == 1 && cps[0] < 0x80) {
            uint32_t c = cps[0];
            if (c == '\n' && os > 0 && in[os - 1] == '\r')
                continue;   /* CRLF is one line break */
            if (c >= 'A' && c <= 'Z')
                c += 'a' - 'A';
            if (emit(t, fold_punct(c), os, i) != 0) {
                rc = gx_error_nomem(err);
                goto out;
            }
            continue;
        }
        rc = emit_chunk(&nm, cps, ncp, os, i, err);
        if (rc != GDPRX_OK)
            goto out;
    }
    if (push_byte(t, '\0', len, len) != 0) {
        rc = gx_error_nomem(err);
        goto out;
    }
    t->len--;                 /* the NUL is not part of the text */
    t->ostart[t->len] = (uint32_t)len;
    t->orig_len = len;
out:
    if (rc != GDPRX_OK)
        gx_text_free(t);
    return rc;
}

void gx_text_free(gx_text *t)
{
    free(t->s);
    free(t->ostart);
    free(t->oend);
    memset(t, 0, sizeof *t);
}

size_t gx_text_npos(const gx_text *t, size_t o)
{
    size_t lo = 0, hi = t->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->ostart[mid] < o)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int gdprx_normalize(char **out, size_t *out_len, const char *text, size_t len,
                    unsigned flags, gdprx_error *err)
{
    gx_error_clear(err);
    if (!out || (!text && len))
        return gx_error_set(err, GDPRX_EINVAL, "gdprx_normalize: NULL %s",
                            out ? "text" : "out");
    gx_text t;
    int rc = gx_normalize(&t, text ? text : "", len, flags, err);
    if (rc != GDPRX_OK)
        return rc;
    *out = t.s;
    if (out_len)
        *out_len = t.len;
    t.s = NULL;
    gx_text_free(&t);
    return GDPRX_OK;
}
