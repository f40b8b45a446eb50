/* SPDX-License-Identifier: MIT */
/* gdprx report, the pages (report_page.h). Every piece of policy text, file
 * name and rule string goes through rh_escape() or rh_json_str(); the CSS
 * and JS are inlined and named by their SHA-256 in each page's
 * Content-Security-Policy (report_assets.h, made by embed_assets.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report_assets.h"
#include "report_page.h"

/* ---- shared page parts ------------------------------------------------- */

static const char *lang_name(const gdprx_result *r)
{
    const char *code = gdprx_lang_code(gdprx_result_lang(r));
    return *code ? code : "unknown";
}

static const char *polarity_name(const gdprx_finding *f)
{
    return f->polarity == GDPRX_NEGATED ? "negated" : "affirmed";
}

/* The colour class of a type, the same on every page: c0 .. c9. */
static unsigned type_colour(const char *type)
{
    unsigned h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)type; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % 10;
}

static void page_head(sbuf *b, const char *title, int script)
{
    sb_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
               "<meta charset=\"utf-8\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\""
               "default-src 'none'; style-src '" REPORT_CSS_SHA256 "'; ");
    if (script)
        sb_puts(b, "script-src '" REPORT_JS_SHA256 "'; ");
    sb_puts(b, "img-src 'none'; base-uri 'none'; form-action 'none'\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, "
               "initial-scale=1\">\n<title>gdprx report: ");
    rh_escape_str(b, title);
    sb_puts(b, "</title>\n<style>");
    sb_puts(b, report_css);
    sb_puts(b, "</style>\n</head>\n");
}

/* ---- the policy page --------------------------------------------------- */

/* Type names of the findings, distinct, in order of first appearance.
 * Returns their number, or (size_t)-1 when out of memory.
 * Ownership: *out is the caller's (free()); strings borrowed from r. */
static size_t result_types(const char ***out, const gdprx_result *r)
{
    size_t n = gdprx_result_count(r), m = 0;
    const char **v = malloc((n + 1) * sizeof *v);
    if (!v)
        return (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        const char *t = gdprx_result_get(r, i)->type;
        size_t k = 0;
        while (k < m && strcmp(v[k], t))
            k++;
        if (k == m)
            v[m++] = t;
    }
    *out = v;
    return m;
}

static size_t count_type(const gdprx_result *r, const char *type)
{
    size_t c = 0;
    for (size_t i = 0; i < gdprx_result_count(r); i++)
        c += !strcmp(gdprx_result_get(r, i)->type, type);
    return c;
}

static int type_filter(sbuf *b, const gdprx_result *r)
{
    const char **types;
    size_t n = result_types(&types, r);
    if (n == (size_t)-1)
        return -1;
    sb_puts(b, "<section id=\"types\"><h2>Types</h2>\n");
    for (size_t k = 0; k < n; k++) {
        sb_printf(b, "<label class=\"c%u\"><input type=\"checkbox\" "
                     "checked value=\"", type_colour(types[k]));
        rh_escape_str(b, types[k]);
        sb_puts(b, "\"> ");
        rh_escape_str(b, types[k]);
        sb_printf(b, " (%zu)</label>\n", count_type(r, types[k]));
    }
    if (!n)
        sb_puts(b, "<p>No findings.</p>\n");
    sb_puts(b, "</section>\n");
    free(types);
    return 0;
}

static size_t first_finding(const gdprx_coverage_item *c)
{
    size_t m = c->findings[0];
    for (size_t k = 1; k < c->n_findings; k++)
        if (c->findings[k] < m)
            m = c->findings[k];
    return m;
}

static void checklist_item(sbuf *b, const gdprx_coverage_item *c)
{
    int stated = c->applicable && c->stated && c->n_findings;
    sb_printf(b, "<li class=\"%s\">", !c->applicable ? "na"
                                      : stated       ? "stated"
                                                     : "missing");
    if (stated)
        sb_printf(b, "<a class=\"art\" href=\"#f%zu\">", first_finding(c));
    else
        sb_puts(b, "<span class=\"art\">");
    rh_escape_str(b, c->article);
    sb_puts(b, stated ? "</a> " : "</span> ");
    rh_escape_str(b, c->item);
    if (!c->applicable)
        sb_puts(b, ": not applicable");
    else if (stated)
        sb_printf(b, " (%zu finding%s)", c->n_findings,
                  c->n_findings == 1 ? "" : "s");
    else
        sb_puts(b, ": not stated");
    sb_puts(b, "</li>\n");
}

/* Stated and applicable items over applicable ones, of the items --types
 * selects (gdprx_coverage_item.selected). */
static void coverage_figures(const gdprx_result *r, size_t *stated,
                             size_t *applicable)
{
    *stated = *applicable = 0;
    for (size_t i = 0; i < gdprx_result_coverage_count(r); i++) {
        const gdprx_coverage_item *c = gdprx_result_coverage(r, i);
        if (!c->selected || !c->applicable)
            continue;
        ++*applicable;
        *stated += c->stated && c->n_findings;
    }
}

