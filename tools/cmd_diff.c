/* SPDX-License-Identifier: MIT */
/* gdprx diff OLD NEW: analyzes two versions of a policy with one rule set
 * and prints the findings added, removed and changed (gdprx_diff()) as
 * text or JSON. Exit status as diff(1): 0 equal, 1 different, 2 trouble
 * (usage, unreadable or invalid input), 3 the rule set failed to load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { DIFF_EQUAL = 0, DIFF_DIFFERENT = 1, DIFF_TROUBLE = 2 };

typedef struct diff_opts {
    const char *rules;    /* borrowed from argv, or NULL */
    const char *paths[2]; /* OLD and NEW, borrowed from argv */
    int json;
    gdprx_options ao;     /* ao.types borrowed from argv */
    gdprx_diff_options dopts;
} diff_opts;

/* One version: its text, line starts and analysis. */
typedef struct version {
    const char *path;     /* borrowed */
    char *text;           /* owned (doc_read) */
    size_t len;
    size_t *lines;        /* owned: byte offset of each line's start */
    size_t n_lines;
    gdprx_result *res;    /* owned */
} version;

static void diff_usage(FILE *f)
{
    fputs("usage: gdprx diff [options] OLD NEW\n"
          "  compare the findings of two versions of a policy, paired by "
          "label and\n"
          "  content (not by position): + added, - removed, ~ changed "
          "(polarity,\n"
          "  duration, age, e-mail, section)\n"
          "  --json               one JSON object\n"
          "  --types LIST         only these types or type.subtype, "
          "comma-separated\n"
          "  --lang LANG          en, fr, nl or auto (default auto)\n"
          "  --rules PATH         rule directory or file\n"
          "  --min-similarity X   pairing threshold of reworded findings, "
          "0 < X <= 1\n"
          "                       (default 0.5)\n"
          "  --replace-invalid    read invalid UTF-8 bytes as U+FFFD\n"
          "exit status: 0 the versions state the same, 1 they differ, 2 "
          "trouble\n"
          "(usage, input), 3 the rule set failed to load\n",
          f);
}

static int parse_lang(gdprx_lang *out, const char *s)
{
    static const char *const codes[] = {"auto", "en", "fr", "nl"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, codes[i])) {
            *out = (gdprx_lang)i;
            return 0;
        }
    return -1;
}

static int parse_one(diff_opts *o, int argc, char **argv, int *i, int *np)
{
    const char *a = argv[*i], *v;
    char *end;
    if (!strcmp(a, "--json"))
        o->json = 1;
    else if (!strcmp(a, "--replace-invalid"))
        o->ao.flags |= GDPRX_OPT_REPLACE_INVALID;
    else if ((v = cli_opt_value(argc, argv, i, "--types")))
        o->ao.types = v;
    else if ((v = cli_opt_value(argc, argv, i, "--rules")))
        o->rules = v;
    else if ((v = cli_opt_value(argc, argv, i, "--lang"))) {
        if (parse_lang(&o->ao.lang, v) != 0)
            return fprintf(stderr, "gdprx: unknown language '%s'\n", v), -1;
    } else if ((v = cli_opt_value(argc, argv, i, "--min-similarity"))) {
        o->dopts.min_similarity = strtod(v, &end);
        if (*end || !(o->dopts.min_similarity > 0.0 &&
                      o->dopts.min_similarity <= 1.0))
            return fprintf(stderr, "gdprx: --min-similarity: '%s' is not in "
                                   "(0, 1]\n", v), -1;
    } else if ((a[0] != '-' || !a[1]) && *np < 2)
        o->paths[(*np)++] = a;
    else
        return fprintf(stderr, "gdprx: diff: unexpected argument '%s'\n", a),
               -1;
    return 0;
}

/* Returns -1 to go on, else an exit status. */
static int parse_diff_args(diff_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    gdprx_options_init(&o->ao);
    gdprx_diff_options_init(&o->dopts);
    int np = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            diff_usage(stdout);
            return DIFF_EQUAL;
        }
        if (!strcmp(argv[i], "--")) {
            while (++i < argc && np < 2)
                o->paths[np++] = argv[i];
            if (i < argc)
                return fprintf(stderr, "gdprx: diff: too many paths\n"),
                       DIFF_TROUBLE;
            break;
        }
        if (parse_one(o, argc, argv, &i, &np) != 0)
            return DIFF_TROUBLE;
    }
    if (np != 2) {
        fprintf(stderr, "gdprx: diff needs two paths, OLD and NEW\n");
        diff_usage(stderr);
        return DIFF_TROUBLE;
    }
    return -1;
}

