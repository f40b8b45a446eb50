/* SPDX-License-Identifier: MIT */
/* gdprx report FILE... -o DIR: analyzes each policy with one rule set and
 * writes DIR/<name>.html per policy (its text with every finding
 * highlighted, a type filter, a details panel, the Art. 13/14 checklist)
 * and DIR/index.html (one row per policy). Pages are self-contained: inline
 * CSS and JS allowed by their SHA-256 in a Content-Security-Policy that
 * forbids everything else; all text goes through rh_escape()/rh_json_str(). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "report_assets.h"
#include "report_html.h"

typedef struct report_opts {
    const char *rules;   /* borrowed from argv, or NULL */
    const char *outdir;  /* borrowed from argv */
    const char **paths;  /* owned array (room for argc), strings argv's */
    int npaths;
    gdprx_options ao;    /* ao.types borrowed from argv */
} report_opts;

/* One policy of the report. */
typedef struct policy {
    const char *path;    /* borrowed from argv */
    char page[96];       /* its page's file name in the output directory */
    int html;            /* read as HTML */
    gdprx_result *res;   /* owned; NULL when it failed */
    char *error;         /* owned message when it failed, else NULL */
} policy;

static void report_usage(FILE *f)
{
    fputs("usage: gdprx report [options] FILE... -o DIR\n"
          "  write one self-contained HTML page per policy into DIR (its "
          "text with the\n"
          "  findings highlighted, a filter by type, details on click, the "
          "Art. 13/14\n"
          "  checklist) and DIR/index.html, a table of the policies\n"
          "  -o, --output DIR     the directory to write (created if "
          "missing)\n"
          "  --format FMT         text, markdown, html or auto (default: "
          "html for\n"
          "                       *.html, *.htm and text that starts as "
          "HTML)\n"
          "  --lang LANG          en, fr, nl or auto (default auto)\n"
          "  --rules PATH         rule directory or file\n"
          "  --types LIST         only these types or type.subtype, "
          "comma-separated\n"
          "  --replace-invalid    read invalid UTF-8 bytes as U+FFFD\n"
          "exit status: 0 every page written, 1 a policy could not be read "
          "or analyzed\n"
          "or a page not written (the others still are), 2 usage, 3 the "
          "rule set\n"
          "failed to load\n",
          f);
}

/* ---- options ----------------------------------------------------------- */

/* An option with a value: "--name V" or "--name=V". Returns the value
 * (advancing *i past it), or NULL when argv[*i] is not this option. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n))
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int pick(const char *v, const char *const *names, int n)
{
    for (int k = 0; k < n; k++)
        if (!strcmp(v, names[k]))
            return k;
    return -1;
}

/* Returns 0, or -1 after a message. */
static int parse_valued(report_opts *o, int argc, char **argv, int *i)
{
    static const char *const langs[] = {"auto", "en", "fr", "nl"};
    static const char *const fmts[] = {"auto", "text", "html", "markdown"};
    const char *v;
    int k;
    if ((v = opt_value(argc, argv, i, "--output")) ||
        (v = opt_value(argc, argv, i, "-o")))
        o->outdir = v;
    else if ((v = opt_value(argc, argv, i, "--rules")))
        o->rules = v;
    else if ((v = opt_value(argc, argv, i, "--types")))
        o->ao.types = v;
    else if ((v = opt_value(argc, argv, i, "--lang"))) {
        if ((k = pick(v, langs, 4)) < 0)
            return fprintf(stderr, "gdprx: --lang must be en, fr, nl or "
                                   "auto\n"), -1;
        o->ao.lang = (gdprx_lang)k;
    } else if ((v = opt_value(argc, argv, i, "--format"))) {
        if ((k = pick(v, fmts, 4)) < 0)
            return fprintf(stderr, "gdprx: --format must be text, markdown, "
                                   "html or auto\n"), -1;
        o->ao.format = k == 3 ? GDPRX_FORMAT_TEXT : (gdprx_format)k;
    } else
        return fprintf(stderr, "gdprx: report: unknown or incomplete "
                               "option '%s'\n", argv[*i]), -1;
    return 0;
}

/* Returns -1 to go on, else an exit status. */
static int parse_report_args(report_opts *o, int argc, char **argv)
{
    int only_paths = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_paths || a[0] != '-' || !a[1])
            o->paths[o->npaths++] = a;
        else if (!strcmp(a, "--"))
            only_paths = 1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            report_usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--replace-invalid"))
            o->ao.flags |= GDPRX_OPT_REPLACE_INVALID;
        else if (parse_valued(o, argc, argv, &i) != 0)
            return EXIT_USAGE;
    }
    const char *missing = !o->npaths ? "at least one FILE" : !o->outdir ?
                          "-o DIR" : NULL;
    if (missing) {
        fprintf(stderr, "gdprx: report needs %s\n", missing);
        report_usage(stderr);
        return EXIT_USAGE;
    }
    return -1;
}

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
 * selects. */
