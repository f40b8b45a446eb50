/* SPDX-License-Identifier: MIT */
/* Tests of stage 0, HTML input (lib/html.c): the visible text and its
 * structure, the offset map, detection, and malformed markup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "html.h"

/* HTML in, the Markdown-like text the pipeline reads out. */
static const struct case_ {
    const char *name, *in, *want;
} cases[] = {
    {"paragraphs", "<p>One.</p><p>Two.</p>", "One.\n\nTwo."},
    {"heading", "<h2>Your  rights</h2><p>Text</p>", "## Your rights\n\nText"},
    {"heading br", "<h3>A<br>B</h3>", "### A B"},
    {"list", "<p>We keep:</p><ul><li>a</li><li>b</li></ul>",
     "We keep:\n\n- a\n- b"},
    {"ordered nested", "<ol><li>x<ul><li>y</li></ul></li><li>z</li></ol>",
     "1. x\n  - y\n2. z"},
    {"br", "<p>a<br>b</p>", "a\nb"},
    {"whitespace", "<p>  a \n\t b  </p>", "a b"},
    {"entities", "<p>&eacute;t&eacute; &amp; caf&#233; &#x2014; &lt;b&gt;</p>",
     "\xC3\xA9t\xC3\xA9 & caf\xC3\xA9 \xE2\x80\x94 <b>"},
    {"legacy entity", "<p>&copy 2024 AT&T</p>", "\xC2\xA9 2024 AT&T"},
    {"numeric 1252", "<p>&#146;</p>", "\xE2\x80\x99"},
    {"script style", "<p>a</p><script>x = '<p>no</p>'</script>"
     "<style>p{}</style><p>b</p>", "a\n\nb"},
    {"comment cdata", "<p>a<!-- no --><![CDATA[ no ]]>b</p>", "ab"},
    {"hidden", "<p>a</p><p hidden>no</p><div aria-hidden=\"true\">no</div>"
     "<span style=\"display: none\">no</span><p>b</p>", "a\n\nb"},
    {"chrome", "<nav>no</nav><div class=\"cookie-banner\">no</div>"
     "<footer>no</footer><p>yes</p>", "yes"},
    {"cookie section kept", "<section id=\"cookies\"><p>yes</p></section>",
     "yes"},
    {"main only", "<div>no</div><main><p>yes</p></main><div>no</div>", "yes"},
    {"table header", "<table><tr><th>A</th><th>B</th></tr>"
     "<tr><td>x</td><td>y</td></tr></table>",
     "| A | B |\n| --- | --- |\n| x | y |"},
    {"table no header", "<table><tr><td>x</td><td>y</td></tr></table>",
     "|  |  |\n| --- | --- |\n| x | y |"},
    {"nested table", "<table><tr><th>A</th><th>B</th></tr><tr><td>x</td><td>"
     "<table><tr><td>p</td><td>q</td></tr></table></td></tr></table>",
     "| A | B |\n| --- | --- |\n| x | p; q |"},
    {"cell paragraphs", "<table><tr><th>A</th></tr><tr><td><p>One.</p>"
     "<p>Two</p><p>Three</p></td></tr></table>",
     "| A |\n| --- |\n| One. Two; Three |"},
    {"unclosed", "<p>a <b>b <i>c</p><p>d", "a b c\n\nd"},
    {"stray lt", "<p>a < b and c<d</p><p>e</p>", "a < b and c\n\ne"},
    {"truncated entity", "<p>a &am", "a &am"},
    {"truncated numeric", "<p>x &#x", "x &#x"},
    {"ignored end tag", "<p>ab</span>cd</p>", "abcd"},
    {"crlf", "<p>a\r\nb</p>", "a b"},
};

/* HTML span [os, oe) of text byte i of h. */
static size_t os_of(const gx_html *h, size_t i)
{
    return gx_text_ostart(&h->t, i);
}

static size_t oe_of(const gx_html *h, size_t i)
{
    return gx_text_oend(&h->t, i + 1);
}

/* The map's invariants, and: every byte that is no separator maps to
 * source bytes that contain it or the reference that gave it. */
