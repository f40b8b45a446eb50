# SPDX-License-Identifier: MIT
"""The results as Python values (Finding and its Attrs, CoverageItem,
Segment, Document, RuleTestReport) and their copy out of a C result
(_build_document)."""

from __future__ import annotations

import ctypes
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

from ._errors import _raise
from ._native import _LANG_CODES, _NEGATED, _SEGMENT_KINDS, Status, _Error
from ._text import _CONT_BYTES, _char_offsets, _decode

if TYPE_CHECKING:
    from ._library import _Library


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
    concepts: str | None = None    # with explain=True: the concepts that held

    @property
    def negated(self) -> bool:
        return self.polarity == "negated"

    def to_dict(self) -> dict[str, Any]:
        """The finding as one flat record: the keys of :data:`FINDING_FIELDS`,
        always all of them and in that order, each value a ``str``, an
        ``int`` or None (absent). ``articles`` is one string joined with
        ``;``; the attributes are columns of their own. Ready for
        ``csv.DictWriter`` and ``json.dumps``."""
        cc = self.clause_chars or (None, None)
        return {
            "type": self.type, "subtype": self.subtype,
            "polarity": self.polarity,
            "start": self.start, "end": self.end,
            "char_start": self.char_start, "char_end": self.char_end,
            "text": self.text,
            "clause_start": self.clause[0], "clause_end": self.clause[1],
            "clause_char_start": cc[0], "clause_char_end": cc[1],
            "section": self.section, "rule": self.rule,
            "pattern_index": self.pattern_index, "lang": self.lang,
            "articles": ";".join(self.articles),
            "negation_cue": self.negation_cue,
            "duration": self.attrs.duration,
            "duration_max": self.attrs.duration_max,
            "age": self.attrs.age, "email": self.attrs.email,
        }


# The keys of Finding.to_dict(), in order.
FINDING_FIELDS: tuple[str, ...] = (
    "type", "subtype", "polarity", "start", "end", "char_start", "char_end",
    "text", "clause_start", "clause_end", "clause_char_start",
    "clause_char_end", "section", "rule", "pattern_index", "lang", "articles",
    "negation_cue", "duration", "duration_max", "age", "email")

# The keys of Document.records(), in order: the document's name and
# language, the finding's index in Document.findings, then FINDING_FIELDS.
RECORD_FIELDS: tuple[str, ...] = ("doc", "doc_lang", "index") + FINDING_FIELDS


@dataclass(frozen=True, slots=True)
class CoverageItem:
    """One information item of GDPR Art. 13/14 and whether it is stated;
    ``findings`` are indices into :attr:`Document.findings`."""

    article: str
    item: str
    applicable: bool
    stated: bool
    findings: tuple[int, ...]
    selected: bool = True   # False: outside the analysis' ``types``, not looked for


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


@dataclass(frozen=True, slots=True, repr=False)
class Document:
    """The result of analyzing one document.

    A sequence of its findings: ``len(doc)``, ``doc[0]``, ``for f in doc``
    (so a document without findings is false). Plain data: it pickles
    without the library.
    """

    lang: str | None               # "en", "fr", "nl"; None if unknown
    findings: tuple[Finding, ...]
    coverage: tuple[CoverageItem, ...]
    warnings: tuple[str, ...]
    segments: tuple[Segment, ...] | None = None   # with analyze(segments=True)
    name: str | None = None        # analyze(name=...), a path for analyze_paths
    _json: str = field(default="", repr=False)

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __getitem__(self, index: Any) -> Any:
        """A finding (an int) or a tuple of findings (a slice)."""
        return self.findings[index]

    def __repr__(self) -> str:
        types = list(dict.fromkeys(f"{f.type}.{f.subtype}"
                                   for f in self.findings))
        head = "<gdprx.Document"
        if self.name is not None:
            name = self.name if len(self.name) <= 60 else \
                "..." + self.name[-57:]
            head += f" {name!r}"
        head += f" lang={self.lang!r}, {len(self.findings)} findings"
        shown = ""
        for t in types:  # as many types as fit in 190 characters
            more = f"{', ' if shown else ': '}{t}"
            if len(head) + len(shown) + len(more) + 6 > 190:
                shown += ", ..."
                break
            shown += more
        return head + shown + ">"

    def to_json(self) -> str:
        """The C library's JSON output (schema 1), byte for byte the same as
        ``gdprx --json``."""
        return self._json

    def to_dict(self) -> dict[str, Any]:
        """``json.loads(self.to_json())``: plain dicts and lists."""
        return json.loads(self._json)

    def records(self, name: str | None = None) -> list[dict[str, Any]]:
        """One flat record per finding: the keys of :data:`RECORD_FIELDS`
        (``doc``: ``name``, else :attr:`name`; ``doc_lang``: the document's
        language; ``index``: the finding's index in :attr:`findings`; then
        :meth:`Finding.to_dict`), the same keys in the same order for every
        record of every document. For ``csv.DictWriter(f,
        gdprx.RECORD_FIELDS)`` and ``pandas.DataFrame``."""
        doc = self.name if name is None else name
        return [{"doc": doc, "doc_lang": self.lang, "index": i,
                 **f.to_dict()} for i, f in enumerate(self.findings)]


