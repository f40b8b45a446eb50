/* SPDX-License-Identifier: MIT */
/* The pipeline driver behind gdprx_analyze(): normalize -> identify the
 * language -> segment -> match -> build the result. */
#ifndef GX_ANALYZE_H
#define GX_ANALYZE_H

#include "rules.h"

/* As gdprx_analyze(); select (NULL: per opts->types) chooses the rules. */
int gx_analyze(gdprx_result **out, const gdprx_rules *rs, const char *text,
               size_t len, const gdprx_options *opts,
               const unsigned char *select, gdprx_error *err);

#endif
