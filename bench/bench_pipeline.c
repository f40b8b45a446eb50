/* SPDX-License-Identifier: MIT */
/* Benchmark of the whole pipeline: rule-set load time, throughput over an
 * input of repeated documents, time per stage (gx_analyze's timing hook plus
 * JSON output), findings, peak RSS; or, with --threads N, the throughput of N
 * threads sharing one rule set against 1 thread; or, with --load T, only
 * the rule-set loads, with T load threads (gdprx_rules_options.threads; 0:
 * the default). Figures only, no checks.
 * usage: bench_pipeline [--threads N] RULES MIN_MB RUNS FILE...
 *        bench_pipeline --load T RULES */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <gdprx.h>

#include "bench_util.h"

#include "analyze.h"
#include "rules.h"

#define LOADS 5                 /* rule-set loads; the median is reported */
#define ROW_OUTPUT GX_STAGE_N   /* the JSON output row, after the stages */
#define ROW_OTHER (GX_STAGE_N + 1) /* wall time outside every stage */
#define N_ROWS (GX_STAGE_N + 2)

typedef struct doc {
    const char *text;   /* borrowed from the file buffers */
    size_t len;
} doc;

typedef struct input {
    char **files;       /* owned: one buffer per FILE */
    size_t n_files;
    doc *docs;          /* owned array; the files repeated, in order */
    size_t n_docs, bytes;
} input;

/* Rule-set load times: the median of LOADS loads in one process, and the
 * first (what a fresh process pays, a CLI run: the later loads reuse memory
 * the process already has and fault no pages in). */
typedef struct load_times {
    double median_ms, first_ms;
} load_times;

typedef struct run {    /* one pass over the whole input */
    double wall_ns;     /* everything, JSON output included */
    double row_ns[N_ROWS];
    size_t findings;
} run;

typedef struct share {  /* one thread's work in --threads mode */
    const gdprx_rules *rs;
    const input *in;
    size_t first, step; /* documents first, first + step, ... */
    int rc;
} share;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts v). */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}


static void input_free(input *in)
{
    for (size_t i = 0; i < in->n_files; i++)
        free(in->files[i]);
    free(in->files);
    free(in->docs);
}

/* Reads the files, then lists them over and over until >= min_bytes. */
static int input_build(input *in, char **paths, size_t n, double min_bytes)
{
    memset(in, 0, sizeof *in);
    size_t *lens = calloc(n, sizeof *lens), total = 0;
    if (!lens || !(in->files = calloc(n, sizeof *in->files)))
        goto nomem;
    for (; in->n_files < n; in->n_files++) {
        size_t i = in->n_files;
        if (!(in->files[i] = bench_slurp(paths[i], &lens[i]))) {
            perror(paths[i]);
            goto fail;
        }
        total += lens[i];
    }
    size_t reps = 1;
    while (total && (double)(total * reps) < min_bytes)
        reps++;
    if (!(in->docs = calloc(n * reps, sizeof *in->docs)))
        goto nomem;
    for (size_t k = 0; k < n * reps; k++)
        in->docs[k] = (doc){in->files[k % n], lens[k % n]};
    in->n_docs = n * reps;
    in->bytes = total * reps;
    free(lens);
    if (in->bytes)
        return 0;
    fprintf(stderr, "the input files are empty\n");
    goto fail;
nomem:
    fprintf(stderr, "out of memory\n");
fail:
    free(lens);
    input_free(in);
    return -1;
}

/* Loads the rule set LOADS times with `threads` load threads (0: the
 * default); keeps the last. */
static int load_rules(gdprx_rules **out, const char *dir, load_times *lt,
                      size_t threads)
{
    double t[LOADS];
    gdprx_error err;
    gdprx_rules_options ro;
    gdprx_rules_options_init(&ro);
    ro.threads = threads;
    *out = NULL;
    for (int i = 0; i < LOADS; i++) {
        gdprx_rules_free(*out);
        double t0 = now_ns();
        if (gdprx_rules_load_opts(out, dir, &ro, &err) != GDPRX_OK) {
            fprintf(stderr, "%s: %s\n", dir, err.message);
            return -1;
        }
        t[i] = (now_ns() - t0) / 1e6;
    }
    lt->first_ms = t[0];
    lt->median_ms = median(t, LOADS);
    return 0;
}

/* Analyzes one document with timing, then serializes it to JSON. */
static int analyze_one(run *r, const gdprx_rules *rs, const doc *d)
{
    gdprx_error err;
    gdprx_result *res;
    gx_timing tm;
    memset(&tm, 0, sizeof tm);
    if (gx_analyze(&res, rs, d->text, d->len, NULL, NULL, &tm, NULL, &err)) {
        fprintf(stderr, "analyze: %s\n", err.message);
        return -1;
    }
    double t1 = now_ns();
    char *json;
    int rc = gdprx_result_to_json(&json, NULL, res, &err);
    double t2 = now_ns();
    if (rc == GDPRX_OK)
        gdprx_free(json);
    else
        fprintf(stderr, "json: %s\n", err.message);
    r->findings += gdprx_result_count(res);
    gdprx_result_free(res);
    for (int s = 0; s < GX_STAGE_N; s++)
        r->row_ns[s] += tm.ns[s];
    r->row_ns[ROW_OUTPUT] += t2 - t1;
    return rc == GDPRX_OK ? 0 : -1;
}