@dataclass(frozen=True, slots=True)
class RuleTestReport:
    """What :meth:`RuleSet.test` found: counts and the library's report."""

    passed: int
    failed: int
    report: str

    @property
    def ok(self) -> bool:
        return self.failed == 0


def _raw_finding(f: Any, s: str | None) -> tuple[Any, ...]:
    """The fields of one C finding ``f`` (a ``_Finding``), copied out while
    it is valid. ``s``: the analyzed ``str`` (None for bytes)."""
    arts = f.articles
    return (
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
        # HTML input: text is the visible text, not input[start:end]
        None if (s is not None and f.text_len == f.end - f.start)
        or not f.text_len else ctypes.string_at(f.text, f.text_len),
        _decode(f.concepts),
    )


def _make_finding(raw: tuple[Any, ...], s: str | None,
                  ch: Callable[[int], int | None]) -> Finding:
    """A Finding from _raw_finding()'s fields; ``ch`` maps a byte offset to
    its index in ``s`` (None when bytes were analyzed)."""
    (typ, sub, pol, st, en, cs, ce, sec, attrs, rule, arts, cue, pidx,
     lang, tbytes, concepts) = raw
    c0, c1 = ch(st), ch(en)
    text = (s[c0:c1] if s is not None and tbytes is None
            else _decode(tbytes or b""))
    return Finding(
        typ, sub, pol, st, en, text, (cs, ce), sec, attrs, rule, arts,
        cue, pidx, lang, c0, c1,
        (ch(cs), ch(ce)) if s is not None else None,  # type: ignore[arg-type]
        concepts)


class _StreamOffsets:
    """Byte offset -> ``str`` index for findings that come in start order
    (a streamed analysis): counts characters from the last finding's start,
    forward or back (a clause starts before its findings), so the cost is
    the distance between neighbouring findings, not the document."""

    def __init__(self, data: bytes, s: str | None) -> None:
        self.data, self.s = data, s
        self.ascii = s is not None and len(data) == len(s)
        self.b = self.c = 0

    def _count(self, lo: int, hi: int) -> int:
        return len(self.data[lo:hi].translate(None, _CONT_BYTES))

    def __call__(self, b: int) -> int | None:
        if self.s is None:
            return None
        if self.ascii:
            return b
        if b >= self.b:
            return self.c + self._count(self.b, b)
        return self.c - self._count(b, self.b)

    def advance(self, b: int) -> None:
        """Findings from now on start at ``b`` or later."""
        if self.s is not None and not self.ascii and b > self.b:
            self.c += self._count(self.b, b)
            self.b = b


@dataclass(frozen=True, slots=True)
class StreamSummary:
    """What :meth:`RuleSet.analyze_each` returns once every finding has
    been handed out: the document's language, the number of findings
    handed out, the Art. 13/14 coverage (its ``findings`` are the indices
    the callback saw) and the warnings."""

    lang: str | None
    count: int
    coverage: tuple[CoverageItem, ...]
    warnings: tuple[str, ...]
    name: str | None = None


def _stream_summary(lib: _Library, res: int, name: str | None) -> StreamSummary:
    """The rest of a streamed result ``res`` (not freed here)."""
    coverage = tuple(_coverage_items(lib, res))
    warnings = tuple(_decode(lib.gdprx_result_warning(res, i)) or ""
                     for i in range(lib.gdprx_result_warning_count(res)))
    return StreamSummary(_LANG_CODES.get(lib.gdprx_result_lang(res)),
                         lib.gdprx_result_streamed(res), coverage, warnings,
                         name)


def _coverage_items(lib: _Library, res: int) -> Iterator[CoverageItem]:
    for i in range(lib.gdprx_result_coverage_count(res)):
        c = lib.gdprx_result_coverage(res, i).contents
        yield CoverageItem(
            c.article.decode(), c.item.decode(), bool(c.applicable),
            bool(c.stated), tuple(c.findings[k] for k in range(c.n_findings)),
            bool(c.selected))


def _build_document(lib: _Library, res: int, data: bytes, s: str | None,
                    want_segments: bool, name: str | None = None) -> Document:
    """Copy everything out of the C result ``res`` (not freed here)."""
    raw = [_raw_finding(lib.gdprx_result_get(res, i).contents, s)
           for i in range(lib.gdprx_result_count(res))]
    segs = []
    if want_segments:
        for i in range(lib.gdprx_result_segment_count(res)):
            g = lib.gdprx_result_segment(res, i).contents
            segs.append((_SEGMENT_KINDS.get(g.kind, str(g.kind)), g.start,
                         g.end, _LANG_CODES.get(g.lang), _decode(g.section)))
    coverage = list(_coverage_items(lib, res))
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

    findings = [_make_finding(r, s, ch) for r in raw]
    segments = None
    if want_segments:
        segments = tuple(Segment(k, st, en, lg, sec, ch(st), ch(en))
                         for k, st, en, lg, sec in segs)
    return Document(_LANG_CODES.get(lib.gdprx_result_lang(res)),
                    tuple(findings), tuple(coverage), warnings, segments,
                    name, json_text)
