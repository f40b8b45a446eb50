/* SPDX-License-Identifier: MIT */
/* gdprx report: byte buffer, HTML and JSON escaping, segments, page names
 * (see report_html.h). Everything a page shows of a policy, a file name or
 * a rule goes through rh_escape() or rh_json_str(); neither lets an invalid
 * UTF-8 byte through. */
#include "report_html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- sbuf -------------------------------------------------------------- */

static int sb_reserve(sbuf *b, size_t more)
{
    if (b->failed)
        return -1;
    if (more < b->cap - b->len)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (more >= cap - b->len) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void sb_put(sbuf *b, const char *s, size_t n)
{
    if (sb_reserve(b, n) != 0)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sb_puts(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

void sb_printf(sbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        sb_put(b, small, (size_t)n);
        return;
    }
    if (sb_reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void sb_free(sbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

/* ---- escaping ---------------------------------------------------------- */

size_t rh_utf8_len(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || n > left)
        return 0;
    /* the second byte's range excludes overlongs, surrogates, > U+10FFFF */
    unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return n;
}

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

static const char *html_ref(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    case '\r': return "&#13;";
    case '\0': return REPLACEMENT;
    default: return NULL;
    }
}

void rh_escape(sbuf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; /* start of the bytes not yet appended */
    for (size_t i = 0; i < n;) {
        size_t k = rh_utf8_len(u + i, n - i);
        const char *ref = k == 1 ? html_ref(u[i]) : k == 0 ? REPLACEMENT
                                                           : NULL;
        if (!ref) {
            i += k;
            continue;
        }
        sb_put(b, s + run, i - run);
        sb_puts(b, ref);
        i += k ? k : 1;
        run = i;
    }
    sb_put(b, s + run, n - run);
}

void rh_escape_str(sbuf *b, const char *s)
{
    if (s)
        rh_escape(b, s, strlen(s));
}

/* The JSON escape of the character at u (k bytes, k from rh_utf8_len), or
 * NULL when it goes as is; tmp holds a \uXXXX. */
static const char *json_escape(const unsigned char *u, size_t k, char tmp[8])
{
    if (k == 0)
        return "\\ufffd";
    if (k == 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 ||
                                                   u[2] == 0xA9))
        return u[2] == 0xA8 ? "\\u2028" : "\\u2029";
    if (k != 1)
        return NULL;
    if (u[0] == '"')
        return "\\\"";
    if (u[0] == '\\')
        return "\\\\";
    if (u[0] < 0x20 || u[0] == '<' || u[0] == '>' || u[0] == '&') {
        snprintf(tmp, 8, "\\u%04x", u[0]);
        return tmp;
    }
    return NULL;
}

void rh_json_str(sbuf *b, const char *s, size_t n)
{
    if (!s) {
        sb_puts(b, "null");
        return;
    }
    const unsigned char *u = (const unsigned char *)s;
    char tmp[8];
    size_t run = 0;
    sb_put(b, "\"", 1);
    for (size_t i = 0; i < n;) {
        size_t k = rh_utf8_len(u + i, n - i);
        const char *esc = json_escape(u + i, k, tmp);
        if (!esc) {
            i += k;
            continue;
        }
        sb_put(b, s + run, i - run);
        sb_puts(b, esc);
        i += k ? k : 1;
        run = i;
    }
    sb_put(b, s + run, n - run);
    sb_put(b, "\"", 1);
}

/* ---- segments ---------------------------------------------------------- */

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The distinct boundaries 0, len and every clamped start and end, sorted.
 * Returns their number, or 0 when out of memory. Ownership: *out, free(). */
static size_t boundaries(size_t **out, const rh_span *spans, size_t n,
                         size_t len)
{
    size_t *v = malloc((2 * n + 2) * sizeof *v);
    if (!v)
        return 0;
    size_t m = 0;
    v[m++] = 0;
    v[m++] = len;
    for (size_t i = 0; i < n; i++) {
        v[m++] = spans[i].start < len ? spans[i].start : len;
        v[m++] = spans[i].end < len ? spans[i].end : len;
    }
    qsort(v, m, sizeof *v, cmp_size);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (!u || v[u - 1] != v[i])
            v[u++] = v[i];
    *out = v;
    return u;
}

/* A growing array of finding indices. Returns 0 or -1. */
static int ids_push(rh_segments *s, size_t *cap, size_t id)
{
    if (s->n_ids == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        size_t *v = realloc(s->ids, c * sizeof *v);
        if (!v)
            return -1;
        s->ids = v;
        *cap = c;
    }
    s->ids[s->n_ids++] = id;
    return 0;
}

/* The spans containing [lo, hi): start <= lo and end >= hi. Spans start at
 * boundaries, so each is found by a scan of the spans sorted by start;
 * `order` holds the span indices sorted by start, *next the first not yet
 * seen, active[0..*na) those seen and not ended (ascending). */
static void advance(size_t *active, size_t *na, const size_t *order,
                    size_t *next, size_t n, const rh_span *spans, size_t lo,
                    size_t hi)
{
    size_t k = 0;
    for (size_t i = 0; i < *na; i++)
        if (spans[active[i]].end >= hi)
            active[k++] = active[i];
    *na = k;
    for (; *next < n && spans[order[*next]].start <= lo; ++*next) {
        size_t id = order[*next];
        if (spans[id].end < hi)
            continue;
        size_t j = (*na)++;
        for (; j > 0 && active[j - 1] > id; j--)
            active[j] = active[j - 1];
        active[j] = id;
    }
}

int rh_segments_build(rh_segments *out, const rh_span *spans, size_t n,
                      size_t len)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return 0;
    size_t *bound = NULL, *order = malloc((n + 1) * sizeof *order),
           *active = malloc((n + 1) * sizeof *active);
    size_t nb = order && active ? boundaries(&bound, spans, n, len) : 0;
    out->v = nb ? malloc(nb * sizeof *out->v) : NULL;
    int rc = -1;
    if (!out->v)
        goto out;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    /* insertion sort by start, stable: spans usually come sorted */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && spans[order[j - 1]].start >
                                        spans[order[j]].start; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    size_t next = 0, na = 0, cap = 0;
    for (size_t k = 0; k + 1 < nb; k++) {
        advance(active, &na, order, &next, n, spans, bound[k], bound[k + 1]);
        rh_segment *g = &out->v[out->n++];
        *g = (rh_segment){bound[k], bound[k + 1], out->n_ids, na};
        for (size_t i = 0; i < na; i++)
            if (ids_push(out, &cap, active[i]) != 0)
                goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        rh_segments_free(out);
    free(bound);
    free(order);
    free(active);
    return rc;
}

void rh_segments_free(rh_segments *s)
{
    free(s->v);
    free(s->ids);
    memset(s, 0, sizeof *s);
}

/* ---- page names -------------------------------------------------------- */

void rh_page_stem(char *out, size_t cap, const char *path)
{
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' && p[1])
            base = p + 1;
    size_t m = 0;
    for (const char *p = base; *p && *p != '/' && m + 1 < cap; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                 (c == '.' && m > 0);
        out[m++] = ok ? c : '_';
    }
    out[m] = '\0';
    if (m == 0 || strspn(out, "_") == m)
        snprintf(out, cap, "policy");
}
