"""scripts/setup.sh, and so scripts/serve.sh, does nothing it has already done: pip and npm run only
when something changed, and a second start goes straight to ``tolerance serve``.

The script runs for real (bash, in a copy of the files it reads) with recording stand-ins for
the two slow steps: ``PYTHON`` is a wrapper that records ``-m venv`` and ``-m pip`` (and runs
this interpreter for anything else; the venv it makes has a ``tolerance`` that records its
arguments), and ``npm`` is a wrapper that records its arguments and
lays out ``node_modules/uplot`` as ``npm ci`` would. The PATH holds only the tools the script
needs, so a run that reaches for npm when the stand-in is withdrawn fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
TOOLS = ("bash", "cat", "cp", "dirname", "basename", "grep", "mkdir", "mv", "rm", "chmod")

FAKE_PYTHON = """#!{bash}
if [ "$1" = -m ] && [ "$2" = venv ]; then
  shift 2; echo "venv $*" >>{log}
  for dir in "$@"; do :; done  # the last argument
  rm -rf "$dir" && mkdir -p "$dir/bin" && cp "$0" "$dir/bin/python"
  printf '#!{bash}\\necho "tolerance $*" >>{log}\\n' >"$dir/bin/tolerance"
  chmod +x "$dir/bin/tolerance"
  exit 0
