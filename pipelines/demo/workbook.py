"""Write sheets the way offices lay them out: title rows, header, data, subtotals, totals, footers.

A source module describes a file as `XlsxFile`/`CsvFile` holding `Sheet`s whose rows are `Row`s (or the
markers `BLANK` and `Subtotal`). This module turns that into bytes, deterministically:

- xlsx through xlsxwriter with a fixed creation date (xlsxwriter already stamps zip members with a fixed
  time), so the same description always gives the same bytes;
- rows may be a generator, and big files use xlsxwriter's `constant_memory` mode, which flushes each
  row as it is written: a sheet of a million rows never sits in memory;
- total rows (合计/总计/小计) hold the exact sum of the rows above, as a `SUM` formula with the right
  cached value when every summed cell is a number (what Excel would compute), else as a typed number
  (a `SUM` over `300元` text would skip it in Excel, so a clerk would have typed the total);
- each row carrying a `Plant` is reported with its file, sheet and Excel row number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from pipelines.demo.cells import Formula, Serial, XDate, serial

# Every workbook claims to have been saved at this moment; nothing in a file depends on the clock.
FIXED_CREATED = datetime(2024, 1, 2, 9, 0, 0)


@dataclass(frozen=True, slots=True)
class Plant:
    """A row planted to be quarantined: the reason code the pipeline must give, and why."""

    reason: str
    note: str


@dataclass(frozen=True, slots=True)
class PlantedRow:
    file: str  # relative to raw/<year>/
    sheet: str  # `csv` for CSV files
    row: int  # 1-based, as Excel shows it (the line number in a CSV)
    reason: str
    note: str


@dataclass(slots=True)
class Row:
    """One data row. `vals` are the true numbers of the sheet's summed columns (in the column's own
    unit), needed when a cell is text such as `300元`; None means: read them from the cells."""

    cells: list
    vals: tuple[Decimal, ...] | None = None
    plant: Plant | None = None


class _Blank:
    def __repr__(self) -> str:
        return "BLANK"


BLANK = _Blank()


@dataclass(frozen=True, slots=True)
class Subtotal:
    """A 小计 row summing the rows since the previous subtotal."""

    label: str = "小计"


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: Iterable[Row | _Blank | Subtotal]
    titles: list[str] = field(default_factory=list)  # merged rows above everything
    preamble: list[list] = field(default_factory=list)  # rows between titles and header
    gap: int = 0  # blank rows just above the header
    sum_cols: tuple[int, ...] = ()  # columns a total row sums
    total_label: str | None = None  # `合计`/`总计` row at the bottom, or none
    label_col: int = 0  # where the total label goes
    footers: list[str] = field(default_factory=list)  # 制表人：… / 备注：… below the data
    hidden: bool = False
    widths: dict[int, float] = field(default_factory=dict)


@dataclass
class XlsxFile:
    path: str  # relative to raw/<year>/
    sheets: list[Sheet]
    constant_memory: bool = False


@dataclass
class CsvFile:
    path: str
    sheet: Sheet
    encoding: str = "utf-8"  # utf-8, utf-8-sig (BOM), gbk, gb18030


def _cell_number(value) -> Decimal | None:
    """The numeric value of a cell if it is a number (or a formula with a numeric cached value)."""
    if isinstance(value, Formula):
        value = value.value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return None


def _row_vals(row: Row, sum_cols: tuple[int, ...]) -> tuple[tuple[Decimal, ...], tuple[bool, ...]]:
    numeric = tuple(_cell_number(row.cells[c]) is not None for c in sum_cols)
    if row.vals is not None:
        return row.vals, numeric
    vals = []
    for c in sum_cols:
        v = _cell_number(row.cells[c]) if c < len(row.cells) else None
        vals.append(v if v is not None else Decimal(0))
    return tuple(vals), numeric


def _excel_number(value: Decimal | int | float) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class _Totals:
    """Running sums for one sheet: the group since the last 小计, and the whole sheet."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.group = [Decimal(0)] * n
        self.group_numeric = [True] * n
        self.group_first: int | None = None
        self.total = [Decimal(0)] * n
        self.total_numeric = [True] * n
        self.first: int | None = None
        self.last: int | None = None
        self.subtotal_rows: list[int] = []

    def add(self, r: int, vals: tuple[Decimal, ...], numeric: tuple[bool, ...]) -> None:
        if self.group_first is None:
            self.group_first = r
        if self.first is None:
            self.first = r
        self.last = r
        for i in range(self.n):
            self.group[i] += vals[i]
            self.total[i] += vals[i]
            self.group_numeric[i] = self.group_numeric[i] and numeric[i]
            self.total_numeric[i] = self.total_numeric[i] and numeric[i]


