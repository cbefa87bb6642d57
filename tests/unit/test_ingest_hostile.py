"""Hostile files. Sizes: a sheet that declares or touches row 1,048,576 but holds 30 rows loads in the
memory of a small sheet, with the row numbers Excel shows; peak memory is measured in a fresh process
(resource.getrusage), so the numbers are the reader's own. Kinds: fuzzed, truncated and looping .xls,
renamed .ods/.xlsb, UTF-16 text, Excel 95, malformed and CR-only CSVs (the corpus of
tests/e2e/bad_input_corpus.py), each read in the reader processes as a run reads it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from pipelines.contract import load_contract
from pipelines.ingest import readers
from pipelines.ingest.files import read_file
from pipelines.ingest.sparse import compact_sheet
from tests.e2e.bad_input_corpus import hostile_names, write_hostile_files

CONTRACT = load_contract()
HEADER = ["序号", "发放日期", "工号", "姓名", "慰问类别", "金额", "所属年度"]
LAST_ROW = 1_048_576
# the reader of a sparse sheet may use a little more than for the small one, never a dense grid
MEMORY_SLACK_MB = 40


def thirty_rows(path: Path, stray: tuple[int, int, str] | None = None) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("明细")
    sheet.write_row(0, 0, HEADER)
    for i in range(30):
        sheet.write_row(
            i + 1, 0, [i + 1, "2023-06-15", f"GH{i:04d}", "张三", "新年慰问", 800, 2023]
        )
    if stray:
        sheet.write(*stray)
    workbook.close()
    return path


def declare_dimension(source: Path, target: Path, ref: str = "A1:Z1048576") -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), data
                )
            zout.writestr(item, data)
    return target


MEASURE = textwrap.dedent(
    """
    import datetime as dt, json, resource, sys
    from pathlib import Path
    from pipelines.contract import load_contract
    from pipelines.ingest.files import read_file
    tables = load_contract().tables_of("welfare")
    path = Path(sys.argv[1])
    read = read_file(path, "welfare/" + path.name, "welfare", tables)
    rows = [r for f in read.rows.get("welfare_payments", []) for r in f.iter_rows(named=True)]
    print(json.dumps({
        "status": read.status,
        "rows": len(rows),
        "row_numbers": [r["_row_number"] for r in rows],
        "errors": [r["_error_code"] for r in rows],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
    """
)


def measure(path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict[str, dict]:
    base = tmp_path_factory.mktemp("hostile")
    small = thirty_rows(base / "small.xlsx")
    files = {
        "small": small,
        "dimension": declare_dimension(small, base / "dimension.xlsx"),
        "cell_in_table": thirty_rows(base / "a.xlsx", (LAST_ROW - 1, 0, "x")),
        "cell_far_right": thirty_rows(base / "xfd.xlsx", (LAST_ROW - 1, 16_383, "x")),
    }
    return {name: measure(path) for name, path in files.items()}


def test_declared_million_rows_loads_like_a_small_sheet(measured):
    small, dimension = measured["small"], measured["dimension"]
    assert (dimension["status"], dimension["rows"]) == ("loaded", 30)
    assert dimension["row_numbers"] == small["row_numbers"] == list(range(2, 32))
    assert dimension["peak_rss_mb"] < small["peak_rss_mb"] + MEMORY_SLACK_MB


def test_a_value_at_row_1048576_is_a_row_with_its_own_number_in_small_memory(measured):
    got = measured["cell_in_table"]
    assert got["rows"] == 31
    assert got["row_numbers"][-2:] == [31, LAST_ROW]
    assert got["errors"][-1] == "missing_value"  # a row with one stray value: quarantined, not lost
    assert got["peak_rss_mb"] < measured["small"]["peak_rss_mb"] + MEMORY_SLACK_MB


def test_a_value_at_xfd1048576_does_not_allocate_a_dense_grid(measured):
    # calamine alone would allocate 1,048,576 × 16,384 cells (and abort the process)
    got = measured["cell_far_right"]
    assert (got["status"], got["rows"]) == ("loaded", 30)
    assert got["peak_rss_mb"] < measured["small"]["peak_rss_mb"] + MEMORY_SLACK_MB


def read(path: Path):
    return read_file(
        path,
        f"welfare/{path.name}",
        "welfare",
        CONTRACT.tables_of("welfare"),
    )


def test_formula_without_value_in_a_compacted_sheet_keeps_its_row(tmp_path):
    path = tmp_path / "f.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "明细"
    sheet.append(HEADER)
    sheet.append([1, "2023-06-15", "GH0001", "张三", "新年慰问", 800, 2023])
    sheet.cell(row=500_000, column=1, value=2)
    for column, value in enumerate(["2023-06-16", "GH0002", "李四", "新年慰问", "=F2*2", 2023], 2):
        sheet.cell(row=500_000, column=column, value=value)
    sheet.cell(row=LAST_ROW, column=9, value="end")
    workbook.save(path)
    result = read(path)
    rows = [r for f in result.rows["welfare_payments"] for r in f.iter_rows(named=True)]
    assert [(r["_row_number"], r["_error_code"], r["_error_column"]) for r in rows] == [
        (2, None, None),
        (500_000, "formula_without_value", "金额"),
    ]


def test_a_header_beyond_row_30_is_not_found_in_a_compacted_sheet(tmp_path):
    path = tmp_path / "late.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("明细")
    sheet.write(0, 0, "说明")
    sheet.write_row(100_000, 0, HEADER)
    sheet.write_row(100_001, 0, [1, "2023-06-15", "GH0001", "张三", "新年慰问", 800, 2023])
    workbook.close()
    result = read(path)
    assert (result.status, result.error_code) == ("rejected", "no_header_found")


def test_compaction_keeps_every_value_and_short_gaps():
    xml = (
        b'<worksheet><dimension ref="A1:XFD1048576"/><sheetData>'
        b'<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>2</v></c></row>'
        b'<row r="3"><c r="B3"><v>5</v></c></row>'
        b'<row r="900" s="1" customFormat="1"/>'
        b'<row r="70000"><c r="A70000" t="inlineStr"><is><t>x</t></is></c>'
        b'<c r="XFD70000"><v>9</v></c></row>'
        b"</sheetData></worksheet>"
    )
    compacted = compact_sheet(xml)
    assert b"dimension" not in compacted.xml
    refs = re.findall(rb'<c r="([A-Z]+\d+)"', compacted.xml)
    # rows 1 and 3 keep their gap; 70000 comes after one empty row; XFD after one empty column
    assert refs == [b"A1", b"C1", b"B3", b"A5", b"E5"]
    assert compacted.row_numbers == [1, 2, 3, 4, 70000]
    assert b"<v>9</v>" in compacted.xml and b"<t>x</t>" in compacted.xml


# ---------------------------------------------------------------------------------------------
# Hostile files (tests/e2e/bad_input_corpus.py write_hostile_files): each class of file gets its
# own message, one line in Chinese and one in English, naming the file; the good ones load.
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_reads(tmp_path_factory):
    """The corpus read as a run reads it: every source submitted at once to the reader processes."""
    year_dir = tmp_path_factory.mktemp("hostile-corpus") / "2023"
    expected = write_hostile_files(year_dir)
    try:
        reads = {
            f.file_name: f
            for source in CONTRACT.sources
            for f in readers.take_source("hostile", year_dir, source, CONTRACT)
        }
    finally:
        readers.shutdown_pool()
        readers._runs.clear()
    return expected, reads


def test_every_hostile_file_is_read_or_rejected_alone(hostile_reads):
    expected, reads = hostile_reads
    assert set(reads) == set(expected)
    assert {name: reads[name].error_code for name in expected} == {
        name: e.code for name, e in expected.items()
    }


@pytest.mark.parametrize("name", sorted(hostile_names()))
def test_each_hostile_file_gets_its_message(hostile_reads, name):
    expected, reads = hostile_reads
    got, want = reads[name], expected[name]
    if want.code is None:
        rows = sum(frame.height for frames in got.rows.values() for frame in frames)
        assert (got.status, rows) == ("loaded", want.rows), got.outcome
        return
    assert got.status == "rejected"
    zh, en = got.message_zh, got.message_en
    assert zh.startswith(f"文件 {name}：") and en.startswith(f"file {name}: "), (zh, en)
    for text in (zh, en):
        assert "\n" not in text and "Context" not in text and "/tmp/" not in text, text
        assert "stack backtrace" not in text
    assert re.search(r"[\u4e00-\u9fff]", zh.split("：", 1)[1])  # Chinese beyond the file's name
    for word in want.zh:
        assert word in zh, (word, zh)
    for word in want.en:
        assert word in en, (word, en)


def test_old_mac_and_unicode_text_csvs_give_the_same_rows_as_a_plain_csv(hostile_reads):
    _, reads = hostile_reads

    def rows(name):
        frames = reads[name].rows["welfare_payments"]
        return [
            (r["staff_id"], r["amount"], r["_row_number"], r["_error_code"])
            for f in frames
            for r in f.iter_rows(named=True)
        ]

    old_mac = rows("welfare/旧版Mac.csv")
    assert old_mac == rows("welfare/Unicode文本.csv")
    assert [(staff, str(amount), row) for staff, amount, row, _ in old_mac] == [
        ("GH000001", "800.00", 2),
        ("GH000002", "800.00", 3),
    ]
    [(staff, amount, row, error)] = rows("welfare/备注带引号.csv")
    assert (staff, str(amount), row, error) == ("GH000001", "800.00", 2, None)
