"""Text normalization: full-width characters, stray spaces, header spellings."""

from __future__ import annotations

import re

import polars as pl

# Full-width ASCII variants (！ … ～) map to ASCII by a fixed offset; the ideographic space to a space.
_FULLWIDTH = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000", "\uffe5", "\u00a0"]
_HALFWIDTH = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)] + [" ", "¥", " "]
_TO_HALFWIDTH = str.maketrans(dict(zip(_FULLWIDTH, _HALFWIDTH, strict=True)))
_UNIT_SUFFIX = re.compile(r"\(([^()]*)\)$")


def to_halfwidth(text: str) -> str:
    """`ＧＨ０１２３` → `GH0123`; the ideographic space becomes a plain space."""
    return text.translate(_TO_HALFWIDTH)


def normalize_header(text: str) -> str:
    """The spelling a header is matched by: half-width, no spaces, no unit suffix.

    `金额（元）`, `金 额(元)` and `金额` all give `金额`; `工 号` gives `工号`.
    """
    compact = re.sub(r"\s+", "", to_halfwidth(text))
    return _UNIT_SUFFIX.sub("", compact) or compact


def normalize_header_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorized normalize_header, for comparing whole columns with a header (no Python per cell)."""
    compact = halfwidth_expr(expr).str.replace_all(r"\s+", "")
    stripped = compact.str.replace(r"\([^()]*\)$", "")
    return pl.when(stripped == "").then(compact).otherwise(stripped)


def header_unit(text: str) -> str | None:
    """The unit a header declares in brackets (`金额(万元)` → `万元`), or None."""
    compact = re.sub(r"\s+", "", to_halfwidth(text))
    match = _UNIT_SUFFIX.search(compact)
    return match.group(1) if match else None


def halfwidth_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorized to_halfwidth for a string column."""
    return expr.str.replace_many(_FULLWIDTH, _HALFWIDTH)


def text_expr(expr: pl.Expr) -> pl.Expr:
    """Half-width, trimmed; an empty cell is NULL."""
    cleaned = halfwidth_expr(expr).str.strip_chars()
    return pl.when(cleaned == "").then(None).otherwise(cleaned)


def compact_expr(expr: pl.Expr) -> pl.Expr:
    """Half-width with every space removed (IDs, department names, enum values)."""
    cleaned = halfwidth_expr(expr).str.replace_all(r"\s+", "")
    return pl.when(cleaned == "").then(None).otherwise(cleaned)


def identifier_expr(expr: pl.Expr) -> pl.Expr:
    """工号 / 提案编号: half-width, no spaces, upper case; `12345.0` from a number cell → `12345`."""
    compact = compact_expr(expr).str.to_uppercase()
    return compact.str.replace(r"^(\d+)\.0+$", "${1}")


LIST_SEPARATORS = "、,;/"


def department_list_expr(expr: pl.Expr, protected: tuple[str, ...] = ()) -> pl.Expr:
    """协办部门: several names separated by 、 , ; / (either width) → a list of compact names.

    `protected` names contain a separator themselves (`党委办公室、校长办公室`) and stay whole.
    """
    compact = compact_expr(expr)
    placeholders = [f"\x00{i}\x00" for i in range(len(protected))]
    if protected:
        compact = compact.str.replace_many(list(protected), placeholders)
    compact = compact.str.replace_all(f"[{LIST_SEPARATORS}]+", "、")
    parts = compact.str.split("、").list.eval(pl.element().filter(pl.element() != ""))
    if protected:
        parts = parts.list.eval(pl.element().str.replace_many(placeholders, list(protected)))
    return pl.when(parts.list.len() == 0).then(None).otherwise(parts)
