"""The content-addressed archive: every raw file read is kept byte for byte, once.

`archive/<sha256>` holds the bytes; `archive/names.jsonl` records every (year, file name) the content
arrived under, so a year can be rebuilt after a department overwrites or deletes its file.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

NAMES_FILE = "names.jsonl"


def archive_file(
    archive_dir: Path, path: Path, sha256: str, year: int | str, file_name: str
) -> Path:
    """Copy path into the archive unless its content is there already; record its name."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    target = archive_dir / sha256
    if not target.exists():
        partial = archive_dir / f".{sha256}.{uuid.uuid4().hex[:8]}.partial"
        shutil.copyfile(path, partial)
        os.replace(partial, target)
    record = {"sha256": sha256, "year": int(year), "file_name": file_name}
    names = archive_dir / NAMES_FILE
    line = json.dumps(record, ensure_ascii=False, sort_keys=True)
    known = names.read_text(encoding="utf-8").splitlines() if names.exists() else []
    if line not in known:
        with names.open("a", encoding="utf-8") as stream:
            stream.write(line + "\n")
    return target


def restore(archive_dir: Path, sha256: str, destination: Path) -> Path:
    """Put an archived file back at destination (for an audit rerun)."""
    source = archive_dir / sha256
    if not source.exists():
        raise FileNotFoundError(f"archive has no file {sha256}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)
    return destination
