# SPDX-License-Identifier: MIT
"""Tests of the binding for pipelines: flat records (csv, json), Document as
a sequence, pickling, RuleSet.pipe / analyze_paths on threads and
processes, and the Dask example end to end (examples/python/dask_bag.py).

Environment: as test_gdprx, and GDPRX_DASK_PYTHON, an interpreter with
dask and distributed (default: this one, else /usr/bin/python3); the Dask
test fails, with what to install, when there is none.
"""

from __future__ import annotations

import concurrent.futures
import csv
import io
import json
import os
import pickle
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from tests.test_gdprx import (
    CHECKOUT,
    CORPUS,
    MINI_YAML,
    RULES,
    _flatten_json_finding,
    gdprx,
)

# Texts for the mini rule set: non-ASCII before and inside the findings,
# CRLF line ends, a decomposed accent, an astral character.
MIXED = ("Été 😀 naïve\r\nWe never sell your data.\r\n\r\n"
         "Ünïcode: Please write to dpo@example.com now.\r\n")
FR_CRLF = "Café\r\nNous ne vendons jamais vos données.\r\nE\u0301crivez a dpo@example.fr.\r\n"


def _corpus_files(n: int | None = None) -> list[Path]:
    files = sorted(p for p in Path(CORPUS).iterdir()
                   if p.is_file() and not p.name.endswith(".gold.json")
                   and not p.name.startswith("."))
    return files if n is None else files[:n]


def _csv_text(records: list[dict]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=gdprx.RECORD_FIELDS)
    w.writeheader()
    w.writerows(records)
    return out.getvalue()


def _analyze_in_worker(rules: gdprx.RuleSet, text: str) -> gdprx.Document:
    """Run in a ProcessPoolExecutor: the RuleSet arrives by pickle."""
    return rules.analyze(text)


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mini = gdprx.RuleSet.from_yaml(MINI_YAML, name="mini.yaml")
        cls.rules = gdprx.RuleSet.load(RULES)

    @classmethod
    def tearDownClass(cls):
        cls.mini.close()
        cls.rules.close()


class TestRecords(Base):
    def test_finding_to_dict_has_every_field(self):
        doc = self.mini.analyze(MIXED)
        self.assertEqual(len(doc), 2)
        for f in doc:
            d = f.to_dict()
            self.assertEqual(tuple(d), gdprx.FINDING_FIELDS)
            for v in d.values():
                self.assertIsInstance(v, (str, int, type(None)))
        neg, mail = (f.to_dict() for f in doc)
        self.assertEqual((neg["polarity"], neg["negation_cue"], neg["email"], neg["age"]),
                         ("negated", "never", None, None))
        self.assertEqual((mail["negation_cue"], mail["email"], mail["articles"]),
                         (None, "dpo@example.com", ""))
        self.assertEqual(neg["articles"], "13(1)(e)")

    def test_char_offsets_index_the_str(self):
        for text in (MIXED, FR_CRLF, MIXED.replace("\r\n", "\n"), "x" * 3 + MIXED * 3):
            doc = self.mini.analyze(text)
            self.assertGreater(len(doc), 0, text)
            data = text.encode("utf-8")
            for r in doc.records():
                self.assertEqual(text[r["char_start"]:r["char_end"]], r["text"], r)
                self.assertEqual(data[r["start"]:r["end"]].decode("utf-8"), r["text"], r)
                self.assertEqual(text[r["clause_char_start"]:r["clause_char_end"]],
                                 data[r["clause_start"]:r["clause_end"]].decode("utf-8"), r)
                self.assertLess(r["char_start"], r["start"])  # non-ASCII before each
        # CRLF is kept: an offset past a "\r\n" counts both characters
        doc = self.mini.analyze(FR_CRLF)
        self.assertEqual(doc[0].char_start, FR_CRLF.index("vendons"))

    def test_bytes_input_has_no_char_offsets(self):
        r = self.mini.analyze(MIXED.encode("utf-8")).records()[0]
        self.assertEqual(tuple(r), gdprx.RECORD_FIELDS)
        self.assertIsNone(r["char_start"])
        self.assertIsNone(r["clause_char_end"])

    def test_records_same_keys_everywhere_csv_json(self):
        docs = [self.rules.analyze(p.read_text(encoding="utf-8"), name=p.name)
                for p in _corpus_files(6)]
        docs.append(self.mini.analyze(MIXED, name="mixed"))
        records = [r for d in docs for r in d.records()]
        self.assertGreater(len({r["doc"] for r in records}), 5)
        for r in records:
            self.assertEqual(tuple(r), gdprx.RECORD_FIELDS)
        # csv: written and read back unchanged (None becomes "")
        back = list(csv.DictReader(io.StringIO(_csv_text(records))))
        self.assertEqual(len(back), len(records))
        for r, b in zip(records, back):
            self.assertEqual(b, {k: "" if v is None else str(v) for k, v in r.items()})
        # json: unchanged
        self.assertEqual(json.loads(json.dumps(records)), records)
        # doc, doc_lang and index
        d = docs[-1]
        self.assertEqual([(r["doc"], r["doc_lang"], r["index"]) for r in d.records()],
                         [("mixed", "en", 0), ("mixed", "en", 1)])
        self.assertEqual(d.records(name="other")[0]["doc"], "other")
        self.assertEqual(self.mini.analyze("").records(), [])

    def test_records_agree_with_the_c_json(self):
        for p in _corpus_files(4):
            text = p.read_text(encoding="utf-8")
            doc = self.rules.analyze(text)
            want = [_flatten_json_finding(j) for j in json.loads(doc.to_json())["findings"]]
            got = [{k: r[k] for k in want[0]} for r in doc.records()]
            self.assertEqual(got, want, p.name)
            for r in doc.records():
                self.assertEqual(text[r["char_start"]:r["char_end"]], r["text"])


