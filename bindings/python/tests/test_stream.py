# SPDX-License-Identifier: MIT
"""Tests of the streamed analysis from Python: RuleSet.analyze_each (a
callback per finding, gdprx_analyze_each underneath) and
RuleSet.iter_findings (an iterator fed by a thread): the same findings, in
the same order and with the same byte and character offsets, as
RuleSet.analyze; stopping early; errors of the callback and of the input;
and a document with many findings read while few are held.

Environment: as test_gdprx.
"""

from __future__ import annotations

import threading
import tracemalloc
import unittest
from pathlib import Path

from tests.test_gdprx import CORPUS, gdprx
from tests.test_pipelines import FR_CRLF, MIXED, Base


def _corpus_texts() -> list[tuple[str, str]]:
    out = []
    for p in sorted(Path(CORPUS).iterdir()):
        if p.is_file() and not p.name.endswith(".gold.json"):
            out.append((p.name, p.read_text(encoding="utf-8")))
    return out


class TestStream(Base):   # (Base loads self.mini and self.rules)

    def test_same_findings_as_analyze_on_the_corpus(self):
        """Every dev document, str and bytes: analyze_each and iter_findings
        give analyze's findings (offsets, char offsets, text, attrs), and
        the summary its language, count, coverage and warnings."""
        texts = _corpus_texts()
        self.assertGreater(len(texts), 20)
        for name, text in texts:
            for arg in (text, text.encode("utf-8")):
                with self.subTest(doc=name, kind=type(arg).__name__):
                    doc = self.rules.analyze(arg)
                    got: list[gdprx.Finding] = []
                    summary = self.rules.analyze_each(arg, got.append,
                                                      name=name)
                    self.assertEqual(tuple(got), doc.findings)
                    self.assertEqual(summary.count, len(doc))
                    self.assertEqual(summary.lang, doc.lang)
                    self.assertEqual(summary.coverage, doc.coverage)
                    self.assertEqual(summary.warnings, doc.warnings)
                    self.assertEqual(summary.name, name)
                    self.assertEqual(tuple(self.rules.iter_findings(arg)),
                                     doc.findings)
        self.assertTrue(any(len(self.rules.analyze(t)) > 50
                            for _, t in texts))

    def test_char_offsets_with_non_ascii_text(self):
        """Characters of 1-4 bytes before and inside findings, CRLF, a
        decomposed accent: each finding's char range gives its text."""
        for text in (MIXED, FR_CRLF, MIXED * 30):
            doc = self.mini.analyze(text)
            self.assertGreater(len(doc), 0)
            got = list(self.mini.iter_findings(text))
            self.assertEqual(tuple(got), doc.findings)
            for f in got:
                self.assertEqual(text[f.char_start:f.char_end], f.text)
                c0, c1 = f.clause_chars
                self.assertEqual(text[c0:c1].encode(),
                                 text.encode()[f.clause[0]:f.clause[1]])

    def test_options_are_those_of_analyze(self):
        text = MIXED + "\nWe keep your data for two years.\n"
        for kw in ({"types": "contact"}, {"lang": "en"},
                   {"explain": True}, {"replace_invalid": True}):
            with self.subTest(**kw):
                doc = self.rules.analyze(text, **kw)
                self.assertEqual(tuple(self.rules.iter_findings(text, **kw)),
                                 doc.findings)
        html = ("<html><body><h1>Privacy</h1><p>We never sell your "
                "data.</p><p>Write to dpo@example.com.</p></body></html>")
        doc = self.rules.analyze(html, format="html")
        self.assertGreater(len(doc), 0)
        got: list[gdprx.Finding] = []
        self.rules.analyze_each(html, got.append, format="html")
        self.assertEqual(tuple(got), doc.findings)

    def test_stop_early(self):
        text = "\n".join(["We keep your e-mail address for two years."] * 50)
        self.assertGreater(len(self.rules.analyze(text)), 10)
        seen: list[gdprx.Finding] = []

        def each(f: gdprx.Finding) -> bool:
            seen.append(f)
            return len(seen) == 3
        s = self.rules.analyze_each(text, each)
        self.assertEqual(len(seen), 3)
        self.assertEqual(s.count, 3)
        self.assertIsNone(s.lang)
        # an iterator left early stops its thread
        before = threading.active_count()
        it = self.rules.iter_findings(text, buffer=1)
        first = [next(it), next(it)]
        self.assertEqual(len(first), 2)
        it.close()
        self.assertEqual(threading.active_count(), before)

    def test_errors(self):
        with self.assertRaises(ZeroDivisionError):
            self.rules.analyze_each("We never sell your data.",
                                    lambda f: 1 / 0)
        with self.assertRaises(gdprx.InputError) as cm:
            self.rules.analyze_each(b"We sell \xff data", lambda f: None)
        self.assertEqual(cm.exception.offset, 8)
        with self.assertRaises(gdprx.InputError):
            list(self.rules.iter_findings(b"We sell \xff data"))
        with self.assertRaises(gdprx.InputError):
            list(self.rules.iter_findings("We sell data", lang="de"))
        with self.assertRaises(TypeError):
            self.rules.analyze_each(12, lambda f: None)

    def test_many_findings_few_held(self):
        """A document with tens of thousands of findings, read through the
        iterator: all of them come, in analyze's order, while Python memory
        holds a few (tracemalloc peak: a fraction of what the Document of
        analyze() takes)."""
        text = "".join(f"- nous conservons votre adresse e-mail pendant "
                       f"{n % 9 + 2} ans\n" for n in range(20000))
        tracemalloc.start()
        try:
            doc = self.rules.analyze(text)
            whole = tracemalloc.get_traced_memory()[1]
            keys = [(f.start, f.end, f.type, f.subtype, f.attrs.duration)
                    for f in doc]
            n_doc = len(doc)
            del doc
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            i = 0
            for f in self.rules.iter_findings(text, buffer=64):
                self.assertEqual((f.start, f.end, f.type, f.subtype,
                                  f.attrs.duration), keys[i])
                i += 1
            streamed = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
        self.assertGreater(n_doc, 20000)
        self.assertEqual(i, n_doc)
        self.assertLess(streamed * 4, whole, (streamed, whole))

if __name__ == "__main__":
    unittest.main()