static void coverage_figures(const gdprx_result *r, const char *types,
                             size_t *stated, size_t *applicable)
{
    *stated = *applicable = 0;
    for (size_t i = 0; i < gdprx_result_coverage_count(r); i++) {
        const gdprx_coverage_item *c = gdprx_result_coverage(r, i);
        if (!coverage_item_selected(c, types) || !c->applicable)
            continue;
        ++*applicable;
        *stated += c->stated && c->n_findings;
    }
}

static void checklist(sbuf *b, const gdprx_result *r, const char *types)
{
    size_t stated, applicable;
    coverage_figures(r, types, &stated, &applicable);
    sb_printf(b, "<section id=\"checklist\"><h2>GDPR Art. 13/14 "
                 "checklist: %zu/%zu%s</h2>\n<ul>\n", stated, applicable,
              types && *types ? " (selected types)" : "");
    for (size_t i = 0; i < gdprx_result_coverage_count(r); i++) {
        const gdprx_coverage_item *c = gdprx_result_coverage(r, i);
        if (coverage_item_selected(c, types))
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

static int policy_page(sbuf *b, const policy *p, const char *text,
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
                      size_t nt, const char *filter)
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
    coverage_figures(p->res, filter, &stated, &applicable);
    sb_printf(b, "<td>%s</td><td>%zu/%zu</td><td>%zu</td>",
              lang_name(p->res), stated, applicable,
              gdprx_result_count(p->res));
    for (size_t k = 0; k < nt; k++)
        sb_printf(b, "<td>%zu</td>", count_type(p->res, types[k]));
    sb_puts(b, "</tr>\n");
}

static int index_page(sbuf *b, const policy *v, size_t n, const char *filter)
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
        index_row(b, &v[i], types, nt, filter);
    sb_puts(b, "</tbody>\n</table></div>\n</body>\n</html>\n");
    free(types);
    return b->failed ? -1 : 0;
}

/* ---- files -------------------------------------------------------------- */

/* Write buf to dir/name through a temporary file renamed over it, so a
 * reader never sees half a page. Returns 0, or -1 after a message naming
 * the path. */
static int write_page(const char *dir, const char *name, const sbuf *buf)
{
    size_t dl = strlen(dir), nl = strlen(name);
    char *path = malloc(dl + nl + 2), *tmp = malloc(dl + 20);
    int rc = -1, fd = -1;
    if (!path || !tmp) {
        fprintf(stderr, "gdprx: report: out of memory\n");
        goto out;
    }
    snprintf(path, dl + nl + 2, "%s/%s", dir, name);
    snprintf(tmp, dl + 20, "%s/.gdprx-XXXXXX", dir);
    fd = mkstemp(tmp);
    int ok = fd >= 0 && fchmod(fd, 0644) == 0 &&
             write_all(fd, buf->s ? buf->s : "", buf->len) == 0;
    int saved = errno;
    if (fd >= 0 && close(fd) != 0 && ok)
        ok = 0, saved = errno;
    if (ok && rename(tmp, path) != 0)
        ok = 0, saved = errno;
    if (!ok) {
        fprintf(stderr, "gdprx: report: cannot write %s: %s\n", path,
                strerror(saved));
        if (fd >= 0)
            unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    free(path);
    free(tmp);
    return rc;
}

static int make_dir(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0777) == 0 ||
        (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
        return 0;
    fprintf(stderr, "gdprx: report: cannot create directory %s: %s\n", dir,
            errno == EEXIST ? "not a directory" : strerror(errno));
    return -1;
}

/* Page file names: each input's safe stem (rh_page_stem), ".html", made
 * unique (case-insensitively, and never "index.html") by "-2", "-3", ...
 * in input order. */
static void name_pages(policy *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char stem[80];
        rh_page_stem(stem, sizeof stem, strcmp(v[i].path, "-") ? v[i].path
                                                                : "stdin");
        for (unsigned k = 1;; k++) {
            if (k == 1)
                snprintf(v[i].page, sizeof v[i].page, "%s.html", stem);
            else
                snprintf(v[i].page, sizeof v[i].page, "%s-%u.html", stem, k);
            int taken = !strcasecmp(v[i].page, "index.html");
            for (size_t j = 0; j < i && !taken; j++)
                taken = !strcasecmp(v[i].page, v[j].page);
            if (!taken)
                break;
        }
    }
}

