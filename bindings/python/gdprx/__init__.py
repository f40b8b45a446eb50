# SPDX-License-Identifier: MIT
"""gdprx: what a privacy policy states under the GDPR, from Python.

A ctypes binding of the gdprx C library (``libgdprx``). It needs nothing
but the standard library and the compiled shared library::

    import gdprx

    with gdprx.RuleSet.load() as rules:          # the installed default rules
        doc = rules.analyze(open("policy.txt", encoding="utf-8").read())
        print(doc.lang)
        for f in doc.findings:
            print(f.type, f.subtype, f.polarity, f.attrs.get("duration"), f.text)

Finding the shared library, first match wins:

1. the path given to :func:`load_library`;
2. the environment variable ``GDPRX_LIBRARY``;
3. a ``libgdprx`` next to this module;
4. the meson build tree ``build/lib/`` when this package runs from a checkout;
5. the system loader (``ctypes.util.find_library('gdprx')``, then
   ``libgdprx.so.0`` through ``LD_LIBRARY_PATH`` and the default paths).

An explicit path (1 or 2) is the only one tried: a wrong one is an error,
never a silent fall-back to another copy of the library. When no library is
found, :class:`LibraryError` lists every path tried and why each failed.

Threads: a :class:`RuleSet` is immutable and shared; ctypes releases the GIL
during each C call, so threads analyzing with the same rule set run in
parallel (:meth:`RuleSet.analyze_many`).
"""

from __future__ import annotations

import codecs
import collections
import ctypes
import ctypes.util
import enum
import itertools
import json
import os
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

__version__ = "0.1.0"

__all__ = [
    "Attrs",
    "CoverageItem",
    "Document",
    "Error",
    "Finding",
    "InputError",
    "LibraryError",
    "RuleError",
    "RuleSet",
    "RuleTestReport",
    "Segment",
    "Status",
    "library_path",
    "library_version",
    "load_library",
    "normalize",
    "strerror",
    "__version__",
]

Text = Union[str, bytes, bytearray, memoryview]
PathArg = Union[str, "os.PathLike[str]"]


# --------------------------------------------------------------- C structs

class Status(enum.IntEnum):
    """The C library's status codes (``gdprx_status``)."""

    OK = 0
    ENOMEM = -1
    EINVAL = -2
    EIO = -3
    ESYNTAX = -4
    EPATTERN = -5
    EUTF8 = -6
    ELIMIT = -7
    EINTERNAL = -99


_LANG_AUTO, _LANG_EN, _LANG_FR, _LANG_NL = 0, 1, 2, 3
_LANG_CODES = {_LANG_EN: "en", _LANG_FR: "fr", _LANG_NL: "nl"}
_LANG_BY_CODE = {None: _LANG_AUTO, "auto": _LANG_AUTO, "": _LANG_AUTO,
                 "en": _LANG_EN, "fr": _LANG_FR, "nl": _LANG_NL}
_NEGATED = 1
_OPT_REPLACE_INVALID = 1 << 0
_SEGMENT_KINDS = {1: "heading", 2: "paragraph", 3: "clause"}


class _Error(ctypes.Structure):
    """struct gdprx_error"""

    _fields_ = [
        ("code", ctypes.c_int),
        ("line", ctypes.c_int),
        ("column", ctypes.c_int),
        ("offset", ctypes.c_longlong),
        ("file", ctypes.c_char * 256),
        ("message", ctypes.c_char * 768),
    ]


class _Options(ctypes.Structure):
    """struct gdprx_options"""

    _fields_ = [
        ("size", ctypes.c_size_t),       # set by gdprx_options_init_sized
        ("lang", ctypes.c_int),          # gdprx_lang
        ("types", ctypes.c_char_p),
        ("flags", ctypes.c_uint),
    ]


class _Finding(ctypes.Structure):
    """struct gdprx_finding"""

    _fields_ = [
        ("type", ctypes.c_char_p),
        ("subtype", ctypes.c_char_p),
        ("polarity", ctypes.c_int),      # gdprx_polarity
        ("rule_id", ctypes.c_char_p),
        ("start", ctypes.c_size_t),
        ("end", ctypes.c_size_t),
        ("text", ctypes.c_void_p),       # may contain NUL bytes: end - start
        ("clause_start", ctypes.c_size_t),
        ("clause_end", ctypes.c_size_t),
        ("section", ctypes.c_char_p),
        ("duration", ctypes.c_char_p),
        ("duration_max", ctypes.c_char_p),
        ("age", ctypes.c_int),
        ("email", ctypes.c_char_p),
        ("articles", ctypes.POINTER(ctypes.c_char_p)),
        ("n_articles", ctypes.c_size_t),
        ("negation_cue", ctypes.c_char_p),
        ("pattern_index", ctypes.c_size_t),
        ("lang", ctypes.c_int),          # gdprx_lang
        ("concepts", ctypes.c_char_p),   # with GDPRX_OPT_EXPLAIN only
    ]


