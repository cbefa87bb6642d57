"""`unionwh audit`: rebuild a published year from its archived inputs and compare every output.

The manifest (marts/<year>/manifest.json, or --manifest) names every raw file the published run read
by path and sha256. The audit restores each from the content-addressed archive (beside the
warehouse) into a scratch raw folder under its original name, even when the department has since
overwritten or deleted it, runs the whole year into a scratch warehouse and marts folder, and
compares: the sha256 of every output file of the manifest, every report_figures value, and each
input's row accounting. It prints 一致 identical, or per figure and per mart what differs, and exits
1 when something differs (2 when the year cannot be audited: no manifest, archive incomplete).

The scratch folder is removed afterwards unless --scratch-dir names one to keep.

The command itself is pipelines/cli/audit.py.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.errors import UnionWarehouseError
from pipelines.settings import configure

# DuckDB, Dagster and the pipeline modules load only when the command runs: cli/audit.py imports
# this module, and `unionwh --help` should stay fast.
MANIFEST_NAME = "manifest.json"

EXIT_DIFFERENT = 1
EXIT_CANNOT_AUDIT = 2
FIGURE_FIELDS = ("value", "unit", "display_zh", "source_rows")
ACCOUNTING = ("status", "rows_read", "rows_clean", "rows_duplicate", "rows_quarantined")
SAMPLE_ROWS = 3


class CannotAudit(UnionWarehouseError):
    """The year cannot be rebuilt: no manifest, or the archive lacks an input."""


@dataclass
class AuditResult:
    year: int
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    outputs_compared: int = 0
    figures_compared: int = 0

    @property
    def identical(self) -> bool:
        return not self.differences


def load_manifest(path: Path, year: int) -> dict:
    if not path.is_file():
        raise CannotAudit(
            f"找不到发布清单 {path}：该年度尚未发布，无法审计",
            f"no manifest at {path}: the year was never published, nothing to audit",
        )
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if int(manifest.get("year", -1)) != int(year):
        raise CannotAudit(
            f"清单 {path} 属于 {manifest.get('year')} 年度，不是 {year}",
            f"the manifest {path} is of year {manifest.get('year')}, not {year}",
        )
    return manifest


def restore_inputs(manifest: dict, archive_dir: Path, year_dir: Path) -> int:
    """Every input of the manifest, from the archive, under its original name; checked by hash."""
    # start-up: DuckDB and the pipeline load when an audit runs, not for unionwh --help
    from pipelines.ingest.archive import restore
    from pipelines.publish.manifest import sha256_file

    missing, corrupt = [], []
    for item in manifest.get("inputs", []):
        destination = year_dir / item["path"]
        try:
            restore(archive_dir, item["sha256"], destination)
        except FileNotFoundError:
            missing.append(item["path"])
            continue
        if sha256_file(destination) != item["sha256"]:
            corrupt.append(item["path"])
    if missing or corrupt:
        names = "、".join(missing + corrupt)
        raise CannotAudit(
            f"归档 {archive_dir} 缺少或损坏 {len(missing) + len(corrupt)} 个输入文件：{names}",
            f"the archive {archive_dir} lacks {len(missing)} and has {len(corrupt)} damaged "
            f"input file(s): {', '.join(missing + corrupt)}",
        )
    return len(manifest.get("inputs", []))


def _published_figures(manifest: dict, published_dir: Path) -> dict[str, dict] | None:
    # start-up: DuckDB and the pipeline load when an audit runs, not for unionwh --help
    from pipelines.publish.manifest import figures, sha256_file

    if manifest.get("figures"):
        return manifest["figures"]
    parquet = published_dir / "report_figures.parquet"
    recorded = {o["path"]: o["sha256"] for o in manifest.get("outputs", [])}
    if parquet.is_file() and sha256_file(parquet) == recorded.get(parquet.name):
        return figures(parquet)
    return None


def compare_figures(published: dict[str, dict], rerun: dict[str, dict]) -> list[str]:
    """Per figure: what differs between the publication and the rerun."""
    lines = []
    for key in sorted(published.keys() | rerun.keys()):
        if key not in rerun:
            lines.append(f"指标 figure {key}: 重算中没有 missing in the rerun")
        elif key not in published:
            lines.append(f"指标 figure {key}: 发布中没有 not in the publication (new)")
        else:
            for name in FIGURE_FIELDS:
                before, after = published[key].get(name), rerun[key].get(name)
                if before != after:
                    lines.append(
                        f"指标 figure {key} {name}: 发布 published {before} ≠ 重算 rerun {after}"
                    )
    return lines


def _sample(con, query: str, params: list) -> list[str]:
    rows = con.execute(f"{query} limit {SAMPLE_ROWS}", params).fetchall()
    return [str(tuple(row))[:200] for row in rows]


def describe_table_difference(published: Path, rerun: Path) -> list[str]:
    """What differs between two Parquet files of one mart: columns, or rows only on one side."""
    # start-up: DuckDB and the pipeline load when an audit runs, not for unionwh --help
    import duckdb

    with duckdb.connect() as con:
        columns = [
            con.execute(
                "select name, type from parquet_schema(?) where name <> 'duckdb_schema'", [str(p)]
            ).fetchall()
            for p in (published, rerun)
        ]
        if columns[0] != columns[1]:
            return [f"  列不同 columns differ: {columns[0]} ≠ {columns[1]}"]
        counts = [
            con.execute("select count(*) from read_parquet(?)", [str(p)]).fetchall()[0][0]
            for p in (published, rerun)
        ]
        only = "select * from read_parquet(?) except all select * from read_parquet(?)"
        only_published = con.execute(
            f"select count(*) from ({only})", [str(published), str(rerun)]
        ).fetchall()[0][0]
        only_rerun = con.execute(
            f"select count(*) from ({only})", [str(rerun), str(published)]
        ).fetchall()[0][0]
        lines = [
            f"  行数 rows {counts[0]} → {counts[1]}; 仅发布中 only published {only_published}, "
            f"仅重算中 only in the rerun {only_rerun}"
            + (
                "（内容相同，仅字节不同 same rows, different bytes）"
                if not (only_published or only_rerun)
                else ""
            )
        ]
        if only_published:
            lines += [f"    - {row}" for row in _sample(con, only, [str(published), str(rerun)])]
        if only_rerun:
            lines += [f"    + {row}" for row in _sample(con, only, [str(rerun), str(published)])]
    return lines


def compare_outputs(manifest: dict, published_dir: Path, rerun_dir: Path) -> list[str]:
    """Per output file of the manifest: the rerun's sha256 against the recorded one."""
    # start-up: DuckDB and the pipeline load when an audit runs, not for unionwh --help
    from pipelines.publish.manifest import sha256_file

    lines = []
    recorded = {o["path"]: o["sha256"] for o in manifest.get("outputs", [])}
    rerun_files = {p.name for p in rerun_dir.iterdir() if p.is_file() and p.name != MANIFEST_NAME}
    for name in sorted(recorded.keys() | rerun_files):
        if name not in recorded:
            lines.append(f"文件 file {name}: 重算多出此文件 only the rerun has it (new output)")
            continue
        rerun = rerun_dir / name
        if not rerun.is_file():
            lines.append(f"文件 file {name}: 重算中没有 missing in the rerun")
            continue
        if sha256_file(rerun) == recorded[name]:
            continue
        lines.append(
            f"文件 file {name}: sha256 不同 differs "
            f"(发布 published {recorded[name][:12]}…, 重算 rerun {sha256_file(rerun)[:12]}…)"
        )
        published = published_dir / name
        if name.endswith(".parquet") and published.is_file():
            if sha256_file(published) == recorded[name]:
                lines += describe_table_difference(published, rerun)
            else:
                lines.append(
                    "  发布的文件已不是清单中的版本 the published file no longer matches the manifest"
                )
    return lines


