/* SPDX-License-Identifier: MIT */
/* Stage 3, segmentation. Lines of the normalized text are classified
 * (Markdown front matter and headings, numbered/ALL-CAPS/question headings,
 * list items, table rows, plain text); plain lines join into paragraphs;
 * ICU's sentence breaker (run on the original text, whose capitals it needs)
 * cuts paragraphs into sentences; ';', table cells and the lexicon's
 * clause_split cut sentences into clauses. */
#include "segment.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utf16.h>

#include "error.h"
#include "langid.h"
#include "util.h"

#define HEADING_MAX 120 /* bytes: longer lines are never headings */

typedef struct line {
    size_t s, e;         /* normalized, without the '\n' */
} line;

/* L_TITLE: a short line that may be a heading or a one-line statement
 * ("Right to data portability"): it opens a section and is matched too. */
typedef enum { L_BLANK, L_SKIP, L_HEADING, L_TITLE, L_ITEM, L_TEXT,
               L_RULE } ltype;

enum { NOT_HEADING = 0, HEADING = 1, TITLE = 2 };

/* ---- helpers on original text ------------------------------------------ */

/* Letters in the original bytes of normalized span [s, e): counts of upper
 * and lower case. */
static void case_counts(const gx_text *t, const char *orig, size_t s,
                        size_t e, int *up, int *low)
{
    *up = *low = 0;
    if (s >= e)
        return;
    size_t os = gx_text_ostart(t, s), oe = gx_text_oend(t, e);
    const unsigned char *o = (const unsigned char *)orig;
    for (size_t i = os; i < oe;) {
        uint32_t cp;
        int n = gx_utf8_decode(o, oe, i, &cp);
        if (n <= 0) {
            i++;
            continue;
        }
        i += (size_t)n;
        if (u_isupper((UChar32)cp))
            (*up)++;
        else if (u_islower((UChar32)cp))
            (*low)++;
    }
}

static int starts_upper(const gx_text *t, const char *orig, size_t s, size_t e)
{
    for (size_t i = s; i < e; i++) {
        unsigned char c = (unsigned char)t->s[i];
        if ((c >= 'a' && c <= 'z') || c >= 0x80) {
            int up, low;
            case_counts(t, orig, i, i + 1, &up, &low);
            return up > 0;
        }
        if (c >= '0' && c <= '9')
            return 1;
    }
    return 0;
}

/* ---- line classification ------------------------------------------------ */

static int only_chars(const char *s, size_t n, const char *set)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ')
            continue;
        if (!strchr(set, s[i]))
            return 0;
        k++;
    }
    return k >= 3;
}

static size_t skip_spaces(const char *s, size_t i, size_t e)
{
    while (i < e && s[i] == ' ')
        i++;
    return i;
}

/* Length of a list marker at s[i] (including the space after it), 0 if
 * none; *numbered set for "1.", "2)", "(a)" and the like. */
static size_t list_marker(const char *s, size_t i, size_t e, int *numbered)
{
    static const char *const bullets[] = {"-", "*", "+", "\xe2\x80\xa2",
                                          "\xc2\xb7", "\xe2\x97\xa6",
                                          "\xe2\x96\xaa", "\xe2\x80\xa3",
                                          "\xe2\x97\x8f", "\xe2\x96\xa0",
                                          "\xef\x82\xb7", "o"};
    *numbered = 0;
    for (size_t b = 0; b < GX_N(bullets); b++) {
        size_t n = strlen(bullets[b]);
        if (i + n < e && !memcmp(s + i, bullets[b], n) && s[i + n] == ' ')
            return n + 1;
    }
    size_t j = i;
    if (j < e && s[j] == '(')
        j++;
    size_t d = j;
    while (j < e && j - d < 4 &&
           ((s[j] >= '0' && s[j] <= '9') || s[j] == '.' ||
            (j - d < 4 && strchr("ivxabcdefgh", s[j]))))
        j++;
    if (j == d || j + 1 >= e)
        return 0;
    int digits = s[d] >= '0' && s[d] <= '9';
    if (digits && s[j] == ' ' && s[j - 1] != '.' && memchr(s + d, '.', j - d)) {
        *numbered = 1;   /* "2.1 Heading" */
        return j + 1 - i;
    }
    if ((s[j] == ')' || (digits && s[j - 1] == '.') ||
         (digits && s[j] == '.')) && j + 1 < e) {
        size_t k = s[j] == ')' || s[j] == '.' ? j + 1 : j;
        if (k < e && s[k] == ' ') {
            /* letters alone need a parenthesis: "a) ", "(iv) " */
            if (!digits && s[j] != ')')
                return 0;
            *numbered = 1;
            return k + 1 - i;
        }
    }
    return 0;
}

static int ends_with_any(const char *s, size_t st, size_t e, const char *set)
{
    while (e > st && (s[e - 1] == ' ' || s[e - 1] == '*' || s[e - 1] == '_'))
        e--;
    return e > st && strchr(set, s[e - 1]) != NULL;
}

static size_t count_words(const char *s, size_t st, size_t e)
{
    size_t w = 0;
    int in = 0;
    for (size_t i = st; i < e; i++) {
        int sp = s[i] == ' ';
        if (!sp && !in)
            w++;
        in = !sp;
    }
    return w;
}

/* Whether a line reads as a HEADING (a question, ALL CAPS, bold alone) or a
 * TITLE (short, unpunctuated, capitalized, blank lines around); either has
 * text after it. */
static int heading_like(const gx_text *t, const char *orig, size_t s, size_t e,
                        int blank_before, int blank_after, int after_colon)
{
    const char *x = t->s;
    size_t nx = e < t->len ? e + 1 : e;
    while (nx < t->len && (x[nx] == '\n' || x[nx] == ' '))
        nx++;
    if (e - s > HEADING_MAX || e == s || nx >= t->len)
        return 0;
    if (memchr(x + s, '@', e - s))
        return 0;
    if (ends_with_any(x, s, e, "?"))
        return count_words(x, s, e) <= 20 ? HEADING : NOT_HEADING;
    int up, low;
    case_counts(t, orig, s, e, &up, &low);
    if (up >= 4 && low == 0 && !ends_with_any(x, s, e, ".;,!") &&
        count_words(x, s, e) <= 15)
        return HEADING;   /* an ALL CAPS sentence is no heading */
    /* **Bold line** or __bold line__ alone */
    if (e - s > 4 && ((x[s] == '*' && x[s + 1] == '*' && x[e - 1] == '*') ||
                      (x[s] == '_' && x[s + 1] == '_' && x[e - 1] == '_')))
        return ends_with_any(x, s + 2, e - 2, ".;:,") ? NOT_HEADING : HEADING;
    if (ends_with_any(x, s, e, ".;:,!)\"'"))
        return NOT_HEADING;
    /* "Retention period: two years" under a heading is content, not a
     * title: a label, a colon, then its value */
    const char *colon = memchr(x + s, ':', e - s);
    if (colon && colon + 2 < x + e && colon[1] == ' ')
        return NOT_HEADING;
    return blank_before && blank_after && !after_colon &&
                   count_words(x, s, e) <= 12 && starts_upper(t, orig, s, e)
               ? TITLE
               : NOT_HEADING;
}

