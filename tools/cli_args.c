/* SPDX-License-Identifier: MIT */
/* gdprx tool, command line: the usage text and the analysis options.
 * Takes argv, gives an opts and the list of paths; no I/O beyond --help,
 * --version and usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void usage(FILE *f)
{
    fputs(
        "usage: gdprx [options] [--] [PATH...]   analyze policies (stdin if no "
        "PATH,\n"
        "                                        or PATH is -)\n"
        "       gdprx rules list [PATH]          the rule set's rules: id, "
        "label,\n"
        "                                        languages, articles\n"
        "       gdprx rules check [PATH]         load and compile a rule set\n"
        "       gdprx rules test [-v] [PATH]     run the rule set's examples\n"
        "       gdprx normalize [FILE]           print text as rules see it\n"
        "       gdprx diff [options] OLD NEW     findings added, removed, "
        "changed\n"
        "                                        (gdprx diff --help)\n"
        "       gdprx report [options] FILE... -o DIR  HTML pages of the "
        "findings,\n"
        "                                        one per FILE, and "
        "DIR/index.html\n"
        "                                        (gdprx report --help)\n"
        "\n",
        f);
    fputs("input:\n"
        "  -r, --recursive     analyze the files of directory trees (sorted "
        "by name;\n"
        "                      hidden entries, special files and loops "
        "skipped)\n"
        "  -g, --glob PATTERN  with -r, analyze only the files whose name "
        "matches\n"
        "                      PATTERN (fnmatch; with a '/', the path below "
        "the\n"
        "                      directory given); repeatable: any may match; "
        "'!PATTERN'\n"
        "                      is --exclude PATTERN\n"
        "  --exclude PATTERN   with -r, skip the files and directories that "
        "match\n"
        "                      PATTERN (as --glob); repeatable. Paths named "
        "on the\n"
        "                      command line or in --files-from are never "
        "filtered\n"
        "  --files-from FILE   also analyze the paths listed in FILE (- is "
        "stdin),\n"
        "                      one a line, or NUL-separated\n"
        "  --max-size N[KMG]   larger documents are an error (default 64M)\n"
        "  --chunk-size N[KMG] segment and match a longer document in parts of\n"
        "                      about N bytes (default 256K); same findings\n"
        "  --stream-above N[KMG] with --json/--jsonl, write the record of a\n"
        "                      larger document as it is analyzed, in pieces\n"
        "                      (default 1M; same bytes)\n"
        "  --format FMT        text, html or auto (default: html for *.html,\n"
        "                      *.htm and text that starts as HTML, else text)\n"
        "  --max-html-tags N[KMG] refuse HTML with more tags (default 100,000\n"
        "                      plus one per 400 bytes: bounds gumbo's memory)\n"
        "  --max-html-size N[KMG] refuse larger HTML (default 20M: gumbo's\n"
        "                      tree takes ~5.7 bytes per byte of the page)\n"
        "  --lang LANG         en, fr, nl or auto (default auto)\n"
        "  --replace-invalid   read invalid UTF-8 bytes (each run as one "
        "U+FFFD)\n"
        "                      instead of failing\n"
        "  --rules PATH        rule directory or file (default: $GDPRX_RULES,\n"
        "                      else the first that exists of "
        "../share/gdprx/rules\n"
        "                      next to this program, the checkout's "
        "rules/ for a\n"
        "                      program in its build tree, and the installed "
        "rule set)\n"
        "  --types LIST        only these types or type.subtype, "
        "comma-separated\n"
        "  --                  what follows is a PATH, even if it starts with "
        "-\n"
        "batch:\n"
        "  -j, --jobs N        analyze N documents at a time, and load the "
        "rules with\n"
        "                      up to N threads (default: the CPUs)\n"
        "  --unordered         print each document when done, not in input "
        "order\n"
        "  --stats             print the summary line on stderr even when it "
        "is not\n"
        "                      a terminal\n"
        "output (each document's output is written whole, with one write):\n"
        "  --json              one JSON object (output contract, schema 1); "
        "one PATH\n"
        "  --jsonl             one JSON object per line and document, with "
        "\"doc\";\n"
        "                      a failed document gives {\"doc\",\"error\":"
        "{\"code\",\"message\"}}\n"
        "  --count             findings per type, one line per document\n"
        "  --context           text output: the clause under each finding\n"
        "  --no-coverage       text output: no GDPR Art. 13/14 checklist\n"
        "  --explain           text output with rule, pattern and negation "
        "cue\n"
        "  --segments          text output of the headings, paragraphs and "
        "clauses\n"
        "report:\n"
        "  -o, --output DIR    gdprx report: write its pages into DIR\n"
        "  -h, --help, --version\n"
        "\n"
        "Text output is one line per finding, PATH:LINE:COL: type.subtype "
        "[polarity]\n"
        "attrs  \"phrase\" (COL counts bytes from 1), after a line PATH: "
        "language L,\n"
        "N findings. On a terminal, stderr shows progress and a summary line.\n"
        "\n"
        "exit status: 0 every document analyzed (with or without findings); "
        "1 a\n"
        "document could not be read or analyzed (the others still are); 2 "
        "usage\n"
        "error; 3 the rule set failed to load; 4 rule examples failed (rules "
        "test)\n",
        f);
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

/* "64M", "100k", "1G", "4096": bytes, 1 .. GDPRX_MAX_INPUT. */
static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *s == '-')
        return -1;
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'm' || *end == 'M')
        shift = 20;
    else if (*end == 'g' || *end == 'G')
        shift = 30;
    if (shift)
        end++;
    if (*end || v == 0 || v > (GDPRX_MAX_INPUT >> shift))
        return -1;
    *out = (size_t)(v << shift);
    return 0;
}

