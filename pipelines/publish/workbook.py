"""marts.xlsx and quarantine.xlsx as the union office opens them, in Excel, WPS or LibreOffice.

Each table is a sheet named in Chinese (the office reads `经费支出（按月份、类别、部门）`, not
`spending_by_category`); a contents sheet 目录 comes first and names, per sheet, the table it holds
(`marts.spending_by_category`), its rows and what it is, with a link to the sheet. A sheet's first row
holds the Chinese headers, its second the column names, its data starts on the third; the panes are
frozen below the headers.

Cells are what they are, formatted as the office reads them: amounts (decimals of two places) with
thousands separators and two decimals, rates (`*_rate`, `*_share`, `share_*`, `relative_change`) as
percentages, dates as dates, text as text (never a formula or a link). In a table with a `unit`
column (report_figures), a figure that is not in 元 is a count: no decimals.

Column widths fit the longest header or value as it is shown, a CJK or full-width character
counting as two: what Excel's width unit (the width of a digit) needs for Chinese. A column is
never wider than `MAX_WIDTH`; longer text wraps inside it (the program makes the row taller).

The same table gives byte-identical files: a fixed creation date, no run time.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import xlsxwriter

FIXED_CREATED = dt.datetime(2000, 1, 1)
XLSX_SHEET_NAME_MAX = 31
CONTENTS_SHEET = "目录"
MAX_WIDTH = 60  # characters of a digit's width; longer text wraps
MIN_WIDTH = 6
PADDING = 2  # the cell's margins and the bold header's wider glyphs
# A wrapped cell's row is made tall enough for its lines: spreadsheet programs do not all grow a
# row when they open a file (LibreOffice keeps the default height). A line of CJK text in the
# fallback fonts is ~16 pt high; a line holds somewhat less than the column's width, as a line
# breaks between words and a character may not fit at its end.
LINE_HEIGHT = 16
LINE_FILL = 0.85
MONEY = "#,##0.00"
COUNT = "#,##0"
PERCENT = "0.00%"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm:ss"
MONEY_UNIT = "元"


@dataclass(frozen=True)
class SheetAbout:
    """What the contents sheet says of one sheet."""

    title: str  # the sheet's name, as the office reads it
    source: str  # the table it holds: `marts.report_figures`
    description: str = ""


def display_width(text: str) -> int:
    """Characters of a digit's width: a CJK or full-width character (`汉`, `（`) counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def is_rate(column: str) -> bool:
    """A share of a whole (0.25 is 25%), by the marts' naming."""
    return (
        column.endswith(("_rate", "_share"))
        or column.startswith("share_")
        or column == "relative_change"
    )


@dataclass
class _Column:
    """How one column's cells are written: the writer, the values ready for it, each cell's
    format (one for the column, or one per row), and the texts it shows (for its width)."""

    write: Callable
    values: list
    formats: object  # a Format, None, or a list of them per row
    shown: list[str]
    is_text: bool = False

    def format_of(self, row: int):
        return self.formats[row] if isinstance(self.formats, list) else self.formats


class _Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, workbook) -> None:
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "valign": "top"})
        self.hint = workbook.add_format({"italic": True, "font_color": "#808080"})
        self.money = workbook.add_format({"num_format": MONEY})
        self.count = workbook.add_format({"num_format": COUNT})
        self.top_count = workbook.add_format({"num_format": COUNT, "valign": "top"})
        self.percent = workbook.add_format({"num_format": PERCENT})
        self.date = workbook.add_format({"num_format": DATE})
        self.datetime = workbook.add_format({"num_format": DATETIME})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.link = workbook.add_format({"font_color": "#0563C1", "underline": 1, "valign": "top"})
        self.top = workbook.add_format({"valign": "top"})
        self._decimals: dict[int, object] = {}
        self._workbook = workbook

    def decimals(self, scale: int):
        if scale not in self._decimals:
            pattern = "0." + "0" * scale if scale else "0"
            self._decimals[scale] = self._workbook.add_format({"num_format": pattern})
        return self._decimals[scale]


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value) or None


def _extremes(values: list) -> list:
    present = [v for v in values if v is not None]
    return [min(present), max(present)] if present else []


