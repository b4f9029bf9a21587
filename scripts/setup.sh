#!/usr/bin/env bash
# Set up omsdesktop on a Debian/Ubuntu machine from nothing:
#   system packages (Tesseract with Russian and English, Poppler, the libraries Qt needs),
#   a virtualenv in .venv, and the package itself (editable).
# Usage: scripts/setup.sh [--dev]     (--dev adds what the tests need)
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[ "${1:-}" = "--dev" ] && DEV=1

APT_RUNTIME=(
  tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng poppler-utils
  libgl1 libegl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
  libxcb-render-util0 libxcb-image0 libxcb-xkb1 fonts-dejavu-core
)
# Tests render synthetic documents with these fonts, encrypt PDFs with qpdf, take screenshots
# under Xvfb, and run a real PostgreSQL and SANE test scanner.
# SANE's tests need python-sane, the extra omsdesktop[sane], which is built from source.
APT_DEV=(
  xvfb xauth fonts-dejavu fonts-liberation fonts-freefont-ttf fonts-paratype fonts-klee qpdf
  libsane1 libsane-dev gcc libc6-dev python3-dev
)

missing=()
want=("${APT_RUNTIME[@]}")
[ "$DEV" = 1 ] && want+=("${APT_DEV[@]}")
if command -v dpkg >/dev/null 2>&1; then
  for p in "${want[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
fi
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Устанавливаю системные пакеты: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" != 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "Создаю виртуальное окружение .venv"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ "$DEV" = 1 ]; then
  .venv/bin/python -m pip install -q -e '.[dev,sane]'
else
  .venv/bin/python -m pip install -q -e .
fi
# Compiled translations for the window (built from the .ts sources, never committed; the
# wheel compiles its own in setup.py).
if [ -x scripts/build_translations.sh ]; then
  scripts/build_translations.sh
fi
echo "Готово: .venv/bin/omsdesktop"
