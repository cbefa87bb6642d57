"""The quarantine gate: a year that looks broken is not published as if it were whole.

After the rows are classified, a source stops the publication when
- its quarantined rows exceed its limit (contract.yml `quarantine_limits`: more than
  max(share × rows read, rows)),
- it has loaded files but not one clean row, or
- it had files in the year's last publication (the published manifest's inputs) and has none now;
and a year with no raw file at all is never published. `unionwh run --accept-quarantine <source>`
accepts a source's stop; the publication then records it (manifest, report).

The shares and reasons are dbt's (audit.quarantine_shares, audit.quarantine_reasons); this module
judges them against the contract and the last publication, and words the result for the clerk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipelines.contract import Contract, load_contract
from pipelines.db.connect import table_exists
from pipelines.parse.headers import cell_under_header
from pipelines.parse.text import normalize_header
from pipelines.publish.manifest import read_manifest

CHECK_NAME = "quarantine_limit_check"
REASONS_SHOWN = 3
OVER_LIMIT, NO_CLEAN_ROWS, SOURCE_MISSING, NO_FILES = (
    "over_limit",
    "no_clean_rows",
    "source_missing",
    "no_files",
)


@dataclass(frozen=True)
class SourceRows:
    """One row of audit.quarantine_shares."""

    source: str
    files_loaded: int
    files_rejected: int
    rows_read: int
    rows_clean: int
    rows_duplicate: int
    rows_quarantined: int
    share: Decimal | None  # quarantined_share: rows_quarantined / rows_read to 4 places (dbt's)


@dataclass(frozen=True)
class Reason:
    """One reason of a source (audit.quarantine_reasons) with its first row as the example."""

    code: str
    zh: str
    en: str
    rows: int
    file_name: str
    sheet_name: str
    row_number: int
    column_name: str | None
    value: str | None  # the example cell as read (personal data masked), when it can be found


@dataclass(frozen=True)
class Stop:
    """Why one source (or, with source None, the whole year) is not published."""

    kind: str
    source: str | None
    rows: SourceRows | None = None
    allowed_rows: int | None = None
    previous_files: int = 0
    reasons: tuple[Reason, ...] = ()

    def record(self, year: int) -> dict:
        """The stop as the manifest keeps it when it was accepted (the report's appendix shows
        its message)."""
        rows = self.rows
        share = rows.share if rows else None
        return {
            "source": self.source,
            "kind": self.kind,
            "rows_read": rows.rows_read if rows else 0,
            "rows_clean": rows.rows_clean if rows else 0,
            "rows_quarantined": rows.rows_quarantined if rows else 0,
            "quarantined_share": None if share is None else str(share),
            "allowed_rows": self.allowed_rows,
            "previous_files": self.previous_files,
            "message": describe(self, year)[0],
        }


@dataclass
class GateResult:
    stops: list[Stop] = field(default_factory=list)  # blocking: not accepted
    accepted: list[Stop] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.stops

    @property
    def has_rows_to_send_back(self) -> bool:
        """A stop with quarantined rows (not only missing files, or files without a data row)."""
        return any(s.rows is not None and s.rows.rows_quarantined for s in self.stops)


# --- the rule ------------------------------------------------------------------------------------


def judge(
    shares: list[SourceRows],
    previous_files: dict[str, int],
    contract: Contract,
    reasons: dict[str, list[Reason]] | None = None,
) -> list[Stop]:
    """Every stop of the year: pure, from dbt's per-source rows and the last publication's
    files per source (empty when the year was never published)."""
    reasons = reasons or {}
    by_source = {s.source: s for s in shares}
    stops: list[Stop] = []
    if not any(s.files_loaded or s.files_rejected for s in shares):
        stops.append(Stop(NO_FILES, None))
    for source in contract.sources:
        rows = by_source.get(source)
        if rows is None or not (rows.files_loaded or rows.files_rejected):
            if previous_files.get(source):
                stops.append(Stop(SOURCE_MISSING, source, previous_files=previous_files[source]))
            continue
        shown = tuple(reasons.get(source, ())[:REASONS_SHOWN])
        limit = contract.quarantine_limit(source)
        if rows.files_loaded and rows.rows_clean == 0:
            stops.append(
                Stop(NO_CLEAN_ROWS, source, rows, limit.allowed_rows(rows.rows_read), 0, shown)
            )
        elif limit.is_exceeded(rows.rows_read, rows.rows_quarantined):
            stops.append(
                Stop(OVER_LIMIT, source, rows, limit.allowed_rows(rows.rows_read), 0, shown)
            )
    return stops


def split_accepted(stops: list[Stop], accepted_sources: set[str]) -> GateResult:
    """A source named by --accept-quarantine is published as it is; a year without files never."""
    result = GateResult()
    for stop in stops:
        target = result.accepted if stop.source in accepted_sources else result.stops
        target.append(stop)
    return result


# --- reading the build and the last publication --------------------------------------------------


def previous_files_per_source(manifest_path: Path) -> dict[str, int]:
    """source -> files of the year's last publication (its manifest's inputs); {} when none."""
    manifest = read_manifest(manifest_path) or {}
    counts: dict[str, int] = {}
    for item in manifest.get("inputs") or []:
        source = item.get("source")
        if source:
            counts[source] = counts.get(source, 0) + 1
    return counts


def source_rows(con: Any) -> list[SourceRows]:
    if not table_exists(con, "audit", "quarantine_shares"):
        return []
    rows = con.execute(
        "select source, files_loaded, files_rejected, rows_read, rows_clean, rows_duplicate, "
        "rows_quarantined, quarantined_share from audit.quarantine_shares order by source"
    ).fetchall()
    return [
        SourceRows(source, *(int(v or 0) for v in counts), share) for source, *counts, share in rows
    ]


def source_reasons(con: Any, contract: Contract) -> dict[str, list[Reason]]:
    if not table_exists(con, "audit", "quarantine_reasons"):
        return {}
    rows = con.execute(
        "select source, reason_code, reason_zh, reason_en, rows_quarantined, example_file_name, "
        "example_sheet_name, example_row_number, example_column_name, example_raw_values "
        "from audit.quarantine_reasons order by source, reason_rank"
    ).fetchall()
    reasons: dict[str, list[Reason]] = {}
    for source, code, zh, en, count, file_name, sheet, row, column, raw in rows:
        value = cell_value(raw, source, column, contract)
        reason = Reason(
            code, zh or code, en or code, int(count), file_name, sheet, int(row), column, value
        )
        reasons.setdefault(source, []).append(reason)
    return reasons


def cell_value(
    raw_values: Any, source: str, column_zh: str | None, contract: Contract
) -> str | None:
    """The cell of `column_zh` in a row's raw values (keyed by the header as the file spells it,
    matched to the contract's column by its spellings, as header detection matches it)."""
    if not column_zh or raw_values is None:
        return None
    names = {normalize_header(column_zh)}
    for table in contract.tables_of(source):
        for column in table.columns:
            if column.zh == column_zh:
                names.update(column.header_names)
    found = cell_under_header(raw_values, names)
    if found is None:
        return None
    return "" if found[1] is None else str(found[1])


