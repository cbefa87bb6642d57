"""`birthday`: birthday cake vouchers, one per member in the month of their birthday (welfare office)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from pipelines.demo import cells as C
from pipelines.demo.context import STREAMING_ROWS, Context
from pipelines.demo.fitting import fit_toggles
from pipelines.demo.people import DEPARTMENTS, Member, dept_written
from pipelines.demo.workbook import CsvFile, Plant, Row, Sheet, XlsxFile

VOUCHER = {"在编": 300, "编制外": 300, "离退休": 200}
QUARTERS = ["第一季度", "第二季度", "第三季度", "第四季度"]
RECEIVED_MESS = {
    "excel": 40,
    "cn_month": 14,
    "iso_month": 8,
    "iso": 10,
    "slash": 10,
    "cn": 8,
    "serial": 5,
    "blank": 5,
}


@dataclass
class Voucher:
    member: Member
    month: int
    amount: int
    received: date | None
    style: str  # how 领取日期 is spelled
    dept: str | None  # 部门 as written (optional: often blank)
    plant: Plant | None = None


def build(ctx: Context) -> list:
    rng = ctx.rng("birthday")
    y = ctx.year
    members = ctx.roster.members
    eligible = [m for m in members if m.active_on(date(y, m.birth.month, 1))]
    values = [VOUCHER[m.category] for m in eligible]
    on = [True] * len(eligible)
    target = ctx.plan.get("birthday.amount")
    if target is not None:  # the published total: some members never collected their voucher
        fit_toggles(values, on, int(target) - sum(values), rng)
    vouchers: list[Voucher] = []
    for m, v, o in zip(eligible, values, on, strict=True):
        if o:
            vouchers.append(_voucher(rng, y, m, v))
    ctx.figures["birthday.amount"] = Decimal(sum(v.amount for v in vouchers))
    for v in vouchers:
        ctx.facts.vouchers.add(v.member.staff_id)
        ctx.facts.spend(v.member.dept, v.amount)

    # Planted: one member listed twice with different amounts (both quarantined, so nothing of
    # theirs counts: they are chosen among eligible members who got no clean voucher), and a 工号
    # that is not in the roster.
    left_out = [m for m, o in zip(eligible, on, strict=True) if not o]
    if not left_out:
        left_out = [
            m
            for m in members
            if not m.active_on(date(y, m.birth.month, 1)) and m.active_on(date(y, 1, 1))
        ]
    x = rng.choice(left_out)
    conflict_a = Voucher(
        x,
        x.birth.month,
        300,
        date(y, x.birth.month, 12),
        "iso",
        x.dept,
        Plant("conflicting_duplicate", f"{x.staff_id} also in the 补录 CSV with 200"),
    )
    conflict_b = Voucher(
        x,
        x.birth.month,
        200,
        date(y, x.birth.month, 20),
        "iso",
        x.dept,
        Plant("conflicting_duplicate", f"{x.staff_id} also in a quarter sheet with 300"),
    )
    stranger = _voucher(rng, y, rng.choice(members), 300)
    stranger.plant = Plant("unknown_staff_id", f"{ctx.roster.unused_ids[0]} is not in the roster")

    dept_order = {d: i for i, (d, _, _) in enumerate(DEPARTMENTS)}
    by_q: list[list[Voucher]] = [[], [], [], []]
    for v in sorted(
        vouchers, key=lambda v: (v.month, dept_order[v.member.dept], v.member.staff_id)
    ):
        by_q[(v.month - 1) // 3].append(v)
    q_a = (x.birth.month - 1) // 3
    by_q[q_a].insert(len(by_q[q_a]) // 2, conflict_a)
    by_q[1].insert(len(by_q[1]) // 3, stranger)
    big = len(vouchers) > STREAMING_ROWS

    head_a = ["序号", "教工号", "姓名", "单位", "生日月份", "金额（元）", "领取日期", "领取人签字"]
    head_b = ["序号", "工号", "姓 名", "部门", "生日 月份", "金额", "领取日期"]

    def rows(q: int, header: list[str]) -> Iterator[Row]:
        srng = ctx.rng(f"birthday/q{q}")
        for n, v in enumerate(by_q[q], start=1):
            sid = ctx.roster.unused_ids[0] if v is stranger else v.member.staff_id
            cells = [
                n,
                C.staff_id(sid, C.pick(srng, C.ID_MESS)),
                C.padded(v.member.name, C.pick(srng, C.TEXT_MESS)),
                v.dept,
                v.month if srng.random() < 0.7 else f"{v.month}月",
                C.amount(Decimal(v.amount), C.pick(srng, {"num": 90, "yuan": 5, "text": 5})),
                _received(v),
            ]
            if len(header) > 7:
                cells.append(None)
            yield Row(cells, vals=(Decimal(v.amount),), plant=v.plant)

    sheets = []
    for q, name in enumerate(QUARTERS):
        header = head_b if q == 2 else head_a
        sheets.append(
            Sheet(
                name,
                header,
                rows(q, header),
                titles=[f"西南大学工会{y}年会员生日蛋糕券发放登记表（{name}）"],
                gap=1 if q == 0 else 0,
                sum_cols=(5,),
                total_label="合计",
                footers=["制表人：吴婷        审核人：刘晓燕"],
                widths={3: 22, 6: 12},
            )
        )
    files: list = [
        XlsxFile(f"birthday/{y}年会员生日蛋糕发放登记.xlsx", sheets, constant_memory=big)
    ]

    # The 补录 CSV: one voucher sent again, spelled differently (a duplicate, counts once), and the
    # second half of the planted conflict.
    twin = next(v for v in by_q[0][5:] if v.plant is None)
    extra = [
        Row(
            [
                twin.member.staff_id,
                twin.member.name + " ",
                twin.dept,
                f"{twin.month}月",
                f"{twin.amount}元",
                _received(twin, again=True),
            ],
            plant=Plant("duplicate", f"{twin.member.staff_id} also in the 第一季度 sheet"),
        ),
        Row(
            [x.staff_id, x.name, x.dept, x.birth.month, 200, _received(conflict_b)],
            plant=conflict_b.plant,
        ),
    ]
    files.append(
        CsvFile(
            f"birthday/生日蛋糕_补录_{y}.csv",
            Sheet("csv", ["工号", "姓名", "部门", "生日月份", "金额", "领取日期"], extra),
            encoding="gb18030",
        )
    )
    return files


def _voucher(rng, y: int, m: Member, amount: int) -> Voucher:
    month = m.birth.month
    received = date(y, month, 1) + timedelta(days=rng.randint(0, 27))
    if month < 12 and rng.random() < 0.15:
        received = date(y, month + 1, rng.randint(1, 10))
    dept = None if rng.random() < 0.1 else dept_written(rng, m.dept)
    return Voucher(m, month, amount, received, C.pick(rng, RECEIVED_MESS), dept)


def _received(v: Voucher, *, again: bool = False):
    """领取日期; month-only spellings are allowed here. `again` spells the same value differently."""
    if v.received is None or v.style == "blank":
        return None
    if again:
        month_only = v.style in ("cn_month", "iso_month")
        style = ("iso_month" if v.style == "cn_month" else "cn_month") if month_only else "dot"
        return C.day(v.received, style)
    return C.day(v.received, v.style)