/* ---- building ------------------------------------------------------------ */

/* Add heading [s, e) of level (1-6, or 0 when its form told it) with its
 * parent: walk back along the parents of the headings before it to the
 * first of a level from 2 to one less than its own; a level-1 heading
 * stops the walk (the title is no section that encloses the others). */
static int add_heading(gx_doc *d, size_t s, size_t e, int level)
{
    if (gx_grow(&d->hd, &d->cap_hd, d->n_hd + 1, sizeof *d->hd) != 0)
        return -1;
    int parent = -1, want = level ? level : 7;
    for (long j = (long)d->n_hd - 1; level != 1 && j >= 0;) {
        const gx_heading *h = &d->hd[j];
        if (h->level >= 2 && h->level < want) {
            parent = (int)j;
            break;
        }
        if (h->level == 1)
            break;
        j = h->parent;
    }
    d->hd[d->n_hd].s = s;
    d->hd[d->n_hd].e = e;
    d->hd[d->n_hd].level = level;
    d->hd[d->n_hd].parent = parent;
    d->n_hd++;
    return 0;
}

static int add_para(gx_doc *d, size_t s, size_t e, long lead)
{
    if (s >= e)
        return 0;
    if (gx_grow(&d->pa, &d->cap_pa, d->n_pa + 1, sizeof *d->pa) != 0)
        return -1;
    gx_para *p = &d->pa[d->n_pa++];
    p->s = s;
    p->e = e;
    p->lang = -1;
    p->section = (int)d->n_hd - 1;
    p->lead = (int)lead;
    return 0;
}

/* Trim spaces and stray separators from a clause span and add it. An
 * overlong span is cut, and the next piece starts past the separators
 * after the cut (where its trimmed text starts). When stop is not NULL, it
 * stops at the first such piece start at or after `from` that follows a
 * separator (a place where a part may start): *stop is then where the rest
 * starts (add_clause from there gives the clauses it would have given);
 * else *stop is left alone. */
static int add_clause_at(gx_doc *d, const char *x, size_t s, size_t e,
                         int lang, int section, int lead, size_t from,
                         size_t *stop)
{
    while (s < e && strchr(" ,;|", x[s]))
        s++;
    while (e > s && strchr(" |", x[e - 1]))
        e--;
    if (s >= e)
        return 0;
    /* an overlong clause (no sentence end for pages) is cut at a space, or
     * at a character boundary, so matching time per byte stays bounded */
    while (e - s > GX_CLAUSE_MAX) {
        size_t cut = s + GX_CLAUSE_MAX;
        while (cut > s + GX_CLAUSE_MAX / 2 && x[cut] != ' ')
            cut--;
        if (x[cut] != ' ')
            for (cut = s + GX_CLAUSE_MAX; ((unsigned char)x[cut] & 0xC0) == 0x80;)
                cut--;
        if (add_clause_at(d, x, s, cut, lang, section, lead, SIZE_MAX, NULL))
            return -1;
        s = cut;
        while (s < e && strchr(" ,;|", x[s]))   /* as the piece is trimmed */
            s++;
        if (s >= e)
            return 0;   /* only separators were left */
        if (stop && s > cut && s >= from) {
            *stop = s;
            return 0;
        }
    }
    if (gx_grow(&d->cl, &d->cap_cl, d->n_cl + 1, sizeof *d->cl) != 0)
        return -1;
    gx_clause *c = &d->cl[d->n_cl++];
    c->s = s;
    c->e = e;
    c->lang = lang;
    c->section = section;
    c->lead = lead;
    c->col_s = c->col_e = c->row_s = c->row_e = 0;
    c->prev_s = c->prev_e = 0;
    c->pcl_s = c->pcl_e = 0;
    return 0;
}

/* Strip Markdown heading decoration: leading '#'s, trailing '#'s and a
 * kramdown attribute list "{: ...}". */
static void heading_text(const char *x, size_t *s, size_t *e)
{
    while (*s < *e && (x[*s] == '#' || x[*s] == ' '))
        (*s)++;
    if (*e > *s && x[*e - 1] == '}') {
        for (size_t k = *e; k > *s + 1; k--)
            if (x[k - 2] == '{' && x[k - 1] == ':') {
                *e = k - 2;
                break;
            }
    }
    while (*e > *s && (x[*e - 1] == ' ' || x[*e - 1] == '#'))
        (*e)--;
}

static int cut_ok(const gx_text *t, size_t o);

/* The segmenter's state between gx_segment_next() calls (gx_segcur). */
struct gx_segcur {
    gx_doc *d;
    const gx_text *t;
    const char *orig;
    const gdprx_rules *rs;
    int doc_lang;
    size_t *brk;     /* sentence breaks of paragraph pi, normalized offsets,
                        ascending (owned) */
    size_t n_brk, cap_brk;
    pcre2_match_data *md;      /* owned */
    UBreakIterator *bi;        /* owned */
    UChar *u;                  /* owned scratch of one sentence window: */
    uint32_t *uoff, *wb;       /* its UTF-16 text, offsets and breaks */
    gdprx_error *err;
    /* where the next part starts: paragraph pi, at its sentence ks (the
     * text from sent_s); brk_ready once pi's breaks are in brk */
    size_t pi, ks, sent_s;
    int brk_ready;
    /* paragraph pi's sentence being split starts at sen_s; the sentence
     * before it in the paragraph is [prev_s, prev_e) (empty: none); the
     * last clause made of that sentence so far is [lcl_s, lcl_e) (it
     * precedes the first clause of a part cut inside the sentence) */
    size_t sen_s, prev_s, prev_e, lcl_s, lcl_e;
    /* table state (table_headers): the current table's header paragraph
     * (-1: none), and in the current row paragraph the byte up to which
     * '|' were counted and their count */
    long head;
    size_t tk, tcol;
    int row_cells;   /* the current paragraph's clauses get cells */
    int table_row;   /* the current paragraph is a table row (a header or
                        body row, or a row of a table without header) */
    size_t next_lo;  /* where the next part starts */
    /* the last clause_split search (next_split): from rx_from in a
     * sentence ending at rx_e, the leftmost match [rx_m0, rx_m1), or none
     * (rx_m0 = SIZE_MAX); rx_e = 0: none made */
    const pcre2_code *rx;
    size_t rx_e, rx_from, rx_m0, rx_m1;
    /* the last search for a ';' or '|' (next_sep): from sep_from in a
     * sentence ending at sep_e, the first at sep_at (sep_e if none) */
    size_t sep_e, sep_from, sep_at;
};
typedef struct gx_segcur segctx;

