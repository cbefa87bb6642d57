"""The answers to the analysts' four questions (notebooks/) that the generated files hold.

Worked out from what the generator wrote (its roster and `GenerationResult.facts`), not from the
warehouse: the notebooks' tests compare what the pipeline and the notebooks find with these. Each
rule says the question the way the union asks it:

- a member is due a birthday voucher when a member on the first day of their birth month;
- a proposal is overdue at a date when accepted (立案), submitted more than `days` days before that
  date, and not replied to within `days` days of submission (in its latest export's state);
- a department's participation is its members who took part in any activity, over its members;
- a department's spending is every payment counting for it (the member's department; the written
  one for a family member), over its members. Members are the roster's members in the year.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from pipelines.demo.generator import GenerationResult

NO_DEPARTMENT = None  # spending that counts for no department (the university's purchases)


def _in_year(member, year: int) -> bool:
    """A member at some time in the year, as every mart counts members."""
    return member.joined <= dt.date(year, 12, 31) and (
        member.status_date is None or member.status_date >= dt.date(year, 1, 1)
    )


def members_of_year(result: GenerationResult, year: int) -> list:
    return [m for m in result.roster.members if _in_year(m, year)]


def members_due_a_voucher_without_one(result: GenerationResult, year: int) -> set[str]:
    """工号 of members who were members on the first of their birth month and have no voucher."""
    return {
        m.staff_id
        for m in members_of_year(result, year)
        if m.active_on(dt.date(year, m.birth.month, 1)) and m.staff_id not in result.facts.vouchers
    }


def overdue_proposals(result: GenerationResult, as_of: dt.date, days: int = 60) -> set[str]:
    """提案编号 of accepted proposals whose reply did not come within `days` days, as of `as_of`."""
    overdue = set()
    for p in result.facts.proposals:
        if not p.accepted or (as_of - p.submitted).days <= days:
            continue
        if p.replied is None or (p.replied - p.submitted).days > days:
            overdue.add(p.pid)
    return overdue


def members_by_department(result: GenerationResult, year: int) -> Counter:
    return Counter(m.dept for m in members_of_year(result, year))


def participation_by_department(result: GenerationResult, year: int) -> dict[str, tuple[int, int]]:
    """Department (official name) -> (members, members who took part)."""
    members = members_by_department(result, year)
    taking_part = Counter(
        m.dept for m in members_of_year(result, year) if m.staff_id in result.facts.participants
    )
    return {name: (count, taking_part.get(name, 0)) for name, count in members.items()}


def spending_per_member(result: GenerationResult, year: int) -> dict[str | None, Decimal | None]:
    """Department (official name; None: no department) -> yuan spent per member, to the fen."""
    members = members_by_department(result, year)
    out: dict[str | None, Decimal | None] = {}
    for name, amount in result.facts.spent_by_department.items():
        count = members.get(name) if name is not NO_DEPARTMENT else None
        out[name] = (
            (amount / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if count else None
        )
    return out
