"""Contract rules on text: full-width characters, spaces, IDs, header spellings, coded values."""

import polars as pl
import pytest

from pipelines.parse.text import (
    department_list_expr,
    header_unit,
    identifier_expr,
    normalize_header,
    text_expr,
)
from pipelines.parse.values import coded_expr, integer_expr


def apply(expr, values):
    return pl.DataFrame({"a": values}, schema={"a": pl.String}).select(expr).to_series().to_list()


def test_identifiers_half_width_upper_no_spaces():
    assert apply(
        identifier_expr(pl.col("a")), ["ＧＨ０１２３", " gh0123 ", "GH 0123", "12345.0", None]
    ) == [
        "GH0123",
        "GH0123",
        "GH0123",
        "12345",
        None,
    ]


def test_text_trimmed_including_ideographic_space():
    assert apply(text_expr(pl.col("a")), ["\u3000张三\u3000", "  李四 ", "", None]) == [
        "张三",
        "李四",
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("header", "name", "unit"),
    [
        ("工号", "工号", None),
        ("工 号", "工号", None),
        ("姓  名", "姓名", None),
        ("金额（元）", "金额", "元"),
        ("金额(万元)", "金额", "万元"),
        (" 金 额 （ 万元 ） ", "金额", "万元"),
    ],
)
def test_header_spellings(header, name, unit):
    assert normalize_header(header) == name
    assert header_unit(header) == unit


def test_department_list_separators():
    got = apply(
        department_list_expr(pl.col("a")), ["人事处、财务处", "人事处,财务处；后勤", "人事处", None]
    )
    assert got == [["人事处", "财务处"], ["人事处", "财务处", "后勤"], ["人事处"], None]


def test_coded_values_and_blank_default():
    value, error = coded_expr(
        pl.col("a"), {"在册": "active", "退会": "left", "blank": "active"}, pl.String
    )
    frame = pl.DataFrame({"a": ["在册", " 退会 ", None, "开除"]}).select(
        value.alias("v"), error.alias("e")
    )
    assert list(frame.iter_rows()) == [
        ("active", None),
        ("left", None),
        ("active", None),
        (None, "invalid_value"),
    ]


def test_flag_accepts_both_spellings():
    values = {"是": True, "否": False, "立案": True, "不立案": False}
    value, error = coded_expr(pl.col("a"), values, pl.Boolean)
    frame = pl.DataFrame({"a": ["是", "不立案", "立案", "否", "也许"]}).select(
        value.alias("v"), error.alias("e")
    )
    assert list(frame.iter_rows()) == [
        (True, None),
        (False, None),
        (True, None),
        (False, None),
        (None, "invalid_value"),
    ]


def test_integer_counts():
    value, error = integer_expr(pl.col("a"))
    frame = pl.DataFrame({"a": ["12", "12.0", "3个", "很多"]}).select(
        value.alias("v"), error.alias("e")
    )
    assert list(frame.iter_rows()) == [
        (12, None),
        (12, None),
        (3, None),
        (None, "integer_not_a_number"),
    ]


def test_department_list_keeps_protected_names_whole():
    expr = department_list_expr(pl.col("a"), ("党委办公室、校长办公室",))
    got = apply(expr, ["人事处、党委办公室、校长办公室；财务处"])
    assert got == [["人事处", "党委办公室、校长办公室", "财务处"]]


def test_protected_names_come_from_the_departments_seed():
    from pipelines.contract import department_names_with_separators

    assert "党委办公室、校长办公室" in department_names_with_separators()
