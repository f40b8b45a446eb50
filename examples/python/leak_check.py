#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Memory check: 100,000 analyze calls on a short text; prints the resident
set size (VmRSS from /proc/self/status) at the start, after 10,000 calls and
at the end. A flat line after warm-up means no leak in the binding or the
library's result handling.

    python3 examples/python/leak_check.py [--rules PATH] [--calls N]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time

from _common import gdprx

TEXT = ("Été 😀 Nous conservons vos données pendant trois ans. Nous ne vendons "
        "jamais vos données personnelles. Contact : dpo@example.com.")


def rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", help="rule directory or file (default: installed rules)")
    ap.add_argument("--calls", type=int, default=100_000)
    args = ap.parse_args()
    with gdprx.RuleSet.load(args.rules) as rules:
        n_findings = len(rules.analyze(TEXT).findings)
        start = rss_kib()
        print(f"start:        VmRSS {start:>8} KiB  ({n_findings} findings per call)")
        t0 = time.perf_counter()
        at_10k = start
        for i in range(1, args.calls + 1):
            doc = rules.analyze(TEXT)
            doc.to_json()
            if i == 10_000:
                gc.collect()
                at_10k = rss_kib()
                print(f"after 10,000: VmRSS {at_10k:>8} KiB")
        gc.collect()
        end = rss_kib()
        elapsed = time.perf_counter() - t0
    print(f"after {args.calls:,}: VmRSS {end:>8} KiB  "
          f"({elapsed:.1f} s, {args.calls / elapsed:,.0f} calls/s)")
    print(f"growth after warm-up (10,000 -> {args.calls:,}): {end - at_10k} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
