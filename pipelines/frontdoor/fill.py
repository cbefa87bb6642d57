"""Typed rows written into a template the way a clerk fills it (numbers as numbers, dates as
dates, choices by their Chinese names): the benchmark's files and the tests' filled templates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl

from pipelines.contract import Column, load_contract
from pipelines.frontdoor.template import FIRST_DATA_ROW, write_templates


def cell(column: Column, value: object, precision: str | None = None) -> object:
    """A typed value (as the landing parses it) as a clerk would type it."""
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
    out_dir: Path, year: int, source: str, rows: dict[str, list[dict]], name: str | None = None
) -> Path:
    """A template of the source with rows (per table, dicts of typed values by column name)."""
    (path,) = write_templates(out_dir, year, source)
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
