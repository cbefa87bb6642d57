"""The analysts' warehouse holds every published year: publishing one year, in any order and again,
never touches another year's rows, in tables with a `year` column or without one; the figure
history compares each year with the year before.

Small hand-made builds, published with the real `publish_warehouse`; the end-to-end version with
generated years is tests/e2e/test_years.py.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.publish.publication import publish_warehouse

FIGURES = {2021: "70", 2022: "80", 2023: "100"}


def build(path: Path, year: int, amount: str, note: str) -> Path:
    """A year's build: a mart with a year column, and an audit table without one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create schema audit")
        con.execute(
            "create table marts.report_figures as select ?::integer as year, "
            "'x.amount' as figure_key, '章' as section, '金额' as label_zh, "
            "?::decimal(18,2) as value, '元' as unit, ? as display_zh",
            [year, amount, f"{amount}元"],
        )
        con.execute("create table audit.notes as select ? as note", [note])
    return path


def rows(published: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(query).fetchall()


@pytest.mark.parametrize("order", [(2023, 2022), (2022, 2023)])
def test_every_year_is_kept_in_either_order(tmp_path, order):
    published = tmp_path / "union.duckdb"
    for year in order:
        publish_warehouse(
            build(tmp_path / f"{year}.duckdb", year, FIGURES[year], f"n{year}"), published, year
        )
    assert rows(published, "select year, value from marts.report_figures order by 1") == [
        (2022, Decimal("80.00")),
        (2023, Decimal("100.00")),
    ]
    # the table without a year column: each year's rows, stamped with the year they came with
    assert rows(published, "select year, note from audit.notes order by 1") == [
        (2022, "n2022"),
        (2023, "n2023"),
    ]


def test_republishing_a_year_replaces_only_that_year(tmp_path):
    published = tmp_path / "union.duckdb"
    for year in (2022, 2023):
        publish_warehouse(
            build(tmp_path / f"{year}.duckdb", year, FIGURES[year], f"n{year}"), published, year
        )
    publish_warehouse(build(tmp_path / "2023.duckdb", 2023, "120", "again"), published, 2023)
    assert rows(published, "select year, value from marts.report_figures order by 1") == [
        (2022, Decimal("80.00")),
        (2023, Decimal("120.00")),
    ]
    assert rows(published, "select year, note from audit.notes order by 1") == [
        (2022, "n2022"),
        (2023, "again"),
    ]


def test_a_published_table_without_a_year_column_loses_no_row(tmp_path):
    """A file published before every table had a year: its rows cannot be told apart by year,
    so they all stay."""
    published = tmp_path / "union.duckdb"
    with duckdb.connect(str(published)) as con:
        con.execute("create schema audit")
        con.execute("create table audit.notes as select 'old' as note")
    publish_warehouse(build(tmp_path / "2023.duckdb", 2023, "100", "n2023"), published, 2023)
    publish_warehouse(build(tmp_path / "2023.duckdb", 2023, "100", "n2023"), published, 2023)
    assert rows(published, "select year, note from audit.notes order by 2") == [
        (2023, "n2023"),
        (None, "old"),
    ]


def test_figure_history_compares_with_the_year_before(tmp_path):
    published = tmp_path / "union.duckdb"
    for year in (2023, 2021, 2022):
        publish_warehouse(
            build(tmp_path / f"{year}.duckdb", year, FIGURES[year], ""), published, year
        )
    history = rows(
        published,
        "select year, value, previous_value, change, relative_change from marts.figure_history "
        "where figure_key = 'x.amount' order by year",
    )
    assert history == [
        (2021, Decimal("70.00"), None, None, None),
        (2022, Decimal("80.00"), Decimal("70.00"), Decimal("10.00"), Decimal("0.1429")),
        (2023, Decimal("100.00"), Decimal("80.00"), Decimal("20.00"), Decimal("0.2500")),
    ]


def test_figure_history_has_no_change_across_a_missing_year(tmp_path):
    published = tmp_path / "union.duckdb"
    for year in (2021, 2023):
        publish_warehouse(
            build(tmp_path / f"{year}.duckdb", year, FIGURES[year], ""), published, year
        )
    assert rows(published, "select year, change from marts.figure_history order by 1") == [
        (2021, None),
        (2023, None),
    ]
    comment = rows(
        published,
        "select comment from duckdb_views() where schema_name = 'marts' "
        "and view_name = 'figure_history'",
    )
    assert comment[0][0].startswith("各年度指标对比 / ")
