"""Instant checks of submitted files, with the nightly run's own rules.

There is no second copy of the rules. A file is read by the same code the nightly run uses
(pipelines.ingest.files.read_file: header, required columns, types, enums), in the same reader
processes (pipelines.ingest.readers: a reader that crashes on a hostile file rejects that file
and does not take the page down), landed into a scratch
DuckDB build with the same landing (pipelines.ingest.source.land_source) beside that year's roster
(the raw/<year>/members/ files, read the same way), and classified by the same dbt models: the
source's `int_<table>_classified` and everything upstream (departments, roster, fiscal year,
duplicates and conflicts within the files), built by dbt in this process on the scratch file. The
rows it holds are read back with their file, sheet, row, column and cell value.

The scratch build lives in the private warehouse folder (it holds the roster) and is made anew for
every check, under a file lock, so the CLI and the web page never share a half-built file: a copy of
a base build (the roster landed, the seeds and the roster's models built), kept until the roster,
the dbt project or the contract changes, then the source's own models on the checked rows. dbt's
parsed project is kept beside it (pipelines.dbt.runner.load_manifest), so only the first check after
a change of the dbt project pays dbt's parse.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.contract import Contract, Table, load_contract
from pipelines.db.connect import quote_identifier
from pipelines.errors import FileRejected
from pipelines.frontdoor.advice import advice_for
from pipelines.hashing import source_tree_sha256
from pipelines.ingest.files import FileRead
from pipelines.ingest.land import ensure_raw_schema
from pipelines.ingest.readers import submit_files
from pipelines.ingest.source import SourceLoad, land_source, source_files
from pipelines.ingest.template_stamp import contract_version
from pipelines.ingest.workbook import read_grids
from pipelines.locks import held
from pipelines.parse.headers import cell_under_header, find_header
from pipelines.settings import DBT_PROJECT_DIR

ROSTER_SOURCE = "members"
MASK = "***"


@dataclass
class Problem:
    """One thing to fix (or, as a warning, to know), where it is and what to do."""

    file_name: str
    sheet_name: str | None
    row_number: int | None
    column_name: str | None
    value: str | None
    reason_code: str
    message_zh: str
    message_en: str
    advice_zh: str = ""
    advice_en: str = ""
    severity: str = "error"  # error: the row or file would not load clean; warning: it would


@dataclass
class FileCheck:
    file_name: str
    source: str | None
    status: str = "loaded"  # loaded | rejected
    rows: int = 0
    rows_clean: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def rows_to_fix(self) -> int:
        return self.rows - self.rows_clean

    @property
    def ok(self) -> bool:
        return self.status == "loaded" and not self.errors


@dataclass
class Validation:
    year: int
    files: list[FileCheck]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)


def detect_source(path: Path, display_name: str, contract: Contract) -> str | None:
    """The source whose header a visible sheet holds (the header rule of the nightly run, applied
    to every table of the contract at once); None when no sheet has one or the file is unreadable."""
    try:
        grids = read_grids(path, display_name)
    except FileRejected:
        return None
    for grid in grids:
        if grid.visible and (match := find_header(grid.header_scan_cells, contract.tables)):
            return match.table.source
    return None


def validate_files(
    files: list[tuple[Path, str]],
    year: int,
    raw_dir: Path,
    work_dir: Path,
    source: str | None = None,
) -> Validation:
    """Check files (path, name shown) as the nightly run of `year` would classify their rows."""
    contract = load_contract()
    checks: list[FileCheck] = []
    triples = []
    for path, name in files:
        found = source or detect_source(path, name, contract)
        if found is None:
            checks.append(_unrecognised(name, contract))
        else:
            triples.append((path, name, found))
    by_source: dict[str, list[FileRead]] = {}
    for pending in submit_files(triples, contract):
        by_source.setdefault(pending.source, []).append(pending.result())
    for found, reads in by_source.items():
        checks.extend(_classify(reads, found, year, raw_dir, work_dir, contract))
    order = {name: index for index, (_, name) in enumerate(files)}
    checks.sort(key=lambda c: order.get(c.file_name, 0))
    return Validation(year, checks)


def _unrecognised(name: str, contract: Contract) -> FileCheck:
    sources = "、".join(f"{t.zh}" for t in contract.tables)
    return FileCheck(
        name,
        None,
        status="rejected",
        problems=[
            Problem(
                name,
                None,
                None,
                None,
                None,
                "no_header_found",
                f"文件 {name}：无法识别数据来源（前 30 行中没有任何来源的表头：{sources}）",
                f"file {name}: no sheet has a header row of any source in its first 30 rows",
                "请使用本系统下载的模板填写",
                "fill in a template downloaded here",
            )
        ],
    )


def _classify(
    reads: list[FileRead], source: str, year: int, raw_dir: Path, work_dir: Path, contract: Contract
) -> list[FileCheck]:
    checks = {r.file_name: _file_check(r) for r in reads}
    loaded = [r for r in reads if r.status == "loaded"]
    if loaded:
        tables = contract.tables_of(source)
        with _scratch_build(work_dir, year) as scratch:
            _start_from_base(scratch, work_dir, year, source, raw_dir, contract)
            _land(scratch, contract, SourceLoad(source, loaded))
            _build(scratch, work_dir, year, _checked_selection(source, tables))
            _collect(scratch, tables, checks)
    return list(checks.values())


def _land(scratch: Path, contract: Contract, load: SourceLoad) -> None:
    con = duckdb.connect(str(scratch))
    try:
        land_source(con, contract, load)
    finally:
        con.close()


def _base_selection(source: str, tables: tuple[Table, ...]) -> list[str]:
    """What the source's classification reads that does not read the source: seeds, the roster's
    models, the department names (and the reasons' seed, for the messages)."""
    wanted = " ".join([*(f"+{classified_model(t)}" for t in tables), "reason_codes"])
    return ["--select", wanted, "--exclude", f"source:{source}+"]


def _checked_selection(source: str, tables: tuple[Table, ...]) -> list[str]:
    """The models between the source's landed rows and its classification."""
    return ["--select", " ".join(f"source:{source}+,+{classified_model(t)}" for t in tables)]


def _start_from_base(
    scratch: Path, work_dir: Path, year: int, source: str, raw_dir: Path, contract: Contract
) -> None:
    """Make the scratch build a copy of the source's base build: the roster landed and every model
    the checks read besides the source's own, built once per roster, dbt project and contract and
    kept beside the scratch file (the roster is the slow part of a check)."""
    base = scratch.with_name(f"base-{source}.duckdb")
    stamp = base.with_suffix(".key")
    key = _base_key(raw_dir, year, source, contract)
    if base.exists() and stamp.exists() and stamp.read_text() == key:
        shutil.copyfile(base, scratch)
        return
    if source != ROSTER_SOURCE:
        _land(scratch, contract, _roster(raw_dir, year, contract))
    else:
        con = duckdb.connect(str(scratch))
        try:
            ensure_raw_schema(con, contract)
        finally:
            con.close()
    _build(scratch, work_dir, year, _base_selection(source, contract.tables_of(source)))
    con = duckdb.connect(str(scratch))
    con.execute("checkpoint")
    con.close()
    partial = base.with_name(base.name + ".partial")
    shutil.copyfile(scratch, partial)
    os.replace(partial, base)
    stamp.write_text(key)


def _base_key(raw_dir: Path, year: int, source: str, contract: Contract) -> str:
    year_dir = raw_dir / str(year)
    roster = [
        (p.relative_to(year_dir).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
        for p in source_files(year_dir, ROSTER_SOURCE)
    ]
    parts = {
        "year": year,
        "source": source,
        "roster": roster if source != ROSTER_SOURCE else [],
        "dbt_project": source_tree_sha256(DBT_PROJECT_DIR),
        "contract": contract_version(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _file_check(read: FileRead) -> FileCheck:
    check = FileCheck(read.file_name, read.source, status=read.status)
    if read.status == "rejected":
        advice = advice_for(read.error_code)
        check.problems.append(
            Problem(
                read.file_name,
                None,
                None,
                None,
                None,
                read.error_code or "rejected",
                read.message_zh or "",
                read.message_en or "",
                *advice,
            )
        )
    for warning in read.warnings:
        check.problems.append(
            Problem(
                read.file_name,
                warning.get("sheet_name"),
                warning.get("row_number"),
                warning.get("column_name"),
                None,
                warning["warning_code"],
                warning["message_zh"],
                warning["message_en"],
                severity="warning",
            )
        )
    return check


def _roster(raw_dir: Path, year: int, contract: Contract) -> SourceLoad:
    """The year's roster as the nightly run reads it (an empty one when none has arrived yet:
    every staff id is then unknown, as it would be tonight)."""
    year_dir = raw_dir / str(year)
    triples = [
        (p, p.relative_to(year_dir).as_posix(), ROSTER_SOURCE)
        for p in source_files(year_dir, ROSTER_SOURCE)
    ]
    reads = [pending.result() for pending in submit_files(triples, contract)]
    return SourceLoad(ROSTER_SOURCE, [r for r in reads if r.status == "loaded"])


@contextlib.contextmanager
def _scratch_build(work_dir: Path, year: int) -> Iterator[Path]:
    """A fresh scratch build file for one check, held under an exclusive lock."""
    folder = work_dir / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    with held(folder / "check.lock"):
        scratch = folder / "check.duckdb"
        for stale in (scratch, scratch.with_name(scratch.name + ".wal")):
            stale.unlink(missing_ok=True)
        yield scratch


def _build(scratch: Path, work_dir: Path, year: int, selection: list[str]) -> None:
    """dbt builds the selected models and seeds on the scratch file, no tests."""
    # start-up: dbt (3.5 s) loads with the first check, not with the page
    from pipelines.dbt.runner import DbtBuild, DbtError, invoke, load_manifest

    build = DbtBuild(build_ref=scratch, target_dir=work_dir / str(year) / "dbt-target", year=year)
    manifest = load_manifest(build)
    command = ["build", *selection]
    command += ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    result = invoke(build, command, manifest)
    failed = [r for r in result.result.results if str(r.status) not in {"success", "pass"}]
    if failed:
        names = ", ".join(r.node.name for r in failed)
        raise DbtError(
            f"检查所用的 dbt 模型失败：{names}", f"the check's dbt models failed: {names}"
        )


def classified_model(table: Table) -> str:
    return f"int_{table.table}_classified"


CLASSIFIED_ROWS = """
select
    classified.file_name,
    classified.sheet_name,
    classified.row_number,
    classified.row_status,
    classified.reason_code,
    classified.reason_column,
    cast(classified.raw_values as varchar) as raw_values,
    reasons.reason_zh,
    reasons.reason_en
from intermediate.{model} as classified
left join seeds.reason_codes as reasons
    on classified.reason_code = reasons.reason_code
order by classified.file_name, classified.sheet_name, classified.row_number
"""


def _collect(scratch: Path, tables: tuple[Table, ...], checks: dict[str, FileCheck]) -> None:
    con = duckdb.connect(str(scratch), read_only=True)
    try:
        for table in tables:
            query = CLASSIFIED_ROWS.format(model=quote_identifier(classified_model(table)))
            for row in con.execute(query).fetchall():
                file_name, sheet, number, status, code, column, raw, zh, en = row
                check = checks.get(file_name)
                if check is None:  # a roster row, when the roster is not what is checked
                    continue
                check.rows += 1
                if status == "clean":
                    check.rows_clean += 1
                    continue
                value = cell_value(table, column, raw)
                where = f"工作表 {sheet} 第 {number} 行" + (f"「{column}」列" if column else "")
                where_en = f"sheet {sheet} row {number}" + (f" column {column}" if column else "")
                shown = f"（值：{value}）" if value not in (None, "") else ""
                shown_en = f" (value: {value})" if value not in (None, "") else ""
                check.problems.append(
                    Problem(
                        file_name,
                        sheet,
                        number,
                        column,
                        value,
                        code,
                        f"{where}：{zh or code}{shown}",
                        f"{where_en}: {en or code}{shown_en}",
                        *advice_for(code),
                    )
                )
    finally:
        con.close()


def cell_value(table: Table, column_zh: str | None, raw_values: str | None) -> str | None:
    """The cell's text as written, found under any spelling of its column's header; personal data
    (身份证号, 手机号) is masked."""
    if not column_zh or not raw_values:
        return None
    column = next((c for c in table.columns if c.zh == column_zh), None)
    if column is None:
        return None
    if column.pii:
        return MASK
    found = cell_under_header(raw_values, column.header_names)
    return None if found is None or found[1] is None else str(found[1])
