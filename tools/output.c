/* SPDX-License-Identifier: MIT */
/* gdprx tool, output: one document's result or error formatted into memory
 * (text lines PATH:LINE:COL, JSON, JSON Lines, counts), then written with
 * one write(2) so that records never mix. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"

int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

void doc_out_free(doc_out *d)
{
    free(d->out);
    free(d->err);
    free(d->text);
    d->text = NULL;
    d->out = d->err = NULL;
    d->out_len = d->err_len = 0;
}

gdprx_options doc_options(const opts *o, const char *name)
{
    gdprx_options ao = o->ao;
    if (!o->segments)   /* only --segments prints them */
        ao.flags |= GDPRX_OPT_NO_SEGMENTS;
    size_t nl = strlen(name);
    if (ao.format == GDPRX_FORMAT_AUTO &&
        ((nl > 5 && !strcasecmp(name + nl - 5, ".html")) ||
         (nl > 4 && !strcasecmp(name + nl - 4, ".htm"))))
        ao.format = GDPRX_FORMAT_HTML;
    return ao;
}

/* ---- small printers --------------------------------------------------- */

static void put_quoted(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        fputc(c == '\n' || c == '\r' || c == '\t' ? ' ' : c < 0x20 ? '?' : c,
              f);
    }
    fputc('"', f);
}

/* Length of the valid UTF-8 sequence at s, or 0 (a file name may be any
 * bytes; JSON must stay valid). */
static int utf8_len(const unsigned char *s)
{
    int n = s[0] >= 0xF0 && s[0] <= 0xF4   ? 4
            : s[0] >= 0xE0                 ? 3
            : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
                                           : 0;
    for (int k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return n;
}

static void put_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    while (*s) {
        unsigned char c = (unsigned char)*s;
        int n = c >= 0x80 ? utf8_len((const unsigned char *)s) : 1;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else if (n == 0)
            fputs("\\ufffd", f);
        else
            fwrite(s, 1, (size_t)n, f);
        s += n ? n : 1;
    }
    fputc('"', f);
}

/* ---- text ------------------------------------------------------------- */

static void put_coverage(FILE *f, const gdprx_result *r, const char *types)
{
    fprintf(f, "  GDPR Art. 13/14 coverage%s:\n",
            types && *types ? " (selected types)" : "");
    for (size_t i = 0; i < gdprx_result_coverage_count(r); i++) {
        const gdprx_coverage_item *c = gdprx_result_coverage(r, i);
        if (!c->selected)
            continue;
        fprintf(f, "    [%s] %-9s %s", !c->applicable ? "-"
                                       : c->stated   ? "x"
                                                     : " ",
                c->article, c->item);
        if (!c->applicable)
            fputs(" (not applicable)", f);
        else if (c->stated)
            fprintf(f, " (%zu finding%s)", c->n_findings,
                    c->n_findings == 1 ? "" : "s");
        fputc('\n', f);
    }
}

static void put_segments(FILE *f, const gdprx_result *r, const char *text)
{
    static const char *const kinds[] = {"", "heading", "paragraph", "clause"};
    for (size_t i = 0; i < gdprx_result_segment_count(r); i++) {
        const gdprx_segment *g = gdprx_result_segment(r, i);
        const char *lang = gdprx_lang_code(g->lang);
        fprintf(f, "%s%-9s %-2s [%zu-%zu] ",
                g->kind == GDPRX_SEG_CLAUSE      ? "    "
                : g->kind == GDPRX_SEG_PARAGRAPH ? "  "
                                                 : "",
                kinds[g->kind], *lang ? lang : "?", g->start, g->end);
        put_quoted(f, text + g->start, g->end - g->start);
        fputc('\n', f);
    }
}

/* Line and byte column (both from 1) of offset `to`, moving forward from
 * the previous position (findings come sorted by start). */
typedef struct linepos {
    size_t off, line, line_start;
} linepos;

static void advance(linepos *lp, const char *text, size_t to)
{
    if (to < lp->off)
        *lp = (linepos){0, 1, 0};
    for (const char *p = text + lp->off, *end = text + to;
         (p = memchr(p, '\n', (size_t)(end - p))); p++) {
        lp->line++;
        lp->line_start = (size_t)(p - text) + 1;
    }
    lp->off = to;
}

static void put_attrs(FILE *f, const gdprx_finding *x)
{
    if (x->duration)
        fprintf(f, " duration=%s", x->duration);
    if (x->duration_max)
        fprintf(f, " duration_max=%s", x->duration_max);
    if (x->age >= 0)
        fprintf(f, " age=%d", x->age);
    if (x->email)
        fprintf(f, " email=%s", x->email);
}

static void put_explain(FILE *f, const gdprx_finding *x,
                        const gdprx_rules *rules)
{
    fprintf(f, "    rule %s [%s] pattern %zu: %s\n    matched ", x->rule_id,
            gdprx_lang_code(x->lang), x->pattern_index,
            gdprx_rules_pattern(rules, x->rule_id, x->lang, x->pattern_index));
    put_quoted(f, x->text, x->text_len);
    if (x->concepts)
        fprintf(f, "; concepts %s", x->concepts);
    if (x->negation_cue)
        fprintf(f, "; negation cue \"%s\"", x->negation_cue);
    if (x->section)
        fprintf(f, "; section \"%s\"", x->section);
    fputc('\n', f);
}

