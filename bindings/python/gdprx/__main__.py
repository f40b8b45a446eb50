# SPDX-License-Identifier: MIT
"""``python -m gdprx``: the gdprx command line on the Python binding.

    python -m gdprx [-r] [-j N] [--json | --jsonl | --count] [--types LIST]
                    [--lang LANG] [--rules PATH] [--no-coverage]
                    [--replace-invalid] [--] [PATH...]

The analysis options of the C tool ``gdprx``, with the same output: JSON
Lines records with ``"doc"`` (and error records for documents that fail),
the JSON object of one document, the text lines ``path:line:col:
type.subtype [polarity] attrs  "phrase"`` with the Art. 13/14 checklist, or
the counts per type. The bytes are the C tool's for the same documents
(tests/test_main.py checks it), with one difference: with ``--types``, text
output has no checklist (the binding does not expose which types an item
covers). Exit status: 0, 1 when a document failed, 2 usage, 3 rules.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import stat
import sys
from collections.abc import Iterator

from . import Document, Error, InputError, RuleSet, Status


def _walk(path: str, ancestors: tuple[tuple[int, int], ...]) -> Iterator[str]:
    """The regular files below a directory, by byte order of the names,
    hidden entries skipped, symbolic links followed, loops skipped."""
    try:
        names = sorted((n for n in os.listdir(path) if not n.startswith(".")),
                       key=os.fsencode)
    except OSError:
        yield path    # reading it tells the error
        return
    for name in names:
        p = path + ("" if path.endswith("/") else "/") + name
        try:
            st = os.stat(p)
        except OSError:
            yield p
            continue
        if stat.S_ISDIR(st.st_mode):
            if (st.st_dev, st.st_ino) in ancestors:
                print(f"gdprx: {p}: file system loop, skipped", file=sys.stderr)
                continue
            yield from _walk(p, ancestors + ((st.st_dev, st.st_ino),))
        elif stat.S_ISREG(st.st_mode):
            yield p


def _documents(paths: list[str], recursive: bool) -> Iterator[str]:
    for p in paths:
        if recursive and p != "-" and os.path.isdir(p):
            st = os.stat(p)
            yield from _walk(p, ((st.st_dev, st.st_ino),))
        else:
            yield p


def _read(path: str) -> bytes | tuple[str, str]:
    """The document's bytes, or (code, message) as the C tool says them."""
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as f:
            return f.read()
    except IsADirectoryError:
        return "is_directory", f"{path}: is a directory (-r analyzes the files below it)"
    except OSError as e:
        return "io", f"{path}: {os.strerror(e.errno or errno.EIO)}"


def _quoted(b: bytes) -> bytes:
    return b'"' + bytes(32 if c in b"\n\r\t" else 63 if c < 32 else c
                        for c in b) + b'"'


def _text(name: str, doc: Document, data: bytes, no_coverage: bool) -> bytes:
    n = len(doc)
    out = [f"{name}: language {doc.lang or 'unknown'}, {n} finding"
           f"{'' if n == 1 else 's'}\n".encode()]
    for f in doc:
        line = data.count(b"\n", 0, f.start) + 1
        col = f.start - (data.rfind(b"\n", 0, f.start) + 1) + 1
        attrs = "".join(f" {k}={f.attrs[k]}" for k in
                        ("duration", "duration_max", "age", "email")
                        if f.attrs.get(k) is not None)
        out.append(f"{name}:{line}:{col}: {f.type}.{f.subtype} [{f.polarity}]"
                   f"{attrs}  ".encode() + _quoted(data[f.start:f.end]) + b"\n")
    if not no_coverage and n > 0:
        out.append(b"  GDPR Art. 13/14 coverage:\n")
        for c in doc.coverage:
            mark = "-" if not c.applicable else "x" if c.stated else " "
            tail = (" (not applicable)" if not c.applicable else
                    f" ({len(c.findings)} finding{'' if len(c.findings) == 1 else 's'})"
                    if c.stated else "")
            out.append(f"    [{mark}] {c.article:<9} {c.item}{tail}\n".encode())
    out += [f"  warning: {w}\n".encode() for w in doc.warnings]
    return b"".join(out)


