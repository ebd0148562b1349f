#!/usr/bin/env bash
# Install travelrisk and the system packages it needs, on Debian or Ubuntu.
#   bash scripts/install.sh          # what rendering needs
#   bash scripts/install.sh --test   # plus what the test suite needs (poppler, Chromium, axe-core)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   # WeasyPrint; HarfBuzz subsetting makes PDFs ~4.7x faster
  shared-mime-info                                       # WeasyPrint's MIME sniffing of local files
  fonts-inter fonts-dejavu-core fonts-liberation2        # the fonts the templates name: installed, never fetched
  fontconfig fonts-noto-core fonts-noto-cjk              # fallbacks for Thai, Arabic, Hebrew, CJK, Hangul (the library's JP, CN, KR, TH...)
  fonts-noto-color-emoji                                 # and emoji, so no text of an advisory becomes boxes
)
test_packages=(
  poppler-utils                                          # pdftotext, pdftoppm, pdffonts, pdfinfo for PDF tests
  chromium nodejs                                        # browser tests: Debian's Chromium; axe-core from npm
)
with_tests=false
[[ "${1:-}" == "--test" ]] && with_tests=true && packages+=("${test_packages[@]}")

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi

if $with_tests; then
  python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
  # axe-core for the accessibility checks, pinned by tests/browser/package-lock.json.
  command -v npm >/dev/null || $sudo apt-get install -y -qq --no-install-recommends npm  # nodesource bundles it
  npm ci --prefix tests/browser --no-audit --no-fund --silent
else
  python3 -m pip install --quiet --disable-pip-version-check -e .
fi
# Compiled once here, as pip does for a regular install: an editable checkout on a machine that
# sets PYTHONDONTWRITEBYTECODE would otherwise compile every module again in every run (~0.06 s).
python3 -m compileall -q src/travelrisk
