# SPDX-License-Identifier: MIT
"""``python -m gdprx``: the gdprx command line on the Python binding.

    python -m gdprx [-r] [-g PATTERN] [--exclude PATTERN] [--files-from FILE]
                    [-j N] [--json | --jsonl | --count] [--types LIST]
                    [--lang LANG] [--format FMT] [--max-size N[KMG]]
                    [--rules PATH] [--no-coverage] [--context] [--explain]
                    [--replace-invalid] [--] [PATH...]

The analysis options of the C tool ``gdprx``, with the same output: JSON
Lines records with ``"doc"`` (and error records for documents that fail),
the JSON object of one document, the text lines ``path:line:col:
type.subtype [polarity] attrs  "phrase"`` with the Art. 13/14 checklist, or
the counts per type. The bytes are the C tool's for the same documents
(tests/test_main.py checks it). ``--glob`` patterns with a '/' match the
path below the directory given component by component (as fnmatch's
FNM_PATHNAME), others the file name; Python's fnmatch has no backslash
escapes. Exit status: 0, 1 when a document failed, 2 usage, 3 rules.
"""

from __future__ import annotations

import argparse
import fnmatch
import errno
import json
import os
import stat
import sys
from collections.abc import Iterator

from . import Document, Error, InputError, RuleSet, Status


MAX_INPUT = 0x7fffffff               # GDPRX_MAX_INPUT
DEFAULT_MAX_SIZE = 64 << 20           # the C tool's --max-size default


def _matches(pattern: str, path: str, root_len: int) -> bool:
    """fnmatch(3) as the C tool calls it: a pattern with a '/' against the
    path below the walked root (FNM_PATHNAME), else against the name."""
    if "/" in pattern:
        rel = path[root_len:].lstrip("/")
        pp, rp = pattern.split("/"), rel.split("/")
        return len(pp) == len(rp) and all(
            fnmatch.fnmatchcase(r, q) for q, r in zip(pp, rp))
    return fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern)


class _Filters:
    """--glob and --exclude of a walk below one root."""

    def __init__(self, globs: list[str], excludes: list[str], root_len: int):
        self.excludes = excludes + [g[1:] for g in globs if g.startswith("!")]
        self.globs = [g for g in globs if not g.startswith("!")]
        self.root_len = root_len

    def wanted(self, path: str, is_dir: bool) -> bool:
        if any(_matches(x, path, self.root_len) for x in self.excludes):
            return False
        return is_dir or not self.globs or any(
            _matches(g, path, self.root_len) for g in self.globs)


def _walk(path: str, ancestors: tuple[tuple[int, int], ...],
          flt: _Filters) -> Iterator[str]:
    """The regular files below a directory, by byte order of the names,
    hidden entries skipped, symbolic links followed, loops skipped, the
    --glob/--exclude filters applied."""
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
            if flt.wanted(p, False):
                yield p
            continue
        if not flt.wanted(p, stat.S_ISDIR(st.st_mode)):
            continue
        if stat.S_ISDIR(st.st_mode):
            if (st.st_dev, st.st_ino) in ancestors:
                print(f"gdprx: {p}: file system loop, skipped", file=sys.stderr)
                continue
            yield from _walk(p, ancestors + ((st.st_dev, st.st_ino),), flt)
        elif stat.S_ISREG(st.st_mode):
            yield p


def _documents(paths: list[str], a: argparse.Namespace) -> Iterator[str]:
    for p in paths:
        if a.recursive and p != "-" and os.path.isdir(p):
            st = os.stat(p)
            yield from _walk(p, ((st.st_dev, st.st_ino),),
                             _Filters(a.glob, a.exclude, len(p)))
        else:
            yield p


def _list(name: str) -> list[str] | None:
    """The paths of --files-from: one a line (CR LF too), or NUL-separated
    when the list holds a NUL; empty entries skipped. None: unreadable."""
    got = _read(name, MAX_INPUT)
    if isinstance(got, tuple):
        print(f"gdprx: --files-from {got[1]}", file=sys.stderr)
        return None
    if b"\0" in got:
        items = got.split(b"\0")
    else:
        items = [x[:-1] if x.endswith(b"\r") else x for x in got.split(b"\n")]
    return [os.fsdecode(x) for x in items if x]


def _read(path: str, max_size: int) -> bytes | tuple[str, str]:
    """The document's bytes, or (code, message) as the C tool says them."""
    name = "<stdin>" if path == "-" else path
    too_large = ("too_large", f"{name}: larger than {max_size} bytes (--max-size)")
    try:
        if path == "-":
            data = sys.stdin.buffer.read(max_size + 1)
        else:
            with open(path, "rb") as f:
                st = os.fstat(f.fileno())
                if stat.S_ISREG(st.st_mode) and st.st_size > max_size:
                    return too_large
                data = f.read(max_size + 1)
    except IsADirectoryError:
        return "is_directory", f"{path}: is a directory (-r analyzes the files below it)"
    except OSError as e:
        return "io", f"{name}: {os.strerror(e.errno or errno.EIO)}"
    return too_large if len(data) > max_size else data


def _size(s: str) -> int:
    """--max-size: N, NK, NM or NG, from 1 byte to 2G-1."""
    shift = {"k": 10, "m": 20, "g": 30}.get(s[-1:].lower(), 0)
    digits = s[:-1] if shift else s
    if not digits.isdigit() or not 0 < int(digits) <= MAX_INPUT >> shift:
        raise ValueError(s)
    return int(digits) << shift


def _quoted(b: bytes) -> bytes:
    return b'"' + bytes(32 if c in b"\n\r\t" else 63 if c < 32 else c
                        for c in b) + b'"'


