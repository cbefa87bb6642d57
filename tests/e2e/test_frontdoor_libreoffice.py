"""A template re-saved by LibreOffice Calc (another program's file) keeps its choice lists, its
hidden list sheet and its version, and still reads as a template of its source."""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest

from pipelines.contract import load_contract
from pipelines.frontdoor.template import LISTS_SHEET, write_templates
from pipelines.ingest.files import read_file
from pipelines.ingest.template_stamp import contract_version, template_version
from tests.frontdoor_files import DEMO_YEAR
from tests.system_tools import require_program

pytestmark = pytest.mark.e2e


def _lists(path: Path, sheet_name: str) -> dict[str, str]:
    sheet = openpyxl.load_workbook(path)[sheet_name]
    return {
        str(v.sqref).split(":")[0].rstrip("0123456789"): (v.formula1 or "")
        for v in sheet.data_validations.dataValidation
        if v.type == "list"
    }


def test_validation_lists_survive_a_libreoffice_round_trip(tmp_path):
    soffice = require_program("soffice", "libreoffice-calc-nogui")
    (original,) = write_templates(tmp_path / "made", DEMO_YEAR, "welfare")
    out = tmp_path / "calc"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(original),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    resaved = out / original.name
    assert resaved.exists() and resaved.read_bytes() != original.read_bytes()

    sheet = "慰问与帮扶发放明细"
    before, after = _lists(original, sheet), _lists(resaved, sheet)
    assert set(after) == set(before) == {"D", "E", "G"}  # 部门, 慰问类别, 发放形式
    assert after["E"].strip('"').split(",") == before["E"].strip('"').split(",")
    assert after["D"].replace("$", "").lower() == before["D"].replace("$", "").lower()
    assert openpyxl.load_workbook(resaved)[LISTS_SHEET].sheet_state == "hidden"
    assert template_version(resaved) == contract_version()
    read = read_file(resaved, resaved.name, "welfare", load_contract().tables_of("welfare"))
    assert read.status == "loaded"
    assert [s["table_name"] for s in read.sheets if s["status"] == "read"] == ["welfare_payments"]
