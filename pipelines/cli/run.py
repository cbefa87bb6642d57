"""`unionwh run`: materialize one year's whole graph in process and publish it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipelines.cli.app import (
    DEFAULT_MARTS,
    DEFAULT_RAW,
    DEFAULT_WAREHOUSE,
    DEFAULT_YEAR,
    Debug,
    MartsDir,
    PgDsn,
    RawDir,
    Target,
    University,
    WarehousePath,
    Year,
    console,
    fail,
    known_sources,
    warehouse_for_year,
)
from pipelines.errors import UnionWarehouseError
from pipelines.settings import configure


def register(app: typer.Typer) -> None:
    """Add `run` to the app."""

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
                "--verbose",
                help="同时在终端显示运行日志 show the run's log (Dagster, dbt) here too",
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
        # start-up: Dagster and DuckDB load only when a command runs, not for --help
        from pipelines.resources import PostgresWarehouse, marts_folder_from_environment

        try:
            accepted = known_sources(accept_quarantine or [])
            configure(raw_dir, warehouse, marts_dir, target, pg_dsn, university, accepted)
            bound = warehouse_for_year(raw_dir, year)
            year_marts = Path(marts_folder_from_environment().path)
        except UnionWarehouseError as error:
            fail(error, debug)
            return
        # start-up: Dagster, DuckDB and the pipeline load when the command runs, not for --help
        from pipelines.publish.fingerprint import skip_unchanged

        federation = (bound.dsn, bound.university) if isinstance(bound, PostgresWarehouse) else None
        if skip_unchanged(
            year, raw_dir, warehouse, year_marts, force, console, federation, verbose
        ):
            return
        # start-up: Dagster, DuckDB and the pipeline load when the command runs, not for --help
        from pipelines.run.runner import run_year
        from pipelines.run.summary import print_run_summary

        try:
            outcome = run_year(year, console=console, debug=debug, verbose=verbose)
        except UnionWarehouseError as error:
            fail(error, debug)
            return
        print_run_summary(outcome, console)
        if not outcome.success:
            raise typer.Exit(1)
