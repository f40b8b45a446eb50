#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Analyze a folder of policies with a dask.bag and write one CSV of records.

    python3 examples/python/dask_bag.py --out records.csv [--rules PATH]
        [--scheduler local|processes|tcp://HOST:8786] [--workers N]
        [--partitions N] FOLDER_OR_FILE...

The rule set is loaded here and shipped to the workers by pickle: a
RuleSet pickles as its path (or its YAML), and each worker process loads it
once. Each worker reads its own files, so the paths (and --rules) must be
visible to every worker at the same place: on one machine they are; on a
cluster use a shared file system, and give the scheduler's address
(``--scheduler tcp://host:8786``, the workers started with ``dask worker
tcp://host:8786`` where gdprx is installed).

Schedulers: ``local`` (default) starts a distributed.LocalCluster of
--workers processes with one thread each; ``processes`` is dask's
multiprocessing scheduler (no python3-distributed needed).

The CSV has the columns of gdprx.RECORD_FIELDS, one row per finding, the
documents in input order; the same bytes as a serial run writing
``doc.records()`` with ``csv.DictWriter``. Files that fail are reported on
stderr (exit status 1) and have no rows. With pandas, ``pd.read_csv(out)``
or ``pandas.DataFrame(records)`` gives the table.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time

import dask
import dask.bag as db

from _common import gdprx, policy_files


def analyze_partition(paths: list[str], rules: gdprx.RuleSet) -> list[tuple]:
    """On a worker: ("ok", records) or ("error", path, message) per file,
    in the order of ``paths``."""
    out: list[tuple] = []
    for path, doc in zip(paths, rules.analyze_paths(paths,
                                                    return_exceptions=True)):
        if isinstance(doc, Exception):
            out.append(("error", path, f"{type(doc).__name__}: {doc}"))
        else:
            out.append(("ok", doc.records()))
    return out


def run(paths: list[str], rules: gdprx.RuleSet, partitions: int) -> list[tuple]:
    bag = db.from_sequence(paths, npartitions=max(1, min(partitions, len(paths))))
    return bag.map_partitions(analyze_partition, rules).compute()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", help="policy files or folders")
    ap.add_argument("--out", required=True, help="CSV file to write")
    ap.add_argument("--rules", help="rule directory or file (default: installed rules)")
    ap.add_argument("--scheduler", default="local",
                    help="local, processes, or a scheduler address")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--partitions", type=int, default=None,
                    help="bag partitions (default: 4 per worker)")
    args = ap.parse_args()

    paths = [str(p) for p in policy_files(args.paths)]
    partitions = args.partitions or 4 * args.workers
    t0 = time.perf_counter()
    with gdprx.RuleSet.load(args.rules) as rules:
        if args.scheduler == "processes":
            with dask.config.set(scheduler="processes", num_workers=args.workers):
                results = run(paths, rules, partitions)
        else:
            from distributed import Client, LocalCluster
            if args.scheduler == "local":
                with LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                  processes=True, dashboard_address=None) as cluster, \
                        Client(cluster):
                    results = run(paths, rules, partitions)
            else:
                with Client(args.scheduler):
                    results = run(paths, rules, partitions)
    elapsed = time.perf_counter() - t0

    failed = rows = 0
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=gdprx.RECORD_FIELDS)
        w.writeheader()
        for r in results:
            if r[0] == "error":
                print(f"{r[1]}: {r[2]}", file=sys.stderr)
                failed += 1
            else:
                w.writerows(r[1])
                rows += len(r[1])
    print(f"{len(paths)} documents ({failed} failed), {rows} findings in "
          f"{elapsed:.2f} s with {args.workers} workers ({args.scheduler}) -> {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
