"""Finding a sheet's header row by its column names, and which contract table it belongs to.

A sheet belongs to a table when one row among its first 30 holds at least three distinct column names
of the table (all of them, for a table of fewer columns); that row is the header. Matching ignores
spaces, bracket width and units (`金额（万元）` is 金额 in 万元).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from pipelines.contract import Table
from pipelines.parse.text import header_unit, normalize_header

HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class HeaderMatch:
    table: Table
    header_index: int  # 0-based grid row; the Excel row is header_index + 1
    columns: dict[str, str]  # contract column name -> grid column (c0, c1 …)
    units: dict[str, str | None]  # contract column name -> unit declared in the header
    header_texts: dict[str, str]  # grid column -> header text as written (for lineage)

    @property
    def missing_required(self) -> list[str]:
        return [c.zh for c in self.table.required_columns if c.name not in self.columns]


def _match_row(table: Table, cells: dict[str, str]) -> tuple[dict[str, str], dict[str, str | None]]:
    spellings = {name: col.name for col in table.columns for name in col.header_names}
    columns: dict[str, str] = {}
    units: dict[str, str | None] = {}
    for grid_column, text in cells.items():
        name = spellings.get(normalize_header(text))
        if name and name not in columns:
            columns[name] = grid_column
            units[name] = header_unit(text)
    return columns, units


def find_header(grid: pl.DataFrame, tables: tuple[Table, ...]) -> HeaderMatch | None:
    """The first row that is a header of one of the tables (the best-matching table wins)."""
    head = grid.head(HEADER_SCAN_ROWS)
    for index, row in enumerate(head.iter_rows(named=True)):
        cells = {k: str(v) for k, v in row.items() if v is not None and str(v).strip()}
        if len(cells) < 2:
            continue
        best: HeaderMatch | None = None
        for table in tables:
            columns, units = _match_row(table, cells)
            if len(columns) >= table.header_threshold and (
                best is None or len(columns) > len(best.columns)
            ):
                best = HeaderMatch(table, index, columns, units, cells)
        if best:
            return best
    return None


def cell_under_header(
    raw_values: str | dict | None, spellings: Iterable[str]
) -> tuple[str, object] | None:
    """The first cell of a landed row's raw values (`_raw_values`: JSON keyed by the header as the
    file wrote it) whose header, normalized, is one of `spellings`: (header, value), or None."""
    cells = json.loads(raw_values) if isinstance(raw_values, str) else raw_values
    if isinstance(cells, dict):
        names = set(spellings)
        for header, value in cells.items():
            if normalize_header(str(header)) in names:
                return str(header), value
    return None