/* The first ';' or '|' of the text at or after i and before e (e if none),
 * remembered like next_split's answer: a part that starts inside a long
 * sentence does not read its rest again. */
static size_t next_sep(segctx *c, size_t i, size_t e)
{
    if (c->sep_e == e && i >= c->sep_from && i <= c->sep_at)
        return c->sep_at;
    const char *x = c->t->s;
    size_t k = i;
    while (k < e && x[k] != ';' && x[k] != '|')
        k++;
    c->sep_e = e;
    c->sep_from = i;
    c->sep_at = k;
    return k;
}

/* The leftmost match of split in the text up to e at or after pos into
 * [*m0, *m1): 1, 0 when there is none, or PCRE2's negative code when it
 * gave up. A search from a later pos that is not past the last match
 * found is answered from it: a part that starts inside a long sentence
 * does not search its rest again (that was quadratic in the sentence). */
static int next_split(segctx *c, const pcre2_code *split, size_t e,
                      size_t pos, size_t *m0, size_t *m1)
{
    if (c->rx == split && c->rx_e == e && pos >= c->rx_from &&
        pos <= c->rx_m0) {
        *m0 = c->rx_m0;
        *m1 = c->rx_m1;
        return c->rx_m0 != SIZE_MAX;
    }
    int rc = pcre2_match(split, (PCRE2_SPTR)c->t->s, e, pos,
                         PCRE2_NO_UTF_CHECK, c->md, NULL);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
        c->rx_e = 0;
        return rc;
    }
    c->rx = split;
    c->rx_e = e;
    c->rx_from = pos;
    if (rc < 0) {
        c->rx_m0 = c->rx_m1 = SIZE_MAX;
        return 0;
    }
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
    *m0 = c->rx_m0 = ov[0];
    *m1 = c->rx_m1 = ov[1];
    return 1;
}

/* Whether a split that found the match [m0, m1) of split (clauses up to
 * m0 added) would go on alike from r in [m0, m1] (the start of the trimmed
 * clause from m0), as split_sentence(r, e) does: the first match from r is
 * that match itself (r = m0) or starts at or after m1. */
static int split_resumes(segctx *c, const pcre2_code *split, size_t e,
                         size_t r, size_t m0, size_t m1)
{
    if (r == m0)
        return 1;
    for (size_t pos = r, a, b; pos < e;) {
        int rc = next_split(c, split, e, pos, &a, &b);
        if (rc <= 0)
            return rc == 0;
        if (b > a)   /* the split skips empty matches */
            return a >= m1;
        pos = a + 1;
    }
    return 1;
}

/* Whether clause k reads as a label: its text ends with ':' (a bold
 * label's "**...**:", "** :" or "</strong>:" included). */
static int is_label(const char *x, const gx_clause *k)
{
    size_t e = k->e;
    while (e > k->s && (x[e - 1] == '*' || x[e - 1] == ' '))
        e--;
    if (e > k->s + 8 && !memcmp(x + e - 9, "</strong>", 9))
        e -= 9;
    while (e > k->s && (x[e - 1] == '*' || x[e - 1] == ' '))
        e--;
    return e > k->s && x[e - 1] == ':';
}

/* Give clause n0 (when one was added) the label [s, e) as its lead. */
static void label_lead(gx_doc *d, size_t n0, size_t s, size_t e)
{
    if (e > s && d->n_cl > n0 && d->cl[n0].row_e == 0) {
        d->cl[n0].row_s = s;
        d->cl[n0].row_e = e;
    }
}

/* Cut [cs, pe) at the matches of split into clauses, the last one ending
 * at ce (pe, or just past the ';' that ends the piece). With stop, as
 * split_sentence: it may stop at a match once the clauses hold `from`
 * bytes; st is add_clause_at's stop (left at e when it did not cut
 * inside). Returns -1 when out of memory, 1 when it stopped (*stop set:
 * where the rest of the sentence starts), else 0. */
static int split_piece(segctx *c, const pcre2_code *split, size_t cs,
                       size_t pe, size_t ce, size_t e, int lang, int sec,
                       int lead, size_t from, size_t *stop, size_t *st)
{
    const char *x = c->t->s;
    size_t *sp = stop ? st : NULL;
    size_t pos = cs;
    int gave_up = 0;   /* the regex hit a limit: the split ends there */
    /* a clause cut off as a label ("**Retention period** : 13 months", its
     * text ending in ':') is the next clause's lead, as a table row's first
     * cell is its other cells' (gx_clause row_s/row_e) */
    size_t lab_s = 0, lab_e = 0;
    while (split && pos < pe) {
        size_t m0, m1;
        int rc = next_split(c, split, pe, pos, &m0, &m1);
        if (rc <= 0) {
            gave_up = rc < 0;
            break;
        }
        if (m1 <= m0) {
            pos = m0 + 1;
            continue;
        }
        if (m0 > cs) {
            size_t n0 = c->d->n_cl;
            if (add_clause_at(c->d, x, cs, m0, lang, sec, lead,
                              from > pos ? from : pos, sp) != 0)
                return -1;
            if (*st < e) {
                *stop = *st;
                return 1;
            }
            label_lead(c->d, n0, lab_s, lab_e);
            lab_s = lab_e = 0;
            if (c->d->n_cl > n0 && is_label(x, &c->d->cl[c->d->n_cl - 1]))
                lab_s = c->d->cl[c->d->n_cl - 1].s,
                lab_e = c->d->cl[c->d->n_cl - 1].e;
            cs = m0;
            size_t r = cs;
            while (stop && r < pe && strchr(" ,;|", x[r]))
                r++;   /* where the clause's trimmed text starts */
            /* (never between a label and its value) */
            if (stop && r < pe && cs >= from && lab_e == 0 &&
                cut_ok(c->t, r) && split_resumes(c, split, pe, r, cs, m1)) {
                *stop = r;
                return 1;
            }
        }
        pos = m1;
    }
    size_t n0 = c->d->n_cl;
    if (add_clause_at(c->d, x, cs, ce, lang, sec, lead,
                      from > pos ? from : pos, gave_up ? NULL : sp) != 0)
        return -1;
    label_lead(c->d, n0, lab_s, lab_e);
    if (*st < e) {
        *stop = *st;
        return 1;
    }
    return 0;
}