class _Segment(ctypes.Structure):
    """struct gdprx_segment"""

    _fields_ = [
        ("kind", ctypes.c_int),          # gdprx_segment_kind
        ("start", ctypes.c_size_t),
        ("end", ctypes.c_size_t),
        ("lang", ctypes.c_int),          # gdprx_lang
        ("section", ctypes.c_char_p),
    ]


class _CoverageItem(ctypes.Structure):
    """struct gdprx_coverage_item"""

    _fields_ = [
        ("article", ctypes.c_char_p),
        ("item", ctypes.c_char_p),
        ("applicable", ctypes.c_int),
        ("stated", ctypes.c_int),
        ("findings", ctypes.POINTER(ctypes.c_size_t)),
        ("n_findings", ctypes.c_size_t),
    ]


_P = ctypes.POINTER
_vp, _sz, _int, _cp = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_char_p

# Every C function: symbol -> (restype, argtypes). Every call goes through
# this table. Opaque handles are c_void_p; heap text returned through an
# out-parameter is received as c_void_p and released with gdprx_free.
_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "gdprx_strerror": (_cp, [_int]),
    "gdprx_version": (_int, []),
    "gdprx_version_string": (_cp, []),
    "gdprx_lang_code": (_cp, [_int]),
    "gdprx_rules_load": (_int, [_P(_vp), _cp, _P(_Error)]),
    "gdprx_rules_load_yaml": (_int, [_P(_vp), _cp, _sz, _cp, _P(_Error)]),
    "gdprx_rules_free": (None, [_vp]),
    "gdprx_rules_count": (_sz, [_vp]),
    "gdprx_rules_pattern": (_cp, [_vp, _cp, _int, _sz]),
    "gdprx_rules_test": (_int, [_P(_vp), _P(_sz), _vp, _int, _P(_Error)]),
    "gdprx_options_init_sized": (None, [_P(_Options), ctypes.c_size_t]),
    "gdprx_analyze": (_int, [_P(_vp), _vp, _cp, _sz, _P(_Options), _P(_Error)]),
    "gdprx_result_free": (None, [_vp]),
    "gdprx_result_lang": (_int, [_vp]),
    "gdprx_result_count": (_sz, [_vp]),
    "gdprx_result_get": (_P(_Finding), [_vp, _sz]),
    "gdprx_result_segment_count": (_sz, [_vp]),
    "gdprx_result_segment": (_P(_Segment), [_vp, _sz]),
    "gdprx_result_warning_count": (_sz, [_vp]),
    "gdprx_result_warning": (_cp, [_vp, _sz]),
    "gdprx_result_coverage_count": (_sz, [_vp]),
    "gdprx_result_coverage": (_P(_CoverageItem), [_vp, _sz]),
    "gdprx_result_to_json": (_int, [_P(_vp), _P(_sz), _vp, _P(_Error)]),
    "gdprx_normalize": (_int, [_P(_vp), _P(_sz), _cp, _sz, ctypes.c_uint, _P(_Error)]),
    "gdprx_free": (None, [_vp]),
}


# -------------------------------------------------------------- exceptions

class Error(Exception):
    """An error reported by the gdprx C library.

    Attributes: ``code`` (a :class:`Status`), ``message`` (the library's
    complete message, with its location), ``file``, ``line`` and ``column``
    (rule files; None when not applicable) and ``offset`` (byte offset in
    the analyzed text; None when not applicable).
    """

    def __init__(self, code: int, message: str, file: str | None = None,
                 line: int | None = None, column: int | None = None,
                 offset: int | None = None) -> None:
        super().__init__(message)
        try:
            self.code: int = Status(code)
        except ValueError:
            self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.offset = offset

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (int(self.code), self.message, self.file,
                             self.line, self.column, self.offset))


