"""Cell values as clerks write them: the many spellings of one amount, one date, one year.

Every function here takes the true value and a style and returns what goes into the cell, so a
source module decides *what* a row says and these decide *how it looks*. All the spellings are ones the
raw contract promises to accept (`docs/raw-contract.md`, "Mess that real files have").
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True, slots=True)
class XDate:
    """A real Excel date: a serial number with a date format (a plain date string in CSV)."""

    value: date


@dataclass(frozen=True, slots=True)
class Serial:
    """An Excel serial number written as a plain number (`45092`), no date format."""

    value: date


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula with its cached value. `{r}` in the formula is replaced by the cell's Excel row."""

    formula: str
    value: Decimal | int | str


def serial(d: date) -> int:
    return (d - EXCEL_EPOCH).days


_FW = {
    ord(c): ord(c) + 0xFEE0
    for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
}


def fullwidth(text: str) -> str:
    """`GH0123` -> `ＧＨ０１２３` (what a Chinese IME in full-width mode types)."""
    return text.translate(_FW)


_CUMULATIVE: dict[int, tuple[dict, list[str], list[int]]] = {}


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    """A style drawn from weights; dict order is fixed, so this is deterministic for a given rng."""
    cached = _CUMULATIVE.get(id(weights))
    if cached is None or cached[0] is not weights:
        keys, cum, total = list(weights), [], 0
        for w in weights.values():
            total += w
            cum.append(total)
        cached = (weights, keys, cum)
        if len(_CUMULATIVE) < 512:
            _CUMULATIVE[id(weights)] = cached
    return rng.choices(cached[1], cum_weights=cached[2])[0]


def _plain(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def number(value: Decimal) -> int | Decimal:
    """A numeric cell: an int when whole (so xlsx shows `800`, not `800.0`)."""
    return int(value) if value == value.to_integral_value() else value


def amount(value: Decimal, style: str) -> int | Decimal | str:
    """One amount in yuan, spelled the way `style` says."""
    if style == "num":
        return number(value)
    if style == "text":
        return _plain(value)
    if style == "comma":  # 152,720.00
        return f"{value:,.2f}"
    if style == "yen":  # ¥300 (half-width yen sign; not in GBK, so never in a GBK file)
        return f"¥{_plain(value)}"
    if style == "yen_full":  # ￥300
        return f"￥{_plain(value)}"
    if style == "yuan":  # 300元
        return f"{_plain(value)}元"
    if style == "wan":  # 1.2万
        return f"{_plain(value / 10000)}万"
    if style == "fullwidth":  # １５２７２０
        return fullwidth(_plain(value))
    if style == "decimal2":  # 800.00
        return f"{value:.2f}"
    if style == "paren":  # (500) is -500
        return f"({_plain(-value)})" if value < 0 else _plain(value)
    raise ValueError(f"unknown amount style {style!r}")


def day(d: date, style: str) -> XDate | Serial | str:
    """One date, spelled the way `style` says. Month-only styles only where the contract allows."""
    if style == "excel":
        return XDate(d)
    if style == "serial":
        return Serial(d)
    if style == "iso":
        return d.isoformat()
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "cn_month":
        return f"{d.year}年{d.month}月"
    if style == "iso_month":
        return f"{d.year}-{d.month:02d}"
    raise ValueError(f"unknown date style {style!r}")


def year(y: int, style: str) -> int | str | None:
    """A 所属年度 cell: `2023`, `2023` as text, `2023年`, `２０２３`, or blank."""
    if style == "num":
        return y
    if style == "text":
        return str(y)
    if style == "cn":
        return f"{y}年"
    if style == "fullwidth":
        return fullwidth(str(y))
    if style == "blank":
        return None
    raise ValueError(f"unknown year style {style!r}")


def padded(text: str, style: str) -> str:
    """Stray spaces clerks leave: leading/trailing ASCII spaces or full-width spaces (U+3000)."""
    if style == "lead":
        return " " + text
    if style == "trail":
        return text + "  "
    if style == "fw":
        return "\u3000" + text + "\u3000"
    if style == "fw_trail":
        return text + "\u3000"
    return text


def staff_id(sid: str, style: str) -> str:
    """A 工号 as typed: plain, full-width (`ＧＨ０１２３`), lower case, or with stray spaces."""
    if style == "fullwidth":
        return fullwidth(sid)
    if style == "lower":
        return sid.lower()
    if style in ("lead", "trail", "fw"):
        return padded(sid, style)
    return sid


AMOUNT_MESS = {"num": 80, "yuan": 6, "text": 5, "yen_full": 3, "comma": 3, "decimal2": 3}
AMOUNT_MESS_GBK = AMOUNT_MESS  # no half-width ¥ here: it has no GBK code
DATE_MESS = {"excel": 55, "iso": 15, "slash": 10, "dot": 5, "cn": 8, "serial": 7}
ID_MESS = {"plain": 96, "fullwidth": 2, "lead": 1, "trail": 1}
TEXT_MESS = {"plain": 92, "lead": 2, "trail": 2, "fw": 2, "fw_trail": 2}
