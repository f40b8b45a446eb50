/* SPDX-License-Identifier: MIT */
/* Stage 1, normalization: gx_normalize() and gdprx_normalize(). Each case
 * gives the input, the normalized text and a few normalized positions with
 * the original byte span they must map back to; every case also checks the
 * offset map's invariants (ostart non-decreasing, ostart < oend, every value
 * on a UTF-8 boundary of the input, gx_text_npos() the inverse of ostart). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "normalize.h"
#include "util.h"

#define NOPOS ((size_t)-1)

typedef struct mapping {
    size_t n;      /* normalized byte position */
    size_t os, oe; /* expected original span; oe NOPOS: not checked;
                      oe 0 ends the list */
} mapping;

/* Strings with explicit lengths so that they may hold NUL bytes. */
#define S(lit) lit, sizeof(lit) - 1

static const struct case_ {
    const char *name;
    const char *in;
    size_t in_len;
    const char *want;
    size_t want_len;
    mapping map[5];
} cases[] = {
    {"lower case", S("We KEEP Data"), S("we keep data"),
     {{0, 0, 1}, {3, 3, 4}, {8, 8, 9}}},
    {"accents removed", S("Donn\xc3\xa9" "es"), S("donnees"),
     {{3, 3, 4}, {4, 4, 6}, {5, 6, 7}, {6, 7, 8}}},
    {"upper-case accents", S("\xc3\x89T\xc3\x89"), S("ete"),
     {{0, 0, 2}, {1, 2, 3}, {2, 3, 5}}},
    {"decomposed e + U+0301", S("Donne\xcc\x81" "es"), S("donnees"),
     {{4, 4, 7}, {5, 7, 8}, {6, 8, 9}}},
    {"ligature fi", S("\xef\xac\x81" "chier"), S("fichier"),
     {{0, 0, 3}, {1, 0, 3}, {2, 3, 4}}},
    {"full-width forms", S("\xef\xbc\xa1\xef\xbc\xa2" "c"), S("abc"),
     {{0, 0, 3}, {1, 3, 6}, {2, 6, 7}}},
    {"NBSP", S("a\xc2\xa0" "b"), S("a b"),
     {{1, 1, 3}, {2, 3, 4}}},
    {"narrow NBSP U+202F", S("a\xe2\x80\xaf" "b"), S("a b"),
     {{1, 1, 4}, {2, 4, 5}}},
    {"NBSP between spaces", S("a \xc2\xa0 b"), S("a b"),
     {{1, 1, 2}, {2, 5, 6}}},
    {"run of spaces and tabs", S("a   \t  b c"), S("a b c"),
     {{1, 1, 2}, {2, 7, 8}, {3, 8, 9}}},
    {"leading spaces dropped", S("   abc"), S("abc"),
     {{0, 3, 4}}},
    {"curly apostrophe", S("l\xe2\x80\x99utilisateur"), S("l'utilisateur"),
     {{1, 1, 4}, {2, 4, 5}}},
    {"modifier apostrophe and acute accent",
     S("l\xca\xbc" "a l\xc2\xb4" "b"), S("l'a l'b"),
     {{1, 1, 3}, {5, 6, 8}}},
    {"curly double quotes", S("\xe2\x80\x9cyes\xe2\x80\x9d"), S("\"yes\""),
     {{0, 0, 3}, {1, 3, 4}, {4, 6, 9}}},
    {"guillemets with NBSP", S("\xc2\xab\xc2\xa0oui\xc2\xa0\xc2\xbb"),
     S("\" oui \""), {{0, 0, 2}, {1, 2, 4}, {2, 4, 5}, {6, 9, 11}}},
    {"dashes", S("e\xe2\x80\x93mail a\xe2\x80\x94" "b c\xe2\x88\x92" "d"),
     S("e-mail a-b c-d"), {{1, 1, 4}, {8, 10, 13}, {12, 16, 19}}},
    {"CRLF is one line break", S("ab\r\ncd"), S("ab\ncd"),
     {{2, 2, NOPOS}, {3, 4, 5}}},
    {"lone CR is a line break", S("ab\rcd"), S("ab\ncd"),
     {{2, 2, 3}, {3, 3, 4}}},
    {"blank lines: at most one empty line", S("a\r\n\r\n\r\n\r\nb"),
     S("a\n\nb"), {{0, 0, 1}, {1, 1, NOPOS}, {3, 9, 10}}},
    {"spaces before a line break removed", S("a  \nb"), S("a\nb"),
     {{1, 3, 4}, {2, 4, 5}}},
    {"emoji kept", S("ok \xf0\x9f\x98\x80 fine"), S("ok \xf0\x9f\x98\x80 fine"),
     {{3, 3, 7}, {4, 3, 7}, {6, 3, 7}, {7, 7, 8}}},
    {"NUL read as a space", S("a\0b"), S("a b"),
     {{1, 1, 2}, {2, 2, 3}}},
    {"NULs and controls collapse", S("a\0\x01\x1f\x7f" "b"), S("a b"),
     {{1, 1, 2}, {2, 5, 6}}},
    {"C1 control read as a space", S("a\xc2\x85" "b\xc2\x80" "c"),
     S("a\nb c"), {{1, 1, 3}, {3, 4, 6}}},
    {"sharp s", S("Stra\xc3\x9f" "e"), S("strasse"),
     {{4, 4, 6}, {5, 4, 6}, {6, 6, 7}}},
    {"capital sharp s U+1E9E", S("\xe1\xba\x9e"), S("ss"),
     {{0, 0, 3}, {1, 0, 3}}},
    {"mixed French", S("Vos donn\xc3\xa9" "es\xc2\xa0: l\xe2\x80\x99" "adresse"),
     S("vos donnees : l'adresse"),
     {{8, 8, 10}, {9, 10, 11}, {11, 12, 14}, {12, 14, 15}, {15, 17, 20}}},
    {"Dutch diaeresis", S("co\xc3\xb6rdinatie \xc3\xa9\xc3\xa9n"),
     S("coordinatie een"), {{2, 2, 4}, {12, 13, 15}, {13, 15, 17}}},
    {"fold longer than written: U+FDFA stays", S("a \xef\xb7\xba b"),
     S("a \xef\xb7\xba b"), {{2, 2, 5}, {4, 2, 5}, {6, 6, 7}}},
    {"fold longer than written: a Hangul syllable stays",
     S("\xed\x95\x9c!"), S("\xed\x95\x9c!"), {{0, 0, 3}, {3, 3, 4}}},
    {"fold longer than written: one half stays", S("\xc2\xbd h"),
     S("\xc2\xbd h"), {{0, 0, 2}, {1, 0, 2}, {3, 3, 4}}},
    {"empty", S(""), S(""), {{0, 0, 0}}},
};

