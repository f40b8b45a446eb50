/* SPDX-License-Identifier: MIT */
/* Shared helpers: growable buffers and arrays, UTF-8 coding. No stage logic. */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gx_buf_free(gx_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

int gx_buf_reserve(gx_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void gx_buf_add(gx_buf *b, const char *s, size_t n)
{
    if (gx_buf_reserve(b, n) != 0)
        return;
    if (n)
        memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void gx_buf_adds(gx_buf *b, const char *s) { gx_buf_add(b, s, strlen(s)); }

void gx_buf_addc(gx_buf *b, char c) { gx_buf_add(b, &c, 1); }

void gx_buf_printf(gx_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || gx_buf_reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *gx_buf_take(gx_buf *b, size_t *len)
{
    if (gx_buf_reserve(b, 0) != 0) {
        gx_buf_free(b);
        return NULL;
    }
    char *s = b->s;
    if (len)
        *len = b->len;
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

/* s[0, n) and a NUL into d (n + 1 bytes, or NULL: then NULL). */
static char *copy_str(char *d, const char *s, size_t n)
{
    if (d) {
        if (n)
            memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *gx_strndup(const char *s, size_t n)
{
    return copy_str(n < SIZE_MAX ? malloc(n + 1) : NULL, s, n);
}

char *gx_strdup(const char *s) { return s ? gx_strndup(s, strlen(s)) : NULL; }

#define POOL_CHUNK 65536

struct gx_pool_chunk {
    gx_pool_chunk *next;
    size_t used, size;
    max_align_t b[];   /* aligned for any type */
};

void *gx_pool_alloc(gx_pool *p, size_t n, int aligned)
{
    const size_t al = sizeof(max_align_t);
    gx_pool_chunk *c = p->head;
    size_t at = c && aligned ? (c->used + al - 1) & ~(al - 1) : c ? c->used : 0;
    if (!c || at > c->size || c->size - at < n) {
        size_t size = n > POOL_CHUNK ? n : POOL_CHUNK;
        gx_pool_chunk *nc = size <= SIZE_MAX - sizeof *nc
                                ? malloc(sizeof *nc + size)
                                : NULL;
        if (!nc)
            return NULL;
        nc->size = size;
        nc->used = 0;
        if (c && n > POOL_CHUNK) {   /* a large one-off: keep filling c */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            p->head = nc;
        }
        c = nc;
        at = 0;
    }
    c->used = at + n;
    return (char *)c->b + at;
}

char *gx_pool_strndup(gx_pool *p, const char *s, size_t n)
{
    return copy_str(n < SIZE_MAX ? gx_pool_alloc(p, n + 1, 0) : NULL, s, n);
}

void gx_pool_free(gx_pool *p)
{
    while (p->head) {
        gx_pool_chunk *next = p->head->next;
        free(p->head);
        p->head = next;
    }
}

int gx_grow(void *arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        if (c > SIZE_MAX / 2 / size)
            return -1;
        c *= 2;
    }
    void *p = realloc(*(void **)arr, c * size);
    if (!p)
        return -1;
    *(void **)arr = p;
    *cap = c;
    return 0;
}

int gx_utf8_decode(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    unsigned c = s[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n - i < (size_t)len)
        return 0;
    for (int k = 1; k < len; k++) {
        unsigned d = s[i + k];
        if ((d & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (d & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

int gx_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}
