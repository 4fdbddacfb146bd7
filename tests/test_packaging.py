"""The wheel is the app: built from the sources after ``scripts/setup.sh``, it carries the page and
its vendored chart library, and installed into a fresh venv with no npm anywhere on PATH its
``tolerance serve`` serves the page and uPlot.

The wheel is built from a copy of the package folders (so that no stale ``build/`` of the clone
can slip files in), installed with its dependencies by pip into a new ``python -m venv``, and
the server is that venv's own ``tolerance`` script, started from a folder outside the clone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

ROOT = Path(__file__).parents[1]
PACKAGE_FOLDERS = ("api", "hrv", "sensors", "simulations", "web")
VENDORED = ("uPlot.iife.min.js", "uPlot.min.css", "uPlot.LICENSE.txt")
_NOT_SOURCES = shutil.ignore_patterns("__pycache__", "*.egg-info")


@dataclass
class Installed:
    wheel: Path
    build_log: str
    venv: Path
    tmp: Path


def _no_npm_path(venv: Path) -> str:
    """The venv's bin folder and the system's, minus any folder holding npm (as on a worker's machine)."""
    folders = [str(venv / "bin")] + [d for d in os.defpath.split(os.pathsep) + ["/usr/local/bin"] if d]
    return os.pathsep.join(d for d in dict.fromkeys(folders) if not (Path(d) / "npm").exists())


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    missing = [name for name in VENDORED if not (ROOT / "web" / "vendor" / name).is_file()]
    assert not missing, f"web/vendor/ lacks {missing}: run scripts/setup.sh first"
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    for folder in PACKAGE_FOLDERS:
        shutil.copytree(ROOT / folder, src / folder, ignore=_NOT_SOURCES)
    dist = tmp / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-w", str(dist), str(src)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("tolerance_hrv-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    env = {**os.environ, "PATH": _no_npm_path(venv)}
    env.pop("PYTHONPATH", None)
    assert shutil.which("npm", path=env["PATH"]) is None
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp,
        timeout=1200,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    yield Installed(wheel, built.stdout + built.stderr, venv, tmp)
    shutil.rmtree(venv, ignore_errors=True)  # hundreds of MB: numpy, scipy, pandas


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_wheel_carries_the_page_and_its_vendored_files(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for name in VENDORED:
        assert f"tolerance/web/vendor/{name}" in names
    pages = {p.name for p in (ROOT / "web" / "static").iterdir() if p.is_file()}
    assert {n.removeprefix("tolerance/web/static/") for n in names if n.startswith("tolerance/web/static/")} == pages
    assert "tolerance/simulations/scenarios/calm.toml" in names
    assert not [n for n in names if "node_modules" in n or n.endswith(("package.json", "package-lock.json", ".stamp"))]
    # The package data is declared exactly: setuptools has nothing to warn about.
    assert "BuildBackendWarning" not in installed.build_log
    assert "absent from the `packages` configuration" not in installed.build_log


def _wait_for_url(log: Path, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        m = re.search(r"Tolerance is live at (\S+)", log.read_text())
        if m:
            return m.group(1)
        time.sleep(0.05)
    raise AssertionError("the installed tolerance serve printed no URL:\n" + log.read_text())


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_installed_app_serves_the_page_and_uplot_without_npm(installed: Installed) -> None:
    venv, tmp = installed.venv, installed.tmp
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import tolerance.web, sys; print(tolerance.web.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp,
        check=True,
    ).stdout
    assert where.startswith(str(venv)), where  # the installed copy, not the clone
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": _no_npm_path(venv), "HOME": str(home), "PYTHONUNBUFFERED": "1"}
    log = tmp / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(venv / "bin" / "tolerance"), "serve", "--sim", "calm", "--port", "0", "--db", str(tmp / "t.sqlite3")],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp,
        )
    try:
        url = _wait_for_url(log, proc)
        # The URL exactly as printed; when it carries an access token, every request shows it.
        token = parse_qs(urlsplit(url).query).get("token", [None])[0]
        headers = {"authorization": f"Bearer {token}"} if token else {}
        with httpx.Client(follow_redirects=True, headers=headers, timeout=30) as client:
            page = client.get(url)
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/html")
            assert "/vendor/uPlot.iife.min.js" in page.text
            base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
            for name in VENDORED[:2]:
                got = client.get(f"{base}/vendor/{name}")
                assert got.status_code == 200, name
                assert got.content == (ROOT / "web" / "vendor" / name).read_bytes()
            # The web app manifest and its icons, for installing the page as an app.
            manifest = client.get(f"{base}/static/manifest.webmanifest")
            assert manifest.status_code == 200
            for icon in manifest.json()["icons"]:
                assert client.get(base + icon["src"]).content == (ROOT / "web" / icon["src"].lstrip("/")).read_bytes()
        assert "chart library is missing" not in log.read_text()
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
