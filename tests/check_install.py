#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`meson install --destdir` puts everything in place, and the installed
tool finds its installed rules from another directory, moved or not.

    check_install.py MESON BUILDDIR PREFIX LIBDIR BUILT_TOOL SOURCE_ROOT

Installs BUILDDIR into a temporary DESTDIR (no rebuild), then checks the
library, header, pkg-config file, man page, tool and rules are there; runs
the installed tool (LD_LIBRARY_PATH to the installed lib, no GDPRX_RULES,
from an unrelated directory) and compares its output with the built tool's;
moves the whole prefix elsewhere and runs it again (rules found relative to
the executable); removes the rules and checks the error lists every place.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FAILURES = []


def check(cond: bool, what: str) -> None:
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def run_tool(root: Path, libdir: str, args: list[str], cwd: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GDPRX_")}
    env["LD_LIBRARY_PATH"] = str(root / libdir)
    return subprocess.run([str(root / "bin" / "gdprx"), *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


def main() -> int:
    meson, builddir, prefix, libdir, built_tool, src = sys.argv[1:7]
    src = Path(src)
    built_tool = os.path.abspath(built_tool)
    libdir = os.path.relpath(libdir, prefix) if libdir.startswith("/") else libdir
    policy = src / "examples" / "policies" / "boulangerie.fr.txt"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dest = tmp / "dest"
        p = subprocess.run([meson, "install", "-C", builddir, "--no-rebuild",
                            "--quiet", "--destdir", str(dest)],
                           capture_output=True, text=True, timeout=300)
        check(p.returncode == 0, f"meson install --destdir: {p.stderr[-2000:]}")
        root = dest / prefix.lstrip("/")
        rules = root / "share" / "gdprx" / "rules"
        for rel in ["bin/gdprx", "include/gdprx.h", "include/gdprx_version.h",
                    f"{libdir}/libgdprx.so", f"{libdir}/pkgconfig/gdprx.pc",
                    "share/man/man1/gdprx.1"]:
            check((root / rel).exists(), f"installed {rel}")
        src_rules = sorted(p.relative_to(src / "rules")
                           for p in (src / "rules").rglob("*.yaml"))
        inst_rules = sorted(p.relative_to(rules) for p in rules.rglob("*.yaml"))
        check(len(src_rules) > 5 and inst_rules == src_rules,
              f"{len(inst_rules)} rule files installed, as in rules/")
        pc = (root / libdir / "pkgconfig" / "gdprx.pc").read_text()
        check("-lgdprx" in pc and f"prefix={prefix}" in pc, "gdprx.pc")

        work = tmp / "elsewhere"
        work.mkdir()
        shutil.copy(policy, work / "policy.txt")
        want = subprocess.run([built_tool, "--rules", str(src / "rules"),
                               "--jsonl", "policy.txt"], cwd=work,
                              capture_output=True, text=True).stdout
        check(want.count('"type"') > 10, "the built tool finds findings")

        env = {k: v for k, v in os.environ.items() if not k.startswith("GDPRX_")}
        got = subprocess.run([built_tool, "rules", "check"], cwd=work, env=env,
                             capture_output=True, text=True)
        check(got.returncode == 0 and got.stdout.splitlines()[-1].startswith(
            str(src / "rules") + ":"), "the tool in its build tree loads the "
              f"checkout's rules: {got.stdout[-200:]} {got.stderr[-500:]}")

        for label, r in [("installed", root), ("moved", tmp / "moved")]:
            if label == "moved":
                shutil.move(str(root), str(r))
            got = run_tool(r, libdir, ["rules", "check"], work)
            where = str(r / "share" / "gdprx" / "rules")
            loaded = got.stdout.splitlines()[-1].split(":")[0] \
                if got.returncode == 0 and got.stdout else ""
            check(bool(loaded) and os.path.realpath(loaded) == os.path.realpath(where),
                  f"{label}: rules check loads {where}: "
                  f"{got.stdout[-300:]} {got.stderr[-1000:]}")
            got = run_tool(r, libdir, ["--jsonl", "policy.txt"], work)
            check(got.returncode == 0 and got.stdout == want,
                  f"{label}: same JSON Lines as the built tool {got.stderr[-500:]}")

        shutil.rmtree(tmp / "moved" / "share" / "gdprx" / "rules")
        got = run_tool(tmp / "moved", libdir, ["policy.txt"], work)
        if Path(prefix, "share", "gdprx", "rules").is_dir():
            # this machine has a real installation under the prefix: it is
            # the next place, and it must be the one used
            check(got.returncode == 0, "rules of the prefix used when the "
                  "relocated ones are gone")
        else:
            err = got.stderr
            places = ["$GDPRX_RULES: not set",
                      str(tmp / "moved" / "bin" / ".." / "share" / "gdprx" / "rules"),
                      str(src / "rules"),
                      str(Path(prefix, "share", "gdprx", "rules"))]
            at = [err.find(s) for s in places]
            check(got.returncode == 3 and -1 not in at and at == sorted(at),
                  f"no rule set: exit 3, every place listed in order: {err}")
            check("GDPRX_RULES" in err.splitlines()[-1] and "--rules" in err,
                  "the error says GDPRX_RULES and --rules")
    print(f"{len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