static void put_text(FILE *f, const char *name, const gdprx_result *r,
                     const char *text, const gdprx_rules *rules,
                     const opts *o)
{
    size_t n = gdprx_result_count(r);
    const char *lang = gdprx_lang_code(gdprx_result_lang(r));
    if (o->segments)
        put_segments(f, r, text);
    fprintf(f, "%s: language %s, %zu finding%s\n", name,
            *lang ? lang : "unknown", n, n == 1 ? "" : "s");
    linepos lp = {0, 1, 0};
    for (size_t i = 0; i < n; i++) {
        const gdprx_finding *x = gdprx_result_get(r, i);
        advance(&lp, text, x->start);
        fprintf(f, "%s:%zu:%zu: %s.%s [%s]", name, lp.line,
                x->start - lp.line_start + 1, x->type, x->subtype,
                x->polarity == GDPRX_NEGATED ? "negated" : "affirmed");
        put_attrs(f, x);
        fputs("  ", f);
        put_quoted(f, x->text, x->text_len);
        fputc('\n', f);
        if (o->context) {
            fputs("    clause ", f);
            put_quoted(f, text + x->clause_start,
                       x->clause_end - x->clause_start);
            fputc('\n', f);
        }
        if (o->explain)
            put_explain(f, x, rules);
    }
    if (!o->no_coverage && n > 0)
        put_coverage(f, r, o->ao.types);
    for (size_t i = 0; i < gdprx_result_warning_count(r); i++)
        fprintf(f, "  warning: %s\n", gdprx_result_warning(r, i));
}

/* ---- counts ----------------------------------------------------------- */

/* Findings per type, gathered as a streamed analysis hands them over (the
 * findings are not kept: a text with millions of them counts in little
 * memory). */
typedef struct type_count {
    char *type;       /* owned copy */
    size_t n;
} type_count;

typedef struct counts {
    type_count *v;    /* owned, v[0..k) */
    size_t k, cap, n;
    int oom;
} counts;

static int count_one(void *ctx, const gdprx_finding *f, size_t index)
{
    (void)index;
    counts *c = ctx;
    size_t j = 0;
    while (j < c->k && strcmp(c->v[j].type, f->type))
        j++;
    if (j == c->k) {
        if (c->k == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 16;
            type_count *v = realloc(c->v, cap * sizeof *v);
            if (!v)
                return c->oom = 1;
            c->v = v;
            c->cap = cap;
        }
        if (!(c->v[j].type = strdup(f->type)))
            return c->oom = 1;
        c->v[j].n = 0;
        c->k++;
    }
    c->v[j].n++;
    c->n++;
    return 0;
}

static int cmp_count(const void *a, const void *b)
{
    return strcmp(((const type_count *)a)->type,
                  ((const type_count *)b)->type);
}

static void put_count(FILE *f, const char *name, gdprx_lang lg,
                      const counts *c, const opts *o)
{
    const char *lang = gdprx_lang_code(lg);
    if (o->json || o->jsonl) {
        fputs("{\"doc\":", f);
        put_json_str(f, name);
        fprintf(f, ",\"lang\":%s%s%s,\"findings\":%zu,\"types\":{",
                *lang ? "\"" : "", *lang ? lang : "null", *lang ? "\"" : "",
                c->n);
        for (size_t i = 0; i < c->k; i++)
            fprintf(f, "%s\"%s\":%zu", i ? "," : "", c->v[i].type, c->v[i].n);
        fputs("}}\n", f);
    } else {
        fprintf(f, "%s: %zu finding%s", name, c->n, c->n == 1 ? "" : "s");
        for (size_t i = 0; i < c->k; i++)
            fprintf(f, "%s%s %zu", i ? ", " : ": ", c->v[i].type, c->v[i].n);
        fputc('\n', f);
    }
}

/* ---- documents -------------------------------------------------------- */

/* gdprx_result_write_json's pieces into a stream; `skip` bytes are left
 * out first (the '{' a JSON Lines record opens itself). */
typedef struct json_sink {
    FILE *f;
    size_t skip;
} json_sink;

static int sink_json(void *ctx, const char *bytes, size_t len)
{
    json_sink *k = ctx;
    size_t s = k->skip < len ? k->skip : len;
    k->skip -= s;
    return fwrite(bytes + s, 1, len - s, k->f) != len - s;
}

/* The result's JSON, streamed into f (no second copy of it in memory). */
static int put_json(FILE *f, const char *name, const gdprx_result *r,
                    const opts *o)
{
    json_sink k = {f, 0};
    if (o->jsonl) {
        fputs("{\"doc\":", f);
        put_json_str(f, name);
        fputc(',', f);
        k.skip = 1;
    }
    gdprx_error err;
    if (gdprx_result_write_json(r, sink_json, &k, &err) != GDPRX_OK)
        return -1;
    fputc('\n', f);
    return 0;
}

