#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Analyze a folder of privacy policies and print a per-type summary table.

    python3 examples/python/summary.py [--rules PATH] [--lang LANG] FOLDER_OR_FILE...

For each document: its language, number of findings and the Art. 13/14
items it states; then, for each finding type, in how many documents it
occurs and how many findings are affirmed or negated.
"""

from __future__ import annotations

import argparse
import collections
import sys

from _common import gdprx, policy_files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", help="policy files or folders")
    ap.add_argument("--rules", help="rule directory or file (default: installed rules)")
    ap.add_argument("--lang", help="en, fr or nl (default: detect)")
    args = ap.parse_args()

    files = policy_files(args.paths)
    if not files:
        print("no policy files found", file=sys.stderr)
        return 1
    docs_with = collections.Counter()             # type -> documents
    polarity = collections.defaultdict(collections.Counter)  # type -> affirmed/negated
    failed = 0
    with gdprx.RuleSet.load(args.rules) as rules:
        width = max(len(f.name) for f in files)
        print(f"{'document':<{width}}  lang  findings  Art.13/14 stated")
        for path in files:
            try:
                doc = rules.analyze(path.read_text(encoding="utf-8"), lang=args.lang)
            except (gdprx.InputError, UnicodeDecodeError) as e:
                print(f"{path.name:<{width}}  error: {e}", file=sys.stderr)
                failed += 1
                continue
            applicable = [c for c in doc.coverage if c.applicable]
            stated = sum(c.stated for c in applicable)
            print(f"{path.name:<{width}}  {doc.lang or '?':<4}  {len(doc.findings):>8}"
                  f"  {stated}/{len(applicable)}")
            for t in {f.type for f in doc.findings}:
                docs_with[t] += 1
            for f in doc.findings:
                polarity[f.type][f.polarity] += 1

    print()
    print(f"{'type':<20} {'documents':>9} {'findings':>9} {'affirmed':>9} {'negated':>8}")
    for t in sorted(polarity):
        c = polarity[t]
        print(f"{t:<20} {docs_with[t]:>9} {c.total():>9} {c['affirmed']:>9} {c['negated']:>8}")
    total = sum((polarity[t] for t in polarity), collections.Counter())
    print(f"{'total':<20} {len(files) - failed:>9} {total.total():>9} "
          f"{total['affirmed']:>9} {total['negated']:>8}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