static void checklist(sbuf *b, const gdprx_result *r, const char *types)
{
    size_t stated, applicable;
    coverage_figures(r, &stated, &applicable);
    sb_printf(b, "<section id=\"checklist\"><h2>GDPR Art. 13/14 "
                 "checklist: %zu/%zu%s</h2>\n<ul>\n", stated, applicable,
              types && *types ? " (selected types)" : "");
    for (size_t i = 0; i < gdprx_result_coverage_count(r); i++) {
        const gdprx_coverage_item *c = gdprx_result_coverage(r, i);
        if (c->selected)
            checklist_item(b, c);
    }
    sb_puts(b, "</ul></section>\n");
}

/* The empty anchor and label of finding i, where it starts. */
static void finding_label(sbuf *b, const gdprx_finding *f, size_t i)
{
    sb_printf(b, "<span class=\"lbl\" id=\"f%zu\" data-type=\"", i);
    rh_escape_str(b, f->type);
    sb_puts(b, "\" data-label=\"");
    rh_escape_str(b, f->type);
    sb_puts(b, ".");
    rh_escape_str(b, f->subtype);
    sb_puts(b, "\"></span>");
}

/* A segment covered by findings ids[0..n): one <mark>, coloured by the
 * innermost (last starting) finding. */
static void finding_mark(sbuf *b, const gdprx_result *r, const size_t *ids,
                         size_t n, const char *text, size_t len)
{
    const gdprx_finding *inner = gdprx_result_get(r, ids[n - 1]);
    sb_printf(b, "<mark class=\"c%u%s\" data-f=\"", type_colour(inner->type),
              n > 1 ? " multi" : "");
    for (size_t k = 0; k < n; k++)
        sb_printf(b, "%s%zu", k ? " " : "", ids[k]);
    sb_puts(b, "\" title=\"");
    for (size_t k = 0; k < n; k++) {
        const gdprx_finding *f = gdprx_result_get(r, ids[k]);
        sb_puts(b, k ? "; " : "");
        rh_escape_str(b, f->type);
        sb_puts(b, ".");
        rh_escape_str(b, f->subtype);
        sb_printf(b, " [%s]", polarity_name(f));
    }
    sb_puts(b, "\">");
    rh_escape(b, text, len);
    sb_puts(b, "</mark>");
}

/* The policy's text, split at every finding boundary. */
static int policy_text(sbuf *b, const gdprx_result *r, const char *text,
                       size_t len)
{
    size_t n = gdprx_result_count(r);
    rh_span *spans = malloc((n + 1) * sizeof *spans);
    rh_segments segs;
    if (!spans)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const gdprx_finding *f = gdprx_result_get(r, i);
        spans[i] = (rh_span){f->start, f->end};
    }
    int rc = rh_segments_build(&segs, spans, n, len);
    free(spans);
    if (rc != 0)
        return -1;
    sb_printf(b, "<div id=\"policy\" class=\"policy\" lang=\"%s\">",
              gdprx_result_lang(r) ? lang_name(r) : "");
    size_t next = 0; /* findings are sorted by start: labels in order */
    for (size_t k = 0; k < segs.n; k++) {
        const rh_segment *g = &segs.v[k];
        for (; next < n && gdprx_result_get(r, next)->start <= g->start;
             next++)
            finding_label(b, gdprx_result_get(r, next), next);
        if (g->n)
            finding_mark(b, r, segs.ids + g->first, g->n, text + g->start,
                         g->end - g->start);
        else
            rh_escape(b, text + g->start, g->end - g->start);
    }
    for (; next < n; next++)
        finding_label(b, gdprx_result_get(r, next), next);
    sb_puts(b, "</div>\n");
    rh_segments_free(&segs);
    return 0;
}

/* A NUL-terminated string as JSON, or null. */
static void json_cstr(sbuf *b, const char *s)
{
    rh_json_str(b, s, s ? strlen(s) : 0);
}

static void json_finding(sbuf *b, const gdprx_finding *f)
{
    sb_puts(b, "{\"type\":");
    json_cstr(b, f->type);
    sb_puts(b, ",\"subtype\":");
    json_cstr(b, f->subtype);
    sb_printf(b, ",\"polarity\":\"%s\",\"rule\":", polarity_name(f));
    json_cstr(b, f->rule_id);
    sb_printf(b, ",\"start\":%zu,\"end\":%zu,\"text\":", f->start, f->end);
    rh_json_str(b, f->text, f->text_len);
    sb_puts(b, ",\"section\":");
    json_cstr(b, f->section);
    sb_puts(b, ",\"attrs\":{");
    const char *sep = "";
    const struct { const char *key, *value; } attrs[] = {
        {"duration", f->duration}, {"duration_max", f->duration_max},
        {"email", f->email}};
    for (size_t k = 0; k < sizeof attrs / sizeof *attrs; k++)
        if (attrs[k].value) {
            sb_printf(b, "%s\"%s\":", sep, attrs[k].key);
            json_cstr(b, attrs[k].value);
            sep = ",";
        }
    if (f->age >= 0)
        sb_printf(b, "%s\"age\":\"%d\"", sep, f->age);
    sb_puts(b, "},\"articles\":[");
    for (size_t k = 0; k < f->n_articles; k++) {
        sb_puts(b, k ? "," : "");
        json_cstr(b, f->articles[k]);
    }
    sb_puts(b, "]}");
}

