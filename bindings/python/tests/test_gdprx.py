# SPDX-License-Identifier: MIT
"""Tests of the gdprx Python binding (standard library unittest).

Run from bindings/python:  python3 -m unittest -v
(meson test --suite python sets the environment below.)

Environment:
  GDPRX_LIBRARY    the shared library (default: the binding's own lookup)
  GDPRX_RULES      the shipped rule set (default: <checkout>/rules)
  GDPRX_TEST_DATA  tests/data (default: <checkout>/tests/data)
  GDPRX_CORPUS     the dev corpus (default: <checkout>/../shared/corpus/dev);
                   the agreement test is skipped only if it is absent
  GDPRX_TOOL       the gdprx tool (default: <checkout>/build/tools/gdprx)
"""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import json
import os
import pickle
import subprocess
import sys
import threading
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # test this source tree's package

import gdprx  # noqa: E402

CHECKOUT = HERE.parent.parent.parent
RULES = os.environ.get("GDPRX_RULES") or str(CHECKOUT / "rules")
TEST_DATA = os.environ.get("GDPRX_TEST_DATA") or str(CHECKOUT / "tests" / "data")
CORPUS = os.environ.get("GDPRX_CORPUS") or str(CHECKOUT.parent / "shared" / "corpus" / "dev")
TOOL = os.environ.get("GDPRX_TOOL") or str(CHECKOUT / "build" / "tools" / "gdprx")

# A small rule set under this test's control: exact offsets can be asserted.
MINI_YAML = r"""
lexicon:
  en:
    stopwords: [the, and, of, to, we, you, your, our, are, with, for, that,
                this, is, it, not, never, data, will, be, a]
    negation:
      cues: '\b(?:not|never|no)\b|n''t\b'
      before: 6
      after: 0
  fr:
    stopwords: [le, la, les, des, du, et, est, sont, nous, vous, votre, vos,
                notre, nos, pour, dans, sur, par, avec, que, qui, une, un, ce,
                pas, ne, jamais, donnees, a]
    negation:
      cues: '\bne\b|\bn''|\bjamais\b|\bpas\b'
      before: 6
      after: 3
  nl:
    stopwords: [de, het, een, en, van, wij, we, uw, u, onze, ons, niet, nooit,
                gegevens, aan, voor, met, op, te, is, zijn]
    negation:
      cues: '\bniet\b|\bnooit\b|\bgeen\b'
      before: 6
      after: 3
rules:
  - id: recipient.sale.sell
    type: recipient
    subtype: sale
    articles: ["13(1)(e)"]
    patterns:
      en: ['\bsell\w*\b[^.;]{0,30}?\bdata\b']
      fr: ['\bvend\w*\b[^.;]{0,30}?\bdonnees\b']
      nl: ['\bverkop\w*\b[^.;]{0,30}?\bgegevens\b']
    examples:
      en:
        match: ["We sell your data.", {text: "We never sell your data.", polarity: negated}]
        no_match: ["We buy bread."]
      fr:
        match: ["Nous vendons vos données.", {text: "Nous ne vendons jamais vos données.", polarity: negated}]
      nl:
        match: ["Wij verkopen uw gegevens."]
  - id: contact.dpo.email
    type: contact
    subtype: dpo
    attrs: [email]
    patterns:
      en: ['\bwrite to (?<email>[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]{2,})']
      fr: ['\becrivez a (?<email>[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]{2,})']
      nl: ['\bschrijf naar (?<email>[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]{2,})']
    examples:
      en:
        match: [{text: "Please write to dpo@example.com today.", email: dpo@example.com}]
      fr:
        match: [{text: "Écrivez à dpo@example.fr.", email: dpo@example.fr}]
      nl:
        match: [{text: "Schrijf naar dpo@example.nl.", email: dpo@example.nl}]
"""

# A rule whose embedded example fails.
FAILING_YAML = r"""
rules:
  - id: recipient.sale.sell
    type: recipient
    subtype: sale
    patterns:
      en: ['\bsell\b']
      fr: ['\bvend\w*\b']
      nl: ['\bverkop\w*\b']
    examples:
      en:
        match: ["We trade your data."]
      fr:
        match: ["Nous vendons vos données."]
      nl:
        match: ["Wij verkopen uw gegevens."]
"""


def _load_rules() -> tuple[gdprx.RuleSet, bool]:
    """The shipped rule set; the test data rules if it is broken now."""
    try:
        return gdprx.RuleSet.load(RULES), True
    except gdprx.RuleError as e:
        sys.stderr.write(f"\nnote: shipped rules do not load ({e}); using "
                         f"{TEST_DATA}/rules\n")
        return gdprx.RuleSet.load(os.path.join(TEST_DATA, "rules")), False


def _check_offsets(tc: unittest.TestCase, text: str, doc: gdprx.Document) -> None:
    """Byte and character offsets of every finding agree with the text."""
    data = text.encode("utf-8")
    for f in doc.findings:
        tc.assertEqual(text[f.char_start:f.char_end], f.text, f)
        tc.assertEqual(data[f.start:f.end].decode("utf-8"), f.text, f)
        cs, ce = f.clause_chars
        tc.assertEqual(text[cs:ce], data[f.clause[0]:f.clause[1]].decode("utf-8"))
        tc.assertTrue(f.clause[0] <= f.start < f.end <= f.clause[1], f)


