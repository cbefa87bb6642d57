"""Submitted files: staged while their check is shown, then accepted into raw/.

An upload that passed pipelines.frontdoor.uploads is staged (private folder, never raw/) with its
check. Accepting moves it to `raw/<year>/<source>/<department code>/<name>` (the nightly run and
the raw-folder sensor read sub-folders like any file of the source), keeps its bytes in the
content-addressed archive (pipelines.ingest.archive) and appends a line to the submissions ledger:
content hash, department, time, rows clean / to fix. A department replaces only its own files:
its folder is its own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from pipelines.errors import UnionWarehouseError
from pipelines.ingest.archive import archive_file

LEDGER = "submissions.jsonl"
STAGING = "staging"
_STAGED_ID = frozenset("0123456789abcdef")


@dataclass
class Staged:
    staged_id: str
    department: str
    year: int
    source: str
    file_name: str
    sha256: str
    bytes: int
    rows: int
    rows_clean: int
    ok: bool
    readable: bool
    problems: list[dict]


STAGED_HOURS = 24  # a checked file not submitted within a day is dropped


def stage(
    work_dir: Path, data: bytes, department: str, year: int, source: str, file_name: str
) -> tuple[str, Path]:
    _sweep(work_dir / STAGING)
    staged_id = secrets.token_hex(12)
    folder = work_dir / STAGING / staged_id
    folder.mkdir(parents=True)
    path = folder / file_name
    path.write_bytes(data)
    return staged_id, path


def _sweep(staging: Path) -> None:
    if not staging.is_dir():
        return
    oldest = dt.datetime.now().timestamp() - STAGED_HOURS * 3600
    for folder in staging.iterdir():
        # another upload's sweep may remove it between the listing and the stat
        with contextlib.suppress(FileNotFoundError):
            if folder.stat().st_mtime < oldest:
                shutil.rmtree(folder, ignore_errors=True)


def save_check(work_dir: Path, staged: Staged) -> None:
    folder = work_dir / STAGING / staged.staged_id
    (folder / "check.json").write_text(json.dumps(asdict(staged), ensure_ascii=False))


def load_staged(work_dir: Path, staged_id: str) -> tuple[Staged, Path] | None:
    if len(staged_id) != 24 or not set(staged_id) <= _STAGED_ID:
        return None
    folder = work_dir / STAGING / staged_id
    meta = folder / "check.json"
    if not meta.exists():
        return None
    staged = Staged(**json.loads(meta.read_text()))
    return staged, folder / staged.file_name


def discard(work_dir: Path, staged_id: str) -> None:
    if len(staged_id) == 24 and set(staged_id) <= _STAGED_ID:
        shutil.rmtree(work_dir / STAGING / staged_id, ignore_errors=True)


def accept(work_dir: Path, raw_dir: Path, archive_dir: Path, staged: Staged, path: Path) -> str:
    """Put a staged file into raw/ and the archive; return its name relative to raw/<year>/."""
    relative = f"{staged.source}/{staged.department}/{staged.file_name}"
    target = _department_folder(raw_dir, staged) / staged.file_name
    # `~$` names are skipped by the nightly run (Office lock files): the copy is never read half-made
    partial = target.with_name(f"~${secrets.token_hex(4)}.partial")
    shutil.copyfile(path, partial)
    os.replace(partial, target)
    archive_file(archive_dir, target, staged.sha256, staged.year, relative)
    record = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "year": staged.year,
        "source": staged.source,
        "department": staged.department,
        "file_name": relative,
        "sha256": staged.sha256,
        "bytes": staged.bytes,
        "rows": staged.rows,
        "rows_clean": staged.rows_clean,
    }
    with (work_dir / LEDGER).open("a", encoding="utf-8") as stream:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    discard(work_dir, staged.staged_id)
    return relative


def _department_folder(raw_dir: Path, staged: Staged) -> Path:
    """raw/<year>/<source>/<department>, made if missing; refused when a folder on the way is a
    symbolic link (it would put the file outside raw/, or in another department's folder)."""
    raw_dir.mkdir(parents=True, exist_ok=True)  # raw/ itself may be a link to another disk
    folder = raw_dir
    for part in (str(staged.year), staged.source, staged.department):
        folder = folder / part
        if folder.is_symlink():
            raise UnionWarehouseError(
                f"raw/ 中的文件夹 {folder} 是符号链接，拒绝写入",
                f"the folder {folder} in raw/ is a symbolic link: nothing written",
            )
        folder.mkdir(exist_ok=True)
    return folder


def ledger(work_dir: Path, year: int) -> dict[str, dict]:
    """The latest submission of each file of a year, by its name relative to raw/<year>/."""
    path = work_dir / LEDGER
    latest: dict[str, dict] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record["year"] == year:
                latest[record["file_name"]] = record
    return latest


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
