"""Dates, years and months as departments write them.

Dates: Excel dates (read as `2023-06-15 00:00:00`), Excel serial numbers (`45092`), `2023-06-15`,
`2023/6/15`, `2023.6.15`, `2023年6月15日`; month-only values (`2023年6月`, `2023-06`) become the
month's first day with precision `month` where the column allows it, else the error `month_only_date`.
"""

from __future__ import annotations

import polars as pl

from pipelines.parse.text import compact_expr

_DATE_PATTERN = (
    r"^(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_SERIAL_PATTERN = r"^\d{5}(\.\d+)?$"
_EXCEL_EPOCH = pl.date(1899, 12, 30)


def date_expr(expr: pl.Expr, month_ok: bool = False) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(DATE, precision `day`/`month`, error code or NULL) for a string column."""
    parsed = date_struct_expr(expr, month_ok)
    return tuple(parsed.struct.field(f) for f in ("value", "precision", "error"))


def date_struct_expr(expr: pl.Expr, month_ok: bool = False) -> pl.Expr:
    """A struct per cell: `value`, `precision`, `error`. Each step is a field computed once from the
    fields before it (Polars would evaluate a repeated sub-expression again)."""
    f = pl.field
    year, month, day = (f("parts").struct.field(str(i)) for i in (1, 2, 3))
    serial = pl.when(f("text").str.contains(_SERIAL_PATTERN)).then(
        f("text").cast(pl.Float64, strict=False).floor().cast(pl.Int32)
    )
    iso = pl.concat_str(
        [year, month.str.zfill(2), day.fill_null("1").str.zfill(2)], separator="-"
    ).str.to_date("%Y-%m-%d", strict=False)
    from_serial = (_EXCEL_EPOCH + pl.duration(days=serial)).cast(pl.Date)
    error = (
        pl.when(f("text").is_null())
        .then(None)
        .when(f("parsed").is_null())
        .then(pl.lit("date_not_a_date"))
        .when(f("month_only") & (not month_ok))
        .then(pl.lit("month_only_date"))
        .otherwise(None)
    )
    precision = pl.when(f("month_only")).then(pl.lit("month")).otherwise(pl.lit("day"))
    return (
        pl.struct(compact_expr(expr).alias("text"))
        .struct.with_fields(parts=f("text").str.extract_groups(_DATE_PATTERN))
        .struct.with_fields(
            month_only=year.is_not_null() & day.is_null(),
            parsed=pl.coalesce(iso, from_serial),
        )
        .struct.with_fields(error=error)
        .struct.with_fields(
            value=pl.when(f("error").is_null()).then(f("parsed")),
            precision=pl.when(f("error").is_null() & f("parsed").is_not_null()).then(precision),
        )
    )


def year_expr(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """所属年度: `2023`, `2023年`, `２０２３`, `2023.0` → 2023."""
    text = compact_expr(expr)
    digits = text.str.extract(r"^(\d{4})(?:\.0+)?年?(?:度)?$", 1)
    value = digits.cast(pl.Int32, strict=False)
    error = pl.when(text.is_not_null() & value.is_null()).then(pl.lit("year_not_a_year"))
    return value, error.otherwise(None)


def month_expr(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """生日月份: `3`, `03`, `3月`, `3.0` → 3; anything outside 1–12 is an error."""
    text = compact_expr(expr)
    number = text.str.extract(r"^(\d{1,2})(?:\.0+)?月?$", 1).cast(pl.Int32, strict=False)
    value = pl.when(number.is_between(1, 12)).then(number).otherwise(None)
    error = pl.when(text.is_not_null() & value.is_null()).then(pl.lit("month_not_a_month"))
    return value, error.otherwise(None)
