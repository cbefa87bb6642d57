"""A year's workbooks re-laid the way clerks lay them out: sorted by a column, each run of equal
values merged into one vertical cell, for the merged-cell tests.

`relay_with_merges` rewrites the data block of every sheet that has the named column (a header
cell spelled as one of the column's names): the data rows are sorted by that column (stable) and
written again with openpyxl, each run of two or more equal non-blank values merged down, the value
kept in the top cell only, as Excel keeps it. Rows above the header (titles and their merges) stay
as they were; blank rows between the data rows go; totals and footers follow the data. A sheet
with `小计` rows is copied as it is (sorting would break its groups). Cells are copied as their
cached values (openpyxl `data_only`), a total's formula as the number it showed.

It returns where every data row went, so that a test can compare row numbers too.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from tests.xls_copy import xlsx_to_xls

TOTALS = {"合计", "总计", "小计"}
FOOTER = re.compile(r"^\s*(制表人|审核人|经办人|备注|说明)\s*[:：]")


@dataclass
class Relaid:
    """What one re-laid workbook holds: per sheet, old Excel row -> new Excel row of every data row,
    and the merges written into the data ((first row, last row, 1-based column))."""

    rows: dict[str, dict[int, int]] = field(default_factory=dict)
    merges: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)

    @property
    def covered_cells(self) -> int:
        """Cells a merge covers below its top cell: the cells that reach a row only by the merge."""
        return sum(last - first for ranges in self.merges.values() for first, last, _ in ranges)


def _text(value) -> str:
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def _header(ws: Worksheet, names: set[str]) -> tuple[int, int] | None:
    """(1-based header row, 1-based column) of the first cell spelled as one of `names`."""
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 30)):
        for cell in row:
            if _text(cell.value) in names:
                return cell.row, cell.column
    return None


def _is_total(cells: tuple) -> bool:
    return any(_text(v) in TOTALS for v in cells[:2])


def _is_footer(cells: tuple) -> bool:
    first = next((v for v in cells if v is not None and str(v).strip()), None)
    return first is not None and bool(FOOTER.match(str(first)))


def _copy_sheet(source: Worksheet, target: Worksheet) -> None:
    for row in source.iter_rows():
        for cell in row:
            if cell.value is not None:
                target.cell(cell.row, cell.column, cell.value).number_format = cell.number_format
    for merged in source.merged_cells.ranges:
        target.merge_cells(str(merged))


def _relay_sheet(source: Worksheet, target: Worksheet, header: tuple[int, int]) -> tuple:
    header_row, column = header
    rows = list(source.iter_rows(min_row=header_row + 1))
    data, tail = [], []
    for row in rows:
        values = tuple(c.value for c in row)
        if tail or _is_total(values) or _is_footer(values):
            tail.append(row)
        elif any(v is not None and str(v).strip() for v in values):
            data.append(row)
    for row in source.iter_rows(max_row=header_row):
        for cell in row:
            if cell.value is not None:
                target.cell(cell.row, cell.column, cell.value).number_format = cell.number_format
    for merged in source.merged_cells.ranges:
        if merged.max_row <= header_row:
            target.merge_cells(str(merged))
    data.sort(key=lambda row: _text(row[column - 1].value))
    moved: dict[int, int] = {}
    merges: list[tuple[int, int, int]] = []
    run_start = None
    for offset, row in enumerate(data):
        new_row = header_row + 1 + offset
        moved[row[0].row] = new_row
        key = _text(row[column - 1].value)
        previous = _text(data[offset - 1][column - 1].value) if offset else None
        same_as_previous = bool(key) and key == previous
        for cell in row:
            if cell.value is None or (same_as_previous and cell.column == column):
                continue
            target.cell(new_row, cell.column, cell.value).number_format = cell.number_format
        if not same_as_previous:
            run_start = new_row
        following = _text(data[offset + 1][column - 1].value) if offset + 1 < len(data) else None
        if same_as_previous and following != key:
            merges.append((run_start, new_row, column))
    for first, last, col in merges:
        target.merge_cells(start_row=first, end_row=last, start_column=col, end_column=col)
    next_row = header_row + 1 + len(data)
    for row in tail:  # totals, the blank rows between them and the footers, in their order
        for cell in row:
            if cell.value is not None:
                target.cell(next_row, cell.column, cell.value).number_format = cell.number_format
        next_row += 1
    return moved, merges


def relay_with_merges(source: Path, target: Path, names: set[str]) -> Relaid:
    """Write `source` (an xlsx) to `target` with the data of each sheet that has a column named
    in `names` sorted by it and merged down."""
    book = openpyxl.load_workbook(source, data_only=True)
    out = openpyxl.Workbook()
    out.remove(out.active)
    relaid = Relaid()
    for ws in book.worksheets:
        copy = out.create_sheet(ws.title)
        header = _header(ws, names)
        with_subtotals = any(
            _text(c.value) == "小计" for row in ws.iter_rows(max_col=2) for c in row
        )
        if header is None or with_subtotals:
            _copy_sheet(ws, copy)
        else:
            relaid.rows[ws.title], relaid.merges[ws.title] = _relay_sheet(ws, copy, header)
        copy.sheet_state = ws.sheet_state
    target.parent.mkdir(parents=True, exist_ok=True)
    out.save(target)
    return relaid


# The re-laid files of the demo year: the roster sorted and merged by department (openpyxl), the
# welfare month sheets by 慰问类别 (openpyxl; the January-March workbook then saved as .xls by xlwt).
DEPARTMENT_NAMES = {"部门", "单位", "所在单位"}
RELAID = {
    "members/2023年会员名册.xlsx": (DEPARTMENT_NAMES, ".xlsx"),
    "welfare/2023年4-6月慰问发放明细.xlsx": ({"慰问类别"}, ".xlsx"),
    "welfare/2023年1-3月慰问发放明细.xlsx": ({"慰问类别"}, ".xls"),
}


def year_with_merges(raw_year: Path, target_year: Path) -> dict[str, Relaid]:
    """A copy of the demo year with the RELAID files re-laid with merges; per file as named in
    the shipped year, what was re-laid. The other files are copied as they are."""
    shutil.copytree(raw_year, target_year)
    relaid = {}
    for name, (columns, suffix) in RELAID.items():
        shipped, written = raw_year / name, target_year / name
        if suffix == ".xls":
            scratch = target_year.parent / f"relaid-{shipped.name}"
            relaid[name] = relay_with_merges(shipped, scratch, columns)
            written.unlink()
            xlsx_to_xls(scratch, written.with_suffix(".xls"))
            scratch.unlink()
        else:
            relaid[name] = relay_with_merges(shipped, written, columns)
    return relaid
