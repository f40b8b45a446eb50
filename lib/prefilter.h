/* SPDX-License-Identifier: MIT */
/* Stage 4c, prefilter: literals derived from each pattern at load time such
 * that any match contains one of them, and a multi-literal scan that tells
 * which patterns can match a clause. Invariant: a pattern without literals
 * (none could be derived) always runs; skipping a pattern never loses a
 * match. */
#ifndef GX_PREFILTER_H
#define GX_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

typedef struct gx_lit {
    char *s;
    size_t n;
    uint32_t next;     /* next literal in the same hash bucket, or UINT32_MAX */
} gx_lit;

typedef struct gx_prefilter {
    gx_lit *lits;
    size_t n_lits, cap_lits;
    uint32_t *bucket;  /* [GX_PF_BUCKETS]: first literal of each bucket */
} gx_prefilter;

#define GX_PF_MIN 3         /* shortest literal worth a prefilter */
#define GX_PF_BUCKETS 4096

/* Literals of `pattern` (its source after macro expansion): on success
 * *ids holds *n literal ids (0 when no prefilter applies; *ids NULL).
 * Returns 0, or -1 when out of memory. */
int gx_prefilter_add(gx_prefilter *pf, const char *pattern, uint32_t **ids,
                     size_t *n);
void gx_prefilter_free(gx_prefilter *pf);

/* A gate for a pattern the prefilter has no literals for: a few strings,
 * one of which every match contains, shorter than GX_PF_MIN where they hold
 * a byte that ordinary text rarely has ("@", "[", "<"). The matcher runs
 * such a pattern only where one of them occurs (a memchr or memmem each).
 * On success *gate is NULL (no gate applies) or holds *n malloc'd strings,
 * owned by the caller (gx_prefilter_gate_free). Returns 0, or -1 when out
 * of memory. */
#define GX_GATE_MAX 16
int gx_prefilter_gate(const char *pattern, char ***gate, size_t *n);
void gx_prefilter_gate_free(char **gate, size_t n);
/* Does s[0, len) contain one of the n gate strings (always, when n is 0)? */
int gx_prefilter_gate_open(char *const *gate, size_t n, const char *s,
                           size_t len);

/* Mark present[id] = 1 for each literal occurring in s[0, n); the ids set
 * are appended to set[] (*n_set updated; set has room for n_lits ids). */
void gx_prefilter_scan(const gx_prefilter *pf, const char *s, size_t n,
                       unsigned char *present, uint32_t *set, size_t *n_set);

#endif
