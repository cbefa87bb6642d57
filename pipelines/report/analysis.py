"""The questions the notebooks answer, as plain functions over the published warehouse.

The notebooks (`notebooks/*.py`) only show what these return, so the answers are tested without a
notebook runtime. Every function takes a read-only connection and a year, and returns an `Answer`:
the rows, or why there are none (which table or column the published warehouse lacks).

Personal data never comes out: member-level rows are read through an explicit list of columns
(工号, 姓名, 部门, 状态, 生日月份), never `select *`, so 身份证号 and 手机号 could not appear even if
a mart carried them.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

from pipelines.report import data
from pipelines.report.data import fetch_dicts, quote, table_columns
from pipelines.report.numbers import to_decimal
from pipelines.settings import PROJECT_ROOT

MEMBER_COLUMNS = ("staff_id", "member_name", "department_code", "department_name", "member_status")


@dataclass
class Answer:
    rows: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # what the warehouse lacks, in zh / en
    source: str = ""  # the tables the answer was read from
    notes: list[str] = field(default_factory=list)  # what else the reader should know, zh / en

    @property
    def ok(self) -> bool:
        return not self.missing


def latest_year(con: duckdb.DuckDBPyConnection) -> int | None:
    years = data.figure_years(con)
    return years[-1] if years else None


def _marts_tables(con) -> dict[str, list[str]]:
    return {t: table_columns(con, s, t) for s, t in data.tables(con) if s == "marts"}


# --- 1. members with no birthday voucher -------------------------------------------------------

ROSTER_NEEDS = {"year", "staff_id", "birth_month", "joined_on", "status_date"}


def members_without_birthday_voucher(con: duckdb.DuckDBPyConnection, year: int) -> Answer:
    """Members due a voucher in the year (a member on the first day of their birth month) with no
    voucher row in marts.birthday_vouchers. `source` also says how many members had no voucher
    without being due one (joined later, or left before), and how many have no birth month."""
    marts = _marts_tables(con)
    lacking = []
    if not set(marts.get("members", [])) >= ROSTER_NEEDS:
        lacking.append(
            "会员级名册 marts.members（staff_id, member_name, department_name, member_status, "
            "joined_on, status_date, birth_month；不含身份证号、手机号） / the member roster mart "
            "marts.members (no ID or phone numbers)"
        )
    if not {"year", "staff_id"} <= set(marts.get("birthday_vouchers", [])):
        lacking.append(
            "会员级生日券发放表 marts.birthday_vouchers（staff_id, amount） / the birthday-voucher "
            "mart marts.birthday_vouchers (staff_id, amount)"
        )
    if lacking:
        return Answer(missing=lacking)
    shown = [c for c in (*MEMBER_COLUMNS, "birth_month") if c in marts["members"]]
    without_voucher = """
        from marts.members as m
        where m.year = ?
          and not exists (
            select 1 from marts.birthday_vouchers as v
            where v.year = m.year and v.staff_id = m.staff_id
          )
    """
    # due: a member on the first of the birth month (joined by then, not left or died by then)
    due = """
        m.birth_month is not null
        and m.joined_on <= make_date(m.year, m.birth_month, 1)
        and not (
            m.member_status <> 'active'
            and m.status_date is not null
            and m.status_date <= make_date(m.year, m.birth_month, 1)
        )
    """
    rows = fetch_dicts(
        con,
        f"select {', '.join(f'm.{quote(c)}' for c in shown)} {without_voucher} and {due} "
        "order by m.department_code, m.staff_id",
        [year],
    )
    not_due, unknown = con.execute(
        f"select count(*) filter (where not ({due}) and m.birth_month is not null), "
        f"count(*) filter (where m.birth_month is null) {without_voucher}",
        [year],
    ).fetchall()[0]
    return Answer(
        rows=rows,
        source="marts.members − marts.birthday_vouchers",
        notes=[
            f"另有 {not_due} 人生日当月不在会(入会较晚或已离会),无需发放 / {not_due} more members "
            "had no voucher but were not members in their birth month",
            *(
                [f"{unknown} 人生日月份不详 / {unknown} members have no birth month"]
                if unknown
                else []
            ),
        ],
    )


# --- 2. departments with the lowest participation ----------------------------------------------


def lowest_participation(con: duckdb.DuckDBPyConnection, year: int, count: int = 10) -> Answer:
    rows = data.participation(con, year)
    if rows is None:
        return Answer(
            missing=[
                "marts.participation_by_department（部门、会员数、参与人数） / "
                "marts.participation_by_department with a department, members and participants"
            ]
        )
    ordered = sorted(
        rows, key=lambda r: (r["rate"] if r["rate"] is not None else Decimal(2), r["department"])
    )
    source = (
        "marts.participation"
        if rows and rows[0]["lower_bound"]
        else "marts.participation_by_department"
    )
    return Answer(rows=ordered[:count], source=source)


# --- 3. proposals accepted but not replied to within 60 days -----------------------------------

PROPOSAL_NEEDS = {"year", "proposal_id", "is_accepted", "submitted_on", "replied_on"}


def overdue_proposals(
    con: duckdb.DuckDBPyConnection, year: int, days: int = 60, as_of: dt.date | None = None
) -> Answer:
    """Accepted proposals whose `days`-day reply deadline (from submission) had passed by `as_of`
    (default: today) with no reply within it: replied later, or not replied by `as_of`. The state
    is the latest export's (marts.proposals)."""
    as_of = as_of or dt.date.today()
    columns = _marts_tables(con).get("proposals", [])
    if not set(columns) >= PROPOSAL_NEEDS:
        return Answer(
            missing=[
                "提案级数据 marts.proposals（proposal_id, submitted_on, is_accepted, replied_on） / "
                "the proposal mart marts.proposals"
            ]
        )
    shown = [
        c
        for c in (
            "proposal_id",
            "congress",
            "title",
            "lead_department_name",
            "handling_status",
            "submitted_on",
            "replied_on",
        )
        if c in columns
    ]
    rows = fetch_dicts(
        con,
        f"""
        select {", ".join(quote(c) for c in shown)},
               least(coalesce(replied_on, cast(? as date)), cast(? as date)) - submitted_on
                   as days_to_reply,
               replied_on is null or replied_on > cast(? as date) as not_replied
        from marts.proposals
        where year = ?
          and is_accepted
          and cast(? as date) - submitted_on > ?
          and (replied_on is null or replied_on - submitted_on > ?)
        order by days_to_reply desc, proposal_id
        """,
        [as_of, as_of, as_of, year, as_of, days, days],
    )
    return Answer(rows=rows, source="marts.proposals")


