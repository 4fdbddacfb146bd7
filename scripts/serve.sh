#!/usr/bin/env bash
# Set up and run the live server on a simulated strap; arguments go to `tolerance serve`
# (default: --sim calm). Prints the URL to open.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ $# -eq 0 ]; then set -- --sim calm; fi
exec .venv/bin/tolerance serve "$@"
