"""The report's appendix on checks, for people: per table how many checks ran, passed, warned and
failed, the ones that failed or warned by name first, and where every check is listed one by one
(manifest.json and the Data Docs). report.html, report.pdf and report.docx say the same words.
"""

from __future__ import annotations

from pipelines.publish.labels import table_titles
from pipelines.report import data

WHERE_LISTED = (
    "每项检查的完整清单见同一目录的 manifest.json（checks 一项）和数据质量文档 Data Docs"
    "（data-docs/index.html）。The full list of checks, one by one, is in manifest.json (its "
    "checks) and the Data Docs (data-docs/index.html) beside this report."
)


def header(zh: str, en: str, numeric: bool = False) -> dict:
    """A table's column: Chinese, English, and whether it holds numbers (right-aligned)."""
    return {"zh": zh, "en": en, "cls": "num" if numeric else ""}


TALLY_HEADERS = [
    header("表", "table"),
    header("检查", "ran", True),
    header("通过", "passed", True),
    header("警告", "warned", True),
    header("未通过", "failed", True),
]
PROBLEM_HEADERS = [header("检查", "check"), header("表", "table"), header("结果", "result")]
ACCEPTED_HEADERS = [
    header("来源", "source"),
    header("隔离比例", "share quarantined", True),
    header("说明", "what the gate found"),
]


def tally_rows(tallies: list[data.CheckTally]) -> list[dict]:
    """Each table with its Chinese name where its dbt description gives one."""
    titles = table_titles(data.DBT_TARGET_DIR / "manifest.json")
    rows = []
    for tally in tallies:
        title = titles.get(tally.table.rsplit(".", 1)[-1])
        rows.append(
            {
                "table": tally.table,
                "label": title.zh if title else "",
                "cells": [tally.ran, tally.passed, tally.warned, tally.failed],
            }
        )
    return rows


def problem_rows(checks: list[data.Check]) -> list[dict]:
    return [
        {
            "name": check.name,
            "table": check.table or check.origin,
            "result": "未通过 failed" if check.outcome == data.FAIL else "警告 warned",
            "cls": "fail" if check.outcome == data.FAIL else "warn",
        }
        for check in data.failed_first(checks)
    ]


def sentence(tallies: list[data.CheckTally], origin: str) -> str:
    """The appendix's one line on the checks, Chinese with English beside."""
    ran, passed = sum(t.ran for t in tallies), sum(t.passed for t in tallies)
    warned, failed = sum(t.warned for t in tallies), sum(t.failed for t in tallies)
    return (
        f"{origin}：{len(tallies)} 个表共运行 {ran} 项检查，通过 {passed}，警告 {warned}，"
        f"未通过 {failed}。{ran} checks ran on {len(tallies)} tables: {passed} passed, "
        f"{warned} warned, {failed} failed."
    )


def accepted_rows(records: list[dict]) -> list[list[str]]:
    """The sources published by --accept-quarantine (the manifest's quarantine_accepted): source,
    share quarantined, what the gate found."""
    rows = []
    for record in records:
        share = record.get("quarantined_share")
        shown = "—" if share is None else f"{float(share) * 100:.1f}%"
        rows.append([record.get("source") or "", shown, record.get("message") or ""])
    return rows
