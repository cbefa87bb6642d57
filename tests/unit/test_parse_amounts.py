"""Contract rule: amounts are exact decimals in yuan, whatever way they were written."""

from decimal import Decimal

import polars as pl
import pytest

from pipelines.parse.amounts import amount_expr


def parse(values, column_unit=None):
    value, error = amount_expr(pl.col("a"), column_unit)
    frame = pl.DataFrame({"a": values}, schema={"a": pl.String}).select(
        value.alias("v"), error.alias("e")
    )
    return list(frame.iter_rows())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("300", "300.00"),
        ("152,720.00", "152720.00"),
        ("¥300", "300.00"),
        ("￥300", "300.00"),
        ("300元", "300.00"),
        ("1.2万", "12000.00"),
        ("1.2万元", "12000.00"),
        ("１５２７２０", "152720.00"),
        ("  800  ", "800.00"),
        ("-500", "-500.00"),
        ("(500)", "-500.00"),
        ("（500）", "-500.00"),
        ("152720.00000000003", "152720.00"),
        ("0.125", "0.13"),
    ],
)
def test_amount_text_in_yuan(text, expected):
    assert parse([text]) == [(Decimal(expected), None)]


def test_wan_column_scales_bare_numbers():
    assert parse(["0.08", "13.36"], "万元") == [
        (Decimal("800.00"), None),
        (Decimal("133600.00"), None),
    ]


def test_value_unit_wins_over_column_unit():
    assert parse(["1.2万", "300元"], "万元") == [
        (Decimal("12000.00"), None),
        (Decimal("300.00"), None),
    ]


def test_blank_is_null_without_error():
    assert parse([None, "", "  "]) == [(None, None)] * 3


@pytest.mark.parametrize("text", ["abc", "三百", "1.2.3", "300$", "--5"])
def test_not_a_number(text):
    assert parse([text]) == [(None, "amount_not_a_number")]


def test_amount_is_decimal_not_float():
    value, _ = amount_expr(pl.col("a"))
    dtype = pl.DataFrame({"a": ["0.1"]}).select(value).dtypes[0]
    assert dtype == pl.Decimal(18, 2)
