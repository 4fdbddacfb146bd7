#!/usr/bin/env bash
# Create .venv (if missing) and install Tolerance into it, editable, with the given extras.
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh test
# Then the page's chart library: npm ci in web/ (from the committed lockfile) and a copy of the
# files the page loads into web/vendor/ (git-ignored, served at /vendor, shipped in the wheel).
#
# Nothing already done is done again: .venv/tolerance-setup.stamp records the hash of
# pyproject.toml with each set of extras installed, web/vendor.stamp the hash of the lockfile
# and the vendored file list. pip runs only when the venv is missing or pyproject.toml or the
# extras changed; npm only when web/vendor/ is incomplete or the lockfile changed (so a second
# start needs neither the network nor npm).
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Tolerance needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1)." >&2
  echo "Set PYTHON=/path/to/python3.11 and run again." >&2
  exit 1
fi

# sha256 of the named files' bytes followed by the extra words (portable: no sha256sum on macOS).
digest() {
  "$python" -c 'import hashlib, sys
h = hashlib.sha256()
for name in sys.argv[1].split():
    with open(name, "rb") as f:
        h.update(f.read())
h.update(" ".join(sys.argv[2:]).encode())
print(h.hexdigest())' "$@"
}

# Python: the venv and the editable install.
py_stamp=.venv/tolerance-setup.stamp
py_hash="$(digest pyproject.toml)"
wanted="$py_hash ${extras:-base}"
installed=false
venv_works() { [ -x .venv/bin/python ] && .venv/bin/python -c '' 2>/dev/null; }
if venv_works && [ -x .venv/bin/tolerance ] && [ -f "$py_stamp" ]; then
  # One line per set of extras installed from this pyproject.toml; any of them includes the base.
  if grep -qxF "$wanted" "$py_stamp" || { [ -z "$extras" ] && grep -q "^$py_hash " "$py_stamp"; }; then
    installed=true
  fi
fi
if [ "$installed" = false ]; then
  echo "Installing Tolerance${extras:+ with [$extras]} into .venv ..." >&2
  if ! venv_works; then
    # Missing, or broken (its Python was removed or upgraded away): made afresh.
    "$python" -m venv --clear .venv
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  # setuptools tells every editable install of a package-dir layout to beware of folders named
  # like the package (information only, nothing to fix): that one notice is filtered out.
  PYTHONWARNINGS="ignore:Editable installation:UserWarning" \
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}"
  rm -f "$py_stamp.new"
  if [ -f "$py_stamp" ]; then grep "^$py_hash " "$py_stamp" | grep -vxF "$wanted" >"$py_stamp.new" || true; fi
  echo "$wanted" >>"$py_stamp.new"
  mv "$py_stamp.new" "$py_stamp"
fi

# The page's chart library, from npm's registry through the lockfile.
vendored="web/node_modules/uplot/dist/uPlot.iife.min.js web/node_modules/uplot/dist/uPlot.min.css"
js_stamp=web/vendor.stamp
js_hash="$(digest web/package-lock.json "$vendored")"
complete=true
for f in $vendored; do
  if [ ! -f "web/vendor/$(basename "$f")" ]; then complete=false; fi
done
if [ ! -f web/vendor/uPlot.LICENSE.txt ] || [ ! -f "$js_stamp" ] || [ "$(cat "$js_stamp")" != "$js_hash" ]; then
  complete=false
fi
if [ "$complete" = false ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is missing: the page's chart library (uPlot) comes from the npm registry." >&2
    echo "Install Node.js 18+ with npm (Debian: apt-get install npm) and run scripts/setup.sh again." >&2
    exit 1
  fi
  echo "Fetching the page's chart library with npm ci ..." >&2
  (cd web && npm ci --no-audit --no-fund --silent)
  rm -rf web/vendor "$js_stamp"
  mkdir -p web/vendor
  # shellcheck disable=SC2086 # the list is split on purpose
  cp $vendored web/vendor/
  cp web/node_modules/uplot/LICENSE web/vendor/uPlot.LICENSE.txt
  echo "$js_hash" >"$js_stamp"
fi
