/* SPDX-License-Identifier: MIT */
/* Stage 4a, loading: YAML rule files -> gx_rule structs and lexicons, with
 * every schema error located as file:line:col (libyaml marks are 0-based and
 * get 1 added). Macro expansion and pattern compilation happen here too, so
 * a rule set that loads is complete and immutable. */
#ifndef GX_LOADER_H
#define GX_LOADER_H

#include "rulelimits.h"
#include "rules.h"

typedef struct gx_source {
    const char *name;  /* file name for messages */
    const char *yaml;
    size_t len;
} gx_source;

/* Build a rule set from the given YAML sources, in order, within the
 * default limits. */
int gx_load_sources(gdprx_rules **out, const gx_source *src, size_t n,
                    gdprx_error *err);
/* The same within `lim` (rulelimits.h). */
int gx_load_sources_lim(gdprx_rules **out, const gx_source *src, size_t n,
                        const gx_limits *lim, gdprx_error *err);

#endif
