#!/usr/bin/env bash
# Set everything up (if needed) and run every check and test: lint, format, types,
# layer contracts, and the whole pytest suite with real Tesseract, PostgreSQL, HTTP and SANE.
#
# scripts/test.sh --fast [PYTEST ARGS]: the same checks, but only the fast tier of tests,
# `pytest -m "not slow"` (the Qt-free logic: no Tesseract, no subprocesses, no servers; see
# tests/conftest.py), and without starting PostgreSQL or SANE, which only slow tests use.
# For the edit-and-test loop; CI (.ci/run) runs everything, without --fast.
set -euo pipefail
cd "$(dirname "$0")/.."
FAST=0
if [ "${1:-}" = "--fast" ]; then
  FAST=1
  shift
fi
scripts/setup.sh --dev
if [ "$FAST" = 0 ] && [ -f scripts/ci_postgres.sh ]; then
  # shellcheck disable=SC1091
  source scripts/ci_postgres.sh
fi
if [ "$FAST" = 0 ] && [ -f scripts/ci_sane.sh ]; then
  # shellcheck disable=SC1091
  source scripts/ci_sane.sh
fi
export QT_QPA_PLATFORM=offscreen
export OMP_THREAD_LIMIT=1
echo "== ruff"; .venv/bin/ruff check omsdesktop tests benchmarks
echo "== ruff format"; .venv/bin/ruff format --check omsdesktop tests benchmarks
echo "== mypy"; .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
if [ "$FAST" = 1 ]; then
  echo "== pytest (fast tier)"; .venv/bin/python -m pytest -m "not slow" "$@"
else
  echo "== pytest"; .venv/bin/python -m pytest "$@"
fi