/* The findings as JSON for the page's script, in a non-executed
 * application/json element (rh_json_str keeps "<" out of it). */
static void page_data(sbuf *b, const gdprx_result *r)
{
    sb_puts(b, "<script type=\"application/json\" id=\"gx-data\">"
               "{\"findings\":[");
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        sb_puts(b, i ? ",\n" : "\n");
        json_finding(b, gdprx_result_get(r, i));
    }
    sb_puts(b, "]}</script>\n");
}

int policy_page(sbuf *b, const policy *p, const char *text,
                       size_t len, const char *types)
{
    const gdprx_result *r = p->res;
    size_t n = gdprx_result_count(r);
    page_head(b, p->path, 1);
    sb_puts(b, "<body>\n<header><h1>");
    rh_escape_str(b, p->path);
    sb_printf(b, "</h1><p>language %s, %zu finding%s%s &middot; "
                 "<a href=\"index.html\">all policies</a></p></header>\n",
              lang_name(r), n, n == 1 ? "" : "s",
              p->html ? " &middot; HTML input: its source is shown, the "
                        "findings at their byte offsets" : "");
    sb_puts(b, "<div class=\"layout\">\n<aside>\n");
    if (type_filter(b, r) != 0)
        return -1;
    checklist(b, r, types);
    sb_puts(b, "<section id=\"details\"><h2>Details</h2><div "
               "id=\"detail-body\">Click a highlighted phrase.</div>"
               "</section>\n</aside>\n<main>\n");
    if (policy_text(b, r, text, len) != 0)
        return -1;
    sb_puts(b, "</main>\n</div>\n");
    page_data(b, r);
    sb_puts(b, "<script>");
    sb_puts(b, report_js);
    sb_puts(b, "</script>\n</body>\n</html>\n");
    return b->failed ? -1 : 0;
}

/* ---- the index ---------------------------------------------------------- */

/* Every type any policy has, sorted, distinct. Returns their number, or
 * (size_t)-1 when out of memory. Ownership: *out is the caller's (free());
 * strings borrowed from the results. */
static size_t all_types(const char ***out, const policy *v, size_t n)
{
    size_t total = 0, m = 0;
    for (size_t i = 0; i < n; i++)
        total += gdprx_result_count(v[i].res);
    const char **t = malloc((total + 1) * sizeof *t);
    if (!t)
        return (size_t)-1;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < gdprx_result_count(v[i].res); k++) {
            const char *type = gdprx_result_get(v[i].res, k)->type;
            size_t j = 0;
            while (j < m && strcmp(t[j], type) < 0)
                j++;
            if (j < m && !strcmp(t[j], type))
                continue;
            memmove(t + j + 1, t + j, (m - j) * sizeof *t);
            t[j] = type;
            m++;
        }
    *out = t;
    return m;
}

static void index_row(sbuf *b, const policy *p, const char *const *types,
                      size_t nt)
{
    sb_puts(b, "<tr><td class=\"file\">");
    if (p->res) {
        sb_puts(b, "<a href=\"");
        rh_escape_str(b, p->page);
        sb_puts(b, "\">");
        rh_escape_str(b, p->path);
        sb_puts(b, "</a></td>");
    } else {
        rh_escape_str(b, p->path);
        sb_printf(b, "</td><td class=\"error\" colspan=\"%zu\">", nt + 3);
        rh_escape_str(b, p->error);
        sb_puts(b, "</td></tr>\n");
        return;
    }
    size_t stated, applicable;
    coverage_figures(p->res, &stated, &applicable);
    sb_printf(b, "<td>%s</td><td>%zu/%zu</td><td>%zu</td>",
              lang_name(p->res), stated, applicable,
              gdprx_result_count(p->res));
    for (size_t k = 0; k < nt; k++)
        sb_printf(b, "<td>%zu</td>", count_type(p->res, types[k]));
    sb_puts(b, "</tr>\n");
}

int index_page(sbuf *b, const policy *v, size_t n)
{
    const char **types;
    size_t nt = all_types(&types, v, n);
    if (nt == (size_t)-1)
        return -1;
    page_head(b, "index", 0);
    sb_printf(b, "<body>\n<header><h1>gdprx report</h1><p>%zu polic%s, "
                 "gdprx ", n, n == 1 ? "y" : "ies");
    rh_escape_str(b, gdprx_version_string());
    sb_puts(b, "</p></header>\n<div class=\"wide\"><table id=\"index\">\n"
               "<thead><tr><th class=\"file\">file</th><th>language</th>"
               "<th>Art. 13/14 items</th><th>findings</th>");
    for (size_t k = 0; k < nt; k++) {
        sb_puts(b, "<th>");
        rh_escape_str(b, types[k]);
        sb_puts(b, "</th>");
    }
    sb_puts(b, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++)
        index_row(b, &v[i], types, nt);
    sb_puts(b, "</tbody>\n</table></div>\n</body>\n</html>\n");
    free(types);
    return b->failed ? -1 : 0;
}

