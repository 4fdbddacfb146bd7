"""The package's public surface and its import boundary."""

from __future__ import annotations

import ast
from pathlib import Path

import tolerance.simulations as simulations


def test_every_exported_name_exists() -> None:
    for name in simulations.__all__:
        assert hasattr(simulations, name), name
    assert sorted(simulations.__all__) == simulations.__all__


def test_simulations_import_only_sensors_numpy_scipy_and_the_standard_library() -> None:
    # The Polar codec is pure bytes (no bleak): the simulated H10 encodes its frames with it.
    allowed_ours = {
        "tolerance.sensors",
        "tolerance.sensors.samples",
        "tolerance.sensors.heart_rate",
        "tolerance.sensors.polar",
    }
    for path in Path(simulations.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                if name.startswith("tolerance"):
                    assert name in allowed_ours, f"{path.name} imports {name}"
                assert name.split(".")[0] not in {"neurokit2", "bleak", "fastapi"}, path.name
