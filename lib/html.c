/* SPDX-License-Identifier: MIT */
/* Stage 0, HTML input: HTML -> visible text as Markdown + offset map.
 *
 * Parser: gumbo (Debian libgumbo-dev), an HTML5 parser written to the
 * WHATWG tree-construction algorithm, so a broken page gets the tree a
 * browser builds (unclosed elements closed, stray '<' kept as text,
 * misnested tags fixed by the adoption agency) and no text around a fault
 * is lost. It was chosen over libxml2's HTML parser (HTML 4-era recovery
 * that differs from browsers, no source offsets for text: only a line, and
 * an input converted to UTF-8 before parsing) and lexbor (not packaged in
 * Debian 12) because every text node keeps `original_text`, the exact byte
 * range of its source, next to its decoded text: this is what lets each
 * finding point at ORIGINAL bytes. Gumbo is small, pure C99, has no
 * dependencies, was fuzzed at Google and is stable; its upstream stopped
 * at 0.10.1 (maintained forks carry on, with the same API).
 *
 * The decoded text is aligned with original_text to map each decoded
 * character to its source: equal bytes map one to one, a character
 * reference maps to the whole reference, and bytes gumbo skipped (an
 * ignored end tag inside a text run, a CR of CRLF) are passed over.
 *
 * What is visible: everything under <body> except script, style,
 * template, noscript, iframe, object, svg, math, select, textarea,
 * comments (CDATA sections in HTML content are comments), elements with
 * the `hidden` attribute, aria-hidden="true" or an inline style
 * display:none / visibility:hidden. Page chrome is dropped too: <nav> and
 * role=navigation, <dialog> and role=dialog/alertdialog, elements whose id
 * or class names a cookie or consent banner, and a <header> or <footer>
 * outside <main>/<article>. When the page has a <main> (or role=main),
 * only the first one is read. */
#include "html.h"

#include <gumbo.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <strings.h>

#include "error.h"
#include "result.h"
#include "util.h"

/* Pending separators, weakest first. */
enum { BRK_NONE, BRK_SPACE, BRK_SEMI, BRK_LINE, BRK_PARA };

#define TABLE_COLS_MAX 64 /* colspan beyond this adds no empty cells */
#define PREFIX_MAX 48

/* The text being built and where the walk is. */
typedef struct wr {
    gx_html *h;
    const char *html;        /* the page, where every span of the tree
                                points (rebase()) */
    int oom;
    int brk;                 /* pending separator (BRK_*) */
    uint32_t brk_s, brk_e;   /* its source range */
    char prefix[PREFIX_MAX]; /* pending line prefix ("## ", "- ") */
    size_t n_prefix;
    uint32_t prefix_pos;
    int heading;             /* depth of h1-h6 being read */
    int cell;                /* depth of table cells being read */
    int tables;              /* depth of tables */
    int list_depth;
    int row_cells;           /* cells written in the current top-level row */
    int rows;                /* rows written in the current top-level table */
} wr;

/* ---- output ------------------------------------------------------------- */

static void put_bytes(wr *w, const char *b, size_t n, uint32_t s, uint32_t e)
{
    gx_text *t = &w->h->t;
    if (!n || w->oom)
        return;
    if (t->len + n + 1 > (size_t)UINT32_MAX ||
        gx_text_append(t, b, n, s, e) != 0)
        w->oom = 1;
}

/* Bytes b[0, n) copied from the page at s on: each its own source byte. */
static void put_run(wr *w, const char *b, size_t n, uint32_t s)
{
    gx_text *t = &w->h->t;
    if (!n || w->oom)
        return;
    if (t->len + n + 1 > (size_t)UINT32_MAX ||
        gx_text_append_each(t, b, n, s) != 0)
        w->oom = 1;
}

/* HTML span of the last text byte (there is one). */
static uint32_t last_start(const wr *w)
{
    return (uint32_t)gx_text_ostart(&w->h->t, w->h->t.len - 1);
}

static uint32_t last_end(const wr *w)
{
    return (uint32_t)gx_text_oend(&w->h->t, w->h->t.len);
}

static int last_byte(const wr *w)
{
    const gx_text *t = &w->h->t;
    return t->len ? (unsigned char)t->s[t->len - 1] : '\n';
}

/* Write the pending separator and prefix; soft ones (space, "; ") are
 * dropped when drop_soft (a table cell's own bars separate). */
static void flush(wr *w, int drop_soft)
{
    int k = w->brk;
    w->brk = BRK_NONE;
    if (w->h->t.len && !(drop_soft && k <= BRK_SEMI)) {
        uint32_t s = w->brk_s, e = w->brk_e;
        if (k == BRK_SPACE)
            put_bytes(w, " ", 1, s, e);
        else if (k == BRK_SEMI && last_byte(w) != ' ')   /* not at a cell start */
            put_bytes(w, strchr(".;:!?", last_byte(w)) ? " " : "; ",
                      strchr(".;:!?", last_byte(w)) ? 1 : 2, s, e);
        else if (k == BRK_LINE && last_byte(w) != '\n')
            put_bytes(w, "\n", 1, s, e);
        else if (k == BRK_PARA)
            put_bytes(w, last_byte(w) == '\n' ? "\n" : "\n\n",
                      last_byte(w) == '\n' ? 1 : 2, s, e);
    }
    if (w->n_prefix)
        put_bytes(w, w->prefix, w->n_prefix, w->prefix_pos, w->prefix_pos);
    w->n_prefix = 0;
}

