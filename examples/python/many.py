#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Analyze many policies on several threads with RuleSet.analyze_many.

    python3 examples/python/many.py [--rules PATH] [--workers N] [--repeat K] FOLDER_OR_FILE...

The rule set is compiled once and shared by every thread; results come back
in input order, so each line matches its file. Errors (invalid UTF-8, say)
are reported in place and do not stop the others.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time

from _common import gdprx, policy_files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", help="policy files or folders")
    ap.add_argument("--rules", help="rule directory or file (default: installed rules)")
    ap.add_argument("--workers", type=int, default=None, help="threads (default: CPUs)")
    ap.add_argument("--repeat", type=int, default=1, help="analyze every file K times")
    args = ap.parse_args()

    files = policy_files(args.paths) * args.repeat
    texts = (p.read_bytes() for p in files)  # read lazily, a few ahead
    by_type: collections.Counter[str] = collections.Counter()
    failed = 0
    with gdprx.RuleSet.load(args.rules) as rules:
        t0 = time.perf_counter()
        results = rules.analyze_many(texts, workers=args.workers, return_exceptions=True)
        for path, doc in zip(files, results):
            if isinstance(doc, gdprx.Error):
                print(f"{path}: error: {doc}", file=sys.stderr)
                failed += 1
                continue
            by_type.update(f.type for f in doc.findings)
            if args.repeat == 1:
                top = ", ".join(f"{t} {n}" for t, n in
                                collections.Counter(f.type for f in doc.findings).most_common(3))
                print(f"{path.name}: {doc.lang or '?'}, {len(doc.findings)} findings ({top})")
        elapsed = time.perf_counter() - t0
    print(f"{len(files)} documents in {elapsed:.2f} s "
          f"({len(files) / elapsed:.1f} documents/s); "
          f"{sum(by_type.values())} findings: "
          + ", ".join(f"{t} {n}" for t, n in by_type.most_common()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
