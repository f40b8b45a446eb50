#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`gdprx report` escapes exactly: hostile policies and file names.

    check_report_escape.py GDPRX REPORT_JS

Policies of our own carry markup meant to break out ("</script>", an
onerror attribute, "<!--", "]]>", a literal "&amp;", U+2028, CR LF) inside
findings, in files whose names hold quotes, "<" and "&". Each page is parsed
with html.parser and must hold only the elements and attributes the report
generator emits; no <script> may hold the hostile text; the text of the
policy container must be the policy's text exactly; the marks carrying a
finding must spell its text; the CSP must name the SHA-256 of the inline
style and script. Also: pages of two inputs with the same base name do not
overwrite each other, "../" in a path never leaves the output directory,
invalid UTF-8 (with --replace-invalid) never reaches a page raw, and a page
that cannot be written is an error naming its path.
"""

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

HOSTILE = (
    "# Hostile </title> policy\r\n"
    "\r\n"
    "We keep your </script><script>alert(1)</script> data for two years.\n"
    "You have the right to access \"><img src=x onerror=alert(1)> your "
    "data.\n"
    "We do not sell <!-- your ]]> data &amp; more.\n"
    "You may complain to the\u2028supervisory authority 'here'.\n"
    "Contact privacy@example.org\t<b>now</b> &lt;&#39;\n")
NEEDLES = ["</script><script>alert(1)</script>", "\"><img src=x onerror=",
           "<!--", "]]>", "<b>", "\u2028", "\r"]

# The elements, and for each the attributes, the generator emits.
ALLOWED = {
    "html": {"lang"}, "head": set(), "body": set(), "title": set(),
    "meta": {"charset", "http-equiv", "content", "name"}, "style": set(),
    "header": set(), "h1": set(), "h2": set(), "p": set(),
    "a": {"href", "class"}, "div": {"id", "class", "lang"},
    "aside": set(), "main": set(), "section": {"id"}, "ul": set(),
    "li": {"class"}, "label": {"class"},
    "input": {"type", "checked", "value"},
    "span": {"class", "id", "data-type", "data-label"},
    "mark": {"class", "data-f", "title"}, "script": {"type", "id"},
    "table": {"id"}, "thead": set(), "tbody": set(), "tr": set(),
    "th": {"class"}, "td": {"class", "colspan"},
}
VOID = {"meta", "input"}


class Page(HTMLParser):
    """Elements, attributes, script and style texts, the policy's text, the
    text of each finding's marks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.bad, self.scripts, self.styles = [], [], [], []
        self.policy, self.in_policy = [], 0
        self.marks = {}          # finding id -> its marks' text
        self.mark_ids = None
        self.csp = self.h1 = None
        self.cur = None
        self.rows = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in ALLOWED:
            self.bad.append(f"element <{tag}>")
        for k, v in attrs:
            if k not in ALLOWED.get(tag, set()):
                self.bad.append(f"attribute {k} on <{tag}>")
            if k == "href" and not re.fullmatch(r"#f\d+|[\w.-]+\.html", v):
                self.bad.append(f"href {v!r}")
            if k == "data-f" and not re.fullmatch(r"\d+( \d+)*", v):
                self.bad.append(f"data-f {v!r}")
            if k.startswith("on"):
                self.bad.append(f"event handler {k}")
        if tag == "meta" and a.get("http-equiv") == \
                "Content-Security-Policy":
            self.csp = a["content"]
        if tag == "tr" and "tbody" in self.stack:
            self.rows += 1
        if tag == "mark" and self.in_policy:
            self.mark_ids = [int(x) for x in a["data-f"].split()]
        if self.in_policy and tag not in VOID:
            self.in_policy += 1
        if tag == "div" and a.get("id") == "policy":
            self.in_policy = 1
        if tag in ("script", "style", "h1"):
            self.cur = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        if tag == "mark":
            self.mark_ids = None
        if self.in_policy:
            self.in_policy -= 1
        if tag in ("script", "style", "h1") and self.cur is not None:
            text = "".join(self.cur)
            {"script": self.scripts, "style": self.styles,
             "h1": []}[tag].append(text)
            if tag == "h1":
                self.h1 = text
            self.cur = None

    def handle_data(self, data):
        if self.cur is not None:
            self.cur.append(data)
        if self.in_policy:
            self.policy.append(data)
            for i in self.mark_ids or []:
                self.marks[i] = self.marks.get(i, "") + data

    def handle_comment(self, data):
        self.bad.append(f"comment {data!r}")

    def unknown_decl(self, data):
        self.bad.append(f"declaration {data!r}")


