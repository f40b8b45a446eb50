#!/usr/bin/env bash
# Quick start: install what is missing, build, and analyze a bundled example
# policy (French), printing its findings.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null
build/tools/gdprx examples/policies/boulangerie.fr.txt
