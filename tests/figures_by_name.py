"""A run of a copy of a year, and its published figures keyed so that two runs of the same year can be compared: the files a
figure comes from by name, a `.xls` name read as the `.xlsx` it was converted from (their hashes
differ with the format and the layout)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from tests.conftest import run_cli


def run_year_copy(raw_dir: Path, base: Path, year: int) -> dict[str, Path]:
    """`unionwh run` of `year` from a copy of the raw files (raw_dir/<year>/) into scratch places
    under base; the places of its warehouse and marts. The run must succeed."""
    places = {"warehouse": base / "warehouse" / "union.duckdb", "marts": base / "marts"}
    result = run_cli("run", "--year", str(year), "--raw-dir", str(raw_dir),
                     "--warehouse", str(places["warehouse"]), "--marts-dir", str(places["marts"]))  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return places


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
