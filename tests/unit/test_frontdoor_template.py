"""Templates generated from the contract: their layout, and that a template filled with the demo
generator's rows reads back, through the nightly run's own ingest code, to the same rows (hence
the same figures)."""

from __future__ import annotations

import openpyxl
import polars as pl
import pytest

from pipelines.contract import load_contract
from pipelines.frontdoor.template import HEADER_ROW, LISTS_SHEET, write_templates
from pipelines.ingest.files import read_file
from pipelines.ingest.template_stamp import contract_version, template_version
from tests.frontdoor_files import DEMO_YEAR, contract_frame, demo_rows, fill_template

CONTRACT = load_contract()


def test_welfare_template_layout(tmp_path):
    (path,) = write_templates(tmp_path, DEMO_YEAR, "welfare", "marxism")
    assert template_version(path) == contract_version()
    workbook = openpyxl.load_workbook(path)
    assert workbook[LISTS_SHEET].sheet_state == "hidden"
    assert "填表说明" in workbook.sheetnames
    sheet = workbook["慰问与帮扶发放明细"]
    table = CONTRACT.table("welfare_payments")
    header = [c.value for c in sheet[HEADER_ROW + 1]]
    assert header == [c.zh for c in table.columns]
    assert sheet.freeze_panes == f"A{HEADER_ROW + 2}"
    assert "马克思主义学院" in sheet["A1"].value
    validations = {str(v.sqref).split(":")[0][:1]: v for v in sheet.data_validations.dataValidation}
    category = validations["E"]  # 慰问类别
    assert category.type == "list"
    assert category.formula1.strip('"').split(",") == list(table.column("welfare_category").values)
    assert validations["D"].formula1 == f"{LISTS_SHEET}!$A$2:$A$46"  # 部门: the hidden range
    messages = [v.prompt for v in sheet.data_validations.dataValidation if v.prompt]
    assert any("必填" in m and "新年慰问" in m for m in messages)
    assert sheet.column_dimensions["A"].number_format == "yyyy-mm-dd"  # 发放日期
    assert sheet.column_dimensions["F"].number_format == "#,##0.00"  # 金额


def test_every_source_has_a_template_the_ingest_reads(tmp_path):
    for path in write_templates(tmp_path, DEMO_YEAR):
        source = openpyxl.load_workbook(path).custom_doc_props["unionwh_source"].value
        read = read_file(path, path.name, source, CONTRACT.tables_of(source))
        assert read.status == "loaded", (path.name, read.message_en)
        assert {s["table_name"] for s in read.sheets if s["status"] == "read"} == {
            t.table for t in CONTRACT.tables_of(source)
        }


@pytest.mark.parametrize("source", CONTRACT.sources)
def test_template_filled_with_demo_rows_reads_back_the_same(tmp_path, source):
    expected = demo_rows(source)
    rows = {table: frame.to_dicts() for table, frame in expected.items()}
    name = "提案_20231130.xlsx" if source == "proposals" else None
    path = fill_template(tmp_path, source, rows, name)
    read = read_file(path, path.name, source, CONTRACT.tables_of(source))
    assert read.status == "loaded", read.message_en
    assert not [w for w in read.warnings if w["warning_code"] == "outdated_template"]
    for table in CONTRACT.tables_of(source):
        if table.table not in expected:
            continue
        got = pl.concat(read.rows[table.table])
        assert got.filter(pl.col("_error_code").is_not_null()).height == 0
        want = contract_frame(table, expected[table.table]).drop("_export_date", strict=False)
        assert contract_frame(table, got).drop("_export_date", strict=False).equals(want)
        for column in (c.name for c in table.columns if c.type == "amount"):
            assert got[column].sum() == expected[table.table][column].sum()


def test_a_file_from_an_out_of_date_template_is_named_in_the_warnings(tmp_path):
    path = fill_template(tmp_path, "budget", {})
    workbook = openpyxl.load_workbook(path)
    workbook.custom_doc_props["unionwh_template_version"].value = "0123456789ab"
    workbook["经费预算"].append(["新年慰问", 1000])
    workbook.save(path)
    read = read_file(path, "budget.xlsx", "budget", CONTRACT.tables_of("budget"))
    stale = [w for w in read.warnings if w["warning_code"] == "outdated_template"]
    assert len(stale) == 1
    assert "0123456789ab" in stale[0]["message_zh"] and contract_version() in stale[0]["message_zh"]
