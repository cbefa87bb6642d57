"""One raw file: read every sheet, decide which table each belongs to, and type its rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.contract import Table
from pipelines.errors import FileRejected
from pipelines.hashing import sha256_of
from pipelines.ingest.sheet import export_date_in_cells, sheet_rows
from pipelines.ingest.template_stamp import outdated_template_warning
from pipelines.ingest.workbook import read_grids, workbook_property_date
from pipelines.parse.headers import find_header

_DATE_IN_NAME = re.compile(r"(20\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])")


@dataclass
class FileRead:
    """Everything one file gave: its outcome, its sheets, its rows per table, its warnings."""

    source: str
    file_name: str
    file_sha256: str
    file_bytes: int
    status: str = "loaded"
    error_code: str | None = None
    message_zh: str | None = None
    message_en: str | None = None
    export_date: date | None = None
    sheets: list[dict] = field(default_factory=list)
    rows: dict[str, list[pl.DataFrame]] = field(default_factory=dict)
    warnings: list[dict] = field(default_factory=list)

    @property
    def outcome(self) -> dict:
        return {
            "source": self.source,
            "file_name": self.file_name,
            "file_sha256": self.file_sha256,
            "file_bytes": self.file_bytes,
            "status": self.status,
            "error_code": self.error_code,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "export_date": self.export_date,
        }

    def reject(self, error: FileRejected) -> FileRead:
        self.status, self.error_code = "rejected", error.code
        self.message_zh, self.message_en = error.message_zh, error.message_en
        self.rows, self.sheets = {}, [s | {"status": "file_rejected"} for s in self.sheets]
        return self


def export_date_in_name(file_name: str) -> date | None:
    """`提案_20231130.xlsx` → 2023-11-30."""
    match = _DATE_IN_NAME.search(Path(file_name).stem)
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def read_file(path: Path, file_name: str, source: str, tables: tuple[Table, ...]) -> FileRead:
    """Read one raw file of a source. Never raises for bad input: a bad file comes back rejected."""
    read = FileRead(source, file_name, sha256_of(path), path.stat().st_size)
    try:
        _read_sheets(read, path, tables)
    except FileRejected as error:
        return read.reject(error)
    lineage = {"_source": source, "_file_name": file_name, "_file_sha256": read.file_sha256}
    if stale := outdated_template_warning(path, lineage):
        read.warnings.append(stale)
    if any(t.snapshot for t in tables) and read.rows:
        try:
            _date_the_export(read, path)
        except FileRejected as error:
            return read.reject(error)
    return read


def _read_sheets(read: FileRead, path: Path, tables: tuple[Table, ...]) -> None:
    lineage = {
        "_source": read.source,
        "_file_name": read.file_name,
        "_file_sha256": read.file_sha256,
    }
    for grid in read_grids(path, read.file_name):
        sheet = {
            "source": read.source,
            "file_name": read.file_name,
            "sheet_name": grid.name,
            "table_name": None,
            "header_row": None,
            "data_rows": 0,
        }
        read.sheets.append(sheet)
        if not grid.visible:
            sheet["status"] = "skipped_hidden"
            continue
        match = find_header(grid.header_scan_cells, tables)
        if match is None:
            sheet["status"] = "skipped_no_header"
            continue
        if match.missing_required:
            missing = "、".join(match.missing_required)
            raise FileRejected(
                read.file_name,
                "missing_required_column",
                f"工作表 {grid.name} 缺少必需的列：{missing}（表头在第 {grid.excel_row(match.header_index)} 行）",
                f"sheet {grid.name} lacks the required column(s) {missing} "
                f"(header on row {grid.excel_row(match.header_index)})",
            )
        rows, _totals = sheet_rows(grid, match, {**lineage, "_sheet_name": grid.name})
        sheet.update(
            table_name=match.table.table,
            header_row=grid.excel_row(match.header_index),
            data_rows=rows.rows.height,
            status="read",
        )
        read.rows.setdefault(match.table.table, []).append(rows.rows)
        read.warnings.extend(rows.warnings)
        if match.table.snapshot and read.export_date is None:
            read.export_date = export_date_in_cells(grid, match)
    if not read.rows:
        names = " / ".join("、".join(c.zh for c in t.columns[:4]) for t in tables)
        raise FileRejected(
            read.file_name,
            "no_header_found",
            f"在任何工作表的前 30 行中都找不到表头（应含列：{names}）",
            f"no sheet has a header row in its first 30 rows (expected columns such as {names})",
        )


def _date_the_export(read: FileRead, path: Path) -> None:
    """A snapshot's date, from the file alone, so that a rerun on another day gives the same
    year: the 导出日期 cell, else the date in the file name, else the workbook's own properties
    (created, else modified; with a warning). A file with none of them is rejected."""
    if read.export_date is None:
        read.export_date = export_date_in_name(read.file_name)
    if read.export_date is None:
        stamped = workbook_property_date(path)
        if stamped is None:
            raise FileRejected(
                read.file_name,
                "export_date_missing",
                "找不到导出日期：表头上方没有「导出日期」单元格，文件名中没有日期，"
                "工作簿属性中也没有创建日期；请在文件名中写上导出日期（如 提案_20231130.xlsx）后重新提交",
                "no export date: no 导出日期 cell above the header, no date in the file name and "
                "no creation date in the workbook's properties; put the export date in the file "
                "name (e.g. 提案_20231130.xlsx) and send it again",
            )
        read.export_date, prop = stamped
        words = {"created": ("创建时间", "created"), "modified": ("修改时间", "last modified")}[
            prop
        ]
        read.warnings.append(
            {
                "_source": read.source,
                "_file_name": read.file_name,
                "_file_sha256": read.file_sha256,
                "sheet_name": None,
                "row_number": None,
                "column_name": "导出日期",
                "warning_code": "export_date_from_properties",
                "message_zh": f"单元格和文件名中都没有导出日期，按工作簿属性的{words[0]} "
                f"{read.export_date} 计",
                "message_en": f"no export date in a cell or the file name; the workbook's "
                f"{words[1]} date {read.export_date} is used",
            }
        )
    read.rows = {
        table: [
            frame.with_columns(_export_date=pl.lit(read.export_date, dtype=pl.Date))
            for frame in frames
        ]
        for table, frames in read.rows.items()
    }
