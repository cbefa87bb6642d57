"""The fingerprint of a year's inputs, and whether a run can be skipped.

A year's outputs are a function of: the raw files of raw/<year>/ (path and content), the pipeline's
code, the locked package versions (uv.lock), the dbt project's files and the Python version. The
fingerprint hashes each of those parts; the publication stores it in marts/<year>/manifest.json.
`unionwh run` compares the current fingerprint with the published one: when they are equal and the
publication is intact (every output file has its manifest hash, the analysts' warehouse has the
year's figures, the archive holds every input), the run is skipped and no output byte changes.

Raw files are the ones the ingestion reads (`pipelines.ingest.source`): the contract's source
folders without Office lock files, plus the files outside them (which the run rejects).
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.contract import load_contract
from pipelines.db.connect import BuildRef, connect
from pipelines.hashing import source_tree_sha256
from pipelines.ingest.source import source_files, unknown_folders
from pipelines.publish.manifest import MANIFEST_NAME, read_manifest, sha256_file
from pipelines.settings import PROJECT_ROOT

FINGERPRINT_VERSION = 1
CODE_DIR = PROJECT_ROOT / "pipelines"
DBT_DIR = PROJECT_ROOT / "dbt_project"
UV_LOCK = PROJECT_ROOT / "uv.lock"
PART_NAMES = {
    "raw_files": "原始文件 raw files",
    "code": "代码 code (pipelines/)",
    "uv_lock": "依赖锁 uv.lock",
    "dbt_project": "dbt 项目 dbt project",
    "python": "Python 版本 Python version",
    "version": "指纹格式 fingerprint format",
}
UNKNOWN_FOLDERS_ASSET = "ingest_unknown_folders"


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def raw_files(year_dir: Path) -> dict[str, str]:
    """The files a run of the year reads: path relative to raw/<year>/ -> sha256."""
    contract = load_contract()
    files = {}
    for source in contract.sources:
        for path in source_files(year_dir, source):
            files[path.relative_to(year_dir).as_posix()] = sha256_file(path)
    for stray in unknown_folders(year_dir, contract):
        files[stray.file_name] = stray.file_sha256
    return dict(sorted(files.items()))


def build_raw_files(build_path: BuildRef) -> dict[str, str]:
    """The files a finished run read, from its private build (raw.files)."""
    with connect(build_path) as con:
        rows = con.execute("select file_name, file_sha256 from raw.files order by 1").fetchall()
    return dict(rows)


@dataclass(frozen=True)
class Fingerprint:
    year: int
    files: dict[str, str]
    code: str
    uv_lock: str | None
    dbt_project: str
    python: str
    version: int = FINGERPRINT_VERSION

    @property
    def parts(self) -> dict[str, str | int | None]:
        return {
            "raw_files": _digest([f"{p}\0{s}" for p, s in sorted(self.files.items())]),
            "code": self.code,
            "uv_lock": self.uv_lock,
            "dbt_project": self.dbt_project,
            "python": self.python,
            "version": self.version,
        }

    @property
    def sha256(self) -> str:
        return _digest([json.dumps({"year": self.year, **self.parts}, sort_keys=True)])

    def to_manifest(self) -> dict:
        """The manifest's `fingerprint` entry (the raw files themselves are its `inputs`)."""
        return {"sha256": self.sha256, "parts": self.parts}


def fingerprint(year: int, files: dict[str, str]) -> Fingerprint:
    """The fingerprint of a year whose raw files are `files` (path -> sha256), with this checkout's
    code, uv.lock, dbt project and Python."""
    return Fingerprint(
        year=int(year),
        files=dict(sorted(files.items())),
        code=source_tree_sha256(CODE_DIR),
        uv_lock=sha256_file(UV_LOCK) if UV_LOCK.exists() else None,
        dbt_project=source_tree_sha256(DBT_DIR),
        python=platform.python_version(),
    )


def current_fingerprint(year: int, raw_dir: Path) -> Fingerprint:
    return fingerprint(year, raw_files(raw_dir / str(year)))


# ---------------------------------------------------------------- comparing with the publication


@dataclass
class Decision:
    """Whether `unionwh run` skips the year, and why (per part and per asset)."""

    year: int
    skip: bool
    reasons: list[str] = field(default_factory=list)
    assets: list[tuple[str, bool, str]] = field(default_factory=list)  # (asset, runs, why)

    def lines(self) -> list[str]:
        if self.skip:
            head = f"输入未变，跳过 (inputs unchanged, skipped): {self.year}"
        else:
            head = f"运行 {self.year} 年度 (running {self.year})"
        out = [head, *(f"  原因 why: {r}" for r in self.reasons)]
        for asset, runs, why in self.assets:
            verb = "运行 runs   " if runs else "跳过 skipped"
            out.append(f"  {verb} {asset}: {why}")
        return out


