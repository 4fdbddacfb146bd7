#!/usr/bin/env bash
# Create .venv (if missing) and install Tolerance into it, editable, with the given extras.
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh test
# Then the page's chart library: npm ci in web/ (from the committed lockfile) and a copy of the
# files the page loads into web/vendor/ (git-ignored, served at /vendor, shipped in the wheel).
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Tolerance needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1)." >&2
  echo "Set PYTHON=/path/to/python3.11 and run again." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
if [ -n "$extras" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
else
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: the page's chart library (uPlot) comes from the npm registry." >&2
  echo "Install Node.js 18+ with npm (Debian: apt-get install npm) and run scripts/setup.sh again." >&2
  exit 1
fi
(cd web && npm ci --no-audit --no-fund --silent)
rm -rf web/vendor
mkdir -p web/vendor
cp web/node_modules/uplot/dist/uPlot.iife.min.js web/node_modules/uplot/dist/uPlot.min.css web/vendor/
cp web/node_modules/uplot/LICENSE web/vendor/uPlot.LICENSE.txt
