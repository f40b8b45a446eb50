/* SPDX-License-Identifier: MIT */
/* The pipeline driver: checks arguments and options, runs the stages in
 * order and owns their intermediate state for the duration of one call. */
#include "analyze.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "html.h"
#include "langid.h"
#include "matcher.h"
#include "normalize.h"
#include "result.h"
#include "scan.h"
#include "segment.h"
#include "util.h"

/* Size of the first version of gdprx_options; any caller has at least it. */
#define OPTIONS_V1_SIZE (offsetof(gdprx_options, flags) + sizeof(unsigned))
#define OPTIONS_MAX_SIZE 4096 /* anything larger is garbage, not a struct */

void gdprx_options_init_sized(gdprx_options *opts, size_t size)
{
    if (!opts || size < OPTIONS_V1_SIZE)
        return;
    gdprx_options def;
    memset(&def, 0, sizeof def);
    def.lang = GDPRX_LANG_AUTO;
    /* a newer caller's extra fields start zeroed; a known field past the
     * caller's size is never written */
    memset(opts, 0, size);
    memcpy(opts, &def, size < sizeof def ? size : sizeof def);
    opts->size = size;
}

/* Rules chosen by a "type,type.subtype" list; every item must name at least
 * one rule of the set. */
static int select_types(unsigned char **out, const gdprx_rules *rs,
                        const char *types, gdprx_error *err)
{
    unsigned char *sel = calloc(rs->n_rules + 1, 1);
    if (!sel)
        return gx_error_nomem(err);
    const char *p = types;
    while (*p) {
        while (*p == ',' || *p == ' ')
            p++;
        const char *q = p;
        while (*q && *q != ',' && *q != ' ')
            q++;
        if (q == p)
            break;
        size_t n = (size_t)(q - p), hits = 0;
        for (size_t i = 0; i < rs->n_rules; i++) {
            const gx_rule *r = &rs->rules[i];
            size_t tl = strlen(r->type), sl = strlen(r->subtype);
            int whole = n == tl && !strncmp(p, r->type, n);
            int pair = n == tl + 1 + sl && !strncmp(p, r->type, tl) &&
                       p[tl] == '.' && !strncmp(p + tl + 1, r->subtype, sl);
            if (whole || pair) {
                sel[i] = 1;
                hits++;
            }
        }
        if (!hits) {
            free(sel);
            return gx_error_set(err, GDPRX_EINVAL,
                                "types: no rule has type '%.*s'", (int)n, p);
        }
        p = q;
    }
    *out = sel;
    return GDPRX_OK;
}

const char *gx_stage_name(int s)
{
    static const char *const names[] = {
        [GX_STAGE_NORMALIZE] = "normalize", [GX_STAGE_LANGID] = "langid",
        [GX_STAGE_SEGMENT] = "segment",     [GX_STAGE_SCAN] = "scan",
        [GX_STAGE_MATCH] = "rules",
        [GX_STAGE_RESULT] = "result",
    };
    _Static_assert(sizeof names / sizeof *names == GX_STAGE_N,
                   "one name per GX_STAGE_* value");
    return s >= 0 && s < GX_STAGE_N && names[s] ? names[s] : "?";
}

/* Adds the time since *last to stage s of tm (none when s < 0) and moves
 * *last to now; reads no clock when tm is NULL. */
static void stage_tick(gx_timing *tm, int s, struct timespec *last)
{
    if (!tm)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (s >= 0)
        tm->ns[s] += (double)(now.tv_sec - last->tv_sec) * 1e9 +
                     (double)(now.tv_nsec - last->tv_nsec);
    *last = now;
}

/* Span [s, e) of t widened to whole words. */
static gx_span word_span(const gx_text *t, size_t s, size_t e)
{
    while (s > 0 && gx_word_byte((unsigned char)t->s[s - 1]))
        s--;
    while (e < t->len && gx_word_byte((unsigned char)t->s[e]))
        e++;
    return (gx_span){s, e};
}

/* A bound on the words of a term of language lang: a term's words are
 * separated by single spaces, so a term of n bytes has at most (n + 1) / 2
 * of them; a hit spans as many text words as its term has words. (strlen
 * only: counting the words of every term cost as much as a scan.) */
