#!/usr/bin/env bash
# Install the Debian packages gdprx needs to build and test, if missing.
# Uses sudo when not run as root. Safe to run repeatedly.
set -euo pipefail
pkgs=(gcc meson ninja-build pkg-config libicu-dev libpcre2-dev libyaml-dev
      libgumbo-dev   # HTML input: lib/html.c
      check python3 python3-venv python3-setuptools python3-pip python3-yaml
      python3-distributed    # python3-dask comes with it: examples/python/dask_bag.py and its test
      chromium)   # gdprx report's pages in a headless browser: tests/check_report_browser.py
pkgs+=("$@")
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
