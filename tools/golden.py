#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden regression oracle: what gdprx finds today, checked in.

tests/golden/ holds the output of the gdprx tool at the last commit that
regenerated it:

  examples/NAME.json        the full `gdprx --json` output for each bundled
                            example policy (examples/policies/NAME),
                            pretty-printed with sorted keys; nothing dropped
  corpus/SUBDIR/NAME.snap   a compact snapshot of each corpus document
                            (../shared/corpus/{dev,gdprt-en}/NAME; not the
                            .gold.json files, not README.md): a first line
                            `lang XX`, then one line per finding,
                            `type.subtype polarity start end attrs`, attrs
                            as `k=v,k=v` sorted by key (or `-`), lines in
                            document order (start, end, then the line)

Regenerate after a change of behavior (rules, lexicon, engine):

    meson compile -C build golden

and commit the changed files with the change: the diff of tests/golden/ in
that commit is exactly the findings it adds and removes, and the commit
message should say why. `meson test -C build golden` (suite e2e) runs

    tools/golden.py --check

which compares instead of writing, prints per document the findings added
("+ ...") and removed ("- ..."), then "golden: N documents, A findings added,
R removed", and exits 1 on any difference (0 otherwise; 2 if gdprx failed or
the arguments are wrong). Without the corpus directory the corpus part is
skipped with a message and the examples are still checked.

gdprx runs once per directory (--jsonl, every file of the directory; the
directories in parallel), with --rules given explicitly so $GDPRX_RULES does
not matter. Standard library only.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS_SUBDIRS = ('dev', 'gdprt-en')


class GoldenError(Exception):
    """gdprx failed or an input is unusable: no verdict can be given."""


def parse_args(argv):
    p = argparse.ArgumentParser(
        description='Write (default) or check (--check) the golden outputs '
                    'of gdprx in tests/golden/.')
    p.add_argument('--check', action='store_true',
                   help='compare with the checked-in files instead of writing')
    p.add_argument('--gdprx', default=os.path.join(ROOT, 'build', 'tools',
                                                   'gdprx'),
                   help='the gdprx tool (default: build/tools/gdprx)')
    p.add_argument('--rules', default=os.path.join(ROOT, 'rules'),
                   help='rule directory (default: rules/)')
    p.add_argument('--examples', default=os.path.join(ROOT, 'examples',
                                                      'policies'),
                   help='example policies (default: examples/policies/)')
    p.add_argument('--corpus', default=os.path.join(ROOT, '..', 'shared',
                                                    'corpus'),
                   help='corpus root with dev/ and gdprt-en/ '
                        '(default: ../shared/corpus)')
    p.add_argument('--golden', default=os.path.join(ROOT, 'tests', 'golden'),
                   help='golden directory (default: tests/golden/)')
    return p.parse_args(argv)


# --- running gdprx ----------------------------------------------------------

def list_files(directory, is_document):
    """Sorted regular files of a directory (not recursive) that are documents."""
    return sorted(n for n in os.listdir(directory)
                  if os.path.isfile(os.path.join(directory, n))
                  and is_document(n))


def is_corpus_document(name):
    return not name.endswith('.gold.json') and name != 'README.md'


def run_gdprx(tool, rules, directory, names):
    """{name: JSON object without "doc"} for every file, from one gdprx run."""
    if not names:
        return {}
    paths = [os.path.join(directory, n) for n in names]
    cmd = [tool, '--rules', rules, '--jsonl'] + paths
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, check=False)
    except OSError as e:
        raise GoldenError('cannot run %s: %s' % (tool, e)) from e
    if proc.returncode != 0:
        raise GoldenError('%s exited with %d on %s:\n%s' % (
            tool, proc.returncode, directory,
            proc.stderr.decode('utf-8', 'replace')))
    by_path = {}
    for line in proc.stdout.decode('utf-8').splitlines():
        obj = json.loads(line)
        by_path[obj.pop('doc')] = obj
    missing = [p for p in paths if p not in by_path]
    if missing:
        raise GoldenError('no output for %s' % ', '.join(missing))
    return {n: by_path[p] for n, p in zip(names, paths)}


# --- rendering --------------------------------------------------------------

def render_json(obj):
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + '\n'


def attrs_text(attrs):
    if not attrs:
        return '-'
    return ','.join('%s=%s' % (k, attrs[k]) for k in sorted(attrs))


def finding_line(f):
    return '%s.%s %s %d %d %s' % (f['type'], f['subtype'], f['polarity'],
                                  f['start'], f['end'], attrs_text(f['attrs']))


def line_order(line):
    """Document order: start, end, then the line itself."""
    parts = line.split(' ')
    return (int(parts[2]), int(parts[3]), line)