static size_t term_words_max(const gdprx_rules *rs, int lang)
{
    size_t most = 0;
    for (size_t i = 0; i < rs->n_terms[lang]; i++) {
        size_t n = strlen(rs->terms[lang][i].text);
        if (n > most)
            most = n;
    }
    return (most + 1) / 2;
}

/* Scan t[a, b) (a and b at word bounds) and set in bits the concepts of its
 * hits that start before `until` and lie inside [s, e). */
static int scan_into(uint64_t *bits, const gdprx_rules *rs, const gx_text *t,
                     int lang, size_t a, size_t b, size_t until, size_t s,
                     size_t e, gx_scan_hits *h)
{
    int rc = rs->scan_naive ? gx_scan_naive(rs->terms[lang], rs->n_terms[lang],
                                            t->s + a, b - a, h)
                            : gx_scan(rs->scan[lang], t->s + a, b - a, h);
    if (rc != 0)
        return -1;
    for (size_t k = 0; k < h->n; k++) {
        uint32_t c = h->v[k].concept;
        if (a + h->v[k].s < until && a + h->v[k].s >= s && a + h->v[k].e <= e)
            bits[c / 64] |= 1ull << (c % 64);
    }
    return 0;
}

/* Concept set of context span [s, e) in language lang into bits (words
 * words): the concepts with a plain-term hit inside it, from a scan of the
 * span widened to whole words, as the matcher finds them in its scan of a
 * part that holds the span. h is scratch. A span longer than 2 x win
 * (the part size) is scanned in windows [a, b) of about win bytes, so that
 * its hits are never all held at once (a list lead-in of megabytes would
 * hold ~26 bytes of hits per byte of it): each window's hits that start
 * before the next window's start a' are taken, and b lies as many words
 * past a' as the longest term has (*reach: that plus two), so that no hit
 * starting before a' ends after b. A window starts after a byte that is no
 * word byte, as a part does (the scan from there reads the same words:
 * lib/scan.c). */
static int span_concepts(uint64_t *bits, size_t words, const gdprx_rules *rs,
                         const gx_text *t, int lang, size_t s, size_t e,
                         size_t win, size_t *reach, gx_scan_hits *h)
{
    gx_span w = word_span(t, s, e);
    memset(bits, 0, words * sizeof *bits);
    if (win == 0)
        win = 1;
    if (w.e - w.s <= 2 * win || win > SIZE_MAX / 4)
        return scan_into(bits, rs, t, lang, w.s, w.e, w.e, s, e, h);
    if (!reach[lang])
        reach[lang] = term_words_max(rs, lang) + 2;
    for (size_t a = w.s; a < w.e;) {
        size_t next = w.e - a > win ? a + win : w.e;   /* the next window */
        while (next < w.e && gx_word_byte((unsigned char)t->s[next - 1]))
            next++;
        if (w.e - next <= win / 2)
            next = w.e;   /* no short last window */
        size_t b = next;
        for (size_t k = 0; k < reach[lang] && b < w.e; k++) {   /* words on */
            while (b < w.e && !gx_word_byte((unsigned char)t->s[b]))
                b++;
            while (b < w.e && gx_word_byte((unsigned char)t->s[b]))
                b++;
        }
        if (scan_into(bits, rs, t, lang, a, b, next, s, e, h) != 0)
            return -1;
        a = next;
    }
    return 0;
}

/* Mark span [s, e) in language lang as asked for by the current part,
 * working its concept set out if no earlier part did. *last: the entry
 * found last (most clauses ask for the span the clause before asked for). */
static int need_context(gx_ctxmemo *x, size_t *last, const gdprx_rules *rs,
                        const gx_text *t, int lang, size_t s, size_t e,
                        size_t win, gx_scan_hits *h)
{
    if (*last < x->n && x->v[*last].s == s && x->v[*last].e == e &&
        x->v[*last].lang == lang) {
        x->v[*last].used = 1;
        return 0;
    }
    for (size_t i = 0; i < x->n; i++)
        if (x->v[i].s == s && x->v[i].e == e && x->v[i].lang == lang) {
            x->v[i].used = 1;
            *last = i;
            return 0;
        }
    uint64_t *bits = malloc(x->words * sizeof *bits);
    if (!bits || gx_grow(&x->v, &x->cap, x->n + 1, sizeof *x->v) != 0 ||
        span_concepts(bits, x->words, rs, t, lang, s, e, win, x->reach,
                      h) != 0) {
        free(bits);
        return -1;
    }
    x->v[x->n] = (gx_ctxspan){s, e, lang, 1, bits};
    *last = x->n++;
    return 0;
}

