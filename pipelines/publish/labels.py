"""Chinese names for the union office, taken from the dbt docs of each model and column.

A mart column's yml gives `meta: {zh: 中文名}` or a description that starts with Chinese
(`年度 / fiscal year`); the Chinese part becomes the workbook header. A model's description that
starts so (`年度工作总结数据 / One row per figure …`) names its sheet in the workbook.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese_head(description: str, longest: int) -> str | None:
    """The Chinese name a description starts with (`年度 / fiscal year` -> `年度`), if any."""
    head = re.split(r"\s*[/／]\s*|[（(]", description, maxsplit=1)[0].strip()
    return head if _CJK.search(head) and len(head) <= longest else None


@cache
def _nodes(manifest_path: Path) -> list[dict]:
    if not manifest_path.exists():
        return []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return list(manifest.get("nodes", {}).values())


@cache
def column_labels(manifest_path: Path) -> dict[str, dict[str, str]]:
    """Table name -> column name -> Chinese label, for every model and seed in the manifest."""
    labels: dict[str, dict[str, str]] = {}
    for node in _nodes(manifest_path):
        columns = {}
        for name, column in node.get("columns", {}).items():
            zh = (column.get("meta") or {}).get("zh")
            if not zh:
                zh = _chinese_head(column.get("description") or "", 20)
            if zh:
                columns[name] = zh
        labels[node["name"]] = columns
    return labels


GIST_LENGTH = 160


@dataclass(frozen=True)
class TableTitle:
    zh: str  # the model's Chinese name: `经费支出（按月份、类别、部门）`
    en: str  # the first sentence of its English description, shortened


@cache
def table_titles(manifest_path: Path) -> dict[str, TableTitle]:
    """Model or seed name -> its Chinese name and English gist, for the models whose description
    starts with a Chinese name before ` / ` (the marts and the audit tables do)."""
    titles = {}
    for node in _nodes(manifest_path):
        description = " ".join((node.get("description") or "").split())
        parts = re.split(r"\s+[/／]\s+", description, maxsplit=1)
        zh = (node.get("meta") or {}).get("zh") or (parts[0] if len(parts) == 2 else "")
        if zh and _CJK.search(zh) and len(zh) <= 31:
            titles[node["name"]] = TableTitle(zh, _gist(parts[-1]))
    return titles


def _gist(english: str) -> str:
    sentence = re.split(r"(?<=\.)\s", english, maxsplit=1)[0]
    if len(sentence) <= GIST_LENGTH:
        return sentence
    return sentence[:GIST_LENGTH].rsplit(" ", 1)[0].rstrip(",;:(") + " …"
