"""Amounts: exact decimals in yuan, whatever way the department wrote them.

Accepted: numbers, `152,720.00`, `¥300`, `￥300`, `300元`, `1.2万`, `１５２７２０`, `-500`, `(500)`.
A value's own unit wins over its column's: `1.2万` in a `金额(万元)` column is 12,000 yuan, and
`300元` there is 300 yuan. Rounding to fen is half away from zero, as a clerk rounds.
"""

from __future__ import annotations

import polars as pl

from pipelines.parse.text import halfwidth_expr

AMOUNT_TYPE = pl.Decimal(18, 2)
_WORKING_TYPE = pl.Decimal(38, 8)
_NUMBER = r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$"


def _unit_scale(column_unit: str | None) -> int:
    return 10_000 if column_unit and "万" in column_unit else 1


def amount_expr(expr: pl.Expr, column_unit: str | None = None) -> tuple[pl.Expr, pl.Expr]:
    """(amount in yuan as Decimal(18,2), error code or NULL) for a string column."""
    text = halfwidth_expr(expr).str.replace_all(r"[\s,¥]", "")
    blank = text.is_null() | (text == "")
    in_wan = text.str.contains(r"万元?$")
    in_yuan = text.str.ends_with("元") & ~in_wan
    bare = text.str.replace(r"(万元|万|元)$", "")
    parenthesized = bare.str.contains(r"^\(.*\)$")
    signed = pl.when(parenthesized).then("-" + bare.str.strip_chars("()")).otherwise(bare)
    value = pl.when(signed.str.contains(_NUMBER)).then(signed).cast(_WORKING_TYPE, strict=False)
    scale = pl.when(in_wan).then(10_000).when(in_yuan).then(1).otherwise(_unit_scale(column_unit))
    yuan = (
        (value * scale.cast(_WORKING_TYPE)).round(2, mode="half_away_from_zero").cast(AMOUNT_TYPE)
    )
    error = pl.when(~blank & yuan.is_null()).then(pl.lit("amount_not_a_number")).otherwise(None)
    return pl.when(blank).then(None).otherwise(yuan), error