static int boundary(const char *in, size_t len, size_t o)
{
    return o == len || (o < len && ((unsigned char)in[o] & 0xC0) != 0x80);
}

/* The invariants of normalize.h, for any input. */
static void check_map(const char *name, const gx_text *t, const char *in,
                      size_t len)
{
    ck_assert_msg(t->orig_len == len, "%s: orig_len %zu, want %zu", name,
                  t->orig_len, len);
    ck_assert_msg(gx_text_ostart(t, t->len) == len, "%s: ostart[len] %zu, want %zu",
                  name, gx_text_ostart(t, t->len), len);
    ck_assert_msg(t->s[t->len] == '\0', "%s: not NUL-terminated", name);
    for (size_t i = 0; i < t->len; i++) {
        ck_assert_msg(gx_text_ostart(t, i) < gx_text_oend(t, i + 1),
                      "%s: ostart[%zu]=%zu not < oend=%zu", name, i,
                      gx_text_ostart(t, i), gx_text_oend(t, i + 1));
        ck_assert_msg(gx_text_oend(t, i + 1) <= len, "%s: oend[%zu]=%zu past the input",
                      name, i, gx_text_oend(t, i + 1));
        ck_assert_msg(gx_text_ostart(t, i) <= gx_text_ostart(t, i + 1),
                      "%s: ostart decreases at %zu (%zu > %zu)", name, i,
                      gx_text_ostart(t, i), gx_text_ostart(t, i + 1));
        ck_assert_msg(boundary(in, len, gx_text_ostart(t, i)) &&
                          boundary(in, len, gx_text_oend(t, i + 1)),
                      "%s: byte %zu maps to %zu-%zu, not UTF-8 boundaries",
                      name, i, gx_text_ostart(t, i), gx_text_oend(t, i + 1));
        /* inverse: npos of ostart[i] is the first byte with that source */
        size_t np = gx_text_npos(t, gx_text_ostart(t, i));
        ck_assert_msg(np <= i && gx_text_ostart(t, np) == gx_text_ostart(t, i) &&
                          (np == 0 || gx_text_ostart(t, np - 1) < gx_text_ostart(t, i)),
                      "%s: npos(%zu) = %zu for byte %zu", name, gx_text_ostart(t, i),
                      np, i);
    }
    ck_assert_msg(gx_text_npos(t, len) == t->len ||
                      gx_text_ostart(t, gx_text_npos(t, len)) >= len,
                  "%s: npos(len) = %zu", name, gx_text_npos(t, len));
    /* npos of every original offset: first byte whose source starts there
     * or later */
    for (size_t o = 0; o <= len; o++) {
        size_t np = gx_text_npos(t, o);
        ck_assert_msg(np <= t->len, "%s: npos(%zu) past the end", name, o);
        ck_assert_msg((np == t->len || gx_text_ostart(t, np) >= o) &&
                          (np == 0 || gx_text_ostart(t, np - 1) < o),
                      "%s: npos(%zu) = %zu is not the first byte at or after",
                      name, o, np);
    }
}

