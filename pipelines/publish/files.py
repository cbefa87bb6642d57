"""Writing the year's published files, deterministically.

The same inputs give byte-identical files: rows are sorted by every column, Parquet is written with
fixed settings, workbooks (`pipelines.publish.workbook`) carry a fixed creation date and no run time.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.db.connect import dialect, fetch_arrow, quote_identifier

# A workbook sheet holds a table of at most this many rows; a larger one (the row-level marts of
# a federation-sized year: 600k members at 100×) is its own CSV beside its Parquet, and its sheet
# says so. Excel stops at 1,048,576 rows, and 600k rows of cells take minutes to write.
WORKBOOK_SHEET_ROWS = 20_000
UTF8_BOM = "\ufeff".encode()  # so that Excel and WPS open the CSV as UTF-8 (Chinese headers)
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
