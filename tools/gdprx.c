/* SPDX-License-Identifier: MIT */
/* gdprx: the command-line tool. Analyzes policies (files, directory trees,
 * lists of paths, stdin) on worker threads and prints findings as text,
 * JSON or JSON Lines; lists, checks and tests rule sets; shows normalized
 * text. Exit codes are listed in usage() (cli_args.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Load `given` (--rules or NULL: the default set, see rules_locate()) with
 * up to `threads` threads (0: the library's default).
 * Ownership: *rules is the caller's; *used (the path loaded) too, free() it;
 * used may be NULL. */
static int load_rules(gdprx_rules **rules, const char *given, char **used,
                      int threads)
{
    char *path = NULL;
    int rc = rules_locate(&path, given);
    if (rc)
        return rc;
    gdprx_error err;
    gdprx_rules_options ropts;
    gdprx_rules_options_init(&ropts);
    ropts.threads = threads > 0 ? (size_t)threads : 0;
    if (gdprx_rules_load_opts(rules, path, &ropts, &err) != GDPRX_OK) {
        /* say where the path came from when the user did not type it */
        const char *env = getenv("GDPRX_RULES");
        fprintf(stderr, "gdprx: %s%s\n", err.message,
                !given && env && strcmp(env, path) == 0
                    ? " (the rule set named by $GDPRX_RULES; --rules PATH "
                      "overrides it)"
                    : "");
        free(path);
        return EXIT_RULES;
    }
    if (used)
        *used = path;
    else
        free(path);
    return EXIT_OK;
}

/* One line per rule: id, type.subtype, languages, articles. */
static void rules_list(const gdprx_rules *rules)
{
    for (size_t i = 0; i < gdprx_rules_count(rules); i++) {
        const gdprx_rule_info *r = gdprx_rules_get(rules, i);
        char label[128], langs[16] = "";
        snprintf(label, sizeof label, "%s.%s", r->type, r->subtype);
        for (int l = 0; l < 3; l++)
            if (r->langs & (1u << l))
                snprintf(langs + strlen(langs), sizeof langs - strlen(langs),
                         "%s%s", *langs ? "," : "",
                         gdprx_lang_code((gdprx_lang)(l + 1)));
        printf("%-44s %-36s %-9s", r->id, label, langs);
        for (size_t k = 0; k < r->n_articles; k++)
            printf("%s%s", k ? "," : "", r->articles[k]);
        putchar('\n');
    }
}

static int rules_check(const gdprx_rules *rules, const char *path)
{
    for (size_t i = 0; i < gdprx_rules_warning_count(rules); i++)
        printf("warning: %s\n", gdprx_rules_warning(rules, i));
    printf("%s: %zu rules compiled, %zu warnings\n",
           path, gdprx_rules_count(rules),
           gdprx_rules_warning_count(rules));
    return EXIT_OK;
}

static int rules_test(const gdprx_rules *rules, int verbose)
{
    char *report = NULL;
    size_t failed = 0;
    gdprx_error err;
    if (gdprx_rules_test(&report, &failed, rules, verbose, &err) !=
        GDPRX_OK) {
        fprintf(stderr, "gdprx: %s\n", err.message);
        return EXIT_RULES;
    }
    fputs(report, stdout);
    gdprx_free(report);
    return failed ? EXIT_EXAMPLES : EXIT_OK;
}

static int cmd_rules(int argc, char **argv)
{
    static const char *const cmds[] = {"list", "check", "test"};
    int cmd = -1, verbose = 0;
    for (int k = 0; argc > 0 && k < 3; k++)
        if (!strcmp(argv[0], cmds[k]))
            cmd = k;
    if (cmd < 0) {
        fprintf(stderr, "gdprx: unknown command 'rules %s'\n",
                argc > 0 ? argv[0] : "");
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (cmd == 2 && (!strcmp(argv[i], "-v") ||
                         !strcmp(argv[i], "--verbose")))
            verbose = 1;
        else if (!path && argv[i][0] != '-')
            path = argv[i];
        else {
            fprintf(stderr, "gdprx: unexpected argument '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    gdprx_rules *rules;
    char *used = NULL;
    int rc = load_rules(&rules, path, &used, 0);
    if (rc)
        return rc;
    if (cmd == 0)
        rules_list(rules);
    rc = cmd == 1 ? rules_check(rules, used)
         : cmd == 2 ? rules_test(rules, verbose)
                    : EXIT_OK;
    gdprx_rules_free(rules);
    free(used);
    return rc;
}

static int cmd_normalize(int argc, char **argv)
{
    const char *path = argc > 0 ? argv[0] : "-";
    size_t len = 0;
    char *text;
    read_error e;
    if (doc_read(&text, &len, path, DEFAULT_MAX_SIZE, &e) != 0) {
        fprintf(stderr, "gdprx: %s\n", e.message);
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

/* Options that would fail on every document (an unknown type) are a usage
 * error, found once on an empty text. */
static int check_options(const gdprx_rules *rules, const opts *o)
{
    gdprx_result *r = NULL;
    gdprx_error err;
    int rc = gdprx_analyze(&r, rules, "", 0, &o->ao, &err);
    gdprx_result_free(r);
    if (rc == GDPRX_EINVAL) {
        fprintf(stderr, "gdprx: %s\n", err.message);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* Load the rules once, list the documents, analyze them in a batch. */
static int analyze(const opts *o, const char *const *paths, int npaths)
{
    joblist jobs;
    int rc = jobs_collect(&jobs, o, paths, npaths);
    if (rc)
        return rc;
    gdprx_rules *rules = NULL;
    if (o->json && jobs.n != 1) {
        fprintf(stderr, "gdprx: --json prints one document (%zu given); use "
                        "--jsonl for several\n", jobs.n);
        rc = EXIT_USAGE;
    } else if (!(rc = load_rules(&rules, o->rules, NULL, o->jobs)) &&
               !(rc = check_options(rules, o))) {
        rc = batch_run(rules, &jobs, o);
    }
    gdprx_rules_free(rules);
    jobs_free(&jobs);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "rules"))
        return cmd_rules(argc - 2, argv + 2);
    if (argc > 1 && !strcmp(argv[1], "normalize"))
        return cmd_normalize(argc - 2, argv + 2);
    if (argc > 1 && !strcmp(argv[1], "diff"))
        return cmd_diff(argc - 2, argv + 2);
    if (argc > 1 && !strcmp(argv[1], "report"))
        return cmd_report(argc - 2, argv + 2);
    opts o;
    memset(&o, 0, sizeof o);
    gdprx_options_init(&o.ao);
    /* Each has room for every argument (owned here; strings are argv's). */
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    o.globs = calloc((size_t)argc + 1, sizeof *o.globs);
    o.excludes = calloc((size_t)argc + 1, sizeof *o.excludes);
    int rc = EXIT_INPUT;
    if (paths && o.globs && o.excludes) {
        int npaths = 0;
        rc = parse_args(argc, argv, &o, paths, &npaths);
        if (rc < 0)
            rc = analyze(&o, paths, npaths);
    } else {
        fprintf(stderr, "gdprx: out of memory\n");
    }
    free(paths);
    free(o.globs);
    free(o.excludes);
    return rc;
}
