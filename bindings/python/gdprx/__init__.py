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
   ``libgdprx.so.1`` through ``LD_LIBRARY_PATH`` and the default paths).

An explicit path (1 or 2) is the only one tried: a wrong one is an error,
never a silent fall-back to another copy of the library. When no library is
found, :class:`LibraryError` lists every path tried and why each failed.

Threads: a :class:`RuleSet` is immutable and shared; ctypes releases the GIL
during each C call, so threads analyzing with the same rule set run in
parallel (:meth:`RuleSet.analyze_many`).
"""

from __future__ import annotations

# The modules, each named for its job (every name below is imported from
# the package, ``gdprx.X``, never from these modules):
#   _native   the C interface: status codes, constants, struct layouts,
#             function prototypes
#   _errors   the exceptions, and C status -> exception (_raise)
#   _library  finding, loading and version-checking libgdprx
#   _text     str/bytes <-> UTF-8, byte -> str offsets, lang/types
#             arguments, normalize()
#   _model    the result dataclasses and their copy out of a C result
#   _ruleset  RuleSet: load, lifetime, pickling, queries, analyze,
#             analyze_each, iter_findings, analyze_many, pipe, analyze_paths
#   _pool     one item of pipe/analyze_paths, and their process pool

from ._errors import _EXCEPTIONS, Error, InputError, LibraryError, RuleError, _raise
from ._library import (
    _LIB_NAMES,
    PathArg,
    _candidates,
    _checkout_root,
    _lib,
    _Library,
    _loaded_path,
    _open,
    _version_tuple,
    library_path,
    library_version,
    load_library,
    strerror,
)
from ._model import (
    _NO_ATTRS,
    FINDING_FIELDS,
    RECORD_FIELDS,
    Attrs,
    CoverageItem,
    Document,
    Finding,
    RuleTestReport,
    Segment,
    StreamSummary,
    _build_document,
)
from ._native import (
    _DiffEntry,
    _DiffOptions,
    _LANG_AUTO,
    _LANG_BY_CODE,
    _LANG_CODES,
    _LANG_EN,
    _LANG_FR,
    _LANG_NL,
    _NEGATED,
    _OPT_REPLACE_INVALID,
    _SEGMENT_KINDS,
    _SIGNATURES,
    Status,
    _CoverageItem,
    _Error,
    _Finding,
    _Options,
    _RuleInfo,
    _Segment,
)
from ._ruleset import RuleSet
from ._diff import Change, Diff
from ._text import (
    _CONT_BYTES,
    Text,
    _char_offsets,
    _decode,
    _encode,
    _lang_enum,
    _replace_each_byte,
    _types_arg,
    normalize,
)

__version__ = "0.1.0"

# The binding's version as numbers. _library reads it from here at each
# load and refuses a library whose major or minor version differs.
_BINDING_VERSION = tuple(int(x) for x in __version__.split("."))

__all__ = [
    "Attrs",
    "Change",
    "CoverageItem",
    "Diff",
    "Document",
    "Error",
    "FINDING_FIELDS",
    "Finding",
    "InputError",
    "LibraryError",
    "RECORD_FIELDS",
    "RuleError",
    "RuleSet",
    "RuleTestReport",
    "Segment",
    "Status",
    "StreamSummary",
    "library_path",
    "library_version",
    "load_library",
    "normalize",
    "strerror",
    "__version__",
]

# The public classes and functions name the package as their module, as
# when they were all defined in this file: tracebacks, reprs and pickles
# say gdprx.RuleError, not gdprx._errors.RuleError.
for _name in __all__:
    if _name not in ("__version__", "FINDING_FIELDS", "RECORD_FIELDS"):
        globals()[_name].__module__ = __name__
del _name
