"""The template version a workbook carries, and the contract's own.

`unionwh template` (pipelines.frontdoor.template) writes the contract's version into each template's
custom document properties; the nightly run reads it back here, where a file is read, so a file
made from an out-of-date template is named in the warnings. The version is a hash of the parsed
contract (comments and spacing in contract.yml do not change it).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from functools import cache
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml

from pipelines.contract import CONTRACT_PATH

VERSION_PROPERTY = "unionwh_template_version"
_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"


@cache
def contract_version(path: Path = CONTRACT_PATH) -> str:
    """The first 12 hex digits of the SHA-256 of the contract as data."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def template_version(path: Path) -> str | None:
    """The template version in an xlsx's docProps/custom.xml; None for files not made from a
    template (or not an xlsx)."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("docProps/custom.xml")
            if info.file_size > 1 << 20:
                return None
            root = ET.fromstring(archive.read(info))
    except (KeyError, zipfile.BadZipFile, ET.ParseError, OSError):
        return None
    for prop in root.iter(f"{_CUSTOM}property"):
        if prop.get("name") == VERSION_PROPERTY:
            return "".join(prop.itertext()).strip() or None
    return None


def outdated_template_warning(path: Path, lineage: dict) -> dict | None:
    """A load warning when the file was made from a template of another contract version."""
    version = template_version(path)
    current = contract_version()
    if version is None or version == current:
        return None
    return {
        **lineage,
        "sheet_name": None,
        "row_number": None,
        "column_name": None,
        "warning_code": "outdated_template",
        "message_zh": f"文件由旧版模板（版本 {version}）填写，当前模板版本为 {current}；"
        "请下载新模板填写下次的报送",
        "message_en": f"the file was made from an out-of-date template (version {version}; "
        f"the current one is {current}); use the new template next time",
    }
