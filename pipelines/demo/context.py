"""What every source builder shares: the year, the plan of figures, the roster, the random streams."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from pipelines.demo.people import Roster

# Above this many rows a sheet is written in xlsxwriter's constant_memory (streaming) mode.
STREAMING_ROWS = 50_000


@dataclass
class Facts:
    """What the written rows hold besides the figures, kept as the builders write them: what the
    analysts' questions (notebooks/) must find. Sets and sums only, so 100× stays small."""

    # the department a clean payment row counts for (the member's; the written one, by its
    # official name, for a family member; None without one) -> yuan paid
    spent_by_department: dict[str | None, Decimal] = field(default_factory=dict)
    vouchers: set[str] = field(default_factory=set)  # 工号 with a clean birthday-voucher row
    welfare_payments: int = 0  # clean welfare payment rows
    participants: set[str] = field(default_factory=set)  # 工号 with a clean participation row
    proposals: list = field(default_factory=list)  # each proposal's state in its latest export

    def spend(self, department: str | None, amount: int | Decimal) -> None:
        self.spent_by_department[department] = self.spent_by_department.get(
            department, Decimal(0)
        ) + Decimal(amount)


@dataclass
class Context:
    year: int
    scale: int
    seed: int
    plan: dict  # figure targets and their breakdowns (see generator.make_plan)
    roster: Roster
    figures: dict[str, int | Decimal] = field(default_factory=dict)
    facts: Facts = field(default_factory=Facts)

    def rng(self, name: str) -> random.Random:
        """An independent, reproducible stream per source: changing how one source draws its
        numbers never shifts another source's data."""
        return random.Random(f"{self.seed + self.year}/{name}")

    @property
    def fiscal_start(self) -> date:
        return date(self.year - 1, 10, 1)

    @property
    def fiscal_end(self) -> date:
        return date(self.year + 1, 3, 31)

    def add(self, key: str, value: int | Decimal) -> None:
        self.figures[key] = self.figures.get(key, 0) + value


def workday(rng: random.Random, start: date, end: date) -> date:
    """A random Monday-to-Friday date in [start, end] (or `start` when the span has none)."""
    days = (end - start).days
    for _ in range(20):
        d = start + timedelta(days=rng.randint(0, days))
        if d.weekday() < 5:
            return d
    return start