static void check_map(const gx_html *h, const char *in, size_t n,
                      const char *name)
{
    ck_assert_msg(os_of(h, h->t.len) == n, "%s: ostart[len]", name);
    ck_assert_msg(h->t.s[h->t.len] == '\0', "%s: NUL at len", name);
    for (size_t i = 0; i < h->t.len; i++) {
        size_t s = os_of(h, i), e = oe_of(h, i);
        ck_assert_msg(s <= e && e <= n, "%s: byte %zu maps to [%zu, %zu)",
                      name, i, s, e);
        unsigned char c = (unsigned char)h->t.s[i];
        if (e > s && c < 0x80 && c != ' ' && c != '\n' && in[s] != '&')
            ck_assert_msg(in[s] == (char)c, "%s: byte %zu '%c' maps to '%c'",
                          name, i, c, in[s]);
    }
}

START_TEST(visible_text)
{
    const struct case_ *c = &cases[_i];
    gx_html h;
    gdprx_error err;
    size_t n = strlen(c->in);
    ck_assert_int_eq(gx_html_to_text(&h, c->in, n, 0, 0, 0, &err), GDPRX_OK);
    ck_assert_msg(!strcmp(h.t.s, c->want), "%s: got \"%s\"", c->name,
                  h.t.s);
    check_map(&h, c->in, n, c->name);
    gx_html_free(&h);
}
END_TEST

/* Invalid bytes in a text node: the text holds the page's bytes (the
 * normalizer reads each run as U+FFFD), each mapped to itself, a '~' of the
 * page stays one, and the text after them keeps its own offsets. */
START_TEST(replaced_bytes)
{
    static const char in[] = "<p>a\xFF b\xE2\x82 c\xF0\x9F\x98 d~</p>";
    gx_html h;
    gdprx_error err;
    size_t n = sizeof in - 1;
    ck_assert_int_eq(gx_html_to_text(&h, in, n, GDPRX_OPT_REPLACE_INVALID, 0, 0,
                                     &err), GDPRX_OK);
    ck_assert_msg(!strcmp(h.t.s, "a\xFF b\xE2\x82 c\xF0\x9F\x98 d~"),
                  "replaced: got \"%s\"", h.t.s);
    static const struct {
        size_t at;            /* byte of the text */
        unsigned start, end;  /* its source */
    } want[] = {{1, 4, 5}, {4, 7, 8}, {5, 8, 9}, {8, 11, 12}, {10, 13, 14},
                {12, 15, 16}, {13, 16, 17}};
    for (size_t k = 0; k < sizeof want / sizeof *want; k++)
        ck_assert_msg(os_of(&h, want[k].at) == want[k].start &&
                          oe_of(&h, want[k].at) == want[k].end,
                      "replaced: text byte %zu maps to [%zu, %zu), want "
                      "[%u, %u)", want[k].at, os_of(&h, want[k].at),
                      oe_of(&h, want[k].at), want[k].start, want[k].end);
    check_map(&h, in, n, "replaced");
    gx_html_free(&h);
    /* without the flag, the first invalid byte is an error there */
    ck_assert_int_eq(gx_html_to_text(&h, in, n, 0, 0, 0, &err), GDPRX_EUTF8);
    ck_assert_int_eq(err.offset, 4);
}
END_TEST

/* The compact map (one code byte per text byte, escapes for spans that do
 * not fit one) gives every byte its exact source: runs of invalid bytes
 * across block boundaries, a reference longer than a
 * code can hold, the byte after it, separators (empty spans) and a long
 * run of plain text after them. */
