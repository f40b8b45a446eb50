# SPDX-License-Identifier: MIT
"""RuleSet: a compiled rule set, its lifetime (shared by threads, freed
when closed and idle), its queries, and the analyses run with it
(analyze, analyze_many, pipe, analyze_paths), and its pickling (it pickles
as its source and loads again, once per process, when unpickled)."""

from __future__ import annotations

import collections
import ctypes
import itertools
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._errors import Error, InputError, _raise
from ._library import PathArg, _Library, _lib
from . import _diff, _pool
from ._diff import Diff
from ._model import (Document, Finding, RuleTestReport, StreamSummary,
                     _build_document, _make_finding, _raw_finding,
                     _stream_summary, _StreamOffsets)
from ._native import (_FINDING_FN, _FORMATS, _OPT_EXPLAIN,
                      _OPT_REPLACE_INVALID, Status, _Error, _Options)
from ._text import Text, _decode, _encode, _lang_enum, _types_arg

class _Failure:
    """An exception of iter_findings' analysis thread, for the consumer."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def _summary_and_free(lib: _Library, res: Any, name: str | None) -> StreamSummary:
    try:
        return _stream_summary(lib, res, name)
    finally:
        lib.gdprx_result_free(res)


# What a RuleSet pickles as: ("path", absolute path or None for the
# default set) or ("yaml", the YAML bytes, the name).
_Origin = tuple[Any, ...]


class _Native:
    """A C rule set shared by the RuleSet objects unpickled from one source
    in this process; freed when the last of them lets it go."""

    def __init__(self, lib: _Library, handle: int) -> None:
        self.lib = lib
        self.handle = handle
        self._owners = 1
        self._lock = threading.Lock()

    def retain(self) -> None:
        with self._lock:
            self._owners += 1

    def drop(self) -> None:
        with self._lock:
            self._owners -= 1
            last = self._owners == 0
        if last:
            self.lib.gdprx_rules_free(self.handle)


# Unpickled rule sets of this process by origin, each holding one owner
# reference for the process's lifetime: a pool or Dask worker unpickles
# the RuleSet for every task, and must not compile the rules every time.
_UNPICKLED: dict[_Origin, _Native] = {}
_UNPICKLED_LOCK = threading.Lock()


def _unpickle(origin: _Origin) -> RuleSet:
    """A RuleSet from what __reduce__ saved (loaded at most once per
    process and origin; each unpickled RuleSet closes independently)."""
    with _UNPICKLED_LOCK:
        native = _UNPICKLED.get(origin)
        if native is None or native.lib is not _lib():
            rules = (RuleSet.load(origin[1]) if origin[0] == "path"
                     else RuleSet.from_yaml(origin[1], origin[2]))
            native = rules._native
            native.retain()  # the cache's reference
            _UNPICKLED[origin] = native
            return rules
        native.retain()
    source = "default" if origin[1] is None else (
        origin[1] if origin[0] == "path" else origin[2] or "<memory>")
    return RuleSet(native.handle, native.lib, source, origin, native)


def _bundled_rules() -> str | None:
    """The rule set a wheel bundles next to the package (gdprx/rules/),
    unless $GDPRX_RULES names another; None: the library's default."""
    if os.environ.get("GDPRX_RULES"):
        return None
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules")
    return here if os.path.isdir(here) else None


