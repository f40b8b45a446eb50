#!/usr/bin/env python3
"""The gdprx tool as a batch user runs it: input order with -j, error
records, whole records from concurrent appenders, the size bound on endless
inputs, --files-from, -r over a tree with a symlink loop, text positions
(path:line:col, computed here from the JSON byte offsets), --count against
the JSON, coverage, rules list, exit status.

usage: check_cli.py [GDPRX_TOOL]   (default $GDPRX_TOOL); the rule set is
$GDPRX_RULES, as for every test of tests/meson.build.
"""
import json
import os
import re
import resource
import shlex
import subprocess
import sys
import tempfile
import time
import unittest
from collections import Counter
from pathlib import Path

TOOL = os.environ.get("GDPRX_TOOL", "")

# Sentences written for this test (not from the corpus); each gives findings
# with the shipped rule set.
SENTENCES = [
    "We keep your personal data for two years after your last order.",
    "We never sell your personal data.",
    "You have the right to access, correct or delete your data.",
    "Contact our data protection officer at dpo@example.org.",
    "Nous conservons vos données pendant trois ans.",
]


def policy(k, repeat=1):
    """A small English policy, different for each k: a heading, then the
    sentences in an order that depends on k, repeated."""
    order = SENTENCES[k % 4:4] + SENTENCES[:k % 4]
    body = "\n".join(" ".join(order) for _ in range(repeat))
    return f"Privacy notice {k}\n\n{body}\n"


def run(args, stdin=None, timeout=120, **kw):
    return subprocess.run([TOOL] + args, input=stdin, capture_output=True,
                          timeout=timeout, **kw)


def records(out):
    """Every line of JSON Lines output, parsed (fails on a broken line)."""
    return [json.loads(line) for line in out.decode("utf-8").splitlines()]


class CliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, data):
        p = self.dir / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return str(p)

    def docs(self, n, repeat=1, big_first=True):
        """n policies; the first is much larger, so that with -j 2 later
        documents finish before it."""
        return [self.write(f"p{k:02d}.txt",
                           policy(k, 200 if big_first and k == 0 else repeat))
                for k in range(n)]


