"""The report's figures worked out again from a year's raw files without the pipeline: the files are
read back by openpyxl and the csv module (bench/baseline.py's readers, not the pipeline's calamine
reader), the messy cells parsed by the baseline's own parsers, and no dbt.

The welfare amounts and people, the festival and birthday amounts are the baseline's (`compute`:
duplicates, conflicts, the roster, departments and the fiscal year, as an analyst applies them with
pandas). The counts and amounts of the small sources (alleviation, proposals, publicity, activities,
meetings) are counted here, a few lines each: all 35 figures.

The published values to compare with are docs/report-figures.md's table (the union's summary), not
the generator's `TARGETS_2023`.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import ModuleType

from tests.conftest import PROJECT_ROOT

COUNTIES = {"城口": "chengkou", "城口县": "chengkou", "昌宁": "changning", "昌宁县": "changning"}
MEETINGS = {
    "工会委员会": "union_committee",
    "教代会执委会": "congress_executive",
    "提案工作委员会": "proposal_committee",
}
CHANNELS = {
    "微信公众号": "publicity.wechat.posts",
    "上级工会报送": "publicity.upper_union.reports",
    "工会快讯": "publicity.news_flash.posts",
    "基层动态": "publicity.grassroots.posts",
    "社团风采": "publicity.clubs.posts",
    "通知公告": "publicity.notices.posts",
}


@cache
def baseline() -> ModuleType:
    """bench/baseline.py (a script, not a package module), loaded by its path."""
    spec = importlib.util.spec_from_file_location(
        "baseline", PROJECT_ROOT / "bench" / "baseline.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _keys(row: tuple) -> set[str]:
    return {baseline().header_key(cell) for cell in row}


def records(sheets: list[tuple[str, str, list[tuple]]], needed: set[str]) -> list[dict]:
    """The rows under each sheet's header (the first row naming every `needed` column), as dicts
    of header -> cell, with the header's unit (`金额(万元)`) under `unit:<header>`."""
    b = baseline()
    out = []
    for file_name, _sheet, rows in sheets:
        header = next((n for n, row in enumerate(rows) if needed <= _keys(row)), None)
        if header is None:  # notes, pivot summaries
            continue
        keys = [b.header_key(cell) for cell in rows[header]]
        units = {
            f"unit:{key}": b.header_unit(cell) for key, cell in zip(keys, rows[header], strict=True)
        }
        for row in rows[header + 1 :]:
            out.append({"file": file_name, **units, **dict(zip(keys, row, strict=False))})
    return out


def _alleviation(sheets) -> dict[str, Decimal]:
    b = baseline()
    bought = Counter()
    for row in records(sheets, {"帮扶县", "产品", "金额"}):
        county = COUNTIES.get(b.compact(row["帮扶县"]))
        if county is None:  # footers, notes, and 巫溪县 (neither county)
            continue
        value = b.amount(row["金额"], row["unit:金额"])
        bought[county] += value
        if county == "chengkou" and "跑山鸡" in (b.text(row["产品"]) or ""):
            bought["chengkou.chicken"] += value
    targets = {
        COUNTIES[b.compact(row["帮扶县"])]: b.amount(row["任务金额"], row["unit:任务金额"])
        for row in records(sheets, {"帮扶县", "任务金额"})
        if b.compact(row["帮扶县"]) in COUNTIES
    }
    return {
        "alleviation.chengkou.amount": bought["chengkou"],
        "alleviation.chengkou.chicken.amount": bought["chengkou.chicken"],
        "alleviation.changning.amount": bought["changning"],
        "alleviation.changning.over_target": bought["changning"] - targets["changning"],
    }


def _proposals(sheets) -> dict[str, Decimal]:
    b = baseline()
    latest = max(file_name for file_name, _, _ in sheets)  # 提案_<yyyymmdd>.xlsx
    accepted = {
        (b.compact(row["会议"]), b.compact(row["提案编号"]))
        for row in records([s for s in sheets if s[0] == latest], {"提案编号", "会议", "是否立案"})
        if b.compact(row["是否立案"]) in ("是", "立案")
    }
    meetings = Counter(meeting for meeting, _ in accepted)
    return {
        "proposals.congress.accepted": Decimal(meetings["教代会"]),
        "proposals.union.accepted": Decimal(meetings["工代会"]),
    }


def _publicity(sheets, year: int) -> dict[str, Decimal]:
    b = baseline()
    posts = set()
    for row in records(sheets, {"发布日期", "渠道", "标题"}):
        channel = CHANNELS.get(b.compact(row["渠道"]))
        if channel is None:
            continue
        posts.add((channel, b.compact(row["标题"]), b.day(row["发布日期"])))
    per_channel = Counter(channel for channel, _, day in posts if day.year == year)
    return {key: Decimal(per_channel[key]) for key in CHANNELS.values()}


def _activities(sheets, year: int) -> dict[str, Decimal]:
    b = baseline()
    purchases = {
        (b.compact(row["活动名称"]), b.day(row["活动日期"]))
        for row in records(sheets, {"活动名称", "活动类别", "活动日期"})
        if b.compact(row["活动类别"]) == "团购"
    }
    return {
        "activities.group_purchase.count": Decimal(
            sum(1 for _, day in purchases if day.year == year)
        )
    }


def _meetings(sheets, year: int) -> dict[str, Decimal]:
    b = baseline()
    held = [
        row
        for row in records(sheets, {"会议日期", "会议类型", "审议文件数"})
        if b.compact(row["会议类型"]) is not None and b.day(row["会议日期"]).year == year
    ]
    kinds = Counter(MEETINGS.get(b.compact(row["会议类型"])) for row in held)
    figures = {f"meetings.{kind}.count": Decimal(kinds[kind]) for kind in MEETINGS.values()}
    figures["meetings.documents_reviewed"] = sum(
        (Decimal(b.compact(row["审议文件数"]) or 0) for row in held), Decimal(0)
    )
    return figures


def figures_read_back(raw_dir: Path, year: int) -> dict[str, Decimal]:
    """The 35 figures of `year`, from raw_dir/<year>/ read by openpyxl and csv."""
    b = baseline()
    raw = b.read_everything(raw_dir / str(year))
    figures = {key: Decimal(value) for key, value in b.compute(raw, year).items()}
    figures |= _alleviation(raw["alleviation"])
    figures |= _proposals(raw["proposals"])
    figures |= _publicity(raw["publicity"], year)
    figures |= _activities(raw["activities"], year)
    figures |= _meetings(raw["meetings"], year)
    return figures
