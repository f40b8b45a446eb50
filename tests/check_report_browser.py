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
panel, the index has one row per policy. On the first page, driven through
the DevTools protocol (--remote-debugging-pipe): unchecking a type hides
exactly the marks and labels of that type, a click on a mark shows its
findings in the details panel. Takes a 1280x1400 screenshot of the
first page (written to PNG with --screenshot, to regenerate
doc/report-screenshot.png) and checks it is a PNG of that size.
"""

import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
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


class Cdp:
    """Chromium driven through the DevTools protocol on a pipe (fds 3 and
    4, NUL-separated JSON): load a page, evaluate expressions in it."""

    def __init__(self, browser, home, url):
        to_child, self.out = os.pipe()
        self.inp, from_child = os.pipe()
        fds = (os.dup(to_child), os.dup(from_child))

        def child_fds():
            os.dup2(fds[0], 3)
            os.dup2(fds[1], 4)

        self.proc = subprocess.Popen(
            [browser, "--headless", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-pipe", "about:blank"],
            preexec_fn=child_fds, close_fds=False, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=dict(os.environ, HOME=home))
        for fd in (to_child, from_child, *fds):
            os.close(fd)
        self.buf, self.n, self.deadline = b"", 0, time.time() + 60
        target = self.call("Target.createTarget", {"url": url})["targetId"]
        self.sid = self.call("Target.attachToTarget",
                             {"targetId": target, "flatten": True})[
                                 "sessionId"]

    def call(self, method, params, sid=None):
        self.n += 1
        msg = {"id": self.n, "method": method, "params": params}
        if sid:
            msg["sessionId"] = sid
        os.write(self.out, json.dumps(msg).encode() + b"\0")
        while True:
            while b"\0" in self.buf:
                raw, self.buf = self.buf.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self.n:
                    if "error" in reply:
                        raise AssertionError(f"{method}: {reply['error']}")
                    return reply["result"]
            left = self.deadline - time.time()
            if left <= 0 or not select.select([self.inp], [], [], left)[0]:
                raise AssertionError(f"chromium: no answer to {method}")
            chunk = os.read(self.inp, 1 << 16)
            if not chunk:
                raise AssertionError("chromium exited")
            self.buf += chunk

    def eval(self, expr):
        r = self.call("Runtime.evaluate",
                      {"expression": expr, "returnByValue": True}, self.sid)
        return r["result"].get("value")

    def wait_ready(self):
        while self.eval("document.body && "
                        "document.body.getAttribute('data-ready')") != "1":
            if time.time() > self.deadline:
                raise AssertionError("the page's script never ran")
            time.sleep(0.1)

    def close(self):
        os.close(self.out)
        os.close(self.inp)
        self.proc.kill()
        self.proc.wait()


def interact(check, browser, home, page, findings):
    """Uncheck the most frequent type: exactly the marks all of whose
    findings have it get class off, and its labels; click a mark: the
    details panel shows its findings."""
    types = [f["type"] for f in findings]
    hidden = max(set(types), key=types.count)
    cdp = Cdp(browser, home, "file://" + page)
    try:
        cdp.wait_ready()
        marks = cdp.eval("[...document.querySelectorAll('#policy mark')]"
                         ".map(m => m.getAttribute('data-f'))")
        want = sum(1 for m in marks if all(
            types[int(i)] == hidden for i in m.split()))
        cdp.eval("[...document.querySelectorAll('#types input')].find("
                 f"c => c.value === {json.dumps(hidden)}).click()")
        off = cdp.eval("document.querySelectorAll('#policy mark.off')"
                       ".length")
        labels = cdp.eval("document.querySelectorAll('#policy .lbl.off')"
                          ".length")
        check(want > 0 and off == want and labels == types.count(hidden),
              f"{page}: unchecking {hidden} hid {off} marks (want {want}) "
              f"and {labels} labels (want {types.count(hidden)})")
        first = cdp.eval("var m = document.querySelector("
                         "'#policy mark:not(.off)'); m.click(); "
                         "m.getAttribute('data-f')")
        shown = cdp.eval("document.getElementById('detail-body')"
                         ".textContent")
        for i in first.split():
            f = findings[int(i)]
            if f["type"] != hidden:
                check(f"{f['type']}.{f['subtype']}" in shown and
                      f["rule"] in shown,
                      f"{page}: a click on finding {i} shows {shown!r}")
    finally:
        cdp.close()


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
            interact(check, browser, home, page, want["findings"])
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
