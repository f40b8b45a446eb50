/* SPDX-License-Identifier: MIT */
/* The pipeline driver behind gdprx_analyze(): normalize -> identify the
 * language -> segment -> match -> build the result. */
#ifndef GX_ANALYZE_H
#define GX_ANALYZE_H

#include "rules.h"

/* Pipeline stages timed by gx_analyze() for bench/bench_pipeline.c. A new
 * stage is a new value before GX_STAGE_RESULT plus its name in analyze.c. */
enum { GX_STAGE_NORMALIZE, GX_STAGE_LANGID, GX_STAGE_SEGMENT, GX_STAGE_SCAN,
       GX_STAGE_MATCH, GX_STAGE_RESULT, GX_STAGE_N };
/* Nanoseconds per stage, accumulated by gx_analyze (the caller zeroes it). */
typedef struct gx_timing { double ns[GX_STAGE_N]; } gx_timing;

/* Short lowercase name of stage s ("normalize", ...), "?" when out of range.
 * Ownership: static text. */
const char *gx_stage_name(int s);

/* A streamed analysis (gdprx_analyze_each): begin (may be NULL) once the
 * document's language is known, before any finding; then finding() for each
 * finding in result order as soon as its part is done, with offsets into
 * the caller's input (HTML ones included). A nonzero return from either
 * stops the analysis with GDPRX_EIO. */
typedef struct gx_stream {
    int (*begin)(void *ctx, gdprx_lang lang);
    gdprx_finding_fn finding;
    void *ctx;
} gx_stream;

/* As gdprx_analyze(); select (NULL: per opts->types) chooses the rules.
 * tm (may be NULL: no clock is read) gets each stage's time added in
 * nanoseconds; time spent outside the stages (checks, freeing) is not in it.
 * stream (may be NULL) receives the findings instead of the result.
 * Ownership: tm and stream stay the caller's. */
int gx_analyze(gdprx_result **out, const gdprx_rules *rs, const char *text,
               size_t len, const gdprx_options *opts,
               const unsigned char *select, gx_timing *tm,
               const gx_stream *stream, gdprx_error *err);

#endif
