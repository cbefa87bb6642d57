"""Merged cells (docs/raw-contract.md): a vertical merge in the data fills every row it spans and
says so in the row's lineage; a merge across columns of a data row quarantines it; a header laid
over two rows by merges is one header. Every workbook is written by a real writer (openpyxl,
xlsxwriter, xlwt), and read through the whole reading path (`read_file`)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import xlsxwriter
import xlwt

from pipelines.contract import load_contract
from pipelines.ingest import land
from pipelines.ingest.files import read_file
from pipelines.ingest.merges import range_from_ref
from pipelines.ingest.sparse import compact_sheet

CONTRACT = load_contract()
HEADER = ["序号", "发放日期", "工号", "姓名", "部门", "慰问类别", "金额", "所属年度"]
DEPARTMENT, CATEGORY = 4, 5  # 0-based columns of 部门 and 慰问类别
PEOPLE = [
    ("GH0001", "张三", "文学院", "新年慰问", 800),
    ("GH0002", "李四", "文学院", "新年慰问", 800),
    ("GH0003", "王五", "文学院", "结婚慰问", 500),
    ("GH0004", "赵六", "药学院", "结婚慰问", 500),
]
HEADER_ROW, FIRST_DATA = 2, 3  # Excel rows (the title is on row 1)


def read(path: Path):
    result = read_file(path, f"welfare/{path.name}", "welfare", CONTRACT.tables_of("welfare"))
    assert result.status == "loaded", result.message_en
    return result


def rows_of(result) -> list[dict]:
    return [r for frame in result.rows["welfare_payments"] for r in frame.iter_rows(named=True)]


def _cells(person: tuple, number: int) -> list:
    staff, name, department, category, amount = person
    return [number, "2023-01-10", staff, name, department, category, amount, 2023]


def merged_roster(path: Path, *, first_data: int = FIRST_DATA, across: bool = False) -> Path:
    """A welfare sheet sorted by department and category, each run merged down (openpyxl):
    部门 文学院 over three rows, 慰问类别 新年慰问 over two and 结婚慰问 over two. With `across`,
    the last row's 姓名 and 部门 are one merged cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "1月"
    sheet.cell(1, 1, "西南大学工会2023年1月慰问发放明细表")
    sheet.merge_cells(start_row=1, end_row=1, start_column=1, end_column=len(HEADER))
    for column, name in enumerate(HEADER, 1):
        sheet.cell(HEADER_ROW, column, name)
    for offset, person in enumerate(PEOPLE):
        for column, value in enumerate(_cells(person, offset + 1), 1):
            sheet.cell(first_data + offset, column, value)
    for first, last, column in ((0, 2, DEPARTMENT), (0, 1, CATEGORY), (2, 3, CATEGORY)):
        sheet.merge_cells(
            start_row=first_data + first,
            end_row=first_data + last,
            start_column=column + 1,
            end_column=column + 1,
        )
    if across:
        last = first_data + len(PEOPLE) - 1
        sheet.merge_cells(start_row=last, end_row=last, start_column=4, end_column=5)
    book.save(path)
    return path


def test_the_merges_of_the_written_file_are_what_the_writer_merged(tmp_path):
    path = merged_roster(tmp_path / "m.xlsx")
    written = {str(r) for r in openpyxl.load_workbook(path)["1月"].merged_cells.ranges}
    assert written == {"A1:H1", "E3:E5", "F3:F4", "F5:F6"}


def test_a_vertical_merge_gives_its_value_to_every_row_it_spans(tmp_path):
    rows = rows_of(read(merged_roster(tmp_path / "m.xlsx")))
    assert [(r["_row_number"], r["department_name"], r["welfare_category"]) for r in rows] == [
        (3, "文学院", "new_year"),
        (4, "文学院", "new_year"),
        (5, "文学院", "wedding"),
        (6, "药学院", "wedding"),
    ]
    assert [r["_merged_from"] for r in rows] == [
        None,
        "部门←E3; 慰问类别←F3",
        "部门←E3",
        "慰问类别←F5",
    ]
    assert [r["_error_code"] for r in rows] == [None] * 4
    assert '"部门":"文学院"' in rows[2]["_raw_values"]  # the lineage shows the value it took


