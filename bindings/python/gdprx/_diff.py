# SPDX-License-Identifier: MIT
"""Version comparison: :class:`Change` and :class:`Diff`, and the call to
``gdprx_diff`` behind :meth:`RuleSet.diff` (two analyses, paired by label
and content; the algorithm is documented at ``gdprx_diff`` in gdprx.h)."""

from __future__ import annotations

import ctypes
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._errors import _raise
from ._model import Document, Finding, _build_document
from ._native import (_DIFF_CHANGES, _DIFF_KINDS, _DIFF_NONE,
                      _OPT_REPLACE_INVALID, Status, _DiffOptions, _Error,
                      _Options)
from ._text import Text, _encode, _lang_enum, _types_arg

if TYPE_CHECKING:
    from ._ruleset import RuleSet


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two versions: a finding ``"added"`` (only
    ``new``), ``"removed"`` (only ``old``) or ``"changed"`` (both, and
    ``changes`` names what: ``"polarity"``, ``"duration"``, ``"age"``,
    ``"email"``, ``"section"``). ``old_index``/``new_index`` index
    :attr:`Diff.old`/:attr:`Diff.new` findings (None on the missing side)."""

    kind: str
    type: str
    subtype: str
    changes: tuple[str, ...]
    old: Finding | None
    new: Finding | None
    old_index: int | None
    new_index: int | None
    similarity: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.type}.{self.subtype}"

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts, lists and scalars (the findings by
        :meth:`Finding.to_dict`)."""
        return {"kind": self.kind, "type": self.type,
                "subtype": self.subtype, "changes": list(self.changes),
                "similarity": self.similarity,
                "old_index": self.old_index, "new_index": self.new_index,
                "old": None if self.old is None else self.old.to_dict(),
                "new": None if self.new is None else self.new.to_dict()}


@dataclass(frozen=True, slots=True, repr=False)
class Diff:
    """What changed from one version of a policy to the next: the two
    analyzed documents and the changes, in the newer document's order. A
    sequence of :class:`Change` (empty, hence false, when equal)."""

    old: Document
    new: Document
    changes: tuple[Change, ...]

    @property
    def equal(self) -> bool:
        return not self.changes

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __getitem__(self, index: Any) -> Any:
        return self.changes[index]

    def of_kind(self, kind: str) -> tuple[Change, ...]:
        """The changes of one kind: ``"added"``, ``"removed"``,
        ``"changed"``."""
        return tuple(c for c in self.changes if c.kind == kind)

    def __repr__(self) -> str:
        n = {k: len(self.of_kind(k)) for k in ("added", "removed", "changed")}
        return (f"<gdprx.Diff {n['added']} added, {n['removed']} removed, "
                f"{n['changed']} changed>")

    def to_dict(self) -> dict[str, Any]:
        return {"equal": self.equal,
                "changes": [c.to_dict() for c in self.changes]}


def _analyze_raw(rules: RuleSet, h: int, text: Text, opts: _Options,
                 replace_invalid: bool) -> tuple[int, Document]:
    """The C result (the caller frees it) and its Document."""
    lib = rules._lib
    data, s = _encode(text, replace_invalid)
    res, err = ctypes.c_void_p(), _Error()
    rc = lib.gdprx_analyze(ctypes.byref(res), h, data, len(data),
                           ctypes.byref(opts), ctypes.byref(err))
    if rc != Status.OK:
        _raise(lib, rc, err)
    try:
        return res.value, _build_document(lib, res, data, s, False)  # type: ignore[return-value]
    except BaseException:
        lib.gdprx_result_free(res)
        raise


def _copy_changes(lib: Any, d: int, old: Document,
                  new: Document) -> tuple[Change, ...]:
    out = []
    for i in range(lib.gdprx_diff_count(d)):
        e = lib.gdprx_diff_get(d, i).contents
        oi = None if e.old_index == _DIFF_NONE else int(e.old_index)
        ni = None if e.new_index == _DIFF_NONE else int(e.new_index)
        fo = None if oi is None else old.findings[oi]
        fn = None if ni is None else new.findings[ni]
        f = fn if fn is not None else fo
        assert f is not None
        out.append(Change(
            _DIFF_KINDS.get(e.kind, str(e.kind)), f.type, f.subtype,
            tuple(n for k, n in enumerate(_DIFF_CHANGES)
                  if e.changes & (1 << k)),
            fo, fn, oi, ni, float(e.similarity)))
    return tuple(out)


def diff(rules: RuleSet, old_text: Text, new_text: Text,
         lang: str | None = None,
         types: str | Iterable[str] | None = None,
         replace_invalid: bool = False,
         min_similarity: float | None = None) -> Diff:
    """:meth:`RuleSet.diff`: analyze both texts with ``rules`` and the same
    options, then compare their findings."""
    lib = rules._lib
    opts = _Options()
    lib.gdprx_options_init_sized(ctypes.byref(opts), ctypes.sizeof(opts))
    opts.lang = _lang_enum(lang)
    types_b = _types_arg(types)
    opts.types = types_b
    opts.flags = _OPT_REPLACE_INVALID if replace_invalid else 0
    dopts = _DiffOptions()
    lib.gdprx_diff_options_init_sized(ctypes.byref(dopts),
                                      ctypes.sizeof(dopts))
    if min_similarity is not None:
        if not 0.0 < min_similarity <= 1.0:
            raise ValueError("min_similarity must be in (0, 1]")
        dopts.min_similarity = min_similarity
    results: list[int] = []
    h = rules._acquire()
    try:
        r_old, old = _analyze_raw(rules, h, old_text, opts, replace_invalid)
        results.append(r_old)
        r_new, new = _analyze_raw(rules, h, new_text, opts, replace_invalid)
        results.append(r_new)
        d, err = ctypes.c_void_p(), _Error()
        rc = lib.gdprx_diff(ctypes.byref(d), r_old, r_new,
                            ctypes.byref(dopts), ctypes.byref(err))
        if rc != Status.OK:
            _raise(lib, rc, err)
        try:
            return Diff(old, new, _copy_changes(lib, d, old, new))
        finally:
            lib.gdprx_diff_free(d)
    finally:
        for r in results:
            lib.gdprx_result_free(r)
        rules._release()
