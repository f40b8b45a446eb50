# SPDX-License-Identifier: MIT
"""PEP 517 build backend of the gdprx package: setuptools, with one fallback.

Every hook is setuptools.build_meta's whenever setuptools can make wheels.
setuptools older than 70.1 makes them only with the separate `wheel`
package; where that is missing and no package index can bring it (e.g.
`pip install --no-build-isolation` with a Python that has setuptools 65 but
no `wheel`), the wheel hooks below write the pure-Python wheel themselves
(the package is its modules and a marker file), from the same pyproject.toml.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import zipfile
from pathlib import Path

from setuptools import build_meta as _st
from setuptools.build_meta import build_sdist, get_requires_for_build_sdist  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def _setuptools_makes_wheels() -> bool:
    try:
        import setuptools.command.bdist_wheel  # noqa: F401  (setuptools >= 70.1)
        return True
    except ImportError:
        pass
    try:
        import wheel.bdist_wheel  # noqa: F401
        return True
    except ImportError:
        return False


# ------------------------------------------------------------ the fallback

def _pyproject() -> dict:
    try:
        import tomllib  # Python >= 3.11
    except ImportError:  # Python 3.10: the tomli that setuptools < 70.1 vendors
        from setuptools.extern import tomli as tomllib  # type: ignore
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _version() -> str:
    text = (ROOT / "gdprx" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def _metadata() -> tuple[str, str, str]:
    """(distribution name, version, METADATA text)."""
    conf = _pyproject()
    project = conf["project"]
    name, version = project["name"], _version()
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if "description" in project:
        lines.append(f"Summary: {project['description']}")
    if "license" in project:
        lines.append(f"License: {project['license'].get('text', '')}")
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    lines += [f"Classifier: {c}" for c in project.get("classifiers", [])]
    body = ""
    if isinstance(project.get("readme"), str):
        lines.append("Description-Content-Type: text/markdown")
        body = "\n" + (ROOT / project["readme"]).read_text(encoding="utf-8")
    return name, version, "\n".join(lines) + "\n" + body


def _package_files() -> list[tuple[str, bytes]]:
    conf = _pyproject()
    tool = conf.get("tool", {}).get("setuptools", {})
    data = tool.get("package-data", {})
    out = []
    for pkg in tool.get("packages", []):
        d = ROOT / pkg.replace(".", "/")
        for f in sorted(d.iterdir()):
            if f.is_file() and (f.suffix == ".py" or f.name in data.get(pkg, [])):
                out.append((f"{pkg.replace('.', '/')}/{f.name}", f.read_bytes()))
    return out


def _dist_info(name: str, version: str, metadata: str) -> list[tuple[str, bytes]]:
    di = f"{name}-{version}.dist-info"
    wheel = ("Wheel-Version: 1.0\nGenerator: gdprx_build\n"
             "Root-Is-Purelib: true\nTag: py3-none-any\n")
    return [(f"{di}/METADATA", metadata.encode()), (f"{di}/WHEEL", wheel.encode())]


def _write_wheel(directory: str, files: list[tuple[str, bytes]], name: str,
                 version: str) -> str:
    filename = f"{name}-{version}-py3-none-any.whl"
    record_path = f"{name}-{version}.dist-info/RECORD"
    record = []
    with zipfile.ZipFile(os.path.join(directory, filename), "w",
                         zipfile.ZIP_DEFLATED) as z:
        for path, content in files:
            z.writestr(path, content)
            digest = base64.urlsafe_b64encode(
                hashlib.sha256(content).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(content)}")
        record.append(f"{record_path},,")
        z.writestr(record_path, "\n".join(record) + "\n")
    return filename


def _prepare_metadata(metadata_directory: str) -> str:
    name, version, metadata = _metadata()
    for path, content in _dist_info(name, version, metadata):
        p = Path(metadata_directory, path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content)
    return f"{name}-{version}.dist-info"


# ----------------------------------------------------------------- hooks

def get_requires_for_build_wheel(config_settings=None):
    if _setuptools_makes_wheels():
        return _st.get_requires_for_build_wheel(config_settings)
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    if _setuptools_makes_wheels():
        return _st.prepare_metadata_for_build_wheel(metadata_directory, config_settings)
    return _prepare_metadata(metadata_directory)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    if _setuptools_makes_wheels():
        return _st.build_wheel(wheel_directory, config_settings, metadata_directory)
    name, version, metadata = _metadata()
    return _write_wheel(wheel_directory,
                        _package_files() + _dist_info(name, version, metadata),
                        name, version)


def get_requires_for_build_editable(config_settings=None):
    if _setuptools_makes_wheels():
        return _st.get_requires_for_build_editable(config_settings)
    return []


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    if _setuptools_makes_wheels():
        return _st.prepare_metadata_for_build_editable(metadata_directory, config_settings)
    return _prepare_metadata(metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    if _setuptools_makes_wheels():
        return _st.build_editable(wheel_directory, config_settings, metadata_directory)
    name, version, metadata = _metadata()
    pth = (f"__editable__.{name}-{version}.pth", (str(ROOT) + "\n").encode())
    return _write_wheel(wheel_directory, [pth] + _dist_info(name, version, metadata),
                        name, version)
