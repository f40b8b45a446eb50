# SPDX-License-Identifier: MIT
"""PEP 517 build backend of the gdprx package.

The wheel bundles the C library and the default rule set: build_wheel runs
the checkout's own meson build (the project two levels up, -Dtests=false,
release), then writes a wheel of the package's modules, gdprx/libgdprx.so.N
(found first by gdprx._library: "next to the module") and gdprx/rules/
(used by RuleSet.load() when no path and no $GDPRX_RULES is given), tagged
for this platform (py3-none-<platform>: the library is loaded with ctypes,
so any Python 3 of that platform can use it). $GDPRX_LIBRARY still
overrides the bundled library.

Why this backend and not meson-python or a setuptools extension: the
package is not a meson project itself (its meson.build is a subdir of the
checkout's, for the tests), and a second meson project building the library
would need its own copy of lib/'s source list, which would drift as lib/
grows; meson-python 0.12 (Debian) also places a libdir library outside the
package. setuptools only makes a platform wheel around a compiled extension
and, before 70.1, needs the separate `wheel` package, which Debian's
setuptools 65 lacks. Writing the wheel (a zip with METADATA, WHEEL and
RECORD) takes 40 lines and needs only the standard library, meson and
ninja, so `pip install --no-build-isolation ./bindings/python` works
offline with what tools/deps.sh installs.

Settings: $GDPRX_MESON (the meson command, default `meson`),
$GDPRX_BUILD_DIR (a meson build directory to reuse; default a temporary
one, removed afterwards). The sdist and editable hooks stay setuptools'
(an editable install uses the checkout's build/lib/, see gdprx._library),
with a fallback for editable installs where setuptools cannot make wheels.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
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


def _platform_tag() -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", sysconfig.get_platform())


def _dist_info(name: str, version: str, metadata: str,
               tag: str = "py3-none-any") -> list[tuple[str, bytes]]:
    di = f"{name}-{version}.dist-info"
    pure = "true" if tag.endswith("-any") else "false"
    wheel = ("Wheel-Version: 1.0\nGenerator: gdprx_build\n"
             f"Root-Is-Purelib: {pure}\nTag: {tag}\n")
    return [(f"{di}/METADATA", metadata.encode()), (f"{di}/WHEEL", wheel.encode())]


def _write_wheel(directory: str, files: list[tuple[str, bytes]], name: str,
                 version: str, tag: str = "py3-none-any") -> str:
    filename = f"{name}-{version}-{tag}.whl"
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


# ------------------------------------------------- the C library, bundled

CHECKOUT = ROOT.parent.parent


def _run(cmd: list[str]) -> None:
    print("gdprx_build:", " ".join(map(shlex.quote, cmd)), file=sys.stderr)
    subprocess.run(cmd, check=True, stdout=sys.stderr)


def _build_library(builddir: Path) -> Path:
    """Configure (once) and build libgdprx in builddir; the shared
    library's real file."""
    if not (CHECKOUT / "meson.build").is_file() or \
            not (CHECKOUT / "include" / "gdprx.h").is_file():
        raise RuntimeError(
            f"{CHECKOUT} is not a gdprx checkout: the wheel is built from the "
            "C sources two levels above bindings/python (pip install "
            "./bindings/python from a checkout)")
    meson = shlex.split(os.environ.get("GDPRX_MESON", "meson"))
    if shutil.which(meson[0]) is None:
        raise RuntimeError("meson not found: install meson and ninja "
                           "(tools/deps.sh), or set GDPRX_MESON")
    if not (builddir / "build.ninja").is_file():
        _run(meson + ["setup", str(builddir), str(CHECKOUT), "-Dtests=false",
                      "--buildtype=release", "-Db_ndebug=true"])
    _run(meson + ["compile", "-C", str(builddir), "gdprx:shared_library"])
    libs = sorted(p for p in (builddir / "lib").glob("libgdprx.so.*")
                  if not p.is_symlink())
    if not libs:
        raise RuntimeError(f"no libgdprx.so.* built in {builddir / 'lib'}")
    return libs[0]


def _soname_file() -> str:
    """The name gdprx._library looks for next to the module."""
    text = (ROOT / "gdprx" / "_library.py").read_text(encoding="utf-8")
    names = re.search(r'_LIB_NAMES = \["(libgdprx\.so\.\d+)"', text)
    return names.group(1)


def _native_files(builddir: Path) -> list[tuple[str, bytes]]:
    lib = _build_library(builddir)
    out = [(f"gdprx/{_soname_file()}", lib.read_bytes())]
    rules = CHECKOUT / "rules"
    for f in sorted(rules.rglob("*.yaml")):
        out.append((f"gdprx/rules/{f.relative_to(rules).as_posix()}", f.read_bytes()))
    if len(out) < 2:
        raise RuntimeError(f"no rule files in {rules}")
    return out


def _build_bundled_wheel(wheel_directory: str) -> str:
    name, version, metadata = _metadata()
    tag = f"py3-none-{_platform_tag()}"
    reuse = os.environ.get("GDPRX_BUILD_DIR")
    tmp = None if reuse else tempfile.mkdtemp(prefix="gdprx-wheel-")
    try:
        native = _native_files(Path(reuse or tmp))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return _write_wheel(wheel_directory,
                        _package_files() + native + _dist_info(name, version, metadata, tag),
                        name, version, tag)


# ----------------------------------------------------------------- hooks

def get_requires_for_build_wheel(config_settings=None):
    return []   # meson and ninja are programs, not Python requirements


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _prepare_metadata(metadata_directory)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _build_bundled_wheel(wheel_directory)


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
