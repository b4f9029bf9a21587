#!/usr/bin/env bash
# Compile the window's translations: omsdesktop/resources/i18n/*.ts -> *.qm (not committed).
#   scripts/build_translations.sh            compile (called by scripts/setup.sh)
#   scripts/build_translations.sh --update   first refresh the .ts files from the source code
#                                            (after adding or changing UI strings), then compile
# Russian is the source language: omsdesktop_ru.ts holds only plural forms (lupdate
# -pluralonly); omsdesktop_en.ts holds every string's English translation.
# The tools are pyside6-lupdate/pyside6-lrelease from the PySide6-Essentials wheel (PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=""
for candidate in .venv/bin /tmp/venv/bin "$(dirname "$(command -v python3)")"; do
  if [ -x "$candidate/pyside6-lrelease" ]; then BIN="$candidate"; break; fi
done
if [ -z "$BIN" ] && command -v pyside6-lrelease >/dev/null 2>&1; then
  BIN="$(dirname "$(command -v pyside6-lrelease)")"
fi
if [ -z "$BIN" ]; then
  echo "build_translations: pyside6-lrelease not found (install PySide6-Essentials)" >&2
  exit 1
fi
DIR=omsdesktop/resources/i18n
if [ "${1:-}" = "--update" ]; then
  mapfile -t SOURCES < <(find omsdesktop/ui -name '*.py' | sort)
  "$BIN/pyside6-lupdate" -silent -no-obsolete -locations relative -source-language ru \
    -target-language en "${SOURCES[@]}" -ts "$DIR/omsdesktop_en.ts"
  "$BIN/pyside6-lupdate" -silent -no-obsolete -locations relative -source-language ru \
    -target-language ru -pluralonly "${SOURCES[@]}" -ts "$DIR/omsdesktop_ru.ts"
fi
for ts in "$DIR"/omsdesktop_*.ts; do
  "$BIN/pyside6-lrelease" -silent "$ts" -qm "${ts%.ts}.qm"
done