class RuleError(Error):
    """A rule set could not be loaded: YAML or rule schema error (ESYNTAX),
    pattern rejected by PCRE2 (EPATTERN) or unreadable file (EIO).
    ``file``, ``line`` and ``column`` say where."""


class InputError(Error, ValueError):
    """The input or an argument was rejected: invalid UTF-8 (EUTF8, with the
    byte ``offset`` of the first bad byte), invalid argument (EINVAL: unknown
    language or type) or input too large (ELIMIT)."""


class LibraryError(Error):
    """The shared library could not be found or loaded, or its version does
    not match the binding's. The message lists every path tried."""


_EXCEPTIONS: dict[int, type[Error]] = {
    Status.ESYNTAX: RuleError,
    Status.EPATTERN: RuleError,
    Status.EIO: RuleError,
    Status.EUTF8: InputError,
    Status.EINVAL: InputError,
    Status.ELIMIT: InputError,
    Status.EINTERNAL: Error,
}


def _raise(lib: _Library, rc: int, err: _Error) -> None:
    """Raise the exception for status ``rc`` filled in ``err``."""
    message = err.message.decode("utf-8", "replace") or lib.strerror(rc)
    if rc == Status.ENOMEM:
        raise MemoryError(message)
    cls = _EXCEPTIONS.get(rc, Error)
    raise cls(rc, message,
              file=err.file.decode("utf-8", "replace") or None,
              line=err.line or None,
              column=err.column or None,
              offset=err.offset if err.offset >= 0 else None)


# ---------------------------------------------------------- library loading

def _version_tuple(number: int) -> tuple[int, int, int]:
    return number // 10000, number // 100 % 100, number % 100


_BINDING_VERSION = tuple(int(x) for x in __version__.split("."))

if sys.platform == "darwin":
    _LIB_NAMES = ["libgdprx.0.dylib", "libgdprx.dylib"]
elif sys.platform == "win32":
    _LIB_NAMES = ["gdprx-0.dll", "libgdprx-0.dll", "gdprx.dll"]
else:
    _LIB_NAMES = ["libgdprx.so.0", "libgdprx.so"]


class _Library:
    """A loaded libgdprx with every signature of _SIGNATURES declared."""

    def __init__(self, path: str) -> None:
        self.dll = ctypes.CDLL(path)
        self.path = path if os.sep in path else _loaded_path(path)
        for name, (restype, argtypes) in _SIGNATURES.items():
            try:
                fn = getattr(self.dll, name)
            except AttributeError as e:
                raise OSError(f"symbol {name} missing") from e
            fn.restype = restype
            fn.argtypes = argtypes
            setattr(self, name, fn)
        self.version = self.gdprx_version()
        self.version_string = self.gdprx_version_string().decode()
        if _version_tuple(self.version)[:2] != _BINDING_VERSION[:2]:
            raise OSError(f"library version {self.version_string} "
                          f"({self.version}) does not match the binding's "
                          f"{__version__}")

    def strerror(self, code: int) -> str:
        return self.gdprx_strerror(code).decode("utf-8", "replace")

    def take_text(self, ptr: ctypes.c_void_p, length: int | None) -> bytes:
        """Copy heap text allocated by gdprx, then release it."""
        try:
            if not ptr.value:
                return b""
            return ctypes.string_at(ptr.value, length) if length is not None \
                else ctypes.string_at(ptr.value)
        finally:
            self.gdprx_free(ptr)


def _loaded_path(name: str) -> str:
    """The file the system loader picked for a bare library name (from
    /proc/self/maps where there is one), else the name."""
    stem = name.split(".so")[0]
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            for line in f:
                p = line.split(maxsplit=5)[-1].strip()
                if os.path.basename(p).startswith(stem + ".so"):
                    return p
    except OSError:
        pass
    return name


_lib_lock = threading.Lock()
_lib_default: _Library | None = None


def _checkout_root() -> Path | None:
    """The source checkout this package runs from, if it does."""
    root = Path(__file__).resolve().parent.parent.parent.parent
    if (root / "meson.build").is_file() and (root / "include" / "gdprx.h").is_file():
        return root
    return None


def _candidates() -> Iterator[tuple[str, str]]:
    """(where, path) pairs to try, in order, when no explicit path is given
    (lazily: find_library runs helper programs, only if reached)."""
    here = Path(__file__).resolve().parent
    for n in _LIB_NAMES:
        yield "next to the module", str(here / n)
    root = _checkout_root()
    if root is not None:
        for n in _LIB_NAMES:
            yield "meson build tree", str(root / "build" / "lib" / n)
    yield ("ctypes.util.find_library('gdprx')",
           ctypes.util.find_library("gdprx") or "(nothing found)")
    for n in _LIB_NAMES:
        yield "system loader", n