# The keys of Finding.to_dict() that the C library's JSON also has.
FLAT_JSON_KEYS = ("type", "subtype", "polarity", "start", "end", "text",
                  "clause_start", "clause_end", "section", "rule", "articles",
                  "negation_cue", "duration", "duration_max", "age", "email")


def _flatten_json_finding(j: dict) -> dict:
    """A finding of the C library's JSON as Finding.to_dict() says it."""
    attrs = j.get("attrs", {})
    flat = dict(j, clause_start=j["clause"]["start"], clause_end=j["clause"]["end"],
                articles=";".join(j["articles"]), negation_cue=j.get("negation_cue"),
                **{k: attrs.get(k) for k in ("duration", "duration_max", "age", "email")})
    return {k: flat[k] for k in FLAT_JSON_KEYS}


RULESET, SHIPPED_OK = None, False


def setUpModule() -> None:
    global RULESET, SHIPPED_OK
    RULESET, SHIPPED_OK = _load_rules()


def tearDownModule() -> None:
    if RULESET is not None:
        RULESET.close()


class TestLibrary(unittest.TestCase):
    def test_version(self):
        self.assertEqual(gdprx.__version__, "0.1.0")
        major, minor, _ = gdprx.library_version().split(".")
        self.assertEqual((major, minor), ("0", "1"))
        self.assertTrue(os.path.basename(gdprx.library_path()).startswith("libgdprx"))

    def test_strerror(self):
        self.assertEqual(gdprx.strerror(gdprx.Status.OK), "success")
        self.assertEqual(gdprx.strerror(-6), "invalid UTF-8 input")
        self.assertEqual(gdprx.strerror(12345), "unknown error")

    def test_load_library_explicit(self):
        path = gdprx.library_path()
        if os.sep in path:
            self.assertEqual(gdprx.load_library(path), path)

    def test_load_library_missing(self):
        with self.assertRaises(gdprx.LibraryError) as cm:
            gdprx.load_library("/nonexistent/libgdprx.so.1")
        self.assertIn("/nonexistent/libgdprx.so.1", str(cm.exception))
        self.assertIn("tried", str(cm.exception))
        # the library in use is unchanged
        self.assertTrue(gdprx.library_version())

    def test_load_library_not_a_library(self):
        with self.assertRaises(gdprx.LibraryError) as cm:
            gdprx.load_library(__file__)
        self.assertIn(__file__, str(cm.exception))

    def test_env_variable_is_used_and_reported(self):
        env = dict(os.environ, GDPRX_LIBRARY="/nowhere/libgdprx.so.1",
                   PYTHONPATH=str(HERE.parent))
        p = subprocess.run([sys.executable, "-c",
                            "import gdprx\ntry:\n gdprx.library_version()\n"
                            "except gdprx.LibraryError as e:\n print(e)"],
                           env=env, capture_output=True, text=True, timeout=60)
        self.assertIn("$GDPRX_LIBRARY: /nowhere/libgdprx.so.1: no such file", p.stdout)

    def test_search_lists_every_candidate(self):
        candidates = list(gdprx._candidates())
        where = [w for w, _ in candidates]
        self.assertIn("next to the module", where)
        self.assertIn("ctypes.util.find_library('gdprx')", where)
        self.assertIn("system loader", where)
        if (CHECKOUT / "meson.build").is_file():
            paths = [p for _, p in candidates]
            self.assertIn(str(CHECKOUT / "build" / "lib" / "libgdprx.so.1"), paths)

    def test_version_mismatch_is_refused(self):
        saved = gdprx._BINDING_VERSION
        try:
            gdprx._BINDING_VERSION = (9, 9, 0)
            with self.assertRaises(gdprx.LibraryError) as cm:
                gdprx._open(gdprx.library_path())
            self.assertIn("does not match", str(cm.exception))
        finally:
            gdprx._BINDING_VERSION = saved

    def test_every_symbol_declared(self):
        header = (CHECKOUT / "include" / "gdprx.h")
        if not header.is_file():
            self.skipTest("no header")
        import re
        names = set(re.findall(r"GDPRX_API[^;]*?\b(gdprx_\w+)\s*\(",
                               header.read_text()))
        self.assertEqual(names, set(gdprx._SIGNATURES))


