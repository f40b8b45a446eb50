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
    gx_hits hits;
    memset(&doc, 0, sizeof doc);
    memset(&hits, 0, sizeof hits);
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
    if ((rc = gx_segment(&doc, &t, text ? text : "", rs, lang, err)))
        goto out;
    if (opts->lang != GDPRX_LANG_AUTO)   /* forced: one language throughout */
        for (size_t i = 0; i < doc.n_cl; i++)
            doc.cl[i].lang = lang;
    stage_tick(tm, GX_STAGE_SEGMENT, &clk);
    double scan_ns = 0;
    if ((rc = gx_match(&hits, rs, &t, &doc, select, tm ? &scan_ns : NULL,
                       err)))
        goto out;
    stage_tick(tm, GX_STAGE_MATCH, &clk);
    if (tm) {   /* the one concept scan per language, inside gx_match */
        tm->ns[GX_STAGE_MATCH] -= scan_ns;
        tm->ns[GX_STAGE_SCAN] += scan_ns;
    }
    if (t.n_replaced &&
        gx_hits_warn(&hits, "%zu invalid UTF-8 byte(s) read as U+FFFD, the "
                     "first at byte %zu", t.n_replaced, t.first_replaced)) {
        rc = gx_error_nomem(err);
        goto out;
    }
    rc = gx_result_build(out, rs, &t, text ? text : "", &doc, &hits, lang,
                         opts->flags, err);
    if (rc == GDPRX_OK)
        gx_coverage_select((*out)->cov, rs, select);
    if (rc == GDPRX_OK && html.s)
        gx_html_remap(*out, &html);
    stage_tick(tm, GX_STAGE_RESULT, &clk);
out:
    gx_hits_free(&hits);
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