/* Cut sentence [s, e) into clauses: at each ';' or '|', and inside each
 * piece a ';' ends (and after the last separator) at the matches of the
 * language's clause_split (a table cell, ended by '|', is not cut there).
 * When stop is not NULL, and once the clauses since `start` hold `max`
 * bytes, stop after a ';' or '|', at a clause_split match, or at a cut of
 * an overlong clause (places where a part may start: a sentence with no
 * end is not one part): *stop is then where the rest of the sentence
 * starts, and split_sentence from there gives the clauses it would have
 * given (the ';' and '|' after it are the same; the split regex, run on
 * the piece from there, finds the same matches: a cut inside a clause is
 * never before where the search that found the clause's end began); else
 * *stop is e. */
static int split_sentence(segctx *c, size_t s, size_t e, int lang, int sec,
                          int lead, size_t start, size_t max, size_t *stop)
{
    const char *x = c->t->s;
    const pcre2_code *split =
        lang >= 0 ? c->rs->lex[lang].clause_split : NULL;
    size_t cs = s, st = e;
    size_t from = max > SIZE_MAX - start ? SIZE_MAX : start + max;
    if (stop)
        *stop = e;
    for (size_t i = next_sep(c, s, e); i < e; i = next_sep(c, i + 1, e)) {
        int rc = split_piece(c, x[i] == ';' ? split : NULL, cs, i,
                             i + (x[i] == ';'), e, lang, sec, lead, from,
                             stop, &st);
        if (rc)
            return rc < 0 ? -1 : 0;
        cs = i + 1;
        if (stop && cs < e && cs >= from) {
            *stop = cs;
            return 0;
        }
    }
    int rc = split_piece(c, split, cs, e, e, e, lang, sec, lead, from, stop,
                         &st);
    return rc < 0 ? -1 : 0;
}

/* Whether code point cp ends sentences for ICU (Sentence_Break ATerm or
 * STerm): without one, and with every paragraph separator read as a space,
 * the sentence breaker finds no break inside a text. */
static int sentence_term(uint32_t cp)
{
    if (cp < 0x80)
        return cp == '.' || cp == '?' || cp == '!';
    int sb = u_getIntPropertyValue((UChar32)cp, UCHAR_SENTENCE_BREAK);
    return sb == U_SB_ATERM || sb == U_SB_STERM;
}

/* The original bytes [os, oe) as UTF-16 in u, with line and paragraph
 * separators as spaces and invalid bytes as U+FFFD; uoff[k] is the original
 * offset of unit k. Returns the number of units; *has_term is set when a
 * sentence terminator occurs. */
static int32_t para_utf16(const char *orig, size_t os, size_t oe, UChar *u,
                          uint32_t *uoff, int *has_term)
{
    const unsigned char *o = (const unsigned char *)orig;
    int32_t nu = 0;
    int term = 0;
    for (size_t i = os; i < oe;) {
        uint32_t cp = o[i];
        int n = 1;
        if (cp >= 0x80 && (n = gx_utf8_decode(o, oe, i, &cp)) <= 0) {
            cp = 0xFFFD;
            n = 1;
        }
        if (cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C ||
            cp == 0x85 || cp == 0x2028 || cp == 0x2029)
            cp = ' ';
        term |= sentence_term(cp);
        int32_t before = nu;
        U16_APPEND_UNSAFE(u, nu, cp);
        for (int32_t k = before; k < nu; k++)
            uoff[k] = (uint32_t)i;
        i += (size_t)n;
    }
    *has_term = term;
    return nu;
}

/* Is the sentence break at unit b of u[0, b) one after an abbreviation a
 * number follows ("art. 6.1 e", "no. 12"): a digit at b, and before it,
 * after spaces, "<word>." with the word (ASCII letters, any case) in a
 * language's number_abbreviations? ICU breaks there when the number has a
 * period of its own ("6.1"). */
static int number_abbrev_before(const gdprx_rules *rs, const UChar *u,
                                int32_t b)
{
    if (!rs || u[b] < '0' || u[b] > '9')
        return 0;
    int32_t k = b;
    while (k > 0 && u[k - 1] == ' ')
        k--;
    if (k == b || k == 0 || u[k - 1] != '.')
        return 0;
    int32_t e = --k;
    char w[16];
    while (k > 0 && e - k < (int32_t)sizeof w &&
           ((u[k - 1] >= 'a' && u[k - 1] <= 'z') ||
            (u[k - 1] >= 'A' && u[k - 1] <= 'Z')))
        k--;
    if (k == e || e - k >= (int32_t)sizeof w ||
        (k > 0 && (u_isalnum(u[k - 1]) || u[k - 1] == '.')))
        return 0;   /* no word, too long, or part of a longer one */
    for (int32_t i = k; i < e; i++)
        w[i - k] = (char)(u[i] | 0x20);
    for (int l = 0; l < GX_NLANG; l++)
        if (gx_wordtab_find(&rs->lex[l].num_abbrevs, w, (size_t)(e - k)))
            return 1;
    return 0;
}

/* Sentence breaks of one window [os, oe) of a paragraph's original text,
 * from ICU, as original offsets in *wb (ascending; the window's ends are no
 * breaks). Returns the number of breaks, or -1 (error set). */
static long window_breaks(segctx *c, UBreakIterator *bi, size_t os, size_t oe,
                          UChar *u, uint32_t *uoff, uint32_t *wb)
{
    int has_term = 0;
    int32_t nu = para_utf16(c->orig, os, oe, u, uoff, &has_term);
    if (!has_term)
        return 0;   /* ICU would find no break inside it */
    UErrorCode st = U_ZERO_ERROR;
    ubrk_setText(bi, u, nu, &st);
    if (U_FAILURE(st)) {
        gx_error_set(c->err, GDPRX_EINTERNAL, "ICU ubrk_setText: %s",
                     u_errorName(st));
        return -1;
    }
    long n = 0;
    for (int32_t b = ubrk_first(bi); b != UBRK_DONE; b = ubrk_next(bi))
        if (b > 0 && b < nu && (!n || wb[n - 1] < uoff[b]) &&
            !number_abbrev_before(c->rs, u, b))
            wb[n++] = uoff[b];
    return n;
}

/* Add the break at original offset o, as a normalized offset inside
 * paragraph p, to c->brk. */
static int add_break(segctx *c, const gx_para *p, size_t o)
{
    size_t np = gx_text_npos(c->t, o);
    if (np <= p->s || np >= p->e || (c->n_brk && c->brk[c->n_brk - 1] >= np))
        return GDPRX_OK;
    if (gx_grow(&c->brk, &c->cap_brk, c->n_brk + 1, sizeof *c->brk) != 0)
        return gx_error_nomem(c->err);
    c->brk[c->n_brk++] = np;
    return GDPRX_OK;
}