# --- 4. spending per member by department ------------------------------------------------------


def spending_per_member(con: duckdb.DuckDBPyConnection, year: int) -> Answer:
    """Each department's spending (marts.spending_by_category: welfare, festival, birthday; the
    purchases count for no department) over its members in the year (marts.members)."""
    marts = _marts_tables(con)
    spending = marts.get("spending_by_category", [])
    lacking = []
    if not {"year", "department_name", "amount"} <= set(spending):
        lacking.append(
            "marts.spending_by_category（含部门与金额） / marts.spending_by_category with "
            "department and amount"
        )
    headcount, source = _members_by_department(con, year, marts)
    if headcount is None:
        lacking.append(
            "各部门会员数（marts.members 或 marts.participation.members） / members per department "
            "(marts.members or marts.participation.members)"
        )
    if lacking:
        return Answer(missing=lacking)
    spent = fetch_dicts(
        con,
        """
        select coalesce(department_name, '未归属部门') as department, sum(amount) as amount
        from marts.spending_by_category where year = ?
        group by 1
        """,
        [year],
    )
    rows = []
    for r in spent:
        members = headcount.get(r["department"])
        amount = to_decimal(r["amount"]) or Decimal(0)
        rows.append(
            {
                "department": r["department"],
                "amount": amount,
                "members": members,
                "per_member": (amount / members).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                if members
                else None,
            }
        )
    rows.sort(key=lambda r: (r["per_member"] is None, -(r["per_member"] or 0), r["department"]))
    return Answer(rows=rows, source=f"marts.spending_by_category ÷ {source}")


def _members_by_department(con, year: int, marts: dict[str, list[str]]):
    """Members per department name: the roster mart, else the participation mart's headcount
    (a warehouse published before marts.members)."""
    if {"year", "staff_id", "department_name"} <= set(marts.get("members", [])):
        rows = con.execute(
            "select department_name, count(distinct staff_id) from marts.members "
            "where year = ? group by 1",
            [year],
        ).fetchall()
        return {r[0]: int(r[1]) for r in rows}, "marts.members"
    participation = marts.get("participation", [])
    if {"year", "department_name", "members"} <= set(participation):
        rows = con.execute(
            "select department_name, max(members) from marts.participation "
            "where year = ? group by 1",
            [year],
        ).fetchall()
        return {r[0]: int(r[1]) for r in rows if r[1]}, "marts.participation.members"
    return None, ""


def display_rows(rows: list[dict], labels: dict[str, str] | None = None) -> list[dict]:
    """Rows for a notebook table: Chinese column headers where given, decimals as floats, dates
    as ISO text (the table widget serializes to JSON)."""
    labels = labels or {}
    out = []
    for row in rows:
        shown = {}
        for key, value in row.items():
            if isinstance(value, Decimal):
                value = float(value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            shown[labels.get(key, key)] = value
        out.append(shown)
    return out


def warehouse_path(default: str = "warehouse/union.duckdb") -> Path:
    """The published warehouse: $UNIONWH_WAREHOUSE, else warehouse/union.duckdb (from the current
    folder, else from the project root)."""
    value = os.environ.get("UNIONWH_WAREHOUSE") or default
    path = Path(value)
    if not path.is_absolute() and not path.exists():
        path = PROJECT_ROOT / path
    return path