/* The context spans before part [lo, hi) that its clauses refer to
 * (headings, lead-ins, header and row cells, the sentence before: sections,
 * leads and prev are matched
 * by their concepts) into the memo x, whose other spans are dropped (no
 * later part refers to them: sections, lists and tables run on in order). */
static int context_spans(gx_ctxmemo *x, const gdprx_rules *rs,
                         const gx_text *t, const gx_doc *d, size_t lo,
                         size_t win, gx_scan_hits *h)
{
    for (size_t i = 0; i < x->n; i++)
        x->v[i].used = 0;
    size_t last = 0;
    for (size_t i = 0; i < d->n_cl; i++) {
        const gx_clause *c = &d->cl[i];
        int l = c->lang;
        if (l < 0)
            continue;   /* the matcher skips it */
        /* the clause's heading and those of the sections it lies in */
        for (int k = c->section; k >= 0; k = d->hd[k].parent)
            if (d->hd[k].s < lo &&
                need_context(x, &last, rs, t, l, d->hd[k].s, d->hd[k].e, win,
                             h))
                return -1;
        const gx_para *pa = c->lead >= 0 ? &d->pa[c->lead] : NULL;
        if ((pa && pa->s < lo &&
             need_context(x, &last, rs, t, l, pa->s, pa->e, win, h)) ||
            (c->col_e > c->col_s && c->col_s < lo &&
             need_context(x, &last, rs, t, l, c->col_s, c->col_e, win,
                          h)) ||
            (c->row_e > c->row_s && c->row_s < lo &&
             need_context(x, &last, rs, t, l, c->row_s, c->row_e, win,
                          h)) ||
            (c->prev_e > c->prev_s && c->prev_s < lo &&
             need_context(x, &last, rs, t, l, c->prev_s, c->prev_e, win,
                          h)) ||
            (c->pcl_e > c->pcl_s && c->pcl_s < lo &&
             need_context(x, &last, rs, t, l, c->pcl_s, c->pcl_e, win,
                          h)))
            return -1;
    }
    size_t w = 0;
    for (size_t i = 0; i < x->n; i++) {
        if (x->v[i].used)
            x->v[w++] = x->v[i];
        else
            free(x->v[i].bits);
    }
    x->n = w;
    return 0;
}

/* Segment, match and build the result part by part (gx_segment_next), each
 * part about `chunk` normalized bytes: the memory of clauses, concept hits
 * and matcher hits is that of one part. The concept scan of a part reads
 * the part alone; what its clauses need of the headings, lead-ins and cells
 * before it is in the context memo (worked out once, when a part first
 * needs it). */
