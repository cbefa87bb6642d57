"""End to end: the real pipeline on the shipped 2023 demo data reproduces the published figures.

Expected values come from docs/report-figures.md (the table the union published), never from the code
under test.
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.conftest import DEMO_RAW
from tests.data_docs import validation_page
from tests.published_table import published_figures_with_units
from tests.system_tools import require_program

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_run(demo_publication) -> dict:
    return {
        "result": demo_publication,
        "warehouse": demo_publication.warehouse,
        "marts": demo_publication.marts,
    }


def test_run_succeeds_and_prints_summary(demo_run):
    result = demo_run["result"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for source in ("members", "welfare", "festival", "birthday", "alleviation", "proposals"):
        assert source in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_every_published_figure_is_reproduced(demo_run):
    expected = published_figures_with_units()
    assert len(expected) == 35
    table = pq.read_table(demo_run["marts"] / "2023" / "report_figures.parquet").to_pylist()
    got = {row["figure_key"]: row for row in table if row["year"] == 2023}
    assert set(got) == set(expected)
    for key, (value, unit) in expected.items():
        assert Decimal(got[key]["value"]) == value, key
        assert got[key]["unit"] == unit, key
        assert got[key]["source_rows"] > 0, key


def test_published_outputs_are_those_the_manifest_lists(demo_run):
    """Every published file is the one the manifest lists (sha256, and rows for a table), and the
    counts known from how the demo was made are there: 35 figures, the 15 rows PLANTED.md
    quarantines, the roster's 6135 members."""
    year_dir: Path = demo_run["marts"] / "2023"
    manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
    listed = {output["path"]: output for output in manifest["outputs"]}
    names = ("spending_by_category", "proposal_completion", "participation", "report_figures")
    assert {f"{name}.parquet" for name in (*names, "quarantine")} | {"marts.xlsx"} <= set(listed)
    for name, output in listed.items():
        path = year_dir / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == output["sha256"], name
        if name.endswith(".parquet"):
            assert pq.ParquetFile(path).metadata.num_rows == output["rows"], name
    rows = {name: listed[f"{name}.parquet"]["rows"] for name in ("report_figures", "quarantine")}
    rows["members"] = listed["members.parquet"]["rows"]
    assert rows == {"report_figures": 35, "quarantine": 15, "members": 6135}


def test_published_warehouse_has_no_raw_or_staging(demo_run):
    with duckdb.connect(str(demo_run["warehouse"]), read_only=True) as con:
        schemas = {
            r[0]
            for r in con.execute(
                "select distinct table_schema from information_schema.tables"
            ).fetchall()
        }
    assert schemas <= {"marts", "audit"}


def test_rows_are_conserved_per_file_and_source(demo_run):
    """Every landed row of the demo year is clean, a duplicate or quarantined, in every file."""
    build = demo_run["warehouse"].parent / "private" / "2023.duckdb"
    with duckdb.connect(str(build), read_only=True) as con:
        log = con.execute(
            "select source, file_name, file_status, rows_read, rows_clean, rows_duplicate, "
            "rows_quarantined from audit.load_log"
        ).fetchall()
        landed = dict(
            con.execute(
                "select file_name, sum(data_rows) from raw.sheets where status = 'read' group by all"
            ).fetchall()
        )
        quarantined = con.execute("select count(*) from audit.quarantine").fetchall()[0][0]
    assert {source for source, *_ in log} >= {"members", "welfare", "festival", "birthday"}
    for source, file_name, status, read, clean, duplicate, held in log:
        assert status == "loaded", file_name
        assert file_name.startswith(f"{source}/")
        assert read == clean + duplicate + held == landed[file_name], file_name
    assert sum(row[6] for row in log) == quarantined


CONTRACT_TABLES = {
    "members",
    "welfare_payments",
    "festival_payments",
    "birthday_vouchers",
    "alleviation_purchases",
    "alleviation_targets",
    "proposals",
    "activity_participations",
    "publicity_posts",
    "meetings",
    "budget_lines",
}


