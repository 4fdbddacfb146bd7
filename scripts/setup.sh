#!/usr/bin/env bash
# Create .venv (if missing) and install Tolerance into it, editable, with the given extras.
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh test
# Then the page's chart library and the API documentation pages' (Swagger UI, Redoc): npm ci in
# web/ (from the committed lockfile) and a copy of the files the pages load into web/vendor/
# (git-ignored, served at /vendor, shipped in the wheel).
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
# The API's own documentation pages (/docs, /redoc) load these instead of a CDN's.
cp web/node_modules/swagger-ui-dist/swagger-ui-bundle.js web/node_modules/swagger-ui-dist/swagger-ui.css web/vendor/
cp web/node_modules/swagger-ui-dist/LICENSE web/vendor/swagger-ui.LICENSE.txt
# Redoc's sidebar shows a logo from its CDN, which the page's policy would block (and log):
# the copy points it at an empty data: URL instead, which Redoc then hides (its onError).
sed 's#https://cdn.redoc.ly/redoc/logo-mini.svg#data:,#g' web/node_modules/redoc/bundles/redoc.standalone.js \
  > web/vendor/redoc.standalone.js
cp web/node_modules/redoc/LICENSE web/vendor/redoc.LICENSE.txt
cp web/node_modules/redoc/bundles/redoc.standalone.js.LICENSE.txt web/vendor/redoc.standalone.js.LICENSE.txt
