#!/usr/bin/env python3
"""Accuracy of a gdprx build on ../shared/corpus, split as the team reports it.

usage: tools/accuracy.py [--gdprx PATH] [--rules DIR] [--corpus DIR]
                         [--out DIR] [--verbose-tuned]

Runs `gdprx --jsonl` once over the dev corpus and once over gdprt-en, then
scores with ../shared/eval/score.py (and consistency.py) on these parts:

  dev            all dev documents; and per language (en, fr, nl)
  dev-tuned      dev documents rules may be tuned against
  dev-check      the check split: mozilla-subscriptions (en, fr, nl),
                 nosgestesclimat.fr, pbdf.nl -- score, never read misses
  gdprt-tuned    gdprt-en files at even positions (0, 2, ...) by name, --restrict
  gdprt-check    gdprt-en files at odd positions, --restrict (never read misses)

Prints one summary line per part; --verbose-tuned adds score.py's missed and
extra labels of the tuned parts only; --types T1,T2 adds score.py's per-type
rows of those types for every part but the check parts (whose details one
does not read). Standard library only.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEV_CHECK = {"mozilla-subscriptions.en.md", "mozilla-subscriptions.fr.md",
             "mozilla-subscriptions.nl.md", "nosgestesclimat.fr.md",
             "pbdf.nl.md"}


def docs(corpus):
    return sorted(f for f in os.listdir(corpus)
                  if not f.endswith(".gold.json") and f != "README.md"
                  and os.path.isfile(os.path.join(corpus, f)))


def run(gdprx, rules, corpus, names, pred):
    os.makedirs(pred, exist_ok=True)
    cmd = [gdprx, "--jsonl"] + (["--rules", rules] if rules else [])
    cmd += [os.path.join(corpus, n) for n in names]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"gdprx failed ({out.returncode}): {out.stderr[:500]}")
    for line in out.stdout.splitlines():
        rec = json.loads(line)
        name = os.path.basename(rec["doc"])
        with open(os.path.join(pred, name + ".json"), "w") as fh:
            json.dump(rec, fh)


def score(corpus, pred, names, restrict, verbose, tmp, tag, types=()):
    gold = os.path.join(tmp, "gold-" + tag)
    os.makedirs(gold)
    for n in names:
        shutil.copy(os.path.join(corpus, n + ".gold.json"), gold)
        os.symlink(os.path.join(corpus, n), os.path.join(gold, n))
    cmd = [sys.executable, os.path.join(ROOT, "..", "shared", "eval",
                                        "score.py"), gold, pred]
    if restrict:
        # --restrict ignores labels no gold file of the *whole* corpus uses
        cmd.append("--restrict")
    if verbose:
        cmd.append("--verbose")
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    if verbose:
        print(out)
    rows = [ln for ln in out.splitlines()
            if ln.split()[:1] and ln.split()[0] in types]
    last = out.strip().splitlines()[-1] if out.strip() else "(no output)"
    return last + "".join("\n    " + r for r in rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gdprx", default=os.path.join(ROOT, "build", "tools",
                                                    "gdprx"))
    ap.add_argument("--rules", default=os.path.join(ROOT, "rules"))
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared",
                                                     "corpus"))
    ap.add_argument("--out", help="keep predictions here")
    ap.add_argument("--verbose-tuned", action="store_true")
    ap.add_argument("--types", default="",
                    help="comma-separated types: print their rows per part")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="gdprx-acc-")
    dev = os.path.join(a.corpus, "dev")
    gd = os.path.join(a.corpus, "gdprt-en")
    pred_dev = os.path.join(a.out or tmp, "dev")
    pred_gd = os.path.join(a.out or tmp, "gdprt")
    dn, gn = docs(dev), docs(gd)
    run(a.gdprx, a.rules, dev, dn, pred_dev)
    run(a.gdprx, a.rules, gd, gn, pred_gd)
    parts = [("dev", dev, pred_dev, dn, False, False)]
    for lang in ("en", "fr", "nl"):
        parts.append(("dev-" + lang, dev, pred_dev,
                      [n for n in dn if n.split(".")[-2] == lang], False,
                      False))
    parts.append(("dev-tuned", dev, pred_dev,
                  [n for n in dn if n not in DEV_CHECK], False,
                  a.verbose_tuned))
    parts.append(("dev-check", dev, pred_dev,
                  [n for n in dn if n in DEV_CHECK], False, False))
    parts.append(("gdprt-tuned", gd, pred_gd, gn[0::2], True,
                  a.verbose_tuned))
    parts.append(("gdprt-check", gd, pred_gd, gn[1::2], True, False))
    for tag, corpus, pred, names, restrict, verbose in parts:
        types = () if tag.endswith("check") else tuple(
            t for t in a.types.split(",") if t)
        print(f"{tag:12s} "
              f"{score(corpus, pred, names, restrict, verbose, tmp, tag, types)}")
    cons = subprocess.run([sys.executable, os.path.join(
        ROOT, "..", "shared", "eval", "consistency.py"), pred_dev],
        capture_output=True, text=True).stdout.strip().splitlines()
    print(f"{'consistency':12s} {cons[-1] if cons else '(no output)'}")
    if not a.out:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
