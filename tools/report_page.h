/* SPDX-License-Identifier: MIT */
/* gdprx report, the pages: a policy's page (its text cut at every finding
 * boundary, type filter, checklist, findings as JSON for the script) and
 * the index, as HTML in an sbuf. No I/O; cmd_report.c reads, analyzes and
 * writes. */
#ifndef GDPRX_REPORT_PAGE_H
#define GDPRX_REPORT_PAGE_H

#include "gdprx.h"
#include "report_html.h"

/* One policy of the report. */
typedef struct policy {
    const char *path;    /* borrowed from argv */
    char page[96];       /* its page's file name in the output directory */
    int html;            /* read as HTML */
    gdprx_result *res;   /* owned; NULL when it failed */
    char *error;         /* owned message when it failed, else NULL */
} policy;

/* Append the page of policy p (p->res set), whose analyzed input is
 * text[0..len); `types` is the --types filter (NULL: none) the checklist
 * follows. Returns 0, or -1 when out of memory. */
int policy_page(sbuf *b, const policy *p, const char *text, size_t len,
                const char *types);

/* Append the index of the n policies v[] (failed ones with their error);
 * the items column counts the items the analysis' --types selected.
 * Returns 0, or -1 when out of memory. */
int index_page(sbuf *b, const policy *v, size_t n);

#endif
