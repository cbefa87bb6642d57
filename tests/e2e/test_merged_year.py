"""End to end: the demo year re-laid as clerks lay it out, the roster sorted by department with each
department merged into one vertical cell over its rows and the welfare month sheets sorted by
慰问类别 merged the same way (openpyxl for .xlsx, xlwt for the .xls), gives the same 35 figures and
the same quarantine as the shipped year, and every row that took a value from a merge says so.

One real `unionwh run` of the re-laid tree; the reference is the shared run of the shipped year
(`demo_publication`): nothing is compared with a value typed here.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.conftest import DEMO_RAW
from tests.figures_by_name import as_xlsx, figures_by_name, private_build, run_year_copy
from tests.merged_copy import year_with_merges

pytestmark = pytest.mark.e2e

YEAR = 2023


@pytest.fixture(scope="module")
def runs(tmp_path_factory, demo_publication) -> dict:
    assert demo_publication.returncode == 0, demo_publication.stdout[-4000:]
    base = tmp_path_factory.mktemp("merged-year")
    relaid = year_with_merges(DEMO_RAW / str(YEAR), base / "raw" / str(YEAR))
    places = run_year_copy(base / "raw", base, YEAR)
    shipped = {"warehouse": demo_publication.warehouse, "marts": demo_publication.marts}
    return {"shipped": shipped, "merged": places, "relaid": relaid}


def _build(places: dict[str, Path]) -> duckdb.DuckDBPyConnection:
    return private_build(places, YEAR)


def test_the_relaid_files_hold_many_merges(runs):
    relaid = runs["relaid"]
    assert relaid["members/2023年会员名册.xlsx"].covered_cells > 1000
    welfare = [v for k, v in relaid.items() if k.startswith("welfare/")]
    assert sum(r.covered_cells for r in welfare) > 100


def test_the_same_figures(runs):
    expected = figures_by_name(runs["shipped"], YEAR)
    assert len(expected) == 35
    assert figures_by_name(runs["merged"], YEAR) == expected


def test_the_same_quarantine_on_the_rows_they_moved_to(runs):
    """The same rows, reasons and cells as read; a row of a re-laid sheet at its new row number."""
    moved = {
        (name, sheet): rows
        for name, relaid in runs["relaid"].items()
        for sheet, rows in relaid.rows.items()
    }

    def quarantine(places: dict[str, Path], move: bool) -> list[tuple]:
        table = pq.read_table(places["marts"] / str(YEAR) / "quarantine.parquet").to_pylist()
        out = []
        for r in table:
            name = as_xlsx(r["file_name"])
            row = r["row_number"]
            if move:
                row = moved.get((name, r["sheet_name"]), {}).get(row, row)
            where = (r["source"], name, r["sheet_name"], row)
            out.append((*where, r["column_name"], r["raw_values"], r["reason_code"]))
        return sorted(out)

    expected = quarantine(runs["shipped"], move=True)
    assert len(expected) > 5
    assert quarantine(runs["merged"], move=False) == expected


def test_every_cell_filled_from_a_merge_is_in_the_lineage(runs):
    """As many rows name a merge as the merges cover; each names the merge's top cell, in the
    column the merge is in, on a row above its own."""
    relaid = runs["relaid"]
    expected = {
        "members": relaid["members/2023年会员名册.xlsx"].covered_cells,
        "welfare_payments": sum(v.covered_cells for k, v in relaid.items() if "welfare" in k),
    }
    with _build(runs["merged"]) as con:
        for table, covered in expected.items():
            rows = con.execute(
                f"select _row_number, _merged_from from raw.{table} where _merged_from is not null"
            ).fetchall()
            assert len(rows) == covered, table
            for row_number, merged_from in rows:
                match = re.fullmatch(r"(部门|单位|所在单位|慰问类别)←([A-Z])(\d+)", merged_from)
                assert match, merged_from
                assert int(match.group(3)) < row_number
    published = runs["merged"]["marts"] / str(YEAR)
    # the quarantine (rows sent back) and the row-level marts carry it
    for table in ("quarantine", "members", "welfare_payments"):
        assert any(pq.read_table(published / f"{table}.parquet").column("merged_from").to_pylist())
    with _build(runs["shipped"]) as con:  # the shipped year merges its titles only
        assert con.execute(
            "select count(*) from raw.members where _merged_from is not null"
        ).fetchone() == (0,)
