/* SPDX-License-Identifier: MIT */
/* Attribute extraction. Numbers are digits (with a decimal part: "1,5",
 * "2.5") or the lexicon's number words, which compose as they are spoken
 * ("twenty four", "vingt-quatre", "quatre-vingt-dix", "one hundred and
 * eighty", Dutch compounds such as "zesendertig" or "honderdtachtig") and
 * take halves ("one and a half", "half a year", "un an et demi",
 * "anderhalf jaar"); each number is paired with the next unit word; pairs
 * add up. Values are kept in thousandths; a fraction of a unit becomes the
 * next smaller unit (1.5 years = P1Y6M). */
#include "attrs.h"

#include <stdio.h>
#include <limits.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#define MILLI 1000L
#define VALUE_MAX 1000000L   /* larger numbers are not durations */

typedef struct tok {
    const char *s;
    size_t n;
    int digits;
    long milli;    /* digits only: the value in thousandths */
} tok;

/* A half ("half", "demi", "anderhalf": the lexicon's `halves`, in
 * thousandths), or 0. */
static long half_value(const gx_lexicon *lx, const char *s, size_t n)
{
    const gx_word *w = gx_wordtab_find(&lx->halves, s, n);
    return w ? w->value : 0;
}

/* A word that joins number words ("and", "et", "en": the lexicon's
 * `joiners`)? */
static int is_joiner(const gx_lexicon *lx, const char *s, size_t n)
{
    return gx_wordtab_find(&lx->joiners, s, n) != NULL;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* A byte of a word of normalized text (letters, digits, UTF-8). */
static int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || is_digit(c) || c >= 0x80;
}

/* The value of a digit run at s[st..*i), extended by a decimal part of one
 * or two digits after '.' or ',' ("1,5", "2.25"; "1,000" stays two
 * numbers); advances *i past it. */
static long digits_milli(const char *s, size_t n, size_t st, size_t *i)
{
    long v = 0;
    for (size_t k = st; k < *i && v < VALUE_MAX; k++)
        v = v * 10 + (s[k] - '0');
    v *= MILLI;
    size_t j = *i;
    if (j + 1 < n && (s[j] == '.' || s[j] == ',') &&
        is_digit((unsigned char)s[j + 1])) {
        size_t e = j + 1;
        while (e < n && is_digit((unsigned char)s[e]))
            e++;
        if (e - (j + 1) <= 2) {
            long f = (s[j + 1] - '0') * 100;
            if (e - (j + 1) == 2)
                f += (s[j + 2] - '0') * 10;
            v += f;
            *i = e;
        } else if (e - (j + 1) == 3 && v < VALUE_MAX) {   /* "1,000" */
            v = v * 1000 + ((s[j + 1] - '0') * 100 + (s[j + 2] - '0') * 10 +
                            (s[j + 3] - '0')) * MILLI;
            *i = e;
        }
    }
    return v;
}

/* Next token of letters or of digits (a digit run and a letter run are
 * separate tokens: "12months", "72h"). Returns 0 at the end. */
static int next_tok(const char *s, size_t n, size_t *i, tok *t)
{
    while (*i < n) {
        unsigned char c = (unsigned char)s[*i];
        if ((c >= 'a' && c <= 'z') || is_digit(c) || c >= 0x80)
            break;
        (*i)++;
    }
    if (*i >= n)
        return 0;
    size_t st = *i;
    int dig = is_digit((unsigned char)s[st]);
    while (*i < n) {
        unsigned char c = (unsigned char)s[*i];
        int d = is_digit(c);
        int l = (c >= 'a' && c <= 'z') || c >= 0x80;
        if ((dig && !d) || (!dig && !l))
            break;
        (*i)++;
    }
    t->s = s + st;
    t->digits = dig;
    t->milli = dig ? digits_milli(s, n, st, i) : 0;
    t->n = (size_t)(s + *i - t->s);   /* with a decimal part */
    return 1;
}

/* ---- composing number words ------------------------------------------ */

/* A number being read from words. */
typedef struct numrun {
    long big;     /* hundreds ("two hundred", "cent") */
    long small;   /* the part below a hundred */
    long frac;    /* thousandths ("and a half") */
    int active;   /* the last token was part of this number */
    int joined;   /* a joiner ("and", "et", "en") followed it */
    int half_only;/* only "half" so far: "half a year" */
    int one_after_joiner;   /* the last word was a one after a joiner */
    long before_one[3];     /* big, small, frac before that one */
} numrun;

static long run_milli(const numrun *r)
{
    return (r->big + r->small) * MILLI + r->frac;
}