class TestBatch(CliTest):
    def test_order_with_two_jobs(self):
        paths = self.docs(12)
        one = run(["-j", "1", "--jsonl"] + paths)
        two = run(["-j", "2", "--jsonl"] + paths)
        self.assertEqual(one.returncode, 0, one.stderr)
        self.assertEqual(two.returncode, 0, two.stderr)
        self.assertEqual([r["doc"] for r in records(two.stdout)], paths)
        self.assertEqual(one.stdout, two.stdout)
        unord = run(["-j", "2", "--unordered", "--jsonl"] + paths)
        self.assertEqual(sorted(records(unord.stdout), key=lambda r: r["doc"]),
                         records(one.stdout))

    def test_error_records_and_the_batch_goes_on(self):
        good = self.write("good.txt", policy(1))
        bad_utf8 = self.write("latin1.txt", "Nous conservons vos donn\xe9es."
                              .encode("latin-1"))
        big = self.write("big.txt", policy(2, 50))
        sub = self.dir / "sub"
        sub.mkdir()
        missing = str(self.dir / "missing.txt")
        args = ["-j", "2", "--max-size", "2K", "--jsonl", missing, str(sub),
                bad_utf8, big, good]
        p = run(args)
        self.assertEqual(p.returncode, 1, "a failed document gives status 1")
        recs = records(p.stdout)
        self.assertEqual([r["doc"] for r in recs],
                         [missing, str(sub), bad_utf8, big, good])
        codes = [r.get("error", {}).get("code") for r in recs]
        self.assertEqual(codes, ["io", "is_directory", "utf8", "too_large",
                                 None])
        for r in recs[:4]:
            self.assertIn(r["doc"], r["error"]["message"])
            self.assertIn(r["error"]["message"], p.stderr.decode())
        self.assertGreater(len(recs[4]["findings"]), 0)
        self.assertNotIn("Input/output error", p.stderr.decode())
        # --replace-invalid: that document is analyzed
        p = run(["--replace-invalid", "--jsonl", bad_utf8, good])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("error", records(p.stdout)[0])

    def test_four_appending_processes(self):
        # records of several KB each (above PIPE_BUF), as in real policies
        paths = [self.write(f"a{k}.txt", policy(k, 12)) for k in range(8)]
        out = self.dir / "out.jsonl"
        single = run(["-j", "1", "--jsonl"] + paths)
        sizes = [len(line) for line in single.stdout.splitlines()]
        self.assertGreater(min(sizes), 8192, "records must exceed 8 KB")
        cmd = " ".join(map(shlex.quote, [TOOL, "-j", "2", "--jsonl"] + paths)
                       ) + " >> " + shlex.quote(str(out))
        procs = [subprocess.Popen(["sh", "-c", cmd]) for _ in range(4)]
        for pr in procs:
            self.assertEqual(pr.wait(timeout=300), 0)
        recs = records(out.read_bytes())   # every line parses
        self.assertEqual(len(recs), 4 * len(paths))
        self.assertEqual(Counter(r["doc"] for r in recs),
                         Counter({p: 4 for p in paths}))
        want = {r["doc"]: r for r in records(single.stdout)}
        for r in recs:
            self.assertEqual(r, want[r["doc"]])

    def test_files_from_stdin(self):
        paths = self.docs(5, big_first=False)
        p = run(["--jsonl", "--files-from", "-"],
                stdin=("\n".join(paths) + "\n\n").encode())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([r["doc"] for r in records(p.stdout)], paths)
        p = run(["--jsonl", "--files-from", "-"],
                stdin="\0".join(paths).encode())
        self.assertEqual([r["doc"] for r in records(p.stdout)], paths)
        # a PATH argument comes first, then the list
        p = run(["--jsonl", "--files-from", "-", paths[4]],
                stdin=paths[0].encode())
        self.assertEqual([r["doc"] for r in records(p.stdout)],
                         [paths[4], paths[0]])
        p = run(["--files-from", "-", "-"], stdin=b"")
        self.assertEqual(p.returncode, 2)

    def test_recursive_tree_with_symlink_loop(self):
        tree = self.dir / "tree"
        self.write("tree/b/z.txt", policy(2))
        self.write("tree/a/y.txt", policy(1))
        self.write("tree/a/x.txt", policy(0))
        self.write("tree/.hidden.txt", policy(3))
        self.write("tree/c.txt", policy(3))
        os.symlink("..", tree / "a" / "up")           # a loop
        os.symlink("../a/x.txt", tree / "b" / "link.txt")
        os.symlink("nowhere.txt", tree / "dangling.txt")
        t0 = time.monotonic()
        p = run(["-r", "-j", "2", "--jsonl", str(tree)], timeout=30)
        self.assertLess(time.monotonic() - t0, 30)
        recs = records(p.stdout)
        rel = [os.path.relpath(r["doc"], tree) for r in recs]
        self.assertEqual(rel, ["a/x.txt", "a/y.txt", "b/link.txt", "b/z.txt",
                               "c.txt", "dangling.txt"])
        self.assertEqual(recs[-1]["error"]["code"], "io")
        self.assertEqual(p.returncode, 1)
        self.assertIn("loop", p.stderr.decode())
        # without -r a directory is one error record, not an I/O error
        p = run(["--jsonl", str(tree)])
        self.assertEqual(records(p.stdout)[0]["error"]["code"],
                         "is_directory")


