/* SPDX-License-Identifier: MIT */
/* Rule-file limits: the public gdprx_rules_options resolved to numbers, and
 * the linear pre-scan that checks a file's size and nesting depth before
 * libyaml sees its bytes (libyaml's scanner is quadratic in flow depth). */
#ifndef GX_LIMITS_H
#define GX_LIMITS_H

#include <stddef.h>

#include "gdprx.h"

/* Every limit with its default applied (never 0). */
typedef struct gx_limits {
    size_t file_size, total_size, depth, rules, concepts, terms, patterns,
        pattern_len, expanded_len, examples;
    size_t threads;   /* of the load, >= 1 */
} gx_limits;

/* Resolve `opts` (NULL: defaults) into *out.
 * Returns GDPRX_OK or GDPRX_EINVAL (opts not from gdprx_rules_options_init). */
int gx_limits_resolve(gx_limits *out, const gdprx_rules_options *opts,
                      gdprx_error *err);

/* Check `len` bytes of YAML named `name` against the size limits (the file
 * may use at most `total_left` bytes of the set's total) and the depth
 * limit, without parsing it. Reads at most max_file_size bytes.
 * Returns GDPRX_OK, GDPRX_ELIMIT (file:line:col where the limit was
 * crossed) or GDPRX_ENOMEM. */
int gx_prescan(const char *name, const char *yaml, size_t len,
               size_t total_left, const gx_limits *lim, gdprx_error *err);

#endif