def parse(path):
    raw = open(path, "rb").read()
    p = Page()
    p.feed(raw.decode("utf-8"))   # strict: no invalid byte in a page
    p.close()
    return p, raw


def sha(text):
    d = hashlib.sha256(text.encode()).digest()
    return "'sha256-" + base64.b64encode(d).decode() + "'"


def run(tool, *args, ok=(0,)):
    r = subprocess.run([tool, *args], capture_output=True)
    if r.returncode not in ok:
        raise AssertionError(f"{args}: exit {r.returncode}: "
                             f"{r.stderr.decode(errors='replace')}")
    return r


class Checker:
    def __init__(self):
        self.failures = 0

    def check(self, cond, what):
        if not cond:
            self.failures += 1
            print("FAIL:", what)


def check_policy_page(c, tool, src, page, js_source):
    p, raw = parse(page)
    text = open(src, "rb").read().decode("utf-8")
    want = json.loads(run(tool, "--json", "--", src).stdout)["findings"]
    c.check(not p.bad, f"{page}: not emitted by the generator: {p.bad}")
    c.check("".join(p.policy) == text,
            f"{page}: the policy container's text differs from the policy")
    c.check(p.h1 == src, f"{page}: heading {p.h1!r} is not the path {src!r}")
    c.check(len(p.scripts) == 2, f"{page}: {len(p.scripts)} scripts")
    for s in p.scripts:
        for n in NEEDLES:
            c.check(n not in s, f"{page}: a script holds {n!r}")
    c.check(not re.search("[<>&\u2028\u2029]", p.scripts[0]),
            f"{page}: the data script holds < > & U+2028 or U+2029")
    data = json.loads(p.scripts[0])["findings"]
    c.check(len(want) >= 4, f"{src}: only {len(want)} findings")
    c.check(len(data) == len(want), f"{page}: {len(data)} findings in the "
            f"page's data, {len(want)} in --json")
    for i, (d, w) in enumerate(zip(data, want)):
        c.check(d["text"] == w["text"] and d["start"] == w["start"],
                f"{page}: finding {i}'s data differ from --json")
        c.check(p.marks.get(i) == w["text"],
                f"{page}: marks of finding {i} spell {p.marks.get(i)!r}, "
                f"not {w['text']!r}")
    c.check(p.scripts[1] == js_source, f"{page}: script is not report.js")
    csp = p.csp or ""
    c.check(csp.startswith("default-src 'none';"), f"{page}: CSP {csp!r}")
    c.check("unsafe" not in csp, f"{page}: CSP allows unsafe-*")
    c.check(sha(p.styles[0]) in csp and sha(p.scripts[1]) in csp,
            f"{page}: CSP does not name the inline style and script")
    spanning = [w for w in want if "</script>" in w["text"]]
    c.check(spanning, f"{src}: no finding spans </script>")
    c.check(b"</script><script>alert" not in raw and b"<img" not in raw,
            f"{page}: hostile markup reached the page raw")


