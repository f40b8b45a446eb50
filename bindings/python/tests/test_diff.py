# SPDX-License-Identifier: MIT
"""RuleSet.diff: plain Change/Diff objects for each kind of change on
made-up pairs, str offsets, pickling, the ctypes mirrors of the diff
structs against the C compiler, and agreement with `gdprx diff --json`.

Environment: as test_gdprx.py (GDPRX_LIBRARY, GDPRX_RULES, GDPRX_TOOL).
"""

from __future__ import annotations

import ctypes
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import gdprx  # noqa: E402

CHECKOUT = HERE.parent.parent.parent
RULES = os.environ.get("GDPRX_RULES") or str(CHECKOUT / "rules")
TOOL = os.environ.get("GDPRX_TOOL") or str(CHECKOUT / "build" / "tools" / "gdprx")

KEEP2 = "We keep your invoices for two years.\n"
KEEP3 = "We keep your invoices for three years.\n"
NOSELL = "We never sell your data.\n"
SELL = "We sell your data.\n"
# non-ASCII before the findings: str indices differ from byte offsets
HELLO = "Bienvenue — welcome to our café's notice.\n\n"


class TestDiff(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.rules = gdprx.RuleSet.load(RULES)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.rules.close()

    def kinds(self, d: gdprx.Diff) -> list[tuple[str, str, tuple[str, ...]]]:
        return [(c.kind, c.label, c.changes) for c in d]

    def test_each_kind(self) -> None:
        cases = [
            ("identical", KEEP2 + NOSELL, KEEP2 + NOSELL, []),
            ("inserted at top", KEEP2 + NOSELL, HELLO + KEEP2 + NOSELL, []),
            ("added", KEEP2, KEEP2 + NOSELL,
             [("added", "recipient.sale", ())]),
            ("removed", KEEP2 + NOSELL, KEEP2,
             [("removed", "recipient.sale", ())]),
            ("polarity", NOSELL, SELL,
             [("changed", "recipient.sale", ("polarity",))]),
            ("duration", HELLO + KEEP2, KEEP3,
             [("changed", "retention.period", ("duration",))]),
            ("section", "# A\n\n" + KEEP2 + "\n# B\n\n",
             "# A\n\n\n# B\n\n" + KEEP2,
             [("changed", "retention.period", ("section",))]),
        ]
        for name, old, new, want in cases:
            with self.subTest(name):
                d = self.rules.diff(old, new, lang="en")
                self.assertEqual(self.kinds(d), want)
                self.assertEqual(d.equal, not want)
                self.assertEqual(bool(d), bool(want))

    def test_change_fields(self) -> None:
        d = self.rules.diff(HELLO + KEEP2, KEEP3, lang="en")
        (c,) = d
        self.assertIs(c.old, d.old.findings[c.old_index])
        self.assertIs(c.new, d.new.findings[c.new_index])
        self.assertEqual((c.old.attrs["duration"], c.new.attrs["duration"]),
                         ("P2Y", "P3Y"))
        # str indices into the texts given
        self.assertEqual((HELLO + KEEP2)[c.old.char_start:c.old.char_end],
                         c.old.text)
        self.assertTrue(0.5 <= c.similarity < 1.0)
        self.assertEqual(d.of_kind("changed"), (c,))
        self.assertEqual(json.loads(json.dumps(d.to_dict()))["changes"][0]
                         ["changes"], ["duration"])
        self.assertEqual(pickle.loads(pickle.dumps(d)), d)
        self.assertIn("1 changed", repr(d))

    def test_options(self) -> None:
        old, new = KEEP2, "We keep your invoices for two full years.\n"
        self.assertTrue(self.rules.diff(old, new, lang="en").equal)
        d = self.rules.diff(old, new, lang="en", min_similarity=1.0)
        self.assertEqual(sorted(c.kind for c in d), ["added", "removed"])
        self.assertTrue(self.rules.diff(NOSELL, SELL, types="retention").equal)
        with self.assertRaises(ValueError):
            self.rules.diff(old, new, min_similarity=0)
        with self.assertRaises(gdprx.InputError):
            self.rules.diff(old, new, types="no_such_type")

    def test_same_as_cli(self) -> None:
        old = "# Storage\n\n" + KEEP2 + "\n# Sharing\n\n" + NOSELL
        new = HELLO + "# Storage\n\n" + KEEP3 + "\n# Sharing\n\n" + SELL
        with tempfile.TemporaryDirectory() as tmp:
            po, pn = Path(tmp, "old.md"), Path(tmp, "new.md")
            po.write_text(old, encoding="utf-8")
            pn.write_text(new, encoding="utf-8")
            p = subprocess.run([TOOL, "diff", "--json", "--rules", RULES,
                                "--lang", "en", str(po), str(pn)],
                               capture_output=True, text=True)
        self.assertEqual(p.returncode, 1, p.stderr)
        cli = [(e["kind"], f"{e['type']}.{e['subtype']}", tuple(e["changes"]),
                (e["old"] or {}).get("start"), (e["new"] or {}).get("start"))
               for e in json.loads(p.stdout)["entries"]]
        d = self.rules.diff(old, new, lang="en")
        py = [(c.kind, c.label, c.changes, c.old and c.old.start,
               c.new and c.new.start) for c in d]
        self.assertEqual(py, cli)
        self.assertEqual(len(py), 2)


class TestDiffLayout(unittest.TestCase):
    """The ctypes mirrors of the diff structs have the C layout."""

    STRUCTS = {"gdprx_diff_entry": "_DiffEntry",
               "gdprx_diff_options": "_DiffOptions"}

    def test_layout_against_c_compiler(self) -> None:
        cc = shutil.which("cc") or shutil.which("gcc")
        header = CHECKOUT / "include" / "gdprx.h"
        if not cc or not header.is_file():
            self.fail("no C compiler or no header")
        lines = []
        for cname, pyname in self.STRUCTS.items():
            cls = getattr(gdprx, pyname)
            lines.append(f'printf("{pyname} sizeof() %zu\\n", sizeof({cname}));')
            for fname, _ in cls._fields_:
                lines.append(f'printf("{pyname} {fname} %zu\\n", '
                             f'offsetof({cname}, {fname}));')
        src = ("#include <stdio.h>\n#include <stddef.h>\n#include \"gdprx.h\"\n"
               "int main(void) {\n" + "\n".join(lines) + "\nreturn 0; }\n")
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "gdprx_version.h").write_text(
                "#define GDPRX_VERSION_NUMBER 100\n")
            Path(tmp, "layout.c").write_text(src)
            exe = str(Path(tmp, "layout"))
            p = subprocess.run([cc, "-I", tmp, "-I", str(header.parent), "-o",
                                exe, str(Path(tmp, "layout.c"))],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            out = subprocess.run([exe], capture_output=True, text=True).stdout
        self.assertEqual(len(out.splitlines()), 2 + 7 + 2)
        for line in out.splitlines():
            pyname, what, value = line.split()
            cls = getattr(gdprx, pyname)
            got = (ctypes.sizeof(cls) if what == "sizeof()"
                   else getattr(cls, what).offset)
            self.assertEqual(got, int(value), f"{pyname}.{what}")


if __name__ == "__main__":
    unittest.main()
