# SPDX-License-Identifier: MIT
"""Text between Python and the C library: a str or bytes argument to the
UTF-8 the library reads, its UTF-8 back to str, byte offsets to str
indices, the ``lang`` and ``types`` arguments, and :func:`normalize`."""

from __future__ import annotations

import codecs
import ctypes
from collections.abc import Iterable
from typing import Union

from ._errors import InputError, _raise
from ._library import _lib
from ._native import _LANG_BY_CODE, _OPT_REPLACE_INVALID, Status, _Error

Text = Union[str, bytes, bytearray, memoryview]


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
