"""Filled templates for the front door's tests: the demo generator's rows, read by the ingest code,
written back into a template the way a clerk fills it (numbers as numbers, dates as dates,
choices by their Chinese names)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl

from pipelines.contract import Column, Table, load_contract
from pipelines.frontdoor.template import FIRST_DATA_ROW, write_templates
from pipelines.ingest.files import read_file
from tests.conftest import DEMO_RAW

DEMO_YEAR = 2023


def demo_rows(source: str) -> dict[str, pl.DataFrame]:
    """Every row of the demo year's files of a source that the landing parsed without an error,
    per table."""
    contract = load_contract()
    frames: dict[str, list[pl.DataFrame]] = {}
    for path in sorted((DEMO_RAW / str(DEMO_YEAR) / source).iterdir()):
        read = read_file(path, path.name, source, contract.tables_of(source))
        for table, parts in read.rows.items():
            frames.setdefault(table, []).extend(parts)
    return {
        table: pl.concat(parts, how="diagonal_relaxed").filter(pl.col("_error_code").is_null())
        for table, parts in frames.items()
    }


def cell(column: Column, value: object, precision: str | None = None) -> object:
    """A typed value as a clerk would type it into the template."""
    if value is None:
        return None
    if column.values:
        return next(zh for zh, key in column.values.items() if key == value and zh != "blank")
    if column.type == "department_list":
        return "、".join(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date) and precision == "month":
        return f"{value.year}年{value.month}月"
    return value


def fill_template(
    out_dir: Path, source: str, rows: dict[str, list[dict]], name: str | None = None
) -> Path:
    """A template of the source with rows (per table, as dicts of typed values) filled in."""
    (path,) = write_templates(out_dir, DEMO_YEAR, source)
    workbook = openpyxl.load_workbook(path)
    for table in load_contract().tables_of(source):
        sheet = workbook[table.zh[:31]]
        for offset, row in enumerate(rows.get(table.table, [])):
            for index, column in enumerate(table.columns):
                value = cell(column, row.get(column.name), row.get(f"{column.name}_precision"))
                sheet.cell(FIRST_DATA_ROW + 1 + offset, index + 1, value)
    target = path.with_name(name) if name else path
    workbook.save(target)
    if target != path:
        path.unlink()
    return target


def contract_frame(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """The contract columns of a table's rows, in a stable order (lineage left out)."""
    names = [c for c in table.landed_schema() if not c.startswith("_")]
    return frame.select(names).sort(names, nulls_last=True)