fi
if [ "$1" = -m ] && [ "$2" = pip ]; then shift 2; echo "pip $*" >>{log}; exit 0; fi
exec {python} "$@"
"""

FAKE_NPM = """#!{bash}
echo "npm $*" >>{log}
mkdir -p node_modules/uplot/dist
echo "uPlot js" >node_modules/uplot/dist/uPlot.iife.min.js
echo "uPlot css" >node_modules/uplot/dist/uPlot.min.css
echo "MIT" >node_modules/uplot/LICENSE
"""


class Checkout:
    """A copy of the files setup.sh reads, and a way to run it with recorded pip and npm."""

    def __init__(self, tmp: Path) -> None:
        self.root = tmp / "repo"
        (self.root / "scripts").mkdir(parents=True)
        (self.root / "web").mkdir()
        for script in ("setup.sh", "serve.sh"):
            shutil.copy(ROOT / "scripts" / script, self.root / "scripts" / script)
        shutil.copy(ROOT / "pyproject.toml", self.root / "pyproject.toml")
        shutil.copy(ROOT / "web" / "package-lock.json", self.root / "web" / "package-lock.json")
        self.log = tmp / "calls.log"
        self.log.touch()
        self.tools = tmp / "tools"
        self.tools.mkdir()
        for tool in TOOLS:
            found = shutil.which(tool)
            assert found, tool
            (self.tools / tool).symlink_to(found)
        bash = shutil.which("bash")
        self.python = tmp / "python3"
        self.python.write_text(FAKE_PYTHON.format(bash=bash, log=self.log, python=sys.executable))
        self.npm_dir = tmp / "npm-bin"
        self.npm_dir.mkdir()
        (self.npm_dir / "npm").write_text(FAKE_NPM.format(bash=bash, log=self.log))
        for script in (self.python, self.npm_dir / "npm"):
            script.chmod(0o755)

    def run(self, *extras: str, npm: bool = True, script: str = "setup.sh") -> tuple[list[str], str]:
        """Run the script; the calls it made to pip, venv, npm and tolerance, and everything it printed."""
        before = self.log.read_text().splitlines()
        path = f"{self.npm_dir}:{self.tools}" if npm else str(self.tools)
        env = {"PATH": path, "PYTHON": str(self.python), "HOME": os.environ.get("HOME", "/tmp")}
        r = subprocess.run(
            ["bash", f"scripts/{script}", *extras],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 0, r.stdout + r.stderr
        return self.log.read_text().splitlines()[len(before) :], r.stdout + r.stderr


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    return Checkout(tmp_path)


def _installs(calls: list[str]) -> list[str]:
    return [c for c in calls if c.startswith("pip install") and " -e " in c]


def test_first_run_installs_and_vendors_then_a_second_run_does_nothing_and_needs_no_npm(checkout: Checkout) -> None:
    calls, _ = checkout.run("test")
    assert calls[0] == "venv --clear .venv"
    assert _installs(calls) == ["pip install --quiet --disable-pip-version-check -e .[test]"]
    assert [c for c in calls if c.startswith("npm")] == ["npm ci --no-audit --no-fund --silent"]
    vendor = checkout.root / "web" / "vendor"
    assert sorted(p.name for p in vendor.iterdir()) == ["uPlot.LICENSE.txt", "uPlot.iife.min.js", "uPlot.min.css"]
    assert (vendor / "uPlot.iife.min.js").read_text() == "uPlot js\n"

    calls, printed = checkout.run("test", npm=False)
    assert calls == []
    assert printed == ""
    # The base install is part of every install with extras: serve.sh after test.sh installs nothing.
    calls, printed = checkout.run(npm=False)
    assert (calls, printed) == ([], "")


def test_a_second_serve_sh_start_goes_straight_to_serve(checkout: Checkout) -> None:
    calls, _ = checkout.run(script="serve.sh")
    assert len(_installs(calls)) == 1 and "npm ci --no-audit --no-fund --silent" in calls
    assert calls[-1] == "tolerance serve --sim calm"
    calls, printed = checkout.run("--device", "Polar H10", script="serve.sh", npm=False)
    assert calls == ["tolerance serve --device Polar H10"]
    assert printed == ""


def test_a_changed_pyproject_reinstalls_without_npm(checkout: Checkout) -> None:
    checkout.run()
    pyproject = checkout.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n# a new dependency\n")
    calls, printed = checkout.run(npm=False)
    assert _installs(calls) == ["pip install --quiet --disable-pip-version-check -e ."]
    assert not any(c.startswith(("npm", "venv")) for c in calls)
    assert "Installing Tolerance into .venv" in printed
    assert checkout.run(npm=False)[0] == []


def test_new_extras_install_once(checkout: Checkout) -> None:
    checkout.run()
    assert _installs(checkout.run("test")[0]) == ["pip install --quiet --disable-pip-version-check -e .[test]"]
    assert _installs(checkout.run("bench")[0]) == ["pip install --quiet --disable-pip-version-check -e .[bench]"]
    assert checkout.run("test")[0] == []
    assert checkout.run("bench")[0] == []


def test_a_missing_venv_is_created_again(checkout: Checkout) -> None:
    checkout.run()
    shutil.rmtree(checkout.root / ".venv")
    calls, _ = checkout.run(npm=False)
    assert calls[0] == "venv --clear .venv"
    assert len(_installs(calls)) == 1


def test_a_broken_venv_is_made_afresh(checkout: Checkout) -> None:
    checkout.run()
    python = checkout.root / ".venv" / "bin" / "python"
    python.unlink()
    python.write_text("#!/bin/sh\nexit 127\n")  # as when the Python it linked to is gone
    python.chmod(0o755)
    calls, _ = checkout.run(npm=False)
    assert calls[0] == "venv --clear .venv"
    assert len(_installs(calls)) == 1
    assert checkout.run(npm=False)[0] == []


@pytest.mark.parametrize("change", ["lockfile", "missing vendor file", "missing stamp"])
def test_npm_runs_again_only_when_the_vendored_files_are_out_of_date(checkout: Checkout, change: str) -> None:
    checkout.run()
    web = checkout.root / "web"
    if change == "lockfile":
        (web / "package-lock.json").write_text((web / "package-lock.json").read_text() + "\n")
    elif change == "missing vendor file":
        (web / "vendor" / "uPlot.min.css").unlink()
    else:
        (web / "vendor.stamp").unlink()
    calls, printed = checkout.run()
    assert calls == ["npm ci --no-audit --no-fund --silent"]
    assert "npm ci" in printed
    assert (web / "vendor" / "uPlot.min.css").is_file()
    assert checkout.run()[0] == []


def test_out_of_date_vendored_files_without_npm_say_what_to_install(checkout: Checkout) -> None:
    checkout.run()
    (checkout.root / "web" / "vendor" / "uPlot.iife.min.js").unlink()
    r = subprocess.run(
        ["bash", "scripts/setup.sh"],
        cwd=checkout.root,
        env={"PATH": str(checkout.tools), "PYTHON": str(checkout.python)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1
    assert "npm is missing" in r.stderr and "apt-get install npm" in r.stderr