/* Add number word value w to the run: "vingt" + "quatre" = 24, "quatre" +
 * "vingt" = 80, "two" + "hundred" = 200, "hundred" + "eighty" = 180. A
 * word that composes with nothing before it starts a new number. */
static void run_compose(numrun *r, long w)
{
    if (r->active && r->half_only && w == 1) {   /* "half a": still a half */
        r->joined = 0;
        return;
    }
    if (!r->active || r->half_only) {
        memset(r, 0, sizeof *r);
        r->active = 1;
        if (w >= 100)
            r->big = w;
        else
            r->small = w;
        return;
    }
    if (w >= 100) {
        r->big += (r->small ? r->small : 1) * w;
        r->small = 0;
    } else if (r->small == 0)
        r->small = w;
    else if (w < r->small && r->small % 10 == 0)
        r->small += w;
    else if (w % 10 == 0 && w > r->small && r->small < 10 && r->joined)
        r->small += w;   /* "zes-en-dertig": 36 */
    else if (w % 10 == 0 && w > r->small && r->small < 10)
        r->small *= w;   /* "quatre-vingt": 80 */
    else {
        r->big = 0;
        r->small = w;
        r->frac = 0;
    }
    if (r->big > VALUE_MAX)
        r->big = VALUE_MAX;
    r->joined = 0;
}

/* A number word read on: remembers the run before a one after a joiner
 * (the "a" of "one and a half"). */
static void run_word(numrun *r, long w)
{
    int one_after_joiner = r->active && r->joined && w == 1;
    r->before_one[0] = r->big;
    r->before_one[1] = r->small;
    r->before_one[2] = r->frac;
    run_compose(r, w);
    r->one_after_joiner = one_after_joiner;
}

/* A half: "one and a half" adds it (the "a" was read as one: undone), "a
 * half" / "een half" is one half, "half" alone starts a number ("half a
 * year"). */
static void run_half(numrun *r, long milli)
{
    if (milli > MILLI || !r->active) {
        memset(r, 0, sizeof *r);
        r->active = 1;
        r->frac = milli;
        r->half_only = milli < MILLI;
        return;
    }
    if (r->one_after_joiner) {   /* "one and a half", "twee en een half" */
        r->big = r->before_one[0];
        r->small = r->before_one[1];
        r->frac = r->before_one[2] + milli;
    } else if (r->joined)
        r->frac += milli;
    else if (r->big == 0 && r->small == 1 && r->frac == 0) {
        r->small = 0;   /* "a half", "een half" */
        r->frac = milli;
    } else
        r->frac += milli;
    r->joined = 0;
    r->one_after_joiner = 0;
}

/* ---- Dutch-style compounds: "zesendertig", "honderdtachtig" ------------ */

enum { PIECE_NUMBER, PIECE_HALF, PIECE_JOINER };

typedef struct piece {
    int kind;
    long value;
} piece;

#define MAX_PIECES 8

/* Split s[0..n) into number words, halves and joiners, longest first;
 * returns the number of pieces, 0 if the word is not such a compound. */
static size_t split_compound(const gx_lexicon *lx, const char *s, size_t n,
                             piece *out, size_t depth)
{
    if (n == 0)
        return depth;
    if (depth == MAX_PIECES)
        return 0;
    for (size_t len = n; len >= 2; len--) {
        const gx_word *w = gx_wordtab_find(&lx->numbers, s, len);
        long h = w ? 0 : half_value(lx, s, len);
        int j = !w && !h && depth > 0 && len < n && is_joiner(lx, s, len);
        if (!w && !h && !j)
            continue;
        out[depth].kind = w ? PIECE_NUMBER : h ? PIECE_HALF : PIECE_JOINER;
        out[depth].value = w ? w->value : h;
        size_t got = split_compound(lx, s + len, n - len, out, depth + 1);
        if (got)
            return got;
    }
    return 0;
}

/* ---- durations ---------------------------------------------------------- */

/* The units, as the lexicon's units map them (the loader reads ISO 8601's
 * "TM", minutes, as 'I'), from the largest. */
static const char UNITS[] = "YMWDHI";
#define N_UNITS 6
/* how many of the next smaller unit one unit holds: a year is 12 months, a
 * month 30 days, a week 7 days, a day 24 hours, an hour 60 minutes */
static const struct {
    int lower;
    long factor;
} SMALLER[N_UNITS] = {{1, 12}, {3, 30}, {3, 7}, {4, 24}, {5, 60}, {-1, 0}};

/* Add milli thousandths of unit index u to parts; the fraction goes to the
 * next smaller unit (minutes round). */