/* Ask for a separator of kind k before the next text, caused by the
 * source range [s, e). Inside a heading every break is a space; inside a
 * table cell a line or paragraph break is "; ". */
static void want(wr *w, int k, uint32_t s, uint32_t e)
{
    if (w->heading && k > BRK_SPACE)
        k = BRK_SPACE;
    if (w->cell && k > BRK_SEMI)
        k = BRK_SEMI;
    if (k > w->brk) {
        w->brk = k;
        w->brk_s = s;
        w->brk_e = e;
    }
}

static void set_prefix(wr *w, const char *p, size_t n, uint32_t pos)
{
    if (n >= PREFIX_MAX)
        n = PREFIX_MAX - 1;
    memcpy(w->prefix, p, n);
    w->n_prefix = n;
    w->prefix_pos = pos;
}

/* Visible character bytes b[0, n) from source [s, e). */
static void put_visible(wr *w, const char *b, size_t n, uint32_t s,
                        uint32_t e)
{
    if (n == 1 && strchr(" \t\n\r\f", b[0])) {
        if (w->h->t.len || w->n_prefix)
            want(w, BRK_SPACE, s, e);
        return;
    }
    flush(w, 0);
    put_bytes(w, b, n, s, e);
}

/* ---- character references and alignment --------------------------------- */

static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

static size_t utf8_put(char *o, uint32_t c)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | c >> 6);
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | c >> 12);
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | c >> 18);
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* The code point a numeric reference stands for, as HTML5 reads it. */
static uint32_t numeric_cp(uint32_t c)
{
    static const uint16_t win1252[32] = {
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178};
    if (c >= 0x80 && c <= 0x9F)
        return win1252[c - 0x80];
    if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0xFFFD;
    return c;
}

/* Raw end of a numeric reference at raw[i] ("&#38;", "&#x26"), or 0 when
 * it is none or does not decode to the bytes at dec[j]; *d gets the
 * decoded length. */
static size_t numeric_ref(const char *raw, size_t i, size_t rn,
                          const char *dec, size_t j, size_t dn, size_t *d)
{
    size_t k = i + 2;
    int hex = k < rn && (raw[k] == 'x' || raw[k] == 'X');
    k += hex;
    uint32_t c = 0;
    size_t digits = 0;
    for (; k < rn; k++, digits++) {
        int v = raw[k] >= '0' && raw[k] <= '9' ? raw[k] - '0'
                : hex && raw[k] >= 'a' && raw[k] <= 'f' ? raw[k] - 'a' + 10
                : hex && raw[k] >= 'A' && raw[k] <= 'F' ? raw[k] - 'A' + 10
                                                         : -1;
        if (v < 0)
            break;
        if (c <= 0x10FFFF)
            c = c * (hex ? 16 : 10) + (uint32_t)v;
    }
    if (!digits)
        return 0;
    if (k < rn && raw[k] == ';')
        k++;
    char o[4];
    size_t n = utf8_put(o, numeric_cp(c));
    if (n > dn - j || memcmp(dec + j, o, n) != 0)
        return 0;
    *d = n;
    return k;
}

/* Do raw[k...] and dec[j...] agree on their next bytes, up to the next
 * byte that needs decoding in raw? */
static int tails_agree(const char *raw, size_t k, size_t rn, const char *dec,
                       size_t j, size_t dn)
{
    size_t m = 0;
    while (m < 8 && k + m < rn && j + m < dn && !strchr("&<\r", raw[k + m])) {
        if (raw[k + m] != dec[j + m])
            return 0;
        m++;
    }
    if (m)
        return 1;
    /* nothing compared: both ended, or raw goes on with markup */
    return k >= rn ? j >= dn : raw[k] == '&' || raw[k] == '<' || raw[k] == '\r';
}

/* Raw end of a named reference at raw[i] ("&eacute;", legacy "&copy"),
 * with *d its decoded length, or 0 when none fits. The longest reference
 * that lets the text after it agree wins, as in HTML5's longest match. */
static size_t named_ref(const char *raw, size_t i, size_t rn, const char *dec,
                        size_t j, size_t dn, size_t *d)
{
    size_t a = i + 1;
    while (a < rn && a - i < 40 &&
           ((raw[a] >= 'a' && raw[a] <= 'z') || (raw[a] >= 'A' && raw[a] <= 'Z') ||
            (raw[a] >= '0' && raw[a] <= '9')))
        a++;
    size_t top = a < rn && raw[a] == ';' ? a + 1 : a;
    for (size_t k = top; k >= i + 2; k--)
        for (size_t n = 0, cps = 0; cps < 2 && j + n < dn; cps++) {
            n += utf8_len((unsigned char)dec[j + n]);
            if (n > dn - j)
                break;
            if (tails_agree(raw, k, rn, dec, j + n, dn)) {
                *d = n;
                return k;
            }
        }
    return 0;
}

/* First raw position after i where the decoded bytes at dec[j] appear
 * again (gumbo dropped raw[i, k): an ignored tag, a NUL), or 0. */
