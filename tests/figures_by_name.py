"""A run's published figures keyed so that two runs of the same year can be compared: the files a
figure comes from by name, a `.xls` name read as the `.xlsx` it was converted from (their hashes
differ with the format and the layout)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq


def as_xlsx(name: str | None) -> str | None:
    """`name` with a `.xls` ending read as the `.xlsx` it was converted from."""
    return name[: -len(".xls")] + ".xlsx" if name and name.endswith(".xls") else name


def private_build(places: dict[str, Path], year: int) -> duckdb.DuckDBPyConnection:
    """The run's private build of `year`, read-only."""
    return duckdb.connect(
        str(places["warehouse"].parent / "private" / f"{year}.duckdb"), read_only=True
    )


def figures_by_name(places: dict[str, Path], year: int) -> dict[str, tuple]:
    """figure_key -> (value, unit, display_zh, source_rows, the source files by name)."""
    with private_build(places, year) as con:
        names = dict(con.execute("select file_sha256, file_name from raw.files").fetchall())
    table = pq.read_table(places["marts"] / str(year) / "report_figures.parquet")
    return {
        row["figure_key"]: (
            row["value"],
            row["unit"],
            row["display_zh"],
            row["source_rows"],
            sorted(as_xlsx(names[sha]) for sha in (row["sources"] or "").split(";") if sha),
        )
        for row in table.to_pylist()
        if row["year"] == year
    }