static void add_milli(long parts[N_UNITS], int u, long milli)
{
    long whole = milli / MILLI, rest = milli % MILLI;
    if (SMALLER[u].lower < 0 && rest >= MILLI / 2)
        whole++;
    if (whole > 0 && parts[u] < VALUE_MAX - whole)
        parts[u] += whole;
    if (rest && SMALLER[u].lower >= 0)
        add_milli(parts, SMALLER[u].lower, rest * SMALLER[u].factor);
}

/* The reader of gx_duration. */
typedef struct durstate {
    long parts[N_UNITS];   /* Y M W D H I(minutes) */
    long pending;    /* thousandths, -1: none */
    numrun run;
    long last_unit;  /* the last unit seen (GX_UNIT_VALUE), 0: none */
    int tail;        /* after a unit: 1, then a joiner: 2 ("year and a half") */
    int found;
} durstate;

static void dur_number(durstate *d, long w)
{
    d->tail = d->tail == 2 && w == 1 ? 3 : 0;   /* the "a" of "and a half" */
    run_word(&d->run, w);
    d->pending = run_milli(&d->run);
}

/* Index in UNITS of unit value `unit` (GX_UNIT_VALUE; its designator is
 * one of UNITS), and how many of it the unit holds. */
static int unit_index(long unit)
{
    return (int)(strchr(UNITS, GX_UNIT_DESIGNATOR(unit)) - UNITS);
}

static long unit_count(long unit)
{
    return GX_UNIT_COUNT(unit) > 0 ? GX_UNIT_COUNT(unit) : 1;
}

static void dur_half(durstate *d, long milli)
{
    if (d->tail >= 2 && d->last_unit && milli < MILLI) {
        add_milli(d->parts, unit_index(d->last_unit),   /* "un an et demi" */
                  milli * unit_count(d->last_unit));
        d->tail = 0;
        d->pending = -1;                          /* the "a" of "and a half" */
        memset(&d->run, 0, sizeof d->run);
        return;
    }
    d->tail = 0;
    run_half(&d->run, milli);
    d->pending = run_milli(&d->run);
}

static void dur_joiner(durstate *d)
{
    if (d->tail == 1)
        d->tail = 2;
    if (d->run.active)
        d->run.joined = 1;
}

/* The pending number of unit value `unit`: "2 fortnights" is 4 weeks. */
static void dur_unit(durstate *d, long unit)
{
    long count = unit_count(unit);
    add_milli(d->parts, unit_index(unit), d->pending <= LONG_MAX / count
                                              ? d->pending * count
                                              : LONG_MAX);
    d->last_unit = unit;
    d->pending = -1;
    d->found = 1;
    d->tail = 1;
    memset(&d->run, 0, sizeof d->run);
}

/* Feed one word token; returns 0 if it is none of ours (it ends a number
 * being read, but a pending number waits for its unit: "5 business
 * days"). */
static int dur_word(durstate *d, const gx_lexicon *lx, const tok *t)
{
    const gx_word *w = gx_wordtab_find(&lx->units, t->s, t->n);
    long h;
    if (w && d->pending >= 0 && GX_UNIT_DESIGNATOR(w->value) &&
        strchr(UNITS, GX_UNIT_DESIGNATOR(w->value))) {
        dur_unit(d, w->value);
        return 1;
    }
    if ((w = gx_wordtab_find(&lx->numbers, t->s, t->n))) {
        dur_number(d, w->value);
        return 1;
    }
    if ((h = half_value(lx, t->s, t->n))) {
        dur_half(d, h);
        return 1;
    }
    if (is_joiner(lx, t->s, t->n)) {
        dur_joiner(d);
        return 1;
    }
    piece p[MAX_PIECES];
    size_t np = split_compound(lx, t->s, t->n, p, 0);
    for (size_t k = 0; k < np; k++) {
        if (p[k].kind == PIECE_NUMBER)
            dur_number(d, p[k].value);
        else if (p[k].kind == PIECE_HALF)
            dur_half(d, p[k].value);
        else
            dur_joiner(d);
    }
    return np > 0;
}

/* A duration written without a number: the whole phrase, trimmed of the
 * punctuation and spaces around it, is one of the lexicon's
 * duration_phrases ("sous quinzaine" 15D, "binnen de maand" 1M). Only the
 * whole phrase counts: the unit word alone never gives a duration. */
static void phrase_duration(durstate *d, const gx_lexicon *lx, const char *s,
                            size_t n)
{
    size_t a = 0, b = n;
    while (a < b && !is_word_byte((unsigned char)s[a]))
        a++;
    while (b > a && !is_word_byte((unsigned char)s[b - 1]))
        b--;
    const gx_word *w = a < b ? gx_wordtab_find(&lx->phrases, s + a, b - a)
                             : NULL;
    if (!w || !GX_UNIT_DESIGNATOR(w->value) ||
        !strchr(UNITS, GX_UNIT_DESIGNATOR(w->value)))
        return;
    d->pending = MILLI;   /* one of the unit the phrase holds */
    dur_unit(d, w->value);
}

