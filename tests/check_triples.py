#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Translation triples give the same labels in the three languages
(tests/data/triples.tsv: EN<TAB>FR<TAB>NL per row, '#' comments).

    check_triples.py GDPRX RULES TABLE

Each text is analyzed alone, in its language (one gdprx --jsonl run per
language). A row passes when the three label sets are equal, a label being
type.subtype, its polarity, and its duration, duration_max and age values
(durations by meaning: P1Y == P12M). Prints every disagreeing row with the
three sets and a summary; exit 1 on any disagreement or when a row has no
label at all in any language (a table of statements must state something).
"""

import sys
import tempfile

from check_attr_forms import analyze, canon

LANGS = ("en", "fr", "nl")


def label_sets(gdprx, rules, lang, texts):
    """Each text's labels: (type.subtype, polarity, attribute values)."""
    with tempfile.TemporaryDirectory() as tmp:
        found = analyze(gdprx, rules, lang, texts, tmp)
    return [{(f"{f['type']}.{f['subtype']}", f["polarity"],
              tuple(sorted((k, canon(k, v))
                           for k, v in (f.get("attrs") or {}).items()
                           if k in ("duration", "duration_max", "age"))))
             for f in doc} for doc in found]


def show(labels):
    return sorted(f"{t}{'!' if p == 'negated' else ''}"
                  + "".join(f" {k}={v}" for k, v in a) for t, p, a in labels)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    gdprx, rules, table = sys.argv[1:]
    rows = []
    with open(table, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 3:
                sys.exit(f"{table}:{n}: want EN<TAB>FR<TAB>NL, got "
                         f"{len(cols)} columns")
            rows.append((n, cols))
    sets = {lang: label_sets(gdprx, rules, lang, [c[i] for _, c in rows])
            for i, lang in enumerate(LANGS)}
    bad = 0
    for k, (n, cols) in enumerate(rows):
        got = [sets[lang][k] for lang in LANGS]
        if got[0] == got[1] == got[2] and got[0]:
            continue
        bad += 1
        print(f"{table}:{n}: " + ("no label" if not any(got) else
                                  "the languages disagree"))
        for lang, text, labels in zip(LANGS, cols, got):
            print(f"  {lang} {show(labels)}  {text}")
    print(f"{len(rows) - bad} of {len(rows)} triples agree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