def file_changes(published: dict[str, str], current: dict[str, str]) -> list[str]:
    """`+ path` added, `- path` removed, `~ path` changed content."""
    changes = [f"+ {p}" for p in sorted(current.keys() - published.keys())]
    changes += [f"- {p}" for p in sorted(published.keys() - current.keys())]
    changes += [
        f"~ {p}" for p in sorted(current.keys() & published.keys()) if current[p] != published[p]
    ]
    return sorted(changes, key=lambda c: c[2:])


def changed_parts(published: dict, current: Fingerprint) -> list[str]:
    parts = published.get("parts") or {}
    return [name for name, value in current.parts.items() if parts.get(name) != value]


def warehouse_figures(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, str | None]:
    rows = con.execute(
        "select figure_key, value from marts.report_figures where year = ? order by 1", [year]
    ).fetchall()
    return {key: None if value is None else str(value) for key, value in rows}


def federation_figures(dsn: str, university: str, year: int) -> dict[str, str | None]:
    """The university's published figures of the year in the federation database."""
    # start-up: psycopg loads only for a PostgreSQL build
    from pipelines.db.postgres import PgConnection

    with PgConnection(dsn, read_only=True) as con:
        rows = con.execute(
            "select figure_key, value from marts.report_figures "
            "where university = ? and year = ? order by 1",
            [university, year],
        ).fetchall()
    return {key: None if value is None else str(value) for key, value in rows}


def publication_problems(
    manifest: dict,
    year_dir: Path,
    published_warehouse: Path,
    archive_dir: Path,
    federation: tuple[str, str] | None = None,
) -> list[str]:
    """Why the publication on disk is not the one the manifest describes (empty when intact).
    With `federation` (DSN, university) the published figures are the federation database's."""
    problems = []
    for output in manifest.get("outputs", []):
        path = year_dir / output["path"]
        if not path.is_file():
            problems.append(f"发布文件缺失 published file missing: {output['path']}")
        elif sha256_file(path) != output["sha256"]:
            problems.append(f"发布文件与清单不符 published file changed: {output['path']}")
    missing = [
        i["path"] for i in manifest.get("inputs", []) if not (archive_dir / i["sha256"]).is_file()
    ]
    if missing:
        problems.append(
            f"归档缺少 {len(missing)} 个输入 archive lacks {len(missing)} input(s): {', '.join(missing[:3])}"
        )
    if federation is not None:
        import psycopg

        try:
            figures = federation_figures(*federation, int(manifest["year"]))
        except psycopg.Error as error:
            problems.append(f"无法读取联合会数据库 cannot read the federation database: {error}")
            return problems
    elif not published_warehouse.is_file():
        problems.append(f"分析用仓库缺失 published warehouse missing: {published_warehouse}")
        return problems
    else:
        try:
            with duckdb.connect(str(published_warehouse), read_only=True) as con:
                figures = warehouse_figures(con, int(manifest["year"]))
        except duckdb.Error as error:
            problems.append(f"无法读取分析用仓库 cannot read the published warehouse: {error}")
            return problems
    expected = {
        key: None if f.get("value") is None else str(Decimal(f["value"]))
        for key, f in (manifest.get("figures") or {}).items()
    }
    if not figures:
        problems.append(
            "分析用仓库中没有该年度 the published warehouse has no figures for the year"
        )
    elif expected and figures != expected:
        problems.append(
            "分析用仓库的数字与清单不符 the published warehouse's figures differ from the manifest"
        )
    return problems


@dataclass
class Comparison:
    """The current fingerprint against the published manifest's."""

    manifest: dict | None
    changes: list[str] = field(default_factory=list)  # raw files added/removed/changed
    parts: list[str] = field(default_factory=list)  # fingerprint parts that differ
    reasons: list[str] = field(default_factory=list)

    @property
    def published(self) -> dict | None:
        return (self.manifest or {}).get("fingerprint")


def compare(manifest_path: Path, current: Fingerprint) -> Comparison:
    manifest = read_manifest(manifest_path)
    comparison = Comparison(manifest)
    if manifest is None:
        comparison.reasons.append(f"尚无发布 no publication yet (no readable {manifest_path})")
        return comparison
    if not comparison.published:
        comparison.reasons.append("已发布清单没有指纹 the published manifest has no fingerprint")
    published_files = {i["path"]: i["sha256"] for i in manifest.get("inputs", [])}
    comparison.changes = file_changes(published_files, current.files)
    if comparison.published:
        comparison.parts = changed_parts(comparison.published, current)
    if comparison.changes:
        shown = "; ".join(comparison.changes[:5]) + (" …" if len(comparison.changes) > 5 else "")
        comparison.reasons.append(
            f"原始文件有变化 raw files changed ({len(comparison.changes)}): {shown}"
        )
    for part in comparison.parts:
        if part != "raw_files":
            comparison.reasons.append(f"{PART_NAMES[part]} 已变 changed")
    return comparison