def _open(path: PathArg | None) -> _Library:
    tried: list[str] = []
    if path is not None:
        explicit = [("explicit path", os.fspath(path))]
    elif os.environ.get("GDPRX_LIBRARY"):
        explicit = [("$GDPRX_LIBRARY", os.environ["GDPRX_LIBRARY"])]
    else:
        explicit = []
    for where, p in explicit or _candidates():
        if p == "(nothing found)":
            tried.append(f"  {where}: nothing found")
            continue
        if os.sep in p and not os.path.exists(p):
            tried.append(f"  {where}: {p}: no such file")
            continue
        try:
            return _Library(p)
        except OSError as e:
            tried.append(f"  {where}: {p}: {e}")
    raise LibraryError(
        Status.EIO,
        "cannot load the gdprx shared library (libgdprx); tried:\n"
        + "\n".join(tried)
        + "\nBuild and install it (meson install), or set GDPRX_LIBRARY to "
        "its full path, or call gdprx.load_library(path).")


def load_library(path: PathArg | None = None) -> str:
    """Load the gdprx shared library and make it the one used from now on.

    ``path`` None searches as described in the module's documentation.
    Rule sets loaded before keep the library they were loaded with.
    Returns the path (or name) that was loaded.
    Raises :class:`LibraryError` if it cannot be loaded or its major or
    minor version differs from the binding's.
    """
    global _lib_default
    lib = _open(path)
    with _lib_lock:
        _lib_default = lib
    return lib.path


def _lib() -> _Library:
    global _lib_default
    lib = _lib_default
    if lib is None:
        with _lib_lock:
            if _lib_default is None:
                _lib_default = _open(None)
            lib = _lib_default
    return lib


def library_path() -> str:
    """The path (or name) of the loaded shared library; loads it if needed."""
    return _lib().path


def library_version() -> str:
    """The shared library's version, e.g. ``"0.1.0"``; loads it if needed."""
    return _lib().version_string


def strerror(code: int) -> str:
    """The C library's short description of a status code."""
    return _lib().strerror(int(code))


# ------------------------------------------------------------- text helpers

def _replace_each_byte(e: UnicodeError) -> tuple[str, int]:
    """Decode error handler: one U+FFFD per invalid byte, as the C library
    and its JSON output do."""
    if isinstance(e, UnicodeDecodeError):
        return "\ufffd" * (e.end - e.start), e.end
    raise e


codecs.register_error("gdprx.replace", _replace_each_byte)
_CONT_BYTES = bytes(range(0x80, 0xC0))  # UTF-8 continuation bytes


def _decode(b: bytes | None) -> str | None:
    return None if b is None else b.decode("utf-8", "gdprx.replace")


def _encode(text: Text, replace_invalid: bool) -> tuple[bytes, str | None]:
    """The UTF-8 bytes to analyze, and the str they came from (or None)."""
    if isinstance(text, str):
        try:
            return text.encode("utf-8"), text
        except UnicodeEncodeError as e:  # lone surrogates
            if replace_invalid:  # one '?' per bad code point: offsets stay 1:1
                return text.encode("utf-8", "replace"), text
            offset = len(text[:e.start].encode("utf-8"))
            raise InputError(Status.EUTF8,
                             f"input:{offset}: invalid UTF-8 (lone surrogate "
                             f"U+{ord(text[e.start]):04X} at character "
                             f"{e.start})", offset=offset) from None
    if isinstance(text, bytes):
        return text, None
    if isinstance(text, (bytearray, memoryview)):
        return bytes(text), None
    raise TypeError(f"expected str or bytes, not {type(text).__name__}")


def _char_offsets(data: bytes, offsets: Iterable[int]) -> dict[int, int]:
    """Map byte offsets into ``data`` (UTF-8) to str indices."""
    result: dict[int, int] = {}
    prev_b = prev_c = 0
    for b in sorted(set(offsets)):
        # characters in data[prev_b:b]: bytes that are not continuation bytes
        prev_c += len(data[prev_b:b].translate(None, _CONT_BYTES))
        prev_b = b
        result[b] = prev_c
    return result


# ------------------------------------------------------------------ results