def test_a_merge_across_columns_of_a_data_row_is_quarantined(tmp_path):
    rows = rows_of(read(merged_roster(tmp_path / "m.xlsx", across=True)))
    assert [(r["_row_number"], r["_error_code"], r["_error_column"]) for r in rows] == [
        (3, None, None),
        (4, None, None),
        (5, None, None),
        (6, "merged_across_columns", "姓名"),
    ]


def test_without_merges_nothing_is_filled(tmp_path):
    path = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("1月")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, _cells(PEOPLE[0], 1))
    sheet.write_row(2, 0, [2, "2023-01-10", "GH0002", "李四", None, "新年慰问", 800, 2023])
    book.close()
    rows = rows_of(read(path))
    assert [(r["department_name"], r["_merged_from"]) for r in rows] == [
        ("文学院", None),
        (None, None),
    ]


def two_row_header(path: Path, *, names_merged_down: bool) -> Path:
    """Row 2: 序号 工号 姓名 部门 and the group label 慰问信息 over four columns; row 3 the names
    under it. With `names_merged_down` each of the first four names is merged over both rows
    (xlsxwriter), else they stand in row 2 with row 3 blank below them."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("明细")
    sheet.merge_range(0, 0, 0, 7, "西南大学工会2023年慰问发放明细表")
    for column, name in enumerate(["序号", "工号", "姓名", "部门"]):
        if names_merged_down:
            sheet.merge_range(1, column, 2, column, name)
        else:
            sheet.write_string(1, column, name)
    sheet.merge_range(1, 4, 1, 7, "慰问信息")
    sheet.write_row(2, 4, ["发放日期", "慰问类别", "金额（元）", "所属年度"])
    for offset, (staff, name, department, category, amount) in enumerate(PEOPLE):
        sheet.write_row(
            3 + offset, 0, [offset + 1, staff, name, department, "2023-01-10", category, amount]
        )
        sheet.write_number(3 + offset, 7, 2023)
    book.close()
    return path


def test_a_header_with_names_merged_down_over_two_rows_is_one_header(tmp_path):
    result = read(two_row_header(tmp_path / "h.xlsx", names_merged_down=True))
    assert result.sheets[0]["header_row"] == 3
    rows = rows_of(result)
    assert [(r["_row_number"], r["staff_id"], r["welfare_category"], r["amount"]) for r in rows][
        :2
    ] == [(4, "GH0001", "new_year", 800), (5, "GH0002", "new_year", 800)]
    assert len(rows) == 4
    assert {r["_error_code"] for r in rows} == {None}
    # each column's name is its lowest label: 工号 from row 2, 金额（元） from row 3
    assert '"工号":"GH0001"' in rows[0]["_raw_values"]
    assert '"金额（元）":"800"' in rows[0]["_raw_values"]


def test_a_group_label_above_the_names_is_one_header(tmp_path):
    result = read(two_row_header(tmp_path / "g.xlsx", names_merged_down=False))
    assert result.sheets[0]["header_row"] == 3
    rows = rows_of(result)
    assert [(r["staff_id"], r["department_name"], r["paid_on"].isoformat()) for r in rows] == [
        (staff, department, "2023-01-10") for staff, _, department, _, _ in PEOPLE
    ]
    assert {r["_error_code"] for r in rows} == {None}


def test_a_title_merged_over_the_header_width_stays_a_title(tmp_path):
    result = read(merged_roster(tmp_path / "t.xlsx"))
    assert result.sheets[0]["header_row"] == 2
    assert "西南大学" not in rows_of(result)[0]["_raw_values"]


def test_a_name_merged_across_two_columns_keeps_the_data_row_below_it(tmp_path):
    """金额 merged over two columns of a one-row header: the first data row is not a second header
    row (its cells under the other names hold values), and it lands."""
    path = tmp_path / "wide.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("1月")
    sheet.write_row(0, 0, HEADER[:6])
    sheet.merge_range(0, 6, 0, 7, "金额")
    sheet.write_string(0, 8, "所属年度")
    for offset, person in enumerate(PEOPLE):
        cells = _cells(person, offset + 1)
        sheet.write_row(1 + offset, 0, [*cells[:7], "元", cells[7]])
    book.close()
    result = read(path)
    assert result.sheets[0]["header_row"] == 1
    rows = rows_of(result)
    assert [(r["_row_number"], r["staff_id"], r["amount"]) for r in rows] == [
        (2 + i, staff, amount) for i, (staff, _, _, _, amount) in enumerate(PEOPLE)
    ]


def test_a_header_cell_merged_down_into_the_data_keeps_the_header_on_its_row(tmp_path):
    """部门 (E1) merged over E1:E3: the rows it covers are data (their cells under the other names
    hold values), not a second and third header row; they land, with 部门 blank as read."""
    path = tmp_path / "into-data.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "1月"
    for column, name in enumerate(HEADER, 1):
        sheet.cell(1, column, name)
    for offset, person in enumerate(PEOPLE):
        for column, value in enumerate(_cells(person, offset + 1), 1):
            sheet.cell(2 + offset, column, value)
    sheet.merge_cells("E1:E3")
    book.save(path)
    result = read(path)
    assert result.sheets[0]["header_row"] == 1
    rows = rows_of(result)
    assert [(r["_row_number"], r["staff_id"], r["department_name"]) for r in rows] == [
        (2, "GH0001", None),
        (3, "GH0002", None),
        (4, "GH0003", "文学院"),
        (5, "GH0004", "药学院"),
    ]
    assert {r["_merged_from"] for r in rows} == {None}


def test_a_vertical_merge_as_wide_as_its_merged_name_fills_the_rows_it_spans(tmp_path):
    """部门 merged over two columns of the header (the second unnamed), and each department
    merged over the same two columns down its rows: a vertical merge of one named column."""
    path = tmp_path / "wide-department.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("1月")
    sheet.write_row(0, 0, HEADER[:DEPARTMENT])
    sheet.merge_range(0, DEPARTMENT, 0, DEPARTMENT + 1, "部门")
    sheet.write_row(0, DEPARTMENT + 2, HEADER[DEPARTMENT + 1 :])
    for offset, person in enumerate(PEOPLE):
        cells = _cells(person, offset + 1)
        sheet.write_row(1 + offset, 0, cells[:DEPARTMENT])
        sheet.write_row(1 + offset, DEPARTMENT + 2, cells[DEPARTMENT + 1 :])
    sheet.merge_range(1, DEPARTMENT, 3, DEPARTMENT + 1, "文学院")
    sheet.merge_range(4, DEPARTMENT, 4, DEPARTMENT + 1, "药学院")
    book.close()
    rows = rows_of(read(path))
    assert [(r["_row_number"], r["department_name"], r["_merged_from"]) for r in rows] == [
        (2, "文学院", None),
        (3, "文学院", "部门←E2"),
        (4, "文学院", "部门←E2"),
        (5, "药学院", None),
    ]
    assert {r["_error_code"] for r in rows} == {None}


def test_merges_follow_the_rows_of_a_compacted_sheet():
    xml = (
        b'<worksheet><dimension ref="A1:C600000"/><sheetData>'
        b'<row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row r="2"><c r="A2"><v>2</v></c><c r="C2"><v>3</v></c></row>'
        b'<row r="500000"><c r="A500000"><v>4</v></c></row>'
        b'<row r="500001"><c r="A500001"><v>5</v></c></row>'
        b'</sheetData><mergeCells count="2"><mergeCell ref="C2:C4"/>'
        b'<mergeCell ref="A500000:A500003"/></mergeCells></worksheet>'
    )
    compacted = compact_sheet(xml)
    assert compacted.row_numbers == [1, 2, 3, 500_000, 500_001]
    moved = {
        (m.first_row, m.last_row, m.first_column, m.last_column, m.origin) for m in compacted.merged
    }
    # rows past the last one with a value collapse like any empty run (the grid ends at row 5)
    assert moved == {(2, 3, 2, 2, "C2"), (4, 6, 0, 0, "A500000")}
    assert b'<mergeCell ref="A4:A6"/>' in compacted.xml  # the copy calamine reads agrees


def test_a_vertical_merge_in_a_compacted_sheet_fills_the_rows_it_spans(tmp_path):
    """A stray cell at row 1,048,576 makes the sheet be compacted: the merge still lands on the
    right rows, and the lineage names the cell in the file as sent."""
    path = merged_roster(tmp_path / "sparse.xlsx", first_data=600_001)
    book = openpyxl.load_workbook(path)
    book["1月"].cell(1_048_576, 10, "end")
    book.save(path)
    rows = rows_of(read(path))
    assert [(r["_row_number"], r["department_name"], r["_merged_from"]) for r in rows[:4]] == [
        (600_001, "文学院", None),
        (600_002, "文学院", "部门←E600001; 慰问类别←F600001"),
        (600_003, "文学院", "部门←E600001"),
        (600_004, "药学院", "慰问类别←F600003"),
    ]


def merged_xls(path: Path, *, first_data: int = FIRST_DATA, stray: bool = False) -> Path:
    """The merged roster written by xlwt (write_merge: the MERGEDCELLS record), with a merge across
    姓名 and 部门 on the last row; `stray` puts a value at IV65536 (a renumbered sheet)."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("1月")
    sheet.write_merge(0, 0, 0, len(HEADER) - 1, "西南大学工会2023年1月慰问发放明细表")
    for column, name in enumerate(HEADER):
        sheet.write(HEADER_ROW - 1, column, name)
    merged = {(0, DEPARTMENT): 2, (0, CATEGORY): 1, (2, CATEGORY): 1, (3, 3): 0}
    covered = {
        (first + i, column) for (first, column), extra in merged.items() for i in range(extra + 1)
    } | {(3, 4)}
    for offset, person in enumerate(PEOPLE):
        row = first_data - 1 + offset
        for column, value in enumerate(_cells(person, offset + 1)):
            if (offset, column) in merged:
                end = (offset + merged[(offset, column)], column + (column == 3))
                sheet.write_merge(row, row + end[0] - offset, column, end[1], value)
            elif (offset, column) not in covered:
                sheet.write(row, column, value)
    if stray:
        sheet.write(65_535, 255, "end")
    book.save(str(path))
    return path


