"""`members`: the roster (会员名册), from the union's organisation office.

A workbook with the serving staff and the retired on two sheets (header spelled with aliases:
职工号/所在单位, 工 号/单位), plus a CSV of the members who joined this year.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from pipelines.demo import cells as C
from pipelines.demo.context import STREAMING_ROWS, Context
from pipelines.demo.people import DEPARTMENTS, Member, dept_written
from pipelines.demo.workbook import BLANK, CsvFile, Row, Sheet, XlsxFile

BIRTH_MESS = {"excel": 70, "iso": 8, "slash": 8, "dot": 6, "cn": 8}
JOIN_MESS = {"excel": 75, "serial": 10, "iso": 10, "cn": 5}


def _cells(rng, m: Member, n: int, *, csv: bool = False) -> list:
    return [
        n,
        C.staff_id(m.staff_id, C.pick(rng, C.ID_MESS)),
        C.padded(m.name, C.pick(rng, C.TEXT_MESS)),
        m.gender,
        C.padded(dept_written(rng, m.dept, 0.1), C.pick(rng, C.TEXT_MESS)),
        C.day(m.birth, C.pick(rng, BIRTH_MESS)),
        C.day(m.joined, C.pick(rng, JOIN_MESS) if not csv else "iso"),
        m.category,
        "是" if m.veteran else (None if rng.random() < 0.97 else "否"),
        m.id_card,
        m.mobile,
        m.status or None,
        C.day(m.status_date, C.pick(rng, {"excel": 6, "iso": 2, "cn": 2}))
        if m.status_date
        else None,
    ]


def build(ctx: Context) -> list:
    y = ctx.year
    members = ctx.roster.members
    dept_order = {d: i for i, (d, _, _) in enumerate(DEPARTMENTS)}
    joined_now = [m for m in members if m.joined >= date(y, 1, 1)]
    serving = [m for m in members if m.category != "离退休" and m.joined < date(y, 1, 1)]
    retired = [m for m in members if m.category == "离退休"]
    for group in (serving, retired, joined_now):
        group.sort(key=lambda m: (dept_order[m.dept], m.staff_id))

    head_a = [
        "序号",
        "职工号",
        "姓  名",
        "性别",
        "所在单位",
        "出生日期",
        "入会日期",
        "人员类别",
        "退役军人",
        "身份证号",
        "手机号",
        "状态",
        "状态日期",
    ]
    head_b = [
        "序号",
        "工 号",
        "姓名",
        "性别",
        "单位",
        "出生日期",
        "入会日期",
        "人员类别",
        "退役军人",
        "身份证号",
        "手机号",
        "状态",
        "状态日期",
    ]

    def rows(group: list[Member], name: str) -> Iterator:
        rng = ctx.rng(f"members/{name}")
        prev = None
        for n, m in enumerate(group, start=1):
            if prev is not None and prev != m.dept and rng.random() < 0.08:
                yield BLANK  # a blank line left between two departments
            prev = m.dept
            yield Row(_cells(rng, m, n))

    big = len(members) > STREAMING_ROWS
    sheet_kw = {
        "footers": [
            "制表人：赵敏        审核人：孙国庆",
            f"备注：名册截至{y}年12月31日，含年内退会、去世会员。",
        ],
        "widths": {1: 10, 4: 22, 5: 12, 6: 12, 9: 20, 10: 13},
    }
    roster = XlsxFile(
        f"members/{y}年会员名册.xlsx",
        [
            Sheet(
                "在职",
                head_a,
                rows(serving, "a"),
                titles=[f"西南大学工会会员名册（{y}年度·在职）"],
                gap=1,
                **sheet_kw,
            ),
            Sheet(
                "离退休",
                head_b,
                rows(retired, "b"),
                titles=[f"西南大学工会会员名册（{y}年度·离退休）"],
                **sheet_kw,
            ),
        ],
        constant_memory=big,
    )
    rng = ctx.rng("members/new")
    new = CsvFile(
        f"members/{y}年新入会会员.csv",
        Sheet(
            "csv",
            [*head_a[:1], "教工号", *head_a[2:]],
            [Row(_cells(rng, m, n, csv=True)) for n, m in enumerate(joined_now, start=1)],
            titles=[f"{y}年新入会会员名单"],
        ),
        encoding="utf-8-sig",
    )
    return [roster, new]
