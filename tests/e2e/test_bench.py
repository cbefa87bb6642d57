"""The bench works: at 1× it measures every stage, the floor and the baseline agree with the
pipeline's report_figures, and bench/results.json (here a scratch copy) is written.

`--quick` leaves out the end-to-end `unionwh run` (tests/e2e/test_demo_year.py runs it) so that this
stays within about two minutes; the figures the stages give are the pipeline's (read_source,
land_source, dbt build are the pipeline's own code). The volume is the shared cache
bench/cache/data/ (generated once, about ten seconds, when missing or stale).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.e2e

TIME_BUDGET_SECONDS = 600  # a hard stop; on a quiet 2-core machine the run takes about a minute


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory) -> dict:
    scratch = tmp_path_factory.mktemp("bench")
    out = scratch / "results.json"
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.cli.main",
            "bench",
            "--scales",
            "1",
            "--quick",
            "--out",
            str(out),
            "--work-dir",
            str(scratch / "work"),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=TIME_BUDGET_SECONDS,
    )
    return {
        "result": result,
        "out": out,
        "seconds": time.perf_counter() - started,
    }


def test_bench_succeeds_and_writes_results(bench_run):
    result = bench_run["result"]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "Traceback" not in result.stdout + result.stderr
    assert bench_run["out"].exists()
    results = json.loads(bench_run["out"].read_text(encoding="utf-8"))
    assert results["ok"] is True
    assert results["machine"]["nproc"] >= 1
    assert set(results["scales"]) == {"1"}


def test_the_three_ways_agree(bench_run):
    scale = json.loads(bench_run["out"].read_text(encoding="utf-8"))["scales"]["1"]
    agreement = scale["agreement"]
    assert scale["three_ways_agree"] is True
    assert agreement["floor"]["agree"], agreement["floor"]["mismatches"]
    assert agreement["floor"]["figures_compared"] >= 35
    assert agreement["baseline"]["agree"], agreement["baseline"]["mismatches"]
    assert agreement["baseline"]["figures_compared"] >= 10
    # the generator's own figures (what its clean rows give) are the pipeline's too
    assert agreement["generator"]["agree"], agreement["generator"]["mismatches"]
    assert scale["figures"]["festival.amount"] == "13612000.00"


def test_every_stage_is_measured(bench_run):
    scale = json.loads(bench_run["out"].read_text(encoding="utf-8"))["scales"]["1"]
    stages = scale["stages"]
    for name in (
        "cells",
        "read",
        "land",
        "dbt_parse",
        "dbt_build",
        "floor",
        "checks",
        "publish",
        "baseline",
    ):
        assert stages[name]["ok"] is True, (name, stages[name].get("error"))
        assert stages[name]["seconds"] > 0, name
        assert stages[name]["wall_seconds"] >= stages[name]["seconds"] * 0.99, name
        # a fresh process per stage: its own peak, not the bench's (tens of MB at least)
        assert 20 < stages[name]["peak_mb"] < 8000, name
    assert scale["volume"]["data_rows"] > 20_000
    assert stages["read"]["rows_per_second"] > 0
    # reading alone is part of reading and typing: fewer seconds, the same files
    assert stages["cells"]["rows_per_second"] > stages["read"]["rows_per_second"]
    assert stages["cells"]["files"] == stages["read"]["files"] == 25
    assert stages["baseline"]["read_rows_per_second"] > 0
    assert stages["e2e_cold"].get("skipped") == "--quick"
    assert stages["e2e_first"].get("skipped") == "--quick"


def test_targets_are_reported(bench_run):
    results = json.loads(bench_run["out"].read_text(encoding="utf-8"))
    targets = {t["target"]: t for t in results["targets"]}
    assert len(targets) == 10
    reading = next(t for name, t in targets.items() if name.startswith("reading vs openpyxl"))
    assert reading["pass"] in (True, False)  # measured at 1×; the verdict depends on the machine
    assert "targets" in bench_run["result"].stdout
