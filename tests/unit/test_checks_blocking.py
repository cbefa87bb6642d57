"""Blocking checks really stop publication (Dagster skips only the assets *directly* downstream of a
failed blocking check), and the run's failures name the check.

The checks are the real ones; the assets they check are stubs writing a hand-made build, so that
no dbt run is needed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.checks.assets import (
    LOAD_LOG,
    REPORT_FIGURES,
    asset_checks,
    reconciliation_checks,
    rejected_files_check,
    row_conservation_check,
)
from pipelines.partitions import fiscal_years
from pipelines.resources import Warehouse
from pipelines.run.runner import RunOutcome
from tests.stub_year import PUBLISHED, YEAR, published_stub, run_stub_year
from tests.unit.test_checks_reconciliation import GOOD, SCHEMA


def test_every_blocking_check_sits_on_a_direct_upstream_of_the_publication():
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    parents = graph.get(PUBLISHED).parent_keys
    blocking = [spec for d in asset_checks for spec in d.check_specs if spec.blocking]
    assert len(blocking) >= 2 + 4 + 11  # conservation, rejected files, reconciliations, GX
    for spec in blocking:
        assert spec.asset_key in parents, spec.name


def write_build(path: Path, conserved: bool = True, veterans_amount: str = "900") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(SCHEMA)
        con.execute("create schema raw; create schema audit")
        con.execute(
            "create table raw.files (source varchar, file_name varchar, status varchar, "
            "message_zh varchar, message_en varchar)"
        )
        con.execute(
            "insert into raw.files values ('welfare', 'welfare/a.xlsx', 'loaded', null, null)"
        )
        con.execute(
            "create table raw.sheets as select 'welfare' as source, 'welfare/a.xlsx' as file_name, "
            "10::bigint as data_rows, 'read' as status"
        )
        clean = 7 if conserved else 6  # one row lost between reading and classifying
        con.execute(
            "create table audit.load_log as select 'welfare' as source, 'welfare/a.xlsx' as file_name, "
            f"10 as rows_read, {clean} as rows_clean, 1 as rows_duplicate, 2 as rows_quarantined"
        )
        figures = {**GOOD, "welfare.veterans.amount": veterans_amount}
        con.executemany(
            "insert into marts.report_figures values (?, ?)",
            [[k, Decimal(v)] for k, v in figures.items()],
        )
        con.execute(
            """insert into intermediate.int_alleviation_purchases_cleaned values
            ('chengkou', 152720), ('chengkou', 150660), ('changning', 1500)"""
        )
        con.execute(
            "insert into intermediate.int_alleviation_targets_cleaned values ('changning', 1000)"
        )
        con.execute(
            """insert into intermediate.int_welfare_payments_cleaned values
            ('r1', 'GH1', 'veterans', 300), ('r2', 'GH2', 'veterans', 300), ('r3', 'GH3', 'veterans', 300)"""
        )
        con.execute(
            "insert into intermediate.int_festival_payments_classified values "
            "(200, 200, 200, 200, 200, 200, 200, 1400, 'clean')"
        )


def run(tmp_path: Path, **build) -> tuple[RunOutcome, Path]:
    marker = tmp_path / "marts" / YEAR / "published.txt"

    @dg.multi_asset(
        specs=[dg.AssetSpec(LOAD_LOG), dg.AssetSpec(REPORT_FIGURES)], partitions_def=fiscal_years
    )
    def build_stub():
        yield dg.MaterializeResult(asset_key=LOAD_LOG)
        yield dg.MaterializeResult(asset_key=REPORT_FIGURES)

    write_build(tmp_path / "warehouse" / "private" / f"{YEAR}.duckdb", **build)
    outcome = run_stub_year(
        [build_stub, published_stub(marker, [LOAD_LOG, REPORT_FIGURES])],
        [row_conservation_check, rejected_files_check, reconciliation_checks],
        {"warehouse": Warehouse(path=str(tmp_path / "warehouse" / "union.duckdb"))},
    )
    return outcome, marker


def test_all_checks_pass_and_the_year_is_published(tmp_path):
    outcome, marker = run(tmp_path)
    assert outcome.success and outcome.failures == []
    assert marker.read_text() == "published"
    passed = {c.name for c in outcome.checks if c.passed}
    assert {"row_conservation_check", "veterans_amount_equals_people_times_standard"} <= passed


@pytest.mark.parametrize(
    ("build", "check", "rows_affected", "where"),
    [
        # 10 read, 6 clean + 1 duplicate + 2 quarantined: one row lost
        ({"conserved": False}, "row_conservation_check", 1, "audit.load_log"),
        # 1000 against 3 × 300: the figure is wrong, every person got the standard
        (
            {"veterans_amount": "1000"},
            "veterans_amount_equals_people_times_standard",
            0,
            "marts.report_figures (welfare.veterans.amount)",
        ),
    ],
)
def test_a_failed_blocking_check_stops_publication_and_is_named(
    tmp_path, build, check, rows_affected, where
):
    outcome, marker = run(tmp_path, **build)
    assert not outcome.success
    assert not marker.exists()
    assert any(check in failure for failure in outcome.failures), outcome.failures
    assert not any("Traceback" in f or "Stack Trace" in f for f in outcome.failures)
    [evaluated] = [c for c in outcome.checks if c.name == check]
    assert (evaluated.passed, evaluated.severity, evaluated.blocking) == (False, "ERROR", True)
    assert (evaluated.rows_affected, evaluated.where) == (rows_affected, where)
