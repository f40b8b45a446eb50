/* SPDX-License-Identifier: MIT */
/* Benchmark: rule-set load time, then analysis throughput over the given
 * documents repeated N times. A benchmark, not a test: figures only.
 * usage: bench_analyze RULES N FILE... */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gdprx.h>

#include "bench_util.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s RULES N FILE...\n", argv[0]);
        return 2;
    }
    gdprx_error err;
    gdprx_rules *rules;
    double t0 = now();
    if (gdprx_rules_load(&rules, argv[1], &err) != GDPRX_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double t_load = now() - t0;
    int reps = atoi(argv[2]), ndocs = argc - 3;
    char **docs = calloc((size_t)ndocs, sizeof *docs);
    size_t *lens = calloc((size_t)ndocs, sizeof *lens), bytes = 0, found = 0;
    for (int i = 0; i < ndocs; i++)
        if (!(docs[i] = bench_slurp(argv[3 + i], &lens[i]))) {
            perror(argv[3 + i]);
            return 1;
        }
    t0 = now();
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < ndocs; i++) {
            gdprx_result *res;
            if (gdprx_analyze(&res, rules, docs[i], lens[i], NULL, &err)) {
                fprintf(stderr, "%s: %s\n", argv[3 + i], err.message);
                return 1;
            }
            found += gdprx_result_count(res);
            bytes += lens[i];
            gdprx_result_free(res);
        }
    double t = now() - t0;
    printf("rules: %zu loaded in %.1f ms\n", gdprx_rules_count(rules),
           t_load * 1e3);
    printf("analyzed %d documents (%zu bytes, %zu findings) in %.3f s: "
           "%.1f docs/s, %.2f MB/s, %.2f ms/doc\n", reps * ndocs, bytes, found,
           t, reps * ndocs / t, bytes / t / 1e6, t * 1e3 / (reps * ndocs));
    for (int i = 0; i < ndocs; i++)
        free(docs[i]);
    free(docs);
    free(lens);
    gdprx_rules_free(rules);
    return 0;
}
