"""marts.xlsx cells: what each column type becomes in the clerk's workbook, how wide its columns are
and what its sheets are called (read back with openpyxl)."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pyarrow as pa

from pipelines.publish.workbook import SheetAbout, display_width, write_workbook


def _read_back(path):
    sheet = openpyxl.load_workbook(path)["marts_sample"]
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)], sheet


def test_cells_keep_their_types_and_text_stays_text(tmp_path):
    table = pa.table(
        {
            "title": pa.array(["=SUM(A1:A9)", "http://example.org/a", "", None, "工会"]),
            "amount": pa.array(
                [Decimal("12.50"), None, Decimal("0.01"), Decimal("-3"), Decimal("100")],
                pa.decimal128(12, 2),
            ),
            "members": pa.array([1, 2, None, 4, 5], pa.int64()),
            "paid_on": pa.array([dt.date(2023, 1, 2), None, None, None, dt.date(2023, 12, 31)]),
            "accepted": pa.array([True, False, None, True, False]),
            "codes": pa.array([["A01", "B02"], [], None, ["C03"], None], pa.list_(pa.string())),
        }
    )
    path = tmp_path / "marts.xlsx"
    write_workbook({"marts_sample": (table, {"title": "标题"})}, path)

    rows, sheet = _read_back(path)
    assert sheet["A1"].value == "标题" and sheet["A2"].value == "title"
    assert rows[0] == [
        "=SUM(A1:A9)",
        12.5,
        1,
        dt.datetime(2023, 1, 2),  # a date cell, shown as a date
        True,
        "A01、B02",
    ]
    assert sheet["A3"].data_type == "s"  # text, not a formula
    assert rows[1][0] == "http://example.org/a" and sheet["A4"].hyperlink is None
    assert rows[1][1:] == [None, 2, None, False, None]  # an empty list is a blank cell
    assert rows[2] == [None, 0.01, None, None, None, None]  # empty text and nulls: blank
    assert rows[4] == ["工会", 100.0, 5, dt.datetime(2023, 12, 31), False, None]
    assert isinstance(rows[0][1], float) and isinstance(rows[0][2], int)
    assert sheet["B3"].number_format == "#,##0.00" and sheet["D3"].number_format == "yyyy-mm-dd"


def test_a_table_beyond_the_sheet_limit_is_a_csv_and_its_sheet_says_so(tmp_path, monkeypatch):
    import csv

    import duckdb

    from pipelines.publish import publication

    monkeypatch.setattr(publication, "WORKBOOK_SHEET_ROWS", 3)
    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.members as select 2023 as year, 'S' || i as staff_id, "
            "['A', 'B'] as codes, 10.5::decimal(12, 2) as amount from range(5) t(i)"
        )
        con.execute("create table marts.summary as select 2023 as year, 5 as members")
    out = tmp_path / "2023"
    result = publication.write_year_outputs(build, out, 2023, tmp_path / "no-manifest.json")

    assert result.files["members.csv"] == 5 and "summary.csv" not in result.files
    assert result.files["marts.xlsx"] == 1  # the summary's row; the members are in the CSV
    raw = (out / "members.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["year", "staff_id", "codes", "amount"]
    assert rows[1] == ["2023", "S0", "A、B", "10.50"] and len(rows) == 6
    assert openpyxl.load_workbook(out / "marts.xlsx").sheetnames == ["目录", "members", "summary"]
    sheet = openpyxl.load_workbook(out / "marts.xlsx")["members"]
    assert sheet["A1"].value == "year" and sheet["B2"].value == "staff_id"
    assert "5 rows" in sheet["A3"].value and "members.csv" in sheet["A3"].value
    assert sheet.max_row == 3
    assert openpyxl.load_workbook(out / "marts.xlsx")["summary"]["B3"].value == 5


def test_amounts_rates_and_counts_are_formatted_as_the_office_reads_them(tmp_path):
    table = pa.table(
        {
            "figure_key": ["festival.amount", "proposals.congress.accepted"],
            "value": pa.array([Decimal("13612000.00"), Decimal("98.00")], pa.decimal128(18, 2)),
            "unit": ["元", "条"],
            "completion_rate": pa.array([Decimal("0.9583"), None], pa.decimal128(9, 4)),
            "median_days_to_reply": pa.array([Decimal("12.5"), None], pa.decimal128(9, 1)),
        }
    )
    path = tmp_path / "marts.xlsx"
    write_workbook({"marts_sample": (table, {})}, path)
    _, sheet = _read_back(path)
    assert [sheet["B3"].number_format, sheet["B4"].number_format] == ["#,##0.00", "#,##0"]
    assert sheet["B3"].value == 13612000.0  # still a number for the clerk's sums
    assert sheet["D3"].number_format == "0.00%" and sheet["E3"].number_format == "0.0"


def test_columns_fit_chinese_and_english_text_up_to_a_cap(tmp_path):
    section = "一（三） 信息发布展风采，宣传典型有力度"  # 20 characters, 39 digits wide
    table = pa.table(
        {
            "figure_key": ["alleviation.chengkou.chicken.amount", "x"],
            "section": [section, "二"],
            "amount": pa.array([Decimal("13612000.00"), None], pa.decimal128(18, 2)),
            "sources": ["a" * 64 + ";" + "b" * 64 + ";" + "c" * 64, None],
            "year": [2023, 2023],
        }
    )
    path = tmp_path / "marts.xlsx"
    write_workbook({"marts_sample": (table, {"section": "所属章节"})}, path)
    _, sheet = _read_back(path)
    width = {col: sheet.column_dimensions[col].width for col in "ABCDE"}
    assert display_width(section) == 39
    assert width["A"] >= len("alleviation.chengkou.chicken.amount") + 1
    assert width["B"] >= 39 + 1 and width["B"] < 39 + 6  # CJK counted twice, not more
    assert width["C"] >= len("13,612,000.00") + 1
    assert width["D"] <= 61 and sheet["D3"].alignment.wrap_text  # capped: the text wraps
    assert sheet.row_dimensions[3].height >= 4 * 15  # and its row is tall enough for it
    assert width["E"] < 10 and not sheet["B3"].alignment.wrap_text


def test_sheets_are_named_for_the_office_with_a_contents_sheet(tmp_path):
    figures = pa.table({"figure_key": ["a"], "value": [1]})
    quarantine = pa.table({"file_name": ["b.xlsx"]})
    path = tmp_path / "marts.xlsx"
    write_workbook(
        {"report_figures": (figures, {}), "quarantine": (quarantine, {})},
        path,
        about={
            "report_figures": SheetAbout(
                "年度工作总结数据", "marts.report_figures", "年度 / yearly"
            ),
            "quarantine": SheetAbout("隔离行[1]", "audit.quarantine"),
        },
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["目录", "年度工作总结数据", "隔离行_1_"]
    contents = [[c.value for c in row] for row in book["目录"].iter_rows(min_row=3)]
    assert contents == [
        ["年度工作总结数据", "marts.report_figures", 1, "年度 / yearly"],
        ["隔离行_1_", "audit.quarantine", 1, None],
    ]
    assert book["目录"]["A3"].hyperlink.location == "'年度工作总结数据'!A1"
    assert book["年度工作总结数据"]["A2"].value == "figure_key"
