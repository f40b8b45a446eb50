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
#define CACHE_N 256    /* single-code-point chunks remembered per call */
#define CACHE_OUT 4    /* code points a remembered chunk gives at most */

/* A single non-ASCII code point's folded output, so that each distinct
 * character of a document goes through ICU once. */
typedef struct cached {
    uint32_t cp;       /* 0: empty (ASCII never reaches the cache) */
    uint8_t n;
    uint32_t out[CACHE_OUT];
} cached;

typedef struct norm {
    gx_text *t;
    const UNormalizer2 *nfkc, *nfd;
    const unsigned char *in;
    cached cache[CACHE_N];   /* per call: no state outlives gx_normalize */
} norm;

/* Make room for `extra` more bytes plus a NUL in t's text and map:
 * exactly that much on the first call, then at least twice the capacity. */
static int reserve(gx_text *t, size_t extra)
{
    if (extra > SIZE_MAX / 16 - t->len)
        return -1;
    size_t need = t->len + extra + 1;
    if (need <= t->cap)
        return 0;
    size_t cap = t->cap ? 2 * t->cap : 256;
    if (cap < need)
        cap = need;
    char *s = realloc(t->s, cap);
    if (!s)
        return -1;
    t->s = s;
    uint8_t *c = realloc(t->code, cap);
    if (!c)
        return -1;
    t->code = c;
    uint32_t *b = realloc(t->base, (cap / GX_MAP_BLOCK + 1) * sizeof *b);
    if (!b)
        return -1;
    t->base = b;
    t->cap = cap;
    return 0;
}

/* The map entry of byte t->len (room reserved) for original span [os, oe). */
static inline int map_push(gx_text *t, size_t os, size_t oe)
{
    size_t i = t->len, prev = t->last_os;
    if (i % GX_MAP_BLOCK == 0) {
        t->base[i / GX_MAP_BLOCK] = (uint32_t)os;
        prev = os;
    }
    t->last_os = os;
    if (os - prev < 16 && oe - os - 1 < 15) {   /* 1 <= olen < 16: code != 0 */
        t->code[i] = (uint8_t)((os - prev) << 4 | (oe - os));
        return 0;
    }
    t->code[i] = 0;
    const gx_map_esc *last = t->n_esc ? &t->esc[t->n_esc - 1] : NULL;
    if (i && !t->code[i - 1] && last && last->os == os && last->oe == oe)
        return 0;   /* the same span as the byte before */
    if (gx_grow(&t->esc, &t->cap_esc, t->n_esc + 1, sizeof *t->esc) != 0)
        return -1;
    t->esc[t->n_esc++] = (gx_map_esc){(uint32_t)i, (uint32_t)os, (uint32_t)oe};
    return 0;
}

/* Drop the last byte of the text and its map entry. */
static void pop_byte(gx_text *t)
{
    size_t i = t->len - 1;
    if (!t->code[i] && t->n_esc && t->esc[t->n_esc - 1].n == i)
        t->n_esc--;
    t->len = i;
    t->last_os = i ? gx_text_ostart(t, i - 1) : 0;
}

static inline int push_byte(gx_text *t, char c, size_t os, size_t oe)
{
    if (t->len + 2 > t->cap && reserve(t, 1) != 0)
        return -1;
    if (map_push(t, os, oe) != 0)
        return -1;
    t->s[t->len++] = c;
    return 0;
}

