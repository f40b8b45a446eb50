# SPDX-License-Identifier: MIT
"""The C interface of libgdprx as ctypes sees it: the status codes, the
constants, the struct layouts (mirrors of gdprx.h, checked by the tests
against the C compiler) and the prototype of every function.

Declarations only: finding and loading the library is _library's job.
"""

from __future__ import annotations

import ctypes
import enum
from typing import Any


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
_OPT_EXPLAIN = 1 << 1
_FORMATS = {None: 0, "auto": 0, "text": 1, "html": 2}
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
        ("format", ctypes.c_int),        # gdprx_format: 0 auto, 1 text, 2 html
        ("chunk_size", ctypes.c_size_t), # 0: GDPRX_CHUNK_DEFAULT
        ("max_html_tags", ctypes.c_size_t),  # 0: the default limit
        ("max_html_size", ctypes.c_size_t),  # 0: GDPRX_HTML_SIZE_DEFAULT
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
        ("text", ctypes.c_void_p),       # may contain NUL bytes: text_len
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
        ("text_len", ctypes.c_size_t),   # bytes of text (HTML: visible text)
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
        ("labels", ctypes.c_char_p),
        ("selected", ctypes.c_int),
    ]


class _RuleInfo(ctypes.Structure):
    """struct gdprx_rule_info"""

    _fields_ = [
        ("id", ctypes.c_char_p),
        ("type", ctypes.c_char_p),
        ("subtype", ctypes.c_char_p),
        ("articles", ctypes.POINTER(ctypes.c_char_p)),
        ("n_articles", ctypes.c_size_t),
        ("langs", ctypes.c_uint),
    ]


_P = ctypes.POINTER
_vp, _sz, _int, _cp = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_char_p

# gdprx_finding_fn: int (*)(void *ctx, const gdprx_finding *f, size_t index)
_FINDING_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p,
                               ctypes.POINTER(_Finding), ctypes.c_size_t)

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
    # the limits of gdprx_rules_options are not exposed yet: opts is opaque
    "gdprx_rules_options_init_sized": (None, [_vp, _sz]),
    "gdprx_rules_load_opts": (_int, [_P(_vp), _cp, _vp, _P(_Error)]),
    "gdprx_rules_load_yaml_opts": (_int, [_P(_vp), _cp, _sz, _cp, _vp,
                                          _P(_Error)]),
    "gdprx_rules_free": (None, [_vp]),
    "gdprx_rules_count": (_sz, [_vp]),
    "gdprx_rules_get": (_P(_RuleInfo), [_vp, _sz]),
    "gdprx_rules_pattern": (_cp, [_vp, _cp, _int, _sz]),
    "gdprx_rules_warning_count": (_sz, [_vp]),
    "gdprx_rules_warning": (_cp, [_vp, _sz]),
    "gdprx_rules_test": (_int, [_P(_vp), _P(_sz), _vp, _int, _P(_Error)]),
    "gdprx_options_init_sized": (None, [_P(_Options), ctypes.c_size_t]),
    "gdprx_analyze": (_int, [_P(_vp), _vp, _cp, _sz, _P(_Options), _P(_Error)]),
    # (out, rules, text, len, opts, each, ctx, err): RuleSet.analyze_each
    "gdprx_analyze_each": (_int, [_P(_vp), _vp, _cp, _sz, _P(_Options),
                                  _FINDING_FN, _vp, _P(_Error)]),
    "gdprx_analyze_write_json": (_int, [_P(_vp), _vp, _cp, _sz, _P(_Options),
                                        _vp, _vp, _P(_Error)]),
    "gdprx_result_free": (None, [_vp]),
    "gdprx_result_lang": (_int, [_vp]),
    "gdprx_result_count": (_sz, [_vp]),
    "gdprx_result_streamed": (_sz, [_vp]),
    "gdprx_result_get": (_P(_Finding), [_vp, _sz]),
    "gdprx_result_segment_count": (_sz, [_vp]),
    "gdprx_result_segment": (_P(_Segment), [_vp, _sz]),
    "gdprx_result_warning_count": (_sz, [_vp]),
    "gdprx_result_warning": (_cp, [_vp, _sz]),
    "gdprx_result_coverage_count": (_sz, [_vp]),
    "gdprx_result_coverage": (_P(_CoverageItem), [_vp, _sz]),
    "gdprx_result_to_json": (_int, [_P(_vp), _P(_sz), _vp, _P(_Error)]),
    # (res, write(ctx, bytes, len) -> int, ctx, err): the binding serializes
    # with gdprx_result_to_json; declared so that every export has a type
    "gdprx_result_write_json": (_int, [_vp, _vp, _vp, _P(_Error)]),
    "gdprx_normalize": (_int, [_P(_vp), _P(_sz), _cp, _sz, ctypes.c_uint, _P(_Error)]),
    "gdprx_free": (None, [_vp]),
}


# ---- version comparison (gdprx_diff) ----

_DIFF_KINDS = {1: "added", 2: "removed", 3: "changed"}
# gdprx_diff_entry.changes bits, in bit order
_DIFF_CHANGES = ("polarity", "duration", "age", "email", "section")
_DIFF_NONE = ctypes.c_size_t(-1).value


class _DiffEntry(ctypes.Structure):
    """struct gdprx_diff_entry"""

    _fields_ = [
        ("kind", ctypes.c_int),          # gdprx_diff_kind
        ("old_index", ctypes.c_size_t),  # _DIFF_NONE when added
        ("new_index", ctypes.c_size_t),  # _DIFF_NONE when removed
        ("old_finding", ctypes.POINTER(_Finding)),
        ("new_finding", ctypes.POINTER(_Finding)),
        ("changes", ctypes.c_uint),
        ("similarity", ctypes.c_double),
    ]


class _DiffOptions(ctypes.Structure):
    """struct gdprx_diff_options"""

    _fields_ = [
        ("size", ctypes.c_size_t),       # set by gdprx_diff_options_init_sized
        ("min_similarity", ctypes.c_double),
    ]


_SIGNATURES.update({
    "gdprx_diff_options_init_sized": (None, [_P(_DiffOptions), _sz]),
    "gdprx_diff": (_int, [_P(_vp), _vp, _vp, _P(_DiffOptions), _P(_Error)]),
    "gdprx_diff_free": (None, [_vp]),
    "gdprx_diff_count": (_sz, [_vp]),
    "gdprx_diff_get": (_P(_DiffEntry), [_vp, _sz]),
})
