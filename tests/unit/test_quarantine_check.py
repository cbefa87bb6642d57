"""The quarantine gate as Dagster runs it: the real check on a hand-made build (no dbt run), a stub
publication downstream. A source over its limit stops the publication and gets its quarantine
workbook beside the build; accepting the source lets the publication run and removes the workbook."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import openpyxl

from pipelines.checks.assets import QUARANTINE_SHARES, quarantine_limit_check
from pipelines.checks.quarantine import CHECK_NAME
from pipelines.partitions import fiscal_years
from pipelines.publish.workbook import CONTENTS_SHEET
from pipelines.resources import MartsFolder, QuarantineAcceptance, Warehouse
from pipelines.run.runner import RunOutcome
from tests.stub_year import YEAR, published_stub, run_stub_year

READ, QUARANTINED = 500, 125  # a quarter of a 500-row source


def write_build(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema audit")
        con.execute(
            "create table audit.quarantine_shares as select 'welfare' as source, "
            f"1 as files_loaded, 0 as files_rejected, {READ} as rows_read, "
            f"{READ - QUARANTINED} as rows_clean, 0 as rows_duplicate, "
            f"{QUARANTINED} as rows_quarantined, "
            f"cast({QUARANTINED / READ} as decimal(9, 4)) as quarantined_share"
        )
        con.execute(
            "create table audit.quarantine_reasons as select 'welfare' as source, "
            "'missing_value' as reason_code, 1 as reason_rank, '必填项为空' as reason_zh, "
            f"'missing value' as reason_en, {QUARANTINED} as rows_quarantined, "
            "'welfare/a.xlsx' as example_file_name, '1月' as example_sheet_name, "
            "3 as example_row_number, '慰问类别' as example_column_name, "
            """'{"慰问类别": null, "金额（元）": "300"}' as example_raw_values"""
        )
        con.execute(
            "create table audit.quarantine as select 'welfare' as source, "
            "'welfare/a.xlsx' as file_name, '1月' as sheet_name, i + 2 as row_number, "
            "'missing_value' as reason_code, '文学院' as department_name "
            f"from range({QUARANTINED}) as t(i)"
        )


def run(tmp_path: Path, accepted: list[str]) -> tuple[RunOutcome, Path]:
    marker = tmp_path / "marts" / YEAR / "published.txt"
    marker.unlink(missing_ok=True)

    @dg.asset(key=QUARANTINE_SHARES, partitions_def=fiscal_years)
    def shares_stub() -> None:
        return None

    outcome = run_stub_year(
        [shares_stub, published_stub(marker, [QUARANTINE_SHARES])],
        [quarantine_limit_check],
        {
            "warehouse": Warehouse(path=str(tmp_path / "warehouse" / "union.duckdb")),
            "marts_folder": MartsFolder(path=str(tmp_path / "marts")),
            "quarantine_acceptance": QuarantineAcceptance(sources=accepted),
        },
    )
    return outcome, marker


def test_over_the_limit_stops_publication_then_accepting_the_source_publishes(tmp_path):
    write_build(tmp_path / "warehouse" / "private" / f"{YEAR}.duckdb")
    workbook = tmp_path / "warehouse" / "private" / f"{YEAR}.quarantine.xlsx"

    outcome, marker = run(tmp_path, accepted=[])
    assert not outcome.success and not marker.exists()
    assert any(CHECK_NAME in failure for failure in outcome.failures), outcome.failures
    [check] = [c for c in outcome.checks if c.name == CHECK_NAME]
    assert (check.passed, check.blocking, check.rows_affected) == (False, True, QUARANTINED)
    assert "来源 welfare：隔离 125 / 500 行（25.0%），超过上限 50 行" in check.details
    assert "第 3 行，慰问类别 为空" in check.details
    assert f"隔离行已写入 {workbook}" in check.details
    book = openpyxl.load_workbook(workbook, read_only=True)
    assert book.sheetnames == [CONTENTS_SHEET, "文学院"]
    assert book["文学院"].max_row - 2 == QUARANTINED  # title and header rows, then the rows

    outcome, marker = run(tmp_path, accepted=["welfare"])
    assert outcome.success, outcome.failures
    assert marker.read_text() == "published"
    [check] = [c for c in outcome.checks if c.name == CHECK_NAME]
    assert check.passed and "已按 --accept-quarantine 放行" in check.details
    assert not workbook.exists()