/* ---- the command -------------------------------------------------------- */

static int looks_html(const char *path)
{
    size_t nl = strlen(path);
    return (nl > 5 && !strcasecmp(path + nl - 5, ".html")) ||
           (nl > 4 && !strcasecmp(path + nl - 4, ".htm"));
}

static void fail(policy *p, const char *message)
{
    size_t n = strlen(p->path) + strlen(message) + 3;
    p->error = malloc(n);
    if (p->error)
        snprintf(p->error, n, "%s: %s", p->path, message);
    fprintf(stderr, "gdprx: %s: %s\n", p->path, message);
}

/* Read, analyze and write the page of one policy. Returns 0 or -1 (with
 * p->error set when the policy itself failed). */
static int report_one(policy *p, const gdprx_rules *rules,
                      const report_opts *o)
{
    char *text;
    size_t len;
    read_error re;
    gdprx_error err;
    if (doc_read(&text, &len, p->path, DEFAULT_MAX_SIZE, &re) != 0) {
        fprintf(stderr, "gdprx: %s\n", re.message);
        p->error = strdup(re.message);
        return -1;
    }
    gdprx_options ao = o->ao;
    if (ao.format == GDPRX_FORMAT_AUTO && looks_html(p->path))
        ao.format = GDPRX_FORMAT_HTML;
    int rc = -1;
    sbuf b = {0};
    /* a page AUTO takes for HTML without its extension gets no note */
    p->html = ao.format == GDPRX_FORMAT_HTML;
    if (gdprx_analyze(&p->res, rules, text, len, &ao, &err) != GDPRX_OK)
        fail(p, err.message);
    else if (policy_page(&b, p, text, len, o->ao.types) != 0)
        fprintf(stderr, "gdprx: %s: out of memory\n", p->path);
    else
        rc = write_page(o->outdir, p->page, &b);
    sb_free(&b);
    free(text);
    return rc;
}

static int report_all(const report_opts *o, const gdprx_rules *rules)
{
    size_t n = (size_t)o->npaths;
    policy *v = calloc(n, sizeof *v);
    if (!v) {
        fprintf(stderr, "gdprx: report: out of memory\n");
        return EXIT_INPUT;
    }
    int rc = EXIT_OK;
    for (size_t i = 0; i < n; i++)
        v[i].path = o->paths[i];
    name_pages(v, n);
    for (size_t i = 0; i < n; i++)
        if (report_one(&v[i], rules, o) != 0)
            rc = EXIT_INPUT;
    sbuf b = {0};
    if (index_page(&b, v, n, o->ao.types) != 0) {
        fprintf(stderr, "gdprx: report: out of memory\n");
        rc = EXIT_INPUT;
    } else if (write_page(o->outdir, "index.html", &b) != 0)
        rc = EXIT_INPUT;
    sb_free(&b);
    for (size_t i = 0; i < n; i++) {
        gdprx_result_free(v[i].res);
        free(v[i].error);
    }
    free(v);
    return rc;
}

/* Options that would fail on every document (an unknown type) are a usage
 * error, found once on an empty text. */
static int check_types(const gdprx_rules *rules, const gdprx_options *ao)
{
    gdprx_result *r = NULL;
    gdprx_error err;
    int rc = gdprx_analyze(&r, rules, "", 0, ao, &err);
    gdprx_result_free(r);
    if (rc != GDPRX_OK) {
        fprintf(stderr, "gdprx: %s\n", err.message);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
    report_opts o;
    memset(&o, 0, sizeof o);
    gdprx_options_init(&o.ao);
    o.paths = calloc((size_t)argc + 1, sizeof *o.paths);
    if (!o.paths) {
        fprintf(stderr, "gdprx: out of memory\n");
        return EXIT_INPUT;
    }
    int rc = parse_report_args(&o, argc, argv);
    char *rules_path = NULL;
    gdprx_rules *rules = NULL;
    gdprx_error err;
    if (rc < 0 && (rc = rules_locate(&rules_path, o.rules)) == EXIT_OK) {
        if (gdprx_rules_load(&rules, rules_path, &err) != GDPRX_OK) {
            fprintf(stderr, "gdprx: %s\n", err.message);
            rc = EXIT_RULES;
        } else if ((rc = check_types(rules, &o.ao)) == EXIT_OK) {
            rc = make_dir(o.outdir) != 0 ? EXIT_INPUT
                                          : report_all(&o, rules);
        }
    }
    gdprx_rules_free(rules);
    free(rules_path);
    free(o.paths);
    return rc;
}
