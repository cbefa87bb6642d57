"""Loading one source folder (`raw/<year>/<source>/`): every file, read in parallel, then landed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.contract import Contract
from pipelines.hashing import sha256_of
from pipelines.ingest import land
from pipelines.ingest.files import FileRead

IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass
class SourceLoad:
    source: str
    files: list[FileRead]

    @property
    def rows_read(self) -> int:
        return sum(
            frame.height for f in self.files for frames in f.rows.values() for frame in frames
        )

    @property
    def rejected(self) -> list[FileRead]:
        return [f for f in self.files if f.status == "rejected"]


def source_files(year_dir: Path, source: str) -> list[Path]:
    """The source's files, in a stable order (sub-folders included; Office lock files skipped)."""
    folder = year_dir / source
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.name not in IGNORED_NAMES and not p.name.startswith("~$")
    )


def land_source(con: Any, contract: Contract, load: SourceLoad) -> None:
    """Replace the source's landed rows and bookkeeping with this load, in one transaction."""
    land.ensure_raw_schema(con, contract)
    con.execute("begin transaction")
    try:
        land.clear_source(con, contract, load.source)
        for table in contract.tables_of(load.source):
            frames = [frame for f in load.files for frame in f.rows.get(table.table, [])]
            land.land_rows(con, table, frames)
        land.land_bookkeeping(con, "files", [f.outcome for f in load.files])
        land.land_bookkeeping(con, "sheets", [s for f in load.files for s in f.sheets])
        land.land_bookkeeping(
            con,
            "load_warnings",
            [
                {
                    **w,
                    "source": w["_source"],
                    "file_name": w["_file_name"],
                    "file_sha256": w["_file_sha256"],
                }
                for f in load.files
                for w in f.warnings
            ],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def unknown_folders(year_dir: Path, contract: Contract) -> list[FileRead]:
    """Files in folders that are not a source of the contract (or loose in the year folder)."""
    known = set(contract.sources)
    strays: list[FileRead] = []
    if not year_dir.is_dir():
        return strays
    for entry in sorted(year_dir.iterdir()):
        if entry.is_dir() and entry.name in known:
            continue
        files = [entry] if entry.is_file() else sorted(p for p in entry.rglob("*") if p.is_file())
        for path in files:
            if path.name in IGNORED_NAMES:
                continue
            name = path.relative_to(year_dir).as_posix()
            folder = entry.name if entry.is_dir() else "(年度目录 year folder)"
            read = FileRead(
                entry.name if entry.is_dir() else "", name, sha256_of(path), path.stat().st_size
            )
            read.status, read.error_code = "rejected", "unknown_source_folder"
            read.message_zh = (
                f"文件 {name}：未知的数据来源目录 {folder}，应为 {'、'.join(sorted(known))} 之一"
            )
            read.message_en = f"file {name}: unknown source folder {folder}; expected one of {', '.join(sorted(known))}"
            strays.append(read)
    return strays
