"""哪些已立案提案超过60天未答复? Accepted proposals not replied to within 60 days.

Opens the published warehouse read-only ($UNIONWH_WAREHOUSE, default warehouse/union.duckdb) and
reads marts.proposals (each proposal's state in the latest export). An accepted proposal is overdue
at the reference date ($UNIONWH_AS_OF, default today) when its 60-day reply deadline, counted from
submission, has passed by then and no reply came within it (replied later, or not yet).

    uv run marimo edit notebooks/overdue_proposals.py      # interactive
    uv run python notebooks/overdue_proposals.py           # headless
"""

# ruff: noqa: B018  (a cell's last expression is what marimo shows)

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import datetime as dt
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
    as_of_default = dt.date.fromisoformat(
        os.environ.get("UNIONWH_AS_OF") or dt.date.today().isoformat()
    )
    return analysis, as_of_default, con, mo, year


@app.cell
def _(as_of_default, mo):
    days = mo.ui.number(start=1, stop=365, value=60, label="答复期限(天) reply within (days)")
    as_of = mo.ui.date(value=as_of_default.isoformat(), label="截至 as of")
    mo.hstack([days, as_of])
    return as_of, days


@app.cell
def _(analysis, as_of, con, days, mo, year):
    answer = analysis.overdue_proposals(con, year, days=int(days.value), as_of=as_of.value)
    if answer.ok:
        waiting = sum(1 for r in answer.rows if r["not_replied"])
        view = mo.vstack(
            [
                mo.md(
                    f"## {year}年超过{days.value}天未答复的已立案提案 Accepted proposals not replied "
                    f"to within {days.value} days\n\n"
                    f"共 **{len(answer.rows)}** 条 ({len(answer.rows)} proposals),其中尚未答复 "
                    f"{waiting} 条 ({waiting} still without a reply) · 来源 source: `{answer.source}`"
                ),
                mo.ui.table(
                    analysis.display_rows(
                        answer.rows,
                        {
                            "proposal_id": "提案编号 id",
                            "congress": "会议 congress",
                            "title": "标题 title",
                            "lead_department_name": "承办部门 handling department",
                            "handling_status": "办理状态 status",
                            "submitted_on": "提交日期 submitted",
                            "replied_on": "答复日期 replied",
                            "days_to_reply": "天数 days",
                            "not_replied": "未答复 no reply",
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
