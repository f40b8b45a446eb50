#!/usr/bin/env python3
"""HTML input end to end, through the gdprx tool (--json):

- the real policy pages of ../shared/corpus/html give the labels (type,
  subtype, polarity) of their Markdown twins in dev/, read at test time:
  the same set (none lost, none added, although the twin holds a few
  sentences inside raw HTML markup that its Markdown reading sees as tags);
  every gold label the twin finds, the HTML finds;
- every finding's [start, end) in the HTML, tags stripped and references
  decoded (Python's html module, not the library), is the finding's text;
- tests/data/html/page.en.html (written for this test): scripts, styles,
  comments, CDATA, hidden elements, navigation, the cookie banner and the
  footer are not read; a "not" in one <p> does not negate the next <p>;
  nested tables and entities; detection from content and file name.

usage: check_html.py GDPRX_TOOL   ($GDPRX_CORPUS: the corpus's dev/ folder)
"""
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

TOOL = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("GDPRX_TOOL", "")
DEV = Path(os.environ.get("GDPRX_CORPUS", ""))
HTML_DIR = DEV.parent / "html"
PAGE = Path(os.environ.get("GDPRX_TEST_DATA", "")) / "html" / "page.en.html"
BLOCK = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|t[dhr]|table|thead|tbody"
                   r"|section|main|article|dd|dt|dl)\b[^>]*>", re.I)


def run(*args):
    p = subprocess.run([TOOL, "--json", *map(str, args)], capture_output=True)
    if p.returncode != 0:
        raise AssertionError(f"{args}: exit {p.returncode}: {p.stderr!r}")
    return json.loads(p.stdout)


def labels(doc):
    return {(f["type"], f["subtype"], f["polarity"]) for f in doc["findings"]}


def visible(raw: bytes) -> str:
    """HTML bytes as a reader sees them: tags out (a block tag is a
    space), comments out, references decoded, white space collapsed."""
    s = raw.decode("utf-8", "replace")
    s = re.sub(r"<!--.*?-->", "", s, flags=re.S)
    s = BLOCK.sub(" ", s)
    s = re.sub(r"</?[a-zA-Z][^>]*>", "", s)
    return squeeze(html.unescape(s))


def squeeze(s: str) -> str:
    return " ".join(s.replace("\u00a0", " ").split())


class OffsetsMixin:
    def assert_offsets(self, path, doc):
        raw = Path(path).read_bytes()
        self.assertTrue(doc["findings"], path)
        for f in doc["findings"]:
            self.assertLessEqual(f["start"], f["end"])
            self.assertLessEqual(f["end"], len(raw))
            self.assertEqual(visible(raw[f["start"]:f["end"]]),
                             squeeze(f["text"]), f)
            c = f["clause"]
            self.assertIn(squeeze(f["text"]),
                          visible(raw[c["start"]:c["end"]]), f)


@unittest.skipUnless(HTML_DIR.is_dir(), "no corpus html/")
class TestCorpusTwins(OffsetsMixin, unittest.TestCase):
    def twin(self, lang):
        h = HTML_DIR / f"mozilla-accounts.{lang}.html"
        m = DEV / f"mozilla-accounts.{lang}.md"
        return h, m, run(h), run(m)

    def check_lang(self, lang):
        h, m, hd, md = self.twin(lang)
        self.assertEqual(hd["lang"], md["lang"])
        self.assertEqual(labels(md) - labels(hd), set(), "labels lost")
        self.assertEqual(labels(hd) - labels(md), set(), "labels only the "
                         "HTML gives")
        gold = json.loads(Path(f"{m}.gold.json").read_text())["findings"]
        gold = {(g["type"], g["subtype"], g["polarity"]) for g in gold}
        self.assertEqual((gold & labels(md)) - labels(hd), set())
        self.assert_offsets(h, hd)

    def test_en(self):
        self.check_lang("en")

    def test_nl(self):
        self.check_lang("nl")


