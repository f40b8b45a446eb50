#!/usr/bin/env python3
"""What a user would write instead of gdprx: the same rule set, in Python `re`.

usage: naive_re.py RULES MIN_MB RUNS FILE...

Loads the rule directory with PyYAML (Debian: python3-yaml), expands macros
and concepts the way the library does (terms with (a|b) groups, w* prefixes,
@concept references, regex terms; {{name}} in patterns), and compiles each
concept and pattern as a Python regex. Analysis is the plain loop a user
would write: normalize (lower case, accents removed, apostrophes folded),
split into sentences, and for each sentence and each rule check its cases
(every `all` concept searched, `any`, `none`) and run its regex patterns.
PCRE constructs Python lacks (\\K, \\G) make a pattern skipped (counted).
Prints the figures and a line "RESULT mbs=... findings=... skipped=...".
A benchmark baseline, not a reimplementation: findings are counted, not
compared. Standard library + PyYAML only.
"""
import glob
import os
import re
import statistics
import sys
import time
import unicodedata

import yaml

LANGS = ("en", "fr", "nl")


def fold(text):
    t = unicodedata.normalize("NFKD", text.lower())
    t = "".join(c for c in t if not unicodedata.combining(c))
    return re.sub(r"[\u2019\u2018\u02bc\u00b4`]", "'", t)


def expand_groups(term):
    i = term.find("(")
    if i < 0:
        return [term]
    depth, j = 0, i
    for j in range(i, len(term)):
        depth += term[j] == "("
        depth -= term[j] == ")"
        if depth == 0:
            break
    alts, depth, start = [], 0, i + 1
    for k in range(i + 1, j):
        depth += term[k] == "("
        depth -= term[k] == ")"
        if term[k] == "|" and depth == 0:
            alts.append(term[start:k])
            start = k + 1
    alts.append(term[start:j])
    out = []
    for a in alts:
        out += expand_groups(term[:i] + a + term[j + 1:])
    return out


def term_regex(t):
    words = re.findall(r"[\w*]+", t)
    return "[ '-]{1,3}".join(re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "")
                            for w in words)


