"""marts.xlsx cells: what each column type becomes in the clerk's workbook (read back with openpyxl)."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pyarrow as pa

from pipelines.publish.files import write_workbook


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
        "2023-01-02",
        True,
        "A01、B02",
    ]
    assert sheet["A3"].data_type == "s"  # text, not a formula
    assert rows[1][0] == "http://example.org/a" and sheet["A4"].hyperlink is None
    assert rows[1][1:] == [None, 2, None, False, None]  # an empty list is a blank cell
    assert rows[2] == [None, 0.01, None, None, None, None]  # empty text and nulls: blank
    assert rows[4] == ["工会", 100.0, 5, "2023-12-31", False, None]
    assert isinstance(rows[0][1], float) and isinstance(rows[0][2], int)


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
    sheet = openpyxl.load_workbook(out / "marts.xlsx")["members"]
    assert sheet["A1"].value == "year" and sheet["B2"].value == "staff_id"
    assert "5 rows" in sheet["A3"].value and "members.csv" in sheet["A3"].value
    assert sheet.max_row == 3
    assert openpyxl.load_workbook(out / "marts.xlsx")["summary"]["B3"].value == 5
