#!/usr/bin/env bash
# Build and run the whole test suite (unit suites, rule examples, corpus,
# examples, Python binding). Extra meson options may be passed in
# MESON_ARGS and another build directory in BUILD_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
dir=${BUILD_DIR:-build}
if [ ! -f "$dir/build.ninja" ]; then
    # shellcheck disable=SC2086
    meson setup "$dir" ${MESON_ARGS:-} >/dev/null
elif [ -n "${MESON_ARGS:-}" ]; then
    # shellcheck disable=SC2086
    meson configure "$dir" ${MESON_ARGS} >/dev/null
fi
meson compile -C "$dir"
meson test -C "$dir" --print-errorlogs ${MESON_TEST_ARGS:-}
