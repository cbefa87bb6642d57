"""Numbers as the work summary prints them, and back.

The summary prints amounts in 万元 with up to four decimals and no trailing zeros (`13.36万元`,
`1234.5万元`), some amounts in 元 with two decimals (`177600.00元`) or none (`152720元`), and counts
as integers with their unit (`167人`). These functions mirror the dbt macro `display_zh`, so a figure
whose `display_zh` is missing still prints the same way; `parse_display` reads a printed number back
(the report's tests compare every printed figure with `report_figures.value`).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

WAN = Decimal(10_000)
_FOUR = Decimal("0.0001")
_TWO = Decimal("0.01")
AMOUNT_UNITS = {"元"}


def to_decimal(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def _strip_zeros(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def wan(value) -> str:
    """`133600` -> `13.36万元` (half away from zero at the fourth decimal, as DuckDB rounds)."""
    number = (to_decimal(value) / WAN).quantize(_FOUR, rounding=ROUND_HALF_UP)
    return _strip_zeros(f"{number:f}") + "万元"


def yuan2(value) -> str:
    """`177600` -> `177600.00元`."""
    return f"{to_decimal(value).quantize(_TWO, rounding=ROUND_HALF_UP):f}元"


def yuan(value) -> str:
    """`152720` -> `152720元`; fen are kept when there are any (`152720.5元`)."""
    number = to_decimal(value).quantize(_TWO, rounding=ROUND_HALF_UP)
    return _strip_zeros(f"{number:f}") + "元"


def count(value, unit: str) -> str:
    """`167` + `人` -> `167人`."""
    return f"{int(to_decimal(value))}{unit}"


def percent(value, places: int = 1) -> str:
    """A share (0.875) as a percentage (`87.5%`)."""
    if value is None:
        return "—"
    number = (to_decimal(value) * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{number:f}%"


def display(value, unit: str | None) -> str:
    """How the report prints a figure when the mart gives no `display_zh`."""
    if value is None:
        return "—"
    if unit in AMOUNT_UNITS:
        return wan(value)
    if unit == "%":
        return _strip_zeros(f"{to_decimal(value):f}") + "%"
    return count(value, unit or "")


def plain(value) -> str:
    """A number in a table cell: no unit, no trailing zeros, thousands separated."""
    if value is None:
        return "—"
    number = to_decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return _strip_zeros(f"{number.quantize(_FOUR, rounding=ROUND_HALF_UP):,f}")


_PRINTED = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(万元|元|%|\S*)\s*$")


def parse_display(text: str) -> tuple[Decimal, str]:
    """`12.34万元` -> (Decimal('123400'), '元'); `167人` -> (167, '人'); `12.5%` -> (12.5, '%')."""
    match = _PRINTED.match(text.replace(",", ""))
    if not match:
        raise ValueError(f"not a printed figure: {text!r}")
    number, unit = Decimal(match.group(1)), match.group(2)
    if unit == "万元":
        return number * WAN, "元"
    return number, unit


def change(current, previous, unit: str | None) -> dict | None:
    """The change of a figure against the year before: absolute (printed in the figure's unit),
    relative (None when the year before is zero) and its direction."""
    current, previous = to_decimal(current), to_decimal(previous)
    if current is None or previous is None:
        return None
    return change_texts(current - previous, previous, unit)


def change_texts(delta, previous, unit: str | None) -> dict | None:
    """How the report prints a change it was given (marts.figure_history's `change` and
    `previous_value`): the sign and magnitude in the figure's unit, and relative to the year
    before, computed exactly here (the view's relative_change is rounded)."""
    delta, previous = to_decimal(delta), to_decimal(previous)
    if delta is None or previous is None:
        return None
    relative = None if previous == 0 else delta / abs(previous)
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    magnitude = display(abs(delta), unit) if unit else plain(abs(delta))
    return {
        "delta": delta,
        "relative": relative,
        "direction": "up" if delta > 0 else ("down" if delta < 0 else "same"),
        "delta_text": "持平" if delta == 0 else f"{sign}{magnitude}",
        "relative_text": "—"
        if relative is None
        else ("0%" if delta == 0 else f"{sign}{percent(abs(relative))}"),
    }
