/* SPDX-License-Identifier: MIT */
/* Attribute extraction. Numbers are digits or the lexicon's number words
 * (consecutive number words add up: "twenty four", "vingt-quatre"); each
 * number is paired with the next unit word; pairs add up. */
#include "attrs.h"

#include <stdio.h>
#include <string.h>

typedef struct tok {
    const char *s;
    size_t n;
    int digits;
} tok;

/* Next token of letters or of digits (a digit run and a letter run are
 * separate tokens: "12months", "72h"). Returns 0 at the end. */
static int next_tok(const char *s, size_t n, size_t *i, tok *t)
{
    while (*i < n) {
        unsigned char c = (unsigned char)s[*i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            break;
        (*i)++;
    }
    if (*i >= n)
        return 0;
    size_t st = *i;
    int dig = s[st] >= '0' && s[st] <= '9';
    while (*i < n) {
        unsigned char c = (unsigned char)s[*i];
        int d = c >= '0' && c <= '9';
        int l = (c >= 'a' && c <= 'z') || c >= 0x80;
        if ((dig && !d) || (!dig && !l))
            break;
        (*i)++;
    }
    t->s = s + st;
    t->n = *i - st;
    t->digits = dig;
    return 1;
}

static long digits_value(const tok *t)
{
    long v = 0;
    for (size_t k = 0; k < t->n && v < 100000000; k++)
        v = v * 10 + (t->s[k] - '0');
    return v;
}

static void add_part(long parts[5], char unit, long v)
{
    const char *u = "YMWDH";
    const char *p = strchr(u, unit);
    if (p && v >= 0 && parts[p - u] < 100000000 - v)
        parts[p - u] += v;
}

int gx_duration(const gx_lexicon *lx, const char *s, size_t n,
                char fallback_unit, char iso[GX_ISO_MAX], char *last_unit)
{
    long parts[5] = {0}; /* Y M W D H */
    long pending = -1;
    int prev_word_number = 0, found = 0;
    char last = 0;
    size_t i = 0;
    tok t;
    while (next_tok(s, n, &i, &t)) {
        const gx_word *w;
        if (t.digits) {
            pending = digits_value(&t);
            prev_word_number = 0;
        } else if ((w = gx_wordtab_find(&lx->units, t.s, t.n)) && pending >= 0) {
            add_part(parts, (char)w->value, pending);
            last = (char)w->value;
            pending = -1;
            found = 1;
            prev_word_number = 0;
        } else if ((w = gx_wordtab_find(&lx->numbers, t.s, t.n))) {
            pending = prev_word_number && pending >= 0 ? pending + w->value
                                                       : w->value;
            prev_word_number = 1;
        } else {
            prev_word_number = 0;
        }
    }
    if (pending >= 0 && fallback_unit) {
        add_part(parts, fallback_unit, pending);
        last = fallback_unit;
        found = 1;
    }
    if (!found)
        return -1;
    /* ISO 8601 allows weeks only alone */
    if (parts[2] && (parts[0] || parts[1] || parts[3] || parts[4])) {
        parts[3] += 7 * parts[2];
        parts[2] = 0;
    }
    int k = snprintf(iso, GX_ISO_MAX, "P");
    static const char des[] = "YMWD";
    for (int p = 0; p < 4; p++)
        if (parts[p])
            k += snprintf(iso + k, (size_t)(GX_ISO_MAX - k), "%ld%c", parts[p],
                          des[p]);
    if (parts[4])
        k += snprintf(iso + k, (size_t)(GX_ISO_MAX - k), "T%ldH", parts[4]);
    if (k == 1)   /* all parts zero: "0 days" */
        snprintf(iso, GX_ISO_MAX, "P0D");
    if (last_unit)
        *last_unit = last;
    return 0;
}

int gx_first_number(const gx_lexicon *lx, const char *s, size_t n)
{
    size_t i = 0;
    tok t;
    long v = -1;
    while (next_tok(s, n, &i, &t)) {
        const gx_word *w;
        if (t.digits)
            return v >= 0 ? (int)v : (int)(digits_value(&t) % 1000000);
        if ((w = gx_wordtab_find(&lx->numbers, t.s, t.n)))
            v = v >= 0 ? v + w->value : w->value;
        else if (v >= 0)
            break;
    }
    return (int)v;
}