static int parse_jobs(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 1 || v > 256)
        return -1;
    *out = (int)v;
    return 0;
}

static int default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 16 ? 16 : (int)n;
}

/* A flag without a value: sets *field and returns 1, or returns 0. */
static int parse_flag(const char *a, opts *o)
{
    static const struct { const char *name; size_t off; } flags[] = {
        {"--json", offsetof(opts, json)},
        {"--jsonl", offsetof(opts, jsonl)},
        {"--segments", offsetof(opts, segments)},
        {"--context", offsetof(opts, context)},
        {"--no-coverage", offsetof(opts, no_coverage)},
        {"--count", offsetof(opts, count)},
        {"-r", offsetof(opts, recursive)},
        {"--recursive", offsetof(opts, recursive)},
        {"--unordered", offsetof(opts, unordered)},
        {"--stats", offsetof(opts, stats)}};
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        if (!strcmp(a, flags[i].name)) {
            *(int *)((char *)o + flags[i].off) = 1;
            return 1;
        }
    if (!strcmp(a, "--explain")) {
        o->explain = 1;
        o->ao.flags |= GDPRX_OPT_EXPLAIN;
        return 1;
    }
    if (!strcmp(a, "--replace-invalid")) {
        o->ao.flags |= GDPRX_OPT_REPLACE_INVALID;
        return 1;
    }
    return 0;
}

static int bad_value(const char *opt, const char *what)
{
    fprintf(stderr, "gdprx: %s %s\n", opt, what);
    return EXIT_USAGE;
}

/* An option with a value v. Returns 1 when taken, 0 when a is no such
 * option, or -EXIT_USAGE for a bad value. */