def _phrase(f, data: bytes) -> bytes:
    """The matched phrase as the C tool prints it: the input's bytes, or
    for HTML input the visible text."""
    raw = data[f.start:f.end]
    return raw if raw.decode("utf-8", "replace") == f.text else f.text.encode()


def _explain(f, data: bytes, rules: RuleSet) -> bytes:
    out = [f"    rule {f.rule} [{f.lang}] pattern {f.pattern_index}: "
           f"{rules.pattern(f.rule, f.lang, f.pattern_index)}\n    matched ".encode(),
           _quoted(_phrase(f, data))]
    if f.concepts:
        out.append(f"; concepts {f.concepts}".encode())
    if f.negation_cue:
        out.append(f'; negation cue "{f.negation_cue}"'.encode())
    if f.section:
        out.append(f'; section "{f.section}"'.encode())
    return b"".join(out) + b"\n"


def _text(name: str, doc: Document, data: bytes, a: argparse.Namespace,
          rules: RuleSet) -> bytes:
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
                   f"{attrs}  ".encode() + _quoted(_phrase(f, data)) + b"\n")
        if a.context:
            out.append(b"    clause " + _quoted(data[f.clause[0]:f.clause[1]])
                       + b"\n")
        if a.explain:
            out.append(_explain(f, data, rules))
    if not a.no_coverage and n > 0:
        out.append(f"  GDPR Art. 13/14 coverage"
                   f"{' (selected types)' if a.types else ''}:\n".encode())
        for c in doc.coverage:
            if not c.selected:
                continue
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
    ap.add_argument("-g", "--glob", action="append", default=[], metavar="PATTERN",
                    help="with -r, only the files whose name matches PATTERN "
                    "(with a '/', the path below the directory given); "
                    "repeatable; '!PATTERN' is --exclude PATTERN")
    ap.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                    help="with -r, skip the files and directories that match")
    ap.add_argument("--files-from", metavar="FILE",
                    help="also analyze the paths listed in FILE (- is stdin), "
                    "one a line, or NUL-separated")
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
    ap.add_argument("--format", choices=["text", "html", "auto"], default="auto",
                    help="default: html for *.html, *.htm and text that starts "
                    "as HTML, else text")
    ap.add_argument("--max-size", type=_size, default=DEFAULT_MAX_SIZE,
                    metavar="N[KMG]", help="larger documents are an error "
                    "(default 64M)")
    ap.add_argument("--rules", help="rule directory or file (default: the "
                    "package's rules, see RuleSet.load)")
    ap.add_argument("--no-coverage", action="store_true",
                    help="text output: no GDPR Art. 13/14 checklist")
    ap.add_argument("--context", action="store_true",
                    help="text output: the clause under each finding")
    ap.add_argument("--explain", action="store_true",
                    help="text output with rule, pattern and negation cue")
    ap.add_argument("--replace-invalid", action="store_true",
                    help="read invalid UTF-8 bytes as U+FFFD instead of failing")
    return ap


def _emit(name: str, doc: Document, data: bytes, a: argparse.Namespace,
          rules: RuleSet) -> bytes:
    if a.count:
        return _count(name, doc, a.json or a.jsonl)
    if a.jsonl:
        js = doc.to_json()
        return ('{"doc":' + json.dumps(name, ensure_ascii=False) + "," + js[1:]
                + "\n").encode()
    if a.json:
        return (doc.to_json() + "\n").encode()
    return _text(name, doc, data, a, rules)


def _format(path: str, fmt: str) -> str:
    """*.html / *.htm: HTML unless told, as the C tool."""
    if fmt == "auto" and path.lower().endswith((".html", ".htm")):
        return "html"
    return fmt


def main(argv: list[str] | None = None) -> int:
    a = _parser().parse_args(argv)
    if a.jobs < 1:
        _parser().error("-j must be at least 1")
    if a.files_from == "-" and "-" in a.paths:
        print("gdprx: --files-from - reads stdin: no PATH can be -",
              file=sys.stderr)
        return 2
    paths = list(_documents(a.paths or ([] if a.files_from else ["-"]), a))
    if a.files_from:
        listed = _list(a.files_from)
        if listed is None:
            return 1
        paths += _documents(listed, a)
    if a.json and len(paths) != 1:
        print(f"gdprx: --json prints one document ({len(paths)} given); use "
              "--jsonl for several", file=sys.stderr)
        return 2
    try:
        rules = RuleSet.load(a.rules)
    except Error as e:
        env = os.environ.get("GDPRX_RULES")
        named = (a.rules is None and env and env in str(e))  # as gdprx does
        print(f"gdprx: {e}" + (" (the rule set named by $GDPRX_RULES; "
                                "--rules PATH overrides it)" if named else ""),
              file=sys.stderr)
        return 3
    lang = None if a.lang == "auto" else a.lang
    try:
        rules.analyze("", lang=lang, types=a.types)
    except InputError as e:
        print(f"gdprx: {e}", file=sys.stderr)
        return 2

    def one(i: int) -> tuple[bytes | tuple[str, str], Document | BaseException | None]:
        data = _read(paths[i], a.max_size)
        if isinstance(data, tuple):
            return data, None
        try:
            return data, rules.analyze(
                data, lang=lang, types=a.types, replace_invalid=a.replace_invalid,
                format=_format(paths[i], a.format), explain=a.explain)
        except Error as e:
            return data, e

    failed = 0
    out = sys.stdout.buffer
    with rules:
        done = ((one(i) for i in range(len(paths))) if a.jobs == 1
                else rules._pool(range(len(paths)), one, a.jobs))
        for i, (data, doc) in enumerate(done):
            name = paths[i]
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
            out.write(_emit(name, doc, data, a, rules))
            out.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
