"""The `report`, `sql` and `privacy` commands of `unionwh`.

`pipelines/cli/app.py` adds them with `register(app)`; they take the same --year, --raw-dir, --warehouse,
--marts-dir and --debug options as every other command.
"""

from pathlib import Path
from typing import Annotated

import typer

from pipelines.errors import UnionWarehouseError


def register(app: typer.Typer) -> None:
    """Add `report`, `sql` and `privacy` to the app.

    `pipelines.cli.app` is imported here, not at the top, because cli.py imports this module; the
    annotations are evaluated when the commands are defined (no `from __future__ import
    annotations` in this module), which is what Typer reads.
    """
    import pipelines.cli.app as cli

    @app.command()
    def report(
        year: cli.Year = cli.DEFAULT_YEAR,
        raw_dir: cli.RawDir = cli.DEFAULT_RAW,
        warehouse: cli.WarehousePath = cli.DEFAULT_WAREHOUSE,
        marts_dir: cli.MartsDir = cli.DEFAULT_MARTS,
        pdf: Annotated[
            bool, typer.Option("--pdf/--no-pdf", help="同时生成 PDF (also write report.pdf)")
        ] = True,
        docx: Annotated[
            bool,
            typer.Option("--docx/--no-docx", help="同时生成 Word 文档 (also write report.docx)"),
        ] = True,
        dbt_docs: Annotated[
            bool,
            typer.Option(
                "--dbt-docs/--no-dbt-docs",
                help="同时发布 dbt 文档与血缘图 (also publish dbt docs and lineage to marts/<year>/dbt-docs/)",
            ),
        ] = False,
        debug: cli.Debug = False,
    ) -> None:
        """生成年度报告 report.html、report.pdf 与 report.docx (write marts/<year>/report.html, .pdf, .docx)."""
        cli.configure(raw_dir, warehouse, marts_dir)
        from pipelines.report.build import build_report

        try:
            with cli.console.status(f"生成 {year} 年报告 rendering the {year} report…"):
                outputs = build_report(year, warehouse, marts_dir, pdf=pdf, docx=docx)
        except UnionWarehouseError as error:
            cli.fail(error, debug)
            return
        compared = (
            f"同比 {outputs.previous_year} (compared with {outputs.previous_year})"
            if outputs.previous_year
            else "无上年数据 (no previous year)"
        )
        cli.console.print(f"{outputs.figures} 项指标 figures · {compared}")
        for note in outputs.notes:
            cli.console.print(f"[yellow]注意[/] {note}")
        cli.console.print(f"写入 wrote {outputs.html}")
        if dbt_docs:
            from pipelines.report.dbt_docs import publish_dbt_docs
            from pipelines.resources import Warehouse

            build = Warehouse(path=str(warehouse.resolve())).build_path(year)
            with cli.console.status("生成 dbt 文档 generating dbt docs…"):
                docs = publish_dbt_docs(build, marts_dir / str(year), year)
            if docs:
                cli.console.print(
                    f"写入 wrote {docs} (dbt 文档与血缘图 dbt docs and lineage graph)"
                )
        if outputs.pdf:
            cli.console.print(f"写入 wrote {outputs.pdf}")
        if outputs.docx:
            cli.console.print(f"写入 wrote {outputs.docx} (Word)")

    @app.command()
    def sql(
        query: Annotated[str, typer.Argument(help="只读查询 a read-only query (SELECT …)")],
        year: cli.Year = cli.DEFAULT_YEAR,
        raw_dir: cli.RawDir = cli.DEFAULT_RAW,
        warehouse: cli.WarehousePath = cli.DEFAULT_WAREHOUSE,
        marts_dir: cli.MartsDir = cli.DEFAULT_MARTS,
        csv_path: Annotated[
            Path | None, typer.Option("--csv", help="写入 CSV write a CSV file")
        ] = None,
        xlsx_path: Annotated[
            Path | None, typer.Option("--xlsx", help="写入 Excel write an xlsx file")
        ] = None,
        limit: Annotated[int, typer.Option("--limit", help="最多显示行数 rows to show")] = 200,
        debug: cli.Debug = False,
    ) -> None:
        """对发布的仓库执行只读查询 (run a read-only query against the published warehouse)."""
        cli.configure(raw_dir, warehouse, marts_dir)
        from rich.table import Table

        from pipelines.report.sql import cell_text, run_query, write_csv, write_xlsx

        try:
            result = run_query(warehouse, query)
        except UnionWarehouseError as error:
            cli.fail(error, debug)
            return
        if csv_path:
            write_csv(result, csv_path)
            cli.console.print(f"写入 wrote {csv_path} ({len(result.rows)} 行 rows)")
        if xlsx_path:
            write_xlsx(result, xlsx_path)
            cli.console.print(f"写入 wrote {xlsx_path} ({len(result.rows)} 行 rows)")
        if csv_path or xlsx_path:
            return
        table = Table(show_lines=False, header_style="bold")
        for name, kind in zip(result.columns, result.types, strict=True):
            numeric = any(
                t in kind.upper() for t in ("INT", "DECIMAL", "DOUBLE", "FLOAT", "HUGEINT")
            )
            table.add_column(name, justify="right" if numeric else "left")
        for row in result.rows[:limit]:
            table.add_row(*(cell_text(v) for v in row))
        cli.console.print(table)
        shown = min(limit, len(result.rows))
        more = (
            f",显示前 {shown} 行 (showing {shown}; use --csv/--xlsx for all)"
            if shown < len(result.rows)
            else ""
        )
        cli.console.print(f"{len(result.rows)} 行 rows{more}")

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
        cli.configure(raw_dir, warehouse, marts_dir, target, pg_dsn, university)
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
