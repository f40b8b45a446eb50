/* SPDX-License-Identifier: MIT */
/* The gdprx tool's shared declarations: options (cli_args.c), the list of
 * documents to analyze (input.c), one document's output (output.c) and the
 * threaded batch that ties them (batch.c). */
#ifndef GDPRX_CLI_H
#define GDPRX_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "gdprx.h"

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_RULES = 3,
       EXIT_EXAMPLES = 4 };

#define DEFAULT_MAX_SIZE ((size_t)64 << 20) /* --max-size default: 64 MiB */
/* --stream-above default: a larger document in a JSON mode is analyzed as
 * its record is written (gdprx_analyze_write_json), in pieces, not
 * formatted whole first: its findings and record are never all in memory. */
#define DEFAULT_STREAM_ABOVE ((size_t)1 << 20) /* 1 MiB */

typedef struct opts {
    const char *rules;      /* --rules, or NULL: the default set (borrowed) */
    const char *files_from; /* --files-from FILE or "-", or NULL (borrowed) */
    int json, jsonl, explain, segments, context, no_coverage, count;
    int recursive, unordered, stats;
    int jobs;               /* worker threads, >= 1 */
    size_t max_size;        /* bytes; a larger document is an error */
    size_t stream_above;    /* bytes; see DEFAULT_STREAM_ABOVE */
    gdprx_options ao;       /* ao.types is borrowed from argv */
    const char **globs;     /* --glob patterns, [0..nglobs) (array owned
                               by main, strings borrowed from argv) */
    const char **excludes;  /* --exclude patterns, likewise */
    int nglobs, nexcludes;
} opts;

/* ---- cli_args.c ---- */

void usage(FILE *f);

/* Parse the analysis options into o and the paths into paths[] (which has
 * room for argc entries; the strings are argv's). Returns -1 to go on, else
 * the exit status (--help, --version, a usage error). */
int parse_args(int argc, char **argv, opts *o, const char **paths,
               int *npaths);

/* ---- input.c ---- */

/* One document to analyze, in input order. */
typedef struct job {
    char *path;             /* owned; "-" is stdin */
    const char *err_code;   /* static; non-NULL when the walk already failed
                               for this path (an unreadable directory) */
    char *err_msg;          /* owned; the message for err_code */
    long long size;         /* bytes as stat() saw them, or -1 */
} job;

typedef struct joblist {
    job *v;                 /* owned, v[0..n) */
    size_t n, cap;
} joblist;

/* The documents named by paths[] then by --files-from, directories walked
 * with -r (sorted by name, hidden entries, loops and entries filtered out
 * by --glob/--exclude skipped; a named file is never filtered).
 * Returns EXIT_OK, EXIT_INPUT (--files-from unreadable) or EXIT_USAGE (out
 * of memory is reported as EXIT_INPUT). Ownership: *out is the caller's;
 * release it with jobs_free(). */
int jobs_collect(joblist *out, const opts *o, const char *const *paths,
                 int npaths);
void jobs_free(joblist *jl);

/* Why a document could not be read. */
typedef struct read_error {
    const char *code;       /* static: "io", "is_directory", "too_large",
                               "nomem" */
    char message[600];      /* names the document */
} read_error;

/* Read the whole document at path ("-": stdin) without ever holding more
 * than max + 1 bytes. Returns 0, or -1 with *e filled.
 * Ownership: *text (NUL-terminated, *len bytes before it) is the caller's;
 * free() it. */
int doc_read(char **text, size_t *len, const char *path, size_t max,
             read_error *e);

/* ---- output.c ---- */

/* What one document produced: the bytes for stdout and for stderr, each
 * written with one write(2) call, and its figures. */
typedef struct doc_out {
    char *out, *err;        /* owned, may be NULL; free() */
    size_t out_len, err_len;
    int failed;             /* 1 when the document gave an error */
    size_t findings;
    size_t bytes;           /* bytes read */
    char *text;             /* owned, or NULL: a document whose JSON record
                               is written as it is analyzed (stream_result),
                               when its turn to be written comes */
} doc_out;

/* The options of one document: ao, with HTML for a name ending in .html or
 * .htm unless --format said otherwise, and no segments kept unless
 * --segments prints them. */
gdprx_options doc_options(const opts *o, const char *name);

/* Format the analysis of `text` (name is the path shown) as o asks.
 * Returns 0, or -1 when out of memory. */
int format_result(doc_out *d, const char *name, const gdprx_result *r,
                  const char *text, const gdprx_rules *rules, const opts *o);

/* --count: analyze `text` streamed (no finding kept) and format its count
 * line into d. Returns the library's status (an error is not formatted). */
int count_streamed(doc_out *d, const char *name, const char *text,
                   size_t len, const gdprx_rules *rules, const opts *o,
                   gdprx_error *err);

/* JSON modes: analyze d->text and write its record to fd as the findings
 * come, in pieces (--stream-above). Returns the library's status; on failure
 * a record that was begun is ended with a newline, and err says why (the
 * caller formats the error record). Sets d->findings. */
int stream_result(doc_out *d, const char *name, const gdprx_rules *rules,
                  const opts *o, int fd, gdprx_error *err);

/* Format an error record (JSON modes, on stdout) and the message on stderr.
 * Returns 0, or -1 when out of memory. */
int format_error(doc_out *d, const char *name, const char *code,
                 const char *message, const opts *o);

void doc_out_free(doc_out *d);

/* Write all of buf to fd with as few write(2) calls as the fd allows: one
 * for a regular file, so that records appended by several processes never
 * mix. Returns 0, or -1 with errno set. */
int write_all(int fd, const char *buf, size_t len);

/* ---- rules_path.c ---- */

/* The rule set to load: `given` (--rules) if not NULL, else $GDPRX_RULES
 * if set, else the first directory that exists of: ../share/gdprx/rules
 * relative to the executable (a relocated install), this checkout's rules/
 * (only for a tool run from its build directory), and the installation
 * prefix's. Returns EXIT_OK, or EXIT_RULES after printing every place
 * looked at. Ownership: *out is the caller's; free() it. */
int rules_locate(char **out, const char *given);

/* ---- batch.c ---- */

/* Analyze every job with `rules` on o->jobs threads, writing each
 * document's output whole, in input order unless o->unordered.
 * Returns EXIT_OK, or EXIT_INPUT when a document failed. */
int batch_run(const gdprx_rules *rules, const joblist *jobs, const opts *o);

/* ---- cmd_diff.c ---- */

/* gdprx diff [options] OLD NEW (argv after "diff"). Returns the exit
 * status: 0 equal, 1 different, 2 trouble, 3 rules failed to load. */
int cmd_diff(int argc, char **argv);

/* ---- cmd_report.c ---- */

/* gdprx report [options] FILE... -o DIR (argv after "report"): one HTML
 * page per policy and DIR/index.html. Returns the exit status: 0, 1 a
 * policy failed or a page could not be written, 2 usage, 3 rules. */
int cmd_report(int argc, char **argv);

/* A subcommand's option with a value: "--name V" or "--name=V". Returns
 * the value (advancing *i past it), or NULL when argv[*i] is not this
 * option. Ownership: the value is argv's. */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name);

#endif
