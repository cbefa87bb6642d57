"""Nothing lost, nothing wrong: bad input end to end through the real CLI.

The raw folders are written by tests/e2e/bad_input_corpus.py into tmp_path. Full runs are expensive
(dbt), so each scenario family is one raw folder and as few runs as possible, with many assertions
per run:

All in one xdist group (`bad_input`), three CLI invocations on one raw folder, in file order:

1. `unionwh run` on a tiny year holding every quarantine rule, hostile file and sheet names, a sparse
   sheet, a totals row and a 合计 that do not add up: the year is published.
2. Every kind of unreadable file is added, and one veteran is paid another amount (the summary's
   `people × standard` breaks): `unionwh run` lists each rejected file, still loads the rest into
   the private build, fails naming both blocking checks, and the first publication stays as it was.
3. `unionwh check` on the same folder prints its table, exits 1 and publishes nothing.

Then the hostile corpus (`write_hostile_files`) beside a copy of the shipped demo year, one
`unionwh run` with one reader process over a copy of the demo year's publication: every bad file
named, every good file landed, no process at 2 GB, exit 1, the publication unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pyarrow.parquet as pq
import pytest

from tests.conftest import DEMO_RAW, run_cli
from tests.data_docs import validation_page
from tests.e2e import bad_input_corpus as corpus
from tests.workbook_contents import sheets_by_table

pytestmark = pytest.mark.e2e

WIDE = {"COLUMNS": "250"}  # rich wraps at 80 columns without a terminal: keep file names whole
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "Stack Trace:")
DEMO_YEAR = DEMO_RAW / "2023"


def show(result) -> str:
    return f"exit {result.returncode}\nSTDOUT\n{result.stdout[-5000:]}\nSTDERR\n{result.stderr[-3000:]}"


def paths(base: Path) -> dict[str, Path]:
    return {
        "warehouse": base / "warehouse" / "union.duckdb",
        "marts": base / "marts",
        "private": base / "warehouse" / "private" / f"{corpus.YEAR}.duckdb",
    }


def cli(command: str, scenario: corpus.Scenario, where: dict[str, Path]):
    return run_cli(
        command,
        "--year",
        str(scenario.year),
        "--raw-dir",
        str(scenario.raw_dir),
        "--warehouse",
        str(where["warehouse"]),
        "--marts-dir",
        str(where["marts"]),
        env=WIDE,
    )


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_hashes(directory: Path) -> dict[str, str]:
    return {
        p.relative_to(directory).as_posix(): sha256(p)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


# =============================================================================================
# Every quarantine rule, hostile names; then a blocking reconciliation on a rerun
# =============================================================================================


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("quarantine")
    scenario = corpus.quarantine_scenario(base)
    where = paths(base)
    result = cli("run", scenario, where)
    return {"scenario": scenario, "result": result, **where}


class TestQuarantine:
    def test_the_run_publishes_despite_quarantined_rows(self, published):
        result = published["result"]
        assert result.returncode == 0, show(result)
        assert not any(m in result.stdout + result.stderr for m in TRACEBACK_MARKERS)
        assert (published["marts"] / str(corpus.YEAR) / "report_figures.parquet").is_file()

    def test_each_rule_quarantines_exactly_its_rows(self, published):
        got = {
            (f, s, r, code, col)
            for f, s, r, code, col in query(
                published["private"],
                "select file_name, sheet_name, row_number, reason_code, column_name from audit.quarantine",
            )
        }
        expected = {
            (q.file_name, q.sheet_name, q.row_number, q.reason_code, q.column_name)
            for q in published["scenario"].quarantined
        }
        assert got == expected

    def test_a_quarantine_row_keeps_where_it_came_from_and_what_was_sent(self, published):
        scenario = published["scenario"]
        rows = query(
            published["private"],
            "select file_name, sheet_name, row_number, year, source, file_sha256, raw_values, "
            "reason_code, reason_zh, reason_en from audit.quarantine",
        )
        by_place = {(r[0], r[1], r[2]): r for r in rows}
        year_dir = scenario.raw_dir / str(scenario.year)
        for q in scenario.quarantined:
            _, _, _, year, source, file_sha, raw_values, code, zh, en = by_place[
                (q.file_name, q.sheet_name, q.row_number)
            ]
            assert year == scenario.year and source == q.file_name.split("/")[0]
            assert file_sha == sha256(year_dir / q.file_name)
            cells = json.loads(raw_values)
            if q.raw_value is not None:
                assert q.raw_value in cells.values(), (q, cells)
            assert zh and en and code == q.reason_code
        texts = {code: (zh, en) for *_, code, zh, en in rows}
        assert texts["conflicting_duplicate"] == ("同一主键的行取值不一致", "conflicting duplicate")
        assert texts["unknown_staff_id"][1] == "unknown staff id"
        # personal data never reaches the quarantine: the roster's ID card column is masked
        member = by_place[(corpus.MEMBERS_FILE, "名册", corpus.ROSTER_UNKNOWN_DEPARTMENT_ROW)]
        assert "身份证号" in json.loads(member[6])
        assert "500101" not in member[6]

    def test_rows_are_conserved_per_file(self, published):
        rows = query(
            published["private"],
            "select file_name, rows_read, rows_clean, rows_duplicate, rows_quarantined from audit.load_log",
        )
        got = {name: tuple(counts) for name, *counts in rows}
        assert got == published["scenario"].load_log
        for read, clean, dup, quarantined in got.values():
            assert read == clean + dup + quarantined
        landed = dict(
            query(
                published["private"],
                "select file_name, sum(data_rows) from raw.sheets where status = 'read' group by all",
            )
        )
        assert {name: counts[0] for name, counts in got.items()} == landed

    def test_clean_rows_of_the_same_run_reach_the_marts(self, published):
        table = pq.read_table(published["marts"] / str(corpus.YEAR) / "report_figures.parquet")
        figures = {row["figure_key"]: row["value"] for row in table.to_pylist()}
        for key, value in published["scenario"].figures.items():
            assert figures[key] == Decimal(value), key

    def test_totals_row_mismatch_is_a_warning_with_both_numbers(self, published):
        [(row, message_zh, message_en)] = query(
            published["private"],
            "select row_number, message_zh, message_en from audit.warnings "
            "where warning_code = 'total_mismatch' and file_name = ?",
            [corpus.WELFARE_FILE],
        )
        assert row == corpus.WELFARE_TOTAL_ROW
        for text in (message_zh, message_en):
            assert "99999" in text and corpus.WELFARE_SUM_ABOVE_TOTAL in text

    def test_a_wrong_row_total_is_a_warning_that_does_not_block(self, published):
        [(file_name, row)] = query(
            published["private"],
            "select file_name, row_number from audit.warnings "
            "where warning_code = 'festival_row_total_mismatch'",
        )
        assert (file_name, row) == (corpus.FESTIVAL_FILE, 3)
        # the reconciliation festival.amount = Σ 合计 failed as a warning; the year was published
        assert published["result"].returncode == 0
        assert "check warning: festival_amount_equals_row_totals" in published["result"].stdout

    def test_quarantine_is_published_with_a_sheet_per_department_in_chinese(self, published):
        year_dir = published["marts"] / str(corpus.YEAR)
        assert pq.read_table(year_dir / "quarantine.parquet").num_rows == len(
            published["scenario"].quarantined
        )
        workbook = openpyxl.load_workbook(year_dir / "quarantine.xlsx", read_only=True)
        assert set(workbook.sheetnames) == {
            "目录",  # the contents: each sheet, the table it holds (audit.quarantine), its rows
            "文学院",
            "马克思主义学院",
            "美术学院",
            "外国语学院",
            "体育学院",
            "未归属部门",  # the roster row of an unknown department, the unknown county …
        }
        sheet = workbook["未归属部门"]
        header = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]
        for label in (
            "年度",
            "来源",
            "文件",
            "文件哈希",
            "工作表",
            "行号",
            "列",
            "原始值",
            "原因代码",
            "原因",
        ):
            assert label in header, header
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
        reasons = {r[header.index("原因代码")] for r in rows}
        assert reasons == {"unknown_department", "unknown_county", "date_outside_year"}
        departments = sheets_by_table(workbook)["audit.quarantine"]
        assert sorted(departments) == sorted(set(workbook.sheetnames) - {"目录"})
        total = sum(workbook[name].max_row - 2 for name in departments)
        assert total == len(published["scenario"].quarantined)

    def test_hostile_names_are_data(self, published):
        sheets = dict(
            query(
                published["private"],
                "select file_name, sheet_name from raw.sheets where status = 'read'",
            )
        )
        assert sheets[corpus.HOSTILE_FILE] == corpus.HOSTILE_SHEET
        assert sheets[corpus.DOTTED_FILE] == "csv"
        assert sheets[corpus.BIRTHDAY_FILE] == corpus.BIRTHDAY_SHEET
        # nothing was dropped: the roster is still there, in the build and the published warehouse
        assert query(published["private"], "select count(*) from raw.members") == [(6,)]
        published_files = {
            name
            for (name,) in query(published["warehouse"], "select file_name from audit.load_log")
        }
        assert {corpus.HOSTILE_FILE, corpus.DOTTED_FILE} <= published_files

    def test_data_docs_are_published(self, published):
        """One page per contract table, every expectation of its suite evaluated and met: the
        quarantined rows are not validated, so the clean rows meet the contract."""
        from pipelines.checks.expectations import suite_for

        docs = published["marts"] / str(corpus.YEAR) / "data-docs"
        assert (docs / "index.html").is_file()
        pages = {p.parts[-4]: validation_page(p) for p in (docs / "validations").rglob("*.html")}
        declared = {t.table: len(suite_for(t, corpus.YEAR)) for t in corpus_tables()}
        assert pages == {table: ("Succeeded", n, n, 0) for table, n in declared.items()}


def corpus_tables():
    from pipelines.contract import load_contract

    return load_contract().tables


@pytest.fixture(scope="module")
def blocked(published) -> dict:
    """Run 2: unreadable files added, one veteran paid another amount."""
    year_dir = published["marts"] / str(corpus.YEAR)
    before = {"marts": tree_hashes(year_dir), "warehouse": sha256(published["warehouse"])}
    scenario = published["scenario"]
    corpus.add_unreadable_files(scenario)
    corpus.break_veterans_standard(scenario)
    result = cli("run", scenario, published)
    return {"result": result, "before": before, "year_dir": year_dir}


class TestBlockedRerun:
    VETERANS = "veterans_amount_equals_people_times_standard"

    def test_the_run_fails_naming_the_blocking_checks(self, blocked):
        result = blocked["result"]
        assert result.returncode == 1, show(result)
        assert f"检查未通过 check failed: {self.VETERANS}" in result.stdout, show(result)
        assert "检查未通过 check failed: rejected_files_check" in result.stdout
        assert not any(m in result.stdout + result.stderr for m in TRACEBACK_MARKERS)
        # what failed comes first, before the tables
        out = result.stdout
        assert out.index("检查未通过 check failed") < out.index("rows per source"), show(result)
        assert out.index("个文件被拒收") < out.index("rows per source"), show(result)

    def test_every_rejected_file_is_listed_with_its_problem(self, blocked, published):
        out = blocked["result"].stdout
        rejected = published["scenario"].rejected
        assert f"{len(rejected)} 个文件被拒收" in out
        for name in rejected:
            assert f"文件 {name}：" in out, name
            assert f"file {name}: " in out, name
        assert "文件为空" in out and "the file is empty" in out
        assert "不是电子表格" in out and "not a spreadsheet" in out
        assert "文件已损坏" in out and "corrupt" in out
        assert "密码保护" in out and "password protected" in out
        assert "二进制" in out and "binary" in out
        assert "缺少必需的列：金额" in out and "lacks the required column(s) 金额" in out
        assert "找不到表头" in out and "no sheet has a header row" in out
        assert "未知的数据来源目录 杂项" in out and "unknown source folder 杂项" in out

    def test_each_file_is_rejected_with_its_code_and_the_rest_still_loads(self, published, blocked):
        rows = query(
            published["private"],
            "select file_name, file_status, error_code, rows_read, rows_clean, rows_duplicate, "
            "rows_quarantined from audit.load_log",
        )
        rejected = {name: code for name, status, code, *_ in rows if status == "rejected"}
        assert rejected == published["scenario"].rejected
        counts = {name: tuple(c) for name, _, _, *c in rows}
        assert counts == published["scenario"].load_log

    def test_the_last_good_publication_stays(self, blocked, published):
        assert tree_hashes(blocked["year_dir"]) == blocked["before"]["marts"]
        assert sha256(published["warehouse"]) == blocked["before"]["warehouse"]
        assert query(
            published["warehouse"],
            "select value from marts.report_figures where figure_key = 'welfare.veterans.amount'",
        ) == [(Decimal("900.00"),)]

    def test_the_build_shows_why(self, published, blocked):
        # the private build holds the new figure: 4 people, one at 500 where the standard is 300
        assert query(
            published["private"],
            "select value from marts.report_figures where figure_key in "
            "('welfare.veterans.people', 'welfare.veterans.amount') order by figure_key",
        ) == [(Decimal("1400.00"),), (Decimal("4.00"),)]


@pytest.fixture(scope="module")
def checked(published, blocked) -> dict:
    """Run 3: `unionwh check` on the folder of run 2."""
    return {"result": cli("check", published["scenario"], published)}


class TestCheckCommand:
    def test_check_prints_one_table_and_exits_non_zero(self, checked):
        result = checked["result"]
        assert result.returncode == 1, show(result)
        out = result.stdout
        for header in (
            "检查 check",
            "状态 status",
            "影响行数 rows affected",
            "查看位置 where to look",
        ):
            assert header in out
        lines = {
            line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") >= 4
        }
        assert "未通过 FAIL" in lines["rejected_files_check"]
        assert "8 个文件 files" in lines["rejected_files_check"]
        veterans = lines["veterans_amount_equals_people_times_standard"]
        assert "未通过 FAIL" in veterans and "marts.report_figures" in veterans
        assert [c.strip() for c in veterans.split("│")][3] == "1"  # one person paid otherwise
        assert "警告 warn" in lines["festival_amount_equals_row_totals"]
        assert "通过 pass" in lines["row_conservation_check"]
        assert "audit.load_log" in lines["row_conservation_check"]
        for table in ("welfare_payments", "members", "festival_payments"):
            assert "通过 pass" in lines[f"great_expectations: {table}"]
        assert "通过 pass" in lines["chengkou_amount_equals_its_purchases"]
        assert any(name.startswith("dbt 测试 tests") for name in lines)
        assert "Data Docs" in out
        assert "检查未通过 checks failed:" in out
        assert not any(m in out + result.stderr for m in TRACEBACK_MARKERS)

    def test_check_publishes_nothing(self, checked, blocked):
        assert checked["result"].returncode == 1
        assert tree_hashes(blocked["year_dir"]) == blocked["before"]["marts"]


# =============================================================================================
# Hostile files beside the shipped demo year, read by one reader process (a one-CPU machine)
# =============================================================================================

# `unionwh run` in a process whose children's peak resident memory it reports: the kernel's
# high-water mark of every process the run waited for (its reader processes included)
MEASURED_RUN = """
import json, resource, subprocess, sys
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""
PEAK_MEMORY_LIMIT_MB = 2048


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, demo_publication) -> dict:
    """The shipped 2023 files and the hostile corpus in one raw folder, run with
    UNIONWH_READ_WORKERS=1 over a copy of the demo year's publication."""
    import shutil
    import subprocess
    import sys

    base = tmp_path_factory.mktemp("hostile-year")
    raw = base / "raw"
    shutil.copytree(DEMO_YEAR, raw / "2023")
    expected = corpus.write_hostile_files(raw / "2023")
    warehouse = base / "warehouse" / "union.duckdb"
    warehouse.parent.mkdir(parents=True)
    shutil.copy2(demo_publication.warehouse, warehouse)
    shutil.copytree(demo_publication.marts / "2023", base / "marts" / "2023")
    before = {"marts": tree_hashes(base / "marts" / "2023"), "warehouse": sha256(warehouse)}
    unionwh = Path(sys.executable).with_name("unionwh")
    command = [str(unionwh), "run", "--year", "2023", "--raw-dir", str(raw),
               "--warehouse", str(warehouse), "--marts-dir", str(base / "marts")]  # fmt: skip
    measured = subprocess.run(
        [sys.executable, "-c", MEASURED_RUN, *command],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **WIDE, "UNIONWH_READ_WORKERS": "1"},
    )
    assert measured.returncode == 0, measured.stderr[-3000:]
    return {
        **json.loads(measured.stdout),
        "expected": expected,
        "before": before,
        "base": base,
        "warehouse": warehouse,
        "private": base / "warehouse" / "private" / "2023.duckdb",
        "published_warehouse": demo_publication.warehouse,
    }