/* ---- the two versions --------------------------------------------------- */

static int index_lines(version *v)
{
    size_t n = 1;
    for (const char *p = v->text; (p = memchr(p, '\n',
                                              (size_t)(v->text + v->len - p)));
         p++)
        n++;
    v->lines = malloc(n * sizeof *v->lines);
    if (!v->lines)
        return -1;
    v->lines[0] = 0;
    v->n_lines = 1;
    for (size_t i = 0; i < v->len; i++)
        if (v->text[i] == '\n')
            v->lines[v->n_lines++] = i + 1;
    return 0;
}

/* Line (from 1) of byte offset `off`. */
static size_t line_of(const version *v, size_t off)
{
    size_t lo = 0, hi = v->n_lines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo + 1;
}

static int load_version(version *v, const char *path,
                        const gdprx_rules *rules, const gdprx_options *ao)
{
    read_error re;
    gdprx_error err;
    v->path = path;
    if (doc_read(&v->text, &v->len, path, DEFAULT_MAX_SIZE, &re) != 0) {
        fprintf(stderr, "gdprx: %s\n", re.message);
        return DIFF_TROUBLE;
    }
    if (index_lines(v) != 0) {
        fprintf(stderr, "gdprx: out of memory\n");
        return DIFF_TROUBLE;
    }
    if (gdprx_analyze(&v->res, rules, v->text, v->len, ao, &err) !=
        GDPRX_OK) {
        fprintf(stderr, "gdprx: %s: %s\n", path, err.message);
        return DIFF_TROUBLE;
    }
    return -1;
}

static void version_free(version *v)
{
    gdprx_result_free(v->res);
    free(v->text);
    free(v->lines);
}

/* ---- text output ------------------------------------------------------ */

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

