"""各部门人均支出 Spending per member, by department.

Opens the published warehouse read-only ($UNIONWH_WAREHOUSE, default warehouse/union.duckdb):
the year's spending (marts.spending_by_category) per department, divided by the department's
members in the year (marts.members; marts.participation.members in a warehouse without it).

    uv run marimo edit notebooks/spending_per_member.py      # interactive
    uv run python notebooks/spending_per_member.py           # headless
"""

# ruff: noqa: B018  (a cell's last expression is what marimo shows)

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import os

    import marimo as mo

    from pipelines.report import analysis
    from pipelines.report.data import connect_read_only

    warehouse = analysis.warehouse_path()
    mo.stop(
        not warehouse.exists(),
        mo.md(
            f"**找不到发布的仓库** `{warehouse}` (published warehouse not found): run `unionwh run` first."
        ),
    )
    con = connect_read_only(warehouse)
    year = int(os.environ.get("UNIONWH_YEAR") or analysis.latest_year(con) or 0)
    return analysis, con, mo, year


@app.cell
def _(analysis, con, mo, year):
    answer = analysis.spending_per_member(con, year)
    if answer.ok:
        view = mo.vstack(
            [
                mo.md(
                    f"## {year}年各部门人均支出 Spending per member by department, {year}\n\n"
                    f"来源 source: `{answer.source}`。未归属部门的支出(如定点帮扶采购)不摊到会员。"
                    "Spending with no department (e.g. assistance purchases) is not shared out."
                ),
                mo.ui.table(
                    analysis.display_rows(
                        answer.rows,
                        {
                            "department": "部门 department",
                            "amount": "支出(元) spent",
                            "members": "会员 members",
                            "per_member": "人均(元) per member",
                        },
                    ),
                    selection=None,
                ),
            ]
        )
    else:
        view = mo.md(
            "**无法回答 cannot answer:** 缺少 missing:\n\n"
            + "\n".join(f"- {m}" for m in answer.missing)
        )
    view
    return


if __name__ == "__main__":
    app.run()