@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Attrs(Mapping[str, Union[str, int]]):
    """The attributes of a finding. Also a read-only mapping holding only
    the attributes that are set, in the order of the JSON output
    (``f.attrs["duration"]``, ``dict(f.attrs)``)."""

    duration: str | None = None      # ISO 8601, e.g. "P3Y"
    duration_max: str | None = None  # upper bound of a range
    age: int | None = None           # minimum age in years
    email: str | None = None         # as written in the input

    def _items(self) -> list[tuple[str, str | int]]:
        return [(k, v) for k, v in (("duration", self.duration),
                                    ("duration_max", self.duration_max),
                                    ("age", self.age),
                                    ("email", self.email)) if v is not None]

    def __getitem__(self, key: str) -> str | int:
        for k, v in self._items():
            if k == key:
                return v
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter([k for k, _ in self._items()])

    def __len__(self) -> int:
        return len(self._items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._items() == list(other.items()) or \
                dict(self._items()) == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._items()))

    def __repr__(self) -> str:
        return "Attrs(" + ", ".join(f"{k}={v!r}" for k, v in self._items()) + ")"


_NO_ATTRS = Attrs()


@dataclass(frozen=True, slots=True)
class Finding:
    """One statement found in a document.

    ``start``/``end`` are byte offsets into the UTF-8 input (end exclusive);
    ``char_start``/``char_end`` are indices into the ``str`` that was
    analyzed (None when bytes were), so ``text[f.char_start:f.char_end] ==
    f.text``. ``clause`` is the clause's byte range, ``clause_chars`` its
    ``str`` range.
    """

    type: str
    subtype: str
    polarity: str                  # "affirmed" or "negated"
    start: int
    end: int
    text: str
    clause: tuple[int, int]
    section: str | None
    attrs: Attrs
    rule: str
    articles: tuple[str, ...]
    negation_cue: str | None = None
    pattern_index: int = 0
    lang: str | None = None        # language of the pattern that matched
    char_start: int | None = None
    char_end: int | None = None
    clause_chars: tuple[int, int] | None = None

    @property
    def negated(self) -> bool:
        return self.polarity == "negated"

    def to_dict(self) -> dict[str, Any]:
        """The finding as in the JSON output (schema 1)."""
        d: dict[str, Any] = {
            "type": self.type, "subtype": self.subtype,
            "polarity": self.polarity, "start": self.start, "end": self.end,
            "attrs": dict(self.attrs), "rule": self.rule, "text": self.text,
            "clause": {"start": self.clause[0], "end": self.clause[1]},
            "section": self.section, "articles": list(self.articles),
        }
        if self.negation_cue is not None:
            d["negation_cue"] = self.negation_cue
        return d


@dataclass(frozen=True, slots=True)
class CoverageItem:
    """One information item of GDPR Art. 13/14 and whether it is stated;
    ``findings`` are indices into :attr:`Document.findings`."""

    article: str
    item: str
    applicable: bool
    stated: bool
    findings: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """A heading, paragraph or clause of the document (byte and, for a
    ``str`` input, character offsets)."""

    kind: str                      # "heading", "paragraph" or "clause"
    start: int
    end: int
    lang: str | None
    section: str | None
    char_start: int | None = None
    char_end: int | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """The result of analyzing one document."""

    lang: str | None               # "en", "fr", "nl"; None if unknown
    findings: tuple[Finding, ...]
    coverage: tuple[CoverageItem, ...]
    warnings: tuple[str, ...]
    segments: tuple[Segment, ...] | None = None   # with analyze(segments=True)
    _json: str = field(default="", repr=False)

    def to_json(self) -> str:
        """The C library's JSON output (schema 1), byte for byte the same as
        ``gdprx --json``."""
        return self._json

    def to_dict(self) -> dict[str, Any]:
        """``json.loads(self.to_json())``: plain dicts and lists."""
        return json.loads(self._json)


@dataclass(frozen=True, slots=True)
class RuleTestReport:
    """What :meth:`RuleSet.test` found: counts and the library's report."""

    passed: int
    failed: int
    report: str

    @property
    def ok(self) -> bool:
        return self.failed == 0


