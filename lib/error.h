/* SPDX-License-Identifier: MIT */
/* Error reporting: every failure is recorded once, where it starts, into a
 * caller's gdprx_error (which may be NULL), and its code is returned. */
#ifndef GX_ERROR_H
#define GX_ERROR_H

#include "gdprx.h"

/* A place in a rule file (1-based line and column). */
typedef struct gx_loc {
    const char *file; /* owned by the rule set's file table */
    int line, col;
} gx_loc;

/* Record code and message; returns code. */
int gx_error_set(gdprx_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record an error located in a rule file: message "file:line:col: ...". */
int gx_error_at(gdprx_error *err, int code, const char *file, int line,
                int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Record an error at a byte offset of the analyzed text:
 * message "input:offset: ...". */
int gx_error_offset(gdprx_error *err, int code, size_t offset,
                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int gx_error_nomem(gdprx_error *err);
void gx_error_clear(gdprx_error *err);

#endif