static void iso_write(long parts[N_UNITS], char iso[GX_ISO_MAX])
{
    /* ISO 8601 allows weeks only alone */
    if (parts[2] && (parts[0] || parts[1] || parts[3] || parts[4] ||
                     parts[5])) {
        parts[3] += 7 * parts[2];
        parts[2] = 0;
    }
    int k = snprintf(iso, GX_ISO_MAX, "P");
    static const char des[] = "YMWD";
    for (int p = 0; p < 4; p++)
        if (parts[p])
            k += snprintf(iso + k, (size_t)(GX_ISO_MAX - k), "%ld%c", parts[p],
                          des[p]);
    if (parts[4] || parts[5])
        k += snprintf(iso + k, (size_t)(GX_ISO_MAX - k), "T");
    if (parts[4])
        k += snprintf(iso + k, (size_t)(GX_ISO_MAX - k), "%ldH", parts[4]);
    if (parts[5])
        k += snprintf(iso + k, (size_t)(GX_ISO_MAX - k), "%ldM", parts[5]);
    if (k == 1)   /* all parts zero: "0 days" */
        snprintf(iso, GX_ISO_MAX, "P0D");
}

int gx_duration(const gx_lexicon *lx, const char *s, size_t n,
                long fallback_unit, char iso[GX_ISO_MAX], long *last_unit)
{
    durstate d;
    memset(&d, 0, sizeof d);
    d.pending = -1;
    size_t i = 0;
    tok t;
    while (next_tok(s, n, &i, &t)) {
        if (t.digits) {   /* "1 and a half" reads on */
            d.pending = t.milli;
            d.tail = 0;
            memset(&d.run, 0, sizeof d.run);
            d.run.active = 1;
            d.run.small = t.milli / MILLI;
            d.run.frac = t.milli % MILLI;
        } else if (!dur_word(&d, lx, &t)) {
            d.run.active = 0;
            d.tail = 0;
        }
    }
    if (d.pending >= 0 && GX_UNIT_DESIGNATOR(fallback_unit) &&
        strchr(UNITS, GX_UNIT_DESIGNATOR(fallback_unit)))
        dur_unit(&d, fallback_unit);
    if (!d.found)
        phrase_duration(&d, lx, s, n);
    if (!d.found)
        return -1;
    iso_write(d.parts, iso);
    if (last_unit)
        *last_unit = d.last_unit;
    return 0;
}

/* ---- ages ----------------------------------------------------------------- */

/* Feed one word of an age: 1 if it was part of a number. */
static int age_word(const gx_lexicon *lx, const tok *t, numrun *r)
{
    const gx_word *w = gx_wordtab_find(&lx->numbers, t->s, t->n);
    if (w) {
        run_word(r, w->value);
        return 1;
    }
    if (r->active && is_joiner(lx, t->s, t->n)) {
        r->joined = 1;
        return 1;
    }
    piece p[MAX_PIECES];
    size_t np = split_compound(lx, t->s, t->n, p, 0);
    for (size_t k = 0; k < np; k++) {
        if (p[k].kind == PIECE_NUMBER)
            run_word(r, p[k].value);
        else if (p[k].kind == PIECE_JOINER)
            r->joined = 1;
        else
            return 0;
    }
    return np > 0;
}

int gx_first_number(const gx_lexicon *lx, const char *s, size_t n)
{
    size_t i = 0;
    tok t;
    numrun r;
    memset(&r, 0, sizeof r);
    int seen = 0;
    while (next_tok(s, n, &i, &t)) {
        if (t.digits)
            return seen ? (int)(r.big + r.small)
                        : (int)(t.milli / MILLI % 1000000);
        if (age_word(lx, &t, &r))
            seen = 1;
        else if (seen)
            break;
    }
    return seen ? (int)(r.big + r.small) : -1;
}

/* ---- values copied from the original text ------------------------------ */

size_t gx_strip_ignorable(char *s)
{
    const uint8_t *u = (const uint8_t *)s;
    int32_t n = (int32_t)strlen(s), i = 0;
    size_t out = 0;
    while (i < n) {
        int32_t st = i;
        UChar32 c;
        U8_NEXT(u, i, n, c);
        if (c >= 0 && u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
            continue;
        memmove(s + out, s + st, (size_t)(i - st));
        out += (size_t)(i - st);
    }
    s[out] = '\0';
    return out;
}