/* Where the window after one starting at ws (ending at we < the paragraph's
 * end, with breaks wb[0, n)) starts, and how many of its breaks are kept:
 * every break but the last, which more text could move; a lone break in the
 * window's first half is kept too. Without one, the next window starts
 * halfway, cut at a character boundary (GX_SENTENCE_WINDOW). */
static size_t window_next(const char *orig, size_t ws, size_t we,
                          const uint32_t *wb, long n, long *keep)
{
    size_t half = ws + (we - ws) / 2;
    if (n >= 2 || (n == 1 && wb[0] <= half)) {
        *keep = n >= 2 ? n - 1 : 1;
        return wb[*keep - 1];
    }
    *keep = 0;
    while (half > ws + 1 && ((unsigned char)orig[half] & 0xC0) == 0x80)
        half--;
    return half;
}

/* ICU sentence breaks of each paragraph, found on its original text (the
 * breaker needs capitals) with line breaks read as spaces, and stored as
 * normalized offsets. A paragraph longer than GX_SENTENCE_WINDOW bytes is
 * read in overlapping windows of that size, so that time and memory stay
 * linear in its length. */
static int para_breaks(segctx *c, const gx_para *p)
{
    UChar *u = c->u;
    uint32_t *uoff = c->uoff, *wb = c->wb;
    c->n_brk = 0;
    size_t os = gx_text_ostart(c->t, p->s), oe = gx_text_oend(c->t, p->e);
    for (size_t ws = os; ws < oe;) {
        size_t we = oe - ws > GX_SENTENCE_WINDOW ? ws + GX_SENTENCE_WINDOW : oe;
        while (we < oe && we > ws + 1 &&
               ((unsigned char)c->orig[we] & 0xC0) == 0x80)
            we--;   /* a window ends at a character boundary */
        long n = window_breaks(c, c->bi, ws, we, u, uoff, wb), keep = n;
        if (n < 0)
            return GDPRX_EINTERNAL;
        size_t next = we == oe ? oe : window_next(c->orig, ws, we, wb, n, &keep);
        for (long k = 0; k < keep; k++)
            if (add_break(c, p, wb[k]) != GDPRX_OK)
                return GDPRX_ENOMEM;
        ws = next;
    }
    return GDPRX_OK;
}

static const char *const sentence_locales[GX_NLANG] = {"en@ss=standard",
                                                      "fr@ss=standard",
                                                      "nl@ss=standard"};
#define PLAIN_LOCALE "en"   /* text of no known language */

void gx_segment_prepare(gdprx_rules *rs)
{
    for (int l = 0; l < GX_NLANG; l++) {
        UErrorCode st = U_ZERO_ERROR;
        UBreakIterator *bi =
            ubrk_open(UBRK_SENTENCE, sentence_locales[l], NULL, 0, &st);
        rs->lex[l].sentences = U_SUCCESS(st) ? bi : NULL;
    }
    UErrorCode st = U_ZERO_ERROR;
    UBreakIterator *bi = ubrk_open(UBRK_SENTENCE, PLAIN_LOCALE, NULL, 0, &st);
    rs->lex[0].sentences_plain = U_SUCCESS(st) ? bi : NULL;
}

/* This call's sentence breaker: a clone of the rule set's (ICU documents
 * cloning as thread-safe), else a new one. */
static UBreakIterator *open_breaker(const segctx *c, UErrorCode *st)
{
    const UBreakIterator *proto = c->doc_lang >= 0
                                      ? c->rs->lex[c->doc_lang].sentences
                                      : c->rs->lex[0].sentences_plain;
    if (proto)
#if U_ICU_VERSION_MAJOR_NUM >= 69
        return ubrk_clone(proto, st);
#else
        return ubrk_safeClone(proto, NULL, NULL, st);
#endif
    return ubrk_open(UBRK_SENTENCE,
                     c->doc_lang >= 0 ? sentence_locales[c->doc_lang]
                                      : PLAIN_LOCALE,
                     NULL, 0, st);
}

/* The sentence breaker and its scratch for one window: its UTF-16 text,
 * each unit's original offset and its breaks (at most one per unit), sized
 * for the longest paragraph up to GX_SENTENCE_WINDOW. */
static int open_sentences(segctx *c)
{
    UErrorCode st = U_ZERO_ERROR;
    c->bi = open_breaker(c, &st);
    if (U_FAILURE(st)) {
        c->bi = NULL;
        return gx_error_set(c->err, GDPRX_EINTERNAL,
                            "ICU sentence break iterator: %s", u_errorName(st));
    }
    size_t longest = 0;
    for (size_t i = 0; i < c->d->n_pa; i++) {
        const gx_para *p = &c->d->pa[i];
        size_t n = gx_text_oend(c->t, p->e) - gx_text_ostart(c->t, p->s);
        longest = n > longest ? n : longest;
    }
    size_t cap = (longest < GX_SENTENCE_WINDOW ? longest : GX_SENTENCE_WINDOW) + 1;
    c->u = malloc(cap * sizeof *c->u);
    c->uoff = malloc(cap * sizeof *c->uoff);
    c->wb = malloc(cap * sizeof *c->wb);
    return c->u && c->uoff && c->wb ? GDPRX_OK : gx_error_nomem(c->err);
}

/* ---- the line pass -------------------------------------------------------- */

/* Add a finished paragraph: a list item gets the list's lead-in; a text
 * paragraph ending with ':' becomes the lead-in of the items that follow. */
static int flush_para(gx_doc *d, const char *x, size_t s, size_t e, int item,
                      long *lead)
{
    if (add_para(d, s, e, item ? *lead : -1) != 0)
        return -1;
    if (!item)
        *lead = ends_with_any(x, s, e, ":") ? (long)d->n_pa - 1 : -1;
    return 0;
}

/* A Markdown ATX heading: 1 to 6 '#' then a space or the end of line. */
static int atx_heading(const char *x, size_t s, size_t le)
{
    size_t k = 0;
    while (s + k < le && x[s + k] == '#' && k < 7)
        k++;
    return k >= 1 && k <= 6 && (s + k == le || x[s + k] == ' ');
}

static size_t front_matter_end(const char *x, size_t n)
{
    if (n < 4 || memcmp(x, "---\n", 4) != 0)
        return 0;
    for (size_t i = 4; i + 3 <= n;) {
        const char *nl = memchr(x + i, '\n', n - i);
        size_t le = nl ? (size_t)(nl - x) : n;
        if (le - i == 3 && (!memcmp(x + i, "---", 3) || !memcmp(x + i, "...", 3)))
            return nl ? le + 1 : le;
        if (!nl)
            break;
        i = le + 1;
    }
    return 0;
}

