"""Reconciliation checks recompute report figures from the clean rows, on a hand-made build."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from pipelines.checks.reconciliation import RECONCILIATIONS, reconcile

FESTIVAL = (
    "new_years_day, spring_festival, qingming, labour_day, dragon_boat, mid_autumn, national_day"
)

SCHEMA = f"""
create schema marts;
create schema intermediate;
create table marts.report_figures (figure_key varchar, value decimal(18, 2));
create table intermediate.int_alleviation_purchases_cleaned (county_code varchar, amount decimal(18, 2));
create table intermediate.int_alleviation_targets_cleaned (county_code varchar, target_amount decimal(18, 2));
create table intermediate.int_welfare_payments_cleaned (
    landed_row_id varchar, staff_id varchar, welfare_category varchar, amount decimal(18, 2)
);
create table intermediate.int_festival_payments_classified (
    {", ".join(f"{c} decimal(18, 2)" for c in FESTIVAL.split(", "))},
    row_total decimal(18, 2), row_status varchar
);
"""


def build(
    figures: dict[str, str | None], veterans=(300, 300, 300), festival_rows=None, target=1000
):
    con = duckdb.connect()
    con.execute(SCHEMA)
    con.executemany(
        "insert into marts.report_figures values (?, ?)",
        [[k, None if v is None else Decimal(v)] for k, v in figures.items()],
    )
    con.execute(
        """insert into intermediate.int_alleviation_purchases_cleaned values
        ('chengkou', 152720), ('chengkou', 150660), ('changning', 1500), ('other', 7)"""
    )
    if target is not None:
        con.execute(
            "insert into intermediate.int_alleviation_targets_cleaned values ('changning', ?)",
            [target],
        )
    con.executemany(
        "insert into intermediate.int_welfare_payments_cleaned values (?, ?, 'veterans', ?)",
        [[f"row{i}", f"GH{i:04d}", amount] for i, amount in enumerate(veterans)],
    )
    con.execute(
        "insert into intermediate.int_welfare_payments_cleaned values ('x', 'GH9', 'new_year', 800)"
    )
    for cells, total, status in festival_rows or [((200,) * 7, 1400, "clean")]:
        con.execute(
            "insert into intermediate.int_festival_payments_classified values "
            f"({', '.join('?' * 9)})",
            [*cells, total, status],
        )
    return con


GOOD = {
    "alleviation.chengkou.amount": "303380",
    "welfare.veterans.people": "3",
    "welfare.veterans.amount": "900",
    "alleviation.changning.over_target": "500",
    "festival.amount": "1400",
}


def outcome(con) -> dict[str, tuple[bool, int]]:
    return {r.check.name: (r.passed, r.rows_affected) for r in reconcile(con)}


def test_consistent_figures_pass_every_reconciliation():
    got = outcome(build(GOOD))
    assert got == {r.name: (True, 0) for r in RECONCILIATIONS}


def test_chengkou_amount_must_be_the_sum_of_its_purchases():
    got = outcome(build({**GOOD, "alleviation.chengkou.amount": "303381"}))
    assert got["chengkou_amount_equals_its_purchases"][0] is False


def test_veterans_standard_is_computed_from_the_rows_not_typed_in():
    # a standard of 250 for everyone: still consistent (no 300 anywhere)
    got = outcome(build({**GOOD, "welfare.veterans.amount": "750"}, veterans=(250, 250, 250)))
    assert got["veterans_amount_equals_people_times_standard"] == (True, 0)


def test_one_veteran_paid_another_amount_breaks_people_times_standard():
    con = build(
        {**GOOD, "welfare.veterans.people": "4", "welfare.veterans.amount": "1400"},
        veterans=(300, 300, 300, 500),
    )
    [result] = [r for r in reconcile(con) if r.check.name.startswith("veterans")]
    assert not result.passed
    assert (result.figure, result.expected, result.rows_affected) == (
        Decimal("1400.00"),
        Decimal("1200.00"),
        1,
    )
    assert "300" in result.detail and "4" in result.detail


def test_changning_over_target_is_purchases_minus_target_or_null_without_target():
    assert (
        outcome(build({**GOOD, "alleviation.changning.over_target": "400"}))[
            "changning_over_target_equals_purchases_minus_target"
        ][0]
        is False
    )
    without = build({**GOOD, "alleviation.changning.over_target": None}, target=None)
    assert outcome(without)["changning_over_target_equals_purchases_minus_target"] == (True, 0)


def test_festival_amount_is_the_cells_and_a_wrong_total_column_is_a_warning():
    rows = [
        ((200,) * 7, 1500, "clean"),
        ((100,) * 7, 700, "clean"),
        ((-5,) * 7, None, "quarantined"),
    ]
    con = build({**GOOD, "festival.amount": "2100"}, festival_rows=rows)
    got = outcome(con)
    assert got["festival_amount_equals_its_cells"] == (True, 0)
    assert got["festival_amount_equals_row_totals"] == (False, 1)
    blocking = {r.name: r.blocking for r in RECONCILIATIONS}
    assert blocking["festival_amount_equals_row_totals"] is False
    assert blocking["festival_amount_equals_its_cells"] is True


@pytest.mark.parametrize("figure", ["festival.amount"])
def test_figure_off_from_its_cells_fails(figure):
    got = outcome(build({**GOOD, figure: "1401"}))
    assert got["festival_amount_equals_its_cells"][0] is False


def test_empty_year_reconciles():
    con = duckdb.connect()
    con.execute(SCHEMA)
    con.executemany(
        "insert into marts.report_figures values (?, ?)",
        [[k, Decimal(0)] for k in GOOD if k != "alleviation.changning.over_target"]
        + [["alleviation.changning.over_target", None]],
    )
    assert all(passed for passed, _ in outcome(con).values())
