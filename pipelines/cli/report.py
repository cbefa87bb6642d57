"""`unionwh report`: the year's report (HTML, PDF, Word) from the published warehouse.

pipelines/cli/main.py adds it with `register(app)`; it takes the same --year, --raw-dir, --warehouse,
--marts-dir and --debug options as every other command.
"""

from typing import Annotated

import typer

import pipelines.cli.app as cli
from pipelines.errors import UnionWarehouseError
from pipelines.settings import configure


def register(app: typer.Typer) -> None:
    """Add `report` to the app."""

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
        configure(raw_dir, warehouse, marts_dir)
        # start-up: Dagster, DuckDB and the pipeline load when the command runs, not for --help
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
            # start-up: Dagster, DuckDB and the pipeline load when the command runs, not for --help
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
