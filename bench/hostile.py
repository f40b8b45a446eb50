#!/usr/bin/env python3
"""Hostile inputs: what gdprx does with each (exit status, time, peak memory,
findings, first warning or error). A measurement, not a test; prints a
Markdown table.

usage: hostile.py GDPRX_TOOL [--big]   (--big adds the 100 MB single line)
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def inputs(big):
    yield "empty input", b""
    yield "NUL bytes in text", b"We never\x00 sell your\x00 data.\x00"
    yield "overlong encoding (C0 AF)", b"We keep data \xc0\xaf for 3 years."
    yield "UTF-16 surrogate (ED A0 80)", b"We keep data \xed\xa0\x80 for 3 years."
    yield "truncated sequence (E2 82)", b"We keep data for 3 years \xe2\x82"
    yield "random bytes, 1 MB", os.urandom(1 << 20)
    yield "1 MB of one character", b"a" * (1 << 20)
    yield "1 MB of 'we keep your data'", b"we keep your data " * 58255
    yield "deeply nested list markers", b"".join(
        b"  " * (i % 40) + b"- " * 20 + b"We keep your data for %d years.\n" % (i % 9 + 1)
        for i in range(5000))
    yield "10,000 headings", b"".join(
        b"# Heading %d\n\nWe keep your data for %d years.\n\n" % (i, i % 9 + 1)
        for i in range(10000))
    yield "mixed en/fr/nl paragraphs", (
        "We never sell your personal data.\n\n"
        "Nous conservons vos donn\u00e9es pendant trois ans.\n\n"
        "Wij verkopen uw gegevens niet.\n").encode() * 200
    yield "right-to-left and emoji", (
        "\u05d0\u05e0\u05d7\u05e0\u05d5 \u05e9\u05d5\u05de\u05e8\u05d9\u05dd "
        "\U0001F600 We keep your data for three years \U0001F512.\n"
        "\u0645\u0631\u062d\u0628\u0627 We never sell your data \u200f.\n").encode() * 500
    yield "control characters", bytes(range(1, 32)) * 1000 + b"We never sell your data."
    yield "10 MB single line", (b"we keep your personal data for three years and "
                                b"never sell it to third parties ") * 130000
    if big:
        yield "100 MB single line", (b"we keep your personal data for three years "
                                     b"and never sell it to third parties ") * 1300000


def run(tool, data, extra):
    with tempfile.NamedTemporaryFile(delete=False) as fh:
        fh.write(data)
        path = fh.name
    try:
        t0 = time.monotonic()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        p = subprocess.run([tool, "--json", *extra, path], capture_output=True)
        dt = time.monotonic() - t0
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out = ""
        if p.returncode == 0:
            doc = json.loads(p.stdout)   # always valid JSON
            out = f"{len(doc['findings'])} findings, lang {doc['lang']}"
            if doc["warnings"]:
                out += f"; warning: {doc['warnings'][0][:60]}"
        else:
            out = p.stderr.decode(errors="replace").strip().splitlines()[0][:90]
        return p.returncode, dt, max(rss, before), out
    finally:
        os.unlink(path)


def main(argv):
    tool = argv[1]
    big = "--big" in argv
    print("| input | size | exit | time (s) | peak RSS (MB) | result |")
    print("|---|---|---|---|---|---|")
    for name, data in inputs(big):
        for extra in ([], ["--replace-invalid"]):
            code, dt, rss, out = run(tool, data, extra)
            label = name + (" (--replace-invalid)" if extra else "")
            print(f"| {label} | {len(data)} | {code} | {dt:.2f} | {rss / 1024:.0f} | {out} |")
            if code == 0 and not extra:
                break   # --replace-invalid only matters for rejected input
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
