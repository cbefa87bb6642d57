"""`festival`: the seven festival payments, a wide sheet with one row per member (finance office)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from xlsxwriter.utility import xl_col_to_name

from pipelines.demo import cells as C
from pipelines.demo.cells import Formula
from pipelines.demo.context import STREAMING_ROWS, Context
from pipelines.demo.fitting import fit_toggles
from pipelines.demo.people import DEPARTMENTS, Member, dept_written
from pipelines.demo.workbook import Row, Sheet, XlsxFile

FESTIVALS = ["元旦", "春节", "清明节", "五一节", "端午节", "中秋节", "国庆节"]
# Per-festival standard (yuan) by staff category.
STANDARD = {
    "在编": (200, 800, 200, 300, 300, 500, 400),
    "编制外": (100, 400, 100, 200, 200, 300, 200),
    "离退休": (200, 600, 100, 200, 200, 400, 400),
}
# Lunar festivals move; the dates matter only to decide who was a member when each was paid.
_LUNAR = {  # year: (春节, 端午节, 中秋节)
    2021: ((2, 12), (6, 14), (9, 21)),
    2022: ((2, 1), (6, 3), (9, 10)),
    2023: ((1, 22), (6, 22), (9, 29)),
    2024: ((2, 10), (6, 10), (9, 17)),
    2025: ((1, 29), (5, 31), (10, 6)),
    2026: ((2, 17), (6, 19), (9, 25)),
}


def festival_dates(y: int) -> list[date]:
    spring, dragon, moon = _LUNAR.get(y, ((2, 1), (6, 10), (9, 20)))
    days = [
        date(y, 1, 1),
        date(y, *spring),
        date(y, 4, 5),
        date(y, 5, 1),
        date(y, *dragon),
        date(y, *moon),
        date(y, 10, 1),
    ]
    return [d - timedelta(days=7) for d in days]  # paid the week before


def build(ctx: Context) -> list[XlsxFile]:
    rng = ctx.rng("festival")
    y = ctx.year
    paid = festival_dates(y)
    members = ctx.roster.members
    values: list[int] = []
    on: list[bool] = []
    for m in members:
        std = STANDARD[m.category]
        for k in range(7):
            values.append(std[k])
            on.append(m.active_on(paid[k]))
    target = ctx.plan.get("festival.amount")
    if target is not None:
        total = sum(v for v, o in zip(values, on, strict=True) if o)
        # The budget is met by leaving out festivals of contract staff first (not every contract
        # is entitled to every festival), then anyone's.
        contract: list[int] = []
        rest: list[int] = []
        for n, m in enumerate(members):
            (contract if m.category == "编制外" else rest).extend(range(n * 7, n * 7 + 7))
        rng.shuffle(contract)
        rng.shuffle(rest)
        fit_toggles(values, on, int(target) - total, rng, order=contract + rest)
    ctx.figures["festival.amount"] = Decimal(sum(v for v, o in zip(values, on, strict=True) if o))
    for n, m in enumerate(members):
        cells = range(n * 7, n * 7 + 7)
        paid = sum(values[i] for i in cells if on[i])
        if paid:
            ctx.facts.spend(m.dept, paid)

    dept_order = {d: i for i, (d, _, _) in enumerate(DEPARTMENTS)}
    rows_of: dict[str, list[int]] = {"在职": [], "离退休": []}
    for i, m in enumerate(members):
        if any(on[i * 7 : (i + 1) * 7]):
            rows_of["离退休" if m.category == "离退休" else "在职"].append(i)
    for idx in rows_of.values():
        idx.sort(key=lambda i: (dept_order[members[i].dept], members[i].staff_id))

    def sheet(
        name: str, idx: list[int], header: list[str], with_category: bool, seed: str
    ) -> Sheet:
        srng = ctx.rng(f"festival/{seed}")
        first = 5 if with_category else 4  # column of 元旦, after 序号 工号 姓名 部门 [人员类别]

        def rows() -> Iterator[Row]:
            for n, i in enumerate(idx, start=1):
                m: Member = members[i]
                amounts = [values[i * 7 + k] if on[i * 7 + k] else None for k in range(7)]
                cells: list = [
                    n,
                    C.staff_id(m.staff_id, C.pick(srng, C.ID_MESS)),
                    C.padded(m.name, C.pick(srng, C.TEXT_MESS)),
                    None if srng.random() < 0.05 else dept_written(srng, m.dept, 0.08),
                ]
                if with_category:
                    cells.append(m.category)
                numeric = True
                row_vals = []
                for a in amounts:
                    if a is None:
                        cells.append(None)
                        row_vals.append(Decimal(0))
                        continue
                    if srng.random() < 0.003:
                        cells.append(
                            C.amount(Decimal(a), srng.choice(["yuan", "yen_full", "text"]))
                        )
                        numeric = False
                    else:
                        cells.append(a)
                    row_vals.append(Decimal(a))
                total = sum(row_vals)
                if numeric:
                    a_col = _col(first)
                    z_col = _col(first + 6)
                    cells.append(Formula(f"=SUM({a_col}{{r}}:{z_col}{{r}})", total))
                else:
                    cells.append(total)
                yield Row(cells, vals=(*row_vals, total))

        return Sheet(
            name,
            header,
            rows(),
            titles=[f"西南大学{y}年度教职工节日慰问金发放表（{name}）"],
            sum_cols=tuple(range(first, first + 8)),
            total_label="合计",
            footers=["制表人：周丽        审核人：黄建华        财务处（章）"],
            widths={2: 10, 3: 22},
        )

    head_a = ["序号", "工号", "姓名", "部门", "人员类别", *FESTIVALS, "合计"]
    head_b = [
        "序号",
        "教工号",
        "姓  名",
        "单位",
        *[f" {f} " if f == "春节" else f for f in FESTIVALS],
        "合  计",
    ]
    total_rows = sum(len(v) for v in rows_of.values())
    sheets = [
        sheet("在职", rows_of["在职"], head_a, True, "a"),
        sheet("离退休", rows_of["离退休"], head_b, False, "b"),
        _pivot(members, on, values, dept_order),
        _notes(),
        _hidden(head_a),
    ]
    return [
        XlsxFile(
            f"festival/{y}年节日慰问金发放表.xlsx",
            sheets,
            constant_memory=total_rows > STREAMING_ROWS,
        )
    ]


def _col(c: int) -> str:
    return xl_col_to_name(c)


def _pivot(members: list[Member], on: list[bool], values: list[int], dept_order: dict) -> Sheet:
    """By department: 单位 is one column name; 人数 and 金额 are not. Never a header."""
    agg: dict[str, list[int]] = {}
    for i, m in enumerate(members):
        s = sum(values[i * 7 + k] for k in range(7) if on[i * 7 + k])
        if s:
            a = agg.setdefault(m.dept, [0, 0])
            a[0] += 1
            a[1] += s
    rows = [Row([d, a[0], a[1]]) for d, a in sorted(agg.items(), key=lambda kv: dept_order[kv[0]])]
    return Sheet(
        "汇总",
        ["单位", "人数", "金额（元）"],
        rows,
        titles=["节日慰问金分单位汇总"],
        sum_cols=(1, 2),
        total_label="合计",
    )


def _notes() -> Sheet:
    text = [
        ["元旦", "按人员类别标准发放"],
        ["春节", "在职、离退休标准不同"],
        ["合计", "各节日金额之和"],
        ["说明", "当月入职、离职人员按实际在岗情况发放"],
    ]
    return Sheet("说明", ["项目", "内容"], [Row(t) for t in text])


def _hidden(header: list[str]) -> Sheet:
    junk = [
        [1, "GH99999", "测试", "测试单位", "在编", 9999, 9999, 9999, 9999, 9999, 9999, 9999, 69993]
    ]
    return Sheet("Sheet3", header, [Row(j) for j in junk], hidden=True)