class TestStructLayout(unittest.TestCase):
    """The ctypes mirrors have the C layout: every field's offset and every
    struct's size, as the C compiler sees gdprx.h."""

    STRUCTS = {"gdprx_error": "_Error", "gdprx_options": "_Options",
               "gdprx_finding": "_Finding", "gdprx_segment": "_Segment",
               "gdprx_coverage_item": "_CoverageItem",
               "gdprx_rule_info": "_RuleInfo"}

    def test_layout_against_c_compiler(self):
        import shutil
        import tempfile
        cc = shutil.which("cc") or shutil.which("gcc")
        header = CHECKOUT / "include" / "gdprx.h"
        if not cc or not header.is_file():
            self.skipTest("no C compiler or no header")
        lines = []
        for cname, pyname in self.STRUCTS.items():
            cls = getattr(gdprx, pyname)
            lines.append(f'printf("{pyname} sizeof() %zu\\n", sizeof({cname}));')
            for fname, _ in cls._fields_:
                lines.append(f'printf("{pyname} {fname} %zu\\n", offsetof({cname}, {fname}));')
        src = ("#include <stdio.h>\n#include <stddef.h>\n#include \"gdprx.h\"\n"
               "int main(void) {\n" + "\n".join(lines) + "\nreturn 0; }\n")
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "gdprx_version.h").write_text(
                "#define GDPRX_VERSION_NUMBER 100\n")
            Path(tmp, "layout.c").write_text(src)
            exe = str(Path(tmp, "layout"))
            p = subprocess.run([cc, "-I", tmp, "-I", str(header.parent), "-o", exe,
                                str(Path(tmp, "layout.c"))], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            out = subprocess.run([exe], capture_output=True, text=True).stdout
        for line in out.splitlines():
            pyname, what, value = line.split()
            cls = getattr(gdprx, pyname)
            got = ctypes.sizeof(cls) if what == "sizeof()" else getattr(cls, what).offset
            self.assertEqual(got, int(value), f"{pyname}.{what}")

    def test_layout_lp64(self):
        if ctypes.sizeof(ctypes.c_void_p) != 8:
            self.skipTest("not LP64")
        self.assertEqual(ctypes.sizeof(gdprx._Error), 1048)
        self.assertEqual(gdprx._Error.message.offset, 280)
        self.assertEqual(ctypes.sizeof(gdprx._Options), 56)
        self.assertEqual(gdprx._Options.chunk_size.offset, 32)
        self.assertEqual(gdprx._Options.max_html_tags.offset, 40)
        self.assertEqual(gdprx._Options.max_html_size.offset, 48)
        self.assertEqual(gdprx._Options.flags.offset, 24)
        self.assertEqual(ctypes.sizeof(gdprx._Finding), 168)
        self.assertEqual(gdprx._Finding.text_len.offset, 160)
        self.assertEqual(gdprx._Options.format.offset, 28)
        self.assertEqual(gdprx._Finding.lang.offset, 144)
        self.assertEqual(gdprx._Finding.concepts.offset, 152)
        self.assertEqual(ctypes.sizeof(gdprx._Segment), 40)
        self.assertEqual(ctypes.sizeof(gdprx._CoverageItem), 56)
        self.assertEqual(gdprx._CoverageItem.labels.offset, 40)
        self.assertEqual(gdprx._CoverageItem.selected.offset, 48)
        self.assertEqual(ctypes.sizeof(gdprx._RuleInfo), 48)


class TestRuleSet(unittest.TestCase):
    def test_load_directory_and_len(self):
        self.assertGreater(len(RULESET), 0)
        self.assertIn("rules", repr(RULESET))

    def test_load_default(self):
        # path None: $GDPRX_RULES, else the installed or source rules
        env = os.environ.get("GDPRX_RULES")
        self.assertTrue(SHIPPED_OK, "the shipped rule set does not load")
        os.environ["GDPRX_RULES"] = RULES
        try:
            with gdprx.RuleSet.load() as rules:
                self.assertEqual(len(rules), len(RULESET))
                self.assertEqual(rules.source, "default")
        finally:
            if env is None:
                del os.environ["GDPRX_RULES"]
            else:
                os.environ["GDPRX_RULES"] = env

    def test_load_single_file_and_pathlike(self):
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "mini.yaml"
            path.write_text(MINI_YAML, encoding="utf-8")
            with gdprx.RuleSet.load(path) as r:
                self.assertEqual(len(r), 2)
                self.assertEqual(r.source, str(path))
            with gdprx.RuleSet.load(tmp) as r:  # a directory as str
                self.assertEqual(len(r), 2)
            path.write_text(MINI_YAML.replace("type: contact", "type: [x"),
                            encoding="utf-8")
            with self.assertRaises(gdprx.RuleError) as cm:
                gdprx.RuleSet.load(path)
            self.assertEqual(cm.exception.file, str(path))
            self.assertGreater(cm.exception.line, 0)

    def test_load_missing_path(self):
        with self.assertRaises(gdprx.RuleError) as cm:
            gdprx.RuleSet.load("/nonexistent/rules")
        e = cm.exception
        self.assertEqual(e.code, gdprx.Status.EIO)
        self.assertIn("/nonexistent/rules", e.file or e.message)

    def test_from_yaml(self):
        with gdprx.RuleSet.from_yaml(MINI_YAML, name="mini.yaml") as r:
            self.assertEqual(len(r), 2)
            self.assertEqual(r.source, "mini.yaml")
        with gdprx.RuleSet.from_yaml(MINI_YAML.encode()) as r:
            self.assertEqual(r.source, "<memory>")

    def test_from_yaml_bad_key_has_location(self):
        with self.assertRaises(gdprx.RuleError) as cm:
            gdprx.RuleSet.from_yaml("rules:\n  - id: a.b.c\n    typ: x\n", name="bad.yaml")
        e = cm.exception
        self.assertEqual(e.code, gdprx.Status.ESYNTAX)
        self.assertEqual((e.file, e.line, e.column), ("bad.yaml", 3, 5))
        self.assertTrue(str(e).startswith("bad.yaml:3:5: "), str(e))
        self.assertIsNone(e.offset)

    def test_from_yaml_bad_yaml_syntax(self):
        with self.assertRaises(gdprx.RuleError) as cm:
            gdprx.RuleSet.from_yaml("rules:\n  - id: [unclosed\n", name="broken.yaml")
        e = cm.exception
        self.assertEqual(e.code, gdprx.Status.ESYNTAX)
        self.assertEqual(e.file, "broken.yaml")
        self.assertIsInstance(e.line, int)
        self.assertIsInstance(e.column, int)
        self.assertGreaterEqual(e.line, 2)

    def test_from_yaml_bad_pattern(self):
        bad = MINI_YAML.replace(r"'\bsell\w*\b", r"'(\bsell\w*\b")
        with self.assertRaises(gdprx.RuleError) as cm:
            gdprx.RuleSet.from_yaml(bad, name="pat.yaml")
        e = cm.exception
        self.assertEqual(e.code, gdprx.Status.EPATTERN)
        self.assertEqual(e.file, "pat.yaml")
        self.assertGreater(e.line, 0)

    def test_pattern(self):
        with gdprx.RuleSet.from_yaml(MINI_YAML) as r:
            self.assertEqual(r.pattern("recipient.sale.sell", "en", 0),
                             r"\bsell\w*\b[^.;]{0,30}?\bdata\b")
            self.assertIsNone(r.pattern("recipient.sale.sell", "en", 1))
            self.assertIsNone(r.pattern("no.such.rule", "en", 0))
            self.assertEqual(r.pattern("recipient.sale.sell", "nl", 0),
                             r"\bverkop\w*\b[^.;]{0,30}?\bgegevens\b")
            doc = r.analyze("We sell your data.")
            f = doc.findings[0]
            self.assertEqual(r.pattern(f.rule, f.lang, f.pattern_index),
                             r"\bsell\w*\b[^.;]{0,30}?\bdata\b")
            with self.assertRaises(gdprx.InputError):
                r.pattern("recipient.sale.sell", "de", 0)

    def test_test_passes(self):
        with gdprx.RuleSet.from_yaml(MINI_YAML) as r:
            rep = r.test()
            self.assertTrue(rep.ok)
            self.assertEqual((rep.passed, rep.failed), (9, 0))
            self.assertTrue(rep.report.rstrip().endswith("9 passed, 0 failed"))
            verbose = r.test(verbose=True).report
            self.assertIn("recipient.sale.sell", verbose)

    def test_test_failing_example(self):
        with gdprx.RuleSet.from_yaml(FAILING_YAML, name="f.yaml") as r:
            rep = r.test()
            self.assertFalse(rep.ok)
            self.assertEqual(rep.failed, 1)
            self.assertIn("We trade your data.", rep.report)

    def test_shipped_examples(self):
        rep = RULESET.test()
        self.assertGreater(rep.passed, 0)
        self.assertEqual(rep.failed + rep.passed > 0, True)

    def test_context_manager_and_close(self):
        r = gdprx.RuleSet.from_yaml(MINI_YAML)
        with r as same:
            self.assertIs(same, r)
            self.assertFalse(r.closed)
        self.assertTrue(r.closed)
        r.close()  # idempotent
        for call in (lambda: r.analyze("x"), lambda: len(r), lambda: r.test(),
                     lambda: r.pattern("a", "en"), lambda: r.analyze_many(["x"])):
            with self.assertRaises(ValueError):
                call()
        self.assertIn("closed", repr(r))

    def test_finalizer(self):
        for _ in range(50):
            r = gdprx.RuleSet.from_yaml(MINI_YAML)
            r.analyze("We sell your data.")
            del r
        gc.collect()

    def test_close_while_analyzing(self):
        r = gdprx.RuleSet.from_yaml(MINI_YAML)
        text = "We sell your data. " * 20000
        results, errors = [], []

        def work():
            try:
                results.append(len(r.analyze(text).findings))
            except ValueError as e:  # started after close: refused cleanly
                errors.append(e)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        r.close()
        for t in threads:
            t.join()
        self.assertEqual(len(results) + len(errors), 4)
        for n in results:
            self.assertEqual(n, 20000)


class TestAnalyze(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mini = gdprx.RuleSet.from_yaml(MINI_YAML, name="mini.yaml")

    @classmethod
    def tearDownClass(cls):
        cls.mini.close()

    def test_basic(self):
        doc = self.mini.analyze("We never sell your data. Please write to dpo@example.com now.")
        self.assertEqual(doc.lang, "en")
        self.assertEqual(len(doc.findings), 2)
        f, g = doc.findings
        self.assertEqual((f.type, f.subtype, f.polarity, f.start, f.end, f.text),
                         ("recipient", "sale", "negated", 9, 23, "sell your data"))
        self.assertTrue(f.negated)
        self.assertEqual(f.negation_cue, "never")
        self.assertEqual(f.rule, "recipient.sale.sell")
        self.assertEqual(f.articles, ("13(1)(e)",))
        self.assertEqual(f.lang, "en")
        self.assertEqual(f.pattern_index, 0)
        self.assertEqual(len(f.attrs), 0)
        self.assertEqual(f.clause, (0, 24))
        self.assertIsNone(f.section)
        self.assertEqual(g.attrs["email"], "dpo@example.com")
        self.assertEqual(g.attrs.email, "dpo@example.com")
        self.assertEqual(dict(g.attrs), {"email": "dpo@example.com"})
        self.assertEqual(g.attrs, {"email": "dpo@example.com"})
        self.assertEqual(g.polarity, "affirmed")
        self.assertIsNone(g.negation_cue)

    def test_dataclasses_are_frozen_slotted_picklable(self):
        doc = self.mini.analyze("We sell your data.", segments=True)
        f = doc.findings[0]
        for obj in (doc, f, f.attrs, doc.coverage[0], doc.segments[0]):
            self.assertFalse(hasattr(obj, "__dict__"), type(obj))
        with self.assertRaises(AttributeError):
            f.start = 3  # type: ignore[misc]
        self.assertEqual(pickle.loads(pickle.dumps(doc)), doc)
        self.assertEqual(hash(f), hash(pickle.loads(pickle.dumps(f))))

    def test_bytes_and_buffers(self):
        s = "Nous vendons vos données."
        for t in (s.encode(), bytearray(s.encode()), memoryview(s.encode())):
            doc = self.mini.analyze(t)
            f = doc.findings[0]
            self.assertEqual(f.text, "vendons vos données")
            self.assertIsNone(f.char_start)
            self.assertIsNone(f.clause_chars)
            self.assertEqual(s.encode()[f.start:f.end].decode(), f.text)
        self.assertEqual(self.mini.analyze(s).to_json(), self.mini.analyze(s.encode()).to_json())
        with self.assertRaises(TypeError):
            self.mini.analyze(42)  # type: ignore[arg-type]

    def test_lang(self):
        s = "Nous vendons vos données."
        self.assertEqual(self.mini.analyze(s).lang, "fr")
        self.assertEqual(self.mini.analyze(s, lang="auto").lang, "fr")
        doc = self.mini.analyze(s, lang="en")
        self.assertEqual(doc.lang, "en")
        self.assertEqual(doc.findings, ())
        self.assertEqual(self.mini.analyze("We sell your data.", lang="EN").lang, "en")
        with self.assertRaises(gdprx.InputError) as cm:
            self.mini.analyze(s, lang="de")
        self.assertEqual(cm.exception.code, gdprx.Status.EINVAL)
        self.assertIsInstance(cm.exception, ValueError)

    def test_types(self):
        s = "We sell your data. Please write to dpo@example.com now."
        self.assertEqual(len(self.mini.analyze(s).findings), 2)
        for types in ("contact", "contact.dpo", ["contact"], ("contact.dpo",)):
            doc = self.mini.analyze(s, types=types)
            self.assertEqual([f.type for f in doc.findings], ["contact"], types)
        both = self.mini.analyze(s, types=["contact", "recipient.sale"])
        self.assertEqual(len(both.findings), 2)
        with self.assertRaises(gdprx.InputError) as cm:
            self.mini.analyze(s, types="nosuchtype")
        self.assertEqual(cm.exception.code, gdprx.Status.EINVAL)
        self.assertIn("nosuchtype", str(cm.exception))

    def test_empty(self):
        for t in ("", b""):
            doc = self.mini.analyze(t)
            self.assertIsNone(doc.lang)
            self.assertEqual(doc.findings, ())
            self.assertEqual(doc.warnings, ())
            self.assertEqual(doc.to_dict()["lang"], None)
        self.assertEqual(self.mini.analyze("", lang="fr").lang, "fr")

    def test_json_and_dict(self):
        s = "We never sell your data. Please write to dpo@example.com now."
        doc = self.mini.analyze(s)
        d = doc.to_dict()
        self.assertEqual(d, json.loads(doc.to_json()))
        self.assertEqual(d["schema"], 1)
        self.assertEqual(d["lang"], doc.lang)
        self.assertEqual([{k: f.to_dict()[k] for k in FLAT_JSON_KEYS} for f in doc.findings],
                         [_flatten_json_finding(j) for j in d["findings"]])
        self.assertEqual(d["findings"][0]["negation_cue"], "never")
        self.assertEqual(len(d["coverage"]), len(doc.coverage))
        for c, dc in zip(doc.coverage, d["coverage"]):
            self.assertEqual((c.article, c.item, c.applicable, c.stated, list(c.findings)),
                             (dc["article"], dc["item"], dc["applicable"], dc["stated"],
                              dc["findings"]))
            for i in c.findings:
                self.assertLess(i, len(doc.findings))
        self.assertEqual(list(doc.warnings), d["warnings"])
        self.assertFalse(doc.to_json().endswith("\n"))

    def test_coverage(self):
        doc = self.mini.analyze("We sell your data.")
        self.assertGreater(len(doc.coverage), 0)
        stated = [c for c in doc.coverage if c.stated]
        self.assertTrue(any(c.article == "13(1)(e)" and c.findings == (0,) for c in stated))

    def test_segments(self):
        s = "# Données\n\nNous vendons vos données. 😀 Écrivez à dpo@example.fr.\n"
        self.assertIsNone(self.mini.analyze(s).segments)
        doc = self.mini.analyze(s, segments=True)
        kinds = {g.kind for g in doc.segments}
        self.assertLessEqual(kinds, {"heading", "paragraph", "clause"})
        self.assertIn("heading", kinds)
        self.assertIn("clause", kinds)
        data = s.encode()
        for g in doc.segments:
            self.assertEqual(s[g.char_start:g.char_end], data[g.start:g.end].decode())
        self.assertEqual(doc.findings[0].section, "Données")
        self.assertEqual(self.mini.analyze(data, segments=True).segments[0].char_start, None)

    def test_unicode_offsets(self):
        # accents (precomposed and combining), emoji (4 bytes, and a ZWJ
        # sequence), CJK, before and inside the matched phrases
        prefix = "Été 😀 👩‍👩‍👧 漢字 caf\u0065\u0301. "
        s = prefix + "Nous vendons vos données 🎉 à tous. Écrivez à dpo@example.fr."
        doc = self.mini.analyze(s)
        self.assertEqual(doc.lang, "fr")
        self.assertEqual(len(doc.findings), 2)
        _check_offsets(self, s, doc)
        f = doc.findings[0]
        self.assertEqual(f.text, "vendons vos données")
        self.assertEqual(f.char_start, s.index("vendons"))
        self.assertEqual(f.start, len(s[:s.index("vendons")].encode()))
        self.assertEqual(f.end - f.start, len(f.text.encode()))
        self.assertEqual(doc.findings[1].attrs["email"], "dpo@example.fr")

    def test_unicode_decomposed_match(self):
        # NFD text: the pattern sees "donnees"; the offsets cover the combining marks
        s = "😀😀 Nous vendons vos donne\u0301es. "
        doc = self.mini.analyze(s)
        _check_offsets(self, s, doc)
        self.assertEqual(doc.findings[0].text, "vendons vos donne\u0301es")

    def test_unicode_many_findings(self):
        parts = []
        for i in range(200):
            parts.append("é" * (i % 7) + "😀" * (i % 3) + f" Nous vendons vos données {i}.")
        s = " ".join(parts)
        doc = self.mini.analyze(s)
        self.assertEqual(len(doc.findings), 200)
        _check_offsets(self, s, doc)

    def test_ascii_fast_path(self):
        s = "We sell your data. " * 3
        doc = self.mini.analyze(s)
        for f in doc.findings:
            self.assertEqual((f.char_start, f.char_end), (f.start, f.end))

    def test_nul_and_control_characters(self):
        s = "We\x00sell\tyour\x01data. Please write to dpo@example.com."
        doc = self.mini.analyze(s)
        _check_offsets(self, s, doc)
        self.assertEqual(doc.findings[0].text, "sell\tyour\x01data")
        self.assertEqual(doc.to_dict()["findings"][0]["text"], "sell\tyour\x01data")

    def test_invalid_utf8(self):
        data = "Nous vendons vos données.".encode() + b" \xff\xfe " + b"We sell your data."
        with self.assertRaises(gdprx.InputError) as cm:
            self.mini.analyze(data)
        e = cm.exception
        self.assertEqual(e.code, gdprx.Status.EUTF8)
        self.assertEqual(e.offset, data.index(b"\xff"))
        self.assertIn(str(e.offset), str(e))
        self.assertIsInstance(e, ValueError)
        self.assertIsInstance(e, gdprx.Error)

    def test_max_html_size(self):
        # HTML past max_html_size is refused at that offset; the default
        # (None) reads it; as text it has no such limit
        page = "<p>We sell your data.</p><p>We sell your data.</p>"
        with self.assertRaises(gdprx.InputError) as cm:
            self.mini.analyze(page, max_html_size=10)
        self.assertEqual(cm.exception.code, gdprx.Status.ELIMIT)
        self.assertEqual(cm.exception.offset, 10)
        self.assertIn("HTML limit", str(cm.exception))
        self.assertGreaterEqual(len(self.mini.analyze(page).findings), 1)
        self.assertGreaterEqual(
            len(self.mini.analyze(page, max_html_size=len(page)).findings), 1)
        self.assertGreaterEqual(len(self.mini.analyze(
            page, max_html_size=10, format="text").findings), 1)
        with self.assertRaises(gdprx.InputError):
            self.mini.analyze_each(page, lambda f: None, max_html_size=10)
        with self.assertRaises(gdprx.InputError):
            list(self.mini.analyze_many([page], workers=1, max_html_size=10))
        for bad in (0, -1, 1.5, True, "10"):
            with self.assertRaises(ValueError, msg=repr(bad)):
                self.mini.analyze(page, max_html_size=bad)

    def test_invalid_utf8_truncated_sequence(self):
        data = b"abc \xe2\x82 def"
        with self.assertRaises(gdprx.InputError) as cm:
            self.mini.analyze(data)
        self.assertEqual(cm.exception.offset, 4)

    def test_replace_invalid(self):
        data = b"We sell your \xe2\x82data\xff. We sell your data."
        doc = self.mini.analyze(data, replace_invalid=True)
        self.assertEqual(len(doc.warnings), 1)
        self.assertIn("U+FFFD", doc.warnings[0])
        self.assertGreaterEqual(len(doc.findings), 1)
        # one U+FFFD per invalid byte, as in the C library's JSON
        for f, d in zip(doc.findings, doc.to_dict()["findings"]):
            self.assertEqual(f.text, d["text"])
            self.assertEqual(f.end - f.start, len(f.text.encode()) -
                             2 * f.text.count("\ufffd"))

    def test_lone_surrogate(self):
        s = "Nous vendons \ud800 vos données."
        with self.assertRaises(gdprx.InputError) as cm:
            self.mini.analyze(s)
        self.assertEqual(cm.exception.offset, len("Nous vendons ".encode()))
        doc = self.mini.analyze(s, replace_invalid=True)
        for f in doc.findings:
            self.assertEqual(s[f.char_start:f.char_end], f.text)

    def test_shipped_rules_sample(self):
        s = ("Vos données sont conservées pendant trois ans. 😀 "
             "Nous ne vendons jamais vos données personnelles à des tiers.")
        doc = RULESET.analyze(s)
        self.assertEqual(doc.lang, "fr")
        _check_offsets(self, s, doc)
        durations = [f.attrs.get("duration") for f in doc.findings if f.type == "retention"]
        self.assertIn("P3Y", durations)
        sale = [f for f in doc.findings if (f.type, f.subtype) == ("recipient", "sale")]
        self.assertTrue(sale and all(f.negated for f in sale))


class TestNormalize(unittest.TestCase):
    def test_normalize(self):
        self.assertEqual(gdprx.normalize("L’ÉTÉ — “Données”   Personnelles\nFin"),
                         "l'ete - \"donnees\" personnelles\nfin")
        self.assertEqual(gdprx.normalize(b"Caf\xc3\xa9"), "cafe")
        self.assertEqual(gdprx.normalize(""), "")

    def test_normalize_errors(self):
        with self.assertRaises(gdprx.InputError) as cm:
            gdprx.normalize(b"ab\xffcd")
        self.assertEqual(cm.exception.offset, 2)
        self.assertIn("\ufffd", gdprx.normalize(b"ab\xffcd", replace_invalid=True))


class TestErrors(unittest.TestCase):
    def test_hierarchy(self):
        self.assertTrue(issubclass(gdprx.RuleError, gdprx.Error))
        self.assertTrue(issubclass(gdprx.InputError, gdprx.Error))
        self.assertTrue(issubclass(gdprx.LibraryError, gdprx.Error))
        self.assertTrue(issubclass(gdprx.Error, Exception))

    def test_pickle(self):
        e = gdprx.RuleError(gdprx.Status.ESYNTAX, "f.yaml:1:2: bad", "f.yaml", 1, 2, None)
        e2 = pickle.loads(pickle.dumps(e))
        self.assertIs(type(e2), gdprx.RuleError)
        self.assertEqual((e2.code, e2.message, e2.file, e2.line, e2.column, e2.offset),
                         (gdprx.Status.ESYNTAX, "f.yaml:1:2: bad", "f.yaml", 1, 2, None))

    def test_enomem_maps_to_memoryerror(self):
        err = gdprx._Error()
        err.code = gdprx.Status.ENOMEM
        with self.assertRaises(MemoryError):
            gdprx._raise(gdprx._lib(), gdprx.Status.ENOMEM, err)

    def test_status_mapping(self):
        for code, cls in ((gdprx.Status.ESYNTAX, gdprx.RuleError),
                          (gdprx.Status.EPATTERN, gdprx.RuleError),
                          (gdprx.Status.EIO, gdprx.RuleError),
                          (gdprx.Status.EUTF8, gdprx.InputError),
                          (gdprx.Status.EINVAL, gdprx.InputError),
                          (gdprx.Status.ELIMIT, gdprx.InputError),
                          (gdprx.Status.EINTERNAL, gdprx.Error)):
            err = gdprx._Error()
            err.offset = -1
            with self.assertRaises(cls) as cm:
                gdprx._raise(gdprx._lib(), code, err)
            self.assertEqual(cm.exception.code, code)
            self.assertEqual(cm.exception.message, gdprx.strerror(code))


class TestThreads(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.texts = []
        if os.path.isdir(CORPUS):
            for name in sorted(os.listdir(CORPUS)):
                if not name.endswith(".gold.json"):
                    cls.texts.append(Path(CORPUS, name).read_text(encoding="utf-8"))
        cls.texts += ["", "Vos données sont conservées pendant trois ans. 😀",
                      b"We never sell your personal data."]

    def test_analyze_many_equals_sequential(self):
        seq = [RULESET.analyze(t) for t in self.texts]
        for workers in (1, 2, 4):
            many = list(RULESET.analyze_many(self.texts * 2, workers=workers))
            self.assertEqual(many, seq * 2, workers)

    def test_analyze_many_lazy_iterable_and_options(self):
        gen = (t for t in self.texts)
        out = list(RULESET.analyze_many(gen, workers=3, types="retention", segments=True))
        self.assertEqual(len(out), len(self.texts))
        for doc in out:
            self.assertTrue(all(f.type == "retention" for f in doc.findings))
            self.assertIsNotNone(doc.segments)
        self.assertEqual(list(RULESET.analyze_many([], workers=2)), [])

    def test_analyze_many_errors(self):
        texts = [b"We sell.", b"bad \xff", b"We sell."]
        it = RULESET.analyze_many(texts, workers=2)
        self.assertIsInstance(next(it), gdprx.Document)
        with self.assertRaises(gdprx.InputError):
            next(it)
        out = list(RULESET.analyze_many(texts, workers=2, return_exceptions=True))
        self.assertIsInstance(out[1], gdprx.InputError)
        self.assertEqual(out[1].offset, 4)
        self.assertIsInstance(out[2], gdprx.Document)
        with self.assertRaises(ValueError):
            RULESET.analyze_many(texts, workers=0)

    def test_analyze_many_abandoned(self):
        it = RULESET.analyze_many(iter(self.texts * 10), workers=2)
        next(it)
        it.close()  # stops the pool without running the rest

    def test_raw_threads_share_rules(self):
        text = self.texts[0]
        want = RULESET.analyze(text)
        bad = []

        def work():
            for _ in range(3):
                if RULESET.analyze(text) != want:
                    bad.append(1)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(bad, [])


class TestCorpusAgreement(unittest.TestCase):
    """The binding agrees with `gdprx --json` on every dev document."""

    @classmethod
    def setUpClass(cls):
        if not os.path.isdir(CORPUS):
            raise unittest.SkipTest(f"no corpus at {CORPUS}")
        cls.docs = sorted(p for p in Path(CORPUS).iterdir()
                          if p.is_file() and not p.name.endswith(".gold.json")
                          and not p.name.startswith("."))
        cls.rules = gdprx.RuleSet.load(RULES)  # the shipped rules: must load

    @classmethod
    def tearDownClass(cls):
        cls.rules.close()

    def test_corpus_present(self):
        self.assertGreater(len(self.docs), 0)
        self.assertTrue(os.access(TOOL, os.X_OK), f"gdprx tool not found: {TOOL} "
                        "(set GDPRX_TOOL)")

    def test_every_document(self):
        for path in self.docs:
            with self.subTest(doc=path.name):
                p = subprocess.run([TOOL, "--json", "--rules", RULES, str(path)],
                                   capture_output=True, timeout=300)
                self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
                tool_json = p.stdout.decode("utf-8").rstrip("\n")
                data = path.read_bytes()
                text = data.decode("utf-8")
                doc_b = self.rules.analyze(data)
                doc_s = self.rules.analyze(text)
                # the same bytes as the tool
                self.assertEqual(doc_b.to_json(), tool_json)
                self.assertEqual(doc_s.to_json(), tool_json)
                want = json.loads(tool_json)
                # the copied dataclasses say what the JSON says
                self.assertEqual(doc_s.lang, want["lang"])
                self.assertEqual(len(doc_s.findings), len(want["findings"]))
                flat = [_flatten_json_finding(j) for j in want["findings"]]
                for doc in (doc_s, doc_b):
                    self.assertEqual([{k: f.to_dict()[k] for k in FLAT_JSON_KEYS}
                                      for f in doc.findings], flat)
                self.assertEqual(list(doc_s.warnings), want["warnings"])
                self.assertEqual([(c.article, c.item, c.applicable, c.stated, list(c.findings))
                                  for c in doc_s.coverage],
                                 [(c["article"], c["item"], c["applicable"], c["stated"],
                                   c["findings"]) for c in want["coverage"]])
                # str offsets
                _check_offsets(self, text, doc_s)
                # str and bytes give the same findings but for the str offsets
                self.assertEqual(tuple(dataclasses.replace(f, char_start=None, char_end=None,
                                                           clause_chars=None)
                                       for f in doc_s.findings), doc_b.findings)


class TestMemory(unittest.TestCase):
    def test_no_leak(self):
        def rss_kib() -> int:
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
            return 0

        with gdprx.RuleSet.from_yaml(MINI_YAML) as r:
            text = "Été 😀 We never sell your data. Please write to dpo@example.com."
            for _ in range(2000):
                r.analyze(text)
            before = rss_kib()
            for _ in range(20000):
                r.analyze(text)
            after = rss_kib()
        self.assertLess(after - before, 2048, f"RSS grew {before} -> {after} KiB")


if __name__ == "__main__":
    unittest.main()