def evaluate(con: Any, manifest_path: Path, accepted_sources: set[str]) -> GateResult:
    """The gate on a build (after dbt), against the year's published manifest."""
    contract = load_contract()
    stops = judge(
        source_rows(con),
        previous_files_per_source(manifest_path),
        contract,
        source_reasons(con, contract),
    )
    return split_accepted(stops, accepted_sources)


def manifest_check(accepted: list[Stop]) -> dict:
    """The gate's line among the manifest's checks."""
    return {
        "check": "quarantine_limit",
        "kind": "gate",
        "status": "accepted" if accepted else "pass",
        "rows_affected": sum(s.rows.rows_quarantined for s in accepted if s.rows),
        "accepted_sources": [s.source for s in accepted],
    }


# --- words ---------------------------------------------------------------------------------------


def _share_text(share: Decimal | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def _reason_line(index: int, reason: Reason) -> str:
    where = f"{reason.file_name}，工作表 {reason.sheet_name}，第 {reason.row_number} 行"
    where_en = f"{reason.file_name}, sheet {reason.sheet_name}, row {reason.row_number}"
    if reason.column_name:
        where += f"，{reason.column_name}"
        where_en += f", {reason.column_name}"
        if reason.value == "":
            where += " 为空"
            where_en += " blank"
        elif reason.value is not None:
            where += f" = {reason.value!r}"
            where_en += f" = {reason.value!r}"
    return (
        f"  {index}. {reason.zh}：{reason.rows:,} 行，例：{where}"
        f" / {reason.en}: {reason.rows:,} row(s), e.g. {where_en}"
    )


def describe(stop: Stop, year: int) -> list[str]:
    """The stop in lines a clerk reads: Chinese first, English beside."""
    rows = stop.rows
    if stop.kind == NO_FILES:
        return [
            f"{year} 年度没有任何原始文件（raw/{year}/ 下各来源文件夹均为空或不存在），不发布 "
            f"/ year {year} has no raw file at all (every source folder under raw/{year}/ is "
            "empty or missing): not published"
        ]
    if stop.kind == SOURCE_MISSING:
        return [
            f"来源 {stop.source}：上次发布有 {stop.previous_files} 个文件，本次没有文件"
            f"（raw/{year}/{stop.source}/ 是否被删除或改名？） / source {stop.source}: "
            f"{stop.previous_files} file(s) in the last publication, none now (was "
            f"raw/{year}/{stop.source}/ deleted or renamed?)"
        ]
    assert rows is not None
    share = _share_text(rows.share)
    if stop.kind == NO_CLEAN_ROWS:
        head = (
            f"来源 {stop.source}：{rows.files_loaded} 个文件共 {rows.rows_read:,} 行，没有一行有效"
            f"（隔离 {rows.rows_quarantined:,} 行，{share}） / source {stop.source}: "
            f"{rows.files_loaded} file(s), {rows.rows_read:,} rows, not one clean "
            f"({rows.rows_quarantined:,} quarantined, {share})"
        )
    else:
        head = (
            f"来源 {stop.source}：隔离 {rows.rows_quarantined:,} / {rows.rows_read:,} 行（{share}），"
            f"超过上限 {stop.allowed_rows:,} 行 / source {stop.source}: "
            f"{rows.rows_quarantined:,} of {rows.rows_read:,} rows quarantined ({share}), over "
            f"the limit of {stop.allowed_rows:,}"
        )
    return [head, *(_reason_line(i, r) for i, r in enumerate(stop.reasons, start=1))]


def details(result: GateResult, year: int, workbook: Path | None) -> list[str]:
    """What the failed check says: each stop, where the quarantined rows are, how to publish
    anyway."""
    lines = [line for stop in result.stops for line in describe(stop, year)]
    lines += [
        f"已按 --accept-quarantine 放行 accepted by --accept-quarantine: {describe(stop, year)[0]}"
        for stop in result.accepted
    ]
    if workbook is not None:
        lines.append(
            f"隔离行已写入 {workbook}（每个部门一个工作表，可发回更正） / quarantined rows "
            f"written to {workbook} (one sheet per department, to send back)"
        )
    sources = [s.source for s in result.stops if s.source]
    if sources and not any(s.kind == NO_FILES for s in result.stops):
        flags = " ".join(f"--accept-quarantine {s}" for s in sources)
        lines.append(
            f"核实无误仍要发布：unionwh run --year {year} {flags} / to publish anyway: "
            f"unionwh run --year {year} {flags}"
        )
    return lines
