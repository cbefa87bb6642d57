""".xls workbooks (Excel 97-2003), written for real by xlwt: the same data as an .xlsx gives the same
rows, lineage and quarantine; a formula without a cached value, a sparse sheet, an encrypted or a
renamed file are treated as their .xlsx counterparts are."""

from __future__ import annotations

import datetime as dt
import json
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import olefile
import pytest
import xlsxwriter
import xlwt

from pipelines.contract import load_contract
from pipelines.ingest.files import read_file
from pipelines.ingest.workbook import read_grids
from tests.xls_copy import write_cached_formula, xlsx_to_xls

CONTRACT = load_contract()
HEADER = ["序号", "发放日期", "工号", "姓名", "慰问类别", "金额（元）", "所属年度"]
LAST_ROW = 65_536  # an .xls sheet's last row (IV65536 is its last cell)
LINEAGE = ("_source", "_sheet_name", "_row_number", "_raw_values", "_error_code", "_error_column")


def read(path: Path, source: str = "welfare"):
    return read_file(path, f"{source}/{path.name}", source, CONTRACT.tables_of(source))


def rows_of(result, table: str = "welfare_payments") -> list[dict]:
    return [row for frame in result.rows.get(table, []) for row in frame.iter_rows(named=True)]


def office_workbook(path: Path) -> Path:
    """A welfare workbook as an office lays it out: a merged title, real dates, text amounts,
    a per-row formula with its cached value, a total row, a footer and a hidden sheet."""
    book = xlsxwriter.Workbook(str(path))
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("1月")
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, "西南大学工会2023年1月慰问发放明细表")
    sheet.write_row(2, 0, HEADER)
    people = [("GH0001", "张三", 800), ("GH0002", "李四", "1,200.00元"), ("GH0003", "王五", 600)]
    for i, (staff, name, amount) in enumerate(people):
        r = 3 + i
        sheet.write_number(r, 0, i + 1)
        sheet.write_datetime(r, 1, dt.datetime(2023, 1, 10 + i), date)
        sheet.write_row(r, 2, [staff, name, "新年慰问"])
        if isinstance(amount, int):
            sheet.write_formula(r, 5, f"=400*{amount // 400}", None, amount)
        else:
            sheet.write_string(r, 5, amount)
        sheet.write_string(r, 6, "2023")
    sheet.write_string(7, 0, "合计")
    sheet.write_formula(7, 5, "=SUM(F4:F6)", None, 2600)
    sheet.write_string(9, 0, "制表人：工会办公室")
    hidden = book.add_worksheet("Sheet4")
    hidden.write_row(0, 0, HEADER)
    hidden.write_row(1, 0, [1, "2023-01-01", "GH0009", "隐藏", "新年慰问", 1, 2023])
    hidden.hide()
    book.close()
    return path


def test_an_office_workbook_reads_the_same_from_xls_and_xlsx(tmp_path):
    xlsx = office_workbook(tmp_path / "慰问.xlsx")
    xls = xlsx_to_xls(xlsx, tmp_path / "慰问.xls")
    from_xlsx, from_xls = read(xlsx), read(xls)
    assert from_xls.status == from_xlsx.status == "loaded"
    strip = ("_file_name", "_file_sha256")
    got = [{k: v for k, v in r.items() if k not in strip} for r in rows_of(from_xls)]
    expected = [{k: v for k, v in r.items() if k not in strip} for r in rows_of(from_xlsx)]
    assert got == expected
    # the rows themselves, not only their agreement: real dates, cached formula values, lineage
    assert [(r["_row_number"], r["paid_on"], str(r["amount"])) for r in got] == [
        (4, dt.date(2023, 1, 10), "800.00"),
        (5, dt.date(2023, 1, 11), "1200.00"),
        (6, dt.date(2023, 1, 12), "600.00"),
    ]
    assert [s["status"] for s in from_xls.sheets] == [s["status"] for s in from_xlsx.sheets]
    assert {s["sheet_name"]: s["status"] for s in from_xls.sheets}["Sheet4"] == "skipped_hidden"
    assert from_xls.warnings == from_xlsx.warnings


