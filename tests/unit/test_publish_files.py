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
