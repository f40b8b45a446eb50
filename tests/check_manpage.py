#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The man page doc/gdprx.1 and `gdprx --help` name the same options.

    check_manpage.py GDPRX MANPAGE

Options of --help: those on its option lines (indented, starting with '-')
and those in brackets on its usage lines. Options of the man page: the tags
of its OPTIONS section (.TP) and its SYNOPSIS. Each set must equal the
other; the difference is printed.
"""

import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*|--(?=\s|\]|$))")


def help_options(tool: str) -> set[str]:
    text = subprocess.run([tool, "--help"], capture_output=True, text=True,
                          check=True).stdout
    found = set()
    for line in text.splitlines():
        if line.startswith(("usage:", "       gdprx")):
            for bracket in re.findall(r"\[([^\]]*)\]", line):
                found.update(OPTION.findall(bracket))
        elif re.match(r"\s+-", line):
            head = re.split(r"\s{2,}", line.strip())[0]   # "-j, --jobs N"
            found.update(OPTION.findall(head))
    return found


def roff_plain(line: str) -> str:
    line = re.sub(r"\\f[BIRP]", "", line).replace("\\-", "-")
    return re.sub(r'^\.(BR|B|I|IR|BI)\s+', "", line).replace('"', " ")


def man_options(path: str) -> set[str]:
    lines = open(path, encoding="utf-8").read().splitlines()
    found, section = set(), None
    for i, line in enumerate(lines):
        if line.startswith(".SH"):
            section = line[3:].strip()
        elif section == "SYNOPSIS":
            for bracket in re.findall(r"\[([^\]]*)\]", roff_plain(line)):
                found.update(OPTION.findall(bracket))
        elif section == "OPTIONS" and line == ".TP" and i + 1 < len(lines):
            found.update(OPTION.findall(roff_plain(lines[i + 1])))
    return found


def main() -> int:
    tool, manpage = sys.argv[1], sys.argv[2]
    h, m = help_options(tool), man_options(manpage)
    ok = True
    if len(h) < 25:
        print(f"only {len(h)} options found in --help: {sorted(h)}")
        ok = False
    if h - m:
        print(f"in --help, not in {manpage}: {sorted(h - m)}")
        ok = False
    if m - h:
        print(f"in {manpage}, not in --help: {sorted(m - h)}")
        ok = False
    print(f"--help: {len(h)} options, man page: {len(m)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
