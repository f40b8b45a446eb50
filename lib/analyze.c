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

/* Whether byte b continues a word for the concept scan (lib/scan.c). */
static int word_byte(unsigned char b)
{
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
           (b >= '0' && b <= '9') || b == '_' || b >= 0x80;
}

/* Add span [s, e) of t, widened to whole words, to *v. */
static int add_span(gx_span **v, size_t *n, size_t *cap, const gx_text *t,
                    size_t s, size_t e)
{
    if (s >= e)
        return 0;
    while (s > 0 && word_byte((unsigned char)t->s[s - 1]))
        s--;
    while (e < t->len && word_byte((unsigned char)t->s[e]))
        e++;
    if (gx_grow(v, cap, *n + 1, sizeof **v) != 0)
        return -1;
    (*v)[(*n)++] = (gx_span){s, e};
    return 0;
}

static int cmp_span(const void *pa, const void *pb)
{
    const gx_span *a = pa, *b = pb;
    return (a->s > b->s) - (a->s < b->s);
}

/* The spans the concept scan of part [lo, hi) reads: the part, and the
 * headings, lead-ins and table cells its clauses refer to (sections and
 * leads are matched by their concepts), sorted and merged into *v. */
static int scan_spans(gx_span **v, size_t *n, size_t *cap, const gx_text *t,
                      const gx_doc *d, size_t lo, size_t hi)
{
    *n = 0;
    if (add_span(v, n, cap, t, lo, hi) != 0)
        return -1;
    for (size_t i = 0; i < d->n_cl; i++) {
        const gx_clause *c = &d->cl[i];
        if ((c->section >= 0 && d->hd[c->section].s < lo &&
             add_span(v, n, cap, t, d->hd[c->section].s, d->hd[c->section].e)) ||
            (c->lead >= 0 && d->pa[c->lead].s < lo &&
             add_span(v, n, cap, t, d->pa[c->lead].s, d->pa[c->lead].e)) ||
            (c->col_s < lo && add_span(v, n, cap, t, c->col_s, c->col_e)) ||
            (c->row_s < lo && add_span(v, n, cap, t, c->row_s, c->row_e)))
            return -1;
    }
    qsort(*v, *n, sizeof **v, cmp_span);
    size_t w = 0;
    for (size_t i = 1; i < *n; i++) {
        if ((*v)[i].s <= (*v)[w].e) {
            if ((*v)[i].e > (*v)[w].e)
                (*v)[w].e = (*v)[i].e;
        } else {
            (*v)[++w] = (*v)[i];
        }
    }
    *n = *n ? w + 1 : 0;
    return 0;
}

/* Segment, match and build the result part by part (gx_segment_next), each
 * part about `chunk` normalized bytes: the memory of clauses, concept hits
 * and matcher hits is that of one part. */
static int analyze_parts(gdprx_result **out, const gdprx_rules *rs,
                         gx_text *t, const char *orig, gx_doc *doc, int lang,
                         const gdprx_options *opts, size_t chunk,
                         const unsigned char *select, gx_timing *tm,
                         struct timespec *clk, gdprx_error *err)
{
    gx_segcur *sc = NULL;
    gx_rbuild *rb = NULL;
    gx_hits hits;
    memset(&hits, 0, sizeof hits);
    gx_span *spans = NULL;   /* owned: the scan spans of the part */
    size_t n_spans = 0, cap_spans = 0;
    int rc = gx_segment_begin(&sc, doc, t, orig, rs, lang, err);
    if (rc == GDPRX_OK)
        rc = gx_result_begin(&rb, rs, t, orig, doc, lang, opts->flags, err);
    stage_tick(tm, GX_STAGE_SEGMENT, clk);
    while (rc == GDPRX_OK) {
        size_t lo, hi;
        if ((rc = gx_segment_next(sc, chunk, &lo, &hi)) != GDPRX_OK)
            break;
        if (opts->lang != GDPRX_LANG_AUTO) /* forced: one language throughout */
            for (size_t i = 0; i < doc->n_cl; i++)
                doc->cl[i].lang = lang;
        doc->scan = NULL;   /* one part: the whole text */
        if (lo > 0 || hi < t->len) {
            if (scan_spans(&spans, &n_spans, &cap_spans, t, doc, lo, hi)) {
                rc = gx_error_nomem(err);
                break;
            }
            doc->scan = spans;
            doc->n_scan = n_spans;
        }
        stage_tick(tm, GX_STAGE_SEGMENT, clk);
        double scan_ns = 0;
        if ((rc = gx_match(&hits, rs, t, doc, select, tm ? &scan_ns : NULL,
                           err)))
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
        gx_hits_free(&hits);
        stage_tick(tm, GX_STAGE_RESULT, clk);
        if (last)
            break;
    }
    gx_hits_free(&hits);
    gx_segment_end(sc);
    free(spans);
    doc->scan = NULL;
    if (rc == GDPRX_OK)
        return gx_result_end(rb, out, err);
    gx_result_abort(rb);
    return rc;
}

int gx_analyze(gdprx_result **out, const gdprx_rules *rs, const char *text,
               size_t len, const gdprx_options *opts,
               const unsigned char *select, gx_timing *tm, gdprx_error *err)
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
        ~(unsigned)(GDPRX_OPT_REPLACE_INVALID | GDPRX_OPT_EXPLAIN))
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
                                   opts->flags, err)))
            goto out_sel;
        text = html.s;
        len = html.len;
    }
    gx_doc doc;
    memset(&doc, 0, sizeof doc);
    struct timespec clk = {0, 0};
    stage_tick(tm, -1, &clk);
    if ((rc = gx_normalize(&t, text ? text : "", len, opts->flags, err))) {
        if (html.s)
            gx_html_remap_error(err, page, &html);
        goto out_sel;
    }
    stage_tick(tm, GX_STAGE_NORMALIZE, &clk);
    int lang = opts->lang != GDPRX_LANG_AUTO
                   ? (int)opts->lang - 1
                   : gx_langid(rs, t.s, t.len, 1, 1.0);
    stage_tick(tm, GX_STAGE_LANGID, &clk);
    size_t chunk = opts->chunk_size ? opts->chunk_size : GDPRX_CHUNK_DEFAULT;
    rc = analyze_parts(out, rs, &t, text ? text : "", &doc, lang, opts, chunk,
                       select, tm, &clk, err);
    if (rc == GDPRX_OK)
        gx_coverage_select((*out)->cov, rs, select);
    if (rc == GDPRX_OK && html.s)
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
    return gx_analyze(out, rules, text, len, opts, NULL, NULL, err);
}