/* The state of the line pass between lines. */
typedef struct lines {
    size_t para_s, para_e;  /* the paragraph being gathered, if in_para */
    int in_para, para_item, blank_before, after_colon;
    /* the last non-blank line was numbered ("2. ..."): the next numbered
     * line continues a list; num_hd is that line's heading, if it was made
     * one (-1 otherwise), with the span of its text */
    int prev_numbered;
    long num_hd;
    size_t num_s, num_e;
    /* the last numbered line's marker [num_ms, num_ms + num_mk) and its
     * depth: 1 for "7." or "2)", 2 for "7.1", 0 for "(a)" */
    size_t num_ms, num_mk;
    int prev_level;
    long lead;   /* the paragraph ending with ':' that opens a list */
} lines;

/* The depth of the number of marker [s, s + mk): how many groups of
 * digits it has ("7." 1, "7.1" 2, "2)" 1); 0 for letters ("(a)", "iv)"). */
static int marker_level(const char *x, size_t s, size_t mk)
{
    int level = 0, in = 0;
    for (size_t i = s; i < s + mk; i++) {
        int dig = x[i] >= '0' && x[i] <= '9';
        if (dig && !in)
            level++;
        else if (!dig && x[i] != '.' && x[i] != '(' && x[i] != ')' &&
                 x[i] != ' ')
            return 0;
        in = dig;
    }
    return level;
}

/* Whether marker [s, s + mk) numbers a subsection of marker [ps, ps + pmk):
 * "7.1 " under "7. ", "2.3.1 " under "2.3 " (the earlier number, its final
 * '.' or ')' dropped, then '.' and a digit). */
static int marker_extends(const char *x, size_t ps, size_t pmk, size_t s,
                          size_t mk)
{
    size_t n = pmk;
    while (n > 0 && (x[ps + n - 1] == ' ' || x[ps + n - 1] == '.' ||
                     x[ps + n - 1] == ')'))
        n--;
    if (n == 0 || marker_level(x, ps, pmk) == 0 || mk < n + 2)
        return 0;
    return !memcmp(x + ps, x + s, n) && x[s + n] == '.' &&
           x[s + n + 1] >= '0' && x[s + n + 1] <= '9';
}

/* What line [s, le) is (s: its first non-space byte). A numbered line that
 * continues a numbered "heading" turns that heading back into a list item
 * ("1. Access" then "2. Erasure"), unless it numbers a subsection of it
 * ("1. About this notice" then "1.1 We are ..."); a top-level number after
 * a subsection ("7.2 ..." then "8. Changes") may open a heading again.
 * Returns -1 when out of memory. */
static int classify(segctx *c, lines *st, size_t s, size_t le,
                    int blank_after, int *numbered, size_t *mk)
{
    const gx_text *t = c->t;
    const char *x = t->s;
    gx_doc *d = c->d;
    *numbered = 0;
    *mk = 0;
    if (s == le)
        return L_BLANK;
    if (x[s] == '{' && x[s + 1] == ':' && x[le - 1] == '}')
        return L_SKIP;    /* kramdown attribute line */
    if (atx_heading(x, s, le))
        return L_HEADING;
    if (only_chars(x + s, le - s, "-=*_|:"))
        return L_RULE;
    if ((*mk = list_marker(x, s, le, numbered)) > 0) {
        int sub = *numbered && st->prev_numbered &&
                  marker_extends(x, st->num_ms, st->num_mk, s, *mk);
        if (*numbered && st->prev_numbered && st->num_hd >= 0 &&
            st->num_hd == (long)d->n_hd - 1 && !sub) {
            d->n_hd--;
            if (add_para(d, st->num_s, st->num_e, st->lead) != 0)
                return -1;
        }
        int top_after_sub = *numbered && st->prev_level >= 2 &&
                            marker_level(x, s, *mk) == 1;
        return *numbered && !st->after_colon &&
                       (!st->prev_numbered || top_after_sub) &&
                       count_words(x, s + *mk, le) <= 14 &&
                       heading_like(t, c->orig, s + *mk, le, 1, 1, 0)
                   ? L_HEADING
                   : L_ITEM;
    }
    if (st->in_para)
        return L_TEXT;
    int h = heading_like(t, c->orig, s, le, st->blank_before, blank_after,
                         st->after_colon);
    return h == HEADING ? L_HEADING : h == TITLE ? L_TITLE : L_TEXT;
}

/* Whether line [s, le) reads as a "Label: value" field: at most eight
 * words (bold markers allowed) in its first 64 bytes before a ':' that a
 * value follows on the same line, not a time ("10:30") or a URL
 * ("https://"). */
static int field_line(const char *x, size_t s, size_t le)
{
    int words = 0, in = 0;
    for (size_t i = s; i < le && i - s <= 64; i++) {
        unsigned char ch = (unsigned char)x[i];
        if (ch == ':') {
            if (words == 0 || (i > s && x[i - 1] >= '0' && x[i - 1] <= '9'))
                return 0;
            size_t j = i + 1;
            while (j < le && (x[j] == ' ' || x[j] == '*' || x[j] == '_'))
                j++;
            return words <= 8 && j < le && j > i + 1 && x[j] != '/' &&
                   x[j] != '\n';
        }
        if (ch == '.' || ch == ',' || ch == ';' || ch == '?' || ch == '!' ||
            ch == '(' || ch == ')' || ch == '|' || ch == '"' || ch == '\n')
            return 0;
        int w = ch != ' ' && ch != '*' && ch != '_';
        if (w && !in)
            words++;
        in = w;
    }
    return 0;
}

/* The start of the last line of [s, e). */
static size_t last_line(const char *x, size_t s, size_t e)
{
    size_t k = e;
    while (k > s && x[k - 1] != '\n')
        k--;
    return k;
}

/* Act on line [s, le) of type ty: end the paragraph being gathered where
 * the line does not continue it, open headings, items and paragraphs. */
