"""No 身份证号 or 手机号 in anything published: the warehouse, marts/<year>/, the report, the logs.

The roster's own numbers are read from the private build (raw.members), as a real check would; the
scan must pass on a clean publication and fail on a planted copy.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipelines.checks.privacy import (
    known_values_from_build,
    scan_file,
    scan_publication,
    scan_text,
)
from tests.report_sample import build_once, build_published_sample

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def published(tmp_path_factory):
    """The published sample with 2023's report (shared with the report tests), and a log."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's folder, common to its workers
    base = build_once(root / "published-sample", build_published_sample)
    log = tmp_path_factory.mktemp("logs") / "run.log"
    log.write_text(
        "2023-11-30 12:00:01 INFO loaded welfare/2023-welfare.xlsx "
        "sha256=3f1c13912345678ab9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5 rows=812\n"
        "2023-11-30 12:00:02 INFO festival total 13612000.00 yuan, 1700000000000 ms\n",
        encoding="utf-8",
    )
    known = known_values_from_build(base / "warehouse" / "private" / "2023.duckdb")
    return {
        "base": base,
        "warehouse": base / "warehouse" / "union.duckdb",
        "year_dir": base / "marts" / "2023",
        "log": log,
        "known": known,
    }


def test_known_values_come_from_the_private_roster(published):
    known = published["known"]
    assert len(known) == 120  # 60 members, an ID and a mobile each
    assert any(len(v) == 18 for v in known) and any(len(v) == 11 for v in known)


def test_the_private_build_itself_is_caught(published):
    """The scan works: the roster it protects is full of findings."""
    from pipelines.checks.privacy import scan_duckdb

    build = published["base"] / "warehouse" / "private" / "2023.duckdb"
    kinds = {f.kind for f in scan_duckdb(build, set(published["known"]))}
    assert kinds == {"id_number", "mobile_number", "known_value"}


def test_clean_publication_passes(published):
    assert (published["year_dir"] / "report.html").exists()
    assert (published["year_dir"] / "report.pdf").exists()
    findings = scan_publication(
        published["warehouse"],
        published["year_dir"],
        logs=[published["log"]],
        known_values=published["known"],
    )
    assert findings == []


def _planted_copy(published, tmp_path) -> Path:
    year_dir = tmp_path / "marts" / "2023"
    shutil.copytree(published["year_dir"], year_dir)
    return year_dir


def test_a_phone_number_planted_in_a_mart_parquet_fails(published, tmp_path):
    year_dir = _planted_copy(published, tmp_path)
    mobile = next(v for v in published["known"] if len(v) == 11)
    path = year_dir / "participation.parquet"
    table = pq.read_table(path)
    names = table.column("department_name").to_pylist()
    names[0] = f"{names[0]}（联系人电话{mobile}）"
    pq.write_table(
        table.set_column(
            table.schema.get_field_index("department_name"), "department_name", pa.array(names)
        ),
        path,
    )

    findings = scan_publication(None, year_dir, known_values=published["known"])
    assert {f.kind for f in findings} == {"mobile_number", "known_value"}
    assert all("participation.parquet" in f.location for f in findings)
    for finding in findings:
        assert mobile not in finding.describe()  # never repeated in full
    # and the pattern alone catches a number that is not on the roster
    assert scan_publication(None, year_dir) != []


def test_a_roster_value_inside_a_longer_number_is_still_caught(published, tmp_path):
    year_dir = _planted_copy(published, tmp_path)
    id_number = next(v for v in published["known"] if len(v) == 18)
    (year_dir / "notes.json").write_text(f'{{"ref": "9{id_number}7"}}', encoding="utf-8")
    assert scan_publication(None, year_dir) == []  # too long for the pattern…
    findings = scan_publication(None, year_dir, known_values=published["known"])
    assert [f.kind for f in findings] == ["known_value"]  # …but it is the roster's


def test_planted_in_the_published_warehouse_fails(published, tmp_path):
    warehouse = tmp_path / "union.duckdb"
    shutil.copy(published["warehouse"], warehouse)
    id_number = next(v for v in published["known"] if len(v) == 18)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update audit.quarantine set raw_values = ? where row_number = 12",
            [f'{{"工号": "T9999", "身份证号": "{id_number}"}}'],
        )
    findings = scan_publication(warehouse, None, known_values=published["known"])
    assert {f.kind for f in findings} == {"id_number", "known_value"}
    assert findings[0].location.endswith("audit.quarantine.raw_values")


def test_planted_in_a_workbook_the_report_and_a_log_fails(published, tmp_path):
    import xlsxwriter

    book = tmp_path / "marts.xlsx"
    workbook = xlsxwriter.Workbook(str(book))
    workbook.add_worksheet().write(3, 2, 13912340000)  # a number cell, not text
    workbook.close()
    assert [f.kind for f in scan_file(book, set())] == ["mobile_number"]

    report = tmp_path / "report.html"
    page = (published["year_dir"] / "report.html").read_text(encoding="utf-8")
    report.write_text(
        page.replace("</footer>", "<p>电话 139-1234-0000 / 13912340000</p></footer>"),
        encoding="utf-8",
    )
    assert [f.kind for f in scan_file(report, set())] == ["mobile_number"]

    log = tmp_path / "run.log"
    log.write_text("WARNING member 500103198001011234 has no department\n", encoding="utf-8")
    findings = scan_publication(None, None, logs=[log])
    assert [f.kind for f in findings] == ["id_number"]


def test_planted_in_a_pdf_fails(tmp_path):
    from matplotlib.figure import Figure

    pdf = tmp_path / "chart.pdf"
    figure = Figure(figsize=(3, 1))
    figure.text(0.1, 0.5, "tel 13912345678")
    figure.savefig(pdf, format="pdf")
    assert [f.kind for f in scan_file(pdf)] == ["mobile_number"]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("手机13812345678", ["mobile_number"]),
        ("ID 11010519491231002X.", ["id_number"]),
        ("11010519491231002x", ["id_number"]),
        ("138123456789", []),  # 12 digits: not a mobile
        ("12812345678", []),  # 12x is no mobile prefix
        ("amount 1361200000.00, 2023-11-30, 1700000000000", []),
        ("sha256 9f8e13812345678aa0b1c2d3e4f5061728394a5b6c7d8e9f00112233445566778", []),
    ],
)
def test_patterns(text, kinds):
    assert [f.kind for f in scan_text(text, "x")] == kinds


def test_privacy_command(published, tmp_path):
    from pipelines.cli.main import app

    base = published["base"]
    args = [
        "privacy",
        "--year",
        "2023",
        "--warehouse",
        str(base / "warehouse" / "union.duckdb"),
        "--marts-dir",
        str(base / "marts"),
        "--log",
        str(published["log"]),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "未发现个人信息" in result.output and "120" in result.output

    bad_log = tmp_path / "bad.log"
    bad_log.write_text(f"member phone {published['known'][-1]}\n", encoding="utf-8")
    result = CliRunner().invoke(app, [*args[:-1], str(bad_log)])
    assert result.exit_code == 1
    assert published["known"][-1] not in result.output