def _build_document(lib: _Library, res: int, data: bytes, s: str | None,
                    want_segments: bool) -> Document:
    """Copy everything out of the C result ``res`` (not freed here)."""
    raw = []
    for i in range(lib.gdprx_result_count(res)):
        f = lib.gdprx_result_get(res, i).contents
        arts = f.articles
        raw.append((
            f.type.decode(), f.subtype.decode(),
            "negated" if f.polarity == _NEGATED else "affirmed",
            f.start, f.end, f.clause_start, f.clause_end,
            _decode(f.section),
            Attrs(_decode(f.duration), _decode(f.duration_max),
                  f.age if f.age >= 0 else None, _decode(f.email))
            if (f.duration or f.duration_max or f.age >= 0 or f.email)
            else _NO_ATTRS,
            f.rule_id.decode(),
            tuple(arts[k].decode() for k in range(f.n_articles)),
            _decode(f.negation_cue), f.pattern_index,
            _LANG_CODES.get(f.lang),
            None if s is not None or f.end <= f.start
            else ctypes.string_at(f.text, f.end - f.start),
        ))
    segs = []
    if want_segments:
        for i in range(lib.gdprx_result_segment_count(res)):
            g = lib.gdprx_result_segment(res, i).contents
            segs.append((_SEGMENT_KINDS.get(g.kind, str(g.kind)), g.start,
                         g.end, _LANG_CODES.get(g.lang), _decode(g.section)))
    coverage = []
    for i in range(lib.gdprx_result_coverage_count(res)):
        c = lib.gdprx_result_coverage(res, i).contents
        coverage.append(CoverageItem(
            c.article.decode(), c.item.decode(), bool(c.applicable),
            bool(c.stated), tuple(c.findings[k] for k in range(c.n_findings))))
    warnings = tuple(_decode(lib.gdprx_result_warning(res, i)) or ""
                     for i in range(lib.gdprx_result_warning_count(res)))
    js, jl, err = ctypes.c_void_p(), ctypes.c_size_t(), _Error()
    rc = lib.gdprx_result_to_json(ctypes.byref(js), ctypes.byref(jl), res,
                                  ctypes.byref(err))
    if rc != Status.OK:
        _raise(lib, rc, err)
    json_text = lib.take_text(js, jl.value).decode("utf-8")

    cmap: dict[int, int] | None = None
    if s is not None:
        if len(data) == len(s):  # ASCII: byte offsets are str indices
            cmap = None
        else:
            offs: list[int] = []
            for r in raw:
                offs += r[3:7]
            for g in segs:
                offs += g[1:3]
            cmap = _char_offsets(data, offs)

    def ch(b: int) -> int | None:
        if s is None:
            return None
        return b if cmap is None else cmap[b]

    findings = []
    for (typ, sub, pol, st, en, cs, ce, sec, attrs, rule, arts, cue, pidx,
         lang, tbytes) in raw:
        c0, c1 = ch(st), ch(en)
        text = s[c0:c1] if s is not None else _decode(tbytes or b"")
        findings.append(Finding(
            typ, sub, pol, st, en, text, (cs, ce), sec, attrs, rule, arts,
            cue, pidx, lang, c0, c1,
            (ch(cs), ch(ce)) if s is not None else None))  # type: ignore[arg-type]
    segments = None
    if want_segments:
        segments = tuple(Segment(k, st, en, lg, sec, ch(st), ch(en))
                         for k, st, en, lg, sec in segs)
    return Document(_LANG_CODES.get(lib.gdprx_result_lang(res)),
                    tuple(findings), tuple(coverage), warnings, segments,
                    json_text)


# ----------------------------------------------------------------- rule sets