static int apply_line(segctx *c, lines *st, int ty, size_t s, size_t le,
                      size_t mk, int numbered)
{
    const char *x = c->t->s;
    gx_doc *d = c->d;
    if (ty == L_RULE && st->in_para && x[s] != '|' &&
        st->para_s < st->para_e &&
        !memchr(x + st->para_s, '\n', st->para_e - st->para_s) &&
        (x[s] == '=' || x[s] == '-') &&
        !ends_with_any(x, st->para_s, st->para_e, ".;:,")) {
        /* setext underline: the paragraph above was a heading */
        st->in_para = 0;
        if (add_heading(d, st->para_s, st->para_e, x[s] == '=' ? 1 : 2) != 0)
            return -1;
        st->lead = -1;
    }
    /* a table row ("| a | b |") is a paragraph of its own: the rows of a
     * table's body are not one run of text (table_para gives each row's
     * cells their column's header, counting the '|' of that row only) */
    int row = ty == L_TEXT && x[s] == '|' && memchr(x + s + 1, '|', le - s - 1);
    if ((ty != L_TEXT || row) && st->in_para) {
        if (flush_para(d, x, st->para_s, st->para_e, st->para_item,
                       &st->lead) != 0)
            return -1;
        st->in_para = 0;
    }
    if (ty == L_HEADING || ty == L_TITLE) {
        size_t hs = s, he = le;
        heading_text(x, &hs, &he);
        int level = 0;   /* a Markdown ATX heading: its number of '#' */
        if (atx_heading(x, s, le))
            while (x[s + level] == '#')
                level++;
        if (he > hs && add_heading(d, hs, he, level) != 0)
            return -1;
        if (ty == L_TITLE && add_para(d, s, le, -1) != 0)
            return -1;
        st->lead = -1;
        st->after_colon = 0;
    } else if (ty == L_ITEM) {
        st->in_para = 1;
        st->para_item = 1;
        st->para_s = s + mk;
        st->para_e = le;
    } else if (ty == L_TEXT) {
        /* a run of "Label: value" lines from the paragraph's first line
         * on ("Trip data: 90 days" over "Invoices: 7 years") is a list of
         * fields, one paragraph each, not one sentence */
        if (st->in_para && !st->para_item && !row && field_line(x, s, le) &&
            field_line(x, st->para_s, st->para_e) &&
            field_line(x, last_line(x, st->para_s, st->para_e), st->para_e)) {
            if (flush_para(d, x, st->para_s, st->para_e, 0, &st->lead) != 0)
                return -1;
            st->in_para = 0;
        }
        if (!st->in_para) {
            st->para_s = s;
            st->para_item = 0;
        }
        st->in_para = 1;
        st->para_e = le;
    }
    if (ty == L_TEXT || ty == L_ITEM)
        st->after_colon = ends_with_any(x, s, le, ":");
    if (ty != L_BLANK) {
        st->num_hd = numbered && ty == L_HEADING ? (long)d->n_hd - 1 : -1;
        st->num_s = s + mk;
        st->num_e = le;
        st->num_ms = s;
        st->num_mk = mk;
        st->prev_numbered = numbered;
        st->prev_level = numbered ? marker_level(x, s, mk) : 0;
    }
    st->blank_before = ty == L_BLANK || ty == L_HEADING || ty == L_TITLE ||
                       ty == L_RULE;
    return 0;
}

/* Lines -> headings and paragraphs (list items with their lead-in). */
static int lines_pass(segctx *c)
{
    const gx_text *t = c->t;
    const char *x = t->s;
    lines st;
    memset(&st, 0, sizeof st);
    st.blank_before = 1;
    st.num_hd = st.lead = -1;
    for (size_t i = front_matter_end(x, t->len); i < t->len;) {
        const char *nl = memchr(x + i, '\n', t->len - i);
        size_t le = nl ? (size_t)(nl - x) : t->len;
        size_t next = nl ? le + 1 : t->len;
        size_t s = skip_spaces(x, i, le), mk;
        int blank_after = next >= t->len || x[next] == '\n', numbered;
        int ty = classify(c, &st, s, le, blank_after, &numbered, &mk);
        if (ty < 0 || apply_line(c, &st, ty, s, le, mk, numbered) != 0)
            return -1;
        i = next;
    }
    if (st.in_para && flush_para(c->d, x, st.para_s, st.para_e,
                                 st.para_item, &st.lead) != 0)
        return -1;
    return 0;
}

/* ---- tables ---------------------------------------------------------- */

#define TABLE_COLS 32

/* Span of cell k of table row [s, e) ("| a | b |"), trimmed; 0 if none. */
static int cell_span(const char *x, size_t s, size_t e, size_t k,
                     size_t *cs, size_t *ce)
{
    size_t i = s;
    if (i < e && x[i] == '|')
        i++;
    for (size_t col = 0; i <= e; col++) {
        size_t j = i;
        while (j < e && x[j] != '|')
            j++;
        if (col == k) {
            while (i < j && (x[i] == ' ' || x[i] == '*'))
                i++;
            while (j > i && (x[j - 1] == ' ' || x[j - 1] == '*'))
                j--;
            *cs = i;
            *ce = j;
            return j > i;
        }
        if (j >= e)
            return 0;
        i = j + 1;
    }
    return 0;
}

/* Is [s, e) a table's separator line ("|---|:--:|")? */
static int separator_line(const char *x, size_t s, size_t e)
{
    int dash = 0;
    for (size_t i = s; i < e; i++) {
        if (x[i] == '-')
            dash = 1;
        else if (!strchr("|: ", x[i]))
            return 0;
    }
    return dash && memchr(x + s, '|', e - s) != NULL;
}

/* Tables: a row paragraph ("| ... |") followed by a separator line is a
 * header; the rows after it, up to the first paragraph that is no row, are
 * its body, whose cells get their column's header cell and their row's
 * first cell. Called at the start of each paragraph, in order. */
static void table_para(segctx *c, size_t i)
{
    const char *x = c->t->s;
    size_t len = c->t->len;
    const gx_para *p = &c->d->pa[i];
    c->row_cells = 0;
    c->table_row = x[p->s] == '|';
    if (!c->table_row) {
        c->head = -1;
        return;
    }
    size_t ls = p->e < len ? p->e + 1 : p->e, le = ls;
    while (le < len && x[le] != '\n')
        le++;
    if (separator_line(x, ls, le)) {
        c->head = (long)i;
        return;
    }
    c->row_cells = c->head >= 0;
    c->tcol = 0;
    c->tk = p->s + 1;   /* '|' counted once per row */
}

/* The column header and row cells of clauses d->cl[from, n_cl), all in
 * the current paragraph p (table_para). */
static void table_cells(segctx *c, const gx_para *p, size_t from)
{
    if (!c->row_cells)
        return;
    const char *x = c->t->s;
    const gx_para *h = &c->d->pa[c->head];
    for (size_t ci = from; ci < c->d->n_cl; ci++) {
        gx_clause *cl = &c->d->cl[ci];
        for (; c->tk < cl->s; c->tk++)
            c->tcol += x[c->tk] == '|';
        if (c->tcol >= TABLE_COLS)
            continue;
        cell_span(x, h->s, h->e, c->tcol, &cl->col_s, &cl->col_e);
        if (c->tcol > 0)
            cell_span(x, p->s, p->e, 0, &cl->row_s, &cl->row_e);
    }
}

/* Whether a part may start at normalized offset o: the concept scan of
 * text from o reads the same words as the scan of the whole text (o is the
 * start, or the byte before it is no word byte; see lib/scan.c). */
static int cut_ok(const gx_text *t, size_t o)
{
    if (o == 0 || o >= t->len)
        return 1;
    return !gx_word_byte((unsigned char)t->s[o - 1]);
}

