"""Shared test helpers: the project root and a way to run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_RAW = PROJECT_ROOT / "raw"


def run_cli(
    *args: str, cwd: Path | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run `unionwh` in a fresh process, exactly as a user would."""
    unionwh = Path(sys.executable).with_name("unionwh")
    return subprocess.run(
        [str(unionwh), *args],
        cwd=cwd or PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture
def scratch(tmp_path: Path) -> dict[str, Path]:
    """A scratch warehouse and marts folder for one run."""
    return {"warehouse": tmp_path / "warehouse" / "union.duckdb", "marts": tmp_path / "marts"}