class RuleSet:
    """A compiled rule set. Immutable and shared between threads.

    Create one with :meth:`load` or :meth:`from_yaml`. Release it with
    :meth:`close` or a ``with`` block (the finalizer is only a fall-back).
    Closing while other threads analyze is safe: the C rule set is freed
    when the last running analysis returns.
    """

    def __init__(self, handle: int, lib: _Library, source: str) -> None:
        """Internal: use :meth:`load` or :meth:`from_yaml`."""
        self._lib = lib
        self._handle: int | None = handle
        self._source = source
        self._lock = threading.Lock()
        self._active = 0
        self._closed = False

    # -- construction

    @classmethod
    def load(cls, path: PathArg | None = None) -> RuleSet:
        """Load and compile rules from a directory (every ``*.yaml`` below
        it) or one YAML file. ``path`` None: the default rule set
        (``$GDPRX_RULES``, else the rules installed with the library, else
        the source tree's ``rules/``).

        Raises :class:`RuleError` (with ``file``, ``line``, ``column``).
        """
        lib = _lib()
        p = None if path is None else os.fsencode(path)
        handle, err = ctypes.c_void_p(), _Error()
        rc = lib.gdprx_rules_load(ctypes.byref(handle), p, ctypes.byref(err))
        if rc != Status.OK:
            _raise(lib, rc, err)
        return cls(handle.value, lib,  # type: ignore[arg-type]
                   "default" if path is None else os.fspath(path))

    @classmethod
    def from_yaml(cls, text: str | bytes, name: str | None = None) -> RuleSet:
        """Compile a rule set from YAML text in memory. ``name`` stands for
        the file name in error messages (default ``<memory>``).

        Raises :class:`RuleError` (with ``file``, ``line``, ``column``).
        """
        lib = _lib()
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        handle, err = ctypes.c_void_p(), _Error()
        rc = lib.gdprx_rules_load_yaml(
            ctypes.byref(handle), data, len(data),
            None if name is None else name.encode("utf-8"), ctypes.byref(err))
        if rc != Status.OK:
            _raise(lib, rc, err)
        return cls(handle.value, lib,  # type: ignore[arg-type]
                   name or "<memory>")

    # -- lifetime

    def _acquire(self) -> int:
        with self._lock:
            if self._closed or self._handle is None:
                raise ValueError("gdprx: operation on a closed RuleSet")
            self._active += 1
            return self._handle

    def _release(self) -> None:
        handle = None
        with self._lock:
            self._active -= 1
            if self._closed and self._active == 0:
                handle, self._handle = self._handle, None
        if handle:
            self._lib.gdprx_rules_free(handle)

    def close(self) -> None:
        """Release the compiled rules. Idempotent. Analyses still running in
        other threads finish first; new ones raise ValueError."""
        handle = None
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._active == 0:
                handle, self._handle = self._handle, None
        if handle:
            self._lib.gdprx_rules_free(handle)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> RuleSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if getattr(self, "_handle", None) is not None:
                self.close()
        except Exception:  # interpreter shutdown: nothing useful to do
            pass

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self)} rules"
        return f"<gdprx.RuleSet {state} from {self._source!r}>"

    # -- queries

    def __len__(self) -> int:
        """The number of rules."""
        h = self._acquire()
        try:
            return int(self._lib.gdprx_rules_count(h))
        finally:
            self._release()

    @property
    def source(self) -> str:
        """Where the rules came from: a path, ``"default"`` or a YAML name."""
        return self._source

    def pattern(self, rule: str, lang: str, index: int = 0) -> str | None:
        """The source text of pattern ``index`` of rule ``rule`` in ``lang``,
        as written in its rule file, or None. With
        ``Finding.rule``/``lang``/``pattern_index`` it tells which pattern
        made a finding."""
        code = _lang_enum(lang)
        if index < 0:
            return None
        h = self._acquire()
        try:
            p = self._lib.gdprx_rules_pattern(h, rule.encode("utf-8"), code,
                                              index)
            return _decode(p)
        finally:
            self._release()

    def test(self, verbose: bool = False) -> RuleTestReport:
        """Run every example embedded in the rules (sentences that must and
        must not match). Failing examples do not raise: check ``.ok``."""
        h = self._acquire()
        try:
            rep, failed, err = ctypes.c_void_p(), ctypes.c_size_t(), _Error()
            rc = self._lib.gdprx_rules_test(ctypes.byref(rep),
                                            ctypes.byref(failed), h,
                                            1 if verbose else 0,
                                            ctypes.byref(err))
            if rc != Status.OK:
                _raise(self._lib, rc, err)
            report = _decode(self._lib.take_text(rep, None)) or ""
        finally:
            self._release()
        passed = 0
        for line in reversed(report.splitlines()):
            words = line.split()
            if len(words) == 4 and words[1] == "passed," and words[3] == "failed":
                passed = int(words[0])
                break
        return RuleTestReport(passed, int(failed.value), report)

    # -- analysis

    def analyze(self, text: Text, lang: str | None = None,
                types: str | Iterable[str] | None = None,
                replace_invalid: bool = False,
                segments: bool = False) -> Document:
        """Analyze one document.

        ``text``: a ``str`` or UTF-8 ``bytes``. ``lang``: ``"en"``, ``"fr"``,
        ``"nl"``, or None / ``"auto"`` to detect it. ``types``: only these
        types or ``type.subtype`` (a list, or one comma-separated string).
        ``replace_invalid``: read invalid UTF-8 bytes as U+FFFD instead of
        raising. ``segments``: also return the headings, paragraphs and
        clauses.

        Raises :class:`InputError` (invalid UTF-8 with its byte ``offset``,
        unknown language or type, input too large) and MemoryError.
        """
        data, s = _encode(text, replace_invalid)
        opts = _Options()
        lib = self._lib
        lib.gdprx_options_init_sized(ctypes.byref(opts), ctypes.sizeof(opts))
        opts.lang = _lang_enum(lang)
        types_b = _types_arg(types)
        opts.types = types_b
        opts.flags = _OPT_REPLACE_INVALID if replace_invalid else 0
        res, err = ctypes.c_void_p(), _Error()
        h = self._acquire()
        try:
            rc = lib.gdprx_analyze(ctypes.byref(res), h, data, len(data),
                                   ctypes.byref(opts), ctypes.byref(err))
            if rc != Status.OK:
                _raise(lib, rc, err)
            try:
                return _build_document(lib, res, data, s, segments)
            finally:
                lib.gdprx_result_free(res)
        finally:
            self._release()

    def analyze_many(self, texts: Iterable[Text], workers: int | None = None,
                     *, lang: str | None = None,
                     types: str | Iterable[str] | None = None,
                     replace_invalid: bool = False, segments: bool = False,
                     return_exceptions: bool = False,
                     ) -> Iterator[Document | Error]:
        """Analyze many documents on ``workers`` threads (default: the
        number of CPUs) sharing this rule set; yield the documents in input
        order. ``texts`` is consumed lazily, a few documents ahead.

        An error raises at its document's position, unless
        ``return_exceptions`` is true: the exception is then yielded in its
        place and the other documents go on.
        """
        if workers is None:
            workers = os.cpu_count() or 1
        if workers < 1:
            raise ValueError("workers must be at least 1")
        if self._closed:
            raise ValueError("gdprx: operation on a closed RuleSet")
        types_s = None if types is None else _types_arg(types)
        kw = dict(lang=lang, types=None if types_s is None else types_s.decode(),
                  replace_invalid=replace_invalid, segments=segments)

        def one(t: Text) -> Document | Error:
            try:
                return self.analyze(t, **kw)  # type: ignore[arg-type]
            except Error as e:
                if return_exceptions:
                    return e
                raise

        if workers == 1:
            return (one(t) for t in texts)
        return self._pool(texts, one, workers)

    def _pool(self, texts: Iterable[Text], one: Any,
              workers: int) -> Iterator[Document | Error]:
        it = iter(texts)
        ex = ThreadPoolExecutor(max_workers=workers,
                                thread_name_prefix="gdprx")
        try:
            pending = collections.deque(
                ex.submit(one, t) for t in itertools.islice(it, 4 * workers))
            while pending:
                fut = pending.popleft()
                for t in itertools.islice(it, 1):
                    pending.append(ex.submit(one, t))
                yield fut.result()
        finally:
            ex.shutdown(wait=True, cancel_futures=True)