def _count(name: str, doc: Document, as_json: bool) -> bytes:
    types: dict[str, int] = {}
    for f in doc:
        types[f.type] = types.get(f.type, 0) + 1
    types = dict(sorted(types.items()))
    if as_json:
        return (json.dumps({"doc": name, "lang": doc.lang, "findings": len(doc),
                            "types": types}, ensure_ascii=False,
                           separators=(",", ":")) + "\n").encode()
    n = len(doc)
    return (f"{name}: {n} finding{'' if n == 1 else 's'}"
            + "".join(f"{', ' if i else ': '}{t} {k}"
                      for i, (t, k) in enumerate(types.items())) + "\n").encode()


def _error_code(e: BaseException) -> str:
    if isinstance(e, MemoryError):
        return "nomem"
    if isinstance(e, InputError) and e.code == Status.EUTF8:
        return "utf8"
    if isinstance(e, InputError) and e.code == Status.ELIMIT:
        return "too_large"
    return "internal"


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m gdprx",
        description="Analyze privacy policies (en, fr, nl) with the gdprx "
        "Python binding; the options and output of the gdprx tool.")
    ap.add_argument("paths", nargs="*", metavar="PATH",
                    help="files (stdin if none, or -), directories with -r")
    ap.add_argument("-r", "--recursive", action="store_true",
                    help="analyze the files of directory trees")
    ap.add_argument("-j", "--jobs", type=int, default=min(os.cpu_count() or 1, 16),
                    help="analyze N documents at a time, on threads (default: the CPUs)")
    out = ap.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true",
                     help="one JSON object (the output contract); one PATH")
    out.add_argument("--jsonl", action="store_true",
                     help='one JSON object per line and document, with "doc"')
    ap.add_argument("--count", action="store_true", help="findings per type")
    ap.add_argument("--types", help="only these types or type.subtype, comma-separated")
    ap.add_argument("--lang", choices=["en", "fr", "nl", "auto"], default="auto")
    ap.add_argument("--rules", help="rule directory or file (default: the "
                    "package's rules, see RuleSet.load)")
    ap.add_argument("--no-coverage", action="store_true",
                    help="text output: no GDPR Art. 13/14 checklist")
    ap.add_argument("--replace-invalid", action="store_true",
                    help="read invalid UTF-8 bytes as U+FFFD instead of failing")
    return ap


def _emit(name: str, doc: Document, data: bytes, a: argparse.Namespace) -> bytes:
    if a.count:
        return _count(name, doc, a.json or a.jsonl)
    if a.jsonl:
        js = doc.to_json()
        return ('{"doc":' + json.dumps(name, ensure_ascii=False) + "," + js[1:]
                + "\n").encode()
    if a.json:
        return (doc.to_json() + "\n").encode()
    return _text(name, doc, data, a.no_coverage or bool(a.types))


def main(argv: list[str] | None = None) -> int:
    a = _parser().parse_args(argv)
    if a.jobs < 1:
        _parser().error("-j must be at least 1")
    paths = list(_documents(a.paths or ["-"], a.recursive))
    if a.json and len(paths) != 1:
        print(f"gdprx: --json prints one document ({len(paths)} given); use "
              "--jsonl for several", file=sys.stderr)
        return 2
    try:
        rules = RuleSet.load(a.rules)
    except Error as e:
        print(f"gdprx: {e}", file=sys.stderr)
        return 3
    lang = None if a.lang == "auto" else a.lang
    try:
        rules.analyze("", lang=lang, types=a.types)
    except InputError as e:
        print(f"gdprx: {e}", file=sys.stderr)
        return 2
    datas: dict[int, bytes | tuple[str, str]] = {}  # read, not yet printed

    def texts() -> Iterator[bytes]:
        for i in range(len(paths)):
            datas[i] = _read(paths[i])
            yield datas[i] if isinstance(datas[i], bytes) else b""

    failed = 0
    out = sys.stdout.buffer
    with rules:
        docs = rules.analyze_many(texts(), workers=a.jobs, lang=lang, types=a.types,
                                  replace_invalid=a.replace_invalid,
                                  return_exceptions=True)
        for i, doc in enumerate(docs):
            name, data = paths[i], datas.pop(i)
            if isinstance(data, tuple) or isinstance(doc, BaseException):
                code, msg = data if isinstance(data, tuple) else \
                    (_error_code(doc), f"{name}: {doc}")
                failed += 1
                print(f"gdprx: {msg}", file=sys.stderr)
                if a.json or a.jsonl:
                    out.write((json.dumps({"doc": name, "error": {"code": code,
                              "message": msg}}, ensure_ascii=False,
                              separators=(",", ":")) + "\n").encode())
                continue
            out.write(_emit(name, doc, data, a))
            out.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
