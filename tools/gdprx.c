/* SPDX-License-Identifier: MIT */
/* gdprx: the command-line tool. Analyzes policies (files or stdin) and
 * prints findings as text, JSON or JSON Lines; checks and tests rule sets;
 * shows normalized text. Exit codes are listed in usage(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdprx.h"

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_RULES = 3,
       EXIT_EXAMPLES = 4 };

static void usage(FILE *f)
{
    fputs(
        "usage: gdprx [options] [FILE...]     analyze policies (stdin if no "
        "FILE or FILE is -)\n"
        "       gdprx rules check [PATH]      load and compile a rule set\n"
        "       gdprx rules test [-v] [PATH]  run the rule set's examples\n"
        "       gdprx normalize [FILE]        print text as rules see it\n"
        "\n"
        "options:\n"
        "  --json              one JSON object (output contract, schema 1); "
        "one FILE\n"
        "  --jsonl             one JSON object per line and FILE, with "
        "\"doc\"\n"
        "  --explain           text output with rule, pattern and negation "
        "cue\n"
        "  --segments          text output of the headings, paragraphs and "
        "clauses\n"
        "  --lang LANG         en, fr, nl or auto (default auto)\n"
        "  --rules PATH        rule directory or file (default: $GDPRX_RULES,\n"
        "                      else the installed rule set)\n"
        "  --types LIST        only these types or type.subtype, "
        "comma-separated\n"
        "  --replace-invalid   read invalid UTF-8 bytes as U+FFFD instead of "
        "failing\n"
        "  --version, --help\n"
        "\n"
        "exit status: 0 success; 1 an input could not be read or analyzed "
        "(the\n"
        "others still are); 2 usage error; 3 the rule set failed to load; "
        "4 rule\n"
        "examples failed (rules test)\n",
        f);
}

/* Read a whole file ("-" is stdin). Returns NULL with errno set. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            char *nb = cap > (SIZE_MAX / 2) ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                errno = ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    int bad = buf && ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    *len = n;
    return buf;
}

typedef struct opts {
    const char *rules, *types;
    int json, jsonl, explain, segments;
    gdprx_options ao;
} opts;

static void print_quoted(const char *s, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n' || c == '\r' || c == '\t')
            putchar(' ');
        else if (c < 0x20)
            putchar('?');
        else
            putchar(c);
    }
    putchar('"');
}

static void print_coverage(const gdprx_result *r)
{
    printf("  GDPR Art. 13/14 coverage:\n");
    for (size_t i = 0; i < gdprx_result_coverage_count(r); i++) {
        const gdprx_coverage_item *c = gdprx_result_coverage(r, i);
        printf("    [%s] %-9s %s", !c->applicable ? "-" : c->stated ? "x" : " ",
               c->article, c->item);
        if (!c->applicable)
            printf(" (not applicable)");
        else if (c->stated)
            printf(" (%zu finding%s)", c->n_findings,
                   c->n_findings == 1 ? "" : "s");
        putchar('\n');
    }
}

static void print_segments(const gdprx_result *r, const char *text)
{
    static const char *const kinds[] = {"", "heading", "paragraph", "clause"};
    for (size_t i = 0; i < gdprx_result_segment_count(r); i++) {
        const gdprx_segment *g = gdprx_result_segment(r, i);
        const char *lang = gdprx_lang_code(g->lang);
        printf("%s%-9s %-2s [%zu-%zu] ", g->kind == GDPRX_SEG_CLAUSE ? "    " :
               g->kind == GDPRX_SEG_PARAGRAPH ? "  " : "", kinds[g->kind],
               *lang ? lang : "?", g->start, g->end);
        print_quoted(text + g->start, g->end - g->start);
        putchar('\n');
    }
}

static void print_text(const char *name, const gdprx_result *r,
                       const char *text, const gdprx_rules *rules,
                       const opts *o)
{
    size_t n = gdprx_result_count(r);
    const char *lang = gdprx_lang_code(gdprx_result_lang(r));
    if (o->segments)
        print_segments(r, text);
    printf("%s: language %s, %zu finding%s\n", name, *lang ? lang : "unknown",
           n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        const gdprx_finding *f = gdprx_result_get(r, i);
        printf("  %s.%s%s", f->type, f->subtype,
               f->polarity == GDPRX_NEGATED ? " (negated)" : "");
        if (f->duration)
            printf(" duration=%s", f->duration);
        if (f->duration_max)
            printf(" duration_max=%s", f->duration_max);
        if (f->age >= 0)
            printf(" age=%d", f->age);
        if (f->email)
            printf(" email=%s", f->email);
        printf("  [%zu-%zu]\n    ", f->start, f->end);
        print_quoted(text + f->clause_start, f->clause_end - f->clause_start);
        putchar('\n');
        if (o->explain) {
            printf("    rule %s [%s] pattern %zu: %s\n    matched ", f->rule_id,
                   gdprx_lang_code(f->lang), f->pattern_index,
                   gdprx_rules_pattern(rules, f->rule_id, f->lang,
                                       f->pattern_index));
            print_quoted(f->text, f->end - f->start);
            if (f->concepts)
                printf("; concepts %s", f->concepts);
            if (f->negation_cue)
                printf("; negation cue \"%s\"", f->negation_cue);
            if (f->section)
                printf("; section \"%s\"", f->section);
            putchar('\n');
        }
    }
    print_coverage(r);
    for (size_t i = 0; i < gdprx_result_warning_count(r); i++)
        printf("  warning: %s\n", gdprx_result_warning(r, i));
}

/* Length of the valid UTF-8 sequence at s, or 0 (a file name may be any
 * bytes; JSON must stay valid). */