def test_xls_merges_fill_and_quarantine_as_xlsx_ones(tmp_path):
    rows = rows_of(read(merged_xls(tmp_path / "m.xls")))
    assert [
        (r["_row_number"], r["department_name"], r["_merged_from"], r["_error_code"]) for r in rows
    ] == [
        (3, "文学院", None, None),
        (4, "文学院", "部门←E3; 慰问类别←F3", None),
        (5, "文学院", "部门←E3", None),
        (6, None, "慰问类别←F5", "merged_across_columns"),
    ]


def test_xls_merges_follow_a_renumbered_sheet(tmp_path):
    rows = rows_of(read(merged_xls(tmp_path / "r.xls", first_data=40_001, stray=True)))
    assert [(r["_row_number"], r["department_name"], r["_merged_from"]) for r in rows[:3]] == [
        (40_001, "文学院", None),
        (40_002, "文学院", "部门←E40001; 慰问类别←F40001"),
        (40_003, "文学院", "部门←E40001"),
    ]


def test_a_reference_names_its_range():
    merged = range_from_ref("E12:E3")
    assert (merged.first_row, merged.last_row, merged.first_column, merged.origin) == (
        3,
        12,
        4,
        "E3",
    )
    assert range_from_ref("B2") is None
    assert range_from_ref("B2:B2") is None


def test_a_build_made_before_merges_were_read_gets_the_lineage_column(tmp_path):
    """A private build keeps its raw tables from run to run: one an earlier version made lacks
    _merged_from, and the landing adds it instead of failing on the first insert."""
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        con.execute("create schema raw")
        con.execute("create table raw.members (staff_id varchar, _row_number integer)")
        land.ensure_raw_schema(con, CONTRACT)
        columns = {
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'raw' and table_name = 'members'"
            ).fetchall()
        }
    assert {"_merged_from", "_raw_values", "staff_id"} <= columns