class TestPage(OffsetsMixin, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.doc = run(PAGE)

    def found(self, label, polarity=None):
        t, s = label.split(".")
        return [f for f in self.doc["findings"] if f["type"] == t and
                f["subtype"] == s and polarity in (None, f["polarity"])]

    def test_offsets(self):
        self.assert_offsets(PAGE, self.doc)

    def test_invisible_text_not_read(self):
        # script strings, style, title, comment, CDATA, hidden, aria-hidden,
        # display:none, nav, cookie banner, footer all say "we sell"
        self.assertEqual(self.found("recipient.sale", "affirmed"), [])
        self.assertEqual([f for f in self.doc["findings"]
                          if f["type"] == "cookies"], [])
        raw = PAGE.read_bytes()
        for f in self.doc["findings"]:
            before = raw[:f["start"]].decode()
            self.assertGreater(before.rfind("<main>"), before.rfind("</main>"))
            self.assertNotIn("<script", before[before.rfind(">") - 7:])

    def test_the_visible_denial_is_read(self):
        sale = self.found("recipient.sale", "negated")
        self.assertEqual(len(sale), 1)
        adv = self.found("recipient.advertiser", "negated")
        self.assertTrue(adv and "\u2014" in adv[0]["text"])  # &mdash;

    def test_not_does_not_cross_paragraphs(self):
        self.assertTrue(self.found("right.erasure", "affirmed"))
        self.assertEqual(self.found("right.erasure", "negated"), [])
        # control: the same bytes read as text let the "not" reach it
        p = subprocess.run([TOOL, "--json", "--format", "text", str(PAGE)],
                           capture_output=True)
        txt = json.loads(p.stdout)
        self.assertIn(("right", "erasure", "negated"), labels(txt))
        self.assertIn(("recipient", "sale", "affirmed"), labels(txt))

    def test_tables_and_headings(self):
        durs = {f["attrs"].get("duration"): f
                for f in self.found("retention.period")}
        self.assertEqual(set(durs), {"P10Y", "P2Y"})  # outer and nested table
        self.assertEqual(durs["P10Y"]["section"], "How long we keep your data")

    def test_entity_email(self):
        mails = {f["attrs"].get("email") for f in self.found("contact.dpo")}
        self.assertIn("dpo@example.org", mails)  # written dpo&#64;example.org

    def test_detection(self):
        with tempfile.TemporaryDirectory() as tmp:
            txt = Path(tmp) / "page.txt"
            shutil.copy(PAGE, txt)
            self.assertEqual(run(txt)["findings"], self.doc["findings"])
            frag = Path(tmp) / "frag.htm"
            frag.write_text("We never sell your personal data.")
            self.assertEqual(labels(run(frag)),
                             {("recipient", "sale", "negated")})
            p = subprocess.run([TOOL, "--format", "xml", str(frag)],
                               capture_output=True)
            self.assertEqual(p.returncode, 2)

    TWO_PARAGRAPHS = ("<p>We never sell your personal data.</p>"
                      "<p>We keep invoices for ten years.</p>")

    def check_limit(self, flag, over, message, under):
        """A page past `flag over` is refused (exit 1) with `message`,
        which names the byte offset; with `flag under` it is read; a bad
        value is a usage error (exit 2)."""
        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / "page.html"
            page.write_text(self.TWO_PARAGRAPHS)
            p = subprocess.run([TOOL, flag, over, str(page)],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(message, p.stderr)
            self.assertEqual(labels(run(flag, under, page)),
                             {("recipient", "sale", "negated"),
                              ("retention", "period", "affirmed")})
            for bad in ["0", "x", "-1"]:
                p = subprocess.run([TOOL, flag, bad, str(page)],
                                   capture_output=True)
                self.assertEqual(p.returncode, 2, bad)

    def test_tag_limit(self):
        # refused at the byte offset of the first tag too many
        self.check_limit("--max-html-tags", "3",
                         "input:74: HTML with more than 3 tags", "4")

    def test_size_limit(self):
        # refused at the offset of the limit; read as text, not limited
        self.check_limit("--max-html-size", "50",
                         "input:50: HTML of 78 bytes, larger than the HTML "
                         "limit of 50 bytes", "1K")
        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / "page.html"
            page.write_text(self.TWO_PARAGRAPHS)
            # as text the tags are words: one sentence
            self.assertIn(("recipient", "sale", "negated"),
                          labels(run("--max-html-size", "50", "--format",
                                     "text", page)))

if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
