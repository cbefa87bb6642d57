"""Contract rule: dates in every way departments write them; month-only only where allowed."""

from datetime import date

import polars as pl
import pytest

from pipelines.parse.dates import date_expr, month_expr, year_expr


def parse_dates(values, month_ok=False):
    value, precision, error = date_expr(pl.col("a"), month_ok)
    frame = pl.DataFrame({"a": values}, schema={"a": pl.String})
    return list(frame.select(value.alias("v"), precision.alias("p"), error.alias("e")).iter_rows())


@pytest.mark.parametrize(
    "text",
    [
        "2023-06-15 00:00:00",  # an Excel date cell as calamine reads it
        "45092",  # Excel serial number
        "45092.0",
        "2023-06-15",
        "2023/6/15",
        "2023.6.15",
        "2023年6月15日",
        "２０２３年６月１５日",
        " 2023-06-15 ",
    ],
)
def test_day_dates(text):
    assert parse_dates([text]) == [(date(2023, 6, 15), "day", None)]


@pytest.mark.parametrize("text", ["2023年6月", "2023-06", "2023/6", "2023.6"])
def test_month_only_where_allowed(text):
    assert parse_dates([text], month_ok=True) == [(date(2023, 6, 1), "month", None)]


@pytest.mark.parametrize("text", ["2023年6月", "2023-06"])
def test_month_only_elsewhere_is_an_error(text):
    assert parse_dates([text], month_ok=False) == [(None, None, "month_only_date")]


@pytest.mark.parametrize("text", ["2023-02-30", "yesterday", "15/06/2023", "2023-13-01"])
def test_not_a_date(text):
    assert parse_dates([text]) == [(None, None, "date_not_a_date")]


def test_blank_date_has_no_error():
    assert parse_dates([None, ""]) == [(None, None, None)] * 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2023", 2023), ("2023年", 2023), ("２０２３", 2023), ("2023.0", 2023), ("2023年度", 2023)],
)
def test_fiscal_year_spellings(text, expected):
    value, error = year_expr(pl.col("a"))
    assert pl.DataFrame({"a": [text]}).select(value.alias("v"), error.alias("e")).row(0) == (
        expected,
        None,
    )


@pytest.mark.parametrize("text", ["23", "二〇二三", "2023-06"])
def test_fiscal_year_errors(text):
    value, error = year_expr(pl.col("a"))
    assert pl.DataFrame({"a": [text]}).select(value.alias("v"), error.alias("e")).row(0) == (
        None,
        "year_not_a_year",
    )


@pytest.mark.parametrize(
    ("text", "expected"), [("3", 3), ("03", 3), ("3月", 3), ("12", 12), ("3.0", 3)]
)
def test_birthday_month(text, expected):
    value, error = month_expr(pl.col("a"))
    assert pl.DataFrame({"a": [text]}).select(value.alias("v"), error.alias("e")).row(0) == (
        expected,
        None,
    )


@pytest.mark.parametrize("text", ["0", "13", "三月"])
def test_birthday_month_errors(text):
    value, error = month_expr(pl.col("a"))
    assert pl.DataFrame({"a": [text]}).select(value.alias("v"), error.alias("e")).row(0) == (
        None,
        "month_not_a_month",
    )