class TestDocumentSequence(Base):
    def test_len_iter_getitem(self):
        doc = self.mini.analyze(MIXED)
        self.assertEqual(len(doc), len(doc.findings))
        self.assertEqual(list(doc), list(doc.findings))
        self.assertEqual(doc[0], doc.findings[0])
        self.assertEqual(doc[-1], doc.findings[-1])
        self.assertEqual(doc[0:1], doc.findings[0:1])
        with self.assertRaises(IndexError):
            doc[len(doc)]
        empty = self.mini.analyze("")
        self.assertEqual(len(empty), 0)
        self.assertFalse(empty)

    def test_short_repr(self):
        for p in _corpus_files():
            text = p.read_text(encoding="utf-8")
            for name in (p.name, str(p) * 5):
                doc = self.rules.analyze(text, name=name)
                r = repr(doc)
                self.assertLess(len(r), 200, r)
                self.assertIn(f"lang={doc.lang!r}", r)
                self.assertIn(f" {len(doc)} findings", r)
                if len(doc):
                    self.assertIn(f"{doc[0].type}.{doc[0].subtype}", r)
            self.assertIn(repr(p.name), repr(self.rules.analyze(text, name=p.name)))


class TestPickle(Base):
    def test_document_and_finding_are_plain_data(self):
        doc = self.mini.analyze(MIXED, name="mixed", segments=True)
        blob = pickle.dumps(doc)
        self.assertNotIn(b"ctypes", blob)
        back = pickle.loads(blob)
        self.assertEqual(back, doc)
        self.assertEqual(back.name, "mixed")
        self.assertEqual(back.to_json(), doc.to_json())
        self.assertEqual(pickle.loads(pickle.dumps(doc[1])), doc[1])

    def test_ruleset_pickles_as_its_source(self):
        for rules in (self.rules, self.mini):
            blob = pickle.dumps(rules)
            self.assertNotIn(b"ctypes", blob)
            back = pickle.loads(blob)
            try:
                self.assertEqual(len(back), len(rules))
                self.assertEqual(back.analyze(MIXED), rules.analyze(MIXED))
                self.assertEqual(back.source, rules.source if rules is self.mini
                                 else os.path.abspath(RULES))
            finally:
                back.close()
        self.assertIn(MINI_YAML.encode("utf-8"), pickle.dumps(self.mini))
        self.assertIn(os.fsencode(os.path.abspath(RULES)), pickle.dumps(self.rules))

    def test_relative_path_pickles_absolute(self):
        cwd = os.getcwd()
        os.chdir(CHECKOUT)
        try:
            rel = gdprx.RuleSet.load("rules")
        finally:
            os.chdir(cwd)
        with rel, tempfile.TemporaryDirectory() as tmp:
            os.chdir(tmp)
            try:
                with pickle.loads(pickle.dumps(rel)) as back:
                    self.assertEqual(len(back), len(rel))
            finally:
                os.chdir(cwd)

    def test_unpickled_copies_share_and_close_independently(self):
        blob = pickle.dumps(self.mini)
        a, b = pickle.loads(blob), pickle.loads(blob)
        self.assertIs(a._native, b._native)
        a.close()
        self.assertTrue(a.closed)
        self.assertEqual(len(b.analyze(MIXED)), 2)  # b still works
        b.close()
        with pickle.loads(blob) as c:  # the process keeps the rules loaded
            self.assertEqual(len(c.analyze(MIXED)), 2)

    def test_closed_ruleset_does_not_pickle(self):
        r = gdprx.RuleSet.from_yaml(MINI_YAML)
        r.close()
        with self.assertRaises(ValueError):
            pickle.dumps(r)

    def test_process_pool_equals_serial(self):
        texts = [p.read_text(encoding="utf-8") for p in _corpus_files(6)] + [MIXED, ""]
        serial = [self.rules.analyze(t) for t in texts]
        with concurrent.futures.ProcessPoolExecutor(max_workers=2) as ex:
            pooled = list(ex.map(_analyze_in_worker, [self.rules] * len(texts), texts))
        self.assertEqual(pooled, serial)
        self.assertGreater(sum(map(len, pooled)), 100)