def render_snap(obj):
    lines = sorted((finding_line(f) for f in obj['findings']), key=line_order)
    return 'lang %s\n' % (obj['lang'] or '-') + ''.join(l + '\n' for l in lines)


def parse_snap(text):
    """(lang, [finding lines]) of a snapshot's text."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith('lang '):
        return None, lines
    return lines[0][5:], lines[1:]


# --- collecting the expected files -----------------------------------------

def example_names(args):
    return list_files(args.examples, lambda n: not n.startswith('.'))


def corpus_dirs(args):
    """[(subdir, path)] of the corpus subdirectories present; messages for
    the missing ones."""
    present = []
    for sub in CORPUS_SUBDIRS:
        path = os.path.join(args.corpus, sub)
        if os.path.isdir(path):
            present.append((sub, path))
        else:
            print('golden: corpus directory %s not found; its snapshots '
                  '(corpus/%s/) are skipped' % (os.path.normpath(path), sub))
    return present


def expected_files(args, subdirs):
    """{golden relative path: (gdprx's object, file text)}; gdprx runs on
    the directories in parallel (one process each)."""
    jobs = [('examples/%s.json', render_json, args.examples,
             example_names(args))]
    jobs += [('corpus/' + sub + '/%s.snap', render_snap, path,
              list_files(path, is_corpus_document)) for sub, path in subdirs]
    with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
        runs = [pool.submit(run_gdprx, args.gdprx, args.rules, path, names)
                for _, _, path, names in jobs]
        outs = [r.result() for r in runs]
    expected = {}
    for (pattern, render, _, names), out in zip(jobs, outs):
        for n in names:
            expected[pattern % n] = (out[n], render(out[n]))
    return expected


def existing_files(golden, subdirs):
    """Relative paths of the golden files in the directories managed here."""
    found = []
    managed = [('examples', '.json')] + [('corpus/' + s, '.snap')
                                         for s, _ in subdirs]
    for rel, ext in managed:
        d = os.path.join(golden, rel)
        if os.path.isdir(d):
            found += ['%s/%s' % (rel, n) for n in os.listdir(d)
                      if n.endswith(ext)]
    return sorted(found)


# --- writing ----------------------------------------------------------------

def write_all(golden, expected, existing):
    for rel in existing:
        if rel not in expected:
            os.remove(os.path.join(golden, rel))
            print('golden: removed %s (no such document any more)' % rel)
    for rel, (_, text) in sorted(expected.items()):
        path = os.path.join(golden, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8', newline='\n') as f:
            f.write(text)
    print('golden: wrote %d documents to %s' % (len(expected),
                                               os.path.normpath(golden)))


# --- checking ---------------------------------------------------------------

class Diff:
    """The differences found in one document."""

    def __init__(self):
        self.lines = []          # (sort key, text)
        self.added = self.removed = self.other = 0

    def finding(self, sign, line, key):
        self.lines.append((key, '%s %s' % (sign, line)))
        if sign == '+':
            self.added += 1
        else:
            self.removed += 1

    def note(self, text, counted=True):
        """A change that is not a finding added or removed (language,
        another field, order); detail lines pass counted=False."""
        self.lines.append(((-1, -1, '%06d' % len(self.lines)), text))
        self.other += 1 if counted else 0

    def text(self):
        return [t for _, t in sorted(self.lines, key=lambda kt: kt[0])]


def multiset_diff(old, new):
    """(removed, added) items between two lists, as multisets."""
    o, n = collections.Counter(old), collections.Counter(new)
    return sorted((o - n).elements()), sorted((n - o).elements())


def diff_snap(old_text, new_text):
    d = Diff()
    old_lang, old_lines = parse_snap(old_text)
    new_lang, new_lines = parse_snap(new_text)
    if old_lang != new_lang:
        d.note('- lang %s' % (old_lang or '(none)'))
        d.note('+ lang %s' % (new_lang or '(none)'), counted=False)
    removed, added = multiset_diff(old_lines, new_lines)
    for sign, lines in (('-', removed), ('+', added)):
        for line in lines:
            try:
                key = line_order(line)
            except (IndexError, ValueError):
                key = (-1, -1, line)
            d.finding(sign, line, key)
    if not d.lines and old_text != new_text:
        d.note('~ same findings, but the file differs in order or format')
    return d


FINDING_CORE = ('type', 'subtype', 'polarity', 'start', 'end', 'attrs',
                'rule', 'text')


def finding_label(f):
    return '%s rule=%s %s' % (finding_line(f), f.get('rule'),
                              json.dumps(f.get('text'), ensure_ascii=False))


def core_key(f):
    return json.dumps({k: f.get(k) for k in FINDING_CORE}, sort_keys=True)


def canon(x):
    return json.dumps(x, sort_keys=True, ensure_ascii=False)


def diff_finding_fields(d, old, new):
    """A finding kept (same core) whose other fields changed."""
    d.note('~ %s' % finding_label(new))
    for k in sorted(set(old) | set(new)):
        if k not in FINDING_CORE and old.get(k) != new.get(k):
            d.note('    %s: %s -> %s' % (k, canon(old.get(k)),
                                         canon(new.get(k))), counted=False)


def diff_findings(d, old_list, new_list):
    by = {f: {} for f in ('old', 'new')}
    removed, added = multiset_diff([canon(f) for f in old_list],
                                   [canon(f) for f in new_list])
    for side, items in (('old', removed), ('new', added)):
        for s in items:
            f = json.loads(s)
            by[side].setdefault(core_key(f), []).append(f)
    for key in sorted(set(by['old']) | set(by['new'])):
        olds, news = by['old'].get(key, []), by['new'].get(key, [])
        while olds and news:
            diff_finding_fields(d, olds.pop(0), news.pop(0))
        for sign, rest in (('-', olds), ('+', news)):
            for f in rest:
                d.finding(sign, finding_label(f),
                          (f['start'], f['end'], finding_line(f)))


def diff_json(old_text, new_obj, new_text):
    d = Diff()
    try:
        old = json.loads(old_text)
    except ValueError as e:
        d.note('~ the golden file is not valid JSON (%s)' % e)
        return d
    diff_findings(d, old.get('findings', []), new_obj.get('findings', []))
    for k in sorted((set(old) | set(new_obj)) - {'findings'}):
        a, b = old.get(k), new_obj.get(k)
        if a == b:
            continue
        if isinstance(a, list) and isinstance(b, list):
            gone, came = multiset_diff([canon(x) for x in a],
                                       [canon(x) for x in b])
            for sign, items in (('-', gone), ('+', came)):
                for x in items:
                    d.note('%s %s: %s' % (sign, k, x))
            if not gone and not came:
                d.note('~ %s: same items, other order' % k)
        else:
            d.note('- %s: %s' % (k, canon(a)))
            d.note('+ %s: %s' % (k, canon(b)), counted=False)
    if not d.lines and old_text != new_text:
        d.note('~ same content, but the file differs in order or format')
    return d


def diff_document(golden, rel, expected):
    """Diff of one golden file against what gdprx gives now."""
    path = os.path.join(golden, rel)
    old_text = None
    if os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            old_text = f.read()
    if rel not in expected:          # the document is gone
        new_obj, new_text = {'lang': None, 'findings': []}, ''
    else:
        new_obj, new_text = expected[rel]
    if rel.endswith('.snap'):
        d = diff_snap(old_text or '', new_text)
    else:
        d = diff_json(old_text if old_text is not None else '{}',
                      new_obj, new_text)
    if old_text is None:
        d.lines.insert(0, ((-2, -2, ''), '  (new document: no golden file)'))
    elif rel not in expected:
        d.lines.insert(0, ((-2, -2, ''), '  (document gone: golden file left)'))
    return d


def check_all(golden, expected, existing):
    n_add = n_rem = n_other = 0
    for rel in sorted(set(expected) | set(existing)):
        d = diff_document(golden, rel, expected)
        if not d.lines:
            continue
        print('--- %s  (+%d -%d)' % (rel, d.added, d.removed))
        for line in d.text():
            print(line)
        n_add += d.added
        n_rem += d.removed
        n_other += d.other
    summary = 'golden: %d documents, %d findings added, %d removed' % (
        len(expected), n_add, n_rem)
    if n_other:
        summary += ', %d other changes' % n_other
    print(summary)
    if n_add or n_rem or n_other:
        print('golden: if the change is intended, regenerate with '
              '`meson compile -C build golden` and commit tests/golden/ '
              'with it')
        return 1
    return 0


def main(argv):
    args = parse_args(argv)
    if os.path.isdir(args.corpus):
        subdirs = corpus_dirs(args)
    else:
        print('golden: corpus directory %s not found; corpus snapshots are '
              'skipped, examples only' % os.path.normpath(args.corpus))
        subdirs = []
    try:
        expected = expected_files(args, subdirs)
    except (GoldenError, OSError, ValueError) as e:
        print('golden: error: %s' % e, file=sys.stderr)
        return 2
    existing = existing_files(args.golden, subdirs)
    if args.check:
        return check_all(args.golden, expected, existing)
    write_all(args.golden, expected, existing)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
