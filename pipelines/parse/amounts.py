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
# One pass over the text: an optional bracket pair (a negative amount), the number, an optional unit.
_AMOUNT = (
    r"^(?<open>\()?(?<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?<close>\))?(?<unit>万元|万|元)?$"
)


def _unit_scale(column_unit: str | None) -> int:
    return 10_000 if column_unit and "万" in column_unit else 1


def amount_expr(expr: pl.Expr, column_unit: str | None = None) -> tuple[pl.Expr, pl.Expr]:
    """(amount in yuan as Decimal(18,2), error code or NULL) for a string column.

    Both come from one struct, so the text is cleaned and matched once per cell (Polars does not
    share sub-expressions between when/then branches)."""
    parsed = amount_struct_expr(expr, column_unit)
    return parsed.struct.field("yuan"), parsed.struct.field("error")


def amount_struct_expr(expr: pl.Expr, column_unit: str | None = None) -> pl.Expr:
    """A struct per cell: `yuan` (Decimal(18,2) or NULL) and `error` (code or NULL)."""
    text = halfwidth_expr(expr).str.replace_all(r"[\s,¥]", "")
    scale = (
        pl.when(pl.field("unit").str.starts_with("万"))
        .then(10_000)
        .when(pl.field("unit") == "元")
        .then(1)
        .otherwise(_unit_scale(column_unit))
    )
    bracketed = pl.field("open").is_not_null() & pl.field("close").is_not_null()
    sign = (
        pl.when(bracketed & ~pl.field("number").str.starts_with("-"))
        .then(-1)
        .when(pl.field("open").is_null() & pl.field("close").is_null())
        .then(1)
        .otherwise(None)  # `(500`, `-(500)`, `(-500)`: not an amount
    )
    value = pl.field("number").cast(_WORKING_TYPE, strict=False)
    yuan = value * scale.cast(_WORKING_TYPE) * sign.cast(_WORKING_TYPE)
    return (
        pl.struct(text.alias("text"))
        .struct.with_fields(
            pl.field("text").str.extract_groups(_AMOUNT).struct.unnest(),
            blank=pl.field("text").is_null() | (pl.field("text") == ""),
        )
        .struct.with_fields(yuan=yuan.round(2, mode="half_away_from_zero").cast(AMOUNT_TYPE))
        .struct.with_fields(
            error=pl.when(~pl.field("blank") & pl.field("yuan").is_null()).then(
                pl.lit("amount_not_a_number")
            )
        )
        .struct.with_fields(yuan=pl.when(pl.field("blank")).then(None).otherwise(pl.field("yuan")))
    )