static int run_once(run *r, const gdprx_rules *rs, const input *in)
{
    memset(r, 0, sizeof *r);
    double t0 = now_ns();
    for (size_t i = 0; i < in->n_docs; i++)
        if (analyze_one(r, rs, &in->docs[i]))
            return -1;
    r->wall_ns = now_ns() - t0;
    double other = r->wall_ns;
    for (int k = 0; k < ROW_OTHER; k++)
        other -= r->row_ns[k];
    r->row_ns[ROW_OTHER] = other;
    return 0;
}

static const char *row_name(int k)
{
    return k == ROW_OUTPUT ? "output" : k == ROW_OTHER ? "other"
                                                      : gx_stage_name(k);
}

/* Compiled rule-set size in bytes, 0 while the library cannot tell. */
static size_t ruleset_bytes(const gdprx_rules *rs)
{
    return gx_rules_compiled_size(rs);
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

static void print_header(const gdprx_rules *rs, const load_times *lt,
                         const input *in, int runs)
{
    printf("rules: %zu, load %.1f ms (median of %d loads in one process; "
           "the first %.1f ms)\n",
           gdprx_rules_count(rs), lt->median_ms, LOADS, lt->first_ms);
    printf("input: %zu files repeated to %zu documents, %zu bytes "
           "(%.2f MB); %d run(s)\n", in->n_files, in->n_docs, in->bytes,
           in->bytes / 1e6, runs);
}

/* Prints the figures of runs[0..n) (their row times get sorted). */
static void report_single(run *runs, int n, const input *in,
                          const gdprx_rules *rs, const load_times *lt)
{
    double *v = malloc((size_t)n * sizeof *v);
    if (!v) {
        fprintf(stderr, "out of memory\n");
        return;
    }
    for (int i = 0; i < n; i++)
        v[i] = in->bytes / (runs[i].wall_ns / 1e9) / 1e6;
    double mbs = median(v, (size_t)n), lo = v[0], hi = v[n - 1];
    for (int i = 0; i < n; i++)
        v[i] = in->bytes /
               ((runs[i].wall_ns - runs[i].row_ns[ROW_OUTPUT]) / 1e9) / 1e6;
    double amb = median(v, (size_t)n);
    for (int i = 0; i < n; i++)
        v[i] = runs[i].wall_ns;
    double wall = median(v, (size_t)n);
    print_header(rs, lt, in, n);
    printf("end-to-end (analyze + JSON): %.2f MB/s median (min %.2f, max "
           "%.2f)\n", mbs, lo, hi);
    printf("analyze only (no JSON):      %.2f MB/s median\n", amb);
    printf("%-12s %10s %6s   (per run, median over runs)\n", "stage", "ms",
           "%");
    double row[N_ROWS];
    for (int k = 0; k < N_ROWS; k++) {
        for (int i = 0; i < n; i++)
            v[i] = runs[i].row_ns[k];
        row[k] = median(v, (size_t)n);
        printf("%-12s %10.1f %5.1f%%\n", row_name(k), row[k] / 1e6,
               100 * row[k] / wall);
    }
    printf("%-12s %10.1f\n", "wall", wall / 1e6);
    size_t rb = ruleset_bytes(rs);
    char rbs[32] = "n/a";
    if (rb)
        snprintf(rbs, sizeof rbs, "%zu", rb);
    printf("findings: %zu per run\npeak RSS: %.1f MB\nrule set size: %s\n",
           runs[0].findings, peak_rss_kb() / 1024.0, rbs);
    printf("RESULT mode=single rules=%zu load_ms=%.1f first_load_ms=%.1f "
           "bytes=%zu runs=%d mbs=%.3f mbs_min=%.3f mbs_max=%.3f "
           "analyze_mbs=%.3f",
           gdprx_rules_count(rs), lt->median_ms, lt->first_ms, in->bytes, n, mbs, lo, hi, amb);
    for (int k = 0; k < N_ROWS; k++)
        printf(" ms_%s=%.2f", row_name(k), row[k] / 1e6);
    printf(" ms_wall=%.2f findings=%zu rss_kb=%ld ruleset_bytes=%s\n",
           wall / 1e6, runs[0].findings, peak_rss_kb(), rbs);
    free(v);
}

static int bench_single(const gdprx_rules *rs, const input *in, int n,
                        const load_times *lt)
{
    run *runs = calloc((size_t)n, sizeof *runs);
    if (!runs) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < n && !rc; i++)
        rc = run_once(&runs[i], rs, in);
    if (!rc)
        report_single(runs, n, in, rs, lt);
    free(runs);
    return rc ? 1 : 0;
}