/* Close a memory stream into buf and len. Returns 0, or -1 (out of memory). */
static int close_mem(FILE *f, char **buf, size_t *len, int bad)
{
    bad |= ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        free(*buf);
        *buf = NULL;
        *len = 0;
        return -1;
    }
    return 0;
}

int format_result(doc_out *d, const char *name, const gdprx_result *r,
                  const char *text, const gdprx_rules *rules, const opts *o)
{
    FILE *f = open_memstream(&d->out, &d->out_len);
    if (!f)
        return -1;
    int bad = 0;
    if (o->json || o->jsonl)
        bad = put_json(f, name, r, o);
    else
        put_text(f, name, r, text, rules, o);
    d->findings = gdprx_result_count(r);
    return close_mem(f, &d->out, &d->out_len, bad);
}

static int out_of_memory(gdprx_error *err)
{
    memset(err, 0, sizeof *err);
    err->code = GDPRX_ENOMEM;
    err->offset = -1;
    snprintf(err->message, sizeof err->message, "out of memory");
    return GDPRX_ENOMEM;
}

int count_streamed(doc_out *d, const char *name, const char *text,
                   size_t len, const gdprx_rules *rules, const opts *o,
                   gdprx_error *err)
{
    counts c = {0};
    gdprx_result *r = NULL;
    gdprx_options ao = doc_options(o, name);
    int rc = gdprx_analyze_each(&r, rules, text, len, &ao, count_one, &c, err);
    if (rc == GDPRX_EIO && c.oom)
        rc = GDPRX_ENOMEM;
    if (rc == GDPRX_OK) {
        if (c.k > 1)   /* (c.v is NULL when there are none) */
            qsort(c.v, c.k, sizeof *c.v, cmp_count);
        FILE *f = open_memstream(&d->out, &d->out_len);
        if (!f) {
            rc = GDPRX_ENOMEM;
        } else {
            put_count(f, name, gdprx_result_lang(r), &c, o);
            if (close_mem(f, &d->out, &d->out_len, 0) != 0)
                rc = GDPRX_ENOMEM;
        }
        d->findings = c.n;
    }
    if (rc == GDPRX_ENOMEM)
        out_of_memory(err);
    for (size_t i = 0; i < c.k; i++)
        free(c.v[i].type);
    free(c.v);
    gdprx_result_free(r);
    return rc;
}

/* stream_result's pieces to fd: the record's opening `head` (its '{' and
 * "doc" member) before the first piece, whose own '{' is left out. */
typedef struct fd_sink {
    int fd;
    const char *head;   /* NULL for --json (one PATH: no "doc" member) */
    size_t head_len;
    int begun;          /* a piece went out */
    int write_failed;   /* fd refused a write (a closed pipe) */
} fd_sink;

static int sink_fd(void *ctx, const char *bytes, size_t len)
{
    fd_sink *k = ctx;
    if (!k->begun) {
        k->begun = 1;
        if (k->head) {   /* the head opens the object in place of its '{' */
            if (write_all(k->fd, k->head, k->head_len) != 0)
                return k->write_failed = 1;
            bytes++;
            len--;
        }
    }
    if (len && write_all(k->fd, bytes, len) != 0)
        return k->write_failed = 1;
    return 0;
}

int stream_result(doc_out *d, const char *name, const gdprx_rules *rules,
                  const opts *o, int fd, gdprx_error *err)
{
    char *head = NULL;
    size_t head_len = 0;
    if (o->jsonl) {
        FILE *f = open_memstream(&head, &head_len);
        if (!f)
            return out_of_memory(err);
        fputs("{\"doc\":", f);
        put_json_str(f, name);
        fputc(',', f);
        if (close_mem(f, &head, &head_len, 0) != 0)
            return out_of_memory(err);
    }
    fd_sink k = {fd, head, head_len, 0, 0};
    gdprx_result *r = NULL;
    gdprx_options ao = doc_options(o, name);
    int rc = gdprx_analyze_write_json(&r, rules, d->text, d->bytes, &ao,
                                      sink_fd, &k, err);
    if (k.write_failed)   /* not the document's fault: as batch.c's emit() */
        rc = GDPRX_OK;
    else if (rc == GDPRX_OK || k.begun)   /* a begun record ends its line */
        write_all(fd, "\n", 1);
    d->findings = gdprx_result_streamed(r);
    gdprx_result_free(r);
    free(head);
    return rc;
}

int format_error(doc_out *d, const char *name, const char *code,
                 const char *message, const opts *o)
{
    d->failed = 1;
    FILE *f = open_memstream(&d->err, &d->err_len);
    if (!f)
        return -1;
    fprintf(f, "gdprx: %s\n", message);
    if (close_mem(f, &d->err, &d->err_len, 0) != 0)
        return -1;
    if (!o->json && !o->jsonl)
        return 0;
    if (!(f = open_memstream(&d->out, &d->out_len)))
        return -1;
    fputs("{\"doc\":", f);
    put_json_str(f, name);
    fprintf(f, ",\"error\":{\"code\":\"%s\",\"message\":", code);
    put_json_str(f, message);
    fputs("}}\n", f);
    return close_mem(f, &d->out, &d->out_len, 0);
}
