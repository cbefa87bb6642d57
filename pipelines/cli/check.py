"""`unionwh check`: ingestion and every check of a year, without publishing.

It runs the year's job without the `published/year` asset: the raw files are read and landed, dbt
builds and tests, and every asset check runs (row conservation, rejected files, the Great
Expectations suites, the reconciliations, the dbt tests). marts/<year>/ and the analysts' warehouse
are not touched. It prints one table (check, status, rows affected, where to look) and exits 1 when a
blocking check failed or a file was rejected, 0 otherwise.
"""

from dataclasses import dataclass
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

import pipelines.cli.app as cli
from pipelines.errors import UnionWarehouseError
from pipelines.settings import configure

PASS, FAIL, WARN, NOT_RUN = "通过 pass", "未通过 FAIL", "警告 warn", "未运行 not run"
EXPECTATIONS_CHECK = "great_expectations_contract_suite"


@dataclass
class CheckRow:
    check: str
    status: str
    rows_affected: int | None
    where: str
    details: str | None = None
    blocking: bool = False
    affected: str | None = None

    @property
    def affected_text(self) -> str:
        if self.affected:
            return self.affected
        return "" if self.rows_affected is None else f"{self.rows_affected:,}"


def _status(check) -> str:
    if check.passed:
        return PASS
    return FAIL if check.severity == "ERROR" else WARN


def check_rows(
    outcome, expected: list[tuple[str, str, bool]], show_all: bool = False
) -> list[CheckRow]:
    """The table's rows: our checks one by one (in `expected` order, `not run` when they did not
    run), then the dbt tests that did not pass, then one line for the dbt tests that passed (or each
    of them with show_all)."""
    seen = {(c.asset, c.name): c for c in outcome.checks}
    rows: list[CheckRow] = []
    for asset, name, blocking in expected:
        check = seen.pop((asset, name), None)
        label = name
        if name == EXPECTATIONS_CHECK:
            table = asset.split("/")[-1].removeprefix("int_").removesuffix("_classified")
            label = f"great_expectations: {table}"
        if check is None:
            rows.append(CheckRow(label, NOT_RUN, None, asset.replace("/", "."), blocking=blocking))
            continue
        rows.append(
            CheckRow(
                label,
                _status(check),
                check.rows_affected,
                check.where or asset,
                None if check.passed else check.details,
                blocking,
                check.affected,
            )
        )
    dbt_checks = sorted(seen.values(), key=lambda c: (c.passed, c.asset, c.name))
    passed = [c for c in dbt_checks if c.passed]
    for check in dbt_checks:
        if check.passed and not show_all:
            continue
        rows.append(
            CheckRow(
                f"dbt: {check.name}",
                _status(check),
                check.rows_affected,
                check.where or check.asset,
                blocking=check.blocking,
            )
        )
    if passed and not show_all:
        rows.append(
            CheckRow(
                f"dbt 测试 tests ({len(passed)} 项通过 passed; --all 逐项列出 lists each)",
                PASS,
                sum(c.rows_affected or 0 for c in passed),
                "dbt_project/ (dbt build)",
            )
        )
    return rows


def expected_checks() -> list[tuple[str, str, bool]]:
    """Every asset check this project defines itself (dbt's come from the run), in their order."""
    # start-up: the checks' assets (Dagster) load when the command runs, not for --help
    from pipelines.checks.assets import asset_checks

    return [
        (spec.asset_key.to_user_string(), spec.name, spec.blocking)
        for definition in asset_checks
        for spec in definition.check_specs
    ]


def print_check_table(year: int, rows: list[CheckRow], console: Console) -> None:
    table = Table(title=f"{year} 年度检查（未发布） checks for {year} (nothing published)")
    table.add_column("检查 check")
    table.add_column("状态 status")
    table.add_column("影响行数 rows affected", justify="right")
    table.add_column("查看位置 where to look")
    colour = {PASS: "green", FAIL: "bold red", WARN: "yellow", NOT_RUN: "red"}
    for row in rows:
        status = f"[{colour[row.status]}]{row.status}[/]"
        table.add_row(row.check, status, row.affected_text, row.where)
    console.print(table)
    for row in rows:
        if row.details and row.status != PASS:
            console.print(f"[red]✗[/] {row.check}:")
            for line in str(row.details).splitlines():
                console.print(f"    {line.removeprefix('- ')}")


def register(app: typer.Typer) -> None:
    """Add `check` to the app."""

    @app.command()
    def check(
        year: cli.Year = cli.DEFAULT_YEAR,
        raw_dir: cli.RawDir = cli.DEFAULT_RAW,
        warehouse: cli.WarehousePath = cli.DEFAULT_WAREHOUSE,
        marts_dir: cli.MartsDir = cli.DEFAULT_MARTS,
        debug: cli.Debug = False,
        show_all: Annotated[
            bool, typer.Option("--all", help="逐项列出每个 dbt 测试 list every dbt test")
        ] = False,
        target: cli.Target = "duckdb",
        pg_dsn: cli.PgDsn = None,
        university: cli.University = None,
    ) -> None:
        """读取并运行全部检查，不发布 (ingest and run every check without publishing; exit 1 on a blocking failure)."""
        configure(raw_dir, warehouse, marts_dir, target, pg_dsn, university)
        # start-up: Dagster, DuckDB and the pipeline load when the command runs, not for --help
        from pipelines.checks.assets import data_docs_dir
        from pipelines.run.runner import run_year
        from pipelines.run.summary import rejected_files

        try:
            bound = cli.warehouse_for_year(raw_dir, year)
            outcome = run_year(year, console=cli.console, debug=debug, publish=False)
        except UnionWarehouseError as error:
            cli.fail(error, debug)
            return
        rows = check_rows(outcome, expected_checks(), show_all)
        print_check_table(year, rows, cli.console)
        docs = data_docs_dir(bound, year) / "index.html"
        if docs.is_file():
            cli.console.print(f"Data Docs (Great Expectations): {docs}")
        rejected = rejected_files(year)
        for failure in outcome.failures:
            if "检查未通过" not in failure:
                cli.console.print(f"[red]✗[/] {failure}")
        if outcome.log_path is not None:
            cli.console.print(f"日志 log: {outcome.log_path}", soft_wrap=True, markup=False)
        blocking_failed = [r for r in rows if r.status == FAIL and r.blocking]
        if blocking_failed or rejected or not outcome.success:
            names = "、".join(r.check for r in blocking_failed) or "运行失败 run failed"
            cli.console.print(f"[bold red]检查未通过 checks failed[/]: {names}")
            raise typer.Exit(1)
        cli.console.print(
            f"[bold green]全部阻断性检查通过 every blocking check passed[/] "
            f"({outcome.seconds_total:.1f} s; 未发布 nothing published)"
        )