static size_t resync(const char *raw, size_t i, size_t rn, const char *dec,
                     size_t j, size_t dn)
{
    size_t m = dn - j < 8 ? dn - j : 8;
    for (size_t k = i + 1; k + m <= rn && k < i + 4096; k++)
        if (!memcmp(raw + k, dec + j, m))
            return k;
    return 0;
}

/* End of the bytes at raw[i] that gumbo decoded as one U+FFFD: a NUL, or
 * an invalid UTF-8 sequence (its longest valid-looking prefix, at least one
 * byte, as gumbo's decoder consumes it); 0 when raw[i] starts a valid
 * character other than NUL. Without it each replaced byte went to resync(),
 * a search of up to 4 KB: HTML full of invalid bytes ran at ~1 MB/s. */
static size_t replaced_end(const char *raw, size_t i, size_t rn)
{
    const unsigned char *u = (const unsigned char *)raw;
    unsigned c = u[i];
    if (c == 0)
        return i + 1;
    if (c < 0x80)
        return 0;
    if (c < 0xC2 || c > 0xF4)
        return i + 1;
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2, k = 1;
    for (; k < len && i + k < rn; k++) {
        unsigned b = u[i + k];
        unsigned lo = 0x80, hi = 0xBF;   /* the second byte's narrower ranges */
        if (k == 1 && c == 0xE0)
            lo = 0xA0;
        else if (k == 1 && c == 0xED)
            hi = 0x9F;
        else if (k == 1 && c == 0xF0)
            lo = 0x90;
        else if (k == 1 && c == 0xF4)
            hi = 0x8F;
        if (b < lo || b > hi)
            break;
    }
    return k == len ? 0 : i + k;
}

/* Write a text node: its decoded text, each character mapped to its
 * source in the node's original text (at HTML offset base). */
static void put_text_node(wr *w, const GumboText *tx)
{
    const char *raw = tx->original_text.data, *dec = tx->text;
    size_t rn = raw ? tx->original_text.length : 0, dn = strlen(dec);
    uint32_t base = raw ? (uint32_t)(raw - w->html) : tx->start_pos.offset;
    size_t i = 0, j = 0;
    while (j < dn && !w->oom) {
        /* a run of printable ASCII other than '&' that the page holds as
         * it is: one append (a byte at a time, the walk cost as much as
         * gumbo's parse on pages of short paragraphs) */
        size_t r = 0;
        while (j + r < dn && i + r < rn && raw[i + r] == dec[j + r] &&
               dec[j + r] > ' ' && dec[j + r] < 0x7F && dec[j + r] != '&')
            r++;
        if (r > 1) {
            flush(w, 0);
            put_run(w, dec + j, r, base + (uint32_t)i);
            i += r;
            j += r;
            continue;
        }
        size_t n = utf8_len((unsigned char)dec[j]), k = 0, d = 0;
        const char *src = dec + j;   /* what is written */
        if (n > dn - j)
            n = dn - j;
        if (i < rn && raw[i] == '&') {
            if (i + 1 < rn && raw[i + 1] == '#')
                k = numeric_ref(raw, i, rn, dec, j, dn, &d);
            else
                k = named_ref(raw, i, rn, dec, j, dn, &d);
            if (!k && dec[j] == '&') {   /* a literal '&' */
                k = i + 1;
                d = 1;
            }
        } else if (i < rn && dec[j] == '~' && (unsigned char)raw[i] >= 0x80) {
            /* an invalid byte of the page (gumbo parsed a '~' for it):
             * written as it is, for the normalizer to read as text's */
            k = i + 1;
            d = 1;
            src = raw + i;
        } else if (i < rn && n <= rn - i && !memcmp(raw + i, dec + j, n)) {
            k = i + n;
            d = n;
        } else if (i < rn && raw[i] == '\r' && dec[j] == '\n') {
            k = i + 1 + (i + 1 < rn && raw[i + 1] == '\n');
            d = 1;
        } else if (i < rn && n == 3 && !memcmp(dec + j, "\xEF\xBF\xBD", 3) &&
                   (k = replaced_end(raw, i, rn)) != 0) {
            d = 3;
        } else if (i < rn && (k = resync(raw, i, rn, dec, j, dn)) != 0) {
            i = k;   /* skip what gumbo dropped, then align again */
            continue;
        }
        if (!k) {    /* no source found: map to where we are */
            k = i < rn ? i + 1 : i;
            d = n;
        }
        put_visible(w, src, d, base + (uint32_t)i, base + (uint32_t)k);
        i = k;
        j += d;
    }
}

/* ---- what is visible ----------------------------------------------------- */

static const char *attr(const GumboElement *el, const char *name)
{
    const GumboAttribute *a = gumbo_get_attribute(&el->attributes, name);
    return a ? a->value : NULL;
}