START_TEST(test_normalize)
{
    const struct case_ *c = &cases[_i];
    gx_text t;
    gdprx_error err;
    int rc = gx_normalize(&t, c->in, c->in_len, 0, &err);
    ck_assert_msg(rc == GDPRX_OK, "%s: rc %d (%s)", c->name, rc, err.message);
    ck_assert_msg(t.len == c->want_len && !memcmp(t.s, c->want, t.len),
                  "%s: got \"%.*s\" (%zu bytes), want \"%s\"", c->name,
                  (int)t.len, t.s, t.len, c->want);
    ck_assert_msg(t.n_replaced == 0, "%s: %zu replaced", c->name,
                  t.n_replaced);
    for (const mapping *m = c->map; m < c->map + N(c->map) && m->oe; m++) {
        ck_assert_msg(m->n < t.len, "%s: position %zu out of range", c->name,
                      m->n);
        ck_assert_msg(gx_text_ostart(&t, m->n) == m->os,
                      "%s: ostart[%zu] = %zu, want %zu", c->name, m->n,
                      gx_text_ostart(&t, m->n), m->os);
        if (m->oe != NOPOS)
            ck_assert_msg(gx_text_oend(&t, m->n + 1) == m->oe,
                          "%s: oend[%zu] = %zu, want %zu", c->name, m->n,
                          gx_text_oend(&t, m->n + 1), m->oe);
        ck_assert_msg(gx_text_npos(&t, m->os) <= m->n,
                      "%s: npos(%zu) = %zu, want <= %zu", c->name, m->os,
                      gx_text_npos(&t, m->os), m->n);
    }
    check_map(c->name, &t, c->in, c->in_len);
    gx_text_free(&t);
}
END_TEST