static int parse_valued(const char *a, const char *v, opts *o)
{
    if (!strcmp(a, "--rules"))
        o->rules = v;
    else if (!strcmp(a, "--types"))
        o->ao.types = v;
    else if (!strcmp(a, "--files-from"))
        o->files_from = v;
    else if (!strcmp(a, "-g") || !strcmp(a, "--glob"))
        o->globs[o->nglobs++] = v;
    else if (!strcmp(a, "--exclude"))
        o->excludes[o->nexcludes++] = v;
    else if (!strcmp(a, "--format")) {
        static const char *const fmts[] = {"auto", "text", "html"};
        int k = 0;
        while (k < 3 && strcmp(v, fmts[k]))
            k++;
        if (k == 3)
            return -bad_value(a, "must be text, html or auto");
        o->ao.format = (gdprx_format)k;
    } else if (!strcmp(a, "--lang")) {
        if (parse_lang(v, &o->ao.lang) != 0)
            return -bad_value(a, "must be en, fr, nl or auto");
    } else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
        if (parse_jobs(v, &o->jobs) != 0)
            return -bad_value(a, "must be a number from 1 to 256");
    } else if (!strcmp(a, "--max-size")) {
        if (parse_size(v, &o->max_size) != 0)
            return -bad_value(a, "must be N, NK, NM or NG, from 1 byte to 2G-1");
    } else if (!strcmp(a, "--stream-above")) {
        if (parse_size(v, &o->stream_above) != 0)
            return -bad_value(a, "must be N, NK, NM or NG, from 1 byte to 2G-1");
    } else if (!strcmp(a, "--chunk-size")) {
        if (parse_size(v, &o->ao.chunk_size) != 0)
            return -bad_value(a, "must be N, NK, NM or NG, from 1 byte to 2G-1");
    } else if (!strcmp(a, "--max-html-tags")) {
        if (parse_size(v, &o->ao.max_html_tags) != 0)
            return -bad_value(a, "must be N, NK, NM or NG, from 1 to 2G-1");
    } else if (!strcmp(a, "--max-html-size")) {
        if (parse_size(v, &o->ao.max_html_size) != 0)
            return -bad_value(a, "must be N, NK, NM or NG, from 1 byte to 2G-1");
    } else
        return 0;
    return 1;
}

/* Options that end the run: --help, --version. Returns 1 when a is one. */
static int parse_final(const char *a)
{
    if (!strcmp(a, "--version")) {
        printf("gdprx %s\n", gdprx_version_string());
        return 1;
    }
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
        usage(stdout);
        return 1;
    }
    return 0;
}

static int check_args(const opts *o, const char **paths, int *npaths)
{
    if (o->json && o->jsonl)
        return bad_value("--json", "and --jsonl exclude each other");
    if (!*npaths && !o->files_from)
        paths[(*npaths)++] = "-";
    for (int i = 0; o->files_from && i < *npaths; i++)
        if (!strcmp(o->files_from, "-") && !strcmp(paths[i], "-"))
            return bad_value("--files-from -", "reads stdin: no PATH can be -");
    return -1;
}

int parse_args(int argc, char **argv, opts *o, const char **paths,
               int *npaths)
{
    o->jobs = default_jobs();
    o->max_size = DEFAULT_MAX_SIZE;
    o->stream_above = DEFAULT_STREAM_ABOVE;
    int only_paths = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_paths || a[0] != '-' || !a[1]) {
            paths[(*npaths)++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            only_paths = 1;
            continue;
        }
        if (parse_flag(a, o))
            continue;
        if (parse_final(a))
            return EXIT_OK;
        if (!strncmp(a, "-j", 2) && a[2] && a[2] != '-') {
            if (parse_valued("-j", a + 2, o) < 0)
                return EXIT_USAGE;
            continue;
        }
        int took = i + 1 < argc ? parse_valued(a, argv[i + 1], o) : 0;
        if (took < 0)
            return EXIT_USAGE;
        if (took) {
            i++;
            continue;
        }
        fprintf(stderr, "gdprx: unknown or incomplete option '%s'\n", a);
        usage(stderr);
        return EXIT_USAGE;
    }
    return check_args(o, paths, npaths);
}

const char *cli_opt_value(int argc, char **argv, int *i, const char *name)
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