class TestBounds(CliTest):
    def run_bounded(self, args, **kw):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.monotonic()
        p = run(args, timeout=30, **kw)
        secs = time.monotonic() - t0
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return p, secs, max(rss, before) / 1024

    def test_dev_zero(self):
        if not os.path.exists("/dev/zero"):
            self.skipTest("no /dev/zero")
        p, secs, mb = self.run_bounded(["--jsonl", "/dev/zero"])
        self.assertLess(secs, 10)
        self.assertLess(mb, 500)
        rec = records(p.stdout)[0]
        self.assertEqual(rec["doc"], "/dev/zero")
        self.assertEqual(rec["error"]["code"], "too_large")
        self.assertIn("/dev/zero", rec["error"]["message"])
        self.assertEqual(p.returncode, 1)

    def test_max_size_on_an_endless_stdin(self):
        gen = subprocess.Popen(["yes", SENTENCES[1]], stdout=subprocess.PIPE)
        try:
            t0 = time.monotonic()
            p = subprocess.run([TOOL, "--max-size", "1M", "--jsonl"],
                               stdin=gen.stdout, capture_output=True,
                               timeout=30)
            self.assertLess(time.monotonic() - t0, 10)
        finally:
            gen.kill()
            gen.wait()
            gen.stdout.close()
        rec = records(p.stdout)[0]
        self.assertEqual((rec["doc"], rec["error"]["code"]),
                         ("<stdin>", "too_large"))
        self.assertIn("1048576", rec["error"]["message"])

    def test_max_size_boundary(self):
        path = self.write("exact.txt", "x" * 1024)
        self.assertEqual(run(["--max-size", "1K", path]).returncode, 0)
        self.assertEqual(run(["--max-size", "1023", path]).returncode, 1)
        for bad in ["0", "1X", "-5", "3G"]:
            self.assertEqual(run(["--max-size", bad, path]).returncode, 2, bad)

    def test_chunk_size_same_output(self):
        # parts of 1 byte, 2 KB and the default give the same bytes
        text = "".join(f"We keep your invoices for {k % 9 + 2} years; we do "
                       f"not sell your e-mail address. " for k in range(300))
        path = self.write("chunks.txt", "# Retention\n\n" + text + "\n")
        outs = [run(["--json", *extra, path]).stdout
                for extra in ([], ["--chunk-size", "1"],
                              ["--chunk-size", "2K"])]
        self.assertIn(b'"retention"', outs[0])
        self.assertEqual(outs[1], outs[0])
        self.assertEqual(outs[2], outs[0])
        for bad in ["0", "1X", "-5"]:
            self.assertEqual(run(["--chunk-size", bad, path]).returncode, 2,
                             bad)

    def test_large_document_streamed(self):
        # a document above --stream-above is written as it is analyzed: the
        # same bytes as formatted whole, in input order among the others,
        # and --count counts it without keeping its findings
        unit = SENTENCES[0] + " " + SENTENCES[3] + "\n"
        big = self.write("big.txt", unit * (1_300_000 // len(unit)))
        paths = [self.write("a.txt", policy(1)), big,
                 self.write("b.txt", policy(2))]
        whole = run(["--jsonl", "--stream-above", "64M", *paths]).stdout
        for extra in ([], ["-j", "2"], ["--stream-above", "100K"]):
            p = run(["--jsonl", *extra, *paths])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, whole, extra)
        recs = records(whole)
        self.assertEqual([r["doc"] for r in recs], paths)
        self.assertGreater(len(recs[1]["findings"]), 40000)
        one = run(["--json", big]).stdout
        self.assertEqual(one, run(["--json", "--stream-above", "2M",
                                   big]).stdout)
        self.assertEqual(json.loads(one)["findings"], recs[1]["findings"])
        counted = records(run(["--jsonl", "--count", *paths]).stdout)
        self.assertEqual(counted[1]["findings"], len(recs[1]["findings"]))
        self.assertEqual(counted[1]["types"],
                         dict(Counter(x["type"] for x in recs[1]["findings"])))

    def test_streamed_document_errors(self):
        # a large document that fails before its record begins gets the
        # usual error record; --stream-above takes sizes like --max-size
        bad = self.write("bad.txt", b"We keep data. " * 100_000 + b"\xff\n")
        p = run(["--jsonl", bad, self.write("ok.txt", policy(3))])
        self.assertEqual(p.returncode, 1)
        recs = records(p.stdout)
        self.assertEqual(recs[0]["error"]["code"], "utf8")
        self.assertIn("1400000", recs[0]["error"]["message"])
        self.assertTrue(recs[1]["findings"])
        for bad_size in ["0", "1X", "-5"]:
            self.assertEqual(run(["--stream-above", bad_size, bad]).returncode,
                             2, bad_size)


TEXT_HIT = re.compile(r'^(.*):(\d+):(\d+): (\w+)\.(\w+) \[(affirmed|negated)\]'
                      r'(.*?)  "(.*)"$')


def line_col(data, start):
    """1-based line and byte column of byte offset start."""
    line_start = data.rfind(b"\n", 0, start) + 1
    return data.count(b"\n", 0, start) + 1, start - line_start + 1


class TestOutput(CliTest):
    def test_text_line_col(self):
        text = ("Titre\n\n  Nous conservons vos données pendant trois ans.\r\n"
                "\t« Données » : " + " ".join(SENTENCES[:4]) + "\n\n"
                + policy(3, 3))
        path = self.write("pos.txt", text)
        data = Path(path).read_bytes()
        js = records(run(["--jsonl", path]).stdout)[0]["findings"]
        out = run(["--context", path]).stdout.decode("utf-8").splitlines()
        hits = [m for m in map(TEXT_HIT.match, out) if m]
        self.assertEqual(len(hits), len(js))
        self.assertGreater(len({h.group(2) for h in hits}), 3)
        for h, f in zip(hits, js):
            want = line_col(data, f["start"])
            self.assertEqual((h.group(1), int(h.group(2)), int(h.group(3))),
                             (path,) + want, f)
            self.assertEqual((h.group(4), h.group(5), h.group(6)),
                             (f["type"], f["subtype"], f["polarity"]))
            self.assertEqual(h.group(8), re.sub(r"[\r\n\t]", " ", f["text"]))
        # --context: each hit is followed by its clause
        i = out.index(hits[0].group(0))
        self.assertTrue(out[i + 1].startswith('    clause "'))

    def test_bold_label_ends_a_clause(self):
        """The shipped lexicons cut a clause after a bold label ('**:',
        '** :', '</strong>:' then a space), in every language."""
        cases = [("**Retention**: we keep your data for a year.\n",
                  ["**Retention**:", "we keep your data for a year."]),
                 ("Pour la **durée** : nous gardons vos données un an.\n",
                  ["Pour la **durée** :",
                   "nous gardons vos données un an."]),
                 ("<strong>Bewaartermijn</strong>: wij bewaren uw "
                  "gegevens een jaar.\n",
                  ["<strong>Bewaartermijn</strong>:",
                   "wij bewaren uw gegevens een jaar."])]
        for k, (text, want) in enumerate(cases):
            path = self.write(f"bold{k}.txt", text)
            out = run(["--segments", "--no-coverage", path])
            self.assertEqual(out.returncode, 0, out.stderr)
            got = re.findall(r'^    clause .*"(.*)"$',
                             out.stdout.decode("utf-8"), re.M)
            self.assertEqual(got, want, text)

    def test_bold_label_leads_its_value(self):
        """A clause cut off as a bold label is the lead of the value after
        it (as a table row's first cell is its other cells'): the value
        clause gets the label's meaning, in every language; a label that
        names nothing gives nothing."""
        cases = [("**Retention period**: 13 months.\n", "en", "P13M"),
                 ("**Durée de conservation** : 13 mois.\n", "fr", "P13M"),
                 ("<strong>Bewaartermijn</strong>: 13 maanden.\n", "nl",
                  "P13M"),
                 ("**Note**: 13 months.\n", "en", None)]
        for k, (text, lang, want) in enumerate(cases):
            path = self.write(f"label{k}.txt", text)
            rec = records(run(["--jsonl", "--lang", lang, path]).stdout)[0]
            got = [f.get("attrs", {}).get("duration") for f in rec["findings"]
                   if f["type"] == "retention" and f["subtype"] == "period"]
            self.assertEqual(got, [want] if want else [], text)

    def test_exception_lifts_denial(self):
        """With the shipped lexicons, a denial before an exception does not
        deny what the finding states after it ("no one except our host"),
        in every language; without the exception it does."""
        cases = [("We do not share your data with anyone except our hosting "
                  "provider.\n", "en", "recipient", "affirmed"),
                 ("Nous ne transmettons vos données à personne, sauf à "
                  "notre hébergeur.\n", "fr", "recipient", "affirmed"),
                 ("Er worden geen gegevens verzameld, behalve uw IP-adres.\n",
                  "nl", "data_category", "affirmed"),
                 ("We do not share your data with our hosting provider.\n",
                  "en", "recipient", "negated")]
        for k, (text, lang, typ, want) in enumerate(cases):
            path = self.write(f"except{k}.txt", text)
            rec = records(run(["--jsonl", "--lang", lang, path]).stdout)[0]
            got = {f["polarity"] for f in rec["findings"] if f["type"] == typ}
            self.assertEqual(got, {want}, text)

    def test_short_notice_language(self):
        """The shipped lexicons tell the language of a one-line notice that
        names the controller and little else."""
        cases = [("De verwerkingsverantwoordelijke is de gemeente "
                  "Zuiderburg.\n", "nl"),
                 ("Responsable du traitement : la mairie de "
                  "Valbonne-sur-Mer.\n", "fr"),
                 ("The controller is Northwind Travel Ltd.\n", "en")]
        for k, (text, lang) in enumerate(cases):
            path = self.write(f"short{k}.txt", text)
            rec = records(run(["--jsonl", path]).stdout)[0]
            self.assertEqual(rec["lang"], lang, text)
            self.assertTrue(any(f["type"] == "controller"
                                for f in rec["findings"]), text)

    def test_count_equals_json(self):
        paths = self.docs(4, repeat=2, big_first=False)
        paths.append(self.write("empty.txt", ""))
        full = records(run(["--jsonl"] + paths).stdout)
        counted = records(run(["--jsonl", "--count"] + paths).stdout)
        text = run(["--count"] + paths).stdout.decode().splitlines()
        self.assertEqual(len(counted), len(full))
        self.assertEqual(len(text), len(full))
        for f, c, t in zip(full, counted, text):
            want = Counter(x["type"] for x in f["findings"])
            self.assertEqual(c["doc"], f["doc"])
            self.assertEqual(c["findings"], len(f["findings"]))
            self.assertEqual(c["types"], dict(want))
            self.assertEqual(c["lang"], f["lang"])
            self.assertTrue(t.startswith(f"{f['doc']}: {len(f['findings'])} "
                                         "finding"), t)
            got = dict((k, int(v)) for k, v in
                       re.findall(r"(\w+) (\d+)", t.split(": ", 2)[-1])
                       ) if want else {}
            self.assertEqual(got, dict(want), t)

    def test_coverage_options(self):
        path = self.write("c.txt", policy(0, 2))
        out = run([path]).stdout.decode()
        self.assertIn("13(2)(a)", out)
        self.assertIn("14(2)(f)", out)
        out = run(["--no-coverage", path]).stdout.decode()
        self.assertNotIn("coverage", out)
        out = run(["--types", "retention", path]).stdout.decode()
        items = re.findall(r"\[.\] (\d+\(\d\)\(\w\))", out)
        self.assertEqual(items, ["13(2)(a)"])
        out = run(["--types", "right.access,contact", path]).stdout.decode()
        items = re.findall(r"\[.\] (\d+\(\d\)\(\w\))", out)
        self.assertEqual(items, ["13(1)(b)", "13(2)(b)"])
        empty = self.write("e.txt", "")
        self.assertNotIn("coverage", run([empty]).stdout.decode())

    def test_double_dash_and_usage_errors(self):
        dash = self.write("-odd.txt", policy(1))
        p = run(["--jsonl", "--", "-odd.txt"], cwd=self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(records(p.stdout)[0]["doc"], "-odd.txt")
        self.assertTrue(os.path.exists(dash))
        self.assertEqual(run(["-odd.txt"], cwd=self.dir).returncode, 2)
        self.assertEqual(run(["-j", "0", dash]).returncode, 2)
        self.assertEqual(run(["--types", "nosuchtype", dash]).returncode, 2)
        self.assertEqual(run(["--json", dash, dash]).returncode, 2)

    def test_stderr_silent_unless_stats(self):
        paths = self.docs(3, big_first=False)
        p = run(["--jsonl"] + paths)
        self.assertEqual(p.stderr, b"")
        p = run(["--jsonl", "--stats"] + paths)
        n = sum(len(r["findings"]) for r in records(p.stdout))
        self.assertRegex(p.stderr.decode(),
                         rf"^gdprx: 3 documents, 0 failed, {n} findings, ")

    def test_rules_list(self):
        p = run(["rules", "list"])
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.decode().splitlines()
        check = run(["rules", "check"]).stdout.decode()
        n = int(re.search(r"(\d+) rules compiled", check).group(1))
        self.assertEqual(len(lines), n)
        ids = set()
        for line in lines:
            cols = line.split()
            self.assertGreaterEqual(len(cols), 3, line)
            self.assertTrue(cols[0].startswith(cols[1] + "."), line)
            self.assertRegex(cols[2], r"^(en|fr|nl)(,(en|fr|nl))*$")
            ids.add(cols[0])
        self.assertEqual(len(ids), n)
        self.assertTrue(any(re.search(r" 13\(2\)\(a\)", x) for x in lines))

    def test_missing_rules_from_the_environment(self):
        """A rule set named by $GDPRX_RULES that is not there: the error
        says where the path came from; --rules names it itself."""
        doc = self.dir / "p.txt"
        doc.write_text(policy(0))
        gone = str(self.dir / "no-such-rules")
        env = dict(os.environ, GDPRX_RULES=gone)
        p = run([str(doc)], env=env)
        self.assertEqual(p.returncode, 3, p.stderr)
        err = p.stderr.decode()
        self.assertIn(gone, err)
        self.assertIn("$GDPRX_RULES", err)
        p = run(["--rules", gone, str(doc)])
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(gone, p.stderr.decode())
        self.assertNotIn("$GDPRX_RULES", p.stderr.decode())


if __name__ == "__main__":
    if len(sys.argv) > 1:
        TOOL = sys.argv.pop(1)
    TOOL = os.path.abspath(TOOL) if TOOL else TOOL
    if not TOOL or not os.access(TOOL, os.X_OK):
        sys.exit(f"gdprx tool not found: {TOOL!r} (argument or GDPRX_TOOL)")
    unittest.main(verbosity=2)
