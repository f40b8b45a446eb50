# SPDX-License-Identifier: MIT
"""Batches for RuleSet.pipe and RuleSet.analyze_paths: one item (a text,
a (name, text) pair, or a path to read) to a Document, on this process's
threads or on a pool of processes that receive the RuleSet by pickle."""

from __future__ import annotations

import collections
import itertools
import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from ._errors import Error
from ._library import library_path, load_library

if TYPE_CHECKING:
    from ._ruleset import RuleSet

Outcome = Any  # a Document, or with return_exceptions the exception raised


def _read(path: Any) -> str | bytes:
    """A file's text: a str when it is valid UTF-8 (no newline
    translation, so char offsets index the file's characters), else its
    bytes, which analyze() rejects or repairs as its options say."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def analyze_item(rules: RuleSet, item: Any, kw: dict[str, Any], read: bool,
                 return_exceptions: bool) -> Outcome:
    """Analyze one item: a text, or a (name, text) pair; with ``read``, a
    (name, path) pair whose file is read here."""
    name, text = item if isinstance(item, tuple) else (None, item)
    try:
        if read:
            text = _read(text)
        return rules.analyze(text, name=name, **kw)
    except (Error, OSError) as e:
        if return_exceptions:
            return e
        raise


def _init_worker(lib_path: str) -> None:
    """A pool process uses the library file its parent uses."""
    load_library(lib_path)


def _run_batch(rules: RuleSet, batch: list[Any], kw: dict[str, Any],
               read: bool, return_exceptions: bool) -> list[Outcome]:
    # rules was unpickled for this batch: loaded once per process (see
    # _ruleset._unpickle), so it is not closed here.
    return [analyze_item(rules, item, kw, read, return_exceptions)
            for item in batch]


def in_processes(rules: RuleSet, items: Iterable[Any], n_process: int,
                 batch_size: int, kw: dict[str, Any], read: bool,
                 return_exceptions: bool) -> Iterator[Outcome]:
    """The outcomes of ``items`` in input order, computed in batches on
    ``n_process`` spawned processes, at most 2 batches per process ahead."""
    it = iter(items)
    batches = iter(lambda: list(itertools.islice(it, batch_size)), [])
    ex = ProcessPoolExecutor(max_workers=n_process,
                             mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init_worker,
                             initargs=(library_path(),))
    try:
        pending = collections.deque(
            ex.submit(_run_batch, rules, b, kw, read, return_exceptions)
            for b in itertools.islice(batches, 2 * n_process))
        while pending:
            fut = pending.popleft()
            for b in itertools.islice(batches, 1):
                pending.append(ex.submit(_run_batch, rules, b, kw, read,
                                         return_exceptions))
            yield from fut.result()
    finally:
        ex.shutdown(wait=True, cancel_futures=True)

