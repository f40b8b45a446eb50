/* SPDX-License-Identifier: MIT */
/* Rule examples: analyzes every example sentence alone, in its language,
 * with only its rule, and reports those that do not behave as declared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "error.h"
#include "result.h"
#include "util.h"

static const char *pol(gdprx_polarity p)
{
    return p == GDPRX_NEGATED ? "negated" : "affirmed";
}

static int same(const char *want, const char *got)
{
    return !want || (got && !strcmp(want, got));
}

/* Why a finding does not fit a match example, or NULL if it does. */
static const char *mismatch(const gx_example *e, const gdprx_finding *f,
                            char *buf, size_t n)
{
    if (f->polarity != e->polarity)
        snprintf(buf, n, "polarity %s", pol(f->polarity));
    else if (!same(e->duration, f->duration))
        snprintf(buf, n, "duration %s", f->duration ? f->duration : "none");
    else if (!same(e->duration_max, f->duration_max))
        snprintf(buf, n, "duration_max %s",
                 f->duration_max ? f->duration_max : "none");
    else if (e->age >= 0 && e->age != f->age)
        snprintf(buf, n, "age %d", f->age);
    else if (e->email && (!f->email || strcmp(e->email, f->email)))
        snprintf(buf, n, "email %s", f->email ? f->email : "none");
    else
        return NULL;
    return buf;
}

static void describe(gx_buf *rep, const gdprx_result *res)
{
    gx_buf_adds(rep, res->n ? " got:" : " got nothing");
    for (size_t k = 0; k < res->n; k++) {
        const gdprx_finding *f = &res->f[k];
        gx_buf_printf(rep, " [%s \"%.*s\"%s%s]", pol(f->polarity),
                      (int)(f->end - f->start), f->text,
                      f->duration ? " " : "", f->duration ? f->duration : "");
    }
}

/* Run one example; returns 1 if it passed, 0 if not, <0 on error. */
static int run_example(const gdprx_rules *rs, size_t ri, int lang,
                       const gx_example *e, const unsigned char *sel,
                       gx_buf *rep, gdprx_error *err)
{
    const gx_rule *r = &rs->rules[ri];
    gdprx_options o;
    gdprx_options_init(&o);
    o.lang = (gdprx_lang)(lang + 1);
    /* an example is a snippet of policy text as the rules read it, even
     * when it holds inline markup ("<p><strong>Contract</strong> ...") */
    o.format = GDPRX_FORMAT_TEXT;
    gdprx_result *res = NULL;
    int rc = gx_analyze(&res, rs, e->text, strlen(e->text), &o, sel, NULL,
                        NULL, err);
    if (rc != GDPRX_OK)
        return rc < 0 ? rc : -1;
    char why[160];
    const char *bad = NULL;
    int ok;
    if (e->must_match) {
        ok = 0;
        for (size_t k = 0; k < res->n && !ok; k++)
            ok = !(bad = mismatch(e, &res->f[k], why, sizeof why));
        if (!ok && !bad)
            bad = "no match";
    } else {
        ok = res->n == 0;
        bad = "matched";
    }
    if (!ok) {
        gx_buf_printf(rep, "%s:%d:%d: %s [%s] %s example: %s: \"%s\"",
                      e->loc.file, e->loc.line, e->loc.col, r->id,
                      gx_lang_code(lang), e->must_match ? "match" : "no_match",
                      bad, e->text);
        describe(rep, res);
        gx_buf_addc(rep, '\n');
    }
    gdprx_result_free(res);
    return ok;
}

int gdprx_rules_test(char **out_report, size_t *out_failed,
                     const gdprx_rules *rs, int verbose, gdprx_error *err)
{
    gx_error_clear(err);
    if (!out_report || !out_failed || !rs)
        return gx_error_set(err, GDPRX_EINVAL, "gdprx_rules_test: NULL %s",
                            !rs ? "rules" : "out");
    unsigned char *sel = calloc(rs->n_rules + 1, 1);
    if (!sel)
        return gx_error_nomem(err);
    gx_buf rep = {0}, sum = {0};
    size_t passed = 0, failed = 0;
    int rc = GDPRX_OK;
    for (size_t ri = 0; ri < rs->n_rules && !rc; ri++) {
        const gx_rule *r = &rs->rules[ri];
        size_t rp = 0, rf = 0;
        sel[ri] = 1;
        for (int l = 0; l < GX_NLANG && !rc; l++) {
            size_t nm = 0;
            for (size_t k = 0; k < r->n_ex[l]; k++) {
                int ok = run_example(rs, ri, l, &r->ex[l][k], sel, &rep, err);
                if (ok < 0) {
                    rc = ok;
                    break;
                }
                nm += r->ex[l][k].must_match;
                ok ? rp++ : rf++;
            }
            if (!rc && nm == 0) {
                gx_buf_printf(&rep, "%s:%d:%d: %s [%s] has no match "
                              "examples\n", r->loc.file, r->loc.line,
                              r->loc.col, r->id, gx_lang_code(l));
                rf++;
            }
        }
        sel[ri] = 0;
        passed += rp;
        failed += rf;
        if (verbose)
            gx_buf_printf(&sum, "%-4s %s (%zu passed, %zu failed)\n",
                          rf ? "FAIL" : "ok", r->id, rp, rf);
    }
    free(sel);
    if (rc) {
        gx_buf_free(&rep);
        gx_buf_free(&sum);
        return rc;
    }
    gx_buf_add(&rep, sum.s ? sum.s : "", sum.len);
    gx_buf_free(&sum);
    gx_buf_printf(&rep, "%zu passed, %zu failed\n", passed, failed);
    size_t len;
    char *s = gx_buf_take(&rep, &len);
    if (!s)
        return gx_error_nomem(err);
    *out_report = s;
    *out_failed = failed;
    return GDPRX_OK;
}
