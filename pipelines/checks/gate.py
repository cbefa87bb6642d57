"""Blocking checks on the private build: what must hold before a year is published."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Finding:
    check: str
    message_zh: str
    message_en: str
    rows: int = 0


def rejected_files(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Files that could not be read: the year's figures would be incomplete."""
    rows = con.execute(
        "select file_name, message_zh, message_en from raw.files where status = 'rejected' order by file_name"
    ).fetchall()
    return [Finding("rejected_files", zh, en, 1) for _, zh, en in rows]


def row_conservation(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Per file: rows read = clean + duplicate + quarantined."""
    rows = con.execute(
        """
        select source, file_name, rows_read, rows_clean, rows_duplicate, rows_quarantined
        from audit.load_log
        where rows_read <> rows_clean + rows_duplicate + rows_quarantined
        order by source, file_name
        """
    ).fetchall()
    return [
        Finding(
            "row_conservation",
            f"{source}/{file_name}：读入 {read} 行 ≠ 有效 {clean} + 重复 {dup} + 隔离 {quar}",
            f"{file_name}: rows read {read} != clean {clean} + duplicate {dup} + quarantined {quar}",
            abs(read - clean - dup - quar),
        )
        for source, file_name, read, clean, dup, quar in rows
    ]
