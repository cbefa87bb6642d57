"""`unionwh audit`: rebuild a published year from its archive and compare (pipelines.publish.audit)."""

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer

import pipelines.cli.app as cli
from pipelines.errors import UnionWarehouseError
from pipelines.publish.audit import (
    EXIT_CANNOT_AUDIT,
    EXIT_DIFFERENT,
    MANIFEST_NAME,
    CannotAudit,
    audit_year,
    print_result,
)


def register(app: typer.Typer) -> None:
    """Add `audit` to the app."""

    @app.command()
    def audit(
        year: cli.Year = cli.DEFAULT_YEAR,
        raw_dir: cli.RawDir = cli.DEFAULT_RAW,
        warehouse: cli.WarehousePath = cli.DEFAULT_WAREHOUSE,
        marts_dir: cli.MartsDir = cli.DEFAULT_MARTS,
        manifest: Annotated[
            Path | None,
            typer.Option(
                "--manifest", help="要审计的清单 the manifest to audit (marts/<year>/manifest.json)"
            ),
        ] = None,
        scratch_dir: Annotated[
            Path | None,
            typer.Option(
                "--scratch-dir",
                help="重算目录（保留） keep the rebuild here (default: a temporary folder, removed)",
            ),
        ] = None,
        debug: cli.Debug = False,
    ) -> None:
        """从归档重算已发布的年度并逐项比较 (rebuild a published year from its archive, compare; exit 1 if different)."""
        manifest_path = (manifest or marts_dir / str(year) / MANIFEST_NAME).resolve()
        archive_dir = warehouse.resolve().parent / "archive"
        keep = scratch_dir is not None
        if keep and scratch_dir.exists() and any(scratch_dir.iterdir()):
            cli.err_console.print(
                f"[red]错误[/] 重算目录 {scratch_dir} 不为空 / error: --scratch-dir {scratch_dir} "
                "is not empty"
            )
            raise typer.Exit(EXIT_CANNOT_AUDIT)
        scratch = (
            scratch_dir.resolve()
            if keep
            else Path(tempfile.mkdtemp(prefix=f"unionwh-audit-{year}-"))
        )
        try:
            result = audit_year(
                year, manifest_path, archive_dir, raw_dir.resolve(), scratch, cli.console, debug
            )
        except CannotAudit as error:
            if debug:
                raise
            cli.err_console.print(f"[bold red]无法审计[/] {error.message_zh}")
            cli.err_console.print(f"[red]cannot audit[/] {error.message_en}")
            raise typer.Exit(EXIT_CANNOT_AUDIT) from None
        except UnionWarehouseError as error:
            cli.fail(error, debug)
            return
        finally:
            if not keep:
                shutil.rmtree(scratch, ignore_errors=True)
        print_result(result, cli.console)
        if keep:
            cli.console.print(f"重算结果保留在 rebuild kept in {scratch}", markup=False)
        if not result.identical:
            raise typer.Exit(EXIT_DIFFERENT)
