"""Reconciliation checks that the annual summary itself implies (docs/report-figures.md).

Each check recomputes a figure of marts.report_figures another way, straight from the clean rows,
and compares: the figure's own SQL (figure_definitions + int_figure_facts_unioned) and this SQL must
agree for any year.

- alleviation.chengkou.amount = the sum of the clean 城口县 purchases;
- welfare.veterans.amount = welfare.veterans.people × the per-person standard, the standard being
  the most common amount one veteran received (computed from the rows, never typed in);
- alleviation.changning.over_target = the 昌宁县 purchases − its 帮扶任务 target (null without one);
- festival.amount = the sum of the festival cells of the clean rows, and = the sum of their 合计
  column (the second is a warning: the contract makes a 合计 that differs from its cells a warning).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pipelines.contract import load_contract
from pipelines.db.connect import table_exists

# the festival columns of the wide sheet (one per festival), as the contract declares them
FESTIVAL_CELLS = tuple(c.name for c in load_contract().table("festival_payments").columns if c.wide)
_CELLS_SUM = " + ".join(f"coalesce({c}, 0)" for c in FESTIVAL_CELLS)


@dataclass(frozen=True)
class Reconciliation:
    name: str
    figure_key: str
    blocking: bool
    description_zh: str
    description_en: str
    # SQL giving one row: expected (recomputed), rows_affected, detail (text); the figure is joined in
    sql: str


@dataclass
class ReconciliationResult:
    check: Reconciliation
    figure: Decimal | None
    expected: Decimal | None
    rows_affected: int
    detail: str

    @property
    def passed(self) -> bool:
        return self.figure == self.expected

    @property
    def message(self) -> str:
        verdict = "一致 agrees" if self.passed else "不一致 differs"
        return (
            f"{self.check.figure_key} = {self.figure}; {self.check.description_en} = "
            f"{self.expected} ({verdict}); {self.detail}"
        )


RECONCILIATIONS: tuple[Reconciliation, ...] = (
    Reconciliation(
        name="chengkou_amount_equals_its_purchases",
        figure_key="alleviation.chengkou.amount",
        blocking=True,
        description_zh="城口县帮扶采购 = 城口县各笔采购之和",
        description_en="the sum of the clean 城口县 purchases",
        sql="""
            select
                coalesce(sum(amount), 0) as expected,
                0 as rows_affected,
                count(*) || ' purchases' as detail
            from intermediate.int_alleviation_purchases_cleaned
            where county_code = 'chengkou'
        """,
    ),
    Reconciliation(
        name="veterans_amount_equals_people_times_standard",
        figure_key="welfare.veterans.amount",
        blocking=True,
        description_zh="复转军人慰问金额 = 人数 × 每人标准（各人所得金额的众数）",
        description_en="people × the per-person standard (the most common amount per person)",
        sql="""
            with per_person as (
                select coalesce(staff_id, landed_row_id) as person, sum(amount) as received
                from intermediate.int_welfare_payments_cleaned
                where welfare_category = 'veterans'
                group by coalesce(staff_id, landed_row_id)
            ),
            standard as (
                select received as standard
                from per_person
                group by received
                order by count(*) desc, received
                limit 1
            ),
            people as (
                select value as people
                from marts.report_figures
                where figure_key = 'welfare.veterans.people'
            )
            select
                coalesce(people.people * standard.standard, 0) as expected,
                (select count(*) from per_person where received <> standard.standard) as rows_affected,
                'people ' || coalesce(cast(people.people as varchar), 'null')
                || ' × standard ' || coalesce(cast(standard.standard as varchar), 'none')
                || '; people paid another amount: '
                || (select count(*) from per_person where received <> standard.standard) as detail
            from (select 1) as one
            left join people on true
            left join standard on true
        """,
    ),
    Reconciliation(
        name="changning_over_target_equals_purchases_minus_target",
        figure_key="alleviation.changning.over_target",
        blocking=True,
        description_zh="昌宁县超额完成帮扶任务 = 昌宁县采购之和 − 帮扶任务金额",
        description_en="the clean 昌宁县 purchases − its 帮扶任务 target",
        sql="""
            with purchases as (
                select coalesce(sum(amount), 0) as purchases
                from intermediate.int_alleviation_purchases_cleaned
                where county_code = 'changning'
            ),
            target as (
                select sum(target_amount) as target, count(*) as targets
                from intermediate.int_alleviation_targets_cleaned
                where county_code = 'changning'
            )
            select
                case when targets > 0 then purchases - target end as expected,
                0 as rows_affected,
                'purchases ' || purchases || ' − target ' || coalesce(cast(target as varchar), 'none')
                    as detail
            from purchases, target
        """,
    ),
    Reconciliation(
        name="festival_amount_equals_its_cells",
        figure_key="festival.amount",
        blocking=True,
        description_zh="七个节日慰问金 = 各节日金额单元格之和",
        description_en="the sum of the festival cells of the clean rows",
        sql=f"""
            select
                coalesce(sum({_CELLS_SUM}), 0) as expected,
                0 as rows_affected,
                count(*) || ' clean rows' as detail
            from intermediate.int_festival_payments_classified
            where row_status = 'clean'
        """,
    ),
    Reconciliation(
        name="festival_amount_equals_row_totals",
        figure_key="festival.amount",
        blocking=False,
        description_zh="七个节日慰问金 = 合计列之和（不一致时为警告）",
        description_en="the sum of the 合计 column of the clean rows (a difference is a warning)",
        sql=f"""
            select
                -- rows without a 合计 count with their cells: there is nothing to compare them with
                coalesce(sum(coalesce(row_total, {_CELLS_SUM})), 0) as expected,
                count(*) filter (where row_total <> {_CELLS_SUM}) as rows_affected,
                count(*) filter (where row_total <> {_CELLS_SUM})
                || ' rows whose 合计 differs from their cells (audit.warnings); '
                || count(*) filter (where row_total is null) || ' rows without 合计' as detail
            from intermediate.int_festival_payments_classified
            where row_status = 'clean'
        """,
    ),
)


def _figure(con: Any, key: str) -> Decimal | None:
    rows = con.execute(
        "select value from marts.report_figures where figure_key = ?", [key]
    ).fetchall()
    return rows[0][0] if rows else None


def reconcile(con: Any) -> list[ReconciliationResult]:
    """Every reconciliation on the build open in `con` (after dbt)."""
    if not table_exists(con, "marts", "report_figures"):
        return [
            ReconciliationResult(r, None, None, 0, "marts.report_figures 不存在 does not exist")
            for r in RECONCILIATIONS
        ]
    results = []
    for check in RECONCILIATIONS:
        expected, rows_affected, detail = con.execute(check.sql).fetchall()[0]
        figure = _figure(con, check.figure_key)
        results.append(
            ReconciliationResult(
                check,
                figure,
                None if expected is None else Decimal(expected).quantize(Decimal("0.01")),
                int(rows_affected or 0),
                detail,
            )
        )
    return results
