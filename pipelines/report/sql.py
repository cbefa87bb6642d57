"""`unionwh sql`: one read-only query against the published warehouse.

Three locks: the statement must be a single query (SELECT, WITH, DESCRIBE, SHOW, PRAGMA, EXPLAIN,
and DuckDB's FROM-first, SUMMARIZE and VALUES forms of SELECT), as DuckDB's own parser classifies
it; the file is opened with `read_only=True`; and external access is off, so a query can read no
other file and write none (no COPY, ATTACH, read_csv or INSTALL).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.errors import UnionWarehouseError
from pipelines.report.data import connect_read_only

ALLOWED_FIRST_WORDS = {
    "select",
    "with",
    "describe",
    "show",
    "pragma",
    "explain",
    "from",
    "summarize",
    "values",
    "(",
}
ALLOWED_TYPES = {"SELECT", "PRAGMA", "EXPLAIN"}
_COMMENTS = re.compile(r"(--[^\n]*)|(/\*.*?\*/)", re.S)


class QueryRefused(UnionWarehouseError):
    pass


@dataclass
class QueryResult:
    columns: list[str]
    types: list[str]
    rows: list[tuple]


def first_word(sql: str) -> str:
    text = _COMMENTS.sub(" ", sql).strip().lower()
    if text.startswith("("):
        return "("
    match = re.match(r"[a-z_]+", text)
    return match.group(0) if match else ""


def check_read_only(sql: str) -> None:
    """Refuse anything but one read-only statement, with a reason in Chinese and English."""
    word = first_word(sql)
    if not word:
        raise QueryRefused("查询为空", "empty query")
    if word not in ALLOWED_FIRST_WORDS:
        raise QueryRefused(
            f"只允许只读查询（SELECT/WITH/DESCRIBE/SHOW/PRAGMA/EXPLAIN），不允许 {word.upper()}",
            f"only read-only queries (SELECT/WITH/DESCRIBE/SHOW/PRAGMA/EXPLAIN) are allowed, not {word.upper()}",
        )
    try:
        statements = duckdb.connect(":memory:").extract_statements(sql)
    except duckdb.Error as error:
        raise QueryRefused(f"SQL 语法错误：{error}", f"SQL syntax error: {error}") from error
    if len(statements) != 1:
        raise QueryRefused(
            f"一次只能执行一条语句（收到 {len(statements)} 条）",
            f"one statement at a time (got {len(statements)})",
        )
    kind = statements[0].type.name
    if kind not in ALLOWED_TYPES:
        raise QueryRefused(f"不允许的语句类型 {kind}", f"statement type {kind} is not allowed")


def run_query(warehouse: Path, sql: str) -> QueryResult:
    check_read_only(sql)
    with connect_read_only(Path(warehouse)) as con:
        try:
            cursor = con.execute(sql)
        except duckdb.Error as error:
            raise QueryRefused(f"查询失败：{error}", f"query failed: {error}") from error
        columns = [d[0] for d in cursor.description] if cursor.description else []
        types = [str(d[1]) for d in cursor.description] if cursor.description else []
        rows = cursor.fetchall() if columns else []
    return QueryResult(columns, types, rows)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(cell_text(v) for v in value)
    return str(value)


def write_csv(result: QueryResult, path: Path) -> None:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(result.columns)
        for row in result.rows:
            writer.writerow([cell_text(v) for v in row])


def write_xlsx(result: QueryResult, path: Path) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": dt.datetime(2000, 1, 1), "author": "union-warehouse"})
    sheet = workbook.add_worksheet("query")
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
    for col, name in enumerate(result.columns):
        sheet.write(0, col, name, bold)
    for r, row in enumerate(result.rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, int | float | Decimal):
                sheet.write_number(r, c, float(value))
            else:
                sheet.write_string(r, c, cell_text(value))
    sheet.freeze_panes(1, 0)
    workbook.close()
