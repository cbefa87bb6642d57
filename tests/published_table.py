"""docs/report-figures.md: the 2023 figures as the union published them, the tests' one reader of
that table (expected values that no code under test produced)."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.conftest import PROJECT_ROOT


def published_figures_with_units() -> dict[str, tuple[Decimal, str]]:
    """figure_key -> (the 2023 value, its unit)."""
    table = (PROJECT_ROOT / "docs" / "report-figures.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([a-z_.]+) \| ([\d.]+) \| (\S+) \|", table, flags=re.M)
    return {key: (Decimal(value), unit) for key, value, unit in rows}


def published_figures() -> dict[str, Decimal]:
    """figure_key -> the 2023 value."""
    return {key: value for key, (value, _unit) in published_figures_with_units().items()}