/* The public function gives the same text as the internal one. */
START_TEST(test_public_normalize)
{
    const struct case_ *c = &cases[_i];
    char *out = NULL;
    size_t n = 12345;
    gdprx_error err;
    int rc = gdprx_normalize(&out, &n, c->in, c->in_len, 0, &err);
    ck_assert_msg(rc == GDPRX_OK, "%s: rc %d (%s)", c->name, rc, err.message);
    ck_assert_msg(out != NULL, "%s: NULL output", c->name);
    ck_assert_msg(n == c->want_len && !memcmp(out, c->want, n) &&
                      out[n] == '\0',
                  "%s: got \"%.*s\" (%zu bytes), want \"%s\"", c->name, (int)n,
                  out, n, c->want);
    gdprx_free(out);
    /* out_len may be NULL */
    out = NULL;
    rc = gdprx_normalize(&out, NULL, c->in, c->in_len, 0, NULL);
    ck_assert_msg(rc == GDPRX_OK && out != NULL &&
                      !memcmp(out, c->want, c->want_len),
                  "%s: without out_len: rc %d", c->name, rc);
    gdprx_free(out);
}
END_TEST

/* Normalizing normalized text changes nothing (rule authors paste the
 * output of `gdprx normalize` into patterns). */
START_TEST(test_idempotent)
{
    const struct case_ *c = &cases[_i];
    char *once = NULL, *twice = NULL;
    size_t n1 = 0, n2 = 0;
    ck_assert_msg(gdprx_normalize(&once, &n1, c->in, c->in_len, 0, NULL) ==
                      GDPRX_OK, "%s: first pass", c->name);
    ck_assert_msg(gdprx_normalize(&twice, &n2, once, n1, 0, NULL) == GDPRX_OK,
                  "%s: second pass", c->name);
    ck_assert_msg(n1 == n2 && !memcmp(once, twice, n1),
                  "%s: \"%s\" normalizes to \"%s\"", c->name, once, twice);
    gdprx_free(once);
    gdprx_free(twice);
}
END_TEST

/* A longer text mixing everything, through the chunking of the
 * normalizer: the invariants hold over many chunks. */
START_TEST(test_long_mixed)
{
    static const char piece[] =
        "Vos donn\xc3\xa9" "es \xc2\xab\xc2\xa0priv\xc3\xa9" "es\xc2\xa0\xc2\xbb "
        "Donne\xcc\x81" "es \xef\xac\x81" "chier STRA\xc3\x9f" "E "
        "\xf0\x9f\x98\x80 l\xe2\x80\x99" "app\r\n\t \xe2\x80\x94 "
        "a\xcc\x81\xcc\x81\xcc\x81\xcc\x81 \xe2\x80\xaf" "x\r\n\r\n";
    size_t pl = sizeof piece - 1, reps = 300, len = pl * reps;
    char *in = malloc(len);
    ck_assert_msg(in != NULL, "long mixed: malloc");
    for (size_t k = 0; k < reps; k++)
        memcpy(in + k * pl, piece, pl);
    gx_text t;
    gdprx_error err;
    int rc = gx_normalize(&t, in, len, 0, &err);
    ck_assert_msg(rc == GDPRX_OK, "long mixed: rc %d (%s)", rc, err.message);
    ck_assert_msg(strstr(t.s, "vos donnees \" privees \" donnees fichier "
                              "strasse \xf0\x9f\x98\x80 l'app\n- a x\n\nvos") !=
                      NULL,
                  "long mixed: got \"%.200s\"", t.s);
    check_map("long mixed", &t, in, len);
    gx_text_free(&t);
    free(in);
}
END_TEST

/* ---- errors ----------------------------------------------------------- */

