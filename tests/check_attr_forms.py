#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The forms of durations, ages and e-mail addresses policy writers use
(tests/data/attr_forms.tsv, a table written by concept in en, fr and nl)
give the expected attributes through the shipped rules, end to end; the
same for statements of the weak types (tests/data/label_forms.tsv).

    check_attr_forms.py GDPRX RULES TABLE

Each sentence is analyzed alone, in its language (one gdprx run per
language). A row passes when a finding of its label carries exactly its
attributes (durations compared by meaning: P1Y == P12M; a row may also
ask for polarity=affirmed or polarity=negated, else either counts), or, for a label
written !type.subtype, when no finding of that label exists. A sentence
may hold the two characters \\n for a line break (a list under its
lead-in, a heading and its line). Prints every
failing row and a summary; exit 1 on any failure.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                      r"(?:T(?:(\d+)H)?)?$")


def canon(key, value):
    """Durations by meaning (months, hours), e-mails without case."""
    if key.startswith("duration"):
        m = DURATION.match(str(value))
        if m and any(m.groups()):
            y, mo, w, d, h = (int(g or 0) for g in m.groups())
            return (12 * y + mo, (7 * w + d) * 24 + h)
    if key == "email":
        return str(value).lower()
    return str(value)


def read_table(path):
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            lang, label, attrs, text = line.split("\t")
            text = text.replace("\\n", "\n")  # a list under its lead-in
            want = {}
            if attrs != "-":
                for kv in re.split(r" (?=\w+=)", attrs):
                    k, v = kv.split("=", 1)
                    want[k] = v
            rows.append((n, lang, label, want, text))
    return rows


def analyze(gdprx, rules, lang, texts, tmp):
    paths = []
    for i, t in enumerate(texts):
        p = os.path.join(tmp, f"{lang}-{i:04d}.txt")
        with open(p, "w", encoding="utf-8") as fh:
            fh.write(t + "\n")
        paths.append(p)
    out = subprocess.run([gdprx, "--jsonl", "--lang", lang, "--rules", rules,
                          "--"] + paths, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"gdprx failed ({out.returncode}): {out.stderr[:500]}")
    by_doc = {}
    for line in out.stdout.splitlines():
        rec = json.loads(line)
        by_doc[rec["doc"]] = rec.get("findings", [])
    return [by_doc.get(p, []) for p in paths]


def check(row, findings):
    n, lang, label, want, text = row
    negative = label.startswith("!")
    label = label.lstrip("!")
    mine = [f for f in findings
            if f"{f['type']}.{f['subtype']}" == label]
    if negative:
        return None if not mine else f"unexpected {label}: " + ", ".join(
            json.dumps(f.get("attrs") or {}) for f in mine)
    want = dict(want)
    polarity = want.pop("polarity", None)  # optional: affirmed or negated
    if polarity:
        mine = [f for f in mine if f.get("polarity") == polarity]
    w = {k: canon(k, v) for k, v in want.items()}
    for f in mine:
        got = {k: canon(k, v) for k, v in (f.get("attrs") or {}).items()}
        if got == w:
            return None
    got = [f.get("attrs") or {} for f in mine]
    if polarity:
        want["polarity"] = polarity
    return f"want {label} {want}, got " + (json.dumps(got) if mine else
                                           "no finding of that label")


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    gdprx, rules, table = argv[1:]
    rows = read_table(table)
    if not rows:
        sys.exit(f"{table}: no rows")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="attr-forms-") as tmp:
        for lang in ("en", "fr", "nl"):
            mine = [r for r in rows if r[1] == lang]
            results = analyze(gdprx, rules, lang, [r[4] for r in mine], tmp)
            for row, findings in zip(mine, results):
                err = check(row, findings)
                if err:
                    failures += 1
                    print(f"{table}:{row[0]}: [{lang}] {row[4]!r}: {err}")
    print(f"{len(rows) - failures} of {len(rows)} forms give their "
          f"labels and attributes, {failures} fail")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