START_TEST(compact_map)
{
    char in[512];
    size_t n = 0;
    memcpy(in + n, "<p>ab", 5);
    n += 5;
    for (int k = 0; k < 40; k++)
        in[n++] = '\xFF';
    static const char mid[] = "c&CounterClockwiseContourIntegral;d "
                              "&eacute;</p><p>";
    memcpy(in + n, mid, sizeof mid - 1);
    n += sizeof mid - 1;
    size_t xs = n;
    for (int k = 0; k < 70; k++)
        in[n++] = 'x';
    memcpy(in + n, "</p>", 4);
    n += 4;
    gx_html h;
    gdprx_error err;
    ck_assert_int_eq(gx_html_to_text(&h, in, n, GDPRX_OPT_REPLACE_INVALID, 0, 0,
                                     &err), GDPRX_OK);
    ck_assert_uint_eq(h.t.len, 2 + 40 + 1 + 3 + 1 + 1 + 2 + 2 + 70);
    ck_assert_uint_eq(os_of(&h, 0), 3);
    ck_assert_uint_eq(oe_of(&h, 0), 4);
    ck_assert_uint_eq(os_of(&h, 1), 4);
    ck_assert_uint_eq(oe_of(&h, 1), 5);
    for (size_t k = 0; k < 40; k++) {   /* each invalid byte: itself */
        size_t i = 2 + k;
        ck_assert_msg(h.t.s[i] == '\xFF' && os_of(&h, i) == 5 + k &&
                          oe_of(&h, i) == 6 + k,
                      "text byte %zu maps to [%zu, %zu), want [%zu, %zu)",
                      i, os_of(&h, i), oe_of(&h, i), 5 + k, 6 + k);
    }
    size_t c = 2 + 40, src = 45;   /* 'c', then the 33-byte reference */
    ck_assert_uint_eq(os_of(&h, c), src);
    ck_assert_uint_eq(oe_of(&h, c), src + 1);
    for (size_t b = 1; b <= 3; b++) {
        ck_assert_uint_eq(os_of(&h, c + b), src + 1);
        ck_assert_uint_eq(oe_of(&h, c + b), src + 34);
    }
    ck_assert_uint_eq(os_of(&h, c + 4), src + 34);   /* 'd' */
    ck_assert_uint_eq(oe_of(&h, c + 4), src + 35);
    ck_assert_uint_eq(os_of(&h, c + 5), src + 35);   /* ' ' */
    for (size_t b = 6; b <= 7; b++) {                /* &eacute; */
        ck_assert_uint_eq(os_of(&h, c + b), src + 36);
        ck_assert_uint_eq(oe_of(&h, c + b), src + 44);
    }
    for (size_t b = 8; b <= 9; b++) {                /* "\n\n": empty */
        ck_assert_int_eq(h.t.s[c + b], '\n');
        ck_assert_uint_eq(os_of(&h, c + b), oe_of(&h, c + b));
        ck_assert(os_of(&h, c + b) >= src + 44 && os_of(&h, c + b) <= xs);
    }
    for (size_t k = 0; k < 70; k++) {
        ck_assert_uint_eq(os_of(&h, c + 10 + k), xs + k);
        ck_assert_uint_eq(oe_of(&h, c + 10 + k), xs + k + 1);
    }
    ck_assert_uint_eq(os_of(&h, h.t.len), n);
    check_map(&h, in, n, "compact");
    gx_html_free(&h);
}
END_TEST

static const struct dcase {
    const char *name, *in;
    int want;
} detect_cases[] = {
    {"doctype", "\xEF\xBB\xBF  <!DOCTYPE html><p>x", 1},
    {"html", "\n<html><body>x</body></html>", 1},
    {"fragment", "<h1 id=\"a\">Title</h1>\n<p>x</p>", 1},
    {"fragment no end", "<p>x", 0},
    {"markdown", "# Title\n\n<p>x</p>", 0},
    {"text", "We keep your data.", 0},
    {"empty", "", 0},
    {"lt only", "<", 0},
};

START_TEST(detect)
{
    const struct dcase *c = &detect_cases[_i];
    ck_assert_msg(gx_html_detect(c->in, strlen(c->in)) == c->want, "%s",
                  c->name);
}
END_TEST

static gdprx_rules *rules;

static void rules_setup(void)
{
    gdprx_error err;
    ck_assert_int_eq(gdprx_rules_load(&rules, rules_dir(), &err), GDPRX_OK);
}

static void rules_teardown(void)
{
    gdprx_rules_free(rules);
}

static gdprx_result *analyze_html(const char *in, size_t n, gdprx_format f,
                                  int *rc, gdprx_error *err)
{
    gdprx_options o;
    gdprx_options_init(&o);
    o.format = f;
    o.lang = GDPRX_LANG_EN;
    gdprx_result *r = NULL;
    *rc = gdprx_analyze(&r, rules, in, n, &o, err);
    return r;
}

/* A "not" at the end of one <p> does not negate the next <p>, and a
 * finding's offsets and text are those of the HTML. */
