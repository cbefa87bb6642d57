"""Blocking checks on the private build: what must hold before a year is published."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    check: str
    message_zh: str
    message_en: str
    rows: int = 0


def rejected_files(con: Any) -> list[Finding]:
    """Files that could not be read: the year's figures would be incomplete."""
    rows = con.execute(
        "select file_name, message_zh, message_en from raw.files where status = 'rejected' order by file_name"
    ).fetchall()
    return [Finding("rejected_files", zh, en, 1) for _, zh, en in rows]


def row_conservation(con: Any) -> list[Finding]:
    """Per source and file: the data rows the landing wrote (raw.sheets) = rows read by dbt
    (staging) = clean + duplicate + quarantined (the classification)."""
    rows = con.execute(
        """
        with landed as (
            select source, file_name, sum(data_rows) as rows_landed
            from raw.sheets
            where status = 'read'
            group by source, file_name
        )
        select
            coalesce(log.source, landed.source) as source,
            coalesce(log.file_name, landed.file_name) as file_name,
            coalesce(landed.rows_landed, 0) as rows_landed,
            coalesce(log.rows_read, 0) as rows_read,
            coalesce(log.rows_clean, 0) as rows_clean,
            coalesce(log.rows_duplicate, 0) as rows_duplicate,
            coalesce(log.rows_quarantined, 0) as rows_quarantined
        from audit.load_log as log
        full outer join landed
            on log.source = landed.source and log.file_name = landed.file_name
        where coalesce(log.rows_read, 0) <> coalesce(landed.rows_landed, 0)
            or coalesce(log.rows_read, 0) <> coalesce(log.rows_clean, 0)
                + coalesce(log.rows_duplicate, 0) + coalesce(log.rows_quarantined, 0)
        order by 1, 2
        """
    ).fetchall()
    return [
        Finding(
            "row_conservation",
            f"{file_name}（{source}）：入库 {landed} 行，读入 {read} 行，"
            f"有效 {clean} + 重复 {dup} + 隔离 {quar} = {clean + dup + quar} 行，不守恒",
            f"{file_name} ({source}): rows landed {landed}, read {read}; clean {clean} + duplicate "
            f"{dup} + quarantined {quar} = {clean + dup + quar}: rows not conserved",
            max(abs(read - clean - dup - quar), abs(read - landed)),
        )
        for source, file_name, landed, read, clean, dup, quar in rows
    ]
