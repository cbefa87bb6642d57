"""What the union office's page shows for a year: what has arrived per source and department, what
is missing, each department's quarantine, and the last run's state and figures. Read from raw/,
the submissions ledger, and the year's publication (marts/<year>/manifest.json,
quarantine.parquet) and run logs; nothing personal (file names, counts, figures only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.contract import load_contract
from pipelines.frontdoor.departments import department
from pipelines.frontdoor.submissions import ledger
from pipelines.ingest.source import source_files
from pipelines.publish.manifest import MANIFEST_NAME, read_manifest
from pipelines.run.log import year_logs


@dataclass
class Arrival:
    source: str
    department: str | None
    file_name: str
    time: str
    rows: int | None
    rows_clean: int | None
    checked_by: str  # 'run' (the last publication read it) or 'upload' (the instant check)

    @property
    def rows_to_fix(self) -> int | None:
        return None if self.rows is None else self.rows - (self.rows_clean or 0)


@dataclass
class YearStatus:
    year: int
    arrivals: list[Arrival] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)  # department -> sources
    sources_without_files: list[str] = field(default_factory=list)
    quarantine_counts: dict[str, int] = field(default_factory=dict)  # department code -> rows
    run: dict | None = None
    figures: list[tuple[str, str]] = field(default_factory=list)
    latest_log: str | None = None
    latest_run_published: bool | None = None  # the latest run's log is the published run's


def _department_of(relative: str, submitted: dict) -> str | None:
    if relative in submitted:
        return submitted[relative]["department"]
    parts = relative.split("/")
    return parts[1] if len(parts) > 2 and department(parts[1]) else None


def year_status(
    year: int,
    raw_dir: Path,
    marts_dir: Path,
    warehouse: Path,
    work_dir: Path,
    expected: dict[str, list[str]],
) -> YearStatus:
    """`expected`: department code -> the sources it sends (empty: every source)."""
    status = YearStatus(year)
    contract = load_contract()
    submitted = ledger(work_dir, year)
    manifest = read_manifest(marts_dir / str(year) / MANIFEST_NAME)
    published = {i["path"]: i for i in (manifest or {}).get("inputs", [])}
    year_dir = raw_dir / str(year)
    have: dict[str, set[str]] = {}
    for source in contract.sources:
        files = source_files(year_dir, source)
        if not files:
            status.sources_without_files.append(source)
        for path in files:
            relative = path.relative_to(year_dir).as_posix()
            who = _department_of(relative, submitted)
            have.setdefault(who or "", set()).add(source)
            status.arrivals.append(_arrival(source, who, relative, path, submitted, published))
    for code, sources in expected.items():
        if department(code):
            due = sources or list(contract.sources)
            missing = [s for s in due if s not in have.get(code, set())]
            if missing:
                status.missing[code] = missing
    quarantine = marts_dir / str(year) / "quarantine.parquet"
    if quarantine.exists():
        counts = pl.read_parquet(quarantine).group_by("department_code").len()
        status.quarantine_counts = {
            (r["department_code"] or ""): r["len"]
            for r in counts.sort("department_code", nulls_last=True).iter_rows(named=True)
        }
    if manifest:
        checks = manifest.get("checks", [])
        status.run = {
            "run_id": manifest["run_id"][:8],
            "created_at": manifest["created_at"],
            "checks_passed": sum(c["status"] == "pass" for c in checks),
            "checks_other": sum(c["status"] != "pass" for c in checks),
        }
        status.figures = [
            (key, value.get("display_zh") or value.get("value"))
            for key, value in manifest.get("figures", {}).items()
        ]
    logs = year_logs(warehouse, year)
    if logs:
        status.latest_log = logs[-1].name
        if status.run:  # a log is named <year>-<date>-<time>-<first 8 of the run id>.log
            status.latest_run_published = logs[-1].stem.endswith(status.run["run_id"])
    return status


def _arrival(
    source: str, who: str | None, relative: str, path: Path, submitted: dict, published: dict
) -> Arrival:
    record = submitted.get(relative)
    run = published.get(relative)
    stamp = (
        record["time"]
        if record
        else dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")
    )
    if run and (record is None or run.get("sha256") == record["sha256"]):
        rows, clean, by = run.get("rows_read"), run.get("rows_clean"), "run"
    elif record:
        rows, clean, by = record["rows"], record["rows_clean"], "upload"
    else:
        rows, clean, by = None, None, "none"
    return Arrival(source, who, relative, stamp.replace("T", " ")[:19], rows, clean, by)


def department_quarantine(marts_dir: Path, year: int, code: str) -> pl.DataFrame | None:
    """A department's rows of the year's published quarantine (None when nothing is published)."""
    path = marts_dir / str(year) / "quarantine.parquet"
    if not path.exists():
        return None
    return pl.read_parquet(path).filter(pl.col("department_code") == code)