def _lang_enum(lang: str | None) -> int:
    try:
        return _LANG_BY_CODE[lang.lower() if isinstance(lang, str) else lang]
    except (KeyError, TypeError):
        raise InputError(Status.EINVAL,
                         f"unknown language {lang!r}: use 'en', 'fr', 'nl', "
                         "'auto' or None") from None


def _types_arg(types: str | Iterable[str] | None) -> bytes | None:
    if types is None:
        return None
    if isinstance(types, str):
        return types.encode("utf-8")
    return ",".join(types).encode("utf-8")


def normalize(text: Text, replace_invalid: bool = False) -> str:
    """The text as rule patterns see it: NFKC case folding, accents
    removed, quotes, apostrophes and dashes unified, horizontal white space
    collapsed, line breaks kept. Useful to write and debug patterns.

    Raises :class:`InputError` as :meth:`RuleSet.analyze` does.
    """
    lib = _lib()
    data, _ = _encode(text, replace_invalid)
    out, n, err = ctypes.c_void_p(), ctypes.c_size_t(), _Error()
    rc = lib.gdprx_normalize(ctypes.byref(out), ctypes.byref(n), data,
                             len(data),
                             _OPT_REPLACE_INVALID if replace_invalid else 0,
                             ctypes.byref(err))
    if rc != Status.OK:
        _raise(lib, rc, err)
    return _decode(lib.take_text(out, n.value)) or ""
