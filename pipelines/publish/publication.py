"""Write, audit, publish: the year's outputs appear all at once or not at all.

Outputs are written to a scratch folder beside marts/<year>/ and swapped in by rename; the analysts'
warehouse is rebuilt into a new file and renamed over the published one. A reader who has the old
file open keeps reading the old file (no lock error, never half a mart); a crash before the rename
leaves the last publication as it was.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.db.connect import BuildRef, connect, dialect, quote_identifier, scalar, table_exists
from pipelines.locks import held
from pipelines.publish.durability import replace_durably
from pipelines.publish.files import WORKBOOK_SHEET_ROWS, fetch_sorted, write_csv, write_parquet
from pipelines.publish.history import create_cross_year_views
from pipelines.publish.labels import column_labels, table_titles
from pipelines.publish.workbook import SheetAbout, write_workbook

PUBLISHED_SCHEMAS = ("marts", "audit")
# The analysts' file is written in the newest storage format DuckDB 1.1 reads (ATTACH's
# STORAGE_VERSION; 'v1.2.0' and later formats are refused by 1.1): DBeaver's bundled driver, the
# duckdb command line, R and Python 1.x clients open it. The private build keeps DuckDB 2.0's own.
PUBLISHED_STORAGE_VERSION = "v1.1.0"
QUARANTINE_TABLE = "audit.quarantine"
UNASSIGNED_DEPARTMENT = "未归属部门"
QUARANTINE_SHEET = "隔离行"


@dataclass
class Publication:
    year: int
    directory: Path
    files: dict[str, int] = field(default_factory=dict)  # relative path -> rows


def _tables(con, catalog: str, schemas=PUBLISHED_SCHEMAS) -> list[tuple[str, str]]:
    """The base tables of the published schemas (a DuckDB build or a PostgreSQL build database)."""
    contains = (
        "table_schema = any(?)" if dialect(con) == "postgres" else "list_contains(?, table_schema)"
    )
    return con.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_catalog = ? and {contains} and table_type = 'BASE TABLE' "
        "order by 1, 2",
        [catalog, list(schemas)],
    ).fetchall()


def write_year_outputs(
    build_path: BuildRef, out_dir: Path, year: int, manifest_path: Path
) -> Publication:
    """Parquet per mart and audit table, marts.xlsx and quarantine.xlsx, into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    publication = Publication(year, out_dir)
    labels = column_labels(manifest_path)
    titles = table_titles(manifest_path)
    marts_sheets, elsewhere, about = {}, {}, {}
    with connect(build_path) as con:
        catalog = scalar(con, "select current_database()")
        for schema, name in _tables(con, catalog):
            table = fetch_sorted(con, f"{quote_identifier(schema)}.{quote_identifier(name)}")
            write_parquet(table, out_dir / f"{name}.parquet")
            publication.files[f"{name}.parquet"] = table.num_rows
            if schema != "marts":
                continue
            marts_sheets[name] = (table, labels.get(name, {}))
            about[name] = _about(schema, name, titles)
            if table.num_rows > WORKBOOK_SHEET_ROWS:
                write_csv(table, labels.get(name, {}), out_dir / f"{name}.csv")
                publication.files[f"{name}.csv"] = table.num_rows
                elsewhere[name] = _elsewhere_note(name, table.num_rows)
        write_workbook(marts_sheets, out_dir / "marts.xlsx", elsewhere, about)
        publication.files["marts.xlsx"] = sum(
            t.num_rows for n, (t, _) in marts_sheets.items() if n not in elsewhere
        )
        _write_quarantine_workbook(
            con, out_dir / "quarantine.xlsx", labels.get("quarantine", {}), publication
        )
    return publication