def compare_inputs(published: list[dict], rerun: list[dict]) -> list[str]:
    """Each input's row accounting (rows read, clean, duplicate, quarantined) and status."""
    before = {i["path"]: i for i in published}
    after = {i["path"]: i for i in rerun}
    lines = []
    for path in sorted(before.keys() | after.keys()):
        if path not in after or path not in before:
            side = (
                "重算中没有 missing in the rerun"
                if path not in after
                else "仅重算中 only in the rerun"
            )
            lines.append(f"输入 input {path}: {side}")
            continue
        for name in ACCOUNTING:
            if before[path].get(name) != after[path].get(name):
                lines.append(
                    f"输入 input {path} {name}: 发布 published {before[path].get(name)} ≠ "
                    f"重算 rerun {after[path].get(name)}"
                )
    return lines


def code_notes(manifest: dict, year: int) -> list[str]:
    """When the code, uv.lock or dbt project differ from the published run's, differences may come
    from them rather than from the inputs."""
    # start-up: DuckDB and the pipeline load when an audit runs, not for unionwh --help
    from pipelines.publish.fingerprint import PART_NAMES, changed_parts, fingerprint

    published = manifest.get("fingerprint")
    if not published:
        return [
            "清单无指纹，无法确认代码版本 the manifest has no fingerprint: code version unknown"
        ]
    current = fingerprint(year, {i["path"]: i["sha256"] for i in manifest.get("inputs", [])})
    return [
        f"注意 note: {PART_NAMES[part]} 与发布时不同 differs from the published run's; "
        "differences may come from it, not from the inputs"
        for part in changed_parts(published, current)
        if part != "raw_files"
    ]


