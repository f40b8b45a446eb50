# SPDX-License-Identifier: MIT
"""Finding and loading libgdprx: the search order (see the package's
documentation), the version check, and the library in use (one per
process, loaded on first use, replaced by load_library)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Union

from ._errors import LibraryError
from ._native import _SIGNATURES, Status

PathArg = Union[str, "os.PathLike[str]"]


def _version_tuple(number: int) -> tuple[int, int, int]:
    return number // 10000, number // 100 % 100, number % 100


if sys.platform == "darwin":
    _LIB_NAMES = ["libgdprx.0.dylib", "libgdprx.dylib"]
elif sys.platform == "win32":
    _LIB_NAMES = ["gdprx-0.dll", "libgdprx-0.dll", "gdprx.dll"]
else:
    _LIB_NAMES = ["libgdprx.so.1", "libgdprx.so"]


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
        # The binding's version is the package's (gdprx/__init__.py), read
        # at each load: gdprx._BINDING_VERSION is the value checked.
        from . import _BINDING_VERSION, __version__
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