def test_formula_without_cached_value_is_flagged_where_the_grid_has_it(tmp_path):
    """The data starts in column C behind a formatted blank in column A; xlwt writes a formula with
    an empty cached result, and a formula whose cached text is empty counts the same."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("明细")
    sheet.write(1, 0, None, xlwt.easyxf("pattern: pattern solid"))  # formatting only: no value
    for c, name in enumerate(HEADER):
        sheet.write(0, 2 + c, name)
    rows = [
        [1, "2023-06-15", "GH0001", "张三", "新年慰问", 800, "2023"],
        [2, "2023-06-15", "GH0002", "李四", "新年慰问", xlwt.Formula("H2*2"), "2023"],
        [3, "2023-06-16", "GH0003", "王五", "新年慰问", 600, "2023"],
        [4, "2023-06-16", "GH0004", "赵六", "新年慰问", xlwt.Formula('""'), "2023"],
    ]
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            sheet.write(r, 2 + c, value)
    write_cached_formula(sheet, 5, 2 + 5, "H2+100", 900)  # a cached value: read as its value
    for c, value in enumerate([5, "2023-06-17", "GH0005", "钱七", "新年慰问"]):
        sheet.write(5, 2 + c, value)
    sheet.write(5, 8, "2023")
    path = tmp_path / "f.xls"
    book.save(str(path))
    [grid] = read_grids(path, "welfare/f.xls")
    assert grid.formulas_without_value == {(3, 5), (5, 5)}  # Excel rows 3 and 5, grid column F
    got = [
        (r["_row_number"], r["_error_code"], r["_error_column"], r["amount"])
        for r in rows_of(read(path))
    ]
    assert [g[:3] for g in got] == [
        (2, None, None),
        (3, "formula_without_value", "金额"),
        (4, None, None),
        (5, "formula_without_value", "金额"),
        (6, None, None),
    ]
    assert str(got[4][3]) == "900.00"


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


def thirty_rows(path: Path, *stray: tuple[int, int, object]) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("明细")
    for c, name in enumerate(HEADER):
        sheet.write(0, c, name)
    for i in range(30):
        for c, value in enumerate([i + 1, "2023-06-15", f"GH{i:04d}", "张三", "新年慰问", 800]):
            sheet.write(i + 1, c, value)
        sheet.write(i + 1, 6, 2023)
    for r, c, value in stray:
        sheet.write(r, c, value)
    book.save(str(path))
    return path


def test_a_value_at_iv65536_does_not_allocate_a_dense_grid(tmp_path):
    """Calamine alone builds the 65,536 × 256 grid (about 1.6 GB) when it opens the workbook."""
    small = measure(thirty_rows(tmp_path / "small.xls"))
    far = measure(thirty_rows(tmp_path / "far.xls", (LAST_ROW - 1, 255, "x")))
    below = measure(thirty_rows(tmp_path / "below.xls", (LAST_ROW - 1, 0, "x")))
    assert small["row_numbers"] == far["row_numbers"] == list(range(2, 32))
    assert below["row_numbers"][-2:] == [31, LAST_ROW]  # the stray row keeps its own number
    assert below["errors"][-1] == "missing_value"  # quarantined, not lost
    for got in (far, below):
        assert got["status"] == "loaded"
        assert got["peak_rss_mb"] < small["peak_rss_mb"] + 40, got["peak_rss_mb"]


def test_formula_without_value_in_a_renumbered_sheet_keeps_its_row(tmp_path):
    path = thirty_rows(
        tmp_path / "f.xls",
        *[(40_000, c, v) for c, v in enumerate([31, "2023-06-16", "GH0031", "李四", "新年慰问"])],
        (40_000, 5, xlwt.Formula("F2*2")),
        (40_000, 6, 2023),
        (LAST_ROW - 1, 8, "end"),
    )
    rows = rows_of(read(path))
    assert [(r["_row_number"], r["_error_code"]) for r in rows[-2:]] == [
        (31, None),
        (40_001, "formula_without_value"),
    ]


def _rewrite_workbook_stream(path: Path, edit) -> None:
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        stream = bytearray(ole.openstream("Workbook").read())
        edit(stream)
        ole.write_stream("Workbook", bytes(stream))


def test_an_encrypted_xls_is_rejected_as_password_protected(tmp_path):
    path = thirty_rows(tmp_path / "加密.xls")

    def add_filepass(stream: bytearray) -> None:
        # Excel puts FILEPASS right after the globals' BOF; xlwt's next record has its size (2)
        bof_size = struct.unpack_from("<H", stream, 2)[0]
        at = 4 + bof_size
        assert struct.unpack_from("<H", stream, at + 2)[0] == 2
        struct.pack_into("<HHH", stream, at, 0x002F, 2, 0)

    _rewrite_workbook_stream(path, add_filepass)
    result = read(path)
    assert (result.status, result.error_code) == ("rejected", "password_protected")
    assert "密码" in result.message_zh and "password" in result.message_en


@pytest.mark.parametrize("content", ["xls", "xlsx"])
def test_a_renamed_workbook_is_read_as_what_it_is(tmp_path, content):
    xlsx = office_workbook(tmp_path / "source.xlsx")
    source = xlsx_to_xls(xlsx, tmp_path / "source.xls") if content == "xls" else xlsx
    renamed = tmp_path / ("慰问.xlsx" if content == "xls" else "慰问.xls")
    renamed.write_bytes(source.read_bytes())
    result = read(renamed)
    assert result.status == "loaded", result.message_en
    assert [r["_row_number"] for r in rows_of(result)] == [4, 5, 6]
