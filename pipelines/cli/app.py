"""unionwh's app and the options every command shares; one module per command beside it.

Every command takes --year, --raw-dir, --warehouse and --marts-dir with the same defaults, so any
of them can be pointed at a scratch warehouse. Errors the user can cause print in Chinese and English
without a traceback (add --debug to see one).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipelines.errors import UnionWarehouseError

# the commands' defaults: pipelines.settings holds them for the resources too
from pipelines.settings import DEFAULT_MARTS, DEFAULT_RAW, DEFAULT_WAREHOUSE  # noqa: F401

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


def known_sources(names: list[str], option: str = "--accept-quarantine") -> list[str]:
    """`option`'s source names, each a source of the contract."""
    # start-up: the contract is read when a command runs, not for --help
    from pipelines.contract import load_contract

    return load_contract().require_sources(names, option)


def warehouse_for_year(raw_dir: Path, year: int):
    """The configured warehouse, once it may build this year: on PostgreSQL the server answers
    and the user is in the university's office (who may build comes before what is to build),
    then the year's raw folder exists. Raises UnionWarehouseError."""
    # start-up: Dagster, DuckDB and psycopg load when a command runs, not for --help
    from pipelines.publish.federation_access import require_office
    from pipelines.resources import PostgresWarehouse, require_year_dir, warehouse_from_environment

    bound = warehouse_from_environment()
    if isinstance(bound, PostgresWarehouse):
        bound.check_connection()
        require_office(bound.dsn, bound.university)
    require_year_dir(raw_dir, year)
    return bound


def fail(error: UnionWarehouseError, debug: bool) -> None:
    if debug:
        raise error
    err_console.print(f"[bold red]错误[/] {error.message_zh}")
    err_console.print(f"[red]error[/] {error.message_en}")
    raise typer.Exit(1)
