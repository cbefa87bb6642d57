"""哪些会员没有领到生日券? Which members received no birthday voucher?

Opens the published warehouse read-only ($UNIONWH_WAREHOUSE, default warehouse/union.duckdb) and
lists the members who were due a voucher (members on the first day of their birth month) and have
no row in marts.birthday_vouchers. A warehouse without marts.members and marts.birthday_vouchers
(published before they existed) gets told what is missing. Shows 工号, 姓名, 部门, 状态 and 生日月份
only: never 身份证号 or 手机号.

    uv run marimo edit notebooks/birthday_vouchers.py      # interactive
    uv run python notebooks/birthday_vouchers.py           # headless
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
    return analysis, con, mo, warehouse, year


@app.cell
def _(analysis, con, mo, warehouse, year):
    answer = analysis.members_without_birthday_voucher(con, year)
    if answer.ok:
        view = mo.vstack(
            [
                mo.md(
                    f"## {year}年未领取生日券的会员 Members with no birthday voucher in {year}\n\n"
                    f"生日当月在会、却没有生日券记录的会员:共 **{len(answer.rows)}** 人 "
                    f"({len(answer.rows)} members due a voucher without one) · 来源 source: "
                    f"`{answer.source}` · `{warehouse.name}`\n\n"
                    + "\n".join(f"- {note}" for note in answer.notes)
                ),
                mo.ui.table(
                    analysis.display_rows(
                        answer.rows,
                        {
                            "staff_id": "工号 staff id",
                            "member_name": "姓名 name",
                            "department_code": "部门代码 department code",
                            "department_name": "部门 department",
                            "member_status": "状态 status",
                            "birth_month": "生日月份 birth month",
                        },
                    ),
                    selection=None,
                ),
            ]
        )
    else:
        view = mo.md(
            f"## {year}年未领取生日券的会员 Members with no birthday voucher\n\n"
            "**无法回答 cannot answer:** 发布的仓库没有会员级数据。The published warehouse holds no "
            "member-level data. 需要 Needed:\n\n" + "\n".join(f"- {m}" for m in answer.missing)
        )
    view
    return


if __name__ == "__main__":
    app.run()
