"""End to end: the demo year saved as .xls (Excel 97-2003, by xlwt) gives the same figures, the same
quarantine and the same lineage (file, sheet, row) as the .xlsx files it was converted from.

Both runs are the real `unionwh run` (the .xlsx one is the shared run of the shipped year). Nothing
is compared with a value typed here: the .xlsx run is the reference, and the .xls one must match it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.conftest import DEMO_RAW
from tests.figures_by_name import as_xlsx, figures_by_name, private_build, run_year_copy
from tests.xls_copy import year_as_xls

pytestmark = pytest.mark.e2e

YEAR = 2023


@pytest.fixture(scope="module")
def runs(tmp_path_factory, demo_publication) -> dict:
    """The .xls copy of the demo year run here; the .xlsx side is the shared demo run."""
    assert demo_publication.returncode == 0, demo_publication.stdout[-4000:]
    base = tmp_path_factory.mktemp("xls-year")
    converted = year_as_xls(DEMO_RAW / str(YEAR), base / "raw-xls" / str(YEAR))
    xls = run_year_copy(base / "raw-xls", base / "xls", YEAR)
    xlsx = {"warehouse": demo_publication.warehouse, "marts": demo_publication.marts}
    return {"xlsx": xlsx, "xls": xls, "converted": converted}


def _identifier(name: str) -> str:
    """A catalog name quoted as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _build(places: dict[str, Path]) -> duckdb.DuckDBPyConnection:
    return private_build(places, YEAR)


def test_every_xlsx_of_the_year_was_converted(runs):
    xlsx = sorted(p.relative_to(DEMO_RAW) for p in DEMO_RAW.glob(f"{YEAR}/**/*.xlsx"))
    assert len(runs["converted"]) == len(xlsx) > 10
    with _build(runs["xls"]) as con:
        files = con.execute("select file_name, status from raw.files order by 1").fetchall()
    read_as_xls = [name for name, status in files if name.endswith(".xls")]
    assert len(read_as_xls) == len(xlsx)
    assert {status for _, status in files} == {"loaded"}


def test_the_same_figures(runs):
    expected, got = figures_by_name(runs["xlsx"], YEAR), figures_by_name(runs["xls"], YEAR)
    assert len(expected) == 35
    assert got == expected


def test_the_same_quarantine(runs):
    def quarantine(places: dict[str, Path]) -> list[tuple]:
        table = pq.read_table(places["marts"] / str(YEAR) / "quarantine.parquet").to_pylist()
        return sorted(
            (
                r["source"],
                r["table_name"],
                as_xlsx(r["file_name"]),
                r["sheet_name"],
                r["row_number"],
                r["column_name"],
                r["raw_values"],
                r["reason_code"],
            )
            for r in table
        )

    expected = quarantine(runs["xlsx"])
    assert len(expected) > 5
    assert quarantine(runs["xls"]) == expected


def test_the_same_landed_rows_with_the_same_lineage(runs):
    """Every landed row of every table: its typed values and where it came from."""

    def landed(places: dict[str, Path]) -> dict[str, list[tuple]]:
        out = {}
        with _build(places) as con:
            tables = [
                t
                for (t,) in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_schema = 'raw' order by 1"
                ).fetchall()
            ]
            for table in tables:
                columns = [
                    c
                    for (c,) in con.execute(
                        "select column_name from information_schema.columns "
                        "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                        [table],
                    ).fetchall()
                    if c not in ("file_sha256", "_file_sha256", "file_bytes")
                ]
                quoted = ", ".join(_identifier(c) for c in columns)
                rows = con.execute(f"select {quoted} from raw.{_identifier(table)}").fetchall()
                names = [i for i, c in enumerate(columns) if c in ("file_name", "_file_name")]
                out[table] = sorted(
                    (
                        tuple(as_xlsx(v) if i in names else v for i, v in enumerate(row))
                        for row in rows
                    ),
                    key=repr,
                )
        return out

    expected, got = landed(runs["xlsx"]), landed(runs["xls"])
    assert {"files", "sheets", "members", "welfare_payments"} <= set(expected)
    assert sum(len(rows) for rows in expected.values()) > 10_000
    assert set(got) == set(expected)
    for table in expected:
        assert got[table] == expected[table], table


def test_the_same_hidden_sheets_are_skipped(runs):
    def skipped(places: dict[str, Path]) -> list[tuple]:
        with _build(places) as con:
            return [
                (as_xlsx(f), s)
                for f, s in con.execute(
                    "select file_name, sheet_name from raw.sheets "
                    "where status = 'skipped_hidden' order by 1, 2"
                ).fetchall()
            ]

    expected = skipped(runs["xlsx"])
    assert len(expected) >= 2  # the demo year hides a sheet in welfare and one in festival
    assert skipped(runs["xls"]) == expected
