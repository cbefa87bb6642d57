"""dbt's own command line on the project, against one build file: the reference the tests of
tests/dbt compare with (dbt's runner in its own process, as a person would run it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
YEAR = 2023


def run_dbt(
    command: list[str], build_db: Path, work: Path, postgres_dsn: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`dbt <command>` for the year, its target and logs under work, on the DuckDB build file (or,
    given postgres_dsn, on that PostgreSQL build database); never raises on failure."""
    from pipelines.db.postgres import dsn_parts

    executable = shutil.which("dbt") or str(Path(sys.executable).with_name("dbt"))
    environment = os.environ | {"UNIONWH_BUILD_DB": str(build_db)}
    target = []
    if postgres_dsn is not None:
        target = ["--target", "postgres"]
        parts = dsn_parts(postgres_dsn)
        environment |= {f"UNIONWH_PG_{key.upper()}": value for key, value in parts.items()}
    return subprocess.run(
        [
            executable,
            *command,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
            "--vars",
            f"{{year: {YEAR}}}",
            *target,
        ],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
