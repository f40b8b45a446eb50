#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`pip install --no-build-isolation ./bindings/python` alone gives a
working package in a fresh venv: the wheel bundles libgdprx and the rules.

    check_pip_install.py SOURCE_ROOT BUILT_LIBRARY BUILT_TOOL

Creates a venv (--system-site-packages, so that Debian's Python packages
stay visible), installs the package from the checkout offline (the backend
builds the C library with meson), then, with no GDPRX_* and no
LD_LIBRARY_PATH, from an unrelated directory: imports gdprx, loads the
default rule set and analyzes a policy, which must give the built tool's
JSON; checks the library and rules used are the venv's; and that
GDPRX_LIBRARY still overrides the bundled library.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = r"""
import json, os, sys, gdprx
rules = gdprx.RuleSet.load()
doc = rules.analyze(open(sys.argv[1], encoding="utf-8").read())
print(json.dumps({"library": gdprx.library_path(), "module": gdprx.__file__,
                  "rules": len(rules), "json": doc.to_json()}))
"""


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GDPRX_", "PYTHON")) and k != "LD_LIBRARY_PATH"}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


def main() -> int:
    src, built_lib, built_tool = map(os.path.abspath, sys.argv[1:4])
    policy = Path(src, "examples", "policies", "fietsenwinkel.nl.txt")
    failures = 0

    def check(cond: bool, what: str) -> None:
        nonlocal failures
        print(("ok   " if cond else "FAIL ") + what, flush=True)
        failures += not cond

    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp, "venv")
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages",
                        str(venv)], check=True, env=clean_env())
        py = str(venv / "bin" / "python")
        p = subprocess.run([py, "-m", "pip", "install", "--no-build-isolation",
                            "--no-cache-dir", "./bindings/python"], cwd=src,
                           capture_output=True, text=True, env=clean_env(),
                           timeout=1500)
        check(p.returncode == 0, "pip install --no-build-isolation ./bindings/python"
              + ("" if p.returncode == 0 else f"\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"))
        want = subprocess.run([built_tool, "--json", "--rules", str(Path(src, "rules")),
                               str(policy)], capture_output=True, text=True).stdout
        site = str(venv)
        for label, env in [("bundled", clean_env()),
                           ("GDPRX_LIBRARY override", clean_env(GDPRX_LIBRARY=built_lib))]:
            p = subprocess.run([py, "-c", PROBE, str(policy)], cwd=tmp, env=env,
                               capture_output=True, text=True, timeout=300)
            check(p.returncode == 0, f"{label}: import gdprx; RuleSet.load(); analyze "
                  + p.stderr[-2000:])
            if p.returncode:
                continue
            got = json.loads(p.stdout)
            check(got["module"].startswith(site), f"{label}: module {got['module']}")
            lib_ok = got["library"].startswith(site) if label == "bundled" \
                else os.path.realpath(got["library"]) == os.path.realpath(built_lib)
            check(lib_ok, f"{label}: library {got['library']}")
            check(got["rules"] > 50, f"{label}: {got['rules']} rules loaded")
            check(json.loads(got["json"]) == json.loads(want)
                  and len(json.loads(want)["findings"]) > 5,
                  f"{label}: the document's JSON equals gdprx --json's")
        rules_dir = list(venv.glob("lib/python*/site-packages/gdprx/rules"))
        check(len(rules_dir) == 1 and len(list(rules_dir[0].glob("*.yaml"))) ==
              len(list(Path(src, "rules").glob("*.yaml"))), "rules bundled")
    print(f"{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
