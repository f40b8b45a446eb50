#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`gdprx -r` with --glob/-g and --exclude: which files of a tree are
analyzed (a table of cases over one small tree).

    check_filters.py GDPRX
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TREE = ["a.txt", "b.gold.json", "en/c.txt", "en/d.md", "en/deep/e.txt",
        "fr/f.txt", ".hidden.txt"]

# (name, options, paths given (relative to the tree), files analyzed in order)
CASES = [
    ("no filter: every regular file", [], ["."],
     ["a.txt", "b.gold.json", "en/c.txt", "en/d.md", "en/deep/e.txt", "fr/f.txt"]),
    ("glob on names", ["-g", "*.txt"], ["."],
     ["a.txt", "en/c.txt", "en/deep/e.txt", "fr/f.txt"]),
    ("two globs: either", ["--glob", "*.md", "--glob", "a.*"], ["."],
     ["a.txt", "en/d.md"]),
    ("exclude a suffix", ["--exclude", "*.gold.json"], ["."],
     ["a.txt", "en/c.txt", "en/d.md", "en/deep/e.txt", "fr/f.txt"]),
    ("!glob is exclude", ["-g", "!*.gold.json"], ["."],
     ["a.txt", "en/c.txt", "en/d.md", "en/deep/e.txt", "fr/f.txt"]),
    ("exclude a directory prunes it", ["--exclude", "deep"], ["."],
     ["a.txt", "b.gold.json", "en/c.txt", "en/d.md", "fr/f.txt"]),
    ("a glob with / matches below the root", ["-g", "en/*"], ["."],
     ["en/c.txt", "en/d.md"]),
    ("glob and exclude", ["-g", "*.txt", "--exclude", "fr"], ["."],
     ["a.txt", "en/c.txt", "en/deep/e.txt"]),
    ("relative to each root", ["-g", "deep/*"], ["en"], ["en/deep/e.txt"]),
    ("a named file is never filtered", ["-g", "*.txt"], ["b.gold.json", "en"],
     ["b.gold.json", "en/c.txt", "en/deep/e.txt"]),
]


def main() -> int:
    tool = os.path.abspath(sys.argv[1])
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for rel in TREE:
            p = Path(tmp, rel)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("We never sell your personal data.\n", encoding="utf-8")
        for name, opts, paths, want in CASES:
            p = subprocess.run([tool, "-r", "--jsonl", "--count", *opts, "--", *paths],
                               cwd=tmp, capture_output=True, text=True)
            got = [os.path.normpath(json.loads(line)["doc"])
                   for line in p.stdout.splitlines()]
            ok = p.returncode == 0 and got == want
            print(("ok   " if ok else "FAIL ") + f"{name}: {opts} {paths} -> {got}"
                  + ("" if ok else f" (want {want}; rc {p.returncode} {p.stderr})"))
            failed += not ok
    print(f"{len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