class RuleSet:
    """A compiled rule set. Immutable and shared between threads.

    Create one with :meth:`load` or :meth:`from_yaml`. Release it with
    :meth:`close` or a ``with`` block (the finalizer is only a fall-back).
    Closing while other threads analyze is safe: the C rule set is freed
    when the last running analysis returns.
    """

    def __init__(self, handle: int, lib: _Library, source: str,
                 origin: _Origin | None = None,
                 native: _Native | None = None) -> None:
        """Internal: use :meth:`load` or :meth:`from_yaml`."""
        self._lib = lib
        self._handle: int | None = handle
        self._native = native or _Native(lib, handle)
        self._source = source
        self._origin = origin
        self._lock = threading.Lock()
        self._active = 0
        self._closed = False

    # -- construction

    @classmethod
    def load(cls, path: PathArg | None = None) -> RuleSet:
        """Load and compile rules from a directory (every ``*.yaml`` below
        it) or one YAML file. ``path`` None: the default rule set
        (``$GDPRX_RULES``, else the rules bundled in the installed package,
        ``gdprx/rules/``, else the library's default: the rules installed
        with it, else the source tree's ``rules/``).

        Raises :class:`RuleError` (with ``file``, ``line``, ``column``).
        """
        lib = _lib()
        given = path if path is not None else _bundled_rules()
        p = None if given is None else os.fsencode(given)
        handle, err = ctypes.c_void_p(), _Error()
        rc = lib.gdprx_rules_load(ctypes.byref(handle), p, ctypes.byref(err))
        if rc != Status.OK:
            _raise(lib, rc, err)
        return cls(handle.value, lib,  # type: ignore[arg-type]
                   "default" if path is None else os.fspath(path),
                   ("path", None if path is None else os.path.abspath(path)))

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
                   name or "<memory>", ("yaml", data, name))

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
            self._native.drop()

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
            self._native.drop()

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

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the source: the absolute rules path (None: the default
        set of the process that unpickles), or the YAML text and name of
        an in-memory set. Unpickling loads the rules again, once per
        process (later unpickles of the same source share them)."""
        if self._origin is None:
            raise TypeError("gdprx: this RuleSet has no source to pickle")
        if self._closed:
            raise ValueError("gdprx: cannot pickle a closed RuleSet")
        return (_unpickle, (self._origin,))

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
                segments: bool = False, name: str | None = None,
                format: str | None = None, explain: bool = False,
                max_html_size: int | None = None) -> Document:
        """Analyze one document.

        ``text``: a ``str`` or UTF-8 ``bytes``. ``lang``: ``"en"``, ``"fr"``,
        ``"nl"``, or None / ``"auto"`` to detect it. ``types``: only these
        types or ``type.subtype`` (a list, or one comma-separated string).
        ``replace_invalid``: read each run of invalid UTF-8 bytes as one
        U+FFFD instead of raising. ``segments``: also return the headings, paragraphs and
        clauses. ``name``: the document's :attr:`Document.name` (a path,
        an URL; it goes into :meth:`Document.records`). ``format``:
        ``"text"`` (plain text or Markdown), ``"html"``, or None / ``"auto"``
        (HTML when the text starts as a page or fragment does). ``explain``:
        fill :attr:`Finding.concepts` (which concepts made each finding).
        ``max_html_size``: HTML larger than this many bytes is refused
        (None: the library's default, 20 MiB, which keeps the parser's tree
        within the documented memory bound).

        Raises :class:`InputError` (invalid UTF-8 with its byte ``offset``,
        unknown language or type, input too large: code ``Status.ELIMIT``
        with the ``offset`` of the limit) and MemoryError.
        """
        data, s = _encode(text, replace_invalid)
        lib = self._lib
        opts, types_b = self._options(lang, types, replace_invalid, format,
                                      explain, max_html_size)
        res, err = ctypes.c_void_p(), _Error()
        h = self._acquire()
        try:
            rc = lib.gdprx_analyze(ctypes.byref(res), h, data, len(data),
                                   ctypes.byref(opts), ctypes.byref(err))
            if rc != Status.OK:
                _raise(lib, rc, err)
            try:
                return _build_document(lib, res, data, s, segments, name)
            finally:
                lib.gdprx_result_free(res)
        finally:
            self._release()

    def _options(self, lang: str | None, types: str | Iterable[str] | None,
                 replace_invalid: bool, format: str | None,
                 explain: bool, max_html_size: int | None = None,
                 ) -> tuple[_Options, bytes | None]:
        """The C options of an analysis, and the types bytes they point to
        (keep them alive as long as the options)."""
        opts = _Options()
        self._lib.gdprx_options_init_sized(ctypes.byref(opts),
                                           ctypes.sizeof(opts))
        opts.lang = _lang_enum(lang)
        types_b = _types_arg(types)
        opts.types = types_b
        opts.flags = ((_OPT_REPLACE_INVALID if replace_invalid else 0)
                      | (_OPT_EXPLAIN if explain else 0))
        if format not in _FORMATS:
            raise InputError(Status.EINVAL, f"gdprx: format must be text, html "
                             f"or auto, not {format!r}")
        opts.format = _FORMATS[format]
        if max_html_size is not None:
            if (isinstance(max_html_size, bool)
                    or not isinstance(max_html_size, int)
                    or not 1 <= max_html_size < 2**63):
                raise ValueError(f"gdprx: max_html_size must be a positive "
                                 f"number of bytes, not {max_html_size!r}")
            opts.max_html_size = max_html_size
        return opts, types_b

    def analyze_each(self, text: Text, each: Callable[[Finding], Any], *,
                     lang: str | None = None,
                     types: str | Iterable[str] | None = None,
                     replace_invalid: bool = False, name: str | None = None,
                     format: str | None = None,
                     explain: bool = False,
                     max_html_size: int | None = None) -> StreamSummary:
        """Analyze one document and hand each finding to ``each`` as soon as
        the part of the text it is in is done (``gdprx_analyze_each``): the
        findings of a document with millions of them are never all in
        memory. They come in the order, and with the values (byte and
        character offsets included), of :meth:`analyze`'s
        :attr:`Document.findings`.

        ``each(finding)`` returning a true value stops the analysis: the
        findings handed out so far stay handed out, and the summary then
        has only their ``count`` (``lang`` None, no coverage, no warnings).
        An exception raised by ``each`` stops it too and is raised again
        here. The other arguments are
        :meth:`analyze`'s. Returns a :class:`StreamSummary`: language,
        number of findings handed out, coverage, warnings.
        """
        data, s = _encode(text, replace_invalid)
        lib = self._lib
        opts, types_b = self._options(lang, types, replace_invalid, format,
                                      explain, max_html_size)
        chars = _StreamOffsets(data, s)
        state: dict[str, Any] = {"stopped": False, "exc": None, "n": 0}

        def call(_ctx: Any, fp: Any, _index: int) -> int:
            try:
                f = fp.contents
                chars.advance(f.start)
                state["n"] += 1
                if each(_make_finding(_raw_finding(f, s), s, chars)):
                    state["stopped"] = True
                    return 1
                return 0
            except BaseException as e:  # noqa: BLE001 (raised again below)
                state["exc"] = e
                return 1

        cb = _FINDING_FN(call)
        res, err = ctypes.c_void_p(), _Error()
        h = self._acquire()
        try:
            rc = lib.gdprx_analyze_each(ctypes.byref(res), h, data, len(data),
                                        ctypes.byref(opts), cb, None,
                                        ctypes.byref(err))
            if state["exc"] is not None:
                if rc == Status.OK:
                    lib.gdprx_result_free(res)
                raise state["exc"]
            if rc == Status.EIO and state["stopped"]:
                # stopped by the caller: the C result is not made; say how
                # many findings went out, nothing else is known
                return StreamSummary(None, state["n"], (), (), name)
            if rc != Status.OK:
                _raise(lib, rc, err)
            return _summary_and_free(lib, res, name)
        finally:
            self._release()

    def iter_findings(self, text: Text, *, lang: str | None = None,
                      types: str | Iterable[str] | None = None,
                      replace_invalid: bool = False,
                      format: str | None = None, explain: bool = False,
                      max_html_size: int | None = None,
                      buffer: int = 256) -> Iterator[Finding]:
        """The findings of one document as an iterator, produced while the
        analysis runs (:meth:`analyze_each` on a thread, at most ``buffer``
        findings waiting): for a large document, a loop that writes each
        finding out holds a few of them at a time. Leaving the loop early
        stops the analysis. Errors (:class:`InputError` ...) are raised by
        the iteration. Arguments as :meth:`analyze`."""
        q: queue.Queue[Any] = queue.Queue(maxsize=max(1, buffer))
        stop = threading.Event()
        done = object()

        def put(item: Any) -> bool:
            while not stop.is_set():
                try:
                    q.put(item, timeout=0.1)
                    return False
                except queue.Full:
                    pass
            return True        # the consumer has gone: stop the analysis

        def produce() -> None:
            try:
                self.analyze_each(text, put, lang=lang, types=types,
                                  replace_invalid=replace_invalid,
                                  format=format, explain=explain,
                                  max_html_size=max_html_size)
                put(done)
            except BaseException as e:  # noqa: BLE001 (raised by the consumer)
                put(_Failure(e))

        t = threading.Thread(target=produce, name="gdprx-iter_findings",
                             daemon=True)
        t.start()
        try:
            while True:
                item = q.get()
                if item is done:
                    return
                if isinstance(item, _Failure):
                    raise item.exc
                yield item
        finally:
            stop.set()
            t.join()

    def analyze_many(self, texts: Iterable[Text], workers: int | None = None,
                     *, lang: str | None = None,
                     types: str | Iterable[str] | None = None,
                     replace_invalid: bool = False, segments: bool = False,
                     return_exceptions: bool = False,
                     format: str | None = None, explain: bool = False,
                     max_html_size: int | None = None,
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
                  replace_invalid=replace_invalid, segments=segments,
                  format=format, explain=explain, max_html_size=max_html_size)

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

    def pipe(self, texts: Iterable[Text | tuple[str, Text]], *,
             n_process: int = 1, n_threads: int = 1, batch_size: int = 16,
             lang: str | None = None,
             types: str | Iterable[str] | None = None,
             replace_invalid: bool = False, segments: bool = False,
             return_exceptions: bool = False) -> Iterator[Document | Exception]:
        """Analyze a stream of documents, as spaCy's ``nlp.pipe``: yield
        them in input order. Each item is a text, or a ``(name, text)``
        pair that sets :attr:`Document.name`. ``texts`` is consumed
        lazily, a few batches ahead.

        ``n_process`` > 1: that many processes (spawned: a script needs
        ``if __name__ == "__main__":``), each receiving this rule set by
        pickle, analyze batches of ``batch_size`` documents. Otherwise
        ``n_threads`` threads of this process share this rule set (the
        C calls release the GIL). Errors: as :meth:`analyze_many`.
        """
        return self._batch(texts, False, n_process, n_threads, batch_size,
                           dict(lang=lang, types=types,
                                replace_invalid=replace_invalid,
                                segments=segments), return_exceptions)

    def analyze_paths(self, paths: Iterable[PathArg], *, n_process: int = 1,
                      n_threads: int = 1, batch_size: int = 16,
                      lang: str | None = None,
                      types: str | Iterable[str] | None = None,
                      replace_invalid: bool = False, segments: bool = False,
                      return_exceptions: bool = False,
                      ) -> Iterator[Document | Exception]:
        """:meth:`pipe` over files, read where they are analyzed: each
        :attr:`Document.name` is its path. A file of valid UTF-8 is
        analyzed as a ``str`` (its newlines untouched, so ``char_start``
        indexes the file's characters), otherwise as bytes. A file that
        cannot be read raises OSError (or is yielded with
        ``return_exceptions``)."""
        items = ((os.fspath(p), p) for p in paths)
        return self._batch(items, True, n_process, n_threads, batch_size,
                           dict(lang=lang, types=types,
                                replace_invalid=replace_invalid,
                                segments=segments), return_exceptions)

    def _batch(self, items: Iterable[Any], read: bool, n_process: int,
               n_threads: int, batch_size: int, kw: dict[str, Any],
               return_exceptions: bool) -> Iterator[Any]:
        if n_process < 1 or n_threads < 1 or batch_size < 1:
            raise ValueError("n_process, n_threads and batch_size must be at "
                             "least 1")
        if self._closed:
            raise ValueError("gdprx: operation on a closed RuleSet")
        if kw["types"] is not None:  # one string: checked and picklable
            kw["types"] = _types_arg(kw["types"]).decode()  # type: ignore
        if n_process > 1:
            self.__reduce__()  # an unpicklable set raises here, not in the pool
            return _pool.in_processes(self, items, n_process, batch_size, kw,
                                      read, return_exceptions)

        def one(item: Any) -> Any:
            return _pool.analyze_item(self, item, kw, read, return_exceptions)

        if n_threads == 1:
            return (one(item) for item in items)
        return self._pool(items, one, n_threads)

    # -- version comparison

    def diff(self, old_text: Text, new_text: Text, lang: str | None = None,
             types: str | Iterable[str] | None = None,
             replace_invalid: bool = False,
             min_similarity: float | None = None) -> Diff:
        """Compare two versions of a policy: analyze both (``lang``,
        ``types``, ``replace_invalid`` as :meth:`analyze`) and pair their
        findings by label and content, not position. Returns a
        :class:`Diff` of :class:`Change` (added, removed, changed:
        polarity, duration, age, email, section), empty when both state
        the same. ``min_similarity``: the threshold (0, 1] for pairing
        reworded findings (default 0.5)."""
        return _diff.diff(self, old_text, new_text, lang, types,
                          replace_invalid, min_similarity)