/* Does s contain needle, ignoring ASCII case and white space? */
static int contains_squeezed(const char *s, const char *needle)
{
    char buf[256];
    size_t n = 0;
    for (; *s && n + 1 < sizeof buf; s++)
        if (!strchr(" \t\n\r\f", *s))
            buf[n++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

/* An id or class naming a cookie or consent banner ("cookie-banner",
 * "consent_popup", "CookieNotice"), not a policy's cookie section. */
static int banner_name(const char *v)
{
    if (!v)
        return 0;
    int subject = contains_squeezed(v, "cookie") ||
                  contains_squeezed(v, "consent") ||
                  contains_squeezed(v, "gdpr");
    static const char *const kinds[] = {"banner", "notice", "popup", "modal",
                                        "dialog", "overlay", "bar", "prompt"};
    for (size_t i = 0; subject && i < sizeof kinds / sizeof *kinds; i++)
        if (contains_squeezed(v, kinds[i]))
            return 1;
    return 0;
}

static int hidden(const GumboElement *el)
{
    const char *ah = attr(el, "aria-hidden"), *st = attr(el, "style");
    return attr(el, "hidden") || (ah && contains_squeezed(ah, "true")) ||
           (st && (contains_squeezed(st, "display:none") ||
                   contains_squeezed(st, "visibility:hidden")));
}

static int role_is(const GumboElement *el, const char *role)
{
    const char *r = attr(el, "role");
    return r && contains_squeezed(r, role);
}

/* Is el an element gumbo does not know (tag UNKNOWN) named `name`? */
static int unknown_named(const GumboElement *el, const char *name)
{
    if (el->tag != GUMBO_TAG_UNKNOWN || !el->original_tag.length)
        return 0;
    GumboStringPiece t = el->original_tag;
    gumbo_tag_from_original_text(&t);
    size_t n = strlen(name);
    return t.length == n && !strncasecmp(t.data, name, n);
}

/* Is el invisible or page chrome? in_main: el is under <main> or
 * <article>, where a <header> or <footer> belongs to the text. */
static int skipped(const GumboElement *el, int in_main)
{
    switch (el->tag) {
    case GUMBO_TAG_HEAD: case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT: case GUMBO_TAG_SVG: case GUMBO_TAG_MATH:
    case GUMBO_TAG_SELECT: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_NAV:
    case GUMBO_TAG_TITLE:
        return 1;
    case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER:
        if (!in_main)
            return 1;
        break;
    default:
        break;
    }
    if (el->tag_namespace != GUMBO_NAMESPACE_HTML)
        return 1;
    return hidden(el) || unknown_named(el, "dialog") ||
           role_is(el, "navigation") || role_is(el, "dialog") ||
           banner_name(attr(el, "id")) || banner_name(attr(el, "class"));
}

/* ---- structure ------------------------------------------------------------ */

static int is_block(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE: case GUMBO_TAG_MAIN: case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER: case GUMBO_TAG_ASIDE: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_FIGURE: case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FORM: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_DETAILS: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_DL:
    case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_PRE:
    case GUMBO_TAG_HR: case GUMBO_TAG_CAPTION: case GUMBO_TAG_CENTER:
    case GUMBO_TAG_BODY: case GUMBO_TAG_HTML: case GUMBO_TAG_TABLE:
    case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
        return 1;
    default:
        return 0;
    }
}

static int heading_level(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_H1: return 1;
    case GUMBO_TAG_H2: return 2;
    case GUMBO_TAG_H3: return 3;
    case GUMBO_TAG_H4: return 4;
    case GUMBO_TAG_H5: return 5;
    case GUMBO_TAG_H6: return 6;
    default: return 0;
    }
}

static uint32_t start_of(const GumboElement *el) { return el->start_pos.offset; }

/* Where el's end tag is, or (an implied end) where its start tag was. */
static uint32_t end_of(const GumboElement *el)
{
    return el->original_end_tag.length ? el->end_pos.offset
                                       : el->start_pos.offset;
}

static int is_cell(const GumboNode *n)
{
    return n->type == GUMBO_NODE_ELEMENT &&
           (n->v.element.tag == GUMBO_TAG_TD || n->v.element.tag == GUMBO_TAG_TH);
}

/* Columns of a row (colspans counted) and whether all its cells are th. */
static int row_shape(const GumboElement *tr, int *all_th)
{
    int cols = 0, cells = 0;
    *all_th = 1;
    for (unsigned i = 0; i < tr->children.length; i++) {
        const GumboNode *c = tr->children.data[i];
        if (!is_cell(c))
            continue;
        const char *cs = attr(&c->v.element, "colspan");
        int span = cs ? atoi(cs) : 1;
        cols += span < 1 ? 1 : span > TABLE_COLS_MAX ? TABLE_COLS_MAX : span;
        cells++;
        *all_th &= c->v.element.tag == GUMBO_TAG_TH;
    }
    *all_th &= cells > 0;
    return cols > TABLE_COLS_MAX ? TABLE_COLS_MAX : cols;
}

static void put_separator_row(wr *w, int cols, uint32_t pos)
{
    put_bytes(w, "\n|", 2, pos, pos);
    for (int c = 0; c < cols; c++)
        put_bytes(w, " --- |", 6, pos, pos);
}

/* A top-level table row opens: a line of its own; a first row that is no
 * header row gets an empty header row above it, as the Markdown twins of
 * HTML tables have, so that its cells keep their row header. */
