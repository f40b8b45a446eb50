#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Analyze a folder of policies with a dask.bag; write a CSV of records
and/or JSON Lines.

    python3 examples/python/dask_bag.py [--out records.csv] [--jsonl out.jsonl]
        [--rules PATH] [--scheduler local|processes|tcp://HOST:8786]
        [--workers N] [--partitions N] FOLDER_OR_FILE...

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

The CSV (--out) has the columns of gdprx.RECORD_FIELDS, one row per
finding, the documents in input order; the same bytes as a serial run
writing ``doc.records()`` with ``csv.DictWriter``. With pandas,
``pd.read_csv(out)`` or ``pandas.DataFrame(records)`` gives the table.

The JSON Lines (--jsonl) have one line per document in input order, the
records of ``gdprx --jsonl``: ``{"doc": PATH, ...}`` followed by the keys of
the C library's JSON (``Document.to_json()``), and for a file that fails
``{"doc": PATH, "error": {"code", "message"}}``; the same bytes as
``gdprx --jsonl`` over the same files. Files that fail are also reported on
stderr (exit status 1) and have no CSV rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time

import dask
import dask.bag as db

from _common import gdprx, policy_files


def _error(path: str, e: BaseException) -> tuple:
    """("error", path, code, message): the code and message gdprx gives."""
    if isinstance(e, IsADirectoryError):
        return ("error", path, "is_directory", f"{path}: is a directory")
    if isinstance(e, OSError):
        return ("error", path, "io", f"{path}: {os.strerror(e.errno or 5)}")
    code = {gdprx.Status.EUTF8: "utf8", gdprx.Status.ELIMIT: "too_large"}.get(
        getattr(e, "code", None), "nomem" if isinstance(e, MemoryError) else "internal")
    return ("error", path, code, f"{path}: {e}")


def analyze_partition(paths: list[str], rules: gdprx.RuleSet, records: bool,
                      jsonl: bool) -> list[tuple]:
    """On a worker: ("ok", records or None, JSON Lines record or None,
    findings) or
    ("error", path, code, message) per file, in the order of ``paths``."""
    out: list[tuple] = []
    for path, doc in zip(paths, rules.analyze_paths(paths,
                                                    return_exceptions=True)):
        if isinstance(doc, BaseException):
            out.append(_error(path, doc))
        else:
            line = ('{"doc":' + json.dumps(path, ensure_ascii=False) + ","
                    + doc.to_json()[1:] + "\n") if jsonl else None
            out.append(("ok", doc.records() if records else None, line, len(doc)))
    return out


def run(paths: list[str], rules: gdprx.RuleSet, partitions: int,
        records: bool, jsonl: bool) -> list[tuple]:
    bag = db.from_sequence(paths, npartitions=max(1, min(partitions, len(paths))))
    return bag.map_partitions(analyze_partition, rules, records, jsonl).compute()


def write_outputs(results: list[tuple], csv_path: str | None,
                  jsonl_path: str | None) -> tuple[int, int]:
    """Write the CSV and JSON Lines; (failed documents, findings)."""
    failed = rows = 0
    with open(csv_path or os.devnull, "w", newline="", encoding="utf-8") as f, \
            open(jsonl_path or os.devnull, "w", encoding="utf-8") as j:
        w = csv.DictWriter(f, fieldnames=gdprx.RECORD_FIELDS)
        if csv_path:
            w.writeheader()
        for r in results:
            if r[0] == "error":
                print(f"gdprx: {r[3]}", file=sys.stderr)
                failed += 1
                j.write(json.dumps({"doc": r[1], "error": {"code": r[2], "message": r[3]}},
                                   ensure_ascii=False, separators=(",", ":")) + "\n")
                continue
            rows += r[3]
            if csv_path:
                w.writerows(r[1])
            if jsonl_path:
                j.write(r[2])
    return failed, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", help="policy files or folders")
    ap.add_argument("--out", help="CSV file to write")
    ap.add_argument("--jsonl", help="JSON Lines file to write (gdprx --jsonl's records)")
    ap.add_argument("--rules", help="rule directory or file (default: installed rules)")
    ap.add_argument("--scheduler", default="local",
                    help="local, processes, or a scheduler address")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--partitions", type=int, default=None,
                    help="bag partitions (default: 4 per worker)")
    args = ap.parse_args()
    if not args.out and not args.jsonl:
        ap.error("give --out CSV, --jsonl FILE, or both")

    paths = [str(p) for p in policy_files(args.paths)]
    mb = sum(os.path.getsize(p) for p in paths if os.path.isfile(p)) / 1e6
    partitions = args.partitions or 4 * args.workers
    t0 = time.perf_counter()
    with gdprx.RuleSet.load(args.rules) as rules:
        def compute() -> tuple[list[tuple], float]:
            t = time.perf_counter()
            res = run(paths, rules, partitions, bool(args.out), bool(args.jsonl))
            return res, time.perf_counter() - t

        if args.scheduler == "processes":
            with dask.config.set(scheduler="processes", num_workers=args.workers):
                results, analysis = compute()
        else:
            from distributed import Client, LocalCluster
            if args.scheduler == "local":
                with LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                  processes=True, dashboard_address=None) as cluster, \
                        Client(cluster):
                    results, analysis = compute()
            else:
                with Client(args.scheduler):
                    results, analysis = compute()
    elapsed = time.perf_counter() - t0

    failed, rows = write_outputs(results, args.out, args.jsonl)
    outs = " and ".join(p for p in (args.out, args.jsonl) if p)
    print(f"{len(paths)} documents ({failed} failed), {rows} findings, {mb:.2f} MB "
          f"in {elapsed:.2f} s with {args.workers} workers ({args.scheduler}); "
          f"analysis {analysis:.2f} s, {mb / analysis:.2f} MB/s -> {outs}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