int gx_text_append(gx_text *t, const char *b, size_t n, size_t os, size_t oe)
{
    if (reserve(t, n) != 0)
        return -1;
    size_t len = t->len, n_esc = t->n_esc, last_os = t->last_os;
    for (size_t i = 0; i < n; i++) {
        if (map_push(t, os, oe) != 0) {
            t->len = len;   /* the entries pushed are dropped */
            t->n_esc = n_esc;
            t->last_os = last_os;
            t->s[len] = '\0';
            return -1;
        }
        t->s[t->len++] = b[i];
    }
    t->s[t->len] = '\0';
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

/* White space collapsing on the text so far: whether a space may follow
 * (no leading spaces on a line, one space between words). */
static inline int space_wanted(const gx_text *t)
{
    return t->len && t->s[t->len - 1] != ' ' && t->s[t->len - 1] != '\n';
}

/* Before a line break: drop a trailing space; whether the break is kept
 * (none at the start, at most one empty line). */
static inline int newline_wanted(gx_text *t)
{
    if (t->len && t->s[t->len - 1] == ' ')
        pop_byte(t);
    return t->len &&
           !(t->len >= 2 && t->s[t->len - 1] == '\n' && t->s[t->len - 2] == '\n');
}

/* Append code point c (already folded) for original span [os, oe),
 * collapsing white space: no leading spaces on a line, one space between
 * words, at most one empty line. */
static int emit(gx_text *t, uint32_t c, size_t os, size_t oe)
{
    if (c == ' ')
        return space_wanted(t) ? push_byte(t, ' ', os, oe) : 0;
    if (c == '\n')
        return newline_wanted(t) ? push_byte(t, '\n', os, oe) : 0;
    char u[4];
    int n = gx_utf8_encode(c, u);
    for (int k = 0; k < n; k++)
        if (push_byte(t, u[k], os, oe) != 0)
            return -1;
    return 0;
}

/* An ASCII byte as fold_punct(lower case) reads it. */
static inline unsigned char fold_ascii(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (unsigned char)(c + ('a' - 'A'));
    if (c >= 0x20 && c < 0x7F)
        return c == '`' ? '\'' : c;
    if (c == '\n' || c == '\r' || c == 0x0B || c == 0x0C)
        return '\n';
    return ' ';
}

/* Emit the ASCII bytes in[i, e), each its own chunk: the same as emit()
 * per byte, without its per-byte calls and capacity checks. */
static int emit_ascii(gx_text *t, const unsigned char *in, size_t i, size_t e)
{
    if (reserve(t, e - i + 1) != 0)
        return -1;
    char *s = t->s;
    for (size_t k = i; k < e; k++) {
        /* most bytes: printable, not a space, one map code from the byte
         * before (a span of 1 at most 15 bytes on); locals, as the stores
         * to s (char) would make the compiler reload t's fields */
        size_t len = t->len, last = t->last_os;
        uint8_t *code = t->code;
        while (k < e && in[k] > 0x20 && in[k] < 0x7F &&
               len % GX_MAP_BLOCK != 0 && k - last < 16) {
            unsigned char c = fold_ascii(in[k]);
            code[len] = (uint8_t)((k - last) << 4 | 1);
            last = k++;
            s[len++] = (char)c;
        }
        t->len = len;
        t->last_os = last;
        if (k >= e)
            break;
        unsigned char c = fold_ascii(in[k]);
        if (c == ' ' && !space_wanted(t))
            continue;
        if (c == '\n' && ((in[k] == '\n' && k > 0 && in[k - 1] == '\r') ||
                          !newline_wanted(t)))
            continue;   /* CRLF is one line break */
        if (map_push(t, k, k + 1) != 0)
            return -1;
        s[t->len++] = (char)c;
    }
    return 0;
}

/* Fold the code points cps[0, ncp) with ICU into out (at most `max`);
 * returns how many, or -1 (ICU failure, error set). */
static int fold_chunk(norm *nm, const uint32_t *cps, int ncp, size_t os,
                      uint32_t *out, int max, gdprx_error *err)
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
    if (U_FAILURE(st)) {
        gx_error_offset(err, GDPRX_EINTERNAL, os,
                        "ICU NFKC_Casefold failed: %s", u_errorName(st));
        return -1;
    }
    st = U_ZERO_ERROR;
    na = unorm2_normalize(nm->nfd, b, nb, a, UBUF, &st);
    if (U_FAILURE(st)) {
        gx_error_offset(err, GDPRX_EINTERNAL, os, "ICU NFD failed: %s",
                        u_errorName(st));
        return -1;
    }
    int n = 0;
    size_t grown = 0, orig = 0;
    char u8[4];
    for (int32_t i = 0; i < na && n < max;) {
        UChar32 c;
        U16_NEXT(a, i, na, c);
        if (u_charType(c) != U_NON_SPACING_MARK) {
            out[n] = fold_punct((uint32_t)c);
            grown += (size_t)gx_utf8_encode(out[n++], u8);
        }
    }
    for (int k = 0; k < ncp; k++)
        orig += (size_t)gx_utf8_encode(cps[k], u8);
    if (grown <= orig)
        return n;
    /* A fold longer than what is written (U+FDFA, 3 bytes, is 33; Hangul
     * syllables decompose to three jamo; "1/2" for U+00BD) would let text
     * grow up to 11x in memory: such a chunk stays as written. No word of
     * English, French or Dutch needs one of those folds. */
    for (n = 0; n < ncp && n < max; n++)
        out[n] = fold_punct(cps[n]);
    return n;
}

/* Normalize the code points in[os, oe) (one ICU normalization chunk). */
static int emit_chunk(norm *nm, const uint32_t *cps, int ncp, size_t os,
                      size_t oe, gdprx_error *err)
{
    uint32_t out[UBUF];
    const uint32_t *o = out;
    int n;
    cached *ce = ncp == 1 ? &nm->cache[cps[0] % CACHE_N] : NULL;
    if (ce && ce->cp == cps[0]) {
        o = ce->out;
        n = ce->n;
    } else if ((n = fold_chunk(nm, cps, ncp, os, out, UBUF, err)) < 0) {
        return GDPRX_EINTERNAL;
    } else if (ce && n <= CACHE_OUT) {
        ce->cp = cps[0];
        ce->n = (uint8_t)n;
        memcpy(ce->out, out, (size_t)n * sizeof *out);
    }
    for (int k = 0; k < n; k++)
        if (emit(nm->t, o[k], os, oe) != 0)
            return gx_error_nomem(err);
    return GDPRX_OK;
}