static void *analyze_share(void *arg)
{
    share *sh = arg;
    gdprx_error err;
    for (size_t i = sh->first; i < sh->in->n_docs && !sh->rc; i += sh->step) {
        gdprx_result *res;
        const doc *d = &sh->in->docs[i];
        if ((sh->rc = gdprx_analyze(&res, sh->rs, d->text, d->len, NULL,
                                    &err)))
            fprintf(stderr, "analyze: %s\n", err.message);
        else
            gdprx_result_free(res);
    }
    return NULL;
}

/* Wall time (ns) of n threads analyzing every n-th document each; < 0 on
 * failure. */
static double timed_threads(const gdprx_rules *rs, const input *in, int n)
{
    pthread_t *tid = calloc((size_t)n, sizeof *tid);
    share *sh = calloc((size_t)n, sizeof *sh);
    double t = -1;
    if (!tid || !sh)
        goto out;
    int started = 0, rc = 0;
    double t0 = now_ns();
    for (; started < n; started++) {
        sh[started] = (share){rs, in, (size_t)started, (size_t)n, 0};
        if (pthread_create(&tid[started], NULL, analyze_share, &sh[started]))
            break;
    }
    for (int i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
        rc |= sh[i].rc;
    }
    if (started == n && !rc)
        t = now_ns() - t0;
out:
    free(tid);
    free(sh);
    return t;
}

/* Median MB/s of `runs` passes with 1 thread, then with n threads. */
static int bench_threads(const gdprx_rules *rs, const input *in, int runs,
                         int n, const load_times *lt)
{
    double *v = calloc((size_t)runs, sizeof *v), mbs[2];
    int counts[2] = {1, n};
    if (!v)
        return 1;
    for (int c = 0; c < 2; c++) {
        for (int i = 0; i < runs; i++) {
            double t = timed_threads(rs, in, counts[c]);
            if (t < 0) {
                free(v);
                return 1;
            }
            v[i] = in->bytes / (t / 1e9) / 1e6;
        }
        mbs[c] = median(v, (size_t)runs);
    }
    free(v);
    print_header(rs, lt, in, runs);
    printf("1 thread:   %.2f MB/s median\n%d threads: %.2f MB/s median\n"
           "speedup: %.2fx\npeak RSS: %.1f MB\n", mbs[0], n, mbs[1],
           mbs[1] / mbs[0], peak_rss_kb() / 1024.0);
    printf("RESULT mode=threads threads=%d rules=%zu load_ms=%.1f "
           "first_load_ms=%.1f bytes=%zu runs=%d mbs_1=%.3f mbs_n=%.3f "
           "speedup=%.3f rss_kb=%ld\n", n,
           gdprx_rules_count(rs), lt->median_ms, lt->first_ms, in->bytes, runs, mbs[0], mbs[1],
           mbs[1] / mbs[0], peak_rss_kb());
    return 0;
}

int main(int argc, char **argv)
{
    int threads = 0, a = 1;
    if (argc == 4 && !strcmp(argv[1], "--load")) {
        load_times lt;
        gdprx_rules *rs;
        int t = atoi(argv[2]);
        if (t < 0 || load_rules(&rs, argv[3], &lt, (size_t)t))
            return t < 0 ? 2 : 1;
        printf("RESULT mode=load load_threads=%d rules=%zu load_ms=%.1f "
               "first_load_ms=%.1f rss_kb=%ld\n", t, gdprx_rules_count(rs),
               lt.median_ms, lt.first_ms, peak_rss_kb());
        gdprx_rules_free(rs);
        return 0;
    }
    if (argc > 2 && !strcmp(argv[1], "--threads")) {
        threads = atoi(argv[2]);
        a = 3;
    }
    if (argc - a < 4 || (a == 3 && threads < 1)) {
        fprintf(stderr, "usage: %s [--threads N] RULES MIN_MB RUNS FILE...\n"
                        "       %s --load LOAD_THREADS RULES\n",
                argv[0], argv[0]);
        return 2;
    }
    double min_mb = atof(argv[a + 1]);
    load_times lt;
    int runs = atoi(argv[a + 2]);
    if (runs < 1 || min_mb < 0) {
        fprintf(stderr, "RUNS must be >= 1 and MIN_MB >= 0\n");
        return 2;
    }
    gdprx_rules *rs;
    input in;
    if (load_rules(&rs, argv[a], &lt, 0))
        return 1;
    if (input_build(&in, argv + a + 3, (size_t)(argc - a - 3), min_mb * 1e6)) {
        gdprx_rules_free(rs);
        return 1;
    }
    int rc = threads ? bench_threads(rs, &in, runs, threads, &lt)
                     : bench_single(rs, &in, runs, &lt);
    input_free(&in);
    gdprx_rules_free(rs);
    return rc;
}
