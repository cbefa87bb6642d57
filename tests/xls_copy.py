"""The same workbook saved as .xls (Excel 97-2003), written by xlwt, for the .xls tests.

`xlsx_to_xls` copies every sheet of an xlsx cell by cell the way Excel's "Save as Excel 97-2003"
does: text as text, numbers as numbers, dates as date serials with a date format, merged ranges
merged, hidden sheets hidden, formulas as BIFF formulas with their cached value. xlwt itself
writes a formula with an empty cached result (as a program that does not compute formulas
does); `CachedFormula` writes the FORMULA record with the value Excel would have cached, so a
formula cell reads the same from both files, while `xlwt.Formula` stays available for a formula
without a cached value.
"""

from __future__ import annotations

import html
import re
import shutil
import struct
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import xlwt
from xlwt import ExcelFormula

from pipelines.ingest.merges import column_index
from pipelines.ingest.workbook import _sheet_members

DATE_STYLE = xlwt.easyxf(num_format_str="yyyy-mm-dd")
DATETIME_STYLE = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
PLAIN = xlwt.Style.default_style


class CachedFormulaCell:
    """A FORMULA record (BIFF8 0x0006) whose result field holds a number, as Excel saves it."""

    __slots__ = ("colx", "formula", "rowx", "value", "xf_idx")

    def __init__(self, rowx: int, colx: int, xf_idx: int, formula, value: float) -> None:
        self.rowx, self.colx, self.xf_idx = rowx, colx, xf_idx
        self.formula, self.value = formula, float(value)

    def get_biff_data(self) -> bytes:
        rpn = self.formula.rpn()
        body = struct.pack("<3HdHL", self.rowx, self.colx, self.xf_idx, self.value, 0, 0) + rpn
        return struct.pack("<2H", 0x0006, len(body)) + body


def write_cached_formula(
    sheet: xlwt.Worksheet, row: int, col: int, formula: str, value: float, style=PLAIN
) -> None:
    """Write `formula` (without the leading `=`) with `value` as its cached result."""
    parsed = ExcelFormula.Formula(formula)
    xf = sheet.get_parent().add_style(style)
    sheet.row(row).insert_cell(col, CachedFormulaCell(row, col, xf, parsed, value))


def _write(sheet: xlwt.Worksheet, row: int, col: int, value, formula: str | None) -> None:
    if isinstance(value, datetime):
        style = DATE_STYLE if value.time() == time() else DATETIME_STYLE
        sheet.write(row, col, value, style)
    elif isinstance(value, date):
        sheet.write(row, col, datetime.combine(value, time()), DATE_STYLE)
    elif formula is not None and isinstance(value, int | float) and not isinstance(value, bool):
        write_cached_formula(sheet, row, col, formula.lstrip("="), value)
    elif formula is not None and value is None:
        sheet.write(row, col, xlwt.Formula(formula.lstrip("=")))  # no cached value, as xlwt writes
    elif value is not None:
        sheet.write(row, col, value)


_FORMULA_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f>([^<]*)</f>')


def _formulas(source: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet, (row, column) -> formula text, from the sheet XML (one regex pass, much faster
    than a second openpyxl load of the workbook)."""
    found = {}
    with zipfile.ZipFile(source) as archive:
        for name, member in _sheet_members(archive).items():
            xml = archive.read(member).decode("utf-8")
            found[name] = {
                (int(row), column_index(letters) + 1): html.unescape(text)
                for letters, row, text in _FORMULA_CELL.findall(xml)
            }
    return found


def xlsx_to_xls(source: Path, target: Path) -> Path:
    """Write `source` (an xlsx) as the .xls file `target`; returns `target`."""
    values = openpyxl.load_workbook(source, data_only=True)
    formulas = _formulas(source)
    book = xlwt.Workbook(encoding="utf-8")
    for name in values.sheetnames:
        cached, written = values[name], formulas[name]
        sheet = book.add_sheet(name, cell_overwrite_ok=True)
        merged = {(r.min_row, r.min_col): r for r in cached.merged_cells.ranges}
        covered = {
            (row, col)
            for r in cached.merged_cells.ranges
            for row in range(r.min_row, r.max_row + 1)
            for col in range(r.min_col, r.max_col + 1)
        }
        for row in cached.iter_rows():
            for cell in row:
                key = (cell.row, cell.column)
                if key in merged:
                    r = merged[key]
                    sheet.write_merge(
                        r.min_row - 1, r.max_row - 1, r.min_col - 1, r.max_col - 1, cell.value
                    )
                    continue
                if key in covered:
                    continue
                formula = written.get(key)
                _write(sheet, cell.row - 1, cell.column - 1, cell.value, formula and "=" + formula)
        if cached.sheet_state != "visible":
            sheet.visibility = 1 if cached.sheet_state == "hidden" else 2
    book.save(str(target))
    return target


def year_as_xls(raw_year: Path, target_year: Path) -> list[Path]:
    """A copy of a year's raw folder with every xlsx saved as .xls (CSV files copied as they are);
    the .xls files written."""
    written = []
    for path in sorted(raw_year.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(raw_year)
        out = target_year / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".xlsx":
            written.append(xlsx_to_xls(path, out.with_suffix(".xls")))
        else:
            shutil.copy2(path, out)
    return written
