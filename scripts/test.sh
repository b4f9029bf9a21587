#!/usr/bin/env bash
# Set everything up (if needed) and run every check and test: lint, format, types,
# layer contracts, and the whole pytest suite with real Tesseract, PostgreSQL, HTTP and SANE.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
if [ -f scripts/ci_postgres.sh ]; then
  # shellcheck disable=SC1091
  source scripts/ci_postgres.sh
fi
if [ -f scripts/ci_sane.sh ]; then
  # shellcheck disable=SC1091
  source scripts/ci_sane.sh
fi
export QT_QPA_PLATFORM=offscreen
export OMP_THREAD_LIMIT=1
echo "== ruff"; .venv/bin/ruff check omsdesktop tests benchmarks
echo "== ruff format"; .venv/bin/ruff format --check omsdesktop tests benchmarks
echo "== mypy"; .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== pytest"; .venv/bin/python -m pytest "$@"