def _decimal_column(sheet, name, column, units, formats: _Formats) -> _Column:
    """Decimals stay numbers (for the clerk's sums); the format says what they are."""
    values = [None if v is None else float(v) for v in column.to_pylist()]
    scale = column.type.scale
    if is_rate(name):
        shown = [f"{v * 100:.2f}%" for v in _extremes(values)]
        return _Column(sheet.write_number, values, formats.percent, shown)
    if scale != 2:
        shown = [f"{v:.{scale}f}" for v in _extremes(values)]
        return _Column(sheet.write_number, values, formats.decimals(scale), shown)
    if units is None:
        shown = [f"{v:,.2f}" for v in _extremes(values)]
        return _Column(sheet.write_number, values, formats.money, shown)
    # a figure's unit says whether it is money or a count (report_figures.value)
    row_formats, shown = [], []
    for value, unit in zip(values, units, strict=True):
        money = unit == MONEY_UNIT or value is None or value != int(value)
        row_formats.append(formats.money if money else formats.count)
        if value is not None:
            shown.append(f"{value:,.2f}" if money else f"{value:,.0f}")
    return _Column(sheet.write_number, values, row_formats, shown)


def _column(sheet, name: str, column: pa.ChunkedArray, units, formats: _Formats) -> _Column:
    """The column's writer, values and formats, chosen once per column, not once per cell.

    Text is written as text: a value such as `=SUM(…)` or `http://…` from a department's file
    stays the text it was, never a formula or a link (xlsxwriter's `write` would make it one). An
    empty text, an empty list and a null are blank cells."""
    kind = column.type
    if pa.types.is_decimal(kind):
        return _decimal_column(sheet, name, column, units, formats)
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        values = column.to_pylist()
        return _Column(sheet.write_number, values, None, [str(v) for v in _extremes(values)])
    if pa.types.is_boolean(kind):
        return _Column(sheet.write_boolean, column.to_pylist(), None, ["FALSE"])
    if pa.types.is_date(kind):
        return _Column(sheet.write_datetime, column.to_pylist(), formats.date, ["2000-01-01"])
    if pa.types.is_timestamp(kind) and kind.tz is None:
        values = column.to_pylist()
        return _Column(sheet.write_datetime, values, formats.datetime, ["2000-01-01 00:00:00"])
    values = [_text(v) for v in column.to_pylist()]  # text, lists, json, zoned times
    shown = list({v for v in values if v is not None})
    return _Column(sheet.write_string, values, None, shown, is_text=True)


def _width(texts) -> int:
    return max((display_width(t) for t in texts), default=0)


def _fit(sheet, col: int, column: _Column, headers: list[str], formats: _Formats) -> bool:
    """The column as wide as its widest header or value, capped; text beyond the cap wraps.
    True when the column wraps."""
    widest_value = _width(column.shown)
    width = max(_width(headers), widest_value) + PADDING
    wraps = column.is_text and widest_value + PADDING > MAX_WIDTH
    if wraps:
        column.formats = formats.wrap
    sheet.set_column(col, col, max(MIN_WIDTH, min(MAX_WIDTH, width)))
    return wraps


def _lines(text: str | None) -> int:
    """The lines a text wrapped in a column of MAX_WIDTH takes."""
    if not text:
        return 1
    return math.ceil(display_width(text) / ((MAX_WIDTH - PADDING) * LINE_FILL))


def _row_heights(wrapped: list[_Column], rows: int) -> list[float | None]:
    """Each row's height in points when a wrapped cell needs more than one line, else None."""
    heights: list[float | None] = [None] * rows
    for column in wrapped:
        for index, value in enumerate(column.values):
            lines = _lines(value)
            if lines > 1 and lines * LINE_HEIGHT > (heights[index] or 0):
                heights[index] = lines * LINE_HEIGHT
    return heights


def safe_sheet_name(name: str, used: set[str]) -> str:
    """A name Excel accepts (no []:*?/\\, at most 31 characters), unique in the workbook."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "sheet"
    base = cleaned[:XLSX_SHEET_NAME_MAX]
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f"~{n}"
        candidate, n = base[: XLSX_SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _write_headers(sheet, columns: list[str], labels: dict[str, str], formats: _Formats) -> None:
    """The two header rows; printed on A4 landscape with them repeated on every page."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.repeat_rows(0, 1)
    for col, column in enumerate(columns):
        sheet.write(0, col, labels.get(column, column), formats.header)
    for col, column in enumerate(columns):
        sheet.write(1, col, column, formats.hint)


