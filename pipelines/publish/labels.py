"""Chinese column headers for the union office, taken from the dbt docs of each column.

A mart column's yml gives `meta: {zh: 中文名}` or a description that starts with Chinese
(`年度 / fiscal year`); the Chinese part becomes the workbook header.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

_CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def column_labels(manifest_path: Path) -> dict[str, dict[str, str]]:
    """Table name -> column name -> Chinese label, for every model and seed in the manifest."""
    if not manifest_path.exists():
        return {}
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    labels: dict[str, dict[str, str]] = {}
    for node in manifest.get("nodes", {}).values():
        columns = {}
        for name, column in node.get("columns", {}).items():
            zh = (column.get("meta") or {}).get("zh")
            if not zh:
                description = column.get("description") or ""
                head = re.split(r"\s*[/／]\s*|[（(]", description, maxsplit=1)[0].strip()
                zh = head if _CJK.search(head) and len(head) <= 20 else None
            if zh:
                columns[name] = zh
        labels[node["name"]] = columns
    return labels