def write_quarantine_workbook(build_path: BuildRef, path: Path, manifest_path: Path) -> int:
    """quarantine.xlsx alone, for a year the quarantine gate stopped: the clerk still sends the
    rows back. Returns its rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    publication = Publication(0, path.parent)
    with connect(build_path) as con:
        labels = column_labels(manifest_path).get("quarantine", {})
        _write_quarantine_workbook(con, path, labels, publication)
    return publication.files.get("quarantine.xlsx", 0)


def _about(schema: str, name: str, titles: dict) -> SheetAbout:
    """The sheet's Chinese name and what it holds, from the model's dbt description; a table
    without a Chinese name in it keeps its own name."""
    title = titles.get(name)
    if title is None:
        return SheetAbout(name, f"{schema}.{name}")
    return SheetAbout(title.zh, f"{schema}.{name}", f"{title.zh} / {title.en}")


def _elsewhere_note(name: str, rows: int) -> str:
    return (
        f"本表共 {rows:,} 行，超过工作簿每表 {WORKBOOK_SHEET_ROWS:,} 行的上限；全部行见 {name}.csv"
        f"（Excel、WPS 可直接打开）和 {name}.parquet。 / {rows:,} rows, more than the workbook's "
        f"{WORKBOOK_SHEET_ROWS:,} per sheet: every row is in {name}.csv and {name}.parquet."
    )


def _write_quarantine_workbook(
    con, path: Path, labels: dict[str, str], publication: Publication
) -> None:
    """One sheet per department, so the clerk can send each department its rows back."""
    if not table_exists(con, "audit", "quarantine"):
        return
    table = fetch_sorted(con, QUARANTINE_TABLE)
    sheets = {}
    column = "department_name" if "department_name" in table.column_names else None
    if column is None or table.num_rows == 0:
        sheets[QUARANTINE_SHEET] = (table, labels)
    else:
        # rows by department, in the table's order (pyarrow.compute would import pandas: 0.5 s)
        rows: dict[str | None, list[int]] = {}
        for index, department in enumerate(table.column(column).to_pylist()):
            rows.setdefault(department, []).append(index)
        for department in sorted(d for d in rows if d is not None):
            sheets[department] = (table.take(rows[department]), labels)
        if None in rows:
            sheets[UNASSIGNED_DEPARTMENT] = (table.take(rows[None]), labels)
    about = {
        name: SheetAbout(name, QUARANTINE_TABLE, _quarantine_sheet_says(name)) for name in sheets
    }
    write_workbook(sheets, path, about=about)
    publication.files["quarantine.xlsx"] = table.num_rows


def _quarantine_sheet_says(sheet: str) -> str:
    if sheet == QUARANTINE_SHEET:
        return "全部隔离行 / every quarantined row"
    if sheet == UNASSIGNED_DEPARTMENT:
        return "部门未知的隔离行 / quarantined rows whose department is not known"
    return f"退回{sheet}的隔离行 / the rows to send back to {sheet}"


def swap_directory(staged: Path, target: Path) -> None:
    """Replace target by staged with renames: the old folder is whole until the last moment, and
    every file of the new one is on disk before its name is (pipelines.publish.durability)."""
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    if target.exists():
        os.rename(target, old)  # made durable by the folder's fsync before the next rename
    replace_durably(staged, target)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def publish_warehouse(build_path: Path, published_path: Path, year: int) -> None:
    """Publish the year into the analysts' warehouse, one publication at a time: each rebuilds the
    file from the previous one, so two years published at once (a backfill of several years runs
    them in parallel) would lose one of them. The lock is flock(2): a killed run releases it."""
    published_path.parent.mkdir(parents=True, exist_ok=True)
    with held(published_path.with_name(f".{published_path.name}.publish.lock")):
        _publish_warehouse(build_path, published_path, year)


def _publish_warehouse(build_path: Path, published_path: Path, year: int) -> None:
    """Rebuild the analysts' warehouse into a new file: every marts and audit table holds the
    other years' rows of the published file and this year's rows of the build; then the views
    over all years; then rename it over the published file (atomic on POSIX).

    Every published table is split by its `year` column, so republishing a year replaces that
    year's rows and nothing else. A build table without one gets it here (its rows are the build's
    year); a published table without one (written before this rule) keeps all its rows, as no
    row of it can be told to be this year's. The new file holds only marts and audit tables and
    the views over them: no raw or staging data, so no personal data.

    The new file is attached in `PUBLISHED_STORAGE_VERSION` and made the default catalog, so the
    tables and views are written in the format DuckDB 1.x clients read.
    """
    published_path.parent.mkdir(parents=True, exist_ok=True)
    fresh = published_path.with_name(f".{published_path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with duckdb.connect() as con:
            con.execute(
                f"attach ? as published (storage_version '{PUBLISHED_STORAGE_VERSION}')",
                [str(fresh)],
            )
            con.execute("use published")
            con.execute("attach ? as build (read_only)", [str(build_path)])
            has_old = published_path.exists()
            if has_old:
                _attach_previous(con, published_path, fresh.with_name(fresh.name + ".previous"))
            build_tables = set(_tables(con, "build"))
            old_tables = set(_tables(con, "previous")) if has_old else set()
            for schema in PUBLISHED_SCHEMAS:
                con.execute(f"create schema if not exists {quote_identifier(schema)}")
            for schema, name in sorted(build_tables | old_tables):
                target = f"{quote_identifier(schema)}.{quote_identifier(name)}"
                parts, params = [], []
                if (schema, name) in build_tables:
                    if _has_year(con, "build", schema, name):
                        parts.append(f"select * from build.{target}")
                    else:
                        parts.append(f"select cast(? as integer) as year, * from build.{target}")
                        params.append(year)
                if (schema, name) in old_tables:
                    if _has_year(con, "previous", schema, name):
                        parts.append(
                            f"select * from previous.{target} where year is distinct from ?"
                        )
                        params.append(year)
                    else:
                        parts.append(f"select * from previous.{target}")
                con.execute(
                    f"create table {target} as {' union all by name '.join(parts)} order by all",
                    params,
                )
            create_cross_year_views(con)
            con.execute("use memory")
            con.execute("detach published")  # checkpointed: the file is whole, with no WAL
        replace_durably(fresh, published_path)
    finally:
        for leftover in (
            fresh,
            fresh.with_name(fresh.name + ".wal"),
            fresh.with_name(fresh.name + ".previous"),
        ):
            if leftover.exists():
                leftover.unlink()


def _attach_previous(con, published_path: Path, snapshot: Path) -> None:
    """Attach the published file read-only (a shared lock: analysts' read-only sessions are fine).
    When someone holds it read-write (an exclusive lock), read a byte copy instead: the nightly run
    must not fail because an analyst opened the file without read_only."""
    try:
        con.execute("attach ? as previous (read_only)", [str(published_path)])
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        shutil.copyfile(published_path, snapshot)
        con.execute("attach ? as previous (read_only)", [str(snapshot)])


def _has_year(con, catalog: str, schema: str, name: str) -> bool:
    return bool(
        scalar(
            con,
            "select count(*) from information_schema.columns where table_catalog = ? "
            "and table_schema = ? and table_name = ? and column_name = 'year'",
            [catalog, schema, name],
        )
    )
