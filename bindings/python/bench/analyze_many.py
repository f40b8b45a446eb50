#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Benchmark of RuleSet.analyze_many: the dev corpus repeated 50 times,
analyzed with 1 worker, then with 2 workers; prints the times and the
speed-up. (A benchmark, not a test: the result depends on the machine.)

    python3 bindings/python/bench/analyze_many.py [--corpus DIR] [--rules PATH]
                                                  [--repeat 50] [--workers 1,2]
                                                  [--rounds 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the checkout this script is in: the first parent with include/gdprx.h
CHECKOUT = next((p for p in HERE.parents if (p / "include" / "gdprx.h").is_file()),
                HERE.parents[2])
try:
    import gdprx
except ImportError:  # from a checkout
    sys.path.insert(0, str(CHECKOUT / "bindings" / "python"))
    import gdprx


def machine_speedup(seconds: float = 1.0) -> float:
    """How much faster 2 threads run a CPU-bound job that releases the GIL
    (SHA-256 of large buffers) than 1 thread: ~2 on an idle 2-core machine,
    less when other processes compete for the CPUs."""
    import hashlib
    from concurrent.futures import ThreadPoolExecutor
    buf = b"x" * (8 << 20)

    def job(n: int) -> None:
        for _ in range(n):
            hashlib.sha256(buf).digest()

    t0 = time.perf_counter()
    job(1)
    n = max(1, int(seconds / (time.perf_counter() - t0)))
    t0 = time.perf_counter()
    job(2 * n)
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    with ThreadPoolExecutor(2) as ex:
        list(ex.map(job, [n, n]))
    return one / (time.perf_counter() - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=os.environ.get("GDPRX_CORPUS")
                    or str(CHECKOUT.parent / "shared" / "corpus" / "dev"))
    ap.add_argument("--rules", default=os.environ.get("GDPRX_RULES")
                    or str(CHECKOUT / "rules"))
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--rounds", type=int, default=1,
                    help="alternate the worker counts over R rounds of repeat/R")
    args = ap.parse_args()

    docs = [p.read_text(encoding="utf-8") for p in sorted(Path(args.corpus).iterdir())
            if p.is_file() and not p.name.endswith(".gold.json")]
    texts = docs * args.repeat
    mib = sum(len(t.encode()) for t in texts) / 2**20
    print(f"{len(docs)} documents x {args.repeat} = {len(texts)} analyses, "
          f"{mib:.1f} MiB; {os.cpu_count()} CPUs; library {gdprx.library_path()}")
    print(f"machine check before: 2 threads hashing run {machine_speedup():.2f}x "
          "faster than 1 (the ceiling here, ~2.0 when idle)")
    with gdprx.RuleSet.load(args.rules) as rules:
        # one pass on one thread, timing the C call apart: the rest of
        # analyze() holds the GIL and bounds what threads can gain (Amdahl)
        lib = rules._lib
        c_call = lib.gdprx_analyze
        in_c = 0.0

        def timed(*a):
            nonlocal in_c
            t = time.perf_counter()
            try:
                return c_call(*a)
            finally:
                in_c += time.perf_counter() - t

        lib.gdprx_analyze = timed
        try:
            t0 = time.perf_counter()
            for t in docs:
                rules.analyze(t)
            total = time.perf_counter() - t0
        finally:
            lib.gdprx_analyze = c_call
        serial = 1 - in_c / total
        print(f"one pass: {total:.2f} s, {100 * serial:.1f}% of it in Python holding the "
              f"GIL -> Amdahl bound for 2 workers {1 / (serial + (1 - serial) / 2):.2f}x")
        workers = [int(w) for w in args.workers.split(",")]
        times = dict.fromkeys(workers, 0.0)
        cpus = dict.fromkeys(workers, 0.0)
        ratios = []
        # --rounds R splits the work in R rounds that alternate the worker
        # counts, so that the load of other processes hits both alike
        chunk = texts[:len(docs) * max(1, args.repeat // args.rounds)]
        for rnd in range(args.rounds):
            batch = texts if args.rounds == 1 else chunk
            this = {}
            for w in workers:
                t0, c0 = time.perf_counter(), time.process_time()
                n = sum(len(d.findings) for d in rules.analyze_many(batch, workers=w))
                this[w] = time.perf_counter() - t0
                times[w] += this[w]
                cpus[w] += time.process_time() - c0
            if args.rounds > 1:
                ratios.append(this[workers[0]] / this[workers[-1]])
                print(f"round {rnd + 1}: " + ", ".join(
                    f"{w} workers {this[w]:.2f} s" for w in workers)
                    + f", speed-up {ratios[-1]:.2f}x")
        n_docs = len(batch) * args.rounds
        for w in workers:
            print(f"workers={w}: {times[w]:7.2f} s  {n_docs / times[w]:7.1f} docs/s"
                  f"  {mib * n_docs / len(texts) / times[w]:6.2f} MiB/s"
                  f"  CPU {cpus[w]:7.2f} s ({cpus[w] / times[w]:.2f} cores busy)"
                  f"  ({n} findings per batch)")
    base = times[workers[0]]
    for w in workers[1:]:
        print(f"speed-up {workers[0]} -> {w} workers: {base / times[w]:.2f}x"
              + (f" (median of rounds {statistics.median(ratios):.2f}x, "
                 f"best {max(ratios):.2f}x)" if ratios and w == workers[-1] else ""))
    print(f"machine check after: {machine_speedup():.2f}x; load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