/* decode()'s code point for a run of invalid bytes (no Unicode value). */
#define CP_INVALID 0x110000u

/* The code point at in[i] and its length; for invalid UTF-8 under
 * GDPRX_OPT_REPLACE_INVALID, CP_INVALID and the length of the whole run of
 * invalid bytes from i (each byte that starts no valid character). */
static int decode(const unsigned char *in, size_t len, size_t i, uint32_t *cp,
                  unsigned flags, gx_text *t, gdprx_error *err)
{
    if (in[i] < 0x80) {
        *cp = in[i];
        return 1;
    }
    int n = gx_utf8_decode(in, len, i, cp);
    if (n > 0)
        return n;
    if (!(flags & GDPRX_OPT_REPLACE_INVALID)) {
        gx_error_offset(err, GDPRX_EUTF8, i, "invalid UTF-8 (byte 0x%02X)",
                        in[i]);
        return -1;
    }
    if (t->n_replaced == 0)
        t->first_replaced = i;
    size_t e = i + 1;
    uint32_t c;
    while (e < len && in[e] >= 0x80 && e - i < INT32_MAX &&
           gx_utf8_decode(in, len, e, &c) == 0)
        e++;
    t->n_replaced += e - i;
    *cp = CP_INVALID;
    return (int)(e - i);
}

/* End of the ASCII bytes from i that are chunks of their own: each one is
 * followed by another ASCII byte or by the end of the input (the last ASCII
 * byte before a non-ASCII one may compose with it). */
static size_t ascii_chunks_end(const unsigned char *in, size_t i, size_t len)
{
    size_t j = i;
    while (j < len && in[j] < 0x80)
        j++;
    return j < len && j > i ? j - 1 : j;
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
    norm *nm = calloc(1, sizeof *nm);
    if (!nm)
        return gx_error_nomem(err);
    nm->t = t;
    nm->nfkc = unorm2_getNFKCCasefoldInstance(&st);
    nm->in = (const unsigned char *)text;
    if (U_SUCCESS(st))
        nm->nfd = unorm2_getNFDInstance(&st);
    int rc = GDPRX_OK;
    if (U_FAILURE(st)) {
        rc = gx_error_set(err, GDPRX_EINTERNAL, "ICU normalizer: %s",
                          u_errorName(st));
        goto out;
    }
    /* folded text is rarely longer than its input: size for that once */
    if (reserve(t, len + 1) != 0) {
        rc = gx_error_nomem(err);
        goto out;
    }
    const unsigned char *in = nm->in;
    size_t i = 0;
    uint32_t cp = 0;
    int n = len ? decode(in, len, 0, &cp, flags, t, err) : 0;
    while (i < len) {
        if (n < 0) {
            rc = GDPRX_EUTF8;
            goto out;
        }
        if (cp == CP_INVALID) {   /* one stand-in byte for the run */
            if (push_byte(t, GX_REPLACED, i, i + (size_t)n) != 0) {
                rc = gx_error_nomem(err);
                goto out;
            }
            i += (size_t)n;
            n = i < len ? decode(in, len, i, &cp, flags, t, err) : 0;
            continue;
        }
        if (cp < 0x80) {
            size_t e = ascii_chunks_end(in, i, len);
            if (e > i) {
                if (emit_ascii(t, in, i, e) != 0) {
                    rc = gx_error_nomem(err);
                    goto out;
                }
                i = e;
                n = i < len ? decode(in, len, i, &cp, flags, t, err) : 0;
                continue;
            }
        }
        uint32_t cps[CHUNK_MAX];
        int ncp = 0;
        size_t os = i;
        cps[ncp++] = cp;
        i += (size_t)n;
        n = i < len ? decode(in, len, i, &cp, flags, t, err) : 0;
        /* extend the chunk while the next code point composes with it */
        while (n > 0 && ncp < CHUNK_MAX && cp >= 0x80 && cp != CP_INVALID &&
               !unorm2_hasBoundaryBefore(nm->nfkc, (UChar32)cp)) {
            cps[ncp++] = cp;
            i += (size_t)n;
            n = i < len ? decode(in, len, i, &cp, flags, t, err) : 0;
        }
        if (ncp == 1 && cps[0] < 0x80) {
            if (emit_ascii(t, in, os, i) != 0) {
                rc = gx_error_nomem(err);
                goto out;
            }
            continue;
        }
        rc = emit_chunk(nm, cps, ncp, os, i, err);
        if (rc != GDPRX_OK)
            goto out;
    }
    if (t->len >= UINT32_MAX) {   /* the map and the scanner count in 32 bits */
        rc = gx_error_set(err, GDPRX_ELIMIT,
                          "input of %zu bytes normalizes to %zu bytes, more "
                          "than the limit of %u", len, t->len,
                          (unsigned)UINT32_MAX - 1);
        goto out;
    }
    if (reserve(t, 1) != 0) {
        rc = gx_error_nomem(err);
        goto out;
    }
    t->s[t->len] = '\0';      /* the NUL is not part of the text */
    t->orig_len = len;
out:
    free(nm);
    if (rc != GDPRX_OK)
        gx_text_free(t);
    return rc;
}

