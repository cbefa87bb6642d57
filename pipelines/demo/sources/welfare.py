"""`welfare`: visits, condolences and hardship aid, one row per payment, from the welfare office.

The year arrives as several files (per quarter, per batch, per programme), in xlsx and CSV (one GBK,
one UTF-8 with BOM, one plain UTF-8), with a re-sent batch whose rows duplicate earlier ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from pipelines.demo import cells as C
from pipelines.demo.context import STREAMING_ROWS, Context, workday
from pipelines.demo.fitting import split, spread
from pipelines.demo.people import (
    OFFICIAL_NAME,
    UNKNOWN_DEPARTMENTS,
    Member,
    dept_written,
    person_name,
)
from pipelines.demo.workbook import BLANK, CsvFile, Plant, Row, Sheet, Subtotal, XlsxFile

LIFE_RATES = {"结婚慰问": 500, "生育慰问": 500, "退休慰问": 1000, "去世慰问": 1000}
LIFE = tuple(LIFE_RATES)
FOOTER_SIGN = "制表人：刘晓燕        审核人：陈建国        单位负责人：王志强"


@dataclass
class Payment:
    paid_on: date | str  # a str only for the planted month-only 发放日期
    member: Member | None
    name: str
    dept: str | None  # as written on the row
    category: str
    amount: int  # yuan
    form: str | None
    fiscal_year: int | None  # None: the cell is blank
    remark: str | None
    plant: Plant | None = None


class _Builder:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.y = ctx.year
        self.rng = ctx.rng("welfare")

    # -- helpers -----------------------------------------------------------------------------

    def members(
        self, pool: list[Member], k: int, on: date, *, exclude: set[str] = frozenset()
    ) -> list[Member]:
        ok = [m for m in pool if m.active_on(on) and m.staff_id not in exclude]
        if len(ok) < k:
            raise ValueError(f"only {len(ok)} members available, {k} needed")
        return self.rng.sample(ok, k)

    def dept(self, m: Member) -> str | None:
        r = self.rng.random()
        if r < 0.15:
            return None  # optional: the roster's department is used
        return dept_written(self.rng, m.dept)

    def fy(self, paid_on: date) -> int | None:
        """所属年度: the folder's year, blank now and then (only where 发放日期 is in that year)."""
        if paid_on.year == self.y and self.rng.random() < 0.04:
            return None
        return self.y

    def pay(
        self,
        paid_on: date,
        m: Member,
        category: str,
        amount: int,
        form: str,
        remark: str | None = None,
    ) -> Payment:
        return Payment(
            paid_on, m, m.name, self.dept(m), category, amount, form, self.fy(paid_on), remark
        )

    # -- categories ------------------------------------------------------------------------------

    def new_year(self, people: int, total: int) -> list[Payment]:
        y, rng = self.y, self.rng
        roster = self.ctx.roster.members
        on = date(y, 1, 10)
        old = [m for m in roster if m.category == "离退休" and not m.recently_retired]
        staff = [m for m in roster if m.category in ("在编", "编制外")]
        n_old = round(people * 0.6)
        chosen = self.members(old, n_old, on) + self.members(staff, people - n_old, on)
        out = []
        for m, amount in zip(chosen, spread(total, people, 100, rng), strict=True):
            if m.category == "离退休":
                remark = C.pick(rng, {"离休干部": 3, "退休困难教职工": 4, "老劳模": 1})
            else:
                remark = C.pick(rng, {"困难教职工": 5, "劳动模范": 2, "先进工作者": 1})
            paid = (
                workday(rng, date(y - 1, 12, 26), date(y - 1, 12, 29))
                if rng.random() < 0.2
                else workday(rng, date(y, 1, 4), date(y, 1, 18))
            )
            out.append(
                self.pay(
                    paid,
                    m,
                    "新年慰问",
                    amount,
                    C.pick(rng, {"现金": 2, "转账": 5, "慰问品": 3}),
                    remark,
                )
            )
        return out

    def july_first(self, people: int, total: int) -> list[Payment]:
        rng = self.rng
        n_martyr = people - max(1, people // 4)
        out = []
        for i, amount in enumerate(spread(total, people, 100, rng)):
            gender = "女" if rng.random() < 0.7 else "男"
            remark = "烈属" if i < n_martyr else "因公殉职干部家属"
            if rng.random() < 0.5:
                remark += (
                    f"（{person_name(rng, '男')}烈士之{'母' if gender == '女' else '父'}）"
                    if i < n_martyr
                    else f"（已故干部{person_name(rng, '男')}之妻）"
                )
            out.append(
                Payment(
                    workday(rng, date(self.y, 6, 26), date(self.y, 6, 30)),
                    None,
                    person_name(rng, gender),
                    rng.choice([None, "离退休工作处", "校工会"]),
                    "七一走访",
                    amount,
                    "慰问品",
                    self.y,
                    remark,
                )
            )
        return out

    def frontier(self, people: int, total: int) -> list[Payment]:
        rng, y = self.rng, self.y
        staff = self.ctx.roster.by_category("在编")
        n_family = max(1, round(people / 3))
        cadres = self.members(staff, people, date(y, 9, 25))
        out = []
        paid = date(y, 9, 25)
        for i, (m, amount) in enumerate(zip(cadres, spread(total, people, 100, rng), strict=True)):
            where = rng.choice(["援疆", "援藏"])
            if i < people - n_family:
                out.append(
                    self.pay(
                        paid,
                        m,
                        "援疆援藏家属慰问",
                        amount,
                        "慰问品",
                        f"{where}干部家属，由家属代领",
                    )
                )
            else:  # the family member is the recipient, with no 工号
                rel = rng.choice(["妻", "母", "父", "夫"])
                g = "女" if rel in ("妻", "母") else "男"
                out.append(
                    Payment(
                        paid,
                        None,
                        person_name(rng, g),
                        dept_written(rng, m.dept),
                        "援疆援藏家属慰问",
                        amount,
                        "慰问品",
                        y,
                        f"{where}干部{m.name}之{rel}",
                    )
                )
        return out

    def teachers_day(self, people: int, total: int) -> list[Payment]:
        rng, y = self.rng, self.y
        senior = [m for m in self.ctx.roster.by_category("在编") if m.age_on(date(y, 9, 1)) >= 45]
        out = []
        for m, amount in zip(
            self.members(senior, people, date(y, 9, 6)),
            spread(total, people, 100, rng),
            strict=True,
        ):
            remark = C.pick(rng, {"院士": 1, "资深教授": 4, "新增国家级人才": 3, "含弘名师": 2})
            out.append(
                self.pay(
                    workday(rng, date(y, 9, 6), date(y, 9, 8)),
                    m,
                    "教师节走访",
                    amount,
                    "慰问品",
                    remark,
                )
            )
        return out

    def life_events(self, counts: dict[str, int], bereavement: dict[str, int]) -> list[Payment]:
        """结婚/生育/退休/去世慰问 paid from 1 October of the year before to 30 September."""
        rng, y = self.rng, self.y
        roster = self.ctx.roster.members
        start, end = date(y - 1, 10, 8), date(y, 9, 28)
        used: set[str] = set()
        out: list[Payment] = []

        def take(pool: list[Member], k: int, ages: tuple[int, int], category: str) -> None:
            cands = [
                m
                for m in pool
                if m.staff_id not in used and ages[0] <= m.age_on(date(y, 1, 1)) <= ages[1]
            ]
            rng.shuffle(cands)
            got = 0
            for m in cands:
                if got == k:
                    break
                paid = workday(rng, start, end)
                if not m.active_on(paid):
                    continue
                used.add(m.staff_id)
                out.append(self.pay(paid, m, category, LIFE_RATES[category], "慰问品"))
                got += 1
            if got < k:
                raise ValueError(f"not enough members for {category}")

        staff = [m for m in roster if m.category in ("在编", "编制外")]
        take(staff, counts["结婚慰问"], (23, 38), "结婚慰问")
        take(staff, counts["生育慰问"], (25, 42), "生育慰问")
        retired = [m for m in roster if m.recently_retired]
        take(retired, counts["退休慰问"], (0, 200), "退休慰问")
        for p in out[-counts["退休慰问"] :]:
            p.remark = "光荣退休"

        # 去世慰问: members who died this year (paid to the family under the member's 工号) …
        dead = [m for m in roster if m.status == "去世" and m.status_date <= date(y, 8, 31)]
        dead.sort(key=lambda m: m.staff_id)
        for m in rng.sample(dead, bereavement["member_died"]):
            paid = min(m.status_date + timedelta(days=rng.randint(5, 25)), date(y, 9, 28))
            used.add(m.staff_id)
            out.append(
                Payment(
                    paid,
                    m,
                    m.name,
                    self.dept(m),
                    "去世慰问",
                    LIFE_RATES["去世慰问"],
                    "慰问品",
                    self.fy(paid),
                    "会员本人去世，家属代领",
                )
            )
        # … members whose close relative died …
        k = bereavement["relative_died"]
        take(roster, k, (25, 95), "去世慰问")
        for p in out[-k:]:
            p.remark = rng.choice(["父亲去世", "母亲去世", "配偶去世", "岳父去世", "婆婆去世"])
        # … and families of members who died before this year's roster (no 工号).
        for _ in range(bereavement["family_no_id"]):
            paid = workday(rng, date(y - 1, 10, 10), date(y - 1, 12, 20))
            out.append(
                Payment(
                    paid,
                    None,
                    person_name(rng, rng.choice("男女")),
                    rng.choice([None, "离退休工作处"]),
                    "去世慰问",
                    LIFE_RATES["去世慰问"],
                    "慰问品",
                    y,
                    f"已故退休教师{person_name(rng, '男')}家属",
                )
            )
        return out

    def universiade(self, people: int) -> list[Payment]:
        if not people:
            return []
        y = self.y
        staff = self.ctx.roster.by_category("在编")
        sports = [m for m in staff if m.dept == "体育学院"]
        k = min(len(sports), max(1, people * 2 // 3))
        chosen = self.members(sports, k, date(y, 8, 1))
        chosen += self.members(
            staff, people - k, date(y, 8, 1), exclude={m.staff_id for m in chosen}
        )
        return [
            self.pay(
                date(y, 8, 10),
                m,
                "大运会慰问",
                500,
                "慰问品",
                "第31届世界大学生夏季运动会中国代表团",
            )
            for m in chosen
        ]

    def veterans(self, people: int, total: int) -> list[Payment]:
        rng, y = self.rng, self.y
        vets = [m for m in self.ctx.roster.members if m.veteran]
        if len(vets) != people:
            raise ValueError(f"{len(vets)} veterans in the roster, plan says {people}")
        out = []
        for m, amount in zip(vets, spread(total, people, 100, rng), strict=True):
            out.append(
                self.pay(
                    workday(rng, date(y, 7, 27), date(y, 8, 1)),
                    m,
                    "复转军人慰问",
                    amount,
                    "慰问品",
                    C.pick(rng, {"": 6, "复转军人": 3, "现役军人家属": 1}) or None,
                )
            )
        return out

    def disability(self, recipients: int, total: int) -> list[Payment]:
        rng, y = self.rng, self.y
        if total % 12:
            raise ValueError("伤残保健金 is paid monthly: its total must divide by 12")
        vets = sorted((m for m in self.ctx.roster.members if m.veteran), key=lambda m: m.staff_id)
        chosen = rng.sample(vets, recipients)
        rates = split(total // 12, recipients, 1000, 2500, 10, rng)
        out = []
        for month in range(1, 13):
            for m, rate in zip(chosen, rates, strict=True):
                out.append(
                    self.pay(
                        date(y, month, rng.randint(10, 15)),
                        m,
                        "伤残保健金",
                        rate,
                        "转账",
                        "伤残等级" + rng.choice(["六级", "七级", "八级"]) if month == 1 else None,
                    )
                )
        return out

    def hardship_special(self, batches: list[tuple[date, int]]) -> list[Payment]:
        rng = self.rng
        pool = [m for m in self.ctx.roster.members if m.category != "编制外"]
        out = []
        for k, (paid, total) in enumerate(batches):
            n = max(1, total // 5000)
            if k == 0 and total >= 12000 + (n - 1) * 3000:
                amounts = [12000, *split(total - 12000, n - 1, 3000, 20000, 1000, rng)]
            else:
                amounts = split(total, n, 3000, 20000, 1000, rng)
            for m, amount in zip(self.members(pool, n, paid), amounts, strict=True):
                out.append(
                    Payment(
                        paid,
                        m,
                        m.name,
                        self.dept(m),
                        "特别困难补助",
                        amount,
                        "转账",
                        self.y,
                        rng.choice(["重大疾病", "突发意外", "家庭重大变故"]),
                    )
                )
        return out

    def hardship_temporary(self, total: int) -> list[Payment]:
        rng, y = self.rng, self.y
        n = max(1, total // 2500)
        out = []
        pool = self.ctx.roster.members
        for amount in split(total, n, 1000, 5000, 500, rng):
            paid = workday(rng, date(y - 1, 12, 1), date(y, 12, 20))
            m = rng.choice(pool)
            while not m.active_on(paid):
                m = rng.choice(pool)
            out.append(
                self.pay(
                    paid,
                    m,
                    "临时困难补助",
                    amount,
                    C.pick(rng, {"转账": 4, "现金": 1}),
                    rng.choice(["住院治疗", "子女重病", "房屋受灾", "意外受伤"]),
                )
            )
        return sorted(out, key=lambda p: p.paid_on)


# -- rendering ------------------------------------------------------------------------------------

# Each file has its own header spelling; keys: seq date id name dept cat amount form fy remark extra
H1 = {
    "seq": "序号",
    "date": "发放日期",
    "id": "工 号",
    "name": "姓  名",
    "dept": "单位",
    "cat": "慰问类别",
    "amount": "金额（元）",
    "form": "发放形式",
    "fy": "所属年度",
    "remark": "备注",
}
H2 = {
    "seq": "序号",
    "date": "发放日期",
    "id": "职工号",
    "name": "姓名",
    "dept": "部门",
    "cat": "慰问类别",
    "amount": "金额",
    "form": "发放形式",
    "fy": "所属年度",
    "remark": "备注",
    "extra": "联系人",
}
H3 = {
    "date": "发放日期",
    "id": "教工号",
    "name": "姓 名",
    "dept": "所在单位",
    "cat": "慰问类别",
    "amount": "金额(元)",
    "form": "发放形式",
    "fy": "所属 年度",
    "remark": "备注",
}
H4 = {
    "seq": "序号",
    "date": "发放日期",
    "id": "工号",
    "name": "姓名",
    "dept": "单位",
    "cat": "慰问类别",
    "amount": "金额（元）",
    "form": "发放形式",
    "fy": "所属年度",
    "remark": "备注",
}
H5 = {
    "seq": "序号",
    "id": "工号",
    "name": "姓名",
    "dept": "部门",
    "cat": "慰问类别",
    "amount": "金额",
    "form": "发放形式",
    "date": "发放日期",
    "fy": "所属年度",
    "remark": "备注",
}
H_WAN = {
    "seq": "序号",
    "date": "发放日期",
    "id": "工号",
    "name": "姓名",
    "dept": "部门",
    "cat": "慰问类别",
    "amount": "金额(万元)",
    "form": "发放形式",
    "fy": "所属年度",
    "remark": "备注",
}


class _Renderer:
    """Turns payments into rows for one header layout, choosing each cell's spelling."""

    def __init__(
        self,
        rng: random.Random,
        header: dict[str, str],
        *,
        amount_mess: dict[str, int],
        date_mess: dict[str, int],
        wan: bool = False,
    ) -> None:
        self.rng = rng
        self.keys = list(header)
        self.names = list(header.values())
        self.amount_mess = amount_mess
        self.date_mess = date_mess
        self.wan = wan

    @property
    def amount_col(self) -> int:
        return self.keys.index("amount")

    def numbered(self, items: list) -> list:
        """Number the 序号 column 1, 2, 3 … in the order the rows finally stand on the sheet."""
        if "seq" in self.keys:
            col = self.keys.index("seq")
            n = 0
            for item in items:
                if isinstance(item, Row):
                    n += 1
                    item.cells[col] = n
        return items

    def cells(self, p: Payment, *, styles: dict[str, str] | None = None) -> Row:
        rng = self.rng
        styles = styles or {}
        value: dict[str, object] = {"seq": None, "extra": None}
        if isinstance(p.paid_on, str):
            value["date"] = p.paid_on
        else:
            value["date"] = C.day(p.paid_on, styles.get("date") or C.pick(rng, self.date_mess))
        sid = p.member.staff_id if p.member else None
        value["id"] = C.staff_id(sid, styles.get("id") or C.pick(rng, C.ID_MESS)) if sid else None
        value["name"] = C.padded(p.name, styles.get("name") or C.pick(rng, C.TEXT_MESS))
        value["dept"] = C.padded(p.dept, C.pick(rng, C.TEXT_MESS)) if p.dept else None
        value["cat"] = p.category
        amount = Decimal(p.amount)
        if self.wan:
            style = styles.get("amount", "num")
            value["amount"] = (
                C.amount(amount, "wan") if style == "wan" else C.number(amount / 10000)
            )
            val = amount / 10000
        else:
            style = styles.get("amount") or C.pick(rng, self.amount_mess)
            value["amount"] = C.amount(amount, style)
            val = amount
        value["form"] = p.form
        value["fy"] = (
            C.year(
                p.fiscal_year,
                styles.get("fy") or C.pick(rng, {"num": 70, "text": 10, "cn": 14, "fullwidth": 6}),
            )
            if p.fiscal_year is not None
            else None
        )
        value["remark"] = p.remark
        if "extra" in self.keys and rng.random() < 0.3:
            value["extra"] = rng.choice(["王老师", "李老师", "张老师"])
        return Row([value[k] for k in self.keys], vals=(val,), plant=p.plant)


def _grouped(
    rows_by_group: list[list[Row]], *, subtotal: bool = False, blank: bool = False
) -> list:
    out: list = []
    for i, group in enumerate(rows_by_group):
        if not group:
            continue
        if blank and i and out:
            out.append(BLANK)
        out.extend(group)
        if subtotal:
            out.append(Subtotal("小计"))
    return out


def build(ctx: Context) -> list:
    """The welfare files of the year, and the welfare figures their clean rows give."""
    b = _Builder(ctx)
    plan, y, rng = ctx.plan, ctx.year, b.rng
    roster = ctx.roster

    new_year = b.new_year(plan["welfare.new_year.people"], int(plan["welfare.new_year.amount"]))
    july = b.july_first(plan["welfare.july_first.people"], int(plan["welfare.july_first.amount"]))
    frontier = b.frontier(
        plan["welfare.frontier_families.people"], int(plan["welfare.frontier_families.amount"])
    )
    teachers = b.teachers_day(
        plan["welfare.teachers_day.people"], int(plan["welfare.teachers_day.amount"])
    )
    life = b.life_events(plan["life_counts"], plan["bereavement"])
    uni = b.universiade(plan["welfare.universiade.people"])
    vets = b.veterans(plan["welfare.veterans.people"], int(plan["welfare.veterans.amount"]))
    disab = b.disability(plan["disability_recipients"], int(plan["welfare.disability_care.amount"]))
    special = b.hardship_special(plan["hardship_batches"])
    temporary = b.hardship_temporary(int(plan["hardship.temporary.amount"]))

    clean = new_year + july + frontier + teachers + life + uni + vets + disab + special + temporary
    _tally(ctx, clean)

    # -- rows planted to be quarantined (they count in no figure) --
    members = roster.members
    staff = [m for m in members if m.category == "在编" and m.active_on(date(y, 1, 10))]
    retired = [
        m for m in members if m.category == "离退休" and not m.recently_retired and not m.status
    ]
    m1, m2, m3, m4 = rng.sample(staff, 4)
    r1 = rng.choice(retired)
    p_unknown_dept = Payment(
        date(y, 1, 12),
        m1,
        m1.name,
        UNKNOWN_DEPARTMENTS[0],
        "新年慰问",
        800,
        "转账",
        y,
        "困难教职工",
        Plant("unknown_department", f"部门 `{UNKNOWN_DEPARTMENTS[0]}` is no department"),
    )
    p_missing_id = Payment(
        date(y, 1, 13),
        None,
        person_name(rng, "女"),
        "离退休工作处",
        "新年慰问",
        800,
        "现金",
        y,
        "退休教师家属代领",
        Plant("missing_staff_id", "新年慰问 without 工号 (only 七一/援疆援藏/去世 may)"),
    )
    p_outside = Payment(
        date(y - 1, 9, 26),
        r1,
        r1.name,
        b.dept(r1),
        "退休慰问",
        1000,
        "慰问品",
        y,
        "光荣退休",
        Plant("date_outside_fiscal_year", f"发放日期 {y - 1}-09-26 is before 1 October"),
    )
    p_wrong_fy = Payment(
        date(y - 1, 12, 15),
        m2,
        m2.name,
        b.dept(m2),
        "结婚慰问",
        500,
        "慰问品",
        y - 1,
        None,
        Plant("wrong_fiscal_year", f"所属年度 {y - 1} in the {y} folder"),
    )
    p_month = Payment(
        f"{y}年5月",
        m3,
        m3.name,
        b.dept(m3),
        "生育慰问",
        500,
        "慰问品",
        y,
        None,
        Plant("month_only_date", "发放日期 is a month (a month is enough only elsewhere)"),
    )
    p_negative = Payment(
        date(y, 5, 18),
        m4,
        m4.name,
        b.dept(m4),
        "临时困难补助",
        -2000,
        "转账",
        y,
        "重复发放退回",
        Plant("negative_amount", "金额 `(2000)` is negative"),
    )

    def quarter(payments: list[Payment], lo: date, hi: date) -> list[Payment]:
        return sorted((p for p in payments if lo <= p.paid_on <= hi), key=lambda p: p.paid_on)

    files: list = []
    big = len(clean) > STREAMING_ROWS // 2

    # A: the previous year's fourth quarter, grouped by category with 小计 rows.
    ra = _Renderer(rng, H1, amount_mess=C.AMOUNT_MESS, date_mess=C.DATE_MESS)
    q4 = quarter(life, date(y - 1, 10, 1), date(y - 1, 12, 31))
    groups = [[ra.cells(p) for p in q4 if p.category == cat] for cat in LIFE]
    groups[2].append(ra.cells(p_outside))
    groups[0].append(ra.cells(p_wrong_fy))
    files.append(
        XlsxFile(
            f"welfare/{y - 1}年第四季度会员慰问品发放明细.xlsx",
            [
                Sheet(
                    "慰问品发放",
                    ra.names,
                    ra.numbered(_grouped(groups, subtotal=True)),
                    titles=[
                        f"西南大学工会{y - 1}年第四季度会员结婚、生育、退休及去世慰问品发放明细表"
                    ],
                    gap=1,
                    sum_cols=(ra.amount_col,),
                    total_label="合  计",
                    footers=[FOOTER_SIGN, f"备注：以上慰问品均在{y}年度工会经费中列支。"],
                    widths={1: 12, 3: 10, 4: 22, 9: 24},
                )
            ],
            constant_memory=big,
        )
    )

    # B: January to March, one sheet per month, with a pivot summary, a notes sheet, a hidden draft.
    rb = _Renderer(rng, H2, amount_mess=C.AMOUNT_MESS, date_mess=C.DATE_MESS)
    sheets = []
    jan_new_year = sorted(new_year, key=lambda p: p.paid_on)
    b_rows: dict[int, list] = {}
    for month in (1, 2, 3):
        lo = date(y, month, 1)
        hi = date(y, month + 1, 1) - timedelta(days=1)
        groups = [[rb.cells(p) for p in quarter(life, lo, hi) if p.category == cat] for cat in LIFE]
        if month == 1:
            ny_rows = [rb.cells(p) for p in jan_new_year]
            ny_rows.insert(len(ny_rows) // 2, rb.cells(p_unknown_dept))
            ny_rows.insert(len(ny_rows) // 3, rb.cells(p_missing_id))
            groups.insert(0, ny_rows)
        b_rows[month] = _grouped(groups, blank=True)
    for month in (1, 2, 3):
        sheets.append(
            Sheet(
                f"{month}月",
                rb.names,
                rb.numbered(b_rows[month]),
                titles=[f"西南大学工会{y}年{month}月慰问发放明细表"],
                sum_cols=(rb.amount_col,),
                total_label="总计" if month == 2 else "合计",
                label_col=1 if month == 2 else 0,
                footers=[FOOTER_SIGN] if month != 3 else [],
                widths={1: 12, 4: 22, 9: 20},
            )
        )
    sheets.append(_pivot_sheet(y, new_year + quarter(life, date(y, 1, 1), date(y, 3, 31))))
    sheets.append(_notes_sheet())
    sheets.append(_hidden_draft(rb.names, y))
    files.append(XlsxFile(f"welfare/{y}年1-3月慰问发放明细.xlsx", sheets, constant_memory=big))

    # C: April to June, with the 七一 visits; a month-only 发放日期 planted.
    rc = _Renderer(rng, H3, amount_mess=C.AMOUNT_MESS, date_mess=C.DATE_MESS)
    q2 = quarter(life, date(y, 4, 1), date(y, 6, 30))
    rows = [rc.cells(p) for p in q2]
    rows.insert(len(rows) // 2, rc.cells(p_month))
    rows += [BLANK] + [rc.cells(p) for p in sorted(july, key=lambda p: p.paid_on)]
    files.append(
        XlsxFile(
            f"welfare/{y}年4-6月慰问发放明细.xlsx",
            [
                Sheet(
                    "4-6月",
                    rc.names,
                    rows,
                    titles=[f"西南大学工会{y}年第二季度慰问发放明细表", "（含“七一”走访慰问）"],
                    sum_cols=(rc.amount_col,),
                    total_label="合计",
                    footers=[FOOTER_SIGN],
                    widths={0: 12, 3: 22, 8: 30},
                )
            ],
            constant_memory=big,
        )
    )

    # D: July to September as a GBK CSV (Excel on a Chinese Windows).
    rd = _Renderer(rng, H4, amount_mess=C.AMOUNT_MESS_GBK, date_mess=C.DATE_MESS)
    q3 = quarter(life, date(y, 7, 1), date(y, 9, 30))
    rows = [rd.cells(p) for p in sorted(q3 + uni + teachers + frontier, key=lambda p: p.paid_on)]
    files.append(
        CsvFile(
            f"welfare/{y}年7-9月慰问发放明细.csv",
            Sheet(
                "csv",
                rd.names,
                rd.numbered(rows),
                titles=[f"西南大学工会{y}年第三季度慰问发放明细表"],
                sum_cols=(rd.amount_col,),
                total_label="合计",
                footers=[
                    FOOTER_SIGN,
                    "备注：教师节走访、援疆援藏家属慰问及大运会慰问一并列入本表。",
                ],
            ),
            encoding="gbk",
        )
    )

    # E: veterans, UTF-8 with BOM; ¥/￥/元 spellings; one row sent twice in the same file.
    re_ = _Renderer(
        rng,
        H5,
        amount_mess={"num": 40, "yen": 20, "yen_full": 20, "yuan": 20},
        date_mess={"iso": 40, "slash": 40, "cn": 20},
    )
    vrows = [re_.cells(p) for p in sorted(vets, key=lambda p: (p.paid_on, p.member.staff_id))]
    dup_at = len(vrows) // 2
    twin = sorted(vets, key=lambda p: (p.paid_on, p.member.staff_id))[dup_at - 1]
    again = re_.cells(
        twin,
        styles={"amount": "yen_full", "date": "iso", "fy": "cn", "id": "plain", "name": "plain"},
    )
    again.plant = Plant(
        "duplicate", f"{twin.member.staff_id} a few rows above, spelled differently"
    )
    vrows.insert(dup_at + 3, again)
    files.append(
        CsvFile(
            f"welfare/复转军人慰问_{y}.csv",
            Sheet(
                "csv",
                re_.names,
                re_.numbered(vrows),
                sum_cols=(re_.amount_col,),
                total_label="合计",
            ),
            encoding="utf-8-sig",
        )
    )

    # F: 特别困难补助 in 万元, one sheet per batch; one value written `1.2万`.
    rf = _Renderer(rng, H_WAN, amount_mess={"num": 1}, date_mess={"excel": 80, "cn": 20}, wan=True)
    sheets = []
    for paid, _total in plan["hardship_batches"]:
        batch = [p for p in special if p.paid_on == paid]
        rows = [
            rf.cells(p, styles={"amount": "wan" if p.amount == 12000 else "num"}) for p in batch
        ]
        sheets.append(
            Sheet(
                f"{paid.year}年{paid.month}月",
                rf.names,
                rf.numbered(rows),
                titles=[f"西南大学工会特别困难补助发放表（{paid.year}年{paid.month}月）"],
                sum_cols=(rf.amount_col,),
                total_label="合计",
                footers=[FOOTER_SIGN, "备注：金额单位为万元。"],
            )
        )
    files.append(XlsxFile(f"welfare/特别困难补助_{y}年度.xlsx", sheets))

    # G: 伤残保健金 month by month, with a 小计 per month.
    rg = _Renderer(rng, H4, amount_mess={"num": 1}, date_mess={"excel": 70, "serial": 30})
    groups = [[rg.cells(p) for p in disab if p.paid_on.month == mth] for mth in range(1, 13)]
    files.append(
        XlsxFile(
            f"welfare/伤残保健金_{y}.xlsx",
            [
                Sheet(
                    "伤残保健金",
                    rg.names,
                    rg.numbered(_grouped(groups, subtotal=True)),
                    titles=[f"{y}年1-12月伤残保健金发放明细"],
                    sum_cols=(rg.amount_col,),
                    total_label="总计",
                    footers=[FOOTER_SIGN],
                )
            ],
        )
    )

    # H: 临时困难补助 as plain UTF-8, with a negative amount planted.
    rh = _Renderer(
        rng,
        H4,
        amount_mess={"num": 60, "yuan": 20, "comma": 20},
        date_mess={"iso": 50, "slash": 30, "dot": 20},
    )
    rows = [rh.cells(p) for p in temporary]
    rows.insert(len(rows) // 2, rh.cells(p_negative, styles={"amount": "paren"}))
    files.append(
        CsvFile(
            "welfare/临时困难补助.csv",
            Sheet(
                "csv", rh.names, rh.numbered(rows), sum_cols=(rh.amount_col,), total_label="合计"
            ),
        )
    )

    # I: a re-sent batch of 新年慰问: the same payments spelled differently; each counts once.
    ri = _Renderer(rng, H2, amount_mess={"yuan": 1}, date_mess={"slash": 1})
    twins = [p for p in jan_new_year if p.fiscal_year is not None][
        : max(5, len(jan_new_year) // 30)
    ]
    rows = [
        ri.cells(
            p,
            styles={"amount": "yuan", "date": "slash", "fy": "cn", "id": "plain", "name": "trail"},
        )
        for p in twins
    ]
    for row, p in zip(rows, twins, strict=True):
        row.plant = Plant(
            "duplicate", f"{p.member.staff_id} also in {y}年1-3月慰问发放明细.xlsx / 1月"
        )
    files.append(
        XlsxFile(
            f"welfare/新年慰问_补报_{y}.xlsx",
            [
                Sheet(
                    "补报",
                    ri.names,
                    ri.numbered(rows),
                    titles=["新年慰问补报名单（与1月表重复部分以本表为准）"],
                    sum_cols=(ri.amount_col,),
                    total_label="合计",
                )
            ],
        )
    )
    return files


def _pivot_sheet(y: int, payments: list[Payment]) -> Sheet:
    """A pivot summary: 慰问类别 and 金额 appear, but never three column names in one row."""
    rows = []
    cats = sorted({p.category for p in payments}, key=lambda c: ["新年慰问", *LIFE].index(c))
    for cat in cats:
        ps = [p for p in payments if p.category == cat]
        rows.append(Row([cat, len(ps), sum(p.amount for p in ps)]))
    return Sheet(
        "汇总",
        ["慰问类别", "人次", "金额（元）"],
        rows,
        titles=[f"{y}年1-3月慰问发放汇总（数据透视）"],
        sum_cols=(1, 2),
        total_label="总计",
    )


def _notes_sheet() -> Sheet:
    notes = [
        ["工号", "填写人事处编制的工号；家属领取的填写在备注中。"],
        ["慰问类别", "按工会慰问标准填写，不得自行简写。"],
        ["金额", "单位为元，慰问品按采购价折算。"],
        ["所属年度", "慰问所属的工会经费年度。"],
    ]
    return Sheet("填表说明", ["项目", "说明"], [Row(n) for n in notes], titles=["填表说明"])


def _hidden_draft(header: list[str], y: int) -> Sheet:
    """A hidden sheet left over from a draft: a real header and junk rows. Hidden sheets are skipped."""
    junk = [
        [
            "1",
            "待定",
            "GH00000",
            "示例",
            "示例部门",
            "新年慰问",
            "99999",
            "现金",
            str(y),
            "模板示例行",
        ],
        ["2", "待定", "GH00001", "测试", "某学院", "结婚慰问", "-1", "现金", str(y - 1), "删除"],
    ]
    return Sheet(
        "Sheet4", header, [Row(j + [None] * (len(header) - len(j))) for j in junk], hidden=True
    )


def _tally(ctx: Context, payments: list[Payment]) -> None:
    keys = {
        "新年慰问": "welfare.new_year",
        "七一走访": "welfare.july_first",
        "援疆援藏家属慰问": "welfare.frontier_families",
        "教师节走访": "welfare.teachers_day",
        "大运会慰问": "welfare.universiade",
        "复转军人慰问": "welfare.veterans",
        "伤残保健金": "welfare.disability_care",
        "特别困难补助": "hardship.special",
        "临时困难补助": "hardship.temporary",
        **dict.fromkeys(LIFE, "welfare.life_events"),
    }
    ids: dict[str, set[str]] = {}
    for key in set(keys.values()):
        ctx.figures[key + ".amount"] = Decimal(0)
        ctx.figures[key + ".people"] = 0
        ids[key] = set()
    for p in payments:
        key = keys[p.category]
        ctx.figures[key + ".amount"] += p.amount
        ctx.facts.spend(p.member.dept if p.member else OFFICIAL_NAME.get(p.dept), p.amount)
        ctx.facts.welfare_payments += 1
        if p.member is None:
            ctx.figures[key + ".people"] += 1
        elif p.member.staff_id not in ids[key]:
            ids[key].add(p.member.staff_id)
            ctx.figures[key + ".people"] += 1