class TestHostileFilesBesideTheDemoYear:
    def test_the_run_fails_without_a_traceback_or_a_library_text(self, hostile_run):
        out = hostile_run["stdout"] + hostile_run["stderr"]
        assert hostile_run["returncode"] == 1, out[-5000:]
        for noise in (
            *TRACEBACK_MARKERS,
            "stack backtrace",
            "memory allocation of",
            "panicked at",
            "Context:",
        ):
            assert noise not in out, noise

    def test_every_bad_file_is_named_with_its_problem(self, hostile_run):
        out = hostile_run["stdout"]
        bad = {name: e for name, e in hostile_run["expected"].items() if e.code is not None}
        assert f"{len(bad)} 个文件被拒收" in out
        for name, e in bad.items():
            assert f"文件 {name}：" in out and f"file {name}: " in out, name
            for word in (*e.zh, *e.en):
                assert word in out, (name, word)
        rejected = dict(
            query(
                hostile_run["private"],
                "select file_name, error_code from audit.load_log where file_status = 'rejected'",
            )
        )
        assert rejected == {name: e.code for name, e in bad.items()}

    def test_every_good_file_lands_as_in_the_shipped_year(self, hostile_run):
        shipped = dict(
            query(
                hostile_run["published_warehouse"],
                "select source, sum(rows_read) from audit.load_log where year = 2023 group by all",
            )
        )
        extra: dict[str, int] = {}
        for name, e in hostile_run["expected"].items():
            if e.code is None:
                extra[name.split("/")[0]] = extra.get(name.split("/")[0], 0) + e.rows
        landed = dict(
            query(
                hostile_run["private"],
                "select source, sum(rows_read) from audit.load_log where file_status = 'loaded' group by all",
            )
        )
        assert len(landed) == 10
        assert landed == {s: n + extra.get(s, 0) for s, n in shipped.items()}
        loaded = {
            n
            for (n,) in query(
                hostile_run["private"],
                "select file_name from audit.load_log where file_status = 'loaded'",
            )
        }
        shipped_files = {
            p.relative_to(DEMO_YEAR).as_posix() for p in DEMO_YEAR.rglob("*") if p.is_file()
        }
        good = {name for name, e in hostile_run["expected"].items() if e.code is None}
        assert loaded == shipped_files | good

    def test_no_process_of_the_run_reaches_2_gb(self, hostile_run):
        assert hostile_run["peak_rss_mb"] < PEAK_MEMORY_LIMIT_MB, hostile_run["peak_rss_mb"]

    def test_the_previous_publication_stays(self, hostile_run):
        assert tree_hashes(hostile_run["base"] / "marts" / "2023") == hostile_run["before"]["marts"]
        assert sha256(hostile_run["warehouse"]) == hostile_run["before"]["warehouse"]
