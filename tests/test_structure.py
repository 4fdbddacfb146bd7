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


# -- the module graph: no import cycle, no private name across a module boundary ---------------

GRAPH_PACKAGES = ["hrv", "sensors", "simulations", "api"]


def _module_name(path: Path) -> str:
    """``hrv/analysis/fast.py`` -> ``tolerance.hrv.analysis.fast`` (``__init__`` -> the package)."""
    parts = ["tolerance", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, except those under ``if TYPE_CHECKING:``."""
    out: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return out


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` reads from (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _module_graph(packages: list[str]) -> tuple[dict[str, set[str]], list[str]]:
    """Edges between our modules (``from . import x`` counts as importing ``x``), and every
    private name imported from another module, as ``file:line``."""
    files = {_module_name(f): f for p in packages for f in sorted((ROOT / p).rglob("*.py"))}
    graph: dict[str, set[str]] = {m: set() for m in files}
    private: list[str] = []
    for module, path in files.items():
        is_package = path.name == "__init__.py"
        for node in _import_nodes(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                source = _resolve(module, is_package, node)
                submodules = [f"{source}.{a.name}" for a in node.names if f"{source}.{a.name}" in files]
                # `from . import x` reads the submodule x; the package counts when a name is its own.
                targets = submodules + ([source] if len(submodules) < len(node.names) else [])
                for alias in node.names:
                    dunder = alias.name.startswith("__") and alias.name.endswith("__")
                    if f"{source}.{alias.name}" not in files and alias.name.startswith("_") and not dunder:
                        if source.startswith("tolerance."):
                            private.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {alias.name} from {source}")
            for target in targets:
                # Importing a.b.c runs a and a.b first: those edges count too, except the packages
                # that enclose the importing module (already running when it is imported).
                parts = target.split(".")
                for k in range(1, len(parts) + 1):
                    name = ".".join(parts[:k])
                    enclosing = k < len(parts) and module.startswith(name + ".")
                    if name in files and name != module and not enclosing:
                        graph[module].add(name)
    return graph, private


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


@pytest.mark.parametrize("package", GRAPH_PACKAGES)
def test_no_import_cycle_between_modules(package: str) -> None:
    graph, _ = _module_graph([package])
    cycle = _find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


@pytest.mark.parametrize("package", GRAPH_PACKAGES)
def test_no_private_name_crosses_a_module_boundary(package: str) -> None:
    _, private = _module_graph([package])
    assert not private, private


def test_the_cycle_checker_finds_a_cycle_and_reports_it() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _find_cycle(graph) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_relative_imports_resolve_to_absolute_modules() -> None:
    node = ast.parse("from ..segments import x").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _resolve("tolerance.hrv.analysis.fast", False, node) == "tolerance.hrv.segments"
    assert _resolve("tolerance.hrv.analysis", True, node) == "tolerance.hrv.segments"


def test_every_package_folder_is_listed_for_the_wheel() -> None:
    """An editable install finds subpackages by path, a wheel only those listed: list them all."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    folders = {
        "tolerance." + ".".join(f.parent.relative_to(ROOT).parts)
        for root in ("sensors", "hrv", "api", "simulations", "web")
        for f in (ROOT / root).rglob("__init__.py")
    }
    assert folders <= listed, sorted(folders - listed)
    assert all(config["package-dir"][p] == p.removeprefix("tolerance.").replace(".", "/") for p in listed)