static const struct bad {
    const char *name;
    const char *in;
    size_t in_len;
    long long offset;   /* first bad byte */
    size_t n_invalid;   /* invalid bytes, each read as U+FFFD on request */
    const char *replaced; /* normalized text as gdprx_normalize() shows it:
                             one U+FFFD per run of invalid bytes */
    size_t replaced_len;
} bad[] = {
    {"overlong C0 80", S("ab\xc0\x80" "cd"), 2, 2,
     S("ab\xef\xbf\xbd" "cd")},
    {"surrogate ED A0 80", S("abc\xed\xa0\x80"), 3, 3,
     S("abc\xef\xbf\xbd")},
    {"truncated E2 82 at the end", S("x\xe2\x82"), 1, 2,
     S("x\xef\xbf\xbd")},
    {"truncated E2 82 inside", S("\xe2\x82\xac ok \xe2\x82 z"), 7, 2,
     S("\xe2\x82\xac ok \xef\xbf\xbd z")},
    {"stray continuation 0x80", S("\x80"), 0, 1, S("\xef\xbf\xbd")},
    {"stray 0x80 after text", S("We keep\x80 it"), 7, 1,
     S("we keep\xef\xbf\xbd it")},
    {"F5 lead byte", S("a\xf5\x80\x80\x80"), 1, 4,
     S("a\xef\xbf\xbd")},
    {"above U+10FFFF", S("ok \xf4\x90\x80\x80"), 3, 4,
     S("ok \xef\xbf\xbd")},
    {"overlong E0 80 AF", S("\xc3\xa9t\xc3\xa9 \xe0\x80\xaf"), 6, 3,
     S("ete \xef\xbf\xbd")},
    {"FF byte after an accent", S("caf\xc3\xa9\xff"), 5, 1,
     S("cafe\xef\xbf\xbd")},
    {"bad byte after a combining mark", S("e\xcc\x81\xfe" "x"), 3, 1,
     S("e\xef\xbf\xbdx")},
    {"two runs: one U+FFFD each", S("a\xff\xfe b \x80\xc3\xa9"), 1, 3,
     S("a\xef\xbf\xbd b \xef\xbf\xbd" "e")},
};

static void check_offset_message(const char *name, const gdprx_error *err,
                                 long long want)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", want);
    ck_assert_msg(err->offset == want, "%s: err.offset %lld, want %lld", name,
                  err->offset, want);
    ck_assert_msg(strstr(err->message, num) != NULL,
                  "%s: message \"%s\" lacks the offset %s", name,
                  err->message, num);
    ck_assert_msg(err->code == GDPRX_EUTF8, "%s: err.code %d", name,
                  err->code);
}

START_TEST(test_invalid_utf8)
{
    const struct bad *c = &bad[_i];
    gx_text t;
    gdprx_error err;
    int rc = gx_normalize(&t, c->in, c->in_len, 0, &err);
    ck_assert_msg(rc == GDPRX_EUTF8, "%s: rc %d, want GDPRX_EUTF8", c->name,
                  rc);
    check_offset_message(c->name, &err, c->offset);
    ck_assert_msg(t.s == NULL && t.len == 0, "%s: text not freed", c->name);

    char *out = (char *)"unchanged";
    size_t n = 777;
    rc = gdprx_normalize(&out, &n, c->in, c->in_len, 0, &err);
    ck_assert_msg(rc == GDPRX_EUTF8, "%s: public rc %d", c->name, rc);
    ck_assert_msg(!strcmp(out, "unchanged") && n == 777,
                  "%s: out-parameters changed on failure", c->name);
    check_offset_message(c->name, &err, c->offset);
}
END_TEST

