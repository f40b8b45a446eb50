#!/usr/bin/env python3
"""gdprx diff as a user runs it: exit status 0 equal, 1 different, 2
trouble, 3 rules; the text and JSON outputs of a duration change; --types.

usage: check_diff_cli.py GDPRX  (tests/data/diff/ holds the made-up pairs)
"""
import json
import os
import subprocess
import sys
import unittest

TOOL = None
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "diff")


def run(*args):
    p = subprocess.run([TOOL, "diff", *args], capture_output=True, text=True,
                       cwd=DATA)
    return p.returncode, p.stdout, p.stderr


class TestDiffCli(unittest.TestCase):
    def test_identical_is_equal(self):
        rc, out, _ = run("old.md", "old.md")
        self.assertEqual(rc, 0, out)
        self.assertIn("0 added, 0 removed, 0 changed", out)

    def test_paragraph_inserted_at_top_is_equal(self):
        rc, out, _ = run("old.md", "top.md")
        self.assertEqual(rc, 0, out)
        self.assertEqual([l for l in out.splitlines() if l[:2] in
                          ("+ ", "- ", "~ ")], [])

    def test_duration_changed_text(self):
        rc, out, _ = run("top.md", "new.md")
        self.assertEqual(rc, 1, out)
        lines = [l for l in out.splitlines() if l[:2] in ("+ ", "- ", "~ ")]
        self.assertEqual(len(lines), 1, out)
        # line 5 of top.md, line 3 of new.md
        self.assertTrue(lines[0].startswith(
            "~ 5 -> 3: retention.period: duration P2Y -> P3Y  "), lines[0])
        self.assertIn('(section "Storage")', lines[0])
        self.assertTrue(out.splitlines()[-1] == "0 added, 0 removed, 1 changed")

    def test_duration_changed_json(self):
        rc, out, _ = run("--json", "old.md", "new.md")
        self.assertEqual(rc, 1)
        d = json.loads(out)
        self.assertFalse(d["equal"])
        self.assertEqual((d["added"], d["removed"], d["changed"]), (0, 0, 1))
        e = d["entries"][0]
        self.assertEqual((e["kind"], e["type"], e["subtype"], e["changes"]),
                         ("changed", "retention", "period", ["duration"]))
        self.assertEqual(e["old"]["attrs"]["duration"], "P2Y")
        self.assertEqual(e["new"]["attrs"]["duration"], "P3Y")
        self.assertEqual((e["old"]["line"], e["new"]["line"]), (3, 3))
        text = open(os.path.join(DATA, "new.md"), "rb").read()
        self.assertEqual(text[e["new"]["start"]:e["new"]["end"]].decode(),
                         e["new"]["text"])

    def test_json_equal(self):
        rc, out, _ = run("--json", "old.md", "top.md")
        self.assertEqual(rc, 0)
        self.assertEqual(json.loads(out)["entries"], [])

    def test_types_filter(self):
        self.assertEqual(run("--types", "recipient", "old.md", "new.md")[0], 0)
        self.assertEqual(run("--types", "retention.period", "old.md",
                             "new.md")[0], 1)

    def test_trouble(self):
        for args in [("old.md",), ("old.md", "missing.md"),
                     ("--types", "no_such_type", "old.md", "new.md"),
                     ("--min-similarity", "2", "old.md", "new.md"),
                     ("--bogus", "old.md", "new.md"),
                     ("old.md", "new.md", "third.md")]:
            rc, _, err = run(*args)
            self.assertEqual(rc, 2, args)
            self.assertTrue(err.startswith("gdprx: "), (args, err))

    def test_rules_fail(self):
        rc, _, err = run("--rules", "missing-rules", "old.md", "new.md")
        self.assertEqual(rc, 3, err)


if __name__ == "__main__":
    TOOL = os.path.abspath(sys.argv.pop(1))
    unittest.main()