class TestPipe(Base):
    def test_pipe_equals_serial(self):
        files = _corpus_files(8)
        items = [(p.name, p.read_text(encoding="utf-8")) for p in files]
        items += [("mixed", MIXED), ("empty", ""), ("bytes", b"We never sell your data.")]
        serial = [self.rules.analyze(t, name=n) for n, t in items]
        for kw in ({}, {"n_threads": 2}, {"n_process": 2, "batch_size": 3}):
            with self.subTest(**kw):
                self.assertEqual(list(self.rules.pipe(iter(items), **kw)), serial)
        plain = list(self.rules.pipe([t for _, t in items], n_threads=2))
        self.assertEqual([d.name for d in plain], [None] * len(items))
        self.assertEqual([d.findings for d in plain], [d.findings for d in serial])

    def test_pipe_options_and_errors(self):
        texts = [MIXED, b"bad \xff", FR_CRLF]
        for kw in ({}, {"n_process": 2, "batch_size": 1}):
            with self.subTest(**kw):
                out = list(self.mini.pipe(texts, types=["recipient"], return_exceptions=True,
                                          **kw))
                self.assertIsInstance(out[1], gdprx.InputError)
                self.assertEqual(out[1].offset, 4)
                self.assertEqual([f.type for f in out[0]], ["recipient"])
                self.assertEqual([f.type for f in out[2]], ["recipient"])
                with self.assertRaises(gdprx.InputError):
                    list(self.mini.pipe(texts, **kw))
        for bad in ({"n_process": 0}, {"n_threads": 0}, {"batch_size": 0}):
            with self.assertRaises(ValueError):
                self.mini.pipe(texts, **bad)

    def test_analyze_paths(self):
        with tempfile.TemporaryDirectory() as tmp:
            crlf = Path(tmp, "crlf.txt")
            crlf.write_bytes(MIXED.encode("utf-8"))
            bad = Path(tmp, "bad.txt")
            bad.write_bytes(b"We sell your data \xff.")
            missing = Path(tmp, "missing.txt")
            paths = [crlf, bad, missing, crlf]
            for kw in ({}, {"n_threads": 2}, {"n_process": 2, "batch_size": 1}):
                with self.subTest(**kw):
                    out = list(self.mini.analyze_paths(paths, return_exceptions=True, **kw))
                    self.assertEqual(out[0], self.mini.analyze(MIXED, name=str(crlf)))
                    self.assertEqual(out[3], out[0])
                    for r in out[0].records():  # offsets index the file's characters
                        self.assertEqual(MIXED[r["char_start"]:r["char_end"]], r["text"])
                    self.assertIsInstance(out[1], gdprx.InputError)
                    self.assertIsInstance(out[2], FileNotFoundError)
            replaced = list(self.mini.analyze_paths([bad], replace_invalid=True))
            self.assertEqual(replaced[0][0].text, "sell your data")
            with self.assertRaises(FileNotFoundError):
                list(self.mini.analyze_paths([missing]))


def _dask_python() -> str:
    env = os.environ.get("GDPRX_DASK_PYTHON")
    for cand in ([env] if env else [sys.executable, "/usr/bin/python3"]):
        if cand and subprocess.run([cand, "-c", "import dask.bag, distributed"],
                                   capture_output=True).returncode == 0:
            return cand
    raise AssertionError("no python3 with dask and distributed: run tools/deps.sh "
                         "(Debian python3-distributed)")


class TestDaskExample(Base):
    """examples/python/dask_bag.py on a LocalCluster of 2 workers and on the
    multiprocessing scheduler writes the CSV a serial run writes."""

    def test_dask_bag_equals_serial(self):
        python = _dask_python()
        files = _corpus_files()[::5][:5]
        want = _csv_text([r for p in files for r in
                          self.rules.analyze(p.read_text(encoding="utf-8"),
                                             name=str(p)).records()])
        self.assertGreater(want.count("\n"), 50)
        example = CHECKOUT / "examples" / "python" / "dask_bag.py"
        env = dict(os.environ, GDPRX_LIBRARY=gdprx.library_path())
        with tempfile.TemporaryDirectory() as tmp:
            for scheduler in ("local", "processes"):
                with self.subTest(scheduler=scheduler):
                    out = Path(tmp, scheduler + ".csv")
                    p = subprocess.run([python, str(example), "--rules", RULES,
                                        "--scheduler", scheduler, "--workers", "2",
                                        "--partitions", "3", "--out", str(out),
                                        *map(str, files)],
                                       capture_output=True, text=True, env=env,
                                       timeout=600)
                    self.assertEqual(p.returncode, 0, p.stderr[-3000:])
                    self.assertIn(f"{len(files)} documents (0 failed)", p.stdout)
                    got = out.read_bytes().decode("utf-8")
                    self.assertEqual(got, want)


if __name__ == "__main__":
    unittest.main()