START_TEST(test_replace_invalid)
{
    const struct bad *c = &bad[_i];
    gx_text t;
    gdprx_error err;
    int rc = gx_normalize(&t, c->in, c->in_len, GDPRX_OPT_REPLACE_INVALID,
                          &err);
    ck_assert_msg(rc == GDPRX_OK, "%s: rc %d (%s)", c->name, rc, err.message);
    /* inside, each run is one GX_REPLACED byte where the public text has
     * U+FFFD */
    char want[64];
    size_t nw = 0;
    for (size_t i = 0; i < c->replaced_len; i++) {
        ck_assert(nw < sizeof want);
        if (!memcmp(c->replaced + i, "\xef\xbf\xbd", 3) &&
            i + 3 <= c->replaced_len) {
            want[nw++] = GX_REPLACED;
            i += 2;
        } else {
            want[nw++] = c->replaced[i];
        }
    }
    ck_assert_msg(t.len == nw && !memcmp(t.s, want, nw),
                  "%s: got \"%.*s\"", c->name, (int)t.len, t.s);
    ck_assert_msg(t.n_replaced == c->n_invalid,
                  "%s: n_replaced %zu, want %zu", c->name, t.n_replaced,
                  c->n_invalid);
    ck_assert_msg(t.first_replaced == (size_t)c->offset,
                  "%s: first_replaced %zu, want %lld", c->name,
                  t.first_replaced, c->offset);
    /* the stand-in maps back to the whole first run of bad bytes */
    size_t run = 0;
    uint32_t cp;
    while (c->offset + run < c->in_len &&
           gx_utf8_decode((const unsigned char *)c->in, c->in_len,
                          (size_t)c->offset + run, &cp) == 0)
        run++;
    const char *sub = memchr(t.s, GX_REPLACED, t.len);
    ck_assert_msg(sub != NULL, "%s: no stand-in", c->name);
    size_t np = (size_t)(sub - t.s);
    ck_assert_msg(gx_text_ostart(&t, np) == (size_t)c->offset &&
                      gx_text_oend(&t, np + 1) == (size_t)c->offset + run,
                  "%s: the stand-in maps to %zu-%zu, want %lld-%lld",
                  c->name, gx_text_ostart(&t, np), gx_text_oend(&t, np + 1),
                  c->offset, c->offset + (long long)run);
    /* ostart is non-decreasing and within the input; the bad bytes are not
     * boundaries of valid UTF-8, so only the general invariants apply */
    for (size_t i = 0; i < t.len; i++)
        ck_assert_msg(gx_text_ostart(&t, i) <= gx_text_ostart(&t, i + 1) &&
                          gx_text_ostart(&t, i) < gx_text_oend(&t, i + 1) && gx_text_oend(&t, i + 1) <= c->in_len,
                      "%s: bad map at %zu", c->name, i);
    gx_text_free(&t);

    char *out = NULL;
    size_t n = 0;
    rc = gdprx_normalize(&out, &n, c->in, c->in_len,
                         GDPRX_OPT_REPLACE_INVALID, &err);
    ck_assert_msg(rc == GDPRX_OK && n == c->replaced_len &&
                      !memcmp(out, c->replaced, n) && out[n] == '\0',
                  "%s: public: rc %d", c->name, rc);
    gdprx_free(out);
}
END_TEST

/* The sparse offset map: spans that do not fit a one-byte code (a long run
 * of collapsed white space, a character with many combining marks) on both
 * sides of block boundaries, against the span each byte must have. */
/* No text grows: every Unicode scalar value, alone and after a letter (so
 * that marks compose), normalizes to at most its own bytes; so the
 * normalized text and its map stay within the input's size. */
START_TEST(test_never_longer)
{
    size_t cap = 0x110000 * 6, len = 0;
    char *in = malloc(cap);
    ck_assert_ptr_nonnull(in);
    for (uint32_t cp = 0x80; cp < 0x110000; cp++) {
        if (cp >= 0xD800 && cp < 0xE000)
            continue;
        if (cp % 2)
            in[len++] = 'a';
        len += (size_t)gx_utf8_encode(cp, in + len);
        in[len++] = cp % 3 ? ' ' : '\n';
    }
    gx_text t;
    gdprx_error err;
    ck_assert_msg(gx_normalize(&t, in, len, 0, &err) == GDPRX_OK, "%s",
                  err.message);
    ck_assert_msg(t.len <= len, "%zu bytes normalize to %zu", len, t.len);
    /* each character alone too (a longer one hides in the total above) */
    for (uint32_t cp = 0x80; cp < 0x110000; cp += cp < 0x3400 ? 1 : 7) {
        if (cp >= 0xD800 && cp < 0xE000)
            continue;
        char one[4];
        int n = gx_utf8_encode(cp, one);
        gx_text u;
        ck_assert(gx_normalize(&u, one, (size_t)n, 0, &err) == GDPRX_OK);
        ck_assert_msg(u.len <= (size_t)n, "U+%04X: %d bytes normalize to %zu",
                      (unsigned)cp, n, u.len);
        gx_text_free(&u);
    }
    gx_text_free(&t);
    free(in);
}
END_TEST

