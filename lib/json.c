/* SPDX-License-Identifier: MIT */
/* Stage 7, output: a result -> one JSON object (schema 1, the contract of
 * the taxonomy). Deterministic; always valid JSON: control characters are
 * escaped and bytes that are not UTF-8 become U+FFFD. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "error.h"
#include "result.h"
#include "util.h"

#define JSON_SCHEMA 1

/* Append a string literal (its length known at compile time). */
#define ADD_LIT(b, lit) gx_buf_add((b), (lit), sizeof(lit) - 1)

/* Bytes copied as they are into a JSON string: printable ASCII but '"' and
 * '\\' (the rest is escaped, or checked as UTF-8). */
static int verbatim(unsigned char c)
{
    return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

static void json_str(gx_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    gx_buf_addc(b, '"');
    size_t run = 0; /* start of bytes copied verbatim */
    for (size_t i = 0; i < n;) {
        while (i < n && verbatim(u[i]))   /* most bytes: one test each */
            i++;
        if (i >= n)
            break;
        unsigned c = u[i];
        const char *esc = NULL;
        char tmp[8];
        int len = 1;
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '\t')
            esc = "\\t";
        else if (c < 0x20 || c == 0x7F) {
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
            esc = tmp;
        } else {
            uint32_t cp;
            len = gx_utf8_decode(u, n, i, &cp);
            if (len == 0) {
                esc = "\\ufffd";
                len = 1;
            }
        }
        if (esc) {
            gx_buf_add(b, s + run, i - run);
            gx_buf_adds(b, esc);
            run = i + (size_t)len;
        }
        i += (size_t)len;
    }
    gx_buf_add(b, s + run, n - run);
    gx_buf_addc(b, '"');
}