def current_raw_notes(manifest: dict, raw_year_dir: Path) -> list[str]:
    """Which audited inputs are no longer in raw/<year>/ as they were (restored from the archive)."""
    # start-up: DuckDB and the pipeline load when an audit runs, not for unionwh --help
    from pipelines.publish.fingerprint import raw_files

    if not raw_year_dir.is_dir():
        return [f"原始目录 {raw_year_dir} 不存在；全部输入取自归档 (all inputs from the archive)"]
    now = raw_files(raw_year_dir)
    gone = [i["path"] for i in manifest.get("inputs", []) if now.get(i["path"]) != i["sha256"]]
    if not gone:
        return []
    return [
        f"{len(gone)} 个输入在 raw 中已删除或已改，已从归档恢复 "
        f"({len(gone)} input(s) deleted or changed in raw since, restored from the archive): "
        + ", ".join(gone)
    ]


def audit_year(
    year: int,
    manifest_path: Path,
    archive_dir: Path,
    raw_dir: Path,
    scratch: Path,
    console,
    debug: bool = False,
) -> AuditResult:
    """Restore, rebuild into scratch, compare. Raises CannotAudit when the year cannot be rebuilt."""
    # start-up: DuckDB and the pipeline load when an audit runs, not for unionwh --help
    from pipelines.publish.manifest import figures

    manifest = load_manifest(manifest_path, year)
    result = AuditResult(year)
    scratch_raw = scratch / "raw"
    restored = restore_inputs(manifest, archive_dir, scratch_raw / str(year))
    console.print(
        f"审计 audit {year}: 清单 manifest {manifest_path} (run {manifest.get('run_id')}, "
        f"{manifest.get('created_at')})",
        markup=False,
    )
    console.print(f"从归档恢复 {restored} 个输入 restored {restored} input(s) from {archive_dir}")
    result.notes += current_raw_notes(manifest, raw_dir / str(year))
    result.notes += code_notes(manifest, year)
    for note in result.notes:
        console.print(f"  {note}", markup=False)

    scratch_marts = scratch / "marts"
    # the sources the publication accepted over the quarantine gate are accepted again
    accepted = [a["source"] for a in manifest.get("quarantine_accepted") or [] if a.get("source")]
    configure(
        scratch_raw,
        scratch / "warehouse" / "union.duckdb",
        scratch_marts,
        accept_quarantine=accepted,
    )
    # start-up: DuckDB and the pipeline load when an audit runs, not for unionwh --help
    from pipelines.run.runner import run_year

    console.print(f"重算 rebuilding {year} into {scratch} …", markup=False)
    outcome = run_year(year, console=console, debug=debug)
    if not outcome.success:
        result.differences.append("重算失败 the rerun failed: " + "; ".join(outcome.failures))
        return result

    rerun_dir = scratch_marts / str(year)
    published_dir = manifest_path.parent
    result.outputs_compared = len(manifest.get("outputs", []))
    result.differences += compare_outputs(manifest, published_dir, rerun_dir)
    published_figures = _published_figures(manifest, published_dir)
    rerun_figures = figures(rerun_dir / "report_figures.parquet")
    if published_figures is None:
        result.notes.append(
            "清单未记录报表数字，且发布的 report_figures.parquet 不可用：只比较文件哈希 "
            "(no figures in the manifest and no matching report_figures.parquet: hashes only)"
        )
    else:
        result.figures_compared = len(published_figures)
        result.differences += compare_figures(published_figures, rerun_figures)
    rerun_manifest = json.loads((rerun_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    result.differences += compare_inputs(manifest.get("inputs", []), rerun_manifest["inputs"])
    return result


def print_result(result: AuditResult, console) -> None:
    if result.identical:
        console.print(
            f"[bold green]一致 identical[/]: {result.outputs_compared} 个输出文件的 sha256、"
            f"{result.figures_compared} 个报表数字与每个输入的行数全部相同 "
            f"({result.outputs_compared} output files by sha256, {result.figures_compared} report "
            "figures and every input's row accounting are the same)"
        )
        return
    console.print(f"[bold red]不一致 different[/]: {len(result.differences)} 处差异 difference(s)")
    for line in result.differences:
        console.print(f"  {line}", markup=False, soft_wrap=True)