/* gx_text_trim gives back the growth's capacity and keeps the text and its
 * map; the text still grows after it. */
START_TEST(test_trim)
{
    gx_text t;
    memset(&t, 0, sizeof t);
    size_t os = 0;
    for (int i = 0; i < 3000; i++) {   /* pieces of 1-7 bytes, spans 1-40 */
        char piece[8] = "abcdefg";
        size_t n = (size_t)(i % 7) + 1, w = (size_t)(i * 13 % 40) + 1;
        ck_assert_int_eq(gx_text_append(&t, piece, n, os, os + w), 0);
        os += w + (size_t)(i % 3);
    }
    ck_assert_uint_gt(t.cap, t.len + 1);   /* grown by doubling */
    size_t len = t.len;
    char *s = malloc(len + 1);
    size_t *st = malloc(len * sizeof *st), *en = malloc(len * sizeof *en);
    ck_assert(s && st && en);
    memcpy(s, t.s, len + 1);
    for (size_t i = 0; i < len; i++) {
        st[i] = gx_text_ostart(&t, i);
        en[i] = gx_text_oend(&t, i + 1);
    }
    gx_text_trim(&t);
    ck_assert_uint_eq(t.cap, len + 1);
    ck_assert_uint_eq(t.len, len);
    ck_assert_mem_eq(t.s, s, len + 1);
    for (size_t i = 0; i < len; i++) {
        ck_assert_uint_eq(gx_text_ostart(&t, i), st[i]);
        ck_assert_uint_eq(gx_text_oend(&t, i + 1), en[i]);
    }
    ck_assert_int_eq(gx_text_append(&t, "xyz", 3, os, os + 3), 0);
    ck_assert_uint_eq(t.len, len + 3);
    ck_assert_str_eq(t.s + len, "xyz");
    ck_assert_uint_eq(gx_text_ostart(&t, len + 2), os);
    free(s);
    free(st);
    free(en);
    gx_text_free(&t);
}
END_TEST

START_TEST(test_sparse_map)
{
    static const struct case_ {
        const char *name, *unit;
        size_t n_units;
        int esc;   /* whether some span must be escaped */
    } rows[] = {
        {"long space runs", "ab                                        c", 30, 1},
        {"many combining marks",
         "e\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81"
         "\xcc\x81x ", 40, 1},
        {"blank lines", "word\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n", 50, 1},
        {"mixed", "Caf\xc3\xa9 \xef\xac\x81n   \xe2\x80\x99s\t\t", 60, 0},
    };
    for (size_t r = 0; r < N(rows); r++) {
        size_t ul = strlen(rows[r].unit), len = ul * rows[r].n_units;
        char *in = malloc(len + 1);
        ck_assert_ptr_nonnull(in);
        for (size_t k = 0; k < rows[r].n_units; k++)
            memcpy(in + k * ul, rows[r].unit, ul);
        gx_text t;
        gdprx_error err;
        ck_assert_msg(gx_normalize(&t, in, len, 0, &err) == GDPRX_OK,
                      "%s: %s", rows[r].name, err.message);
        check_map(rows[r].name, &t, in, len);
        /* every normalized 'c', 'x' or 'w' comes from that very byte */
        for (size_t i = 0; i < t.len; i++)
            if (t.s[i] == 'c' || t.s[i] == 'x' || t.s[i] == 'w') {
                size_t os = gx_text_ostart(&t, i);
                ck_assert_msg((in[os] | 0x20) == t.s[i] &&
                                  gx_text_oend(&t, i + 1) == os + 1,
                              "%s: byte %zu ('%c') maps to %zu-%zu",
                              rows[r].name, i, t.s[i], os,
                              gx_text_oend(&t, i + 1));
            }
        ck_assert_msg((t.n_esc > 0) == rows[r].esc, "%s: escaped spans: %zu", rows[r].name,
                      t.n_esc);
        gx_text_free(&t);
        free(in);
    }
}
END_TEST

