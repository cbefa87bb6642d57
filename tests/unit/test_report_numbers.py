"""How the report prints numbers: as the 2023 work summary prints them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipelines.report import numbers


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (133600, "13.36万元"),
        (3200, "0.32万元"),
        (12000, "1.2万元"),
        (13612000, "1361.2万元"),
        (303380, "30.338万元"),
        (1575500, "157.55万元"),
        (148000, "14.8万元"),
        (10000, "1万元"),
        (0, "0万元"),
        (Decimal("12345.67"), "1.2346万元"),  # four decimals, half away from zero
        (Decimal("-5000"), "-0.5万元"),
    ],
)
def test_wan_yuan_as_the_summary_prints_it(value, printed):
    assert numbers.wan(value) == printed


def test_yuan_with_and_without_decimals():
    assert numbers.yuan2(177600) == "177600.00元"
    assert numbers.yuan(152720) == "152720元"
    assert numbers.yuan(Decimal("150660.50")) == "150660.5元"


def test_display_falls_back_by_unit():
    assert numbers.display(Decimal("167"), "人") == "167人"
    assert numbers.display(Decimal("98"), "条") == "98条"
    assert numbers.display(Decimal("2600"), "元") == "0.26万元"
    assert numbers.display(None, "元") == "—"


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("157.55万元", Decimal("1575500"), "元"),
        ("177600.00元", Decimal("177600"), "元"),
        ("167人", Decimal(167), "人"),
        ("12个", Decimal(12), "个"),
        ("-0.5万元", Decimal(-5000), "元"),
    ],
)
def test_parse_display_reads_a_printed_figure_back(text, value, unit):
    parsed, parsed_unit = numbers.parse_display(text)
    assert parsed == value
    assert parsed_unit == unit


def test_change_against_the_year_before():
    up = numbers.change(Decimal(1575500), Decimal(1465200), "元")
    assert up["direction"] == "up"
    assert up["delta_text"] == "+11.03万元"
    assert up["relative_text"] == "+7.5%"
    same = numbers.change(7, 7, "次")
    assert same["delta_text"] == "持平" and same["direction"] == "same"
    from_zero = numbers.change(5, 0, "人")
    assert from_zero["relative"] is None and from_zero["delta_text"] == "+5人"
    assert numbers.change(None, 3, "人") is None


def test_percent_and_plain():
    assert numbers.percent(Decimal("0.875")) == "87.5%"
    assert numbers.percent(None) == "—"
    assert numbers.plain(Decimal("1234567")) == "1,234,567"
    assert numbers.plain(Decimal("1.50")) == "1.5"