START_TEST(paragraphs_apart)
{
    static const char in[] = "<p>Tracking: not</p>\n<p>You have the right "
                             "to request erasure of your&nbsp;data</p>";
    int rc;
    gdprx_error err;
    gdprx_result *r = analyze_html(in, sizeof in - 1, GDPRX_FORMAT_HTML, &rc,
                                   &err);
    ck_assert_int_eq(rc, GDPRX_OK);
    const gdprx_finding *f = find_label(r, "right.erasure");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->polarity, GDPRX_AFFIRMED);
    ck_assert_uint_eq(f->start, (size_t)(strstr(in, "You") - in));
    ck_assert_uint_eq(f->end, sizeof in - 1 - strlen("</p>"));
    ck_assert_uint_eq(f->text_len, strlen(f->text));
    ck_assert_str_eq(f->text, "You have the right to request erasure of "
                              "your\xC2\xA0" "data");
    gdprx_result_free(r);
    /* the same bytes read as text: the "not" reaches the next line */
    r = analyze_html(in, sizeof in - 1, GDPRX_FORMAT_TEXT, &rc, &err);
    ck_assert_int_eq(rc, GDPRX_OK);
    ck_assert_ptr_nonnull(find_label(r, "right.erasure"));
    ck_assert_uint_eq(find_label(r, "right.erasure")->text_len,
                      find_label(r, "right.erasure")->end -
                          find_label(r, "right.erasure")->start);
    gdprx_result_free(r);
}
END_TEST

START_TEST(bad_format)
{
    int rc;
    gdprx_error err;
    gdprx_result *r = analyze_html("x", 1, (gdprx_format)7, &rc, &err);
    ck_assert_int_eq(rc, GDPRX_EINVAL);
    ck_assert_ptr_null(r);
}
END_TEST

/* Invalid UTF-8 is reported at its offset in the HTML. */
START_TEST(utf8_offset)
{
    static const char in[] = "<p>caf&eacute; \xFF</p>";
    int rc;
    gdprx_error err;
    gdprx_result *r = analyze_html(in, sizeof in - 1, GDPRX_FORMAT_HTML, &rc,
                                   &err);
    ck_assert_int_eq(rc, GDPRX_EUTF8);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(err.offset, (long long)(strchr(in, '\xFF') - in));
    ck_assert_msg(strstr(err.message, "input:15:") != NULL, "%s",
                  err.message);
}
END_TEST

/* The tag limit (gumbo's tree costs ~300-450 bytes a tag): a page of
 * "<br>" one tag past the default limit, GDPRX_HTML_TAGS_BASE + len /
 * GDPRX_HTML_BYTES_PER_TAG, is refused at the first tag too many, and read
 * with the limit raised; comments, end tags and <!doctype> count too. */
START_TEST(tag_limit)
{
    size_t n = 0, len;
    while (n <= GDPRX_HTML_TAGS_BASE + 4 * n / GDPRX_HTML_BYTES_PER_TAG)
        n++;   /* the fewest "<br>" past the default limit */
    len = 4 * n;
    char *in = malloc(len + 1);
    ck_assert_ptr_nonnull(in);
    for (size_t i = 0; i < n; i++)
        memcpy(in + 4 * i, "<br>", 4);
    in[len] = '\0';
    size_t limit = GDPRX_HTML_TAGS_BASE + len / GDPRX_HTML_BYTES_PER_TAG;
    ck_assert_uint_eq(n, limit + 1);
    gx_html h;
    gdprx_error err;
    ck_assert_int_eq(gx_html_to_text(&h, in, len, 0, 0, 0, &err), GDPRX_ELIMIT);
    ck_assert_int_eq(err.offset, (long long)(4 * limit));
    ck_assert_msg(strstr(err.message, "more than") &&
                      strstr(err.message, "tags"), "%s", err.message);
    ck_assert_int_eq(gx_html_to_text(&h, in, len, 0, n, 0, &err), GDPRX_OK);
    gx_html_free(&h);
    free(in);

    static const char small[] = "<!doctype html><p>a</p><!-- c --><p>b";
    /* tags at 0, 15, 19, 23, 33: the fifth is past a limit of 4 */
    ck_assert_int_eq(gx_html_to_text(&h, small, sizeof small - 1, 0, 4, 0, &err),
                     GDPRX_ELIMIT);
    ck_assert_int_eq(err.offset, 33);
    ck_assert_int_eq(gx_html_to_text(&h, small, sizeof small - 1, 0, 5, 0, &err),
                     GDPRX_OK);
    gx_html_free(&h);

    /* through gdprx_options: the public limit */
    gdprx_options o;
    gdprx_options_init(&o);
    o.format = GDPRX_FORMAT_HTML;
    o.max_html_tags = 4;
    gdprx_result *r = NULL;
    ck_assert_int_eq(gdprx_analyze(&r, rules, small, sizeof small - 1, &o,
                                   &err), GDPRX_ELIMIT);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(err.offset, 33);
}
END_TEST

