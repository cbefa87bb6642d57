"""The project's paths, and settings from the environment: the default paths and the variables
the resources read.

Light on purpose (no Dagster, no DuckDB): the command line imports it at start-up to show its
defaults and to hand its options to pipelines.resources through the same variables that
`dagster dev` reads, so paths resolve in one place however a run starts.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# dbt's parse-only target (the Dagster assets' manifest); a run uses its build's own target folder
DBT_TARGET_DIR = DBT_PROJECT_DIR / "target"

DEFAULT_RAW = Path("raw")
DEFAULT_WAREHOUSE = Path("warehouse/union.duckdb")
DEFAULT_MARTS = Path("marts")
DEFAULTS = {
    "UNIONWH_RAW_DIR": str(DEFAULT_RAW),
    "UNIONWH_WAREHOUSE": str(DEFAULT_WAREHOUSE),
    "UNIONWH_MARTS_DIR": str(DEFAULT_MARTS),
}


def setting(name: str) -> str:
    """A path setting: the environment variable, else the default, relative to the project root."""
    value = os.environ.get(name) or DEFAULTS[name]
    path = Path(value)
    return str(path if path.is_absolute() else (Path.cwd() / path).resolve())


def configure(
    raw_dir: Path,
    warehouse: Path,
    marts_dir: Path,
    target: str = "duckdb",
    pg_dsn: str | None = None,
    university: str | None = None,
    accept_quarantine: list[str] | None = None,
) -> None:
    """Hand the paths, the target and the accepted quarantine to the Dagster resources
    (pipelines.resources reads these variables)."""
    os.environ["UNIONWH_RAW_DIR"] = str(raw_dir.resolve())
    os.environ["UNIONWH_ACCEPT_QUARANTINE"] = ",".join(accept_quarantine or [])
    os.environ["UNIONWH_WAREHOUSE"] = str(warehouse.resolve())
    os.environ["UNIONWH_MARTS_DIR"] = str(marts_dir.resolve())
    os.environ["UNIONWH_TARGET"] = target
    if pg_dsn:
        os.environ["UNIONWH_PG_DSN"] = pg_dsn
    if university:
        os.environ["UNIONWH_UNIVERSITY"] = university