static int analyze_parts(gdprx_result **out, const gdprx_rules *rs,
                         gx_text *t, const char *orig, gx_doc *doc, int lang,
                         const gdprx_options *opts, size_t chunk,
                         const unsigned char *select, const gx_emit *emit,
                         gx_timing *tm, struct timespec *clk,
                         gdprx_error *err)
{
    gx_segcur *sc = NULL;
    gx_rbuild *rb = NULL;
    gx_hits hits;
    memset(&hits, 0, sizeof hits);
    gx_mwork work;   /* owned: the matcher's memory from part to part */
    memset(&work, 0, sizeof work);
    gx_ctxmemo memo;   /* owned: context spans before the part */
    memset(&memo, 0, sizeof memo);
    memo.lead = -1;
    memo.words = (rs->n_concepts + 1) / 64 + 1;
    gx_scan_hits scratch = {0};   /* owned: the memo's scans */
    gx_span part;                 /* the part's scan span */
    int rc = gx_segment_begin(&sc, doc, t, orig, rs, lang, err);
    if (rc == GDPRX_OK)
        rc = gx_result_begin(&rb, rs, t, orig, doc, lang, opts->flags, emit,
                             err);
    stage_tick(tm, GX_STAGE_SEGMENT, clk);
    while (rc == GDPRX_OK) {
        size_t lo, hi;
        if ((rc = gx_segment_next(sc, chunk, &lo, &hi)) != GDPRX_OK)
            break;
        if (opts->lang != GDPRX_LANG_AUTO) /* forced: one language throughout */
            for (size_t i = 0; i < doc->n_cl; i++)
                doc->cl[i].lang = lang;
        doc->scan = NULL;   /* one part: the whole text */
        doc->ctx = &memo;
        if (lo > 0 || hi < t->len) {
            if (context_spans(&memo, rs, t, doc, lo, chunk, &scratch)) {
                rc = gx_error_nomem(err);
                break;
            }
            part = word_span(t, lo, hi);
            doc->scan = &part;
            doc->n_scan = part.s < part.e;
        }
        stage_tick(tm, GX_STAGE_SEGMENT, clk);
        double scan_ns = 0;
        if ((rc = gx_match(&hits, &work, rs, t, doc, select,
                           tm ? &scan_ns : NULL, err)))
            break;
        stage_tick(tm, GX_STAGE_MATCH, clk);
        if (tm) {   /* the one concept scan per language, inside gx_match */
            tm->ns[GX_STAGE_MATCH] -= scan_ns;
            tm->ns[GX_STAGE_SCAN] += scan_ns;
        }
        int last = gx_segment_done(sc);
        if (last && t->n_replaced &&
            gx_hits_warn(&hits, "%zu invalid UTF-8 byte(s) read as U+FFFD, "
                         "the first at byte %zu", t->n_replaced,
                         t->first_replaced)) {
            rc = gx_error_nomem(err);
            break;
        }
        rc = gx_result_add(rb, &hits, hi, err);
        gx_hits_reset(&hits);   /* its memory serves the next part */
        stage_tick(tm, GX_STAGE_RESULT, clk);
        if (last)
            break;
    }
    gx_hits_free(&hits);
    gx_mwork_free(&work);
    gx_segment_end(sc);
    gx_ctxmemo_free(&memo);
    gx_scan_hits_free(&scratch);
    doc->scan = NULL;
    doc->ctx = NULL;
    if (rc == GDPRX_OK)
        return gx_result_end(rb, out, err);
    gx_result_abort(rb);
    return rc;
}

/* A streamed analysis's findings on their way out: offsets moved into the
 * HTML page first when the input was one. */
typedef struct relay {
    const gx_stream *stream;
    const gx_html *html;   /* NULL for text input */
} relay;

static int relay_finding(void *ctx, gdprx_finding *f, size_t index)
{
    const relay *y = ctx;
    if (y->html)
        gx_html_remap_finding(f, y->html);
    return y->stream->finding(y->stream->ctx, f, index);
}

