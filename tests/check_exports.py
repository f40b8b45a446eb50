#!/usr/bin/env python3
"""The shared library exports exactly the GDPRX_API functions of gdprx.h.

usage: check_exports.py LIBRARY HEADER
"""
import re
import subprocess
import sys


def main(lib, header):
    text = open(header, encoding="utf-8").read()
    declared = set(re.findall(r"GDPRX_API\s+[^;(]*?\b(gdprx_\w+)\s*\(", text))
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    exported = {line.split()[-1] for line in out.splitlines()
                if line.split() and line.split()[-2] in ("T", "D", "B", "R")}
    exported = {s.split("@")[0] for s in exported}
    missing = sorted(declared - exported)
    extra = sorted(s for s in exported - declared)
    for s in missing:
        print(f"declared but not exported: {s}")
    for s in extra:
        print(f"exported but not declared: {s}")
    print(f"{len(declared)} declared, {len(exported)} exported")
    return 1 if missing or extra else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
