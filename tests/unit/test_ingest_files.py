"""Contract rules on whole sheets and files: headers, titles, totals, footers, sheets, CSV encodings,
formulas, export dates and unreadable files. Files are written for real into tmp_path."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from pipelines.contract import load_contract
from pipelines.ingest.files import export_date_in_name, read_file
from pipelines.ingest.workbook import read_grids

CONTRACT = load_contract()


def write_xlsx(path: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        if name in hidden:
            sheet.hide()
    workbook.close()
    return path


def read(path: Path, source: str):
    return read_file(path, f"{source}/{path.name}", source, CONTRACT.tables_of(source))


def rows_of(read_result, table: str):
    frames = read_result.rows.get(table, [])
    return [row for frame in frames for row in frame.iter_rows(named=True)]


WELFARE_HEADER = ["序号", "发放日期", "工 号", "姓  名", "慰问类别", "金额（元）", "所属年度"]


def test_header_found_below_title_rows_and_row_numbers_kept(tmp_path):
    path = write_xlsx(
        tmp_path / "w.xlsx",
        {
            "明细": [
                ["西南大学工会2023年慰问发放明细表"],
                [],
                WELFARE_HEADER,
                [1, "2023-06-15", "GH0001", "张三", "新年慰问", "800", "2023"],
                [],
                [2, "2023-06-16", "GH0002", "李四", "新年慰问", "800元", "2023"],
            ]
        },
    )
    result = read(path, "welfare")
    assert result.status == "loaded"
    rows = rows_of(result, "welfare_payments")
    assert [r["_row_number"] for r in rows] == [4, 6]
    assert [r["amount"] for r in rows] == [Decimal("800.00")] * 2
    assert result.sheets[0]["header_row"] == 3


def test_totals_and_footer_rows_are_not_data_and_totals_are_checked(tmp_path):
    path = write_xlsx(
        tmp_path / "w.xlsx",
        {
            "明细": [
                WELFARE_HEADER,
                [1, "2023-06-15", "GH0001", "张三", "新年慰问", "800", "2023"],
                [2, "2023-06-15", "GH0002", "李四", "新年慰问", "800", "2023"],
                ["合 计", None, None, None, None, "1700", None],
                ["制表人：王五    审核人：赵六"],
                ["备注：以上为新年慰问"],
            ]
        },
    )
    result = read(path, "welfare")
    assert len(rows_of(result, "welfare_payments")) == 2
    [warning] = result.warnings
    assert warning["warning_code"] == "total_mismatch" and warning["row_number"] == 4
    assert "1700" in warning["message_zh"] and "1600" in warning["message_zh"]


def test_matching_totals_row_gives_no_warning(tmp_path):
    path = write_xlsx(
        tmp_path / "w.xlsx",
        {
            "明细": [
                WELFARE_HEADER,
                [1, "2023-06-15", "GH0001", "张三", "新年慰问", "0.08万", "2023"],
                ["总计", None, None, None, None, "800", None],
            ]
        },
    )
    assert read(path, "welfare").warnings == []


def test_aliases_and_wan_column(tmp_path):
    path = write_xlsx(
        tmp_path / "b.xlsx",
        {
            "Sheet1": [
                ["职工号", "姓名", "所在单位", "生日月份", "金额(万元)", "领取日期"],
                ["ＧＨ０００１", "张三", "马院", "3月", "0.025", "2023年3月"],
            ]
        },
    )
    [row] = rows_of(read(path, "birthday"), "birthday_vouchers")
    assert row["staff_id"] == "GH0001"
    assert row["department_name"] == "马院"
    assert row["birth_month"] == 3
    assert row["amount"] == Decimal("250.00")
    assert (row["received_on"], row["received_on_precision"]) == (dt.date(2023, 3, 1), "month")


def test_notes_pivot_and_hidden_sheets_are_skipped(tmp_path):
    path = write_xlsx(
        tmp_path / "w.xlsx",
        {
            "说明": [["本表说明：工号为职工号"], ["金额单位：元"]],
            "透视": [
                ["慰问类别", "金额"],
                ["新年慰问", 1600],
            ],  # two names in one row: not a header
            "隐藏": [WELFARE_HEADER, [1, "2023-06-15", "GH0009", "x", "新年慰问", "1", "2023"]],
            "明细": [
                WELFARE_HEADER,
                [1, "2023-06-15", "GH0001", "张三", "新年慰问", "800", "2023"],
            ],
        },
        hidden=("隐藏",),
    )
    result = read(path, "welfare")
    statuses = {s["sheet_name"]: s["status"] for s in result.sheets}
    assert statuses == {
        "说明": "skipped_no_header",
        "透视": "skipped_no_header",
        "隐藏": "skipped_hidden",
        "明细": "read",
    }
    assert [r["staff_id"] for r in rows_of(result, "welfare_payments")] == ["GH0001"]


def test_missing_required_column_rejects_the_file(tmp_path):
    path = write_xlsx(
        tmp_path / "w.xlsx",
        {
            "明细": [
                ["发放日期", "工号", "慰问类别", "所属年度"],  # no 金额
                ["2023-06-15", "GH0001", "新年慰问", "2023"],
            ]
        },
    )
    result = read(path, "welfare")
    assert result.status == "rejected"
    assert result.error_code == "missing_required_column"
    assert "金额" in result.message_zh and "明细" in result.message_zh
    assert result.rows == {}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_encodings(tmp_path, encoding):
    text = (
        "西南大学工会慰问明细\n"
        + ",".join(WELFARE_HEADER)
        + '\n1,2023/6/15,GH0001,张三,新年慰问,"1,200.00",2023年\n'
    )
    path = tmp_path / "w.csv"
    path.write_bytes(text.encode(encoding))
    [row] = rows_of(read(path, "welfare"), "welfare_payments")
    assert (row["staff_id"], row["amount"], row["fiscal_year"], row["_row_number"]) == (
        "GH0001",
        Decimal("1200.00"),
        2023,
        3,
    )
    assert row["recipient_name"] == "张三"


def test_a_csv_line_wider_than_the_first_lines_keeps_every_cell(tmp_path):
    """The grid's width is not taken from the first lines alone: a cell past it is not dropped."""
    lines = [",".join(WELFARE_HEADER)]
    lines += [f"{i},2023/6/15,GH{i:04d},张三,新年慰问,800,2023年" for i in range(1, 40)]
    lines.append("40,2023/6/15,GH0040,李四,新年慰问,800,2023年,补发")
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [grid] = read_grids(path, "welfare/wide.csv")
    assert grid.cells.width == len(WELFARE_HEADER) + 1
    assert grid.cells.row(-1)[-1] == "补发"
    assert grid.cells.height == 41