def changes_since_publication(manifest_path: Path, current: Fingerprint) -> list[str]:
    """For the run log of the publication: what differs from the publication it replaces."""
    comparison = compare(manifest_path, current)
    if comparison.reasons:
        return comparison.reasons
    return [
        f"与已发布的运行 {comparison.manifest.get('run_id')} 输入相同（强制或定时重建） "
        f"(same inputs as the published run {comparison.manifest.get('run_id')}: a forced or "
        "scheduled rebuild)"
    ]


def decide(
    year: int,
    raw_dir: Path,
    published_warehouse: Path,
    marts_dir: Path,
    force: bool = False,
    federation: tuple[str, str] | None = None,
) -> Decision:
    """Compare the year's current fingerprint with the published manifest's (and, on the server,
    with the university's figures in the federation database)."""
    current = current_fingerprint(year, raw_dir)
    year_dir = marts_dir / str(year)
    comparison = compare(year_dir / MANIFEST_NAME, current)
    manifest, published, parts = comparison.manifest, comparison.published, comparison.parts
    changes = comparison.changes
    decision = Decision(year, skip=False, reasons=list(comparison.reasons))
    problems = []
    if published and not parts:
        problems = publication_problems(
            manifest,
            year_dir,
            published_warehouse,
            published_warehouse.parent / "archive",
            federation,
        )
        decision.reasons += problems
    if force:
        decision.reasons.append("指定了 --force (--force given)")
    decision.skip = bool(published) and not parts and not problems and not force
    if decision.skip:
        decision.reasons.insert(
            0,
            f"{len(current.files)} 个原始文件、代码、uv.lock、dbt 项目与已发布的运行 "
            f"{manifest.get('run_id')}（{manifest.get('created_at')}）相同，发布完整 "
            f"({len(current.files)} raw files, code, uv.lock and dbt project are those of the "
            f"published run {manifest.get('run_id')} of {manifest.get('created_at')}; "
            "the publication is intact)",
        )
    decision.assets = _asset_reasons(
        decision.skip, current.files, changes, compared=manifest is not None
    )
    return decision


def _asset_reasons(
    skip: bool, files: dict[str, str], changes: list[str], compared: bool
) -> list[tuple[str, bool, str]]:
    """Why each asset of the year's job runs or is skipped. A year is rebuilt as a whole (one
    private build file), so an asset whose own files are unchanged still runs when another part
    changed."""
    sources = load_contract().sources
    assets = []
    for asset, prefix in [(f"ingest_{s}", f"{s}/") for s in sources] + [
        (UNKNOWN_FOLDERS_ASSET, None)
    ]:

        def mine(path: str, prefix=prefix) -> bool:
            if prefix is not None:
                return path.startswith(prefix)
            return not any(path.startswith(f"{s}/") for s in sources)

        count = sum(1 for p in files if mine(p))
        own = [c for c in changes if mine(c[2:])]
        if skip:
            why = f"{count} 个文件未变 ({count} file(s) unchanged)"
        elif own:
            why = f"文件有变化 files changed: {'; '.join(own)}"
        elif not compared:
            why = (
                f"{count} 个文件，无可比较的发布 ({count} file(s), no publication to compare with)"
            )
        else:
            why = (
                f"{count} 个文件未变，但整个年度一起重建 ({count} file(s) unchanged, but the year "
                "is rebuilt as a whole)"
            )
        assets.append((asset, not skip, why))
    if skip:
        assets.append(("union_dbt", False, "dbt 项目与上游未变 dbt project and upstream unchanged"))
        assets.append(("published/year", False, "发布完整且未变 publication intact and unchanged"))
    else:
        assets.append(("union_dbt", True, "上游重建 its upstream is rebuilt (see why)"))
        assets.append(("published/year", True, "上游重建 its upstream is rebuilt (see why)"))
    return assets


def print_decision(decision: Decision, console, verbose: bool = False) -> None:
    """Why the year runs or is skipped; each asset's reason too when it is skipped (or with
    verbose): a run that goes ahead says it in its progress display."""
    lines = decision.lines()
    if not decision.skip and not verbose:
        lines = lines[: 1 + len(decision.reasons)]
    for index, line in enumerate(lines):
        style = "bold green" if decision.skip and index == 0 else None
        console.print(line, style=style, soft_wrap=True, markup=False)


def skip_unchanged(
    year: int,
    raw_dir: Path,
    warehouse: Path,
    marts_dir: Path,
    force: bool,
    console,
    federation: tuple[str, str] | None = None,
    verbose: bool = False,
) -> bool:
    """For `unionwh run`: print why the year runs or is skipped; True when it is skipped.
    `federation`: (DSN, university) when the year is published to the server."""
    decision = decide(
        year, raw_dir.resolve(), warehouse.resolve(), marts_dir.resolve(), force, federation
    )
    print_decision(decision, console, verbose)
    return decision.skip
