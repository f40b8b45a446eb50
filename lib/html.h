/* SPDX-License-Identifier: MIT */
/* Stage 0, HTML input: an HTML page -> the Markdown-like text of what a
 * reader sees (headings as "# ", blocks apart, list items as "- ", table
 * rows as "| a | b |" under a header row), with a map from every byte of
 * that text back to the HTML bytes it came from; after the analysis, the
 * result's offsets are moved through that map into the HTML.
 * Invariants: every ostart/oend value is <= the HTML's length and
 * ostart[i] <= oend[i]; text bytes map to their own source bytes, a
 * decoded character reference to the whole reference, a byte the
 * conversion added (markup, separators) to an empty range where the
 * element or white space that caused it starts. */
#ifndef GX_HTML_H
#define GX_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "gdprx.h"
#include "normalize.h"

typedef struct gx_html {
    /* t.s: the visible text as Markdown, NUL-terminated, t.len bytes; t's
     * map (lib/normalize.h): gx_text_ostart(&t, i) / gx_text_oend(&t, i + 1)
     * is the HTML span of text byte i, gx_text_ostart(&t, t.len) = t.orig_len
     * the HTML's length. About one byte per text byte: a U+FFFD read from
     * one invalid byte is 3 text bytes. Owned. */
    gx_text t;
} gx_html;

/* Does `len` bytes of `s` look like an HTML page or fragment? After an
 * optional BOM and white space: "<!doctype html", "<html", "<head" or
 * "<body"; or a start tag of a block element ("<h1", "<p>", "<div", ...)
 * with an end tag ("</") within the first 4 KB. Plain text and the
 * Markdown this library reads (even with some inline HTML) do not start
 * so. Returns 1 or 0. */
int gx_html_detect(const char *s, size_t len);

/* Parse `len` bytes of HTML into h (visible text and offset map). Never
 * fails on malformed markup. Invalid UTF-8 fails with GDPRX_EUTF8 (at its
 * HTML offset) unless flags has GDPRX_OPT_REPLACE_INVALID: then it is read
 * as U+FFFD, as browsers do, with no warning.
 * max_tags and max_size: gdprx_options.max_html_tags and max_html_size
 * (0: their defaults).
 * Returns GDPRX_OK, GDPRX_EUTF8, GDPRX_ELIMIT (more than max_size bytes,
 * more than max_tags tags, nesting deeper than the parser's recursive free
 * can take) or GDPRX_ENOMEM; on failure h is freed.
 * Ownership: h's buffers are the caller's; release with gx_html_free(). */
int gx_html_to_text(gx_html *h, const char *html, size_t len, unsigned flags,
                    size_t max_tags, size_t max_size, gdprx_error *err);
void gx_html_free(gx_html *h);

/* Move every offset of r (findings, clauses, segments) from h->s into the
 * HTML, and set each finding's text_len (its text stays the visible text).
 * err->offset of a failed analysis is moved the same way by
 * gx_html_remap_error(). gx_html_remap_finding does it for one finding
 * (a streamed analysis, whose result keeps none). */
void gx_html_remap(gdprx_result *r, const gx_html *h);
void gx_html_remap_finding(gdprx_finding *f, const gx_html *h);
void gx_html_remap_error(gdprx_error *err, const char *html,
                         const gx_html *h);

#endif
