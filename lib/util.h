/* SPDX-License-Identifier: MIT */
/* Small shared helpers: a growable byte buffer, checked allocation, growable
 * arrays. Every function reports allocation failure; none aborts. */
#ifndef GX_UTIL_H
#define GX_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define GX_N(a) (sizeof(a) / sizeof((a)[0]))

typedef struct gx_buf {
    char *s;
    size_t len, cap;
    int oom; /* set once an append failed; later appends do nothing */
} gx_buf;

void gx_buf_free(gx_buf *b);
int gx_buf_reserve(gx_buf *b, size_t extra);
void gx_buf_add(gx_buf *b, const char *s, size_t n);
void gx_buf_adds(gx_buf *b, const char *s);
void gx_buf_addc(gx_buf *b, char c);
void gx_buf_printf(gx_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Take the buffer's text (NUL-terminated, never NULL unless oom). */
char *gx_buf_take(gx_buf *b, size_t *len);

char *gx_strndup(const char *s, size_t n);
char *gx_strdup(const char *s);

/* Memory allocated one piece after another in large chunks and released
 * all together: the ~170,000 expanded concept terms of a rule set (a
 * malloc each cost more than expanding them), the strings and arrays of a
 * result. Zero-initialize. */
typedef struct gx_pool_chunk gx_pool_chunk;
typedef struct gx_pool {
    gx_pool_chunk *head;   /* owned chunk list, the one being filled first */
} gx_pool;

/* n bytes owned by the pool (released by gx_pool_free only), aligned for
 * any type when `aligned`, else unaligned (text); NULL when out of
 * memory. */
void *gx_pool_alloc(gx_pool *p, size_t n, int aligned);
/* A NUL-terminated copy of s[0, n) owned by the pool, or NULL. */
char *gx_pool_strndup(gx_pool *p, const char *s, size_t n);
/* Releases everything the pool holds; zeroes it. */
void gx_pool_free(gx_pool *p);

/* Grow *arr (element size `size`) so that it holds at least `need`
 * elements; *cap is updated. Returns 0 or -1 on overflow / no memory. */
int gx_grow(void *arr, size_t *cap, size_t need, size_t size);

/* Decode one UTF-8 code point at s[i] (i < n). Returns the length of a valid
 * sequence and sets *cp, or 0 for an invalid or truncated one (overlongs,
 * surrogates and values above U+10FFFF are invalid). */
int gx_utf8_decode(const unsigned char *s, size_t n, size_t i, uint32_t *cp);

/* Whether byte c belongs to a word as the concept scan reads words (ASCII
 * letters and digits, '_', every byte of a non-ASCII character): what the
 * scanner (lib/scan.c), term expansion and the widening of spans to whole
 * words agree on. */
static inline int gx_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}
/* Encode cp into out (4 bytes at most); returns the length. */
int gx_utf8_encode(uint32_t cp, char *out);

#endif