/* Clauses of the sentences of paragraph c->pi from sentence c->ks on,
 * until the clauses since `start` (normalized offset) hold `max` bytes and
 * a sentence may start a part. Returns 1 when stopped inside the paragraph,
 * 0 at its end, or a GDPRX_E* status (error set). */
static int para_sentences(segctx *c, size_t start, size_t max)
{
    const gx_para *p = &c->d->pa[c->pi];
    int lang = p->lang >= 0 ? p->lang : c->doc_lang;
    if (!c->brk_ready) {
        int rc = para_breaks(c, p);
        if (rc != GDPRX_OK)
            return rc;
        c->brk_ready = 1;
        c->ks = 0;
        c->sent_s = c->sen_s = p->s;
        c->prev_s = c->prev_e = 0;
        table_para(c, c->pi);
    }
    /* the sentences: from p->s to the first break strictly after it, ... */
    while (c->ks <= c->n_brk) {
        size_t e = c->ks < c->n_brk ? c->brk[c->ks] : p->e, stop;
        if (c->sent_s > start && c->sent_s - start >= max &&
            cut_ok(c->t, c->sent_s))
            return 1;
        size_t from = c->d->n_cl;
        if (split_sentence(c, c->sent_s, e, lang, p->section, p->lead, start,
                           max, &stop) != 0)
            return gx_error_nomem(c->err);
        table_cells(c, p, from);
        if (!c->row_cells)   /* a sentence's neighbour; a cell has none */
            for (size_t ci = from; ci < c->d->n_cl; ci++) {
                c->d->cl[ci].prev_s = c->prev_s;
                c->d->cl[ci].prev_e = c->prev_e;
            }
        if (c->sent_s == c->sen_s)   /* the sentence's first clause */
            c->lcl_s = c->lcl_e = 0;
        for (size_t ci = from; ci < c->d->n_cl && !c->table_row; ci++) {
            gx_clause *cl = &c->d->cl[ci];   /* the clause before; no cell
                                                of any row has one */
            cl->pcl_s = c->lcl_s;
            cl->pcl_e = c->lcl_e;
            c->lcl_s = cl->s;
            c->lcl_e = cl->e;
        }
        c->sent_s = stop;
        if (stop < e)
            return 1;   /* cut inside the sentence (split_sentence) */
        c->prev_s = c->sen_s;   /* the sentence just done, trimmed */
        c->prev_e = e;
        while (c->prev_s < c->prev_e && c->t->s[c->prev_s] == ' ')
            c->prev_s++;
        while (c->prev_e > c->prev_s && c->t->s[c->prev_e - 1] == ' ')
            c->prev_e--;
        c->sen_s = e;
        c->ks++;
    }
    return 0;
}

int gx_segment_begin(gx_segcur **out, gx_doc *d, gx_text *t,
                     const char *orig, const gdprx_rules *rs, int doc_lang,
                     gdprx_error *err)
{
    memset(d, 0, sizeof *d);
    segctx *c = calloc(1, sizeof *c);
    if (!c)
        return gx_error_nomem(err);
    *c = (segctx){.d = d, .t = t, .orig = orig, .rs = rs,
                  .doc_lang = doc_lang, .err = err, .head = -1};
    int rc = GDPRX_OK;
    if (lines_pass(c) != 0) {
        rc = gx_error_nomem(err);
        goto fail;
    }
    /* a paragraph is one run of text: soft line breaks become spaces (the
     * normalizer already removed the spaces around them) */
    for (size_t i = 0; i < d->n_pa; i++)
        for (size_t k = d->pa[i].s; k < d->pa[i].e; k++)
            if (t->s[k] == '\n')
                t->s[k] = ' ';
    for (size_t i = 0; i < d->n_pa; i++)
        d->pa[i].lang = gx_langid(rs, t->s + d->pa[i].s, d->pa[i].e - d->pa[i].s,
                                  3, 2.0);
    if ((rc = open_sentences(c)) != GDPRX_OK)
        goto fail;
    if (!(c->md = pcre2_match_data_create(4, NULL))) {
        rc = gx_error_nomem(err);
        goto fail;
    }
    *out = c;
    return GDPRX_OK;
fail:
    gx_segment_end(c);
    gx_doc_free(d);
    return rc;
}

int gx_segment_next(gx_segcur *c, size_t max, size_t *lo, size_t *hi)
{
    const gx_text *t = c->t;
    gx_doc *d = c->d;
    d->n_cl = 0;
    size_t start = c->next_lo;
    *lo = start;
    if (max == 0)
        max = 1;
    while (c->pi < d->n_pa) {
        if (!c->brk_ready && c->pi > 0 && d->pa[c->pi].s - start >= max &&
            d->n_cl && cut_ok(t, d->pa[c->pi].s)) {
            *hi = c->next_lo = d->pa[c->pi].s;
            return GDPRX_OK;
        }
        int r = para_sentences(c, start, max);
        if (r < 0)
            return r;
        if (r == 1) {
            *hi = c->next_lo = c->sent_s;
            return GDPRX_OK;
        }
        c->pi++;
        c->brk_ready = 0;
    }
    *hi = c->next_lo = t->len;
    return GDPRX_OK;
}

int gx_segment_done(const gx_segcur *c)
{
    return c->pi >= c->d->n_pa;
}

void gx_segment_end(gx_segcur *c)
{
    if (!c)
        return;
    pcre2_match_data_free(c->md);
    if (c->bi)
        ubrk_close(c->bi);
    free(c->u);
    free(c->uoff);
    free(c->wb);
    free(c->brk);
    free(c);
}

int gx_segment(gx_doc *d, gx_text *t, const char *orig,
               const gdprx_rules *rs, int doc_lang, gdprx_error *err)
{
    gx_segcur *c;
    int rc = gx_segment_begin(&c, d, t, orig, rs, doc_lang, err);
    if (rc != GDPRX_OK)
        return rc;
    size_t lo, hi;
    rc = gx_segment_next(c, SIZE_MAX, &lo, &hi);
    gx_segment_end(c);
    if (rc != GDPRX_OK)
        gx_doc_free(d);
    return rc;
}

void gx_doc_free(gx_doc *d)
{
    free(d->hd);
    free(d->pa);
    free(d->cl);
    memset(d, 0, sizeof *d);
}

const uint64_t *gx_ctxmemo_bits(const gx_ctxmemo *x, size_t s, size_t e,
                                int lang)
{
    for (size_t i = 0; x && i < x->n; i++)
        if (x->v[i].s == s && x->v[i].e == e && x->v[i].lang == lang)
            return x->v[i].bits;
    return NULL;
}

void gx_ctxmemo_free(gx_ctxmemo *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++)
        free(x->v[i].bits);
    free(x->v);
    memset(x, 0, sizeof *x);
    x->lead = -1;
}
