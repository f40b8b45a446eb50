#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`gdprx report` pages in a real browser: headless Chromium.

    check_report_browser.py GDPRX POLICY... [--screenshot PNG]

Writes a report of the POLICYs, loads each page in `chromium --headless`
(found on PATH, or $CHROMIUM; missing is a failure, never a skip: install it
with tools/deps.sh) and checks the DOM after the scripts ran, under the
pages' own Content-Security-Policy: the script ran (body data-ready), the
distinct finding ids on highlighted elements equal the findings of
`gdprx --json` for the same file, every checklist item is there with a link
exactly when it is stated, a #fN address opens finding N in the details
panel, the index has one row per policy. Takes a 1280x1400 screenshot of the
first page (written to PNG with --screenshot, to regenerate
doc/report-screenshot.png) and checks it is a PNG of that size.
"""

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.items, self.linked, self.rows = set(), 0, 0, 0
        self.ready = False
        self.stack = []
        self.detail = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body" and a.get("data-ready") == "1":
            self.ready = True
        if "data-f" in a:
            self.ids.update(int(x) for x in a["data-f"].split())
        if tag == "li" and a.get("class") in ("stated", "missing", "na"):
            self.items += 1
        if tag == "a" and (a.get("href") or "").startswith("#f"):
            self.linked += 1
        if tag == "tr" and any(t == "tbody" for t, _ in self.stack):
            self.rows += 1
        if tag not in ("meta", "input", "br"):
            self.stack.append((tag, a.get("id")))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if any(i == "detail-body" for _, i in self.stack):
            self.detail.append(data)


def chromium():
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")
    if not path:
        print("FAIL: chromium not found (PATH or $CHROMIUM); install it "
              "with tools/deps.sh")
        sys.exit(1)
    return path


def browse(browser, home, *args):
    r = subprocess.run([browser, "--headless", "--no-sandbox",
                        "--disable-gpu", "--hide-scrollbars", *args],
                       capture_output=True, timeout=60,
                       env=dict(os.environ, HOME=home))
    if r.returncode != 0:
        raise AssertionError(f"chromium {args}: exit {r.returncode}: "
                             f"{r.stderr.decode(errors='replace')[-2000:]}")
    return r.stdout.decode("utf-8")


def dom(browser, home, url):
    d = Dom()
    d.feed(browse(browser, home, "--dump-dom", url))
    return d


def png_size(path):
    with open(path, "rb") as fh:
        head = fh.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def main() -> int:
    args = sys.argv[1:]
    shot_out = None
    if "--screenshot" in args:
        k = args.index("--screenshot")
        shot_out = args[k + 1]
        del args[k:k + 2]
    tool, policies = os.path.abspath(args[0]), args[1:]
    browser = chromium()
    failures = 0

    def check(cond, what):
        nonlocal failures
        if not cond:
            failures += 1
            print("FAIL:", what)

    with tempfile.TemporaryDirectory() as tmp:
        out, home = os.path.join(tmp, "out"), os.path.join(tmp, "home")
        os.makedirs(home)
        subprocess.run([tool, "report", "-o", out, "--", *policies],
                       check=True)
        for src in policies:
            want = json.loads(subprocess.run(
                [tool, "--json", "--", src], check=True,
                capture_output=True).stdout)
            page = os.path.join(out, os.path.basename(src) + ".html")
            d = dom(browser, home, "file://" + page)
            n = len(want["findings"])
            check(d.ready, f"{page}: the script did not run")
            check(n > 5, f"{src}: only {n} findings")
            check(d.ids == set(range(n)),
                  f"{page}: {len(d.ids)} findings highlighted, {n} in --json")
            stated = sum(1 for c in want["coverage"]
                         if c["applicable"] and c["stated"])
            check(d.items == len(want["coverage"]),
                  f"{page}: {d.items} checklist items, "
                  f"{len(want['coverage'])} in --json")
            check(d.linked == stated,
                  f"{page}: {d.linked} items link to evidence, {stated} "
                  f"stated")
            print(f"{src}: {n} findings, {len(d.ids)} highlighted, "
                  f"{d.items} checklist items, {stated} stated")
            if src != policies[0]:
                continue
            f = want["findings"][-1]
            d = dom(browser, home, f"file://{page}#f{n - 1}")
            shown = "".join(d.detail)
            check(f"{f['type']}.{f['subtype']}" in shown and f["rule"] in
                  shown, f"{page}#f{n - 1}: details panel shows {shown!r}")
        d = dom(browser, home, "file://" + os.path.join(out, "index.html"))
        check(d.rows == len(policies),
              f"index.html: {d.rows} rows for {len(policies)} policies")
        shot = os.path.join(tmp, "shot.png")
        first = os.path.join(out, os.path.basename(policies[0]) + ".html")
        browse(browser, home, f"--screenshot={shot}",
               "--window-size=1280,1400", f"file://{first}#f8")
        check(png_size(shot) == (1280, 1400),
              f"screenshot: {png_size(shot)}")
        if shot_out:
            shutil.copyfile(shot, shot_out)
    print(f"report in chromium: {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
