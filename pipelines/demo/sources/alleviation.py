"""`alleviation`: purchases from the two counties the university is paired with (logistics office).

城口县: 跑山鸡 from 咸宜镇 in June and November, and 干洋芋/花菇/腊肉/香肠 from 修齐镇.
昌宁县: 黑花生/核桃油/鹭乡大米/勐统红米 in October, in a separate workbook kept in 万元.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pipelines.demo import cells as C
from pipelines.demo.context import Context
from pipelines.demo.targets_2023 import CHANGNING_TARGET_2023, CHENGKOU_TARGET_2023
from pipelines.demo.workbook import Plant, Row, Sheet, XlsxFile


@dataclass
class Purchase:
    on: date
    county: str
    town: str
    supplier: str
    product: str
    qty: Decimal
    unit: str
    price: Decimal
    date_style: str = "excel"
    amount_style: str = "num"
    plant: Plant | None = None

    @property
    def amount(self) -> Decimal:
        return self.qty * self.price


# 2023, as the summary tells it: (month, day, town, supplier, product, quantity, unit, unit price).
CHENGKOU_2023 = [
    (6, 8, "咸宜镇", "城口县咸宜镇李坪村专业合作社", "跑山鸡", 600, "只", 68),
    (6, 21, "咸宜镇", "城口县咸宜镇明月村养殖场", "跑山鸡", 600, "只", 68),
    (6, 21, "修齐镇", "城口县修齐镇农副产品合作社", "干洋芋", 1300, "斤", 8),
    (6, 21, "修齐镇", "城口县修齐镇农副产品合作社", "花菇", 260, "斤", 88),
    (11, 9, "咸宜镇", "城口县咸宜镇李坪村专业合作社", "城口跑山鸡（整只）", 1016, "只", 70),
    (11, 16, "修齐镇", "城口县修齐镇农副产品合作社", "干洋芋", 1300, "斤", 8),
    (11, 16, "修齐镇", "城口县修齐镇农副产品合作社", "花菇", 260, "斤", 88),
    (11, 16, "修齐镇", "城口老腊肉加工厂", "腊肉", 900, "斤", 58),
    (11, 16, "修齐镇", "城口老腊肉加工厂", "香肠", 550, "斤", 58),
]
CHANGNING_2023 = [
    (10, 12, "田园镇", "昌宁县田园镇黑花生种植合作社", "黑花生", 15630, "斤", 20),
    (10, 12, "卡斯镇", "昌宁县核桃产业有限公司", "核桃油", 3900, "瓶", 125),
    (10, 19, "鸡飞镇", "昌宁县鹭乡米业有限公司", "鹭乡大米", 87300, "斤", 6),
    (10, 19, "勐统镇", "昌宁县勐统镇红米合作社", "勐统红米", 31800, "斤", 8),
]


def _purchases(ctx: Context) -> tuple[list[Purchase], list[Purchase]]:
    y = ctx.year
    rng = ctx.rng("alleviation")
    ck, cn = [], []
    for rows, out, county in ((CHENGKOU_2023, ck, "城口县"), (CHANGNING_2023, cn, "昌宁县")):
        for month, dd, town, supplier, product, qty, unit, price in rows:
            if y != 2023:  # another year: the same programme, other quantities and prices
                qty = int(qty * rng.uniform(0.7, 1.3))
                price = price + rng.choice([-2, 0, 0, 2, 5])
            out.append(
                Purchase(
                    date(y, month, dd),
                    county,
                    town,
                    supplier,
                    product,
                    Decimal(qty),
                    unit,
                    Decimal(price),
                )
            )
    return ck, cn


def build(ctx: Context) -> list[XlsxFile]:
    y = ctx.year
    rng = ctx.rng("alleviation/cells")
    ck, cn = _purchases(ctx)
    ck_total = sum(p.amount for p in ck)
    cn_total = sum(p.amount for p in cn)
    chicken = sum(p.amount for p in ck if "跑山鸡" in p.product)
    if y == 2023:
        ck_target, cn_target = CHENGKOU_TARGET_2023, CHANGNING_TARGET_2023
    else:
        ck_target = Decimal(round(ck_total * Decimal(rng.uniform(0.85, 1.0)), -4))
        cn_target = Decimal(round(cn_total * Decimal(rng.uniform(0.85, 1.0)), -4))
    ctx.facts.spend(None, ck_total + cn_total)  # the university's purchases: no department
    ctx.figures.update(
        {
            "alleviation.chengkou.amount": ck_total,
            "alleviation.chengkou.chicken.amount": chicken,
            "alleviation.changning.amount": cn_total,
            "alleviation.changning.over_target": cn_total - cn_target,
        }
    )

    # How the cells are spelled: month-only dates for 采购日期, amounts as text with separators or in
    # full-width digits, county names with and without 县.
    styles = [
        "cn_month",
        "excel",
        "iso_month",
        "cn_month",
        "cn",
        "excel",
        "slash",
        "iso_month",
        "cn_month",
    ]
    amounts = ["comma", "num", "num", "num", "fullwidth", "num", "text", "comma", "num"]
    counties = ["城口县", "城口", "城口县", "城口县", "城口", "城口县", "城口县", "城口县", "城口"]
    rows = []
    for p, ds, ams, county in zip(ck, styles, amounts, counties, strict=True):
        rows.append(_row(p, county, ds, ams))
    stray = Purchase(
        date(y, 11, 16),
        "巫溪县",
        "宁厂镇",
        "巫溪县宁厂古镇土特产店",
        "老腊肉",
        Decimal(120),
        "斤",
        Decimal(60),
        plant=Plant("unknown_county", "帮扶县 `巫溪县` is neither 城口 nor 昌宁"),
    )
    rows.insert(5, _row(stray, stray.county, "cn_month", "num"))
    head = [
        "序号",
        "采购日期",
        "帮扶县",
        "乡镇",
        "供应商",
        "产品",
        "数量",
        "单位",
        "单价（元）",
        "金额（元）",
    ]
    for i, r in enumerate(rows, start=1):
        r.cells[0] = i
    detail = Sheet(
        "采购明细",
        head,
        rows,
        titles=[f"西南大学{y}年定点帮扶城口县农产品采购明细"],
        sum_cols=(9,),
        total_label="合计",
        footers=["经办人：何光明        审核人：曾庆华"],
        widths={4: 30, 5: 16},
    )
    targets = Sheet(
        "帮扶任务",
        ["帮扶县", "任务金额", "备注"],
        [
            Row(
                [
                    "城口县",
                    f"{C.amount(ck_target / 10000, 'text')}万",
                    f"《西南大学{y}年定点帮扶城口县工作计划》",
                ]
            ),
            Row(["昌宁", C.amount(cn_target, "comma"), f"《西南大学{y}年定点帮扶昌宁县工作计划》"]),
        ],
        titles=[f"{y}年定点帮扶任务"],
    )
    notes = Sheet(
        "说明",
        ["说明"],
        [
            Row(["采购明细按到货月份登记；金额以结算单为准。"]),
            Row(["帮扶县、产品、金额三项为必填。"]),
        ],
    )

    # 昌宁: its own workbook, amounts in 万元.
    cn_rows = []
    for i, p in enumerate(cn, start=1):
        wan = p.amount / 10000
        cn_rows.append(
            Row(
                [
                    i,
                    C.day(p.on, "cn" if i % 2 else "excel"),
                    "昌宁" if i % 2 else "昌宁县",
                    p.town,
                    p.supplier,
                    p.product,
                    int(p.qty),
                    p.unit,
                    C.number(p.price),
                    C.number(wan),
                ],
                vals=(wan,),
            )
        )
    cn_sheet = Sheet(
        "采购明细",
        [
            "序号",
            "采购日期",
            "帮扶县",
            "乡镇",
            "供应商",
            "产品",
            "数量",
            "单位",
            "单价(元)",
            "金额(万元)",
        ],
        cn_rows,
        titles=[f"西南大学{y}年昌宁县消费帮扶农特产品采购汇总"],
        sum_cols=(9,),
        total_label="总计",
        footers=["备注：金额单位为万元。"],
        widths={4: 30},
    )
    return [
        XlsxFile(f"alleviation/{y}年定点帮扶采购明细.xlsx", [detail, targets, notes]),
        XlsxFile(f"alleviation/昌宁县消费帮扶采购_{y}.xlsx", [cn_sheet]),
    ]


def _row(p: Purchase, county: str, date_style: str, amount_style: str) -> Row:
    return Row(
        [
            None,
            C.day(p.on, date_style),
            county,
            p.town,
            p.supplier,
            p.product,
            int(p.qty),
            p.unit,
            C.number(p.price),
            C.amount(p.amount, amount_style),
        ],
        vals=(p.amount,),
        plant=p.plant,
    )
