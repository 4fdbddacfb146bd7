"""benchmarks/validation.py writes docs/validation.md: run it into a temp file, check the tables."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "validation.py"


def test_validation_script_writes_its_tables(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("validation", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "validation.md"
    assert module.main(["--out", str(out)]) == 0
    text = out.read_text()
    assert "| pyhrv-nni-long-60min.txt | LF |" in text
    assert "## The Welch tail defect" in text and "## Quality gate under contamination" in text
    assert text.count("| 20 % |") == 1
    assert "## Kubios HRV's settings (`--spectrum kubios`)" in text and "Not reproduced" in text
    assert "| Kubios 3.1 (PGomes92/kubios" in text and "| MATLAB `hanning` (no zero end points) |" in text
    assert "| pyhrv-nni-long-60min.txt, whole | HF |" in text
