"""The sheet that holds a table in marts.xlsx or quarantine.xlsx, by the workbook's contents sheet
(目录): sheets are named in Chinese for the office, the table's name is in the contents."""

from __future__ import annotations

from pipelines.publish.workbook import CONTENTS_SHEET


def sheets_by_table(workbook) -> dict[str, list[str]]:
    """`marts.members` -> the names of the sheets holding it (an openpyxl workbook)."""
    sheets: dict[str, list[str]] = {}
    rows = workbook[CONTENTS_SHEET].iter_rows(min_row=3, max_col=2, values_only=True)
    for sheet, table in rows:
        sheets.setdefault(table, []).append(sheet)
    return sheets


def sheet_of(workbook, table: str):
    """The one sheet holding `table` (`marts.report_figures`)."""
    [name] = sheets_by_table(workbook)[table]
    return workbook[name]