/* The size limit (gumbo builds the whole page's tree): a page one byte
 * past GDPRX_HTML_SIZE_DEFAULT is refused at that offset before it is
 * parsed; a smaller limit through gdprx_options refuses a page it detects
 * as HTML, and the same bytes read as text are not limited. */
START_TEST(size_limit)
{
    size_t len = GDPRX_HTML_SIZE_DEFAULT + 1;
    char *in = malloc(len);
    ck_assert_ptr_nonnull(in);
    memcpy(in, "<p>", 3);
    memset(in + 3, 'a', len - 3);
    gx_html h;
    gdprx_error err;
    ck_assert_int_eq(gx_html_to_text(&h, in, len, 0, 0, 0, &err), GDPRX_ELIMIT);
    ck_assert_int_eq(err.offset, (long long)GDPRX_HTML_SIZE_DEFAULT);
    ck_assert_msg(strstr(err.message, "larger than the HTML limit of 20971520 "
                         "bytes"), "%s", err.message);
    free(in);

    static const char page[] = "<p>We never sell your personal data.</p>";
    size_t n = sizeof page - 1;
    ck_assert_int_eq(gx_html_to_text(&h, page, n, 0, 0, n - 1, &err),
                     GDPRX_ELIMIT);
    ck_assert_int_eq(err.offset, (long long)(n - 1));
    ck_assert_int_eq(gx_html_to_text(&h, page, n, 0, 0, n, &err), GDPRX_OK);
    gx_html_free(&h);

    gdprx_options o;
    gdprx_options_init(&o);
    ck_assert_uint_eq(o.max_html_size, 0);
    o.max_html_size = 10;
    gdprx_result *r = NULL;
    ck_assert_int_eq(gdprx_analyze(&r, rules, page, n, &o, &err),
                     GDPRX_ELIMIT);   /* detected as HTML */
    ck_assert_ptr_null(r);
    ck_assert_int_eq(err.offset, 10);
    o.format = GDPRX_FORMAT_TEXT;
    ck_assert_int_eq(gdprx_analyze(&r, rules, page, n, &o, &err), GDPRX_OK);
    ck_assert_uint_gt(gdprx_result_count(r), 0);
    gdprx_result_free(r);
}
END_TEST

/* Malformed and hostile inputs: no crash, text around faults kept. */
static const char *const malformed[] = {
    "<p>We keep your invoices for ten years.<p><b><i>We never sell your "
    "personal data.</b></i> < stray &am",
    "<table><tr><td>We keep your invoices for ten years.<td><table><tr>"
    "</table></table></td>We never sell your personal data.",
    "</p></div></html>We keep your invoices for ten years.<p>We never sell "
    "your personal data.<!-- unclosed",
    "<script>We keep</script>We keep your invoices for ten years. <title>x"
    "</title><p>We never sell your personal data.<a href=\"",
    "<svg><p>We keep your invoices for ten years.</svg><math><mi></math>"
    "<p>We never sell your personal data.&#xFFFFFFFF;&#0;<select><option>x",
};

START_TEST(malformed_keeps_text)
{
    int rc;
    gdprx_error err;
    const char *in = malformed[_i];
    gdprx_result *r = analyze_html(in, strlen(in), GDPRX_FORMAT_HTML, &rc,
                                   &err);
    ck_assert_msg(rc == GDPRX_OK, "case %d: %s", _i, err.message);
    ck_assert_msg(find_label(r, "retention.period") != NULL, "case %d", _i);
    const gdprx_finding *f = find_label(r, "recipient.sale");
    ck_assert_msg(f && f->polarity == GDPRX_NEGATED, "case %d", _i);
    for (size_t i = 0; i < gdprx_result_count(r); i++) {
        const gdprx_finding *g = gdprx_result_get(r, i);
        ck_assert(g->start <= g->end && g->end <= strlen(in));
    }
    gdprx_result_free(r);
}
END_TEST

