#!/usr/bin/env bash
# Extract the words of our templates and code into templates/locale/travelrisk.pot, and merge them
# into each language's catalogue (templates/locale/<lang>/LC_MESSAGES/travelrisk.po). Run after
# changing a template's or the code's text; then translate the new entries in each .po file.
# Usage: scripts/catalogues.sh [new-language ...]   (e.g. scripts/catalogues.sh es to start Spanish)
set -euo pipefail
cd "$(dirname "$0")/.."
pot=templates/locale/travelrisk.pot
pybabel extract -F scripts/babel.cfg -k _ --no-location --sort-output --project travelrisk -o "$pot" .
for lang in "$@"; do
  pybabel init -D travelrisk -i "$pot" -d templates/locale -l "$lang"
done
for po in templates/locale/*/LC_MESSAGES/travelrisk.po; do
  [ -e "$po" ] || continue
  lang=$(basename "$(dirname "$(dirname "$po")")")
  pybabel update -D travelrisk -i "$pot" -d templates/locale -l "$lang" --no-fuzzy-matching
done