void gx_text_trim(gx_text *t)
{
    size_t cap = t->len + 1;
    if (!t->s || cap >= t->cap)
        return;
    char *s = realloc(t->s, cap);
    if (!s)
        return;
    t->s = s;
    uint8_t *c = realloc(t->code, cap);
    if (!c) {
        t->cap = cap;   /* s is now cap bytes; code keeps more */
        return;
    }
    t->code = c;
    uint32_t *b = realloc(t->base, (cap / GX_MAP_BLOCK + 1) * sizeof *b);
    if (b)
        t->base = b;
    t->cap = cap;
}

void gx_text_free(gx_text *t)
{
    free(t->s);
    free(t->code);
    free(t->base);
    free(t->esc);
    memset(t, 0, sizeof *t);
}

/* The escape entry of byte i (code[i] == 0): the last with n <= i. */
static const gx_map_esc *esc_of(const gx_text *t, size_t i)
{
    size_t lo = 0, hi = t->n_esc;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->esc[mid].n <= i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return &t->esc[lo - 1];
}

size_t gx_text_ostart(const gx_text *t, size_t i)
{
    if (i >= t->len)
        return t->orig_len;
    size_t b0 = i - i % GX_MAP_BLOCK, sum = 0;
    for (size_t j = i;; j--) {   /* deltas back to an anchor */
        uint8_t c = t->code[j];
        if (!c)
            return esc_of(t, j)->os + sum;
        sum += c >> 4;
        if (j == b0)
            return t->base[j / GX_MAP_BLOCK] + sum;
    }
}

size_t gx_text_oend(const gx_text *t, size_t e)
{
    if (!e)
        return 0;
    uint8_t c = t->code[e - 1];
    return c ? gx_text_ostart(t, e - 1) + (c & 15) : esc_of(t, e - 1)->oe;
}

/* ostart of byte i (< t->len) from prev, the ostart of byte i - 1. */
static size_t next_ostart(const gx_text *t, size_t i, size_t prev)
{
    uint8_t c = t->code[i];
    if (!c)
        return esc_of(t, i)->os;
    return i % GX_MAP_BLOCK ? prev + (c >> 4) : t->base[i / GX_MAP_BLOCK];
}

size_t gx_text_npos(const gx_text *t, size_t o)
{
    /* the first block whose first byte starts at or after o; the answer is
     * in the block before it, or is its first byte */
    size_t lo = 0, hi = (t->len + GX_MAP_BLOCK - 1) / GX_MAP_BLOCK;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->base[mid] < o)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t i = lo ? (lo - 1) * GX_MAP_BLOCK : 0;
    size_t cur = gx_text_ostart(t, i);
    while (i < t->len && cur < o) {
        i++;
        cur = i < t->len ? next_ostart(t, i, cur) : t->orig_len;
    }
    return i;
}

/* t->s with each GX_REPLACED stand-in written as U+FFFD (the map is not
 * kept up to date: for gdprx_normalize() only). Returns 0 or -1 (out of
 * memory, t unchanged). */
static int show_replaced(gx_text *t)
{
    size_t k = 0;
    for (size_t i = 0; i < t->len; i++)
        k += t->s[i] == GX_REPLACED;
    if (k > (SIZE_MAX - t->len - 1) / 2)
        return -1;
    char *s = malloc(t->len + 2 * k + 1);
    if (!s)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < t->len; i++) {
        if (t->s[i] == GX_REPLACED) {
            memcpy(s + n, "\xEF\xBF\xBD", 3);
            n += 3;
        } else {
            s[n++] = t->s[i];
        }
    }
    s[n] = '\0';
    free(t->s);
    t->s = s;
    t->len = n;
    return 0;
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
    if (t.n_replaced && show_replaced(&t) != 0) {
        gx_text_free(&t);
        return gx_error_nomem(err);
    }
    *out = t.s;
    if (out_len)
        *out_len = t.len;
    t.s = NULL;
    gx_text_free(&t);
    return GDPRX_OK;
}