/* Append n in decimal (no printf: this runs several times per finding). */
static void json_num(gx_buf *b, size_t n)
{
    char d[24];
    size_t k = sizeof d;
    do {
        d[--k] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    gx_buf_add(b, d + k, sizeof d - k);
}

static void json_cstr(gx_buf *b, const char *s)
{
    if (s)
        json_str(b, s, strlen(s));
    else
        ADD_LIT(b, "null");
}

static void json_finding(gx_buf *b, const gdprx_finding *f)
{
    ADD_LIT(b, "{\"type\":");
    json_cstr(b, f->type);
    ADD_LIT(b, ",\"subtype\":");
    json_cstr(b, f->subtype);
    gx_buf_adds(b, f->polarity == GDPRX_NEGATED
                       ? ",\"polarity\":\"negated\",\"start\":"
                       : ",\"polarity\":\"affirmed\",\"start\":");
    json_num(b, f->start);
    ADD_LIT(b, ",\"end\":");
    json_num(b, f->end);
    ADD_LIT(b, ",\"attrs\":{");
    const char *sep = "";
    if (f->duration) {
        ADD_LIT(b, "\"duration\":");
        json_cstr(b, f->duration);
        sep = ",";
    }
    if (f->duration_max) {
        gx_buf_adds(b, sep);
        ADD_LIT(b, "\"duration_max\":");
        json_cstr(b, f->duration_max);
        sep = ",";
    }
    if (f->age >= 0) {
        gx_buf_adds(b, sep);
        ADD_LIT(b, "\"age\":");
        json_num(b, (size_t)f->age);
        sep = ",";
    }
    if (f->email) {
        gx_buf_adds(b, sep);
        ADD_LIT(b, "\"email\":");
        json_cstr(b, f->email);
    }
    ADD_LIT(b, "},\"rule\":");
    json_cstr(b, f->rule_id);
    ADD_LIT(b, ",\"text\":");
    json_str(b, f->text, f->text_len);
    ADD_LIT(b, ",\"clause\":{\"start\":");
    json_num(b, f->clause_start);
    ADD_LIT(b, ",\"end\":");
    json_num(b, f->clause_end);
    ADD_LIT(b, "},\"section\":");
    json_cstr(b, f->section);
    ADD_LIT(b, ",\"articles\":[");
    for (size_t k = 0; k < f->n_articles; k++) {
        if (k)
            gx_buf_addc(b, ',');
        json_cstr(b, f->articles[k]);
    }
    gx_buf_addc(b, ']');
    if (f->negation_cue) {
        ADD_LIT(b, ",\"negation_cue\":");
        json_cstr(b, f->negation_cue);
    }
    gx_buf_addc(b, '}');
}

/* Where the JSON goes: a buffer that is either kept whole (to_json) or
 * handed to the caller's write() whenever a finding or coverage item ends
 * past FLUSH_AT bytes (write_json). */
#define FLUSH_AT (64 * 1024)

typedef struct jw {
    gx_buf b;
    gdprx_write_fn write;   /* NULL: keep everything in b */
    void *ctx;
    size_t written;         /* bytes handed to write() so far */
    int stopped;            /* write() returned nonzero */
} jw;

/* Hand what b holds to write() if it is past `at` bytes (0: anything). */
static void flush(jw *w, size_t at)
{
    if (!w->write || w->stopped || w->b.oom || w->b.len <= at ||
        w->b.len == 0)
        return;
    if (w->write(w->ctx, w->b.s, w->b.len) != 0) {
        w->stopped = 1;
        return;
    }
    w->written += w->b.len;
    w->b.len = 0;
}

/* The object's opening, up to the findings. */
static void json_head(jw *w, gdprx_lang lang)
{
    gx_buf *b = &w->b;
    gx_buf_printf(b, "{\"schema\":%d,\"lang\":", JSON_SCHEMA);
    if (lang == GDPRX_LANG_AUTO)
        ADD_LIT(b, "null");
    else
        json_cstr(b, gdprx_lang_code(lang));
    ADD_LIT(b, ",\"findings\":[");
}

/* Finding number i of the object. */
static void json_next(jw *w, const gdprx_finding *f, size_t i)
{
    if (i)
        gx_buf_addc(&w->b, ',');
    json_finding(&w->b, f);
    flush(w, FLUSH_AT);
}

/* The object's end, after the findings: coverage and warnings. */
static void json_tail(jw *w, const gdprx_result *r)
{
    gx_buf *b = &w->b;
    ADD_LIT(b, "],\"coverage\":[");
    for (size_t i = 0, put = 0; i < GX_COVERAGE_ITEMS && !w->stopped; i++) {
        const gdprx_coverage_item *c = &r->cov[i];
        if (!c->selected)
            continue;
        gx_buf_adds(b, put++ ? ",{\"article\":" : "{\"article\":");
        json_cstr(b, c->article);
        ADD_LIT(b, ",\"item\":");
        json_cstr(b, c->item);
        gx_buf_printf(b, ",\"applicable\":%s,\"stated\":%s,\"findings\":[",
                      c->applicable ? "true" : "false",
                      c->stated ? "true" : "false");
        for (size_t k = 0; k < c->n_findings; k++) {
            if (k)
                gx_buf_addc(b, ',');
            json_num(b, c->findings[k]);
        }
        ADD_LIT(b, "]}");
        flush(w, FLUSH_AT);
    }
    ADD_LIT(b, "],\"warnings\":[");
    for (size_t i = 0; i < r->n_warn; i++) {
        if (i)
            gx_buf_addc(b, ',');
        json_cstr(b, r->warn[i]);
    }
    ADD_LIT(b, "]}");
    flush(w, 0);
}

/* The whole object into w; stops early once write() refused a piece. */
static void json_result(jw *w, const gdprx_result *r)
{
    json_head(w, r->lang);
    for (size_t i = 0; i < r->n && !w->stopped; i++)
        json_next(w, &r->f[i], i);
    if (!w->stopped)
        json_tail(w, r);
}

int gdprx_result_to_json(char **out, size_t *out_len, const gdprx_result *r,
                         gdprx_error *err)
{
    gx_error_clear(err);
    if (!out || !r)
        return gx_error_set(err, GDPRX_EINVAL,
                            "gdprx_result_to_json: NULL %s",
                            out ? "result" : "out");
    jw w = {0};
    json_result(&w, r);
    size_t len;
    char *s = gx_buf_take(&w.b, &len);
    if (!s)
        return gx_error_nomem(err);
    *out = s;
    if (out_len)
        *out_len = len;
    return GDPRX_OK;
}

int gdprx_result_write_json(const gdprx_result *r, gdprx_write_fn write,
                            void *ctx, gdprx_error *err)
{
    gx_error_clear(err);
    if (!r || !write)
        return gx_error_set(err, GDPRX_EINVAL,
                            "gdprx_result_write_json: NULL %s",
                            r ? "write" : "result");
    jw w = {.write = write, .ctx = ctx};
    json_result(&w, r);
    int oom = w.b.oom;
    gx_buf_free(&w.b);
    if (w.stopped)
        return gx_error_offset(err, GDPRX_EIO, w.written,
                               "gdprx_result_write_json: the write callback "
                               "stopped the output after %zu bytes",
                               w.written);
    return oom ? gx_error_nomem(err) : GDPRX_OK;
}

/* gdprx_analyze_write_json's stream: the object's pieces as the analysis
 * hands them over. */
static int stream_begin(void *ctx, gdprx_lang lang)
{
    jw *w = ctx;
    json_head(w, lang);
    return w->stopped;
}

static int stream_finding(void *ctx, const gdprx_finding *f, size_t index)
{
    jw *w = ctx;
    json_next(w, f, index);
    return w->stopped || w->b.oom;
}

int gdprx_analyze_write_json(gdprx_result **out, const gdprx_rules *rules,
                             const char *text, size_t len,
                             const gdprx_options *opts, gdprx_write_fn write,
                             void *ctx, gdprx_error *err)
{
    gx_error_clear(err);
    if (!write)
        return gx_error_set(err, GDPRX_EINVAL,
                            "gdprx_analyze_write_json: NULL write");
    jw w = {.write = write, .ctx = ctx};
    gx_stream stream = {stream_begin, stream_finding, &w};
    gdprx_result *r = NULL;
    int rc = gx_analyze(&r, rules, text, len, opts, NULL, NULL, &stream, err);
    if (rc == GDPRX_OK)
        json_tail(&w, r);
    int oom = w.b.oom;
    gx_buf_free(&w.b);
    if (w.stopped) {
        rc = gx_error_offset(err, GDPRX_EIO, w.written,
                             "gdprx_analyze_write_json: the write callback "
                             "stopped the output after %zu bytes", w.written);
    } else if (oom) {
        rc = gx_error_nomem(err);
    }
    if (rc == GDPRX_OK && out)
        *out = r;
    else
        gdprx_result_free(r);
    return rc;
}
