# SPDX-License-Identifier: MIT
"""Shared by the examples: import gdprx (installed, or from this checkout)
and list the policy files of folders."""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import gdprx
except ImportError:  # running from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))
    import gdprx

__all__ = ["gdprx", "policy_files"]


def policy_files(paths: list[str]) -> list[Path]:
    """Every policy file in `paths` (files, or folders searched
    recursively), skipping gold annotations and hidden files, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += [f for f in sorted(p.rglob("*"))
                    if f.is_file() and not f.name.startswith(".")
                    and not f.name.endswith(".json")]
        else:
            out.append(p)
    return out