def _write_table(sheet, table: pa.Table, labels: dict[str, str], formats: _Formats) -> None:
    units = table.column("unit").to_pylist() if "unit" in table.column_names else None
    columns = [
        _column(sheet, name, table.column(name), units, formats) for name in table.column_names
    ]
    wrapped = [
        column
        for col, (name, column) in enumerate(zip(table.column_names, columns, strict=True))
        if _fit(sheet, col, column, [labels.get(name, name), name], formats)
    ]
    heights = _row_heights(wrapped, table.num_rows)
    _write_headers(sheet, table.column_names, labels, formats)
    # constant_memory writes row by row: the whole first row, then the whole second one
    for row_index in range(table.num_rows):
        if heights[row_index]:
            sheet.set_row(row_index + 2, heights[row_index])
        for col, column in enumerate(columns):
            value = column.values[row_index]
            if value is not None:
                column.write(row_index + 2, col, value, column.format_of(row_index))
    sheet.freeze_panes(2, 0)


def _write_contents(sheet, rows: list[tuple[str, SheetAbout, int]], formats: _Formats) -> None:
    """目录: each sheet with a link to it, the table it holds, its rows and what it is."""
    labels = {"sheet": "工作表", "source": "数据表", "rows": "行数", "description": "说明"}
    names = list(labels)
    table_texts = {
        "sheet": [title for title, _, _ in rows],
        "source": [about.source for _, about, _ in rows],
        "rows": [f"{count:,}" for _, _, count in rows],
        "description": [about.description for _, about, _ in rows],
    }
    for col, name in enumerate(names):
        width = max(_width(table_texts[name]), _width([labels[name], name])) + PADDING
        sheet.set_column(col, col, max(MIN_WIDTH, min(MAX_WIDTH, width)))
    _write_headers(sheet, names, labels, formats)
    for index, (title, about, count) in enumerate(rows, start=2):
        if _lines(about.description) > 1:
            sheet.set_row(index, _lines(about.description) * LINE_HEIGHT)
        quoted = title.replace("'", "''")
        sheet.write_url(index, 0, f"internal:'{quoted}'!A1", formats.link, string=title)
        sheet.write_string(index, 1, about.source, formats.top)
        sheet.write_number(index, 2, count, formats.top_count)
        if about.description:
            sheet.write_string(index, 3, about.description, formats.wrap)
    sheet.freeze_panes(2, 0)


def write_workbook(
    sheets: dict[str, tuple[pa.Table, dict[str, str]]],
    path: Path,
    notes: dict[str, str] | None = None,
    about: dict[str, SheetAbout] | None = None,
) -> None:
    """One sheet per table; headers in Chinese where a label exists (English name below it).

    A table named in `notes` gets its headers and the note in place of its rows. With `about`,
    each table's sheet takes the title given there, and a contents sheet comes first."""
    notes, about = notes or {}, about or {}
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"created": FIXED_CREATED, "author": "union-warehouse"})
    formats = _Formats(workbook)
    used: set[str] = set()
    contents = workbook.add_worksheet(safe_sheet_name(CONTENTS_SHEET, used)) if about else None
    titles = {
        name: safe_sheet_name(about[name].title if name in about else name, used) for name in sheets
    }
    if contents is not None:
        rows = [
            (titles[name], about.get(name, SheetAbout(titles[name], name)), table.num_rows)
            for name, (table, _) in sheets.items()
        ]
        _write_contents(contents, rows, formats)
    for name, (table, labels) in sheets.items():
        sheet = workbook.add_worksheet(titles[name])
        if name in notes:
            for col, column in enumerate(table.column_names):
                width = _width([labels.get(column, column), column]) + PADDING
                sheet.set_column(col, col, max(MIN_WIDTH, min(MAX_WIDTH, width)))
            _write_headers(sheet, table.column_names, labels, formats)
            sheet.write_string(2, 0, notes[name])
            sheet.freeze_panes(2, 0)
            continue
        _write_table(sheet, table, labels, formats)
    workbook.close()
