"""The run manifest (`marts/<year>/manifest.json`): what went in, what came out, what was checked,
and with which code, so an auditor can rerun the year and compare."""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import duckdb

from pipelines.db.connect import BuildRef, connect, table_exists
from pipelines.hashing import sha256_of as sha256_file
from pipelines.settings import PROJECT_ROOT

MANIFEST_NAME = "manifest.json"
PACKAGES = (
    "duckdb",
    "dbt-core",
    "dbt-duckdb",
    "dbt-postgres",
    "psycopg",
    "dagster",
    "dagster-dbt",
    "polars",
    "fastexcel",
)


def code_version() -> dict:
    """The git commit (and whether the tree had changes), when the project is a git checkout."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return {"git_sha": sha, "git_dirty": bool(dirty)}
    except (OSError, subprocess.CalledProcessError):
        return {"git_sha": None, "git_dirty": None}


def environment() -> dict:
    lock = PROJECT_ROOT / "uv.lock"
    return {
        **code_version(),
        "uv_lock_sha256": sha256_file(lock) if lock.exists() else None,
        "python": platform.python_version(),
        "packages": {name: metadata.version(name) for name in PACKAGES},
    }


def inputs(build_path: BuildRef) -> list[dict]:
    """Every raw file the run saw, with its row accounting."""
    with connect(build_path) as con:
        has_log = table_exists(con, "audit", "load_log")
        log_join = (
            "left join (select file_name, sum(rows_read) as rows_read, sum(rows_clean) as rows_clean, "
            "sum(rows_duplicate) as rows_duplicate, sum(rows_quarantined) as rows_quarantined "
            "from audit.load_log group by file_name) as log using (file_name)"
            if has_log
            else "left join (select null::varchar as file_name, null::bigint as rows_read, null::bigint as rows_clean, "
            "null::bigint as rows_duplicate, null::bigint as rows_quarantined) as log using (file_name)"
        )
        rows = con.execute(
            f"""
            select f.source, f.file_name, f.file_sha256, f.file_bytes, f.status, f.error_code,
                   log.rows_read, log.rows_clean, log.rows_duplicate, log.rows_quarantined
            from raw.files as f {log_join}
            order by f.file_name
            """
        ).fetchall()
    keys = (
        "source",
        "path",
        "sha256",
        "bytes",
        "status",
        "error_code",
        "rows_read",
        "rows_clean",
        "rows_duplicate",
        "rows_quarantined",
    )
    return [dict(zip(keys, row, strict=True)) for row in rows]


def outputs(directory: Path, rows: dict[str, int]) -> list[dict]:
    return [
        {"path": name, "sha256": sha256_file(directory / name), "rows": rows.get(name)}
        for name in sorted(rows)
        if (directory / name).is_file()
    ]


def dbt_checks(run_results: Path) -> list[dict]:
    """Every dbt test of the run with its status (from dbt's run_results.json)."""
    if not run_results.exists():
        return []
    results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    return [
        {
            "check": r["unique_id"],
            "kind": "dbt_test",
            "status": r["status"],
            "rows_affected": r.get("failures") or 0,
        }
        for r in sorted(results, key=lambda r: r["unique_id"])
        if r["unique_id"].startswith(("test.", "unit_test."))
    ]


def figures(report_figures: Path) -> dict[str, dict]:
    """Every figure of report_figures.parquet (exact values as text), for the audit to compare."""
    if not report_figures.is_file():
        return {}
    with duckdb.connect() as con:
        rows = con.execute(
            "select figure_key, value, unit, display_zh, source_rows from read_parquet(?) "
            "order by figure_key",
            [str(report_figures)],
        ).fetchall()
    return {
        key: {
            "value": None if value is None else str(value),
            "unit": unit,
            "display_zh": display,
            "source_rows": source_rows,
        }
        for key, value, unit, display, source_rows in rows
    }


def write_manifest(
    directory: Path,
    year: int,
    run_id: str,
    build_path: BuildRef,
    output_rows: dict[str, int],
    checks: list[dict],
    fingerprint: dict | None = None,
    quarantine_accepted: list[dict] | None = None,
) -> Path:
    """quarantine_accepted: the sources published over the quarantine gate by
    --accept-quarantine, with their shares (pipelines/checks/quarantine.py)."""
    manifest = {
        "year": year,
        "run_id": run_id,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "environment": environment(),
        "inputs": inputs(build_path),
        "outputs": outputs(directory, output_rows),
        "checks": checks,
        "figures": figures(directory / "report_figures.parquet"),
        "fingerprint": fingerprint,
        "quarantine_accepted": quarantine_accepted or [],
    }
    path = directory / MANIFEST_NAME
    path.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    return path


def read_manifest(manifest_path: Path) -> dict | None:
    """A publication's manifest, or None when there is none or it cannot be read."""
    try:
        return json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
