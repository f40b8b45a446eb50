# SPDX-License-Identifier: MIT
"""The binding's exceptions, and the one place where a C status and its
``struct gdprx_error`` become one of them (_raise)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._native import Status

if TYPE_CHECKING:
    from ._library import _Library
    from ._native import _Error


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
    pattern rejected by PCRE2 (EPATTERN), unreadable file (EIO) or a rule
    file beyond a limit of gdprx_rules_options (ELIMIT with a file).
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
    if rc == Status.ELIMIT and err.file:   # a rule file crossed a limit
        cls = RuleError
    raise cls(rc, message,
              file=err.file.decode("utf-8", "replace") or None,
              line=err.line or None,
              column=err.column or None,
              offset=err.offset if err.offset >= 0 else None)