static void enter_row(wr *w, const GumboElement *tr)
{
    int all_th, cols = row_shape(tr, &all_th);
    want(w, w->rows ? BRK_LINE : BRK_PARA, start_of(tr), start_of(tr));
    w->row_cells = 0;
    if (w->rows == 0 && !all_th && cols > 0) {
        flush(w, 1);
        uint32_t p = start_of(tr);
        put_bytes(w, "|", 1, p, p);
        for (int c = 0; c < cols; c++)
            put_bytes(w, "  |", 3, p, p);
        put_separator_row(w, cols, p);
        w->rows++;
        want(w, BRK_LINE, p, p);
    }
}

static void leave_row(wr *w, const GumboElement *tr)
{
    if (!w->row_cells)
        return;
    uint32_t p = end_of(tr);
    if (p < last_start(w))
        p = last_end(w);
    put_bytes(w, " |", 2, p, p);
    if (w->rows == 0)
        put_separator_row(w, w->row_cells, p);
    w->rows++;
}

static void enter_cell(wr *w, const GumboElement *td)
{
    uint32_t p = start_of(td);
    flush(w, 1);
    put_bytes(w, w->row_cells ? " | " : "| ", w->row_cells ? 3 : 2, p, p);
    const char *cs = attr(td, "colspan");
    int span = cs ? atoi(cs) : 1;
    if (span > TABLE_COLS_MAX)
        span = TABLE_COLS_MAX;
    for (int k = 1; k < span; k++)
        put_bytes(w, " | ", 3, p, p);
    w->row_cells += span < 1 ? 1 : span;
}

/* ---- the walk ------------------------------------------------------------- */

typedef struct frame {
    const GumboNode *n;
    unsigned next;   /* next child to visit */
    int item;        /* <ol>: number of the next item */
    int in_main;     /* under <main> or <article> */
    int top_table;   /* a top-level table (not inside a cell) */
} frame;

static void enter(wr *w, frame *f, frame *parent)
{
    const GumboElement *el = &f->n->v.element;
    uint32_t s = start_of(el);
    int lvl = heading_level(el->tag);
    f->in_main = parent && (parent->in_main || parent->n->v.element.tag ==
                            GUMBO_TAG_MAIN || parent->n->v.element.tag ==
                            GUMBO_TAG_ARTICLE);
    if (lvl && !w->heading && !w->cell) {
        char p[8];
        memset(p, '#', (size_t)lvl);
        p[lvl] = ' ';
        want(w, BRK_PARA, s, s);
        set_prefix(w, p, (size_t)lvl + 1, s);
        w->heading++;
        return;
    }
    switch (el->tag) {
    case GUMBO_TAG_BR:
        want(w, BRK_LINE, s, s);
        return;
    case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_MENU:
        want(w, w->list_depth ? BRK_LINE : BRK_PARA, s, s);
        w->list_depth++;
        f->item = 1;
        return;
    case GUMBO_TAG_LI: {
        want(w, BRK_LINE, s, s);
        if (w->heading || w->cell)
            return;
        char p[PREFIX_MAX];
        int d = w->list_depth > 8 ? 8 : w->list_depth > 0 ? w->list_depth : 1;
        size_t n = (size_t)(2 * (d - 1));
        memset(p, ' ', n);
        const GumboNode *pn = parent ? parent->n : NULL;
        if (pn && pn->type == GUMBO_NODE_ELEMENT &&
            pn->v.element.tag == GUMBO_TAG_OL) {
            int k = parent->item++;
            n += (size_t)snprintf(p + n, sizeof p - n, "%d. ", k % 100000);
        } else {
            memcpy(p + n, "- ", 2);
            n += 2;
        }
        set_prefix(w, p, n, s);
        return;
    }
    case GUMBO_TAG_TABLE:
        if (w->cell) {
            want(w, BRK_SEMI, s, s);
        } else {
            f->top_table = 1;
            want(w, BRK_PARA, s, s);
            w->rows = 0;
        }
        w->tables++;
        return;
    case GUMBO_TAG_TR:
        if (w->cell)
            want(w, BRK_SEMI, s, s);
        else if (w->tables)
            enter_row(w, el);
        return;
    case GUMBO_TAG_TD: case GUMBO_TAG_TH:
        if (w->cell || !w->tables)
            want(w, BRK_SEMI, s, s);
        else
            enter_cell(w, el);
        w->cell++;
        return;
    default:
        if (is_block(el->tag))
            want(w, BRK_PARA, s, s);
    }
}

static void leave(wr *w, const frame *f)
{
    const GumboElement *el = &f->n->v.element;
    uint32_t e = end_of(el);
    if (w->h->t.len && e < last_end(w))
        e = last_end(w);   /* an implied end: after the text */
    if (heading_level(el->tag) && w->heading) {
        w->heading--;
        want(w, BRK_PARA, e, e);
        w->n_prefix = 0;   /* an empty heading leaves no "# " */
        return;
    }
    switch (el->tag) {
    case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_MENU:
        w->list_depth--;
        want(w, w->list_depth ? BRK_LINE : BRK_PARA, e, e);
        return;
    case GUMBO_TAG_LI:
        want(w, BRK_LINE, e, e);
        w->n_prefix = 0;
        return;
    case GUMBO_TAG_TD: case GUMBO_TAG_TH:
        w->cell--;
        return;
    case GUMBO_TAG_TR:
        if (!w->cell && w->tables)
            leave_row(w, el);
        return;
    case GUMBO_TAG_TABLE:
        w->tables--;
        want(w, f->top_table ? BRK_PARA : BRK_SEMI, e, e);
        if (f->top_table)
            w->rows = 0;
        return;
    default:
        if (is_block(el->tag))
            want(w, BRK_PARA, e, e);
    }
}

