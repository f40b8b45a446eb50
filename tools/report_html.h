/* SPDX-License-Identifier: MIT */
/* gdprx report, the parts a page is made of that must be exact: a growing
 * byte buffer, the one HTML escaping function every piece of text and every
 * attribute value goes through, JSON strings safe inside a <script>, the
 * split of a text into segments at every finding boundary, and page file
 * names derived from input paths. No I/O; unit-tested by
 * tests/check_report_html.c. */
#ifndef GDPRX_REPORT_HTML_H
#define GDPRX_REPORT_HTML_H

#include <stddef.h>

/* A growing byte buffer. An allocation failure sets `failed` and makes
 * every later append a no-op, so a writer checks once, at the end. */
typedef struct sbuf {
    char *s;        /* owned; NUL-terminated when len > 0; free() */
    size_t len, cap;
    int failed;     /* 1 after an allocation failed */
} sbuf;

void sb_put(sbuf *b, const char *s, size_t n);
void sb_puts(sbuf *b, const char *s);
void sb_printf(sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sb_free(sbuf *b);

/* Append n bytes of s as HTML text or attribute value: & < > " ' as
 * references, CR as &#13; (the HTML parser would turn CR LF into LF), NUL
 * and each byte of invalid UTF-8 (overlong forms, surrogates, code points
 * above U+10FFFF, truncated sequences) as U+FFFD; every other byte as is. */
void rh_escape(sbuf *b, const char *s, size_t n);
void rh_escape_str(sbuf *b, const char *s); /* NULL appends nothing */

/* Append n bytes of s as a JSON string literal, quotes included, safe inside
 * an HTML <script> element: " \ and controls escaped, and < > & U+2028
 * U+2029 as \uXXXX (so neither "</script" nor "<!--" can appear); invalid
 * UTF-8 as \ufffd. s NULL appends null. */
void rh_json_str(sbuf *b, const char *s, size_t n);

/* Length of the valid UTF-8 sequence at s (at most `left` bytes), or 0. */
size_t rh_utf8_len(const unsigned char *s, size_t left);

/* A finding's byte range, [start, end). */
typedef struct rh_span {
    size_t start, end;
} rh_span;

/* One piece of the text: [start, end), covered by the findings
 * ids[first .. first + n) of the owning rh_segments (ascending indices into
 * the spans given; n == 0 for text outside every finding). */
typedef struct rh_segment {
    size_t start, end;
    size_t first, n;
} rh_segment;

typedef struct rh_segments {
    rh_segment *v;  /* owned, v[0..n), in text order, covering [0, len) */
    size_t n;
    size_t *ids;    /* owned, the segments' finding indices */
    size_t n_ids;
} rh_segments;

/* Split [0, len) at every start and end of spans[0..n) (clamped to len;
 * spans in any order, possibly nested, overlapping or empty). Each segment
 * lists the spans that contain it. An empty text gives no segment.
 * Returns 0, or -1 when out of memory (then *out is empty).
 * Ownership: *out's arrays are the caller's; release with
 * rh_segments_free(). */
int rh_segments_build(rh_segments *out, const rh_span *spans, size_t n,
                      size_t len);
void rh_segments_free(rh_segments *s);

/* The file name stem of a page for input `path`: its last component with
 * every byte outside [A-Za-z0-9._-] as '_', a leading '.' as '_' (no hidden
 * file, never "." or ".."), at most cap - 1 bytes; "policy" when nothing is
 * left. Never contains '/'. cap must be at least 8. */
void rh_page_stem(char *out, size_t cap, const char *path);

#endif
