# SPDX-License-Identifier: MIT
"""`python -m gdprx` against the C tool `gdprx`: the same bytes on stdout
and stderr and the same exit status, for two documents of the development
corpus plus documents that fail, in every output mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from tests.test_gdprx import CORPUS, RULES, TOOL

HERE = Path(__file__).resolve().parent.parent      # bindings/python

OPTION_SETS = [
    ["--jsonl"],
    [],                                   # text with the checklist
    ["--no-coverage"],
    ["--count"],
    ["--count", "--jsonl"],
    ["--jsonl", "--types", "retention,right.erasure", "--lang", "en"],
    ["--no-coverage", "--types", "recipient", "-j", "1"],
    ["--jsonl", "-j", "3", "--lang", "fr"],
    ["--types", "retention,right"],        # checklist of the selected types
    ["--context", "--explain", "--no-coverage"],
    ["--jsonl", "--max-size", "20K"],
    ["--count", "--format", "text"],
]


def _run(cmd: list[str], cwd: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(HERE))
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, timeout=600)


class TestMain(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        files = sorted(p for p in Path(CORPUS).iterdir()
                       if p.is_file() and not p.name.endswith(".gold.json"))
        en = next(p for p in files if ".en." in p.name)
        fr = next(p for p in files if ".fr." in p.name)
        cls.docs = [str(en), str(fr)]

    def compare(self, args: list[str], cwd: str) -> subprocess.CompletedProcess:
        c = _run([TOOL, "--rules", RULES, *args], cwd)
        py = _run([sys.executable, "-m", "gdprx", "--rules", RULES, *args], cwd)
        self.assertEqual(py.stderr.decode(), c.stderr.decode(), args)
        self.assertEqual(py.stdout.decode(), c.stdout.decode(), args)
        self.assertEqual(py.returncode, c.returncode, args)
        return c

    def test_same_output_as_the_c_tool(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp, "latin1.txt")
            bad.write_bytes(b"We sell your d\xe9tails.\n")
            paths = [*self.docs, str(Path(tmp, "missing.txt")), tmp, str(bad)]
            for opts in OPTION_SETS:
                with self.subTest(opts=opts):
                    c = self.compare([*opts, "--", *paths], tmp)
                    self.assertEqual(c.returncode, 1)   # three documents failed
            recs = [json.loads(line) for line in
                    self.compare(["--jsonl", *paths], tmp).stdout.splitlines()]
            self.assertEqual([r.get("error", {}).get("code") for r in recs],
                             [None, None, "io", "is_directory", "utf8"])
            self.assertGreater(len(recs[0]["findings"]), 20)
            self.assertGreater(len(recs[1]["findings"]), 20)

    def test_json_of_one_document_and_recursive(self):
        with tempfile.TemporaryDirectory() as tmp:
            for d in self.docs:
                c = self.compare(["--json", d], tmp)
                self.assertEqual(c.returncode, 0)
                self.assertEqual(json.loads(c.stdout)["schema"], 1)
            sub = Path(tmp, "tree", "sub")
            sub.mkdir(parents=True)
            for i, d in enumerate(self.docs):
                Path(sub if i else Path(tmp, "tree"), Path(d).name).write_bytes(
                    Path(d).read_bytes())
            c = self.compare(["-r", "--count", "tree"], tmp)
            self.assertEqual(len(c.stdout.splitlines()), 2)

    def test_glob_exclude_and_files_from(self):
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp, "tree")
            for sub in ("a", "a/deep", "b", "skip"):
                Path(tree, sub).mkdir(parents=True)
            for i, rel in enumerate(["a/one.md", "a/deep/two.txt", "b/three.md",
                                     "skip/four.md", "five.txt"]):
                Path(tree, rel).write_bytes(Path(self.docs[i % 2]).read_bytes())
            for opts in (["-g", "*.md"], ["--exclude", "skip"],
                         ["-g", "a/*", "-g", "!*.txt"], ["-g", "*/*.md", "--exclude", "b"],
                         ["--glob", "*.txt", "--exclude", "deep"]):
                with self.subTest(opts=opts):
                    c = self.compare(["-r", "--count", *opts, "tree"], tmp)
                    self.assertEqual(c.returncode, 0)
            expect = {("-g", "*.md"): 3, ("--exclude", "skip"): 4}
            for opts, n in expect.items():
                c = self.compare(["-r", "--count", *opts, "tree"], tmp)
                self.assertEqual(len(c.stdout.splitlines()), n, opts)
            listing = Path(tmp, "list")
            listing.write_bytes(b"tree/a/one.md\r\n\ntree/b\nmissing.md\n")
            c = self.compare(["--jsonl", "--files-from", "list", "tree/five.txt"], tmp)
            self.assertEqual([json.loads(x).get("error", {}).get("code")
                              for x in c.stdout.splitlines()],
                             [None, None, "is_directory", "io"])
            listing.write_bytes(b"tree/a/one.md\0tree/b/three.md\0")
            c = self.compare(["-r", "--count", "--files-from", "list"], tmp)
            self.assertEqual(len(c.stdout.splitlines()), 2)
            self.assertEqual(self.compare(["--files-from", "nolist"], tmp).returncode, 1)

    def test_usage_and_rule_errors(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.assertEqual(self.compare(["--json", *self.docs], tmp).returncode, 2)
            self.assertEqual(self.compare(["--types", "nosuchtype", self.docs[0]],
                                          tmp).returncode, 2)
            py = _run([sys.executable, "-m", "gdprx", "--rules",
                       str(Path(tmp, "none")), self.docs[0]], tmp)
            self.assertEqual(py.returncode, 3)
            # a missing rule set named by $GDPRX_RULES: the same message,
            # which says where the path came from
            gone = str(Path(tmp, "gone"))
            env = dict(os.environ, PYTHONPATH=str(HERE), GDPRX_RULES=gone)
            c = subprocess.run([TOOL, self.docs[0]], cwd=tmp, env=env,
                               capture_output=True, timeout=600)
            py = subprocess.run([sys.executable, "-m", "gdprx", self.docs[0]],
                                cwd=tmp, env=env, capture_output=True,
                                timeout=600)
            self.assertEqual((py.returncode, c.returncode), (3, 3))
            self.assertIn("$GDPRX_RULES", c.stderr.decode())
            self.assertEqual(py.stderr.decode(), c.stderr.decode())


if __name__ == "__main__":
    unittest.main()