START_TEST(test_empty)
{
    gx_text t;
    gdprx_error err;
    ck_assert_msg(gx_normalize(&t, "", 0, 0, &err) == GDPRX_OK,
                  "empty: %s", err.message);
    ck_assert_msg(t.len == 0 && t.s != NULL && t.s[0] == '\0' &&
                      gx_text_ostart(&t, 0) == 0 && gx_text_npos(&t, 0) == 0,
                  "empty: len %zu", t.len);
    gx_text_free(&t);
    /* a non-NUL-terminated buffer of length 0 is not read */
    static const char junk[] = {'\xff'};
    ck_assert_msg(gx_normalize(&t, junk, 0, 0, &err) == GDPRX_OK,
                  "empty with junk after: %s", err.message);
    ck_assert_msg(t.len == 0, "empty with junk after: len %zu", t.len);
    gx_text_free(&t);

    char *out = NULL;
    size_t n = 99;
    ck_assert_msg(gdprx_normalize(&out, &n, NULL, 0, 0, &err) == GDPRX_OK,
                  "empty NULL text: %s", err.message);
    ck_assert_msg(out != NULL && n == 0 && out[0] == '\0',
                  "empty NULL text: len %zu", n);
    gdprx_free(out);
    /* only spaces and controls: nothing left */
    ck_assert_msg(gdprx_normalize(&out, &n, " \t\0\r\n ", 6, 0, &err) ==
                      GDPRX_OK, "only spaces: %s", err.message);
    ck_assert_msg(n == 0, "only spaces: got \"%s\"", out);
    gdprx_free(out);
}
END_TEST

START_TEST(test_bad_arguments)
{
    gdprx_error err;
    size_t n = 5;
    ck_assert_msg(gdprx_normalize(NULL, &n, "a", 1, 0, &err) == GDPRX_EINVAL &&
                      err.code == GDPRX_EINVAL,
                  "NULL out: %s", err.message);
    char *out = (char *)"unchanged";
    ck_assert_msg(gdprx_normalize(&out, &n, NULL, 3, 0, &err) ==
                      GDPRX_EINVAL, "NULL text with len 3");
    ck_assert_msg(!strcmp(out, "unchanged") && n == 5,
                  "NULL text: out-parameters changed");
    ck_assert_msg(gdprx_normalize(NULL, NULL, NULL, 3, 0, NULL) ==
                      GDPRX_EINVAL, "all NULL, no err");
}
END_TEST

static Suite *stage_suite(void)
{
    Suite *s = suite_create("normalize");
    TCase *core = tcase_create("core");
    tcase_add_loop_test(core, test_normalize, 0, N(cases));
    tcase_add_loop_test(core, test_public_normalize, 0, N(cases));
    tcase_add_loop_test(core, test_idempotent, 0, N(cases));
    tcase_add_test(core, test_long_mixed);
    tcase_add_test(core, test_sparse_map);
    tcase_add_test(core, test_never_longer);
    tcase_add_test(core, test_trim);
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("errors");
    tcase_add_loop_test(errors, test_invalid_utf8, 0, N(bad));
    tcase_add_loop_test(errors, test_replace_invalid, 0, N(bad));
    tcase_add_test(errors, test_empty);
    tcase_add_test(errors, test_bad_arguments);
    suite_add_tcase(s, errors);
    return s;
}

int main(void) { return run_suite(stage_suite()); }