def test_formula_without_cached_value_is_flagged(tmp_path):
    path = tmp_path / "f.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "明细"
    sheet.append(WELFARE_HEADER)
    sheet.append([1, "2023-06-15", "GH0001", "张三", "新年慰问", 800, "2023"])
    sheet.append(
        [2, "2023-06-15", "GH0002", "李四", "新年慰问", "=F2*2", "2023"]
    )  # openpyxl stores no cached value
    workbook.save(path)
    rows = rows_of(read(path, "welfare"), "welfare_payments")
    assert [(r["_row_number"], r["_error_code"], r["_error_column"]) for r in rows] == [
        (2, None, None),
        (3, "formula_without_value", "金额"),
    ]


def test_formula_column_is_not_shifted_by_a_formatted_empty_cell_on_the_left(tmp_path):
    """Column A holds only formatting (a fill, no value): calamine's grid starts at column B, the
    sheet XML still lists A's cells. The formula in G must flag 金额, not the column beside it."""
    from openpyxl.styles import PatternFill

    path = tmp_path / "f.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "明细"
    rows = [
        WELFARE_HEADER,
        [1, "2023-06-15", "GH0001", "张三", "新年慰问", 800, "2023"],
        [2, "2023-06-15", "GH0002", "李四", "新年慰问", "=G2*2", "2023"],
    ]
    for r, row in enumerate(rows, start=1):
        sheet.cell(row=r, column=1).fill = PatternFill("solid", fgColor="FFFF00")
        for c, value in enumerate(row, start=2):
            sheet.cell(row=r, column=c, value=value)
    workbook.save(path)
    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="A3" s="1"' in sheet_xml  # the formatted empty cell is in the XML
    rows_read = rows_of(read(path, "welfare"), "welfare_payments")
    assert [(r["_row_number"], r["_error_code"], r["_error_column"]) for r in rows_read] == [
        (2, None, None),
        (3, "formula_without_value", "金额"),
    ]


def test_formula_with_cached_value_is_its_value(tmp_path):
    path = tmp_path / "f.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("明细")
    sheet.write_row(0, 0, WELFARE_HEADER)
    sheet.write_row(1, 0, [1, "2023-06-15", "GH0001", "张三", "新年慰问"])
    sheet.write_formula(1, 5, "=400*2", None, 800)
    sheet.write(1, 6, "2023")
    workbook.close()
    [row] = rows_of(read(path, "welfare"), "welfare_payments")
    assert (row["amount"], row["_error_code"]) == (Decimal("800.00"), None)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.xlsx", b"", "empty_file"),
        ("notes.txt", b"hello", "not_a_spreadsheet"),
        ("broken.xlsx", b"PK\x03\x04 this is not really a zip", "corrupt_file"),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "password_protected"),
        ("binary.csv", b"\x00\x01\x02\x03binary", "binary_csv"),
    ],
)
def test_unreadable_files_are_rejected_with_a_reason(tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    result = read(path, "welfare")
    assert (result.status, result.error_code) == ("rejected", code)
    assert name in result.file_name and result.message_zh and result.message_en


def test_no_header_anywhere_rejects_the_file(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"Sheet1": [["随便写点什么"], ["a", "b"]]})
    result = read(path, "welfare")
    assert (result.status, result.error_code) == ("rejected", "no_header_found")


