"""What `unionwh run` prints when it ends: what failed first (checks, rejected files), rows per
source, what was published, the time per stage in one line, and last the run's log file."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipelines.checks.quarantine import CHECK_NAME as QUARANTINE_CHECK
from pipelines.db.connect import connect, is_postgres, table_exists
from pipelines.resources import marts_folder_from_environment, warehouse_from_environment
from pipelines.run.runner import STAGES, RunOutcome

DETAIL_LINES = 6  # of a failing check's details; the rest is in the run's log and the UI
# printed whole: what the clerk must fix and send back (a few lines per source)
WHOLE_DETAILS = {QUARANTINE_CHECK}


def _build_rows(year: int, schema: str, table: str, query: str) -> list[tuple]:
    """The rows of a query on the year's private build; none when it or the table is missing."""
    build = warehouse_from_environment().build_path(year)
    if not is_postgres(build) and not Path(build).exists():
        return []
    try:
        with connect(build, read_only=True) as con:
            if not table_exists(con, schema, table):
                return []
            return con.execute(query).fetchall()
    except Exception as error:  # a build database never created: nothing to summarize
        if is_postgres(build) and "does not exist" in str(error):
            return []
        raise


def source_rows(year: int) -> list[tuple]:
    """Per source: files, rows read, clean, duplicate, quarantined (from audit.load_log)."""
    return _build_rows(
        year,
        "audit",
        "load_log",
        """
        select source, count(distinct file_name), sum(rows_read), sum(rows_clean),
               sum(rows_duplicate), sum(rows_quarantined)
        from audit.load_log group by source order by source
        """,
    )


def rejected_files(year: int) -> list[tuple[str, str, str]]:
    return _build_rows(
        year,
        "raw",
        "files",
        "select file_name, message_zh, message_en from raw.files where status = 'rejected' order by 1",
    )


def _print_failures(outcome: RunOutcome, console: Console) -> None:
    """What stopped the run, first: each failing check (and where to look), each rejected file,
    then any other failure; Chinese and English."""
    failed = {c.name: c for c in outcome.checks if not c.passed and c.severity == "ERROR"}
    for failure in outcome.failures:
        console.print(f"[red]✗[/] {failure}", soft_wrap=True)
        name = failure.split(": ", 1)[-1].split(" (on ", 1)[0]
        check = failed.get(name)
        if check is not None:
            console.print(f"    → {check.where}", soft_wrap=True, markup=False)
            shown = None if check.name in WHOLE_DETAILS else DETAIL_LINES
            for line in (check.details or "").splitlines()[:shown]:
                console.print(f"    {line}", soft_wrap=True, markup=False)
    rejected = rejected_files(outcome.year)
    if rejected:
        console.print(
            f"[bold red]{len(rejected)} 个文件被拒收，本年度未发布 "
            f"({len(rejected)} file(s) rejected; year not published):[/]"
        )
        for _name, zh, en in rejected:
            console.print(f"  • {zh}\n    {en}", soft_wrap=True, markup=False)


def _time_line(outcome: RunOutcome) -> str:
    parts = [
        f"{STAGES.get(stage, stage)} {seconds:.1f} s"
        for stage, seconds in outcome.step_seconds.items()
    ]
    parts.append(f"合计（含启动）total incl. start-up {outcome.seconds_total:.1f} s")
    return "耗时 time: " + " · ".join(parts)


def print_run_summary(outcome: RunOutcome, console: Console) -> None:
    if not outcome.success:
        _print_failures(outcome, console)

    rows = Table(title=f"{outcome.year} 年度各数据来源行数 (rows per source)")
    for header in (
        "来源 source",
        "文件 files",
        "读入 read",
        "有效 clean",
        "重复 duplicate",
        "隔离 quarantined",
    ):
        rows.add_column(header, justify="right" if header[0] != "来" else "left")
    for source, files, read, clean, dup, quar in source_rows(outcome.year):
        rows.add_row(source, *(f"{v:,}" for v in (files, read, clean, dup, quar)))
    console.print(rows)

    marts_dir = marts_folder_from_environment().year_dir(outcome.year)
    if outcome.success and marts_dir.exists():
        files = [p for p in marts_dir.iterdir() if p.is_file()]
        console.print(
            f"[green]已发布[/] published {len(files)} 个文件 files → {marts_dir}", soft_wrap=True
        )
    for check in outcome.checks:
        if not check.passed and check.severity == "WARN":
            console.print(f"[yellow]⚠[/] 检查警告 check warning: {check.name} → {check.where}")
        if check.name == QUARANTINE_CHECK and check.passed and check.details:
            for line in check.details.splitlines():  # sources published by --accept-quarantine
                console.print(f"⚠ {line}", style="yellow", soft_wrap=True, markup=False)
    console.print(_time_line(outcome), soft_wrap=True)
    if outcome.success:
        console.print(f"[bold green]完成 done[/] ({outcome.seconds_total:.1f} s)")
    else:
        console.print("[bold red]运行失败 run failed[/]")
    if outcome.log_path is not None:
        console.print(f"日志 log: {outcome.log_path}", soft_wrap=True, markup=False)
