#!/usr/bin/env bash
# Set everything up (if needed) and start the app. With no display, prints the CLI help.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/omsdesktop "$@"
