"""`unionwh demo-data`: the deterministic demo raw files of a year (the one entry point)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from pipelines.cli.app import DEFAULT_RAW, Year, console, err_console


def register(app: typer.Typer) -> None:
    """Add `demo-data` to the app."""

    @app.command("demo-data")
    def demo_data(
        year: Year = 2023,
        out: Annotated[Path, typer.Option("--out", help="输出目录 output folder")] = DEFAULT_RAW,
        scale: Annotated[int, typer.Option("--scale", help="数据量倍数 volume multiplier")] = 1,
        seed: Annotated[int, typer.Option("--seed")] = 0,
        clean: Annotated[
            bool,
            typer.Option(
                "--clean",
                help="先删除该年度的十个来源目录 remove the year's ten source folders first",
            ),
        ] = False,
    ) -> None:
        """生成演示数据 (write the deterministic demo data for a year)."""
        # start-up: the generator (xlsxwriter, xlwt) loads only when this command runs
        from pipelines.demo.generator import build

        started = time.perf_counter()
        try:
            with console.status(f"生成 {year} 年演示数据 generating demo data (scale {scale})…"):
                result = build(year, out, scale=scale, seed=seed, clean=clean)
        except ValueError as error:
            err_console.print(f"[red]错误 error[/] {error}")
            raise typer.Exit(2) from None
        size = sum(p.stat().st_size for p in result.paths)
        quarantine = sum(p.reason not in ("duplicate", "clean") for p in result.planted)
        duplicates = sum(p.reason == "duplicate" for p in result.planted)
        console.print(
            f"写入 {len(result.paths)} 个文件到 {out / str(year)} (wrote {len(result.paths)} files, "
            f"{size / 1e6:.1f} MB, {time.perf_counter() - started:.1f} s); "
            f"planted {quarantine} rows to quarantine and {duplicates} duplicates"
        )
