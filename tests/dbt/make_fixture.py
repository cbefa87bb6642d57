"""A small landed build file for testing the dbt project without spreadsheets.

The `raw.*` tables are created by the landing's own code (pipelines.ingest.land.ensure_raw_schema,
from pipelines/contract.yml: the schema of docs/architecture.md, moving with the contract), then
filled with a few dozen handmade rows, each there for one rule: clean rows, duplicates, conflicts,
unknown departments and staff ids, the fiscal-year cases, dates outside the year, unknown counties,
parse errors, proposal snapshots. What each row must become is written, by hand, in
test_dbt_fixture.py.

    uv run python tests/dbt/make_fixture.py /tmp/fx.duckdb              # the rows below
    uv run python tests/dbt/make_fixture.py /tmp/empty.duckdb --empty   # the tables only
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract import Column, Contract, Table, load_contract
from pipelines.ingest.land import ensure_raw_schema


def sha256_of(file_name: str) -> str:
    """A stand-in content hash: the fixture has no files, so the name is hashed."""
    return hashlib.sha256(file_name.encode("utf-8")).hexdigest()


@dataclass
class Row:
    file: str
    sheet: str
    row: int
    values: dict[str, Any]
    error: tuple[str, str] | None = None  # (error code, Chinese column name)
    raw: dict[str, str] = field(
        default_factory=dict
    )  # cells as read, where they differ from values
    export_date: date | None = None


def r(file: str, sheet: str, row: int, *, error=None, raw=None, export_date=None, **values) -> Row:
    return Row(file, sheet, row, values, error, raw or {}, export_date)


D = date
M = Decimal

# --- the handmade rows -------------------------------------------------------------------------
# Each comment says what the row is for; test_dbt_fixture.py says what it must become.

ROSTER = "members/roster.xlsx"
ROSTER_RETIRED = "members/roster_retired.csv"


def _member(file, sheet, row, staff_id, name, department, **more) -> Row:
    values = {
        "staff_id": staff_id,
        "member_name": name,
        "gender": "male",
        "department_name": department,
        "joined_on": D(2010, 9, 1),
        "staff_category": "established",
        "is_veteran": False,
        "id_card_number": "500101199001011234",
        "mobile_number": "13800000000",
        "member_status": "active",
    } | more
    return r(file, sheet, row, **values)


MEMBERS = [
    _member(ROSTER, "在职", 3, "GH0001", "张三", "马克思主义学院"),  # clean
    _member(ROSTER, "在职", 4, "GH0002", "李四", "教育学部", gender="female"),  # clean
    _member(ROSTER, "在职", 5, "GH0003", "王五", "后勤", is_veteran=True),  # clean, alias
    _member(
        ROSTER,
        "在职",
        6,
        "GH0004",
        "赵六",
        "文学院",
        member_status="left",
        status_date=D(2023, 5, 1),
    ),  # clean, left during the year: still a member of it
    _member(ROSTER, "在职", 7, "GH0005", "钱七", "化学化工学院"),  # clean
    _member(ROSTER, "在职", 8, "GH0005", "钱七", "化学化工学院"),  # duplicate of row 7
    _member(ROSTER, "在职", 9, "GH0006", "孙八", "火星学院"),  # unknown department
    _member(ROSTER, "在职", 10, "GH0007", "周九", "经管学院"),  # conflict with row 11
    _member(ROSTER, "在职", 11, "GH0007", "周九", "法学院"),  # conflict with row 10
    _member(
        ROSTER,
        "在职",
        12,
        "GH0008",
        "吴十",
        "文学院",
        joined_on=None,
        error=("missing_value", "入会日期"),
    ),  # parse error
    _member(
        ROSTER,
        "在职",
        13,
        "GH0009",
        "郑十一",
        "教育学部",
        member_status="left",
        status_date=D(2022, 6, 30),
    ),  # clean, but not a member during the year
    _member(
        ROSTER_RETIRED, "csv", 2, "GH0010", "冯十二", "马院", staff_category="retired"
    ),  # clean
    _member(ROSTER_RETIRED, "csv", 3, "GH0001", "张三", "马克思主义学院"),  # duplicate across files
]

WELFARE_1 = "welfare/2023上半年.xlsx"
WELFARE_2 = "welfare/2023下半年.csv"


def _payment(file, sheet, row, staff_id, category, amount, fiscal_year, paid_on, **more) -> Row:
    values = {
        "paid_on": paid_on,
        "staff_id": staff_id,
        "recipient_name": more.pop("recipient_name", "某人"),
        "welfare_category": category,
        "amount": None if amount is None else M(amount),
        "payment_form": "cash",
        "fiscal_year": fiscal_year,
    } | more
    return r(file, sheet, row, **values)


WELFARE = [
    _payment(
        WELFARE_1,
        "明细",
        4,
        "GH0001",
        "new_year",
        "500",
        2023,
        D(2023, 1, 10),
        department_name="马克思主义学院",
    ),  # clean
    _payment(
        WELFARE_1,
        "明细",
        5,
        "GH0002",
        "new_year",
        "800",
        2023,
        D(2023, 1, 12),
        department_name="教育学部",
    ),  # clean
    _payment(
        WELFARE_1,
        "明细",
        6,
        None,
        "july_first",
        "800",
        2023,
        D(2023, 7, 1),
        department_name="马院",
        recipient_name="烈属甲",
    ),  # clean: family member, 七一走访
    _payment(
        WELFARE_1, "明细", 7, None, "new_year", "500", 2023, D(2023, 1, 10)
    ),  # missing staff id
    _payment(
        WELFARE_1, "明细", 8, "GH9999", "teachers_day", "800", 2023, D(2023, 9, 8)
    ),  # unknown id
    _payment(
        WELFARE_1,
        "明细",
        9,
        "GH0003",
        "veterans",
        "-300",
        2023,
        D(2023, 8, 1),
        department_name="后勤保障部",
    ),  # negative amount
    _payment(WELFARE_1, "明细", 10, "GH0003", "veterans", "300", 2022, D(2023, 8, 1)),  # wrong year
    _payment(
        WELFARE_1, "明细", 11, "GH0004", "retirement", "1000", None, D(2023, 6, 1)
    ),  # clean: blank 所属年度 -> year of 发放日期 (warning)
    _payment(
        WELFARE_1, "明细", 12, "GH0005", "wedding", "1000", None, D(2022, 12, 15)
    ),  # blank 所属年度, paid in 2022 -> wrong fiscal year
    _payment(
        WELFARE_1, "明细", 13, "GH0001", "hardship_special", "20000", 2023, D(2022, 12, 15)
    ),  # clean: paid in December, charged to the next year
    _payment(
        WELFARE_1, "明细", 14, "GH0002", "hardship_temporary", "5000", 2023, D(2022, 9, 30)
    ),  # date outside fiscal year (a day too early)
    _payment(
        WELFARE_1, "明细", 15, "GH0004", "disability_care", "1500", 2023, D(2024, 3, 31)
    ),  # clean: last day of the fiscal year
    _payment(
        WELFARE_1, "明细", 16, "GH0004", "disability_care", "1500", 2023, D(2024, 4, 1)
    ),  # date outside fiscal year (a day too late)
    _payment(
        WELFARE_1,
        "明细",
        17,
        "GH0001",
        "birth",
        None,
        2023,
        D(2023, 5, 5),
        error=("amount_not_a_number", "金额"),
        raw={"金额": "五百"},
    ),  # parse error
    _payment(
        WELFARE_1,
        "明细",
        18,
        "GH0002",
        "new_year",
        "500",
        2023,
        D(2023, 1, 12),
        department_name="火星学院",
    ),  # unknown department
    _payment(
        WELFARE_1,
        "明细",
        19,
        "GH0002",
        "teachers_day",
        "800",
        2023,
        D(2023, 9, 8),
        department_name="文学院",
    ),  # clean, department differs from the roster (warning)
    _payment(
        WELFARE_1,
        "明细",
        20,
        None,
        "bereavement",
        "2000",
        2023,
        D(2023, 3, 3),
        recipient_name="家属乙",
        remark="GH0004之父",
    ),  # clean: family member, 去世慰问
    _payment(
        WELFARE_1, "明细", 21, "GH0003", "frontier_families", "800", 2023, D(2022, 10, 1)
    ),  # clean: first day of the fiscal year
    _payment(
        WELFARE_2,
        "csv",
        2,
        "GH0001",
        "new_year",
        "500",
        2023,
        D(2023, 1, 10),
        department_name="马克思主义学院",
    ),  # duplicate of file 1 row 4
    _payment(
        WELFARE_2,
        "csv",
        3,
        None,
        "bereavement",
        "2000",
        2023,
        D(2023, 3, 3),
        recipient_name="家属乙",
        remark="GH0004之父",
    ),  # duplicate of file 1 row 20
    _payment(WELFARE_2, "csv", 4, "GH0005", "new_year", "500", 2023, D(2023, 1, 10)),  # clean
    _payment(
        WELFARE_2, "csv", 5, "GH0006", "new_year", "500", 2023, D(2023, 1, 10)
    ),  # unknown staff id: GH0006's roster row is quarantined
]

FESTIVAL = "festival/节日慰问金2023.xlsx"
FESTIVAL_COLUMNS = [
    "new_years_day",
    "spring_festival",
    "qingming",
    "labour_day",
    "dragon_boat",
    "mid_autumn",
    "national_day",
]


def _festival(
    sheet, row, staff_id, department, cells: dict[str, str], row_total: str | None
) -> Row:
    values = {"staff_id": staff_id, "recipient_name": "某人", "department_name": department}
    values |= {column: M(cells[column]) if column in cells else None for column in FESTIVAL_COLUMNS}
    values["row_total"] = None if row_total is None else M(row_total)
    return r(FESTIVAL, sheet, row, **values)


FESTIVAL_ROWS = [
    _festival(
        "在职",
        3,
        "GH0001",
        "马克思主义学院",
        {
            "new_years_day": "200",
            "spring_festival": "1000",
            "qingming": "200",
            "labour_day": "300",
            "dragon_boat": "300",
            "mid_autumn": "500",
            "national_day": "500",
        },
        "3000",
    ),  # clean, 7 festivals
    _festival(
        "在职", 4, "GH0002", "教育学部", {"spring_festival": "1000", "mid_autumn": "500"}, "1600"
    ),  # clean, 合计 differs from its cells (warning)
    _festival("在职", 5, "GH0003", "后勤保障部", {"spring_festival": "-1000"}, "-1000"),  # negative
    _festival("在职", 6, "GH9999", None, {"spring_festival": "1000"}, "1000"),  # unknown staff id
    _festival("在职", 7, "GH0005", "化学化工学院", {"spring_festival": "800"}, "800"),  # conflict
    _festival("离退休", 3, "GH0004", "文学院", {"spring_festival": "1000"}, "1000"),  # clean
    _festival(
        "离退休", 4, "GH0002", "教育学部", {"spring_festival": "1000", "mid_autumn": "500"}, "1600"
    ),  # duplicate of sheet 在职 row 4
    _festival(
        "离退休", 5, "GH0005", "化学化工学院", {"spring_festival": "1000"}, "1000"
    ),  # conflict
    _festival("离退休", 6, "GH0010", "马院", {"spring_festival": "500"}, "500"),  # clean
]

BIRTHDAY = "birthday/生日蛋糕.xlsx"


def _voucher(row, staff_id, month, amount, department=None, **more) -> Row:
    values = {
        "staff_id": staff_id,
        "member_name": "某人",
        "department_name": department,
        "birth_month": month,
        "amount": None if amount is None else M(amount),
    } | more
    return r(BIRTHDAY, "Sheet1", row, **values)


BIRTHDAY_ROWS = [
    _voucher(
        2,
        "GH0001",
        3,
        "200",
        "马克思主义学院",
        received_on=D(2023, 3, 1),
        received_on_precision="month",
    ),  # clean, month-only 领取日期
    _voucher(3, "GH0002", 5, "200"),  # clean
    _voucher(4, "GH0002", 5, "200"),  # duplicate of row 3
    _voucher(5, "GH0003", 7, "200"),  # conflict with row 6
    _voucher(6, "GH0003", 7, "250"),  # conflict with row 5
    _voucher(7, "GH9999", 8, "200"),  # unknown staff id
    _voucher(8, "GH0004", 9, "-200"),  # negative amount
    _voucher(9, "GH0005", 10, "200", "火星学院"),  # unknown department
    _voucher(
        10,
        "GH0010",
        None,
        "200",
        error=("month_not_a_month", "生日月份"),
        raw={"生日月份": "十三月"},
    ),  # parse error
]

ALLEVIATION = "alleviation/帮扶采购.xlsx"


def _purchase(row, purchased_on, county, product, amount, precision="day", **more) -> Row:
    values = {
        "purchased_on": purchased_on,
        "purchased_on_precision": precision,
        "county_name": county,
        "product_name": product,
        "amount": M(amount),
    } | more
    return r(ALLEVIATION, "采购明细", row, **values)


PURCHASES = [
    _purchase(
        3, D(2023, 6, 1), "城口", "跑山鸡", "1500", precision="month", township_name="咸宜镇"
    ),  # clean, chicken, month-only date
    _purchase(4, D(2023, 11, 15), "城口县", "干洋芋", "800", township_name="修齐镇"),  # clean
    _purchase(5, D(2023, 10, 20), "昌宁县", "黑花生", "5000"),  # clean
    _purchase(6, D(2023, 10, 20), "昌宁县", "黑花生", "5000"),  # duplicate of row 5
    _purchase(7, D(2023, 10, 20), "巫山县", "脆李", "300"),  # unknown county
    _purchase(8, D(2022, 12, 20), "昌宁", "核桃油", "1000"),  # date outside the year
    _purchase(9, D(2023, 10, 21), "昌宁", "大米", "-100"),  # negative amount
    _purchase(10, D(2023, 6, 10), "城口", "跑山鸡礼盒", "700"),  # clean, chicken
]

TARGETS = [
    r(ALLEVIATION, "帮扶任务", 3, county_name="昌宁县", target_amount=M("4000")),  # clean
    r(ALLEVIATION, "帮扶任务", 4, county_name="巫山县", target_amount=M("1000")),  # unknown county
]

PROPOSALS_OCT = "proposals/提案_20231031.xlsx"
PROPOSALS_NOV = "proposals/提案_20231130.xlsx"


def _proposal(file, export_date, row, proposal_id, congress, accepted, status, **more) -> Row:
    values = {
        "proposal_id": proposal_id,
        "congress": congress,
        "congress_session": "四届三次",
        "title": f"关于{proposal_id}的提案",
        "proposer_name": "提案人",
        "submitted_on": D(2023, 3, 1),
        "is_accepted": accepted,
        "handling_status": status,
    } | more
    return r(file, "提案", row, export_date=export_date, **values)


OCT, NOV = D(2023, 10, 31), D(2023, 11, 30)
PROPOSALS = [
    _proposal(
        PROPOSALS_OCT,
        OCT,
        4,
        "TA001",
        "congress",
        True,
        "in_progress",
        lead_department_name="人事处",
    ),  # clean (an earlier state of TA001)
    _proposal(
        PROPOSALS_OCT,
        OCT,
        5,
        "TA002",
        "congress",
        True,
        "in_progress",
        lead_department_name="财务处",
    ),  # clean; missing from the November export
    _proposal(PROPOSALS_OCT, OCT, 6, "TA003", "union", False, "not_started"),  # clean
    _proposal(
        PROPOSALS_NOV,
        NOV,
        4,
        "TA001",
        "congress",
        True,
        "completed",
        lead_department_name="人事处",
        replied_on=D(2023, 4, 10),
        satisfaction="satisfied",
    ),  # clean: TA001 moved on
    _proposal(
        PROPOSALS_NOV, NOV, 5, "TA003", "union", False, "not_started"
    ),  # clean: same values as in October, a snapshot, not a duplicate
    _proposal(
        PROPOSALS_NOV,
        NOV,
        6,
        "TA004",
        "congress",
        True,
        "in_progress",
        lead_department_name="后勤",
        co_department_names=["人事处", "财务处"],
    ),  # clean
    _proposal(
        PROPOSALS_NOV,
        NOV,
        7,
        "TA004",
        "congress",
        True,
        "in_progress",
        lead_department_name="后勤",
        co_department_names=["人事处", "财务处"],
    ),  # duplicate
    _proposal(
        PROPOSALS_NOV,
        NOV,
        8,
        "TA005",
        "union",
        True,
        "in_progress",
        lead_department_name="火星学院",
    ),  # unknown department (承办部门)
    _proposal(
        PROPOSALS_NOV,
        NOV,
        9,
        "TA006",
        "congress",
        True,
        "in_progress",
        lead_department_name="人事处",
        co_department_names=["财务处", "火星处"],
    ),  # unknown department (协办部门)
    _proposal(
        PROPOSALS_NOV,
        NOV,
        10,
        "TA007",
        "congress",
        True,
        "completed",
        lead_department_name="人事处",
        replied_on=D(2023, 4, 20),
    ),  # conflict with row 11
    _proposal(
        PROPOSALS_NOV,
        NOV,
        11,
        "TA007",
        "congress",
        True,
        "in_progress",
        lead_department_name="人事处",
    ),  # conflict with row 10
    _proposal(
        PROPOSALS_NOV,
        NOV,
        12,
        "TA008",
        "congress",
        True,
        "in_progress",
        title=None,
        error=("missing_value", "标题"),
    ),  # parse error
]

ACTIVITIES = "activities/文体活动.xlsx"


def _participation(row, name, category, on, staff_id, department=None, **more) -> Row:
    values = {
        "activity_name": name,
        "activity_category": category,
        "activity_date": on,
        "staff_id": staff_id,
        "participant_name": "某人",
        "department_name": department,
        "participant_role": "competitor",
    } | more
    return r(ACTIVITIES, "参与", row, **values)


PARTICIPATIONS = [
    _participation(2, "羽毛球赛", "badminton", D(2023, 4, 15), "GH0001", "马克思主义学院"),  # clean
    _participation(3, "羽毛球赛", "badminton", D(2023, 4, 15), "GH0002"),  # clean
    _participation(4, "羽毛球赛", "badminton", D(2023, 4, 15), "GH0002"),  # duplicate of row 3
    _participation(5, "团购年货", "group_purchase", D(2023, 1, 5), "GH0001"),  # clean
    _participation(6, "团购年货", "group_purchase", D(2023, 1, 5), "GH0003"),  # clean
    _participation(7, "团购粽子", "group_purchase", D(2023, 6, 10), "GH0004"),  # clean
    _participation(8, "校园跑", "campus_run", D(2022, 12, 20), "GH0001"),  # date outside year
    _participation(9, "校园跑", "campus_run", D(2023, 12, 1), "GH9999"),  # unknown staff id
    _participation(
        10, "歌手大赛", "singing_contest", D(2023, 5, 20), "GH0005", result="一等奖"
    ),  # conflict with row 11
    _participation(
        11, "歌手大赛", "singing_contest", D(2023, 5, 20), "GH0005", participant_role="spectator"
    ),  # conflict with row 10
    _participation(
        12, "排球赛", "volleyball", D(2023, 5, 1), "GH0010", "文学院"
    ),  # clean, department differs from the roster (warning)
]

PUBLICITY = "publicity/宣传.csv"


def _post(row, on, channel, title, **more) -> Row:
    return r(PUBLICITY, "csv", row, published_on=on, channel=channel, title=title, **more)


POSTS = [
    _post(2, D(2023, 1, 5), "wechat", "新年贺词"),  # clean
    _post(3, D(2023, 2, 1), "wechat", "春季开学"),  # clean
    _post(4, D(2023, 1, 5), "wechat", "新年贺词"),  # duplicate of row 2
    _post(5, D(2023, 3, 1), "news_flash", "快讯一", url="https://a.example"),  # conflict with 6
    _post(6, D(2023, 3, 1), "news_flash", "快讯一", url="https://b.example"),  # conflict with 5
    _post(7, D(2022, 12, 30), "notices", "放假通知"),  # date outside the year
    _post(8, D(2023, 4, 1), "grassroots", "学院动态"),  # clean
    _post(
        9,
        None,
        "clubs",
        "社团活动",
        error=("date_not_a_date", "发布日期"),
        raw={"发布日期": "四月某日"},
    ),  # parse error
]

MEETINGS_FILE = "meetings/会议.xlsx"


def _meeting(row, on, meeting_type, name, documents) -> Row:
    return r(
        MEETINGS_FILE,
        "2023",
        row,
        meeting_date=on,
        meeting_type=meeting_type,
        meeting_name=name,
        documents_reviewed=documents,
    )


MEETINGS = [
    _meeting(2, D(2023, 1, 10), "union_committee", "第一次工会委员会", 2),  # clean
    _meeting(3, D(2023, 3, 10), "union_committee", "第二次工会委员会", 1),  # clean
    _meeting(4, D(2023, 3, 15), "congress_executive", "执委会", 3),  # clean
    _meeting(5, D(2023, 3, 15), "congress_executive", "执委会", 3),  # duplicate of row 4
    _meeting(6, D(2024, 1, 5), "proposal_committee", "提案委员会", 1),  # date outside the year
    _meeting(7, D(2023, 6, 1), "proposal_committee", "提案委员会", None),  # clean
    _meeting(8, D(2023, 9, 1), "congress_executive", "执委会二", 2),  # conflict with row 9
    _meeting(9, D(2023, 9, 1), "congress_executive", "执委会二", 3),  # conflict with row 8
]

BUDGET = "budget/预算.xlsx"
BUDGET_LINES = [
    r(BUDGET, "预算", 2, budget_category="new_year", budget_amount=M("10000")),  # clean
    r(BUDGET, "预算", 3, budget_category="festival", budget_amount=M("10000")),  # clean
    r(BUDGET, "预算", 4, budget_category="birthday", budget_amount=M("-1")),  # negative
    r(BUDGET, "预算", 5, budget_category="alleviation", budget_amount=M("5000")),  # conflict
    r(BUDGET, "预算", 6, budget_category="alleviation", budget_amount=M("6000")),  # conflict
    r(BUDGET, "预算", 7, budget_category="activities", budget_amount=M("3000")),  # clean
]

ROWS: dict[str, list[Row]] = {
    "members": MEMBERS,
    "welfare_payments": WELFARE,
    "festival_payments": FESTIVAL_ROWS,
    "birthday_vouchers": BIRTHDAY_ROWS,
    "alleviation_purchases": PURCHASES,
    "alleviation_targets": TARGETS,
    "proposals": PROPOSALS,
    "activity_participations": PARTICIPATIONS,
    "publicity_posts": POSTS,
    "meetings": MEETINGS,
    "budget_lines": BUDGET_LINES,
}

REJECTED_FILE = {
    "source": "welfare",
    "file_name": "welfare/损坏文件.xlsx",
    "file_sha256": sha256_of("welfare/损坏文件.xlsx"),
    "file_bytes": 0,
    "status": "rejected",
    "error_code": "corrupt_file",
    "message_zh": "文件已损坏，无法读取",
    "message_en": "the file is corrupt and cannot be read",
}
SKIPPED_SHEET = {
    "source": "welfare",
    "file_name": WELFARE_1,
    "sheet_name": "说明",
    "data_rows": 0,
    "status": "skipped_no_header",
}
LOAD_WARNINGS = [
    {
        "source": "welfare",
        "file_name": WELFARE_1,
        "file_sha256": sha256_of(WELFARE_1),
        "sheet_name": "明细",
        "row_number": 23,
        "column_name": "金额",
        "warning_code": "total_row_mismatch",
        "message_zh": "合计行金额与上方各行之和不符",
        "message_en": "the total row differs from the sum of the rows above",
    },
]


def _cell_text(column: Column, value: Any) -> str:
    """A landed value written back the way a clerk would have typed it."""
    if column.pii:
        return "***"
    if column.type in ("enum", "flag"):
        words = {key: word for word, key in reversed(column.values.items()) if word != "blank"}
        return words.get(value, str(value))
    if isinstance(value, list):
        return "、".join(value)
    return str(value)


def _raw_values(table: Table, row: Row) -> str:
    """The cells as the landing keeps them: header text -> text as read, personal data masked."""
    cells: dict[str, str] = {}
    for column in table.columns:
        value = row.values.get(column.name)
        if column.zh in row.raw:
            cells[column.zh] = row.raw[column.zh]
        elif value is not None:
            cells[column.zh] = _cell_text(column, value)
    return json.dumps(cells, ensure_ascii=False)


def _insert(con: duckdb.DuckDBPyConnection, table: str, records: list[dict[str, Any]]) -> None:
    """Inserts rows by column name; the columns a record lacks stay NULL."""
    for record in records:
        columns = ", ".join(f'"{name}"' for name in record)
        placeholders = ", ".join("?" for _ in record)
        con.execute(
            f"insert into raw.{table} ({columns}) values ({placeholders})", list(record.values())
        )


def _landed_records(table: Table) -> list[dict[str, Any]]:
    schema = table.landed_schema()
    records = []
    for row in ROWS[table.table]:
        unknown = set(row.values) - set(schema)
        assert not unknown, f"{table.table} row {row.row}: no such column {unknown}"
        lineage = {
            "_source": table.source,
            "_file_name": row.file,
            "_file_sha256": sha256_of(row.file),
            "_sheet_name": row.sheet,
            "_row_number": row.row,
            "_raw_values": _raw_values(table, row),
            "_error_code": row.error[0] if row.error else None,
            "_error_column": row.error[1] if row.error else None,
        }
        if table.snapshot:
            lineage["_export_date"] = row.export_date
        records.append(row.values | lineage)
    return records


def _bookkeeping_records(contract: Contract) -> dict[str, list[dict[str, Any]]]:
    """raw.files, raw.sheets and raw.load_warnings for the handmade rows."""
    files: dict[str, dict[str, Any]] = {}
    sheets: dict[tuple[str, str], dict[str, Any]] = {}
    for table_name, rows in ROWS.items():
        source = contract.table(table_name).source
        for row in rows:
            files[row.file] = {
                "source": source,
                "file_name": row.file,
                "file_sha256": sha256_of(row.file),
                "file_bytes": 10_000,
                "status": "loaded",
                "export_date": row.export_date,
            }
            sheet = sheets.setdefault(
                (row.file, row.sheet),
                {
                    "source": source,
                    "file_name": row.file,
                    "sheet_name": row.sheet,
                    "table_name": table_name,
                    "header_row": row.row - 1,
                    "data_rows": 0,
                    "status": "read",
                },
            )
            sheet["header_row"] = min(sheet["header_row"], row.row - 1)
            sheet["data_rows"] += 1
    return {
        "files": [*files.values(), REJECTED_FILE],
        "sheets": [*sheets.values(), SKIPPED_SHEET],
        "load_warnings": LOAD_WARNINGS,
    }


def build_fixture(path: Path, *, empty: bool = False) -> Path:
    """Writes the raw schema (and, unless empty, the handmade rows) to a new DuckDB file."""
    path = Path(path)
    path.unlink(missing_ok=True)
    contract = load_contract()
    with duckdb.connect(str(path)) as con:
        ensure_raw_schema(con, contract)
        if not empty:
            for table in contract.tables:
                _insert(con, table.table, _landed_records(table))
            for name, records in _bookkeeping_records(contract).items():
                _insert(con, name, records)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="the DuckDB file to (re)create")
    parser.add_argument("--empty", action="store_true", help="create the tables without rows")
    arguments = parser.parse_args()
    print(build_fixture(arguments.path, empty=arguments.empty))


if __name__ == "__main__":
    main()
