"""`unionwh bench`: wall time and peak memory of every stage at 1×, 10× and 100× the 2023 demo.

The harness is pipelines.bench.harness; docs/performance.md has the results.
"""

from pathlib import Path
from typing import Annotated

import typer


def parse_scales(text: str) -> tuple[int, ...]:
    try:
        scales = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise typer.BadParameter(f"--scales wants numbers like 1,10,100, not {text!r}") from exc
    if not scales or any(s < 1 for s in scales):
        raise typer.BadParameter("--scales wants positive numbers like 1,10,100")
    return scales


def register(app: typer.Typer) -> None:
    """Add `bench` to the app."""

    @app.command()
    def bench(
        scales: Annotated[
            str,
            typer.Option("--scales", help="数据量倍数 volumes, e.g. 1,10,100 (default: all three)"),
        ] = "1,10,100",
        year: Annotated[int, typer.Option("--year", help="演示数据年度 demo year")] = 2023,
        out: Annotated[
            Path | None,
            typer.Option("--out", help="结果文件 results file (default bench/results.json)"),
        ] = None,
        baseline_max_scale: Annotated[
            int | None,
            typer.Option(
                "--baseline-max-scale",
                help="pandas/openpyxl 基线只跑到此倍数 baseline up to this scale (0: every scale)",
            ),
        ] = 10,
        floor_tests: Annotated[
            bool, typer.Option("--floor-tests/--no-floor-tests", help="floor 也执行 dbt 测试的 SQL")
        ] = True,
        stale_data_ok: Annotated[
            bool,
            typer.Option(
                "--stale-data-ok",
                help="生成器改动后仍用缓存数据 reuse cached data made by an older generator",
            ),
        ] = False,
        quick: Annotated[
            bool,
            typer.Option(
                "--quick",
                help="只测各阶段、floor 与基线，不跑 unionwh run 与报告 "
                "(stages, floor and baseline only: no end-to-end run, no report)",
            ),
        ] = False,
        work_dir: Annotated[
            Path | None,
            typer.Option("--work-dir", help="工作目录 scratch folder (default bench/cache/work)"),
        ] = None,
        strict: Annotated[
            bool,
            typer.Option(
                "--strict", help="有目标未达成时退出码为 1 exit 1 when a target is missed"
            ),
        ] = False,
    ) -> None:
        """性能基准 (benchmark every stage at 1×/10×/100× the demo; writes bench/results.json)."""
        # start-up: the harness (DuckDB, Dagster's stages) loads only when the bench runs
        from rich.console import Console

        from pipelines.bench.harness import RESULTS_PATH, WORK_DIR, BenchOptions, run_bench

        options = BenchOptions(
            scales=parse_scales(scales),
            year=year,
            out=out or RESULTS_PATH,
            stale_data_ok=stale_data_ok,
            baseline_max_scale=baseline_max_scale or None,
            floor_tests=floor_tests,
            quick=quick,
            work_dir=work_dir or WORK_DIR,
            console=Console(highlight=False),
        )
        results = run_bench(options)
        missed = [t for t in results["targets"] if t["pass"] is False]
        if not results["ok"] or (strict and missed):
            raise typer.Exit(1)
