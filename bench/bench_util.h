/* SPDX-License-Identifier: MIT */
/* What the benchmark programs share: reading a whole file. */
#ifndef GX_BENCH_UTIL_H
#define GX_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/* The whole file, NUL-terminated (it may hold NULs: use *len); NULL on
 * error. Ownership: the caller's (free()). */
static inline char *bench_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    long n;
    *len = 0;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
        *len = fread(buf, 1, (size_t)n, f);
        buf[*len] = '\0';
    }
    fclose(f);
    return buf;
}

#endif