/* The first <main> (or role=main) outside skipped elements, or NULL. */
static const GumboNode *find_main(const GumboNode *root, frame *stack,
                                  size_t cap)
{
    size_t n = 0;
    stack[n++] = (frame){root, 0, 0, 0, 0};
    while (n) {
        frame *f = &stack[n - 1];
        const GumboElement *el = &f->n->v.element;
        if (f->next >= el->children.length) {
            n--;
            continue;
        }
        const GumboNode *c = el->children.data[f->next++];
        if (c->type != GUMBO_NODE_ELEMENT || skipped(&c->v.element, 1))
            continue;
        if (c->v.element.tag == GUMBO_TAG_MAIN || role_is(&c->v.element, "main"))
            return c;
        if (n < cap)
            stack[n++] = (frame){c, 0, 0, 0, 0};
    }
    return NULL;
}

/* Walk the tree from root, depth first, without recursion. */
static void walk(wr *w, const GumboNode *root, frame *stack, size_t cap)
{
    size_t n = 0;
    stack[n] = (frame){root, 0, 0, 0, 0};
    enter(w, &stack[n], NULL);
    n++;
    while (n && !w->oom) {
        frame *f = &stack[n - 1];
        const GumboElement *el = &f->n->v.element;
        if (f->next >= el->children.length) {
            leave(w, f);
            n--;
            continue;
        }
        const GumboNode *c = el->children.data[f->next++];
        if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE)
            put_text_node(w, &c->v.text);
        else if (c->type == GUMBO_NODE_ELEMENT &&
                 !skipped(&c->v.element, f->in_main ||
                          el->tag == GUMBO_TAG_MAIN ||
                          el->tag == GUMBO_TAG_ARTICLE) && n < cap) {
            stack[n] = (frame){c, 0, 0, 0, 0};
            enter(w, &stack[n], f);
            n++;
        }
    }
}

/* ---- nesting guard --------------------------------------------------------- */

/* An upper bound of the element nesting gumbo would build: start tags of
 * elements that may hold others, minus end tags. Gumbo frees its tree
 * recursively, so a pathological nesting must not reach it. Tags ('<' then
 * a letter, '/', '!' or '?') are counted on the way: past max_tags, *over
 * is the offset of the first tag too many (else len) and the scan stops. */
static size_t nesting_bound(const char *s, size_t len, size_t max_tags,
                            size_t *over)
{
    size_t depth = 0, max = 0, tags = 0;
    *over = len;
    for (const char *p = s, *e = s + len;
         (p = memchr(p, '<', (size_t)(e - p))) != NULL && p + 1 < e; p++) {
        char c = p[1];
        int start = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if ((start || c == '/' || c == '!' || c == '?') && ++tags > max_tags) {
            *over = (size_t)(p - s);
            break;
        }
        if (c == '/') {
            depth -= depth > 0;
        } else if (start) {
            const char *q = p + 1;
            while (q < e && *q != '>' && *q != ' ' && *q != '/')
                q++;
            size_t n = (size_t)(q - p - 1);
            static const char *const leaf[] = {"br", "img", "hr", "input",
                "meta", "link", "wbr", "col", "area", "base", "source",
                "track", "embed", "param", "p", "li", "td", "th", "tr",
                "option", "dt", "dd"};
            int is_leaf = 0;
            for (size_t i = 0; i < sizeof leaf / sizeof *leaf && !is_leaf; i++)
                is_leaf = strlen(leaf[i]) == n && !strncasecmp(p + 1, leaf[i], n);
            if (!is_leaf && ++depth > max)
                max = depth;
        }
    }
    return max;
}

#define HTML_MAX_NESTING 20000
#define WALK_STACK 4096   /* deeper elements are read as their parent's */

/* ---- entry points ---------------------------------------------------------- */

int gx_html_detect(const char *s, size_t len)
{
    size_t i = 0;
    if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && strchr(" \t\r\n\f", s[i]) && s[i])
        i++;
    if (i >= len || s[i] != '<')
        return 0;
    static const char *const page[] = {"<!doctype html", "<html", "<head",
                                       "<body"};
    for (size_t k = 0; k < sizeof page / sizeof *page; k++)
        if (len - i >= strlen(page[k]) &&
            !strncasecmp(s + i, page[k], strlen(page[k])))
            return 1;
    static const char *const block[] = {"<h1", "<h2", "<h3", "<h4", "<h5",
        "<h6", "<p>", "<p ", "<div", "<section", "<article", "<main",
        "<header", "<nav", "<table", "<ul", "<ol", "<meta", "<title",
        "<!--"};
    int opens = 0;
    for (size_t k = 0; k < sizeof block / sizeof *block; k++)
        opens |= len - i >= strlen(block[k]) &&
                 !strncasecmp(s + i, block[k], strlen(block[k]));
    size_t win = len - i < 4096 ? len - i : 4096;
    for (size_t k = i; k + 1 < i + win; k++)
        if (s[k] == '<' && s[k + 1] == '/')
            return opens;
    return 0;
}

