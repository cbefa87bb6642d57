"""`unionwh sql`: a read-only query against the published warehouse, shown or saved."""

from pathlib import Path
from typing import Annotated

import typer

import pipelines.cli.app as cli
from pipelines.errors import UnionWarehouseError
from pipelines.settings import configure


def register(app: typer.Typer) -> None:
    """Add `sql` to the app."""

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
        configure(raw_dir, warehouse, marts_dir)
        # start-up: Dagster, DuckDB and the pipeline load when the command runs, not for --help
        from rich.table import Table

        # start-up: Dagster, DuckDB and the pipeline load when the command runs, not for --help
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
