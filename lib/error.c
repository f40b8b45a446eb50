/* SPDX-License-Identifier: MIT */
/* Status texts and the gdprx_error helpers; also the library version. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *gdprx_strerror(int code)
{
    switch (code) {
    case GDPRX_OK: return "success";
    case GDPRX_ENOMEM: return "out of memory";
    case GDPRX_EINVAL: return "invalid argument";
    case GDPRX_EIO: return "cannot read file or write output";
    case GDPRX_ESYNTAX: return "rule syntax error";
    case GDPRX_EPATTERN: return "invalid rule pattern";
    case GDPRX_EUTF8: return "invalid UTF-8 input";
    case GDPRX_ELIMIT: return "input too large";
    case GDPRX_EINTERNAL: return "internal error";
    default: return "unknown error";
    }
}

void gx_error_clear(gdprx_error *err)
{
    if (!err)
        return;
    err->code = GDPRX_OK;
    err->line = err->column = 0;
    err->offset = -1;
    err->file[0] = '\0';
    err->message[0] = '\0';
}

static void vset(gdprx_error *err, const char *prefix, const char *fmt,
                 va_list ap)
{
    size_t n = (size_t)snprintf(err->message, sizeof err->message, "%s",
                                prefix);
    if (n < sizeof err->message)
        vsnprintf(err->message + n, sizeof err->message - n, fmt, ap);
}

int gx_error_set(gdprx_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    gx_error_clear(err);
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vset(err, "", fmt, ap);
    va_end(ap);
    return code;
}

int gx_error_at(gdprx_error *err, int code, const char *file, int line,
                int col, const char *fmt, ...)
{
    if (!err)
        return code;
    gx_error_clear(err);
    err->code = code;
    err->line = line;
    err->column = col;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    char prefix[300];
    if (line > 0)
        snprintf(prefix, sizeof prefix, "%s:%d:%d: ", err->file, line, col);
    else
        snprintf(prefix, sizeof prefix, "%s: ", err->file);
    va_list ap;
    va_start(ap, fmt);
    vset(err, prefix, fmt, ap);
    va_end(ap);
    return code;
}

int gx_error_offset(gdprx_error *err, int code, size_t offset,
                    const char *fmt, ...)
{
    if (!err)
        return code;
    gx_error_clear(err);
    err->code = code;
    err->offset = (long long)offset;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "input:%zu: ", offset);
    va_list ap;
    va_start(ap, fmt);
    vset(err, prefix, fmt, ap);
    va_end(ap);
    return code;
}

int gx_error_nomem(gdprx_error *err)
{
    return gx_error_set(err, GDPRX_ENOMEM, "out of memory");
}

int gdprx_version(void) { return GDPRX_VERSION_NUMBER; }

const char *gdprx_version_string(void) { return GDPRX_VERSION_STRING; }

void gdprx_free(void *p) { free(p); }
