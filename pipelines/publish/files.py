"""Writing the year's published files, deterministically.

The same inputs give byte-identical files: rows are sorted by every column, Parquet is written with
fixed settings, workbooks carry a fixed creation date and no run time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

from pipelines.db.connect import dialect, fetch_arrow, quote_identifier

FIXED_CREATED = dt.datetime(2000, 1, 1)
# A workbook sheet holds a table of at most this many rows; a larger one (the row-level marts of
# a federation-sized year: 600k members at 100×) is its own CSV beside its Parquet, and its sheet
# says so. Excel stops at 1,048,576 rows, and 600k rows of cells take minutes to write.
WORKBOOK_SHEET_ROWS = 20_000
UTF8_BOM = "\ufeff".encode()  # so that Excel and WPS open the CSV as UTF-8 (Chinese headers)
XLSX_SHEET_NAME_MAX = 31
JSON_OID = 114  # PostgreSQL's json type


def fetch_sorted(con, qualified: str) -> pa.Table:
    """A whole table as Arrow, in a stable order: by every column, left to right (PostgreSQL has
    no `order by all`, and a json column sorts as its text there: json has no ordering)."""
    if dialect(con) != "postgres":
        return con.sql(f"select * from {qualified} order by all").to_arrow_table()
    columns = con.execute(f"select * from {qualified} limit 0").description
    order = ", ".join(
        f"{quote_identifier(c.name)}::text" if c.type_code == JSON_OID else quote_identifier(c.name)
        for c in columns
    )
    return fetch_arrow(con, f"select * from {qualified} order by {order}")


def write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=3,
        use_dictionary=True,
        write_statistics=True,
        row_group_size=1_000_000,
    )


def _cell(value):
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal: keep it a number for the clerk's sums
        return float(value)
    return value


def _column_cells(sheet, column: pa.ChunkedArray) -> tuple[Callable, list]:
    """How a column's cells are written, and its values ready for it, chosen once per column.

    Numbers are numbers (decimals too, for the clerk's sums), text is text: a value such as
    `=SUM(…)` or `http://…` from a department's file stays the text it was, never a formula or a
    link (xlsxwriter's `write` would make it one). An empty text is a blank cell."""
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return sheet.write_number, column.to_pylist()
    if pa.types.is_decimal(kind):
        return sheet.write_number, [None if v is None else float(v) for v in column.to_pylist()]
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return sheet.write_string, [v or None for v in column.to_pylist()]
    if pa.types.is_boolean(kind):
        return sheet.write_boolean, column.to_pylist()
    values = [_cell(v) for v in column.to_pylist()]  # dates, lists, json: text
    return sheet.write_string, [None if v is None else str(v) or None for v in values]


def _safe_sheet_name(name: str, used: set[str]) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "sheet"
    base = cleaned[:XLSX_SHEET_NAME_MAX]
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f"~{n}"
        candidate, n = base[: XLSX_SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def write_csv(table: pa.Table, labels: dict[str, str], path: Path) -> None:
    """The whole table as CSV for the clerk's spreadsheet program: UTF-8 with a BOM, one header
    row `中文 english` (the English name alone where there is no label), lists joined with 、."""
    import pyarrow.csv as pacsv

    columns = []
    for column in table.columns:
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            import pyarrow.compute as pc

            column = pc.binary_join(pc.cast(column, pa.list_(pa.string())), "、")
        columns.append(column)
    headers = [
        f"{labels[name]} {name}" if labels.get(name) else name for name in table.column_names
    ]
    with path.open("wb") as handle:
        handle.write(UTF8_BOM)
        pacsv.write_csv(pa.table(columns, names=headers), handle)


def write_workbook(
    sheets: dict[str, tuple[pa.Table, dict[str, str]]],
    path: Path,
    notes: dict[str, str] | None = None,
) -> None:
    """One sheet per table; headers in Chinese where a label exists (English name below it).
    A table named in notes gets its headers and the note in place of its rows."""
    notes = notes or {}
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"created": FIXED_CREATED, "author": "union-warehouse"})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
    hint = workbook.add_format({"italic": True, "font_color": "#808080"})
    used: set[str] = set()
    for name, (table, labels) in sheets.items():
        sheet = workbook.add_worksheet(_safe_sheet_name(name, used))
        # constant_memory writes row by row: the whole first row, then the whole second one
        for col, column in enumerate(table.column_names):
            sheet.set_column(col, col, max(10, min(40, len(labels.get(column, column)) * 2 + 2)))
        for col, column in enumerate(table.column_names):
            sheet.write(0, col, labels.get(column, column), bold)
        for col, column in enumerate(table.column_names):
            sheet.write(1, col, column, hint)
        if name in notes:
            sheet.write_string(2, 0, notes[name])
            sheet.freeze_panes(2, 0)
            continue
        # by columns, written row by row: one type decision per column, not one per cell
        columns = [_column_cells(sheet, column) for column in table.columns]
        for row_index in range(table.num_rows):
            for col, (write, values) in enumerate(columns):
                value = values[row_index]
                if value is not None:
                    write(row_index + 2, col, value)
        sheet.freeze_panes(2, 0)
    workbook.close()
