#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Whole notices, written for this test in en, fr and nl (each natively, not
word for word), give the labels their gold states, and the same labels in
the three languages (issue 9: sentence tables do not probe what a whole
document does: headings over paragraphs, lists under lead-ins, tables,
"Label: value" lines, questions answered below, denials).

    check_notices.py GDPRX RULES [NOTICES_DIR] [--summary]

NOTICES_DIR (default tests/data/notices) holds NAME.LANG.md for LANG in en,
fr, nl and NAME.labels, the gold: one `type.subtype polarity` a line, `#`
comments. A document's labels are defined as in ../shared/eval/score.py:
the set of (type, subtype, polarity) of its findings. Each document is
analyzed as a user runs gdprx (language detected; the detected language
must be the file's). --summary prints per-language label precision and
recall over all notices and each notice's mean Jaccard between languages,
then runs the tests. Standard library only.
"""

import itertools
import json
import os
import subprocess
import sys
import unittest

LANGS = ("en", "fr", "nl")
POLARITIES = ("affirmed", "negated")
HERE = os.path.dirname(os.path.abspath(__file__))

GDPRX = RULES = None
NOTICES = os.path.join(HERE, "data", "notices")


def label(f):
    """The label of a finding, as score.py defines it."""
    return (f["type"], f["subtype"], f.get("polarity", "affirmed"))


def fmt(lab):
    return f"{lab[0]}.{lab[1]} {lab[2]}"


def read_gold(path):
    """The set of labels of a .labels file; ValueError names file:line."""
    gold = set()
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if (len(parts) != 2 or parts[1] not in POLARITIES
                    or parts[0].count(".") != 1):
                raise ValueError(f"{path}:{n}: expected 'type.subtype "
                                 f"affirmed|negated', got {line!r}")
            t, s = parts[0].split(".")
            lab = (t, s, parts[1])
            if lab in gold:
                raise ValueError(f"{path}:{n}: duplicate label {fmt(lab)}")
            gold.add(lab)
    return gold


def notices(directory):
    """{name: {lang: path}} of the notices, with their gold paths."""
    found = {}
    for fn in sorted(os.listdir(directory)):
        parts = fn.split(".")
        if len(parts) == 3 and parts[1] in LANGS and parts[2] == "md":
            found.setdefault(parts[0], {})[parts[1]] = os.path.join(directory, fn)
    return found


def analyze(gdprx, rules, paths):
    """{path: (lang, set of labels)} from one gdprx --jsonl run."""
    out = subprocess.run([gdprx, "--jsonl", "--rules", rules, "--"] + paths,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"gdprx failed ({out.returncode}): {out.stderr[:500]}")
    res = {}
    for line in out.stdout.splitlines():
        rec = json.loads(line)
        res[rec["doc"]] = (rec.get("lang"), {label(f) for f in rec.get("findings", [])})
    missing = [p for p in paths if p not in res]
    if missing:
        raise RuntimeError(f"gdprx gave no record for {missing}")
    return res


def jaccard(a, b):
    union = a | b
    return len(a & b) / len(union) if union else 1.0


class Notices(unittest.TestCase):
    longMessage = False

    @classmethod
    def setUpClass(cls):
        cls.docs = notices(NOTICES)
        paths = [p for by_lang in cls.docs.values() for p in by_lang.values()]
        cls.found = analyze(GDPRX, RULES, paths)

    def test_every_notice_complete(self):
        self.assertGreaterEqual(len(self.docs), 6)
        for name, by_lang in self.docs.items():
            with self.subTest(notice=name):
                self.assertEqual(sorted(by_lang), list(LANGS))
                self.assertTrue(os.path.exists(os.path.join(NOTICES, name + ".labels")))

    def test_labels_equal_gold(self):
        for name, by_lang in self.docs.items():
            gold = read_gold(os.path.join(NOTICES, name + ".labels"))
            for lang, path in sorted(by_lang.items()):
                with self.subTest(notice=name, lang=lang):
                    got_lang, got = self.found[path]
                    self.assertEqual(got_lang, lang, f"{path}: language detected")
                    missing = sorted(gold - got)
                    extra = sorted(got - gold)
                    msg = "".join(f"\n  missing {fmt(x)}" for x in missing)
                    msg += "".join(f"\n  extra   {fmt(x)}" for x in extra)
                    self.assertEqual(got, gold, f"{path}:{msg}")

    def test_languages_agree(self):
        for name, by_lang in self.docs.items():
            for a, b in itertools.combinations(sorted(by_lang), 2):
                with self.subTest(notice=name, pair=f"{a}-{b}"):
                    la, lb = self.found[by_lang[a]][1], self.found[by_lang[b]][1]
                    msg = "".join(f"\n  only {a}: {fmt(x)}" for x in sorted(la - lb))
                    msg += "".join(f"\n  only {b}: {fmt(x)}" for x in sorted(lb - la))
                    self.assertEqual(la, lb, f"{name} {a}-{b}:{msg}")


def summary():
    """Per-language label P/R over all notices, per-notice mean Jaccard."""
    docs = notices(NOTICES)
    paths = [p for by_lang in docs.values() for p in by_lang.values()]
    found = analyze(GDPRX, RULES, paths)
    tally = {lang: [0, 0, 0] for lang in LANGS}  # tp, fp, fn
    jac = []
    for name, by_lang in docs.items():
        gold = read_gold(os.path.join(NOTICES, name + ".labels"))
        for lang, path in by_lang.items():
            got = found[path][1]
            t = tally[lang]
            t[0] += len(got & gold)
            t[1] += len(got - gold)
            t[2] += len(gold - got)
        pairs = [jaccard(found[by_lang[a]][1], found[by_lang[b]][1])
                 for a, b in itertools.combinations(sorted(by_lang), 2)]
        j = sum(pairs) / len(pairs) if pairs else 1.0
        jac.append(j)
        print(f"{name:<12} mean jaccard {j:.3f}  ("
              + ", ".join(f"{lang} {len(found[by_lang[lang]][1] & gold)}/{len(gold)}"
                          for lang in sorted(by_lang)) + " gold found)")
    for lang, (tp, fp, fn) in tally.items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        print(f"{lang}: label precision {p:.3f} recall {r:.3f} (tp {tp}, fp {fp}, fn {fn})")
    print(f"mean jaccard over notices {sum(jac) / len(jac):.3f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    want_summary = "--summary" in args
    args = [a for a in args if a != "--summary"]
    if len(args) not in (2, 3):
        sys.exit(__doc__)
    GDPRX, RULES = args[0], args[1]
    if len(args) == 3:
        NOTICES = args[2]
    if want_summary:
        summary()
    unittest.main(argv=[sys.argv[0]])
