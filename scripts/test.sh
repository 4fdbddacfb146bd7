#!/usr/bin/env bash
# Set everything up and run the whole test suite: Python packages into .venv, Debian's
# chromium for the browser tests and dbus-daemon for the scripted BlueZ (installed with apt-get
# when missing), then the linter, the formatter check, mypy and pytest.
# Extra arguments go to pytest, e.g. scripts/test.sh -k engine
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..." >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "chromium is missing and this user cannot install it: run 'apt-get install chromium' as root." >&2
    exit 1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
if ! command -v dbus-daemon >/dev/null 2>&1; then
  # The scripted BlueZ (tests/support/bluez.py) runs on a private dbus-daemon of its own.
  echo "Installing Debian's dbus-daemon for the BlueZ tests..." >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "dbus-daemon is missing and this user cannot install it: run 'apt-get install dbus-daemon' as root." >&2
    exit 1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dbus-daemon >/dev/null
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
