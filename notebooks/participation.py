"""哪些部门的文体活动参与率最低? Which departments take part least?

Opens the published warehouse read-only ($UNIONWH_WAREHOUSE, default warehouse/union.duckdb) and
lists the departments with the lowest participation rate: members who took part in any activity
over the department's members (marts.participation_by_department).

    uv run marimo edit notebooks/participation.py      # interactive
    uv run python notebooks/participation.py           # headless
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
def _(mo):
    how_many = mo.ui.slider(3, 30, value=10, label="显示部门数 departments shown")
    how_many
    return (how_many,)


@app.cell
def _(analysis, con, how_many, mo, year):
    answer = analysis.lowest_participation(con, year, how_many.value)
    if answer.ok:
        rows = [
            {
                "department": r["department"],
                "members": r["members"],
                "participants": r["participants"],
                "rate": None if r["rate"] is None else round(float(r["rate"]) * 100, 1),
                "per_member": None if r["per_member"] is None else round(float(r["per_member"]), 2),
            }
            for r in answer.rows
        ]
        lower_bound = bool(answer.rows) and answer.rows[0]["lower_bound"]
        caveat = (
            "\n\n参与人数按活动类别统计:此处取参与人数最多的类别,是部门参与人数的下限。"
            "marts.participation counts participants per activity category; the largest "
            "category's count is shown, a lower bound of the department's distinct participants."
            if lower_bound
            else ""
        )
        view = mo.vstack(
            [
                mo.md(
                    f"## {year}年参与率最低的部门 Departments with the lowest participation, {year}\n\n"
                    f"来源 source: `{answer.source}`" + caveat
                ),
                mo.ui.table(
                    analysis.display_rows(
                        rows,
                        {
                            "department": "部门 department",
                            "members": "会员 members",
                            "participants": "参与人数 participants",
                            "rate": "参与率 % rate",
                            "per_member": "人均参与人次 participations per member",
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
