#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Whole notices, written for this test in en, fr and nl (each natively, not
word for word), give the labels their gold states, and the same labels in
the three languages (issue 9: sentence tables do not probe what a whole
document does: headings over paragraphs, lists under lead-ins, tables,
"Label: value" lines, questions answered below, denials), and notices
written natively in one language only (as French, Belgian, Swiss, Dutch and
Flemish bodies write them: no version in another language) give the labels
and the attributes their gold states.

    check_notices.py GDPRX RULES [NOTICES_DIR] [--summary]

NOTICES_DIR (default tests/data/notices) holds two kinds of notice:

- translated: NAME.LANG.md for every LANG in en, fr, nl, and NAME.labels,
  the gold of all three;
- single-language: NAME.LANG.md with its own gold NAME.LANG.labels (a
  notice with a NAME.LANG.labels file is single-language, whatever other
  files share its NAME).

A gold file has one label a line, `#` starts a comment:

    type.subtype polarity [key=value ...]

e.g. `retention.period affirmed duration=P3Y`. The optional `key=value`
pairs (keys duration, duration_max, age, email, as in
../shared/spec/taxonomy.md) are attributes that some finding of that label
must carry, all of them on the same finding; durations compare by meaning
as ../shared/eval/score.py compares them (P1Y == P12M), e-mails without
case. A label may be listed again with other attributes (one line per
distinct value, as the corpus gold lists them); the same line twice is an
error. A difference the rules are known not to resolve is written as a
line of its own, `!missing type.subtype polarity` (a gold label the rules
do not find; the label stays in the gold) or `!extra type.subtype
polarity` (a label the rules find that the gold does not state), each with
a comment saying why: the test then requires exactly these differences, so
it fails both on a new one and when a known one goes away (update the
gold), and the --summary figures still count them against the rules. A document's labels are defined as in score.py: the set of (type,
subtype, polarity) of its findings. Each document is analyzed as a user
runs gdprx (language detected; the detected language must be the file's).

Checks: every label found equals the gold (missing and extra printed),
the language detected is the file's, every gold attribute is carried by a
finding of its label, and a translated notice's three languages give the
same labels. --summary prints per-language label precision and recall
over the translated notices and each one's mean Jaccard between languages,
then per-language label precision, recall and attribute recall over the
single-language notices, then runs the tests. Standard library only.
"""

import itertools
import json
import os
import re
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


ATTR_KEYS = ("duration", "duration_max", "age", "email")
DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                      r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def attr_value(key, value):
    """Canonical value of an attribute, as score.py compares them: durations
    by meaning (P1Y == P12M, P1D == PT24H), e-mails without case, the rest
    as text."""
    if key.startswith("duration") and isinstance(value, str):
        m = DURATION.match(value)
        if m and any(m.groups()):
            y, mo, w, d, h, mi, se = (int(g or 0) for g in m.groups())
            return ("months", 12 * y + mo,
                    "seconds", ((7 * w + d) * 24 + h) * 3600 + 60 * mi + se)
    if key == "email" and isinstance(value, str):
        return value.strip().lower()
    return str(value)


def read_gold_attrs(path):
    """(labels, attribute requirements) of a .labels file: the set of
    labels and a list of (label, {key: value}) for the lines with
    attributes; ValueError names file:line."""
    gold, reqs, seen = set(), [], set()
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.split("#", 1)[0].strip()
            if not line or line.startswith("!"):
                continue
            parts = line.split()
            if (len(parts) < 2 or parts[1] not in POLARITIES
                    or parts[0].count(".") != 1):
                raise ValueError(f"{path}:{n}: expected 'type.subtype "
                                 f"affirmed|negated [key=value ...]', got {line!r}")
            t, s = parts[0].split(".")
            lab = (t, s, parts[1])
            attrs = {}
            for kv in parts[2:]:
                key, eq, value = kv.partition("=")
                if not eq or key not in ATTR_KEYS or not value:
                    raise ValueError(f"{path}:{n}: expected key=value with key in "
                                     f"{', '.join(ATTR_KEYS)}, got {kv!r}")
                if key in attrs:
                    raise ValueError(f"{path}:{n}: attribute {key} given twice")
                if key.startswith("duration") and not (
                        DURATION.match(value) and any(DURATION.match(value).groups())):
                    raise ValueError(f"{path}:{n}: {key}={value} is not an ISO 8601 duration")
                if key == "age" and not value.isdigit():
                    raise ValueError(f"{path}:{n}: age={value} is not a number of years")
                attrs[key] = value
            key = (lab, tuple(sorted(attrs.items())))
            if key in seen:
                raise ValueError(f"{path}:{n}: duplicate line {line!r}")
            seen.add(key)
            gold.add(lab)
            if attrs:
                reqs.append((lab, attrs))
    return gold, reqs


def read_known(path, gold):
    """(known missing, known extra) label sets of a .labels file's `!missing`
    and `!extra` lines; ValueError names file:line."""
    known = {"!missing": set(), "!extra": set()}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.split("#", 1)[0].strip()
            if not line.startswith("!"):
                continue
            parts = line.split()
            if (len(parts) != 3 or parts[0] not in known or parts[2] not in POLARITIES
                    or parts[1].count(".") != 1):
                raise ValueError(f"{path}:{n}: expected '!missing|!extra type.subtype "
                                 f"affirmed|negated', got {line!r}")
            t, st = parts[1].split(".")
            lab = (t, st, parts[2])
            if (parts[0] == "!missing") != (lab in gold):
                raise ValueError(f"{path}:{n}: {parts[0]} {fmt(lab)}: a known miss must be "
                                 f"a gold label, a known extra must not")
            known[parts[0]].add(lab)
    return known["!missing"], known["!extra"]


def differences(got, gold, known):
    """Text of the differences between labels found and gold, other than
    the known ones; known ones that did not occur are reported too."""
    k_miss, k_extra = known
    missing, extra = gold - got, got - gold
    msg = "".join(f"\n  missing {fmt(x)}" for x in sorted(missing - k_miss))
    msg += "".join(f"\n  extra   {fmt(x)}" for x in sorted(extra - k_extra))
    msg += "".join(f"\n  found   {fmt(x)} (a known miss: update the gold)"
                   for x in sorted(k_miss - missing))
    msg += "".join(f"\n  gone    {fmt(x)} (a known extra: update the gold)"
                   for x in sorted(k_extra - extra))
    return msg


def read_gold(path):
    """The set of labels of a .labels file; ValueError names file:line."""
    return read_gold_attrs(path)[0]


def carries(findings, lab, attrs):
    """Whether one finding of label lab carries every attribute of attrs."""
    want = {k: attr_value(k, v) for k, v in attrs.items()}
    for f in findings:
        if label(f) != lab:
            continue
        have = f.get("attrs") or {}
        if all(k in have and attr_value(k, have[k]) == v for k, v in want.items()):
            return True
    return False


def notices(directory):
    """{name: {lang: path}} of the translated notices (gold NAME.labels)."""
    found = {}
    for fn in sorted(os.listdir(directory)):
        parts = fn.split(".")
        if (len(parts) == 3 and parts[1] in LANGS and parts[2] == "md"
                and not os.path.exists(os.path.join(directory, f"{parts[0]}.{parts[1]}.labels"))):
            found.setdefault(parts[0], {})[parts[1]] = os.path.join(directory, fn)
    return found


def single_notices(directory):
    """[(name, lang, document path, gold path)] of the single-language
    notices: NAME.LANG.md with its gold NAME.LANG.labels."""
    found = []
    for fn in sorted(os.listdir(directory)):
        parts = fn.split(".")
        if len(parts) == 3 and parts[1] in LANGS and parts[2] == "labels":
            doc = os.path.join(directory, f"{parts[0]}.{parts[1]}.md")
            found.append((parts[0], parts[1], doc, os.path.join(directory, fn)))
    return found


def analyze(gdprx, rules, paths):
    """{path: (lang, set of labels, findings)} from one gdprx --jsonl run."""
    out = subprocess.run([gdprx, "--jsonl", "--rules", rules, "--"] + paths,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"gdprx failed ({out.returncode}): {out.stderr[:500]}")
    res = {}
    for line in out.stdout.splitlines():
        rec = json.loads(line)
        findings = rec.get("findings", [])
        res[rec["doc"]] = (rec.get("lang"), {label(f) for f in findings}, findings)
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
        cls.singles = single_notices(NOTICES)
        paths = [p for by_lang in cls.docs.values() for p in by_lang.values()]
        paths += [doc for _, _, doc, _ in cls.singles if os.path.exists(doc)]
        cls.found = analyze(GDPRX, RULES, paths)

    def test_every_notice_complete(self):
        self.assertGreaterEqual(len(self.docs), 6)
        for name, by_lang in self.docs.items():
            with self.subTest(notice=name):
                self.assertEqual(sorted(by_lang), list(LANGS))
                self.assertTrue(os.path.exists(os.path.join(NOTICES, name + ".labels")))

    def test_labels_equal_gold(self):
        for name, by_lang in self.docs.items():
            gold_path = os.path.join(NOTICES, name + ".labels")
            gold = read_gold(gold_path)
            known = read_known(gold_path, gold)
            for lang, path in sorted(by_lang.items()):
                with self.subTest(notice=name, lang=lang):
                    got_lang, got = self.found[path][:2]
                    self.assertEqual(got_lang, lang, f"{path}: language detected")
                    msg = differences(got, gold, known)
                    self.assertEqual(msg, "", f"{path}:{msg}")

    def test_languages_agree(self):
        for name, by_lang in self.docs.items():
            for a, b in itertools.combinations(sorted(by_lang), 2):
                with self.subTest(notice=name, pair=f"{a}-{b}"):
                    la, lb = self.found[by_lang[a]][1], self.found[by_lang[b]][1]
                    msg = "".join(f"\n  only {a}: {fmt(x)}" for x in sorted(la - lb))
                    msg += "".join(f"\n  only {b}: {fmt(x)}" for x in sorted(lb - la))
                    self.assertEqual(la, lb, f"{name} {a}-{b}:{msg}")

    def test_single_language_notices(self):
        self.assertGreaterEqual(len(self.singles), 8)
        for name, lang, path, gold_path in self.singles:
            with self.subTest(notice=name, lang=lang):
                self.assertTrue(os.path.exists(path), f"{gold_path}: no {path}")
                gold, reqs = read_gold_attrs(gold_path)
                got_lang, got, findings = self.found[path]
                self.assertEqual(got_lang, lang, f"{path}: language detected")
                msg = differences(got, gold, read_known(gold_path, gold))
                for lab, attrs in reqs:
                    if lab in got and not carries(findings, lab, attrs):
                        msg += (f"\n  attrs   {fmt(lab)} "
                                + " ".join(f"{k}={v}" for k, v in sorted(attrs.items())))
                self.assertEqual(msg, "", f"{path}:{msg}")

    def test_gold_format(self):
        """The gold reader refuses what it cannot check."""
        import tempfile
        bad = ["retention.period affirmed duration=3Y",
               "retention.period affirmed colour=red",
               "children.min_age affirmed age=sixteen",
               "retention.period affirmed duration=P1Y duration=P2Y",
               "right.access affirmed\nright.access affirmed",
               "retention.period maybe",
               "right.access affirmed\n!extra right.access affirmed",
               "!missing right.access affirmed",
               "!sometimes right.access affirmed"]
        for text in bad:
            with self.subTest(gold=text), tempfile.TemporaryDirectory() as d:
                p = os.path.join(d, "x.fr.labels")
                with open(p, "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
                with self.assertRaises(ValueError):
                    gold = read_gold_attrs(p)[0]
                    read_known(p, gold)
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.fr.labels")
            with open(p, "w", encoding="utf-8") as fh:
                fh.write("retention.period affirmed duration=P1Y  # one\n"
                         "retention.period affirmed duration=P12M duration_max=P2Y\n"
                         "right.access affirmed\n")
            gold, reqs = read_gold_attrs(p)
        self.assertEqual(gold, {("retention", "period", "affirmed"), ("right", "access", "affirmed")})
        self.assertEqual(len(reqs), 2)
        f = [{"type": "retention", "subtype": "period", "attrs": {"duration": "P12M"}}]
        self.assertTrue(carries(f, reqs[0][0], reqs[0][1]))       # P1Y == P12M
        self.assertFalse(carries(f, reqs[1][0], reqs[1][1]))      # no duration_max
        acc = ("right", "access", "affirmed")
        era = ("right", "erasure", "affirmed")
        known = ({acc}, {era})
        self.assertEqual(differences({era}, {acc}, known), "")
        self.assertIn("found   right.access", differences({acc, era}, {acc}, known))
        self.assertIn("gone    right.erasure", differences(set(), {acc}, known))
        self.assertIn("extra   right.erasure", differences({era}, {acc}, (set(), set())))


def summary():
    """Per-language label P/R over all notices, per-notice mean Jaccard."""
    docs = notices(NOTICES)
    if not docs:
        single_summary()
        return
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
    if jac:
        print(f"mean jaccard over notices {sum(jac) / len(jac):.3f}")
    single_summary()


def single_summary():
    """Per-language label P/R and attribute recall over the single-language
    notices (each attribute value counts once, as in score.py)."""
    singles = single_notices(NOTICES)
    if not singles:
        return
    found = analyze(GDPRX, RULES, [doc for _, _, doc, _ in singles])
    tally = {}  # lang: [tp, fp, fn, attr hits, attrs]
    for name, lang, path, gold_path in singles:
        gold, reqs = read_gold_attrs(gold_path)
        got_lang, got, findings = found[path]
        hits = sum(carries(findings, lab, {k: v}) for lab, attrs in reqs for k, v in attrs.items())
        total = sum(len(attrs) for _, attrs in reqs)
        t = tally.setdefault(lang, [0, 0, 0, 0, 0])
        for i, v in enumerate((len(got & gold), len(got - gold), len(gold - got), hits, total)):
            t[i] += v
        print(f"{name + '.' + lang:<24} detected {got_lang}  labels {len(got & gold)}/{len(gold)} "
              f"found, {len(got - gold)} extra, attrs {hits}/{total}")
    for lang, (tp, fp, fn, ah, at) in sorted(tally.items()):
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        a = ah / at if at else 1.0
        print(f"single-language {lang}: label precision {p:.3f} recall {r:.3f} "
              f"(tp {tp}, fp {fp}, fn {fn}), attribute recall {a:.3f} ({ah}/{at})")


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
