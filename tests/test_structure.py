"""The shape of the code: imports flow one way, packages declare their public names, the CLI starts light."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
FORBIDDEN = {
    "hrv": {"sensors", "simulations", "api", "web"},
    "sensors": {"simulations", "api", "hrv", "web"},
    "simulations": {"api", "hrv", "web"},
}
IO_MODULES = {"asyncio", "sqlite3", "socket", "open", "pathlib", "os"}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.append((node.lineno, node.module))
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_flow_one_way(package: str) -> None:
    wrong = []
    for f in (ROOT / package).rglob("*.py"):
        for line, name in _imports(f):
            parts = name.split(".")
            sibling = parts[1] if parts[0] == "tolerance" and len(parts) > 1 else None
            if sibling in FORBIDDEN[package]:
                wrong.append(f"{f.relative_to(ROOT)}:{line} imports {name}")
    assert not wrong, wrong


def test_hrv_does_no_io_and_no_asyncio() -> None:
    wrong = []
    for f in (ROOT / "hrv").rglob("*.py"):
        for line, name in _imports(f):
            if name.split(".")[0] in IO_MODULES:
                wrong.append(f"{f.relative_to(ROOT)}:{line} imports {name}")
        if "async def" in f.read_text() or "open(" in f.read_text():
            wrong.append(f"{f.relative_to(ROOT)} has async code or opens files")
    assert not wrong, wrong


@pytest.mark.parametrize("package", ["sensors", "hrv", "simulations", "api"])
def test_every_public_name_is_declared_and_importable(package: str) -> None:
    module = importlib.import_module(f"tolerance.{package}")
    assert sorted(module.__all__) == sorted(set(module.__all__))
    for name in module.__all__:
        assert getattr(module, name) is not None


@pytest.mark.parametrize("argv", [["--help"], ["decode", "10495e039603"]])
def test_light_commands_do_not_import_numpy_bleak_or_neurokit2(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from tolerance.api.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'numpy', 'bleak', 'neurokit2', 'pandas', 'fastapi'} & set(sys.modules)\n"
        "print('HEAVY', sorted(heavy), file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in r.stderr, r.stderr