int gx_analyze(gdprx_result **out, const gdprx_rules *rs, const char *text,
               size_t len, const gdprx_options *opts,
               const unsigned char *select, gx_timing *tm,
               const gx_stream *stream, gdprx_error *err)
{
    gx_error_clear(err);
    if (!out || !rs || (!text && len))
        return gx_error_set(err, GDPRX_EINVAL, "gdprx_analyze: NULL %s",
                            !out ? "out" : !rs ? "rules" : "text");
    gdprx_options def;
    gdprx_options_init(&def);
    if (opts) {   /* read the fields the caller's struct has */
        if (opts->size < OPTIONS_V1_SIZE || opts->size > OPTIONS_MAX_SIZE)
            return gx_error_set(err, GDPRX_EINVAL,
                                "gdprx_analyze: options not initialized with "
                                "gdprx_options_init()");
        memcpy(&def, opts, opts->size < sizeof def ? opts->size : sizeof def);
        def.size = sizeof def;
    }
    opts = &def;
    if ((int)opts->lang < GDPRX_LANG_AUTO || opts->lang > GDPRX_LANG_NL)
        return gx_error_set(err, GDPRX_EINVAL, "gdprx_analyze: bad language %d",
                            (int)opts->lang);
    if ((unsigned)opts->format > GDPRX_FORMAT_HTML)
        return gx_error_set(err, GDPRX_EINVAL, "gdprx_analyze: bad format %d",
                            (int)opts->format);
    if (opts->flags &
        ~(unsigned)(GDPRX_OPT_REPLACE_INVALID | GDPRX_OPT_EXPLAIN |
                    GDPRX_OPT_NO_SEGMENTS))
        return gx_error_set(err, GDPRX_EINVAL, "gdprx_analyze: unknown flags "
                            "0x%x", opts->flags);
    unsigned char *sel = NULL;
    int rc;
    if (!select && opts->types && *opts->types) {
        if ((rc = select_types(&sel, rs, opts->types, err)) != GDPRX_OK)
            return rc;
        select = sel;
    }
    gx_text t;
    gx_html html;   /* HTML input: its visible text, which the stages read */
    memset(&html, 0, sizeof html);
    const char *page = text;
    if (opts->format == GDPRX_FORMAT_HTML ||
        (opts->format == GDPRX_FORMAT_AUTO && gx_html_detect(text, len))) {
        if ((rc = gx_html_to_text(&html, text ? text : "", len,
                                   opts->flags, opts->max_html_tags,
                                   opts->max_html_size, err)))
            goto out_sel;
        text = html.t.s;
        len = html.t.len;
    }
    gx_doc doc;
    memset(&doc, 0, sizeof doc);
    struct timespec clk = {0, 0};
    stage_tick(tm, -1, &clk);
    if ((rc = gx_normalize(&t, text ? text : "", len, opts->flags, err))) {
        if (html.t.s)
            gx_html_remap_error(err, page, &html);
        goto out_sel;
    }
    if (html.t.s && t.n_replaced)   /* the warning names a byte of the page */
        t.first_replaced = gx_text_ostart(&html.t, t.first_replaced);
    stage_tick(tm, GX_STAGE_NORMALIZE, &clk);
    int lang = opts->lang != GDPRX_LANG_AUTO
                   ? (int)opts->lang - 1
                   : gx_langid(rs, t.s, t.len, 1, 1.0);
    stage_tick(tm, GX_STAGE_LANGID, &clk);
    size_t chunk = opts->chunk_size ? opts->chunk_size : GDPRX_CHUNK_DEFAULT;
    relay y = {stream, html.t.s ? &html : NULL};
    gx_emit emit = {relay_finding, &y};
    if (stream && stream->begin &&
        stream->begin(stream->ctx, lang < 0 ? GDPRX_LANG_AUTO
                                            : (gdprx_lang)(lang + 1)))
        rc = gx_error_offset(err, GDPRX_EIO, 0, "the output callback stopped "
                                                "the analysis at its start");
    else
        rc = analyze_parts(out, rs, &t, text ? text : "", &doc, lang, opts,
                           chunk, select, stream ? &emit : NULL, tm, &clk,
                           err);
    if (rc == GDPRX_OK)
        gx_coverage_select((*out)->cov, rs, select);
    if (rc == GDPRX_OK && html.t.s)
        gx_html_remap(*out, &html);
    stage_tick(tm, GX_STAGE_RESULT, &clk);
    gx_doc_free(&doc);
    gx_text_free(&t);
out_sel:
    gx_html_free(&html);
    free(sel);
    return rc;
}

int gdprx_analyze(gdprx_result **out, const gdprx_rules *rules,
                  const char *text, size_t len, const gdprx_options *opts,
                  gdprx_error *err)
{
    return gx_analyze(out, rules, text, len, opts, NULL, NULL, NULL, err);
}

int gdprx_analyze_each(gdprx_result **out, const gdprx_rules *rules,
                       const char *text, size_t len,
                       const gdprx_options *opts, gdprx_finding_fn each,
                       void *ctx, gdprx_error *err)
{
    if (!each) {
        gx_error_clear(err);
        return gx_error_set(err, GDPRX_EINVAL, "gdprx_analyze_each: NULL each");
    }
    gx_stream stream = {NULL, each, ctx};
    return gx_analyze(out, rules, text, len, opts, NULL, NULL, &stream, err);
}
