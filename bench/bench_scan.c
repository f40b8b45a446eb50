/* SPDX-License-Identifier: MIT */
/* Benchmark of the concept scanner: build time and compiled size for a term
 * file (one term per line; empty lines and '#' lines skipped; concept =
 * line number / 10), then gx_scan throughput over the given files, read
 * with ASCII capitals lowered (a crude normalization), repeated N times.
 * A benchmark, not a test: figures only.
 * usage: bench_scan TERMS N FILE... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "scan.h"
#include "util.h"

/* CPU time of this process: the figures hold on a busy machine too. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The whole file, ASCII capitals lowered; NULL on error. Caller frees. */
static char *slurp_lower(const char *path, size_t *len)
{
    char *buf = bench_slurp(path, len);
    for (size_t i = 0; buf && i < *len; i++)
        if (buf[i] >= 'A' && buf[i] <= 'Z')
            buf[i] = (char)(buf[i] - 'A' + 'a');
    return buf;
}

/* Split the term file's text in place into terms (*out owned, its texts
 * point into text). Returns the count, or -1 when out of memory. */
static long read_terms(char *text, gx_term **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    for (char *line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n")) {
        if (!line[0] || line[0] == '#')
            continue;
        if (gx_grow(out, &cap, n + 1, sizeof **out))
            return -1;
        (*out)[n] = (gx_term){line, (uint32_t)(n / 10), (uint32_t)n};
        n++;
    }
    return (long)n;
}

/* The fastest of a few builds, in seconds; *sc keeps the last one. */
static double time_build(gx_scanner **sc, const gx_term *terms, size_t n)
{
    double best = 1e9;
    for (int i = 0; i < 5; i++) {
        gdprx_error err;
        gx_scanner_free(*sc);
        *sc = NULL;
        double t0 = now();
        if (gx_scanner_build(sc, terms, n, &err) != GDPRX_OK) {
            fprintf(stderr, "build: %s\n", err.message);
            exit(1);
        }
        double t = now() - t0;
        best = t < best ? t : best;
    }
    return best;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s TERMS N FILE...\n", argv[0]);
        return 2;
    }
    size_t tlen, bytes = 0, hits = 0;
    char *ttext = slurp_lower(argv[1], &tlen);
    gx_term *terms = NULL;
    long n_terms = ttext ? read_terms(ttext, &terms) : -1;
    if (n_terms < 0) {
        perror(argv[1]);
        return 1;
    }
    gx_scanner *sc = NULL;
    double t_build = time_build(&sc, terms, (size_t)n_terms);
    int reps = atoi(argv[2]), ndocs = argc - 3;
    char **docs = calloc((size_t)ndocs, sizeof *docs);
    size_t *lens = calloc((size_t)ndocs, sizeof *lens);
    for (int i = 0; docs && lens && i < ndocs; i++)
        if (!(docs[i] = slurp_lower(argv[3 + i], &lens[i]))) {
            perror(argv[3 + i]);
            return 1;
        }
    gx_scan_hits h = {0};
    double t0 = now();
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < ndocs; i++) {
            if (gx_scan(sc, docs[i], lens[i], &h)) {
                fprintf(stderr, "out of memory\n");
                return 1;
            }
            hits += h.n;
            bytes += lens[i];
        }
    double t = now() - t0;
    printf("terms: %ld, built in %.2f ms, compiled size %.1f KiB\n", n_terms,
           t_build * 1e3, gx_scanner_size(sc) / 1024.0);
    printf("scanned %d documents (%zu bytes, %zu hits) in %.3f s: "
           "%.1f MB/s (CPU time)\n", reps * ndocs, bytes, hits, t, bytes / t / 1e6);
    for (int i = 0; i < ndocs; i++)
        free(docs[i]);
    free(docs);
    free(lens);
    free(terms);
    free(ttext);
    gx_scan_hits_free(&h);
    gx_scanner_free(sc);
    return 0;
}