void gx_html_free(gx_html *h)
{
    gx_text_free(&h->t);
}

/* Offset of the first invalid UTF-8 sequence, or len. */
static size_t first_invalid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int n = u[i] < 0x80 ? 1 : gx_utf8_decode(u, len, i, &cp);
        if (!n)
            return i;
        i += (size_t)n;
    }
    return len;
}

/* dst = src[0, len) with '~' for each byte from `bad` on that starts no
 * valid UTF-8 character. */
static void tilde_invalid(char *dst, const char *src, size_t len, size_t bad)
{
    memcpy(dst, src, len);
    for (size_t i = bad; i < len;
         i += 1 + first_invalid(src + i + 1, len - i - 1))
        dst[i] = '~';
}

/* Point gumbo's spans into the buffer it parsed, `from`, at the same bytes
 * of `to` instead (text nodes' original text, elements' original tags,
 * attributes' names and values), so that `from` can be freed before the
 * tree: a walk by parent links and sibling indexes, no stack. */
static void rebase(GumboNode *root, const char *from, size_t len,
                   const char *to)
{
#define REBASE(sp)                                                           \
    do {                                                                     \
        if ((sp).data && (sp).data >= from && (sp).data < from + len)        \
            (sp).data = to + ((sp).data - from);                             \
    } while (0)
    GumboNode *n = root;
    while (n) {
        const GumboVector *kids = NULL;
        if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE) {
            GumboElement *el = &n->v.element;
            REBASE(el->original_tag);
            REBASE(el->original_end_tag);
            for (unsigned k = 0; k < el->attributes.length; k++) {
                GumboAttribute *a = el->attributes.data[k];
                REBASE(a->original_name);
                REBASE(a->original_value);
            }
            kids = &el->children;
        } else if (n->type == GUMBO_NODE_DOCUMENT) {
            kids = &n->v.document.children;
        } else {
            REBASE(n->v.text.original_text);
        }
        if (kids && kids->length) {   /* down */
            n = kids->data[0];
            continue;
        }
        while (n != root) {   /* up until a next sibling */
            GumboNode *p = n->parent;
            const GumboVector *sib = p->type == GUMBO_NODE_DOCUMENT
                                         ? &p->v.document.children
                                         : &p->v.element.children;
            size_t i = n->index_within_parent + 1;
            if (i < sib->length) {
                n = sib->data[i];
                break;
            }
            n = p;
        }
        if (n == root)
            break;
    }
#undef REBASE
}

/* gumbo 0.10 leaks a few strings of tokens it drops (a DOCTYPE after
 * content, found by fuzz_html), which gumbo_destroy_output never frees.
 * Its memory is therefore taken through this allocator, which links every
 * block into a list: gumbo frees blocks one by one as usual, and whatever
 * is still linked after gumbo_destroy_output is freed with the list. */
typedef struct gblock {
    /* the block's size rounds up to max_align_t's alignment (16 bytes on
     * x86-64; a union with max_align_t itself was 32: gumbo makes ~7
     * allocations per paragraph of a page, and the 16 bytes saved on each
     * are ~1.5 bytes per HTML byte) */
    _Alignas(max_align_t) struct {
        struct gblock *prev, *next;
    } l;
} gblock;

static void *galloc(void *userdata, size_t size)
{
    gblock *head = userdata;
    if (size > SIZE_MAX - sizeof(gblock))
        return NULL;
    gblock *b = malloc(sizeof *b + size);
    if (!b)
        return NULL;
    b->l.prev = head;
    b->l.next = head->l.next;
    if (head->l.next)
        head->l.next->l.prev = b;
    head->l.next = b;
    return b + 1;
}

static void gfree(void *userdata, void *ptr)
{
    (void)userdata;
    if (!ptr)
        return;
    gblock *b = (gblock *)ptr - 1;
    b->l.prev->l.next = b->l.next;
    if (b->l.next)
        b->l.next->l.prev = b->l.prev;
    free(b);
}

static void gfree_all(gblock *head)
{
    gblock *b = head->l.next;
    while (b) {
        gblock *next = b->l.next;
        free(b);
        b = next;
    }
    head->l.next = NULL;
}