def test_quality_checks_are_published(demo_run):
    """The published Data Docs hold one validation per contract table, of the suite the run
    declared for it (every expectation evaluated), each succeeded; the run's log says each
    table's Great Expectations check passed."""
    from pipelines.checks.expectations import suite_for
    from pipelines.contract import load_contract

    docs: Path = demo_run["marts"] / "2023" / "data-docs"
    pages = {page.parts[-4]: page for page in (docs / "validations").rglob("*.html")}
    assert set(pages) == CONTRACT_TABLES
    index = (docs / "index.html").read_text(encoding="utf-8")
    for table in load_contract().tables:
        declared = len(suite_for(table, 2023))
        assert declared >= 3, table.table
        assert validation_page(pages[table.table]) == ("Succeeded", declared, declared, 0), (
            table.table
        )
        assert pages[table.table].relative_to(docs).as_posix() in index, table.table
    passed = re.findall(
        r"ASSET_CHECK_EVALUATION Asset check 'great_expectations_contract_suite' on "
        r"'intermediate/int_(\w+)_classified' passed",
        _run_log(demo_run).read_text(encoding="utf-8"),
    )
    assert sorted(passed) == sorted(CONTRACT_TABLES)
    assert "Traceback" not in demo_run["result"].stdout + demo_run["result"].stderr


def test_the_terminal_shows_one_progress_display_and_a_short_summary(demo_run):
    """One line per stage, each complete, then the summary: well under 60 lines, no dbt log."""
    from pipelines.dbt.assets import union_dbt_assets

    out = demo_run["result"].stdout
    lines = out.splitlines()
    assert len(lines) < 60, out
    files = sum(
        1 for p in (DEMO_RAW / "2023").rglob("*") if p.is_file() and not p.name.startswith(".")
    )
    tests = len(list(union_dbt_assets.check_specs))
    assert tests >= 200
    expected = [
        f"读取 read .* {files}/{files} 文件 files",
        r"入库 land .* (\d+)/\1 步 steps",
        rf"dbt .* (\d+)/\1 模型 models · {tests}/{tests} 测试 tests",
        r"检查 checks .* (\d+)/\1",
        r"发布 publish .* 1/1",
    ]
    for pattern in expected:
        assert any(re.search(pattern, line) for line in lines), (pattern, out)
    assert not any(" START " in line or "OK created" in line for line in lines)  # dbt's own log


def _run_log(demo_run) -> Path:
    """The run's log file, named by the last line the run printed."""
    last = demo_run["result"].stdout.strip().splitlines()[-1]
    assert last.startswith("日志 log: "), last
    return Path(last.removeprefix("日志 log: ").strip())


def test_the_run_log_holds_dagster_and_dbt_and_no_personal_data(demo_run):
    from pipelines.checks.privacy import known_values_from_build, scan_file

    log = _run_log(demo_run)
    assert log.parent == demo_run["warehouse"].parent / "logs"
    text = log.read_text(encoding="utf-8")
    assert "unionwh.dbt" in text and " OK created " in text  # dbt's per-node lines
    assert "STEP_SUCCESS" in text and "ASSET_CHECK_EVALUATION" in text  # Dagster's events
    assert "\x1b[" not in text  # no terminal colours in a file
    build = demo_run["warehouse"].parent / "private" / "2023.duckdb"
    known = known_values_from_build(build)
    assert len(known) > 1000  # the roster's ID and mobile numbers
    assert scan_file(log, known) == []


def test_the_figures_sheet_prints_in_libreoffice_with_no_cell_cut(demo_run, tmp_path):
    """The office's view of marts.xlsx: the report figures' sheet, printed to PDF by LibreOffice
    Calc, shows every cell whole. A column too narrow cuts its text where the next cell starts
    and prints ### for a number, so every cell's text as the office should read it (amounts
    with separators and two decimals, counts without) must be in the printed text."""
    import subprocess

    import openpyxl
    from pypdf import PdfReader

    from tests.workbook_contents import sheet_of

    soffice = require_program("soffice", "libreoffice-calc-nogui")
    book = openpyxl.load_workbook(demo_run["marts"] / "2023" / "marts.xlsx")
    sheet = sheet_of(book, "marts.report_figures")
    assert re.search(r"[\u4e00-\u9fff]", sheet.title), sheet.title  # named for the office
    for name in book.sheetnames:  # the row-level sheets would print hundreds of pages
        if name != sheet.title:
            del book[name]
    book.save(tmp_path / "figures.xlsx")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "figures.xlsx"),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    printed = "".join(
        "".join((page.extract_text() or "").split())
        for page in PdfReader(str(tmp_path / "figures.pdf")).pages
    )
    figures = pq.read_table(demo_run["marts"] / "2023" / "report_figures.parquet").to_pylist()
    assert len(figures) == 35
    for row in figures:
        money = row["unit"] == "元"
        shown = [
            row["figure_key"],
            row["section"],
            row["label_zh"],
            f"{row['value']:,.2f}" if money else f"{row['value']:,.0f}",
            row["display_zh"],
            str(row["source_rows"]),
            row["sources"],
        ]
        for text in shown:
            assert "".join(text.split()) in printed, (row["figure_key"], text)
    assert "13,612,000.00" in printed and "#" not in printed