static const char *polarity(const gdprx_finding *x)
{
    return x->polarity == GDPRX_NEGATED ? "negated" : "affirmed";
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

static void put_section(FILE *f, const gdprx_finding *x)
{
    if (x->section) {
        fputs(" (section ", f);
        put_quoted(f, x->section, strlen(x->section));
        fputc(')', f);
    }
}

/* "+ 12: label [polarity] attrs  "text" (section "...")" */
static void put_one(FILE *f, char sign, const version *v,
                    const gdprx_finding *x)
{
    fprintf(f, "%c %zu: %s.%s [%s]", sign, line_of(v, x->start), x->type,
            x->subtype, polarity(x));
    put_attrs(f, x);
    fputs("  ", f);
    put_quoted(f, x->text, x->end - x->start);
    put_section(f, x);
    fputc('\n', f);
}

static const char *or_none(const char *s) { return s ? s : "none"; }

static void put_duration(FILE *f, const gdprx_finding *x)
{
    fputs(or_none(x->duration), f);
    if (x->duration_max)
        fprintf(f, "..%s", x->duration_max);
}

/* The changes of a pair: "polarity affirmed -> negated; duration P2Y ->
 * P3Y; ...". */
static void put_changes(FILE *f, const gdprx_diff_entry *e)
{
    const gdprx_finding *a = e->old_finding, *b = e->new_finding;
    const char *sep = "";
    if (e->changes & GDPRX_DIFF_POLARITY)
        fprintf(f, "%spolarity %s -> %s", sep, polarity(a), polarity(b)),
            sep = "; ";
    if (e->changes & GDPRX_DIFF_DURATION) {
        fprintf(f, "%sduration ", sep);
        put_duration(f, a);
        fputs(" -> ", f);
        put_duration(f, b);
        sep = "; ";
    }
    if (e->changes & GDPRX_DIFF_AGE)
        fprintf(f, "%sage %d -> %d", sep, a->age, b->age), sep = "; ";
    if (e->changes & GDPRX_DIFF_EMAIL)
        fprintf(f, "%semail %s -> %s", sep, or_none(a->email),
                or_none(b->email)), sep = "; ";
    if (e->changes & GDPRX_DIFF_SECTION) {
        fprintf(f, "%ssection ", sep);
        put_quoted(f, a->section ? a->section : "", a->section ?
                   strlen(a->section) : 0);
        fputs(" -> ", f);
        put_quoted(f, b->section ? b->section : "", b->section ?
                   strlen(b->section) : 0);
    }
}

/* "~ 10 -> 12: label: changes  "new text" (was "old text")" */
static void put_changed(FILE *f, const version *v, const gdprx_diff_entry *e)
{
    const gdprx_finding *a = e->old_finding, *b = e->new_finding;
    fprintf(f, "~ %zu -> %zu: %s.%s: ", line_of(&v[0], a->start),
            line_of(&v[1], b->start), b->type, b->subtype);
    put_changes(f, e);
    fputs("  ", f);
    put_quoted(f, b->text, b->end - b->start);
    if (a->end - a->start != b->end - b->start ||
        memcmp(a->text, b->text, a->end - a->start)) {
        fputs(" (was ", f);
        put_quoted(f, a->text, a->end - a->start);
        fputc(')', f);
    }
    if (!(e->changes & GDPRX_DIFF_SECTION))
        put_section(f, b);
    fputc('\n', f);
}

static void count_kinds(const gdprx_diff_result *d, size_t n[4])
{
    n[0] = n[1] = n[2] = n[3] = 0;
    for (size_t i = 0; i < gdprx_diff_count(d); i++)
        n[gdprx_diff_get(d, i)->kind]++;
}

static void put_header(FILE *f, const char *mark, const version *v)
{
    const char *lang = gdprx_lang_code(gdprx_result_lang(v->res));
    size_t n = gdprx_result_count(v->res);
    fprintf(f, "%s %s (%s, %zu finding%s)\n", mark, v->path,
            *lang ? lang : "unknown", n, n == 1 ? "" : "s");
}

static void put_text(FILE *f, const version *v, const gdprx_diff_result *d)
{
    put_header(f, "---", &v[0]);
    put_header(f, "+++", &v[1]);
    for (size_t i = 0; i < gdprx_diff_count(d); i++) {
        const gdprx_diff_entry *e = gdprx_diff_get(d, i);
        if (e->kind == GDPRX_DIFF_CHANGED)
            put_changed(f, v, e);
        else if (e->kind == GDPRX_DIFF_ADDED)
            put_one(f, '+', &v[1], e->new_finding);
        else
            put_one(f, '-', &v[0], e->old_finding);
    }
    size_t n[4];
    count_kinds(d, n);
    fprintf(f, "%zu added, %zu removed, %zu changed\n", n[GDPRX_DIFF_ADDED],
            n[GDPRX_DIFF_REMOVED], n[GDPRX_DIFF_CHANGED]);
}

/* ---- JSON output ------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (at most `left` bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
    size_t n = s[0] >= 0xF0 && s[0] <= 0xF4   ? 4
               : s[0] >= 0xE0                 ? 3
               : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
                                              : 0;
    if (n > left)
        return 0;
    for (size_t k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return n;
}

static void put_json_strn(FILE *f, const char *s, size_t len)
{
    fputc('"', f);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c >= 0x80 ? utf8_len((const unsigned char *)s + i,
                                        len - i) : 1;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else if (n == 0)
            fputs("\\ufffd", f);
        else
            fwrite(s + i, 1, n, f);
        i += n ? n : 1;
    }
    fputc('"', f);
}

static void put_json_str(FILE *f, const char *s)
{
    if (s)
        put_json_strn(f, s, strlen(s));
    else
        fputs("null", f);
}

static void put_json_finding(FILE *f, const version *v, size_t index,
                             const gdprx_finding *x)
{
    size_t line = line_of(v, x->start);
    fprintf(f, "{\"index\":%zu,\"line\":%zu,\"column\":%zu,\"start\":%zu,"
               "\"end\":%zu,\"polarity\":\"%s\",\"rule\":",
            index, line, x->start - v->lines[line - 1] + 1, x->start, x->end,
            polarity(x));
    put_json_str(f, x->rule_id);
    fputs(",\"attrs\":{", f);
    const char *sep = "";
    if (x->duration)
        fputs("\"duration\":", f), put_json_str(f, x->duration), sep = ",";
    if (x->duration_max)
        fprintf(f, "%s\"duration_max\":", sep),
            put_json_str(f, x->duration_max), sep = ",";
    if (x->age >= 0)
        fprintf(f, "%s\"age\":%d", sep, x->age), sep = ",";
    if (x->email)
        fprintf(f, "%s\"email\":", sep), put_json_str(f, x->email);
    fputs("},\"section\":", f);
    put_json_str(f, x->section);
    fputs(",\"text\":", f);
    put_json_strn(f, x->text, x->end - x->start);
    fputc('}', f);
}

static void put_json_changes(FILE *f, unsigned changes)
{
    static const char *const names[] = {"polarity", "duration", "age",
                                        "email", "section"};
    fputc('[', f);
    for (unsigned k = 0, first = 1; k < 5; k++)
        if (changes & (1u << k)) {
            fprintf(f, "%s\"%s\"", first ? "" : ",", names[k]);
            first = 0;
        }
    fputc(']', f);
}

static void put_json_entry(FILE *f, const version *v,
                           const gdprx_diff_entry *e)
{
    static const char *const kinds[] = {"", "added", "removed", "changed"};
    const gdprx_finding *x = e->new_finding ? e->new_finding : e->old_finding;
    fprintf(f, "{\"kind\":\"%s\",\"type\":", kinds[e->kind]);
    put_json_str(f, x->type);
    fputs(",\"subtype\":", f);
    put_json_str(f, x->subtype);
    fputs(",\"changes\":", f);
    put_json_changes(f, e->changes);
    fprintf(f, ",\"similarity\":%.3f,\"old\":", e->similarity);
    if (e->old_finding)
        put_json_finding(f, &v[0], e->old_index, e->old_finding);
    else
        fputs("null", f);
    fputs(",\"new\":", f);
    if (e->new_finding)
        put_json_finding(f, &v[1], e->new_index, e->new_finding);
    else
        fputs("null", f);
    fputc('}', f);
}

static void put_json_version(FILE *f, const version *v)
{
    fputs("{\"path\":", f);
    put_json_str(f, v->path);
    fprintf(f, ",\"lang\":\"%s\",\"findings\":%zu}",
            gdprx_lang_code(gdprx_result_lang(v->res)),
            gdprx_result_count(v->res));
}

static void put_json(FILE *f, const version *v, const gdprx_diff_result *d)
{
    size_t n[4];
    count_kinds(d, n);
    fputs("{\"old\":", f);
    put_json_version(f, &v[0]);
    fputs(",\"new\":", f);
    put_json_version(f, &v[1]);
    fprintf(f, ",\"equal\":%s,\"added\":%zu,\"removed\":%zu,"
               "\"changed\":%zu,\"entries\":[",
            gdprx_diff_count(d) ? "false" : "true", n[GDPRX_DIFF_ADDED],
            n[GDPRX_DIFF_REMOVED], n[GDPRX_DIFF_CHANGED]);
    for (size_t i = 0; i < gdprx_diff_count(d); i++) {
        if (i)
            fputc(',', f);
        put_json_entry(f, v, gdprx_diff_get(d, i));
    }
    fputs("]}\n", f);
}

/* ---- the command ------------------------------------------------------- */

static int compare(const diff_opts *o, const gdprx_rules *rules)
{
    version v[2];
    memset(v, 0, sizeof v);
    gdprx_diff_result *d = NULL;
    gdprx_error err;
    int rc = -1;
    for (int k = 0; k < 2 && rc < 0; k++)
        rc = load_version(&v[k], o->paths[k], rules, &o->ao);
    if (rc < 0 && gdprx_diff(&d, v[0].res, v[1].res, &o->dopts, &err) !=
                      GDPRX_OK) {
        fprintf(stderr, "gdprx: diff: %s\n", err.message);
        rc = DIFF_TROUBLE;
    }
    if (rc < 0) {
        if (o->json)
            put_json(stdout, v, d);
        else
            put_text(stdout, v, d);
        rc = gdprx_diff_count(d) ? DIFF_DIFFERENT : DIFF_EQUAL;
        if (fflush(stdout) != 0)
            rc = DIFF_TROUBLE;
    }
    gdprx_diff_free(d);
    version_free(&v[0]);
    version_free(&v[1]);
    return rc;
}

int cmd_diff(int argc, char **argv)
{
    diff_opts o;
    int rc = parse_diff_args(&o, argc, argv);
    if (rc >= 0)
        return rc;
    gdprx_rules *rules;
    gdprx_error err;
    if (gdprx_rules_load(&rules, o.rules, &err) != GDPRX_OK) {
        fprintf(stderr, "gdprx: %s\n", err.message);
        return EXIT_RULES;
    }
    /* an unknown --types entry fails on any text: a usage error */
    gdprx_result *probe = NULL;
    if (gdprx_analyze(&probe, rules, "", 0, &o.ao, &err) != GDPRX_OK) {
        fprintf(stderr, "gdprx: %s\n", err.message);
        rc = DIFF_TROUBLE;
    } else {
        rc = compare(&o, rules);
    }
    gdprx_result_free(probe);
    gdprx_rules_free(rules);
    return rc;
}
