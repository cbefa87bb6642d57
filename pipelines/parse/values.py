"""Counts, quantities and coded values (enums and yes/no flags)."""

from __future__ import annotations

import polars as pl

from pipelines.parse.text import compact_expr, halfwidth_expr

BLANK_KEY = "blank"


def integer_expr(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """审议文件数: `12`, `12.0`, `12个` → 12."""
    text = compact_expr(expr)
    value = text.str.extract(r"^(-?\d+)(?:\.0+)?[^\d.]{0,2}$", 1).cast(pl.Int64, strict=False)
    error = pl.when(text.is_not_null() & value.is_null()).then(pl.lit("integer_not_a_number"))
    return value, error.otherwise(None)


def decimal_expr(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """数量: a number, optionally followed by its unit (`120斤`) → Decimal(18,4)."""
    text = halfwidth_expr(expr).str.replace_all(r"[\s,]", "")
    number = text.str.extract(r"^(-?\d+(?:\.\d+)?)\D{0,4}$", 1)
    value = number.cast(pl.Decimal(38, 8), strict=False).round(4).cast(pl.Decimal(18, 4))
    blank = text.is_null() | (text == "")
    error = pl.when(~blank & value.is_null()).then(pl.lit("decimal_not_a_number"))
    return pl.when(blank).then(None).otherwise(value), error.otherwise(None)


def coded_expr(
    expr: pl.Expr, values: dict[str, object], dtype: pl.DataType
) -> tuple[pl.Expr, pl.Expr]:
    """Map a Chinese value to its contract key (`已办结` → `completed`, `是` → True).

    The key `blank` in the contract gives the value of an empty cell. A value outside the list is the
    error `invalid_value`: never guessed.
    """
    text = compact_expr(expr)
    mapping = {k: v for k, v in values.items() if k != BLANK_KEY}
    mapped = text.replace_strict(
        list(mapping), list(mapping.values()), default=None, return_dtype=dtype
    )
    blank_value = values.get(BLANK_KEY)
    value = pl.when(text.is_null()).then(pl.lit(blank_value, dtype=dtype)).otherwise(mapped)
    error = pl.when(text.is_not_null() & mapped.is_null()).then(pl.lit("invalid_value"))
    return value, error.otherwise(None)
