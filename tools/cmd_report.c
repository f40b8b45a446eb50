/* SPDX-License-Identifier: MIT */
/* gdprx report FILE... -o DIR: analyzes each policy with one rule set and
 * writes DIR/<name>.html per policy (its text with every finding
 * highlighted, a type filter, a details panel, the Art. 13/14 checklist)
 * and DIR/index.html (one row per policy): options, reading and analyzing,
 * page names, writing files. The pages themselves are made by
 * report_page.c, their exact parts (escaping, segments) by report_html.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "report_html.h"
#include "report_page.h"

typedef struct report_opts {
    const char *rules;   /* borrowed from argv, or NULL */
    const char *outdir;  /* borrowed from argv */
    const char **paths;  /* owned array (room for argc), strings argv's */
    int npaths;
    gdprx_options ao;    /* ao.types borrowed from argv */
} report_opts;


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
    if ((v = cli_opt_value(argc, argv, i, "--output")) ||
        (v = cli_opt_value(argc, argv, i, "-o")))
        o->outdir = v;
    else if ((v = cli_opt_value(argc, argv, i, "--rules")))
        o->rules = v;
    else if ((v = cli_opt_value(argc, argv, i, "--types")))
        o->ao.types = v;
    else if ((v = cli_opt_value(argc, argv, i, "--lang"))) {
        if ((k = pick(v, langs, 4)) < 0)
            return fprintf(stderr, "gdprx: --lang must be en, fr, nl or "
                                   "auto\n"), -1;
        o->ao.lang = (gdprx_lang)k;
    } else if ((v = cli_opt_value(argc, argv, i, "--format"))) {
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
    if (index_page(&b, v, n) != 0) {
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
