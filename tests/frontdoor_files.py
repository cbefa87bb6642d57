"""Filled templates for the front door's tests: the demo generator's rows, read by the ingest code,
written back into a template the way a clerk fills it (numbers as numbers, dates as dates,
choices by their Chinese names)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.contract import Table, load_contract
from pipelines.frontdoor import fill as frontdoor_fill
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


def fill_template(
    out_dir: Path, source: str, rows: dict[str, list[dict]], name: str | None = None
) -> Path:
    """A template of the demo year's source with rows (per table, as dicts of typed values)."""
    return frontdoor_fill.fill_template(out_dir, DEMO_YEAR, source, rows, name)


def contract_frame(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    """The contract columns of a table's rows, in a stable order (lineage left out)."""
    names = [c for c in table.landed_schema() if not c.startswith("_")]
    return frame.select(names).sort(names, nulls_last=True)