def main() -> int:
    tool, js_path = (os.path.abspath(a) for a in sys.argv[1:3])
    js_source = open(js_path, encoding="utf-8").read()
    c = Checker()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        os.makedirs("a")
        os.makedirs("b")
        weird = "we\"ird 'name' <b>&amp;.txt"
        for name in (weird, "a/policy.txt", "b/policy.txt", "index"):
            with open(name, "w", encoding="utf-8", newline="") as fh:
                fh.write(HOSTILE)
        inputs = [weird, "a/policy.txt", "a/../b/policy.txt", "index"]
        run(tool, "report", "-o", "out", "--", *inputs)
        pages = ["we_ird__name___b__amp_.txt.html", "policy.txt.html",
                 "policy.txt-2.html", "index-2.html"]
        c.check(sorted(os.listdir("out")) == sorted(pages + ["index.html"]),
                f"pages written: {sorted(os.listdir('out'))}")
        c.check(sorted(os.listdir(".")) == ["a", "b", "index", "out", weird],
                f"files outside out/: {sorted(os.listdir('.'))}")
        for src, page in zip(inputs, pages):
            check_policy_page(c, tool, src, os.path.join("out", page),
                              js_source)
        idx, raw = parse("out/index.html")
        c.check(not idx.bad, f"index.html: {idx.bad}")
        c.check(idx.rows == len(inputs), f"index.html: {idx.rows} rows")
        c.check(not idx.scripts and "script-src" not in (idx.csp or ""),
                "index.html has a script")
        escaped = weird.replace("&", "&amp;").replace("<", "&lt;").replace(
            ">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")
        c.check(escaped.encode() in raw,
                "index.html: the file name is not escaped exactly")

        # HTML input: the page's source is shown, findings at their offsets
        page = ("<html><body><p>We keep your data for two years.</p>"
                "<script>alert(1)</script><!-- x --></body></html>\n")
        with open("p.html", "w", encoding="utf-8") as fh:
            fh.write(page)
        run(tool, "report", "-o", "oh", "p.html")
        p, raw = parse("oh/p.html.html")
        c.check(not p.bad and "".join(p.policy) == page,
                f"HTML input: {p.bad}, text exact: {''.join(p.policy) == page}")
        c.check(p.marks and all(x in page for x in p.marks.values()) and
                b"<script>alert" not in raw, f"HTML input: marks {p.marks}")

        # invalid UTF-8, read as U+FFFD: never raw in the page
        with open("bad.txt", "wb") as fh:
            fh.write(b"We keep your data for two years \xff\xc0\xaf "
                     b"\xed\xa0\x80 \xe2\x80.\n")
        run(tool, "report", "-o", "out2", "bad.txt", ok=(1,))
        c.check(os.listdir("out2") == ["index.html"],
                "a policy that failed (invalid UTF-8) got a page")
        idx, raw = parse("out2/index.html")
        c.check(idx.rows == 1 and b"bad.txt: input:" in raw,
                "the failed policy's row does not give its error")
        run(tool, "report", "--replace-invalid", "-o", "out2", "bad.txt")
        p, raw = parse("out2/bad.txt.html")   # raises if not UTF-8
        c.check("\ufffd" in "".join(p.policy) and not p.bad,
                "invalid bytes not shown as U+FFFD")

        # a page that cannot be written names its path
        os.makedirs("ro/x.txt.html")
        with open("x.txt", "w") as fh:
            fh.write("We keep your data for two years.\n")
        r = run(tool, "report", "-o", "ro", "x.txt", ok=(1,))
        c.check(b"ro/x.txt.html" in r.stderr,
                f"write error without the path: {r.stderr!r}")
        r = run(tool, "report", "x.txt", ok=(2,))
        c.check(b"-o DIR" in r.stderr, "no -o: not a usage error")
        run(tool, "report", "-o", "o3", "--types", "nosuch", "x.txt", ok=(2,))
        run(tool, "report", "-o", "o3", "--format", "pdf", "x.txt", ok=(2,))
        run(tool, "report", "-o", "o3", "--rules", "/nonexistent", "x.txt",
            ok=(3,))
        r = subprocess.run([tool, "report", "--types", "retention", "-o", "o4",
                            "-"], input=HOSTILE.encode(), capture_output=True)
        c.check(r.returncode == 0 and os.path.exists("o4/stdin.html"),
                f"stdin: exit {r.returncode}, {os.listdir('.')}")
        p, _ = parse("o4/stdin.html")
        c.check(p.marks and all(x.startswith("keep") for x in
                                p.marks.values()),
                f"--types retention: marks {p.marks}")
    print(f"report escaping: {c.failures} failures")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
