"""`unionwh validate`: the nightly run's rules on one file, through the same parse code and the same
dbt classification on a scratch build. One scratch folder for the module (dbt parses once)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.contract import load_contract
from pipelines.frontdoor.validate import MASK, cell_value, validate_files
from tests.conftest import DEMO_RAW
from tests.frontdoor_files import DEMO_YEAR, demo_rows, fill_template


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("validate") / "warehouse" / "union.duckdb"


@pytest.fixture(scope="module")
def work_dir(warehouse) -> Path:
    return warehouse.parent / "private" / "frontdoor"  # where `unionwh validate` puts it


@pytest.fixture(scope="module")
def birthday_rows() -> list[dict]:
    roster = set(demo_rows("members")["members"]["staff_id"].to_list())
    vouchers = demo_rows("birthday")["birthday_vouchers"]
    clean = vouchers.filter(
        pl.col("staff_id").is_in(list(roster)) & pl.col("department_name").is_null()
    ).unique("staff_id", keep="first", maintain_order=True)
    return clean.head(4).to_dicts()


def test_a_clean_file_passes_and_a_bad_one_names_every_cell(tmp_path, work_dir, birthday_rows):
    good = fill_template(tmp_path / "g", "birthday", {"birthday_vouchers": birthday_rows}, "g.xlsx")
    bad_rows = [dict(r) for r in birthday_rows]
    bad_rows[0]["staff_id"] = "GH99999"  # not in the roster
    bad_rows[2] = dict(bad_rows[1])  # the same voucher twice
    bad_rows[3]["amount"] = "一百"  # not a number
    bad = fill_template(tmp_path / "b", "birthday", {"birthday_vouchers": bad_rows}, "b.xlsx")
    checked_good = validate_files([(good, "g.xlsx")], DEMO_YEAR, DEMO_RAW, work_dir).files[0]
    assert checked_good.source == "birthday" and checked_good.ok  # the source, from the header
    assert (checked_good.rows, checked_good.rows_clean) == (4, 4)
    result = validate_files([(bad, "b.xlsx")], DEMO_YEAR, DEMO_RAW, work_dir)
    assert not result.ok
    checked_bad = result.files[0]
    by_row = {(p.row_number, p.reason_code, p.column_name, p.value) for p in checked_bad.errors}
    assert by_row == {
        (4, "unknown_staff_id", "工号", "GH99999"),
        (6, "duplicate", None, None),
        (7, "amount_not_a_number", "金额", "一百"),
    }
    assert all(
        p.file_name == "b.xlsx" and p.sheet_name == "会员生日蛋糕" for p in checked_bad.errors
    )
    assert all(p.message_zh.startswith("工作表 会员生日蛋糕 第 ") for p in checked_bad.errors)


def test_the_cli_exits_0_only_when_every_row_is_clean(tmp_path, warehouse, birthday_rows):
    good = fill_template(tmp_path / "g", "birthday", {"birthday_vouchers": birthday_rows}, "g.xlsx")
    late = [dict(r) for r in birthday_rows]
    late[1]["amount"] = -late[1]["amount"]
    bad = fill_template(tmp_path / "b", "birthday", {"birthday_vouchers": late[1:2]}, "b.xlsx")
    runner = CliRunner()
    common = ["--year", str(DEMO_YEAR), "--raw-dir", str(DEMO_RAW), "--warehouse", str(warehouse)]
    ok = runner.invoke(app, ["validate", str(good), *common])
    assert ok.exit_code == 0, ok.output
    failed = runner.invoke(app, ["validate", str(bad), *common])
    assert failed.exit_code == 1
    assert "第 4 行「金额」列：金额为负数" in failed.output and "negative amount" in failed.output
    unreadable = tmp_path / "notes.xlsx"
    unreadable.write_bytes(b"not a workbook")
    rejected = runner.invoke(app, ["validate", str(unreadable), *common])
    assert rejected.exit_code == 1 and "无法识别数据来源" in rejected.output


def test_personal_data_is_masked_in_what_a_check_shows():
    members = load_contract().table("members")
    cells = json.dumps({"工 号": "GH1", "身份证号": "110101199003074512", "手机号": "13912345678"})
    assert cell_value(members, "身份证号", cells) == MASK
    assert cell_value(members, "手机号", cells) == MASK
    assert cell_value(members, "工号", cells) == "GH1"  # found under its spelling `工 号`


def test_a_roster_checked_alone_is_its_own_roster(tmp_path, work_dir):
    roster = (
        demo_rows("members")["members"].head(3).with_columns(joined_on=pl.lit(dt.date(2020, 1, 1)))
    )
    path = fill_template(tmp_path, "members", {"members": roster.to_dicts()}, "roster.xlsx")
    result = validate_files([(path, "roster.xlsx")], DEMO_YEAR, tmp_path / "no-raw", work_dir)
    assert result.files[0].source == "members"
    assert (result.files[0].rows, result.files[0].rows_clean) == (3, 3)
