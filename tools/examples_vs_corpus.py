#!/usr/bin/env python3
"""Rule examples must be written, not copied: fail on any rule example that
shares a run of N or more consecutive words (default 10) with a document of
the corpus.

usage: examples_vs_corpus.py RULES_DIR CORPUS_DIR [--words N]

Words are compared after lower-casing, removing accents and punctuation.
Prints each offending example with its file and the shared run, then a
summary line; exit 1 if any, 0 otherwise, 2 when the corpus has no documents
(nothing could be checked: the test suite must not pass by default).
Standard library + PyYAML.
"""
import glob
import os
import re
import sys
import unicodedata

import yaml


def words(text):
    t = unicodedata.normalize("NFKD", text.lower())
    t = "".join(c for c in t if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", t)


def examples(path):
    with open(path, encoding="utf-8") as fh:
        d = yaml.safe_load(fh) or {}
    for rule in d.get("rules") or []:
        for lang, kinds in (rule.get("examples") or {}).items():
            for kind, items in (kinds or {}).items():
                for it in items or []:
                    text = it if isinstance(it, str) else it.get("text", "")
                    yield rule.get("id"), lang, text


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    n = 10
    if "--words" in argv:
        n = int(argv[argv.index("--words") + 1])
        args = [a for a in args if a != str(n)]
    if len(args) != 2:
        sys.exit(__doc__)
    rules, corpus = args
    docs = [f for f in glob.glob(os.path.join(corpus, "**", "*"), recursive=True)
            if os.path.isfile(f) and not f.endswith(".json")
            and os.path.basename(f) != "README.md"]
    if not docs:
        print(f"examples_vs_corpus: no corpus documents under {corpus}; "
              "nothing checked", file=sys.stderr)
        return 2
    grams = {}
    for f in docs:
        with open(f, encoding="utf-8", errors="replace") as fh:
            w = words(fh.read())
        for i in range(len(w) - n + 1):
            grams.setdefault(" ".join(w[i:i + n]), os.path.relpath(f, corpus))
    bad = total = 0
    for path in sorted(glob.glob(os.path.join(rules, "**", "*.yaml"), recursive=True)):
        for rid, lang, text in examples(path):
            total += 1
            w = words(text)
            for i in range(len(w) - n + 1):
                g = " ".join(w[i:i + n])
                if g in grams:
                    bad += 1
                    print(f"{os.path.relpath(path, rules)}: {rid} [{lang}] "
                          f"shares \"{g}\" with {grams[g]}")
                    break
    print(f"examples_vs_corpus: {total} examples, {bad} share a run of {n} "
          f"words with the corpus")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