/* Random bytes and nesting: OK, EUTF8 or ELIMIT, never a crash. */
START_TEST(garbage)
{
    size_t n = 1 << 14;
    char *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    unsigned x = 12345u + (unsigned)_i;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = _i % 2 ? "<>/&#;ap= \"'!-x"[(x >> 16) % 15] : (char)(x >> 16);
    }
    memcpy(b, "<html>", 6);
    int rc;
    gdprx_error err;
    gdprx_options o;
    gdprx_options_init(&o);
    o.format = GDPRX_FORMAT_HTML;
    o.flags = GDPRX_OPT_REPLACE_INVALID;
    gdprx_result *r = NULL;
    rc = gdprx_analyze(&r, rules, b, n, &o, &err);
    ck_assert_msg(rc == GDPRX_OK, "%s", err.message);
    gdprx_result_free(r);
    /* 50,000 nested elements are refused, not parsed */
    size_t depth = 50000;
    char *d = malloc(depth * 5 + 1);
    ck_assert_ptr_nonnull(d);
    for (size_t i = 0; i < depth; i++)
        memcpy(d + 5 * i, "<div>", 5);
    rc = gdprx_analyze(&r, rules, d, depth * 5, &o, &err);
    ck_assert_int_eq(rc, GDPRX_ELIMIT);
    free(d);
    free(b);
}
END_TEST

/* A finding after k invalid bytes, a reference and tags, for k = 0..70
 * (every alignment of the text on the map's blocks): its offsets are those
 * of its words in the HTML. */
START_TEST(finding_after_runs)
{
    char in[256];
    size_t n = 0;
    memcpy(in, "<p>", 3);
    n = 3;
    for (int k = 0; k < _i; k++)
        in[n++] = '\xFF';
    static const char tail[] = " caf&eacute; <b>We</b> never <i>sell</i> "
                               "your personal data.</p>";
    memcpy(in + n, tail, sizeof tail);
    n += sizeof tail - 1;
    gdprx_options o;
    gdprx_options_init(&o);
    o.format = GDPRX_FORMAT_HTML;
    o.lang = GDPRX_LANG_EN;
    o.flags = GDPRX_OPT_REPLACE_INVALID;
    gdprx_result *r = NULL;
    gdprx_error err;
    ck_assert_int_eq(gdprx_analyze(&r, rules, in, n, &o, &err), GDPRX_OK);
    const gdprx_finding *f = find_label(r, "recipient.sale");
    ck_assert_msg(f != NULL, "%d bytes: no recipient.sale", _i);
    ck_assert_int_eq(f->polarity, GDPRX_NEGATED);
    const char *we = strstr(in + 3 + _i, "We"), *sell = strstr(we, "sell");
    ck_assert_msg(f->start == (size_t)(we - in) ||
                      f->start == (size_t)(strstr(we, "never") - in) ||
                      f->start == (size_t)(sell - in),
                  "%d bytes: start %zu", _i, f->start);
    /* it ends at the end of one of its words */
    const char *last = strrchr(f->text, ' ');
    last = last ? last + 1 : f->text;
    size_t ln = strlen(last);
    ck_assert_msg(f->end >= ln && !memcmp(in + f->end - ln, last, ln),
                  "%d bytes: end %zu, text \"%s\"", _i, f->end, f->text);
    /* the warning counts the invalid bytes and names the first in the page */
    char want[96];
    snprintf(want, sizeof want, "%d invalid UTF-8 byte(s) read as U+FFFD, "
             "the first at byte 3", _i);
    ck_assert_uint_eq(gdprx_result_warning_count(r), _i ? 1 : 0);
    ck_assert_msg(!_i || !strcmp(gdprx_result_warning(r, 0), want),
                  "%d bytes: warning \"%s\"", _i,
                  _i ? gdprx_result_warning(r, 0) : "");
    gdprx_result_free(r);
}
END_TEST

static Suite *html_suite(void)
{
    Suite *s = suite_create("html");
    TCase *core = tcase_create("core");
    tcase_add_loop_test(core, visible_text, 0, N(cases));
    tcase_add_loop_test(core, detect, 0, N(detect_cases));
    tcase_add_unchecked_fixture(core, rules_setup, rules_teardown);
    tcase_add_test(core, paragraphs_apart);
    tcase_add_test(core, utf8_offset);
    tcase_add_test(core, replaced_bytes);
    tcase_add_test(core, compact_map);
    tcase_add_loop_test(core, finding_after_runs, 0, 71);
    suite_add_tcase(s, core);
    TCase *errors = tcase_create("errors");
    tcase_add_unchecked_fixture(errors, rules_setup, rules_teardown);
    tcase_add_test(errors, bad_format);
    tcase_add_test(errors, tag_limit);
    tcase_add_test(errors, size_limit);
    tcase_add_loop_test(errors, malformed_keeps_text, 0, N(malformed));
    tcase_add_loop_test(errors, garbage, 0, 4);
    tcase_set_timeout(errors, 300);
    suite_add_tcase(s, errors);
    return s;
}

int main(void) { return run_suite(html_suite()); }
