"""unionwh: thin commands over the same Definitions and modules the scheduled runs use.

Every command takes --year, --raw-dir, --warehouse and --marts-dir with the same defaults, so any
of them can be pointed at a scratch warehouse. Errors the user can cause print in Chinese and English
without a traceback (add --debug to see one).
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipelines.bench import register as register_bench
from pipelines.checks.command import register as register_check
from pipelines.errors import UnionWarehouseError
from pipelines.frontdoor.commands import register as register_frontdoor
from pipelines.publish.audit import register as register_audit
from pipelines.publish.federation_command import register as register_federation
from pipelines.report.commands import register as register_report

app = typer.Typer(
    help="union-warehouse：工会年度工作总结数据仓库 (the union's annual-report warehouse)",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

Year = Annotated[int, typer.Option("--year", help="财政年度 fiscal year")]
RawDir = Annotated[Path, typer.Option("--raw-dir", help="原始文件目录 raw folder")]
WarehousePath = Annotated[
    Path, typer.Option("--warehouse", help="发布的仓库文件 published DuckDB file")
]
MartsDir = Annotated[Path, typer.Option("--marts-dir", help="发布目录 marts folder")]
Debug = Annotated[bool, typer.Option("--debug", help="出错时显示堆栈 show tracebacks")]
Target = Annotated[
    str,
    typer.Option(
        "--target",
        help="构建与发布的数据库：duckdb（内嵌文件，默认）或 postgres（联合会服务器） "
        "(where to build and publish: duckdb, the embedded file, or postgres, the federation server)",
    ),
]
PgDsn = Annotated[
    str | None,
    typer.Option(
        "--pg-dsn",
        help="联合会数据库 postgresql://user@host:port/dbname (the federation database; "
        "or UNIONWH_PG_DSN)",
    ),
]
University = Annotated[
    str | None,
    typer.Option(
        "--university",
        help="学校代码，区分各校的年度 (the university's code in the federation; default demo)",
    ),
]

DEFAULT_YEAR = date.today().year
DEFAULT_RAW = Path("raw")
DEFAULT_WAREHOUSE = Path("warehouse/union.duckdb")
DEFAULT_MARTS = Path("marts")


def configure(
    raw_dir: Path,
    warehouse: Path,
    marts_dir: Path,
    target: str = "duckdb",
    pg_dsn: str | None = None,
    university: str | None = None,
    accept_quarantine: list[str] | None = None,
) -> None:
    """Hand the paths, the target and the accepted quarantine to the Dagster resources
    (pipelines.resources reads these variables)."""
    os.environ["UNIONWH_RAW_DIR"] = str(raw_dir.resolve())
    os.environ["UNIONWH_ACCEPT_QUARANTINE"] = ",".join(accept_quarantine or [])
    os.environ["UNIONWH_WAREHOUSE"] = str(warehouse.resolve())
    os.environ["UNIONWH_MARTS_DIR"] = str(marts_dir.resolve())
    os.environ["UNIONWH_TARGET"] = target
    if pg_dsn:
        os.environ["UNIONWH_PG_DSN"] = pg_dsn
    if university:
        os.environ["UNIONWH_UNIVERSITY"] = university


def known_sources(names: list[str]) -> list[str]:
    """--accept-quarantine's sources, each a source of the contract."""
    from pipelines.contract import load_contract

    sources = load_contract().sources
    unknown = [n for n in names if n not in sources]
    if unknown:
        raise UnionWarehouseError(
            f"--accept-quarantine 的来源未知：{', '.join(unknown)}（可用：{', '.join(sources)}）",
            f"--accept-quarantine names unknown source(s) {', '.join(unknown)} "
            f"(known: {', '.join(sources)})",
        )
    return names


def fail(error: UnionWarehouseError, debug: bool) -> None:
    if debug:
        raise error
    err_console.print(f"[bold red]错误[/] {error.message_zh}")
    err_console.print(f"[red]error[/] {error.message_en}")
    raise typer.Exit(1)


@app.command()
def run(
    year: Year = DEFAULT_YEAR,
    raw_dir: RawDir = DEFAULT_RAW,
    warehouse: WarehousePath = DEFAULT_WAREHOUSE,
    marts_dir: MartsDir = DEFAULT_MARTS,
    debug: Debug = False,
    force: Annotated[
        bool, typer.Option("--force", help="输入未变也重建 rebuild even if unchanged")
    ] = False,
    target: Target = "duckdb",
    pg_dsn: PgDsn = None,
    university: University = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", help="同时在终端显示运行日志 show the run's log (Dagster, dbt) here too"
        ),
    ] = False,
    accept_quarantine: Annotated[
        list[str] | None,
        typer.Option(
            "--accept-quarantine",
            help="该来源隔离行超出上限也发布（可重复；清单与报告会注明） "
            "(publish although this source is over its quarantine limit; repeatable; "
            "the manifest and the report say so)",
        ),
    ] = None,
) -> None:
    """运行一个年度的完整流水线并发布 (materialize the whole graph for one year and publish).

    The terminal shows one progress display and the summary; Dagster's events and dbt's lines
    go to a log file per run beside the warehouse (named in the last line)."""
    from pipelines.resources import (
        PostgresWarehouse,
        marts_folder_from_environment,
        require_year_dir,
        warehouse_from_environment,
    )

    try:
        accepted = known_sources(accept_quarantine or [])
        configure(raw_dir, warehouse, marts_dir, target, pg_dsn, university, accepted)
        require_year_dir(raw_dir, year)
        bound = warehouse_from_environment()
        year_marts = Path(marts_folder_from_environment().path)
        if isinstance(bound, PostgresWarehouse):
            bound.check_connection()
            from pipelines.publish.federation_access import require_office

            require_office(bound.dsn, bound.university)
    except UnionWarehouseError as error:
        fail(error, debug)
        return
    from pipelines.publish.fingerprint import skip_unchanged

    federation = (bound.dsn, bound.university) if isinstance(bound, PostgresWarehouse) else None
    if skip_unchanged(year, raw_dir, warehouse, year_marts, force, console, federation, verbose):
        return
    from pipelines.runner import run_year
    from pipelines.summary import print_run_summary

    try:
        outcome = run_year(year, console=console, debug=debug, verbose=verbose)
    except UnionWarehouseError as error:
        fail(error, debug)
        return
    print_run_summary(outcome, console)
    if not outcome.success:
        raise typer.Exit(1)


@app.command("demo-data")
def demo_data(
    year: Year = 2023,
    out: Annotated[Path, typer.Option("--out", help="输出目录 output folder")] = DEFAULT_RAW,
    scale: Annotated[int, typer.Option("--scale", help="数据量倍数 volume multiplier")] = 1,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """生成演示数据 (write the deterministic demo data for a year)."""
    from pipelines.demo.generator import generate

    with console.status(f"生成 {year} 年演示数据 generating demo data (scale {scale})…"):
        files = generate(year, out, scale=scale, seed=seed)
    console.print(f"写入 {len(files)} 个文件到 {out / str(year)} (wrote {len(files)} files)")


register_audit(app)
register_report(app)
register_check(app)
register_bench(app)
register_federation(app, console, fail)
register_frontdoor(app)


def main() -> None:
    """The `unionwh` command. When the command is done, every exit handler runs and the output is
    flushed, then the process ends without tearing down the module graphs of Dagster, dbt and Great
    Expectations one object at a time (1.7 s after a run, the time it takes to read the demo year)."""
    try:
        app()
        code: int | str | None = 0
    except SystemExit as stop:
        code = stop.code
    if isinstance(code, str):  # a message instead of a status: print it, as sys.exit would
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    main()