int gx_html_to_text(gx_html *h, const char *html, size_t len, unsigned flags,
                    size_t max_tags, size_t max_size, gdprx_error *err)
{
    memset(h, 0, sizeof *h);
    if (len > GDPRX_MAX_INPUT)
        return gx_error_set(err, GDPRX_ELIMIT, "input larger than %zu bytes",
                            (size_t)GDPRX_MAX_INPUT);
    size_t size_limit = max_size ? max_size : GDPRX_HTML_SIZE_DEFAULT;
    if (len > size_limit)
        return gx_error_offset(err, GDPRX_ELIMIT, size_limit,
                               "HTML of %zu bytes, larger than the HTML limit "
                               "of %zu bytes (gdprx_options.max_html_size, "
                               "--max-html-size; as text: --format text)",
                               len, size_limit);
    /* gumbo reads invalid bytes as U+FFFD, as browsers do; without
     * GDPRX_OPT_REPLACE_INVALID they are an error, as in text */
    size_t bad = flags & GDPRX_OPT_REPLACE_INVALID ? len
                                                   : first_invalid(html, len);
    if (bad < len)
        return gx_error_offset(err, GDPRX_EUTF8, bad,
                               "invalid UTF-8 (byte 0x%02X)",
                               (unsigned char)html[bad]);
    size_t limit = max_tags ? max_tags
                            : GDPRX_HTML_TAGS_BASE +
                                  len / GDPRX_HTML_BYTES_PER_TAG;
    size_t over;
    if (nesting_bound(html, len, limit, &over) > HTML_MAX_NESTING)
        return gx_error_set(err, GDPRX_ELIMIT, "HTML nested deeper than %d "
                            "elements", HTML_MAX_NESTING);
    if (over < len)
        return gx_error_offset(err, GDPRX_ELIMIT, over,
                               "HTML with more than %zu tags (the limit for "
                               "%zu bytes; gdprx_options.max_html_tags, "
                               "--max-html-tags)", limit, len);
    h->t.orig_len = len;
    /* gumbo would decode each invalid byte as a 3-byte U+FFFD in its tree;
     * it parses a copy with '~' for each (no tokenizer state treats the two
     * differently), and the walk writes the page's bytes back */
    char *tilde = NULL;
    if (flags & GDPRX_OPT_REPLACE_INVALID) {
        size_t bad = first_invalid(html, len);
        /* mapped, not malloc'd: glibc raises its mmap threshold to the size
         * of a freed mapped block, and the text's buffers, taken from the
         * heap after that, peaked 20 MB higher on a 20 MB page */
        if (bad < len) {
            void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (m == MAP_FAILED)
                return gx_error_nomem(err);
            tilde = m;
            tilde_invalid(tilde, html, len, bad);
        }
    }
    gblock blocks = {.l = {NULL, NULL}};
    GumboOptions go = kGumboDefaultOptions;
    go.allocator = galloc;
    go.deallocator = gfree;
    go.userdata = &blocks;
    go.max_errors = 0;   /* none recorded: they are not used (and would
                            point into a copy freed before the tree) */
    GumboOutput *out = gumbo_parse_with_options(&go, tilde ? tilde : html,
                                                len);
    if (out && tilde)   /* the copy goes before the walk: the page's bytes */
        rebase(out->document, tilde, len, html);
    if (tilde)
        munmap(tilde, len);
    frame *stack = malloc(WALK_STACK * sizeof *stack);
    wr w;
    memset(&w, 0, sizeof w);
    w.h = h;
    w.html = html;
    if (!out || !stack || gx_text_append(&h->t, "", 0, 0, 0) != 0) {
        w.oom = 1;
    } else {
        const GumboNode *root = find_main(out->root, stack, WALK_STACK);
        walk(&w, root ? root : out->root, stack, WALK_STACK);
    }
    free(stack);
    if (out)
        gumbo_destroy_output(&go, out);
    gfree_all(&blocks);
    if (w.oom) {
        gx_html_free(h);
        return gx_error_nomem(err);
    }
    gx_text_trim(&h->t);   /* grown by doubling while the tree was alive */
#ifdef __GLIBC__
    /* the tree's blocks (~7 per paragraph) went back to malloc's heap,
     * which keeps them resident: give their pages to the system before the
     * analysis takes its memory (20 MB of short paragraphs peaked 25 MB
     * higher without it) */
    malloc_trim(0);
#endif
    return GDPRX_OK;
}

/* HTML range of text range [s, e). */
static void html_span(const gx_html *h, size_t s, size_t e, size_t *os,
                      size_t *oe)
{
    if (s > h->t.len)
        s = h->t.len;
    if (e > h->t.len)
        e = h->t.len;
    *os = gx_text_ostart(&h->t, s);
    *oe = e > s ? gx_text_oend(&h->t, e) : *os;
    if (*oe < *os)
        *oe = *os;
}

void gx_html_remap_finding(gdprx_finding *f, const gx_html *h)
{
    f->text_len = f->end - f->start;
    html_span(h, f->start, f->end, &f->start, &f->end);
    html_span(h, f->clause_start, f->clause_end, &f->clause_start,
              &f->clause_end);
}

void gx_html_remap(gdprx_result *r, const gx_html *h)
{
    for (size_t i = 0; i < r->n; i++)
        gx_html_remap_finding(&r->f[i], h);
    for (size_t i = 0; i < r->n_seg; i++)
        html_span(h, r->seg[i].start, r->seg[i].end, &r->seg[i].start,
                  &r->seg[i].end);
}

void gx_html_remap_error(gdprx_error *err, const char *html,
                         const gx_html *h)
{
    if (!err || err->offset < 0 || (size_t)err->offset > h->t.len)
        return;
    size_t o = gx_text_ostart(&h->t, (size_t)err->offset);
    if (err->code == GDPRX_EUTF8 && o < h->t.orig_len)
        gx_error_offset(err, GDPRX_EUTF8, o, "invalid UTF-8 (byte 0x%02X)",
                        (unsigned char)html[o]);
    else
        err->offset = (long long)o;
}