def write_xlsx(root: Path, spec: XlsxFile) -> tuple[Path, list[PlantedRow]]:
    path = root / spec.path
    path.parent.mkdir(parents=True, exist_ok=True)
    planted: list[PlantedRow] = []
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": spec.constant_memory,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties({"created": FIXED_CREATED, "author": "西南大学工会", "company": "西南大学"})
    title_fmt = wb.add_format(
        {"bold": True, "align": "center", "valign": "vcenter", "font_size": 14}
    )
    head_fmt = wb.add_format({"bold": True, "border": 1, "align": "center"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    bold = wb.add_format({"bold": True})

    for sheet in spec.sheets:
        ws = wb.add_worksheet(sheet.name)
        ncols = len(sheet.header)
        for c, w in sheet.widths.items():
            ws.set_column(c, c, w)
        r = 0
        for title in sheet.titles:
            if ncols > 1:
                ws.merge_range(r, 0, r, ncols - 1, title, title_fmt)
            else:
                ws.write_string(r, 0, title, title_fmt)
            r += 1
        for pre in sheet.preamble:
            _write_cells(ws, r, pre, date_fmt)
            r += 1
        r += sheet.gap
        for c, name in enumerate(sheet.header):
            ws.write_string(r, c, name, head_fmt)
        r += 1
        totals = _Totals(len(sheet.sum_cols))
        for item in sheet.rows:
            if item is BLANK:
                r += 1
                continue
            if isinstance(item, Subtotal):
                _write_total_row(ws, r, sheet, item.label, totals, group=True, fmt=bold)
                totals.subtotal_rows.append(r)
                totals.group = [Decimal(0)] * totals.n
                totals.group_numeric = [True] * totals.n
                totals.group_first = None
                r += 1
                continue
            vals, numeric = _row_vals(item, sheet.sum_cols)
            _write_cells(ws, r, item.cells, date_fmt)
            totals.add(r, vals, numeric)
            if item.plant is not None:
                planted.append(
                    PlantedRow(spec.path, sheet.name, r + 1, item.plant.reason, item.plant.note)
                )
            r += 1
        if sheet.total_label is not None:
            _write_total_row(ws, r, sheet, sheet.total_label, totals, group=False, fmt=bold)
            r += 1
        if sheet.footers:
            r += 1
            for text in sheet.footers:
                ws.write_string(r, 0, text)
                r += 1
        if sheet.hidden:
            ws.hide()
    wb.close()
    return path, planted


def _write_cells(ws, r: int, cells: list, date_fmt) -> None:
    for c, value in enumerate(cells):
        if value is None:
            continue
        if isinstance(value, str):
            ws.write_string(r, c, value)
        elif isinstance(value, XDate):
            ws.write_datetime(r, c, datetime.combine(value.value, time()), date_fmt)
        elif isinstance(value, Serial):
            ws.write_number(r, c, serial(value.value))
        elif isinstance(value, Formula):
            formula = value.formula.replace("{r}", str(r + 1))
            cached = value.value
            if not isinstance(cached, str):
                cached = _excel_number(cached)
            ws.write_formula(r, c, formula, None, cached)
        elif isinstance(value, bool):
            raise TypeError("booleans are not written; use 是/否")
        elif isinstance(value, int | float | Decimal):
            ws.write_number(r, c, _excel_number(value))
        else:
            raise TypeError(f"cannot write {value!r}")


def _write_total_row(
    ws, r: int, sheet: Sheet, label: str, totals: _Totals, *, group: bool, fmt
) -> None:
    ws.write_string(r, sheet.label_col, label, fmt)
    for i, c in enumerate(sheet.sum_cols):
        value = totals.group[i] if group else totals.total[i]
        numeric = totals.group_numeric[i] if group else totals.total_numeric[i]
        if group:
            first, last = totals.group_first, r - 1
        else:
            first, last = totals.first, totals.last
        if not numeric or first is None:
            ws.write_number(r, c, _excel_number(value))
        elif not group and totals.subtotal_rows:
            refs = "+".join(xl_rowcol_to_cell(s, c) for s in totals.subtotal_rows)
            ws.write_formula(r, c, "=" + refs, fmt, _excel_number(value))
        else:
            rng = f"{xl_rowcol_to_cell(first, c)}:{xl_rowcol_to_cell(last, c)}"
            ws.write_formula(r, c, f"=SUM({rng})", fmt, _excel_number(value))


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, XDate):  # what Excel on a Chinese Windows writes for a date cell
        d = value.value
        return f"{d.year}/{d.month}/{d.day}"
    if isinstance(value, Serial):
        return str(serial(value.value))
    if isinstance(value, Formula):
        return _csv_text(value.value)
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(int(value))
        return format(value.normalize(), "f")
    return str(value)


def write_csv(root: Path, spec: CsvFile) -> tuple[Path, list[PlantedRow]]:
    """A CSV as Excel saves it: CRLF lines, title and total rows padded with empty cells."""
    path = root / spec.path
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet = spec.sheet
    ncols = len(sheet.header)
    planted: list[PlantedRow] = []
    totals = _Totals(len(sheet.sum_cols))

    def pad(cells: list) -> list[str]:
        out = [_csv_text(v) for v in cells]
        return out + [""] * (ncols - len(out))

    def total_row(label: str, group: bool) -> list[str]:
        cells: list = [None] * ncols
        cells[sheet.label_col] = label
        for i, c in enumerate(sheet.sum_cols):
            cells[c] = totals.group[i] if group else totals.total[i]
        return pad(cells)

    with open(path, "w", encoding=spec.encoding, newline="") as fh:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        line = 0

        def emit(cells: list[str]) -> None:
            nonlocal line
            w.writerow(cells)
            line += 1
            if buf.tell() > 1 << 20:
                fh.write(buf.getvalue())
                buf.seek(0)
                buf.truncate()

        for title in sheet.titles:
            emit(pad([title]))
        for pre in sheet.preamble:
            emit(pad(pre))
        for _ in range(sheet.gap):
            emit(pad([]))
        emit(pad(sheet.header))
        for item in sheet.rows:
            if item is BLANK:
                emit(pad([]))
                continue
            if isinstance(item, Subtotal):
                emit(total_row(item.label, group=True))
                totals.group = [Decimal(0)] * totals.n
                continue
            vals, numeric = _row_vals(item, sheet.sum_cols)
            totals.add(line + 1, vals, numeric)
            emit(pad(item.cells))
            if item.plant is not None:
                planted.append(
                    PlantedRow(spec.path, "csv", line, item.plant.reason, item.plant.note)
                )
        if sheet.total_label is not None:
            emit(total_row(sheet.total_label, group=False))
        if sheet.footers:
            emit(pad([]))
            for text in sheet.footers:
                emit(pad([text]))
        fh.write(buf.getvalue())
    return path, planted