static int utf8_len(const unsigned char *s)
{
    int n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4
            : s[0] >= 0xE0              ? 3
            : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
                                          : 0;
    for (int k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return n;
}

static void print_json_str(const char *s)
{
    putchar('"');
    while (*s) {
        unsigned char c = (unsigned char)*s;
        int n = c >= 0x80 ? utf8_len((const unsigned char *)s) : 1;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else if (n == 0)
            fputs("\\ufffd", stdout);
        else
            fwrite(s, 1, (size_t)n, stdout);
        s += n ? n : 1;
    }
    putchar('"');
}

static int analyze_one(const gdprx_rules *rules, const char *path,
                       const opts *o)
{
    size_t len = 0;
    char *text = slurp(path, &len);
    const char *name = strcmp(path, "-") ? path : "<stdin>";
    if (!text) {
        fprintf(stderr, "gdprx: %s: %s\n", name, strerror(errno));
        return EXIT_INPUT;
    }
    gdprx_result *r = NULL;
    gdprx_error err;
    int rc = gdprx_analyze(&r, rules, text, len, &o->ao, &err);
    if (rc != GDPRX_OK) {
        fprintf(stderr, "gdprx: %s: %s\n", name, err.message);
        free(text);
        return rc == GDPRX_EINVAL ? EXIT_USAGE : EXIT_INPUT;
    }
    if (o->json || o->jsonl) {
        char *js = NULL;
        size_t jl = 0;
        if (gdprx_result_to_json(&js, &jl, r, &err) != GDPRX_OK) {
            fprintf(stderr, "gdprx: %s: %s\n", name, err.message);
            rc = EXIT_INPUT;
        } else if (o->jsonl) {
            fputs("{\"doc\":", stdout);
            print_json_str(name);
            printf(",%s\n", js + 1);
        } else {
            printf("%s\n", js);
        }
        gdprx_free(js);
    } else {
        print_text(name, r, text, rules, o);
    }
    gdprx_result_free(r);
    free(text);
    return rc == GDPRX_OK ? EXIT_OK : EXIT_INPUT;
}

static int load_rules(gdprx_rules **rules, const char *path)
{
    gdprx_error err;
    if (gdprx_rules_load(rules, path, &err) != GDPRX_OK) {
        fprintf(stderr, "gdprx: %s\n", err.message);
        return EXIT_RULES;
    }
    return EXIT_OK;
}

static int cmd_rules(int argc, char **argv)
{
    if (argc < 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    int test = !strcmp(argv[0], "test"), verbose = 0;
    if (!test && strcmp(argv[0], "check")) {
        fprintf(stderr, "gdprx: unknown command 'rules %s'\n", argv[0]);
        return EXIT_USAGE;
    }
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
            verbose = 1;
        else if (!path && argv[i][0] != '-')
            path = argv[i];
        else {
            fprintf(stderr, "gdprx: unexpected argument '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    gdprx_rules *rules;
    int rc = load_rules(&rules, path);
    if (rc)
        return rc;
    if (!test) {
        for (size_t i = 0; i < gdprx_rules_warning_count(rules); i++)
            printf("warning: %s\n", gdprx_rules_warning(rules, i));
        printf("%s: %zu rules compiled, %zu warnings\n",
               path ? path : "default rule set", gdprx_rules_count(rules),
               gdprx_rules_warning_count(rules));
        gdprx_rules_free(rules);
        return EXIT_OK;
    }
    char *report = NULL;
    size_t failed = 0;
    gdprx_error err;
    rc = gdprx_rules_test(&report, &failed, rules, verbose, &err);
    gdprx_rules_free(rules);
    if (rc != GDPRX_OK) {
        fprintf(stderr, "gdprx: %s\n", err.message);
        return EXIT_RULES;
    }
    fputs(report, stdout);
    gdprx_free(report);
    return failed ? EXIT_EXAMPLES : EXIT_OK;
}

static int cmd_normalize(int argc, char **argv)
{
    const char *path = argc > 0 ? argv[0] : "-";
    size_t len = 0;
    char *text = slurp(path, &len);
    if (!text) {
        fprintf(stderr, "gdprx: %s: %s\n", path, strerror(errno));
        return EXIT_INPUT;
    }
    char *out = NULL;
    size_t olen = 0;
    gdprx_error err;
    int rc = gdprx_normalize(&out, &olen, text, len, 0, &err);
    free(text);
    if (rc != GDPRX_OK) {
        fprintf(stderr, "gdprx: %s: %s\n", path, err.message);
        return EXIT_INPUT;
    }
    fwrite(out, 1, olen, stdout);
    putchar('\n');
    gdprx_free(out);
    return EXIT_OK;
}

static int parse_lang(const char *s, gdprx_lang *out)
{
    static const struct { const char *name; gdprx_lang lang; } langs[] = {
        {"auto", GDPRX_LANG_AUTO}, {"en", GDPRX_LANG_EN},
        {"fr", GDPRX_LANG_FR}, {"nl", GDPRX_LANG_NL}};
    for (size_t i = 0; i < sizeof langs / sizeof *langs; i++)
        if (!strcmp(s, langs[i].name)) {
            *out = langs[i].lang;
            return 0;
        }
    return -1;
}

/* Parse the analysis options into o and the file names into files (NULL
 * files mean stdin). Returns -1 to go on, else the exit status (--help,
 * --version, a usage error). */
static int parse_args(int argc, char **argv, opts *o, const char **files,
                      int *nfiles)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (!strcmp(a, "--json"))
            o->json = 1;
        else if (!strcmp(a, "--jsonl"))
            o->jsonl = 1;
        else if (!strcmp(a, "--explain")) {
            o->explain = 1;
            o->ao.flags |= GDPRX_OPT_EXPLAIN;
        } else if (!strcmp(a, "--segments"))
            o->segments = 1;
        else if (!strcmp(a, "--replace-invalid"))
            o->ao.flags |= GDPRX_OPT_REPLACE_INVALID;
        else if (!strcmp(a, "--rules") && has_val)
            o->rules = argv[++i];
        else if (!strcmp(a, "--types") && has_val)
            o->ao.types = argv[++i];
        else if (!strcmp(a, "--lang") && has_val) {
            if (parse_lang(argv[++i], &o->ao.lang) != 0) {
                fprintf(stderr, "gdprx: --lang must be en, fr, nl or auto\n");
                return EXIT_USAGE;
            }
        } else if (!strcmp(a, "--version")) {
            printf("gdprx %s\n", gdprx_version_string());
            return EXIT_OK;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return EXIT_OK;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "gdprx: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return EXIT_USAGE;
        } else {
            files[(*nfiles)++] = a;
        }
    }
    if (!*nfiles)
        files[(*nfiles)++] = "-";
    if (o->json && (o->jsonl || *nfiles > 1)) {
        fprintf(stderr, "gdprx: --json prints one document; use --jsonl for "
                        "several\n");
        return EXIT_USAGE;
    }
    return -1;
}

/* Analyze every file with one loaded rule set; the first failure's status
 * is the exit status, and the others are still analyzed. */
static int analyze_files(const opts *o, const char **files, int nfiles)
{
    gdprx_rules *rules;
    int rc = load_rules(&rules, o->rules);
    for (int i = 0; rc != EXIT_RULES && i < nfiles; i++) {
        int r = analyze_one(rules, files[i], o);
        if (r == EXIT_USAGE) {   /* a bad option: every file would fail */
            rc = r;
            break;
        }
        if (r && !rc)
            rc = r;
    }
    if (rc != EXIT_RULES)
        gdprx_rules_free(rules);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "rules"))
        return cmd_rules(argc - 2, argv + 2);
    if (argc > 1 && !strcmp(argv[1], "normalize"))
        return cmd_normalize(argc - 2, argv + 2);
    opts o;
    memset(&o, 0, sizeof o);
    gdprx_options_init(&o.ao);
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    int nfiles = 0;
    if (!files)
        return EXIT_INPUT;
    int rc = parse_args(argc, argv, &o, files, &nfiles);
    if (rc < 0)
        rc = analyze_files(&o, files, nfiles);
    free(files);
    return rc;
}
