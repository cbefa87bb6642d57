"""The questions the notebooks answer, as plain functions over the published warehouse.

The notebooks (`notebooks/*.py`) only show what these return, so the answers are tested without a
notebook runtime. Every function takes a read-only connection and a year, and returns an `Answer`:
the rows, or why there are none (which table or column the published warehouse lacks).

Personal data never comes out: member-level rows are read through an explicit list of columns
(工号, 姓名, 部门, 状态), never `select *`, so 身份证号 and 手机号 could not appear even if a mart
carried them.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

from pipelines.report import data
from pipelines.report.data import fetch_dicts, pick, quote, table_columns
from pipelines.report.numbers import to_decimal

PERSONAL_COLUMNS = {"id_card_number", "mobile_number", "身份证号", "手机号", "phone", "mobile"}
MEMBER_COLUMNS = ("staff_id", "member_name", "department_code", "department_name", "member_status")


@dataclass
class Answer:
    rows: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # what the warehouse lacks, in zh / en
    source: str = ""  # the tables the answer was read from

    @property
    def ok(self) -> bool:
        return not self.missing


def latest_year(con: duckdb.DuckDBPyConnection) -> int | None:
    years = data.figure_years(con)
    return years[-1] if years else None


def _marts_tables(con) -> dict[str, list[str]]:
    return {t: table_columns(con, s, t) for s, t in data.tables(con) if s == "marts"}


def _year_clause(columns, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return f"{prefix}year = ?" if "year" in columns else "? is not null"


# --- 1. members with no birthday voucher -------------------------------------------------------


def members_without_birthday_voucher(con: duckdb.DuckDBPyConnection, year: int) -> Answer:
    marts = _marts_tables(con)
    roster = next(
        (
            name
            for name, cols in sorted(marts.items())
            if "member" in name and "staff_id" in cols and "birthday" not in name
        ),
        None,
    )
    vouchers = next(
        (name for name, cols in sorted(marts.items()) if "birthday" in name and "staff_id" in cols),
        None,
    )
    if not roster or not vouchers:
        lacking = []
        if not roster:
            lacking.append(
                "会员级名册（marts 中含 staff_id 的会员表，如 marts.members：staff_id, member_name, "
                "department_name, member_status；不含身份证号、手机号） / a member-level roster mart "
                "(e.g. marts.members with staff_id, member_name, department_name, member_status; "
                "no ID or phone numbers)"
            )
        if not vouchers:
            lacking.append(
                "会员级生日券发放表（如 marts.birthday_vouchers：staff_id, amount） / a member-level "
                "birthday-voucher mart (e.g. marts.birthday_vouchers with staff_id, amount)"
            )
        return Answer(missing=lacking)
    roster_cols = marts[roster]
    shown = [c for c in MEMBER_COLUMNS if c in roster_cols and c not in PERSONAL_COLUMNS]
    select = ", ".join(f"m.{quote(c)}" for c in shown)
    voucher_cols = marts[vouchers]
    rows = fetch_dicts(
        con,
        f"""
        select distinct {select}
        from marts.{quote(roster)} as m
        where {_year_clause(roster_cols, "m")}
          and not exists (
            select 1 from marts.{quote(vouchers)} as v
            where v.staff_id = m.staff_id and {_year_clause(voucher_cols, "v")}
          )
        order by all
        """,
        [year, year],
    )
    return Answer(rows=rows, source=f"marts.{roster} − marts.{vouchers}")


# --- 2. departments with the lowest participation ----------------------------------------------


def lowest_participation(con: duckdb.DuckDBPyConnection, year: int, count: int = 10) -> Answer:
    rows = data.participation(con, year)
    if rows is None:
        return Answer(
            missing=[
                "marts.participation（部门、会员数、参与人数） / marts.participation with a "
                "department, members and participants"
            ]
        )
    ordered = sorted(
        rows, key=lambda r: (r["rate"] if r["rate"] is not None else Decimal(2), r["department"])
    )
    return Answer(rows=ordered[:count], source="marts.participation")


# --- 3. proposals accepted but not replied to within 60 days -----------------------------------


def overdue_proposals(
    con: duckdb.DuckDBPyConnection, year: int, days: int = 60, as_of: dt.date | None = None
) -> Answer:
    """Accepted proposals replied to more than `days` days after submission, or not replied to and
    submitted more than `days` days before `as_of` (default: today)."""
    as_of = as_of or dt.date.today()
    marts = _marts_tables(con)
    table = next(
        (
            name
            for name, cols in sorted(marts.items())
            if {"proposal_id", "replied_on"} <= set(cols)
            and pick(cols, "submitted_on", "accepted_on")
        ),
        None,
    )
    if not table:
        return Answer(
            missing=[
                "提案级数据（marts 中含 proposal_id, submitted_on, replied_on, is_accepted 的表） / "
                "a proposal-level mart with proposal_id, submitted_on, replied_on, is_accepted"
            ]
        )
    cols = marts[table]
    start = pick(cols, "accepted_on", "submitted_on")
    accepted = pick(cols, "is_accepted")
    shown = [
        c
        for c in (
            "proposal_id",
            "congress",
            "title",
            "lead_department_name",
            "department_name",
            "handling_status",
            start,
            "replied_on",
        )
        if c in cols
    ]
    elapsed = f"coalesce(replied_on, cast(? as date)) - {quote(start)}"
    rows = fetch_dicts(
        con,
        f"""
        select {", ".join(quote(c) for c in shown)},
               {elapsed} as days_to_reply,
               replied_on is null as not_replied
        from marts.{quote(table)}
        where {_year_clause(cols)}
          {f"and {quote(accepted)}" if accepted else ""}
          and {quote(start)} is not null
          and {elapsed} > ?
        order by days_to_reply desc, proposal_id
        """,
        [as_of, year, as_of, days],
    )
    return Answer(rows=rows, source=f"marts.{table}")


# --- 4. spending per member by department ------------------------------------------------------


def spending_per_member(con: duckdb.DuckDBPyConnection, year: int) -> Answer:
    marts = _marts_tables(con)
    spending = marts.get("spending_by_category", [])
    department = pick(spending, "department_name", "department_code")
    if not spending or not department or "amount" not in spending:
        return Answer(
            missing=[
                "marts.spending_by_category（含部门与金额） / marts.spending_by_category with "
                "department and amount"
            ]
        )
    headcount, source = _members_by_department(con, year, marts)
    if headcount is None:
        return Answer(
            missing=[
                "各部门会员数（marts.participation.members 或会员级名册） / members per department "
                "(marts.participation.members or a member-level roster)"
            ]
        )
    spent = fetch_dicts(
        con,
        f"""
        select coalesce({quote(department)}, '未归属部门') as department, sum(amount) as amount
        from marts.spending_by_category where {_year_clause(spending)}
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
    participation = marts.get("participation", [])
    name = pick(participation, "department_name", "department_code")
    members = pick(participation, "members", "member_count", "headcount")
    if name and members:
        rows = con.execute(
            f"select {quote(name)}, max({quote(members)}) from marts.participation "
            f"where {_year_clause(participation)} group by 1",
            [year],
        ).fetchall()
        return {r[0]: int(r[1]) for r in rows if r[1]}, "marts.participation.members"
    roster = next(
        (n for n, cols in sorted(marts.items()) if "member" in n and "staff_id" in cols), None
    )
    if roster:
        cols = marts[roster]
        name = pick(cols, "department_name", "department_code")
        if name:
            rows = con.execute(
                f"select {quote(name)}, count(distinct staff_id) from marts.{quote(roster)} "
                f"where {_year_clause(cols)} group by 1",
                [year],
            ).fetchall()
            return {r[0]: int(r[1]) for r in rows}, f"marts.{roster}"
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
        path = data.PROJECT_ROOT / path
    return path
