"""`unionwh privacy`: scan the published outputs and the run logs for ID-card and mobile numbers."""

from pathlib import Path
from typing import Annotated

import typer

import pipelines.cli.app as cli
from pipelines.errors import UnionWarehouseError
from pipelines.settings import configure


def register(app: typer.Typer) -> None:
    """Add `privacy` to the app."""

    @app.command()
    def privacy(
        year: cli.Year = cli.DEFAULT_YEAR,
        raw_dir: cli.RawDir = cli.DEFAULT_RAW,
        warehouse: cli.WarehousePath = cli.DEFAULT_WAREHOUSE,
        marts_dir: cli.MartsDir = cli.DEFAULT_MARTS,
        log: Annotated[
            list[Path] | None,
            typer.Option(
                "--log",
                help="同时检查的日志 log file(s) to scan (default: the year's run logs beside "
                "the warehouse)",
            ),
        ] = None,
        debug: cli.Debug = False,
        target: cli.Target = "duckdb",
        pg_dsn: cli.PgDsn = None,
        university: cli.University = None,
    ) -> None:
        """检查发布的数据中有无身份证号、手机号 (scan published outputs for ID and mobile numbers)."""
        configure(raw_dir, warehouse, marts_dir, target, pg_dsn, university)
        # start-up: Dagster, DuckDB and the pipeline load when the command runs, not for --help
        from pipelines.checks.privacy import known_values_from_build, scan_publication
        from pipelines.resources import (
            PostgresWarehouse,
            marts_folder_from_environment,
            warehouse_from_environment,
        )
        from pipelines.run.log import year_logs

        try:
            bound = warehouse_from_environment()
            year_dir = marts_folder_from_environment().year_dir(year)
            if isinstance(bound, PostgresWarehouse):
                # the federation database, every university's rows; the roster of this build
                from pipelines.db.postgres import database_exists

                published: Path | str = bound.dsn
                built = database_exists(bound.dsn, bound.build_database(year))
                build: Path | str | None = bound.build_path(year) if built else None
            else:
                published = warehouse
                build = bound.build_path(year) if bound.build_path(year).exists() else None
            known = known_values_from_build(build) if build is not None else []
            findings = scan_publication(
                published,
                year_dir,
                logs=log if log is not None else year_logs(warehouse, year),
                known_values=known,
            )
        except UnionWarehouseError as error:
            cli.fail(error, debug)
            return
        if not findings:
            cli.console.print(
                f"[green]未发现个人信息[/] no ID or mobile numbers found "
                f"({len(known)} 个名册号码已比对 roster values checked)"
            )
            return
        for finding in findings:
            cli.err_console.print(f"[red]发现[/] {finding.describe()}")
        cli.err_console.print(f"[bold red]{len(findings)} 处个人信息 personal data found[/]")
        raise typer.Exit(1)
