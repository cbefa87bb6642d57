"""`unionwh template`, `unionwh validate` and `unionwh serve`: the departments' front door
(pipelines/frontdoor/)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipelines.cli.app import (
    DEFAULT_MARTS,
    DEFAULT_RAW,
    DEFAULT_WAREHOUSE,
    DEFAULT_YEAR,
    MartsDir,
    RawDir,
    WarehousePath,
    Year,
    console,
    fail,
    known_sources,
)
from pipelines.errors import UnionWarehouseError

Source = Annotated[
    str | None, typer.Option("--source", help="数据来源（默认全部/按表头识别） source")
]


def template(
    out: Annotated[Path, typer.Option("--out", help="输出目录 output folder")],
    year: Year = DEFAULT_YEAR,
    source: Source = None,
    department: Annotated[
        str | None, typer.Option("--department", help="部门代码 department code")
    ] = None,
) -> None:
    """生成报送模板 (write one .xlsx template per source from the contract)."""
    # start-up: the writer and the contract load when the command runs, not for --help
    from pipelines.frontdoor.template import write_templates

    try:
        paths = write_templates(out, year, source, department)
    except UnionWarehouseError as error:
        fail(error, False)
        return
    for path in paths:
        console.print(f"写入 wrote {path}")


def validate(
    files: Annotated[list[Path], typer.Argument(help="要检查的文件 files to check")],
    year: Year = DEFAULT_YEAR,
    source: Source = None,
    raw_dir: RawDir = DEFAULT_RAW,
    warehouse: WarehousePath = DEFAULT_WAREHOUSE,
) -> None:
    """按今晚运行的规则检查文件 (check files with the nightly run's rules; exit 0 only when every
    row would load clean)."""
    # start-up: the reading and dbt load when the command runs, not for --help
    from pipelines.frontdoor.validate import validate_files
    from pipelines.ingest.readers import shutdown_pool

    missing = [f for f in files if not f.is_file()]
    if missing:
        fail(UnionWarehouseError(f"找不到文件 {missing[0]}", f"no such file {missing[0]}"), False)
    work_dir = warehouse.parent / "private" / "frontdoor"
    try:
        result = validate_files([(f, f.name) for f in files], year, raw_dir, work_dir, source)
    except UnionWarehouseError as error:
        fail(error, False)
        return
    finally:
        shutdown_pool()  # the reader processes are not left for the exit to wait on
    for check in result.files:
        mark = "[green]✓[/]" if check.ok else "[red]✗[/]"
        console.print(
            f"{mark} {check.file_name} ({check.source or '?'}): "
            f"{check.rows_clean}/{check.rows} 行无误 rows clean"
        )
        for problem in check.problems:
            tag = "警告 warning" if problem.severity == "warning" else "错误 error"
            console.print(f"  {tag}: {problem.message_zh}", markup=False)
            console.print(f"      {problem.message_en}", markup=False)
            if problem.advice_zh:
                console.print(f"      → {problem.advice_zh} / {problem.advice_en}", markup=False)
    if not result.ok:
        raise typer.Exit(1)


def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址 address")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口 port")] = 8765,
    year: Year = DEFAULT_YEAR,
    raw_dir: RawDir = DEFAULT_RAW,
    warehouse: WarehousePath = DEFAULT_WAREHOUSE,
    marts_dir: MartsDir = DEFAULT_MARTS,
    add_department: Annotated[
        str | None,
        typer.Option("--add-department", help="为部门生成访问码 make a department's access code"),
    ] = None,
    add_office: Annotated[
        bool, typer.Option("--add-office", help="为工会办公室生成访问码 the office's code")
    ] = False,
    sends: Annotated[
        list[str] | None,
        typer.Option(
            "--sends",
            help="与 --add-department 同用：该部门每年应报送的来源（可多次；默认全部） "
            "with --add-department: a source the department sends each year (repeat; default all)",
        ),
    ] = None,
) -> None:
    """启动报送网页 (the departments' submission page and the office's status page)."""
    # start-up: the web application loads when the command runs, not for --help
    from pipelines.frontdoor import accounts
    from pipelines.frontdoor.web.app import Settings, create_app

    settings = Settings(raw_dir.resolve(), marts_dir.resolve(), warehouse.resolve(), year=year)
    if add_department or add_office:
        code = accounts.OFFICE if add_office else str(add_department)
        try:
            secret = accounts.add_account(
                settings.accounts_path, code, tuple(known_sources(sends or [], "--sends"))
            )
        except UnionWarehouseError as error:
            fail(error, False)
            return
        console.print(f"{code} 的访问码 access code (只显示这一次 shown once): {secret}")
        return
    # start-up: the web server loads only to serve
    import uvicorn

    from pipelines.ingest.readers import shutdown_pool

    console.print(f"报送网页 submission page: http://{host}:{port}/")
    try:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
    except KeyboardInterrupt:  # uvicorn stops gracefully, then raises Ctrl-C's signal again
        pass
    finally:
        shutdown_pool()  # the checks' reader processes, kept warm while the page runs


def register(app: typer.Typer) -> None:
    """Add `template`, `validate` and `serve` to the app."""
    app.command()(template)
    app.command()(validate)
    app.command()(serve)