def test_export_date_from_cell_wins_over_file_name(tmp_path):
    header = ["提案编号", "会议", "标题", "是否立案", "办理状态"]
    path = write_xlsx(
        tmp_path / "提案_20230531.xlsx",
        {
            "提案": [
                ["导出日期：2023-11-30"],
                header,
                ["JD2023001", "教代会", "食堂", "是", "办理中"],
            ]
        },
    )
    result = read(path, "proposals")
    assert result.export_date == dt.date(2023, 11, 30)
    assert rows_of(result, "proposals")[0]["_export_date"] == dt.date(2023, 11, 30)


def test_export_date_label_and_value_in_two_cells(tmp_path):
    header = ["提案编号", "会议", "标题", "是否立案", "办理状态"]
    path = write_xlsx(
        tmp_path / "export.xlsx",
        {
            "提案": [
                ["导出日期", "2023/9/30"],
                header,
                ["JD2023001", "教代会", "食堂", "立案", "已办结"],
            ]
        },
    )
    assert read(path, "proposals").export_date == dt.date(2023, 9, 30)


def test_export_date_from_file_name():
    assert export_date_in_name("proposals/提案_20231130.xlsx") == dt.date(2023, 11, 30)
    assert export_date_in_name("proposals/提案-2023-05-31.xlsx") == dt.date(2023, 5, 31)


PROPOSAL_ROWS = [
    ["提案编号", "会议", "标题", "是否立案", "办理状态"],
    ["JD1", "工代会", "t", "否", "未办理"],
]


def test_export_date_from_the_workbook_properties_in_china_time(tmp_path):
    """No cell, no date in the name: the workbook's created date, read in UTC+8 (a file made at
    07:00 in Chongqing on 30 November is stamped 23:00 UTC on the 29th)."""
    path = tmp_path / "提案.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": dt.datetime(2023, 11, 29, 23, 0, 0)})  # written as UTC
    sheet = workbook.add_worksheet("提案")
    for r, row in enumerate(PROPOSAL_ROWS):
        sheet.write_row(r, 0, row)
    workbook.close()
    result = read(path, "proposals")
    assert result.export_date == dt.date(2023, 11, 30)
    [warning] = result.warnings
    assert warning["warning_code"] == "export_date_from_properties"
    assert "2023-11-30" in warning["message_zh"] and "created" in warning["message_en"]


def test_an_export_without_any_date_is_rejected_the_same_on_every_day(tmp_path):
    """A CSV has no properties: with no date in a cell or the name it is rejected, never dated by
    the day of the run."""
    path = tmp_path / "提案.csv"
    path.write_text("\n".join(",".join(row) for row in PROPOSAL_ROWS), encoding="utf-8")
    result = read(path, "proposals")
    assert (result.status, result.error_code) == ("rejected", "export_date_missing")
    assert "提案.csv" in result.file_name and "文件名" in result.message_zh
    assert "file name" in result.message_en
    assert result.rows == {}


def test_hostile_sheet_name_is_data(tmp_path):
    name = "x'; DROP TABLE"
    path = write_xlsx(
        tmp_path / "x'; DROP TABLE members;--.xlsx",
        {name: [WELFARE_HEADER, [1, "2023-06-15", "GH0001", "张三", "新年慰问", "800", "2023"]]},
    )
    [row] = rows_of(read(path, "welfare"), "welfare_payments")
    assert row["_sheet_name"] == name and row["_file_name"].endswith("members;--.xlsx")


def test_personal_data_masked_in_raw_values(tmp_path):
    path = write_xlsx(
        tmp_path / "m.xlsx",
        {
            "名册": [
                ["工号", "姓名", "性别", "部门", "入会日期", "人员类别", "身份证号", "手机号"],
                [
                    "GH0001",
                    "张三",
                    "男",
                    "文学院",
                    "2010-09-01",
                    "在编",
                    "500101199001011234",
                    "13800138000",
                ],
            ]
        },
    )
    [row] = rows_of(read(path, "members"), "members")
    assert row["id_card_number"] == "500101199001011234"  # kept in the private build
    assert (
        "500101199001011234" not in row["_raw_values"] and "13800138000" not in row["_raw_values"]
    )


def test_lone_label_value_row_is_a_footer(tmp_path):
    path = write_xlsx(
        tmp_path / "w.xlsx",
        {
            "明细": [
                WELFARE_HEADER,
                [1, "2023-06-15", "GH0001", "张三", "新年慰问", "800", "2023"],
                ["记录人：王静"],
                [None, None, "填报日期：2023-12-01"],
            ]
        },
    )
    assert [r["_row_number"] for r in rows_of(read(path, "welfare"), "welfare_payments")] == [2]