class RuleSet:
    def __init__(self, path):
        self.macros = {l: {} for l in LANGS}
        self.concepts = {}
        self.rules = []
        self.numbers = {l: [] for l in LANGS}
        self.units = {l: [] for l in LANGS}
        self.phrases = {l: [] for l in LANGS}
        self.skipped = 0
        files = sorted(glob.glob(os.path.join(path, "**", "*.yaml"), recursive=True))
        for f in files:
            with open(f, encoding="utf-8") as fh:
                d = yaml.safe_load(fh) or {}
            for l, lx in (d.get("lexicon") or {}).items():
                self.numbers[l] += list((lx.get("numbers") or {}).keys())
                self.units[l] += list((lx.get("units") or {}).keys())
                self.phrases[l] += list((lx.get("duration_phrases") or {}).keys())
            for l, ms in (d.get("macros") or {}).items():
                self.macros[l].update(ms)
            self.concepts.update(d.get("concepts") or {})
            self.rules += d.get("rules") or []
        self.cre = {}     # (concept, lang) -> compiled
        self.cregex = {}  # (concept, lang) -> regex text
        self.compiled = [self.compile_rule(r) for r in self.rules]

    def words(self, name, lang, depth=0):
        out = []
        for t in (self.concepts[name].get(lang) or []):
            if isinstance(t, dict):
                continue
            for e in expand_groups(fold(t)):
                m = re.search(r"@(\w+)", e)
                if m and depth < 8:
                    for w in self.words(m.group(1), lang, depth + 1):
                        out.append(e[:m.start()] + w + e[m.end():])
                elif e.strip():
                    out.append(" ".join(e.split()))
        return out

    def concept_regex(self, name, lang, stack):
        key = (name, lang)
        if key not in self.cregex:
            ws = sorted(self.words(name, lang), key=len, reverse=True)
            parts = []
            if ws:
                parts.append(r"\b(?:" + "|".join(term_regex(w) for w in ws) + r")\b")
            for t in self.concepts[name].get(lang) or []:
                if isinstance(t, dict):
                    parts.append("(?:" + self.expand(t["re"], lang, stack) + ")")
            self.cregex[key] = "(?:" + "|".join(parts) + ")"
        return self.cregex[key]

    def expand(self, src, lang, stack=()):
        def sub(m):
            n = m.group(1).strip()
            if n in stack or len(stack) > 16:
                raise ValueError("recursive " + n)
            if n == "number_word":
                return "(?:" + "|".join(map(re.escape, sorted(self.numbers[lang], key=len, reverse=True))) + ")"
            if n == "unit_word":
                return "(?:" + "|".join(map(re.escape, sorted(self.units[lang], key=len, reverse=True))) + ")"
            if n == "duration_phrase":   # lexicon duration_phrases (never empty: (?!))
                return "(?:" + "|".join(map(re.escape, sorted(self.phrases[lang], key=len, reverse=True))
                                        or ["(?!)"]) + ")"
            if n in self.macros[lang]:
                return "(?:" + self.expand(self.macros[lang][n], lang, stack + (n,)) + ")"
            return self.concept_regex(n, lang, stack + (n,))
        return re.sub(r"\{\{([^}]+)\}\}", sub, src)

    def py(self, rx):
        if "\\K" in rx or "\\G" in rx:
            self.skipped += 1
            return None
        try:
            return re.compile(rx.replace("(?<", "(?P<").replace("(?P<=", "(?<=")
                              .replace("(?P<!", "(?<!"))
        except re.error:
            self.skipped += 1
            return None

    def concept(self, name, lang):
        key = (name, lang)
        if key not in self.cre:
            self.cre[key] = self.py(self.concept_regex(name, lang, ()))
        return self.cre[key]

    def compile_rule(self, r):
        per = {l: [] for l in LANGS}
        for l in LANGS:
            for p in (r.get("patterns") or {}).get(l) or []:
                src = p if isinstance(p, str) else p["pattern"]
                per[l].append(([], [], [], self.py(self.expand(src, l))))
        cases = r.get("when") or []
        if isinstance(cases, dict):
            cases = [cases]
        for c in cases:
            langs = c.get("lang") or LANGS
            langs = [langs] if isinstance(langs, str) else langs
            for l in langs:
                lists = []
                for k in ("all", "any", "none"):
                    v = c.get(k) or []
                    v = [v] if isinstance(v, str) else v
                    lists.append([self.concept(n, l) for n in v])
                pat = c.get("pattern")
                if isinstance(pat, dict):
                    pat = pat.get(l)
                    if pat is None:
                        continue
                rx = self.py(self.expand(pat, l)) if pat else None
                per[l].append((lists[0], lists[1], lists[2], rx))
        return per


def sentences(text):
    return [s for s in re.split(r"(?<=[.;!?])\s+|\n+", text) if s.strip()]


def analyze(rs, text, lang):
    n = 0
    for s in sentences(fold(text)):
        for rule in rs.compiled:
            for all_, any_, none_, rx in rule[lang]:
                if any(c is None or not c.search(s) for c in all_):
                    continue
                if any_ and not any(c is not None and c.search(s) for c in any_):
                    continue
                if any(c is not None and c.search(s) for c in none_):
                    continue
                if rx is not None:
                    n += sum(1 for _ in rx.finditer(s))
                elif all_ or any_:
                    n += 1
    return n


def main(argv):
    if len(argv) < 5:
        sys.exit(__doc__)
    rules, min_mb, runs, files = argv[1], float(argv[2]), int(argv[3]), argv[4:]
    t0 = time.perf_counter()
    rs = RuleSet(rules)
    load_ms = (time.perf_counter() - t0) * 1000
    docs = []
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            lang = next((l for l in LANGS if f".{l}." in os.path.basename(f)), "en")
            docs.append((fh.read(), lang))
    batch, size = [], 0
    while size < min_mb * 1e6 and docs:
        for d in docs:
            batch.append(d)
            size += len(d[0].encode())
    times, found = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        found = sum(analyze(rs, text, lang) for text, lang in batch)
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    print(f"naive Python re: {len(rs.rules)} rules, load {load_ms:.0f} ms, "
          f"{size / 1e6:.1f} MB in {med:.2f} s (median of {runs}): "
          f"{size / 1e6 / med:.3f} MB/s, {found} findings, "
          f"{rs.skipped} regexes Python cannot run")
    print(f"RESULT mbs={size / 1e6 / med:.4f} findings={found} "
          f"skipped={rs.skipped} load_ms={load_ms:.0f}")


if __name__ == "__main__":
    main(sys.argv)
