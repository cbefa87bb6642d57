"""The bench: every stage of the pipeline at 1×, 10× and 100× the 2023 demo, against a floor and a
baseline, with the issue's targets.

Per volume (the demo generator's `--scale`, cached under bench/cache/data/):
1. stages, each in its own process (wall time, peak memory): read (read_source for every source),
   land (land_source into a fresh build file; the archive copy timed apart), dbt parse, dbt build,
   checks, publish, report (when `unionwh report` exists);
2. the floor: the compiled SQL of every dbt node run straight in DuckDB on a copy of the landed file;
3. end to end: `unionwh run` cold (fresh warehouse folder: process start, dbt parse, everything) and
   again with unchanged inputs;
4. the baseline: bench/baseline.py, pandas + openpyxl, a handful of figures;
5. agreement: the pipeline's report_figures = the floor's (every figure) = the baseline's (its
   figures); the dbt stage's report_figures and the generator's own figures are compared too.

Everything measured goes to bench/results.json; a table and the targets are printed.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from pipelines.bench.data import (
    BENCH_DIR,
    CACHE_DIR,
    Volume,
    cached_volume,
    generator_fingerprint,
    volume_root,
)
from pipelines.bench.measure import Measured, run_measured
from pipelines.resources import Warehouse
from pipelines.settings import PROJECT_ROOT

WORK_DIR = CACHE_DIR / "work"
RESULTS_PATH = BENCH_DIR / "results.json"
BASELINE_SCRIPT = BENCH_DIR / "baseline.py"
DEFAULT_SCALES = (1, 10, 100)
STAGE_TIMEOUT = 3600.0
GB = 1024.0

STAGE_LABELS = {
    "generate": "generate demo data",
    "read": "read + type (read-ahead)",
    "cells": "read spreadsheets (cells only)",
    "land": "land (raw.*)",
    "archive": "archive raw files",
    "dbt_parse": "dbt parse + compile tests (new build)",
    "dbt_build": "dbt step (models + tests)",
    "floor": "floor (SQL in DuckDB)",
    "checks": "checks (gate, GX)",
    "publish": "publish",
    "report": "report",
    "e2e_first": "unionwh run, new warehouse",
    "e2e_cold": "unionwh run, cold",
    "e2e_rerun": "unionwh run, rerun",
    "baseline": "baseline (pandas)",
}


@dataclass
class BenchOptions:
    scales: tuple[int, ...] = DEFAULT_SCALES
    year: int = 2023
    seed: int = 0
    out: Path = RESULTS_PATH
    stale_data_ok: bool = False
    # no baseline above this scale (None: every scale). At 100× the baseline alone takes ~7 minutes
    # and 4.4 GB; reading is compared at 10× (240,000 rows) by default.
    baseline_max_scale: int | None = 10
    floor_tests: bool = True
    quick: bool = False  # stages, floor and baseline only: no `unionwh run`, no report
    work_dir: Path = WORK_DIR
    console: Console = field(default_factory=lambda: Console(highlight=False))


class BenchFailed(Exception):
    pass


# ------------------------------------------------------------------------------------ helpers


def _bin(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def _stage_cmd(stage: str, spec: dict) -> list[str]:
    return [sys.executable, "-m", "pipelines.bench.stages", stage, json.dumps(spec, default=str)]


def _last_json(measured: Measured) -> dict:
    for line in reversed(measured.stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    return {}


def _entry(measured: Measured, inner: dict | None = None, seconds: float | None = None) -> dict:
    inner = inner or {}
    return {
        "ok": measured.ok,
        "seconds": round(
            seconds if seconds is not None else inner.get("seconds", measured.wall_seconds), 3
        ),
        "wall_seconds": round(measured.wall_seconds, 3),
        "cpu_seconds": round(measured.cpu_seconds, 3),
        "peak_mb": round(measured.peak_mb, 1),
        "peak_rss_mb": round(measured.peak_rss_mb, 1),
        "tree_rss_mb": round(measured.tree_rss_mb, 1),
        **({"error": measured.tail(3000)} if not measured.ok else {}),
        **{k: v for k, v in inner.items() if k != "seconds"},
    }


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _copy_db(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (target, target.with_name(target.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def machine() -> dict:
    cpu = "unknown"
    memory_gb = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for module in ("duckdb", "polars", "fastexcel", "dagster", "openpyxl", "pandas"):
        try:
            versions[module] = __import__(module).__version__
        except Exception:  # pragma: no cover - a missing optional module
            versions[module] = None
    try:
        from importlib.metadata import version

        versions["dbt-core"] = version("dbt-core")
        versions["dbt-duckdb"] = version("dbt-duckdb")
    except Exception:  # pragma: no cover
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = bool(
        subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    return {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gb": memory_gb,
        "cpu_model": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "git_commit": commit + ("+dirty" if dirty else ""),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }


def _figures_from_db(db: Path, year: int) -> dict[str, Decimal]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select figure_key, value from marts.report_figures where year = ?", [year]
        ).fetchall()
    return {k: Decimal(v) if v is not None else None for k, v in rows}


def _figures_from_parquet(path: Path, year: int) -> dict[str, Decimal]:
    with duckdb.connect() as con:
        rows = con.execute(
            "select figure_key, value from read_parquet(?) where year = ?", [str(path), year]
        ).fetchall()
    return {k: Decimal(v) if v is not None else None for k, v in rows}


def _compare(reference: dict, other: dict, keys=None) -> dict:
    keys = sorted(keys if keys is not None else set(reference) | set(other))
    mismatches = {
        k: {"pipeline": _s(reference.get(k)), "other": _s(other.get(k))}
        for k in keys
        if _dec(reference.get(k)) != _dec(other.get(k))
    }
    return {"figures_compared": len(keys), "agree": not mismatches, "mismatches": mismatches}


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _s(value) -> str | None:
    return None if value is None else str(value)


_E2E_STAGE = re.compile(r"(read \+ land|checks|dbt build|publish) ([\d.]+) s")


def _e2e_stage_seconds(stdout: str) -> dict[str, float]:
    return {name: float(v) for name, v in _E2E_STAGE.findall(stdout)}


# -------------------------------------------------------------------------------------- bench


class Bench:
    def __init__(self, options: BenchOptions) -> None:
        self.o = options
        self.console = options.console
        self.results: dict = {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": "uv run unionwh bench --scales "
            + ",".join(map(str, options.scales))
            + (" --quick" if options.quick else ""),
            "year": options.year,
            "seed": options.seed,
            "results_path": str(options.out),
            "machine": machine(),
            "scales": {},
        }

    def log(self, text: str) -> None:
        self.console.print(f"[dim]{time.strftime('%H:%M:%S')}[/] {text}")

    def measured(self, key: str, args: list[str], scale_result: dict, **kwargs) -> Measured:
        self.log(f"  {STAGE_LABELS.get(key, key)} …")
        m = run_measured(args, timeout=STAGE_TIMEOUT, **kwargs)
        status = "ok" if m.ok else f"[red]failed (exit {m.returncode})[/]"
        self.log(
            f"  {STAGE_LABELS.get(key, key)}: {m.wall_seconds:.1f} s, {m.peak_mb:.0f} MB {status}"
        )
        return m

    # -- one volume -------------------------------------------------------------------------

    def volume(self, scale: int, out: dict) -> Volume:
        volume = cached_volume(self.o.year, scale, self.o.seed, stale_ok=self.o.stale_data_ok)
        if volume is not None:
            self.log(f"{scale}×: cached volume {volume.root} ({volume.bytes / 1e6:.0f} MB)")
            out["generate"] = {"cached": True, "seconds": volume.meta["seconds"]}
        else:
            self.log(
                f"{scale}×: generating the demo volume (once; cached in {volume_root(self.o.year, scale, self.o.seed)})"
            )
            m = self.measured(
                "generate",
                _stage_cmd("generate", {"year": self.o.year, "scale": scale, "seed": self.o.seed}),
                out,
            )
            if not m.ok:
                raise BenchFailed(f"generating {scale}× failed:\n{m.tail()}")
            out["generate"] = {"cached": False, **_entry(m, _last_json(m))}
            out["generate"].pop("figures", None)
            volume = cached_volume(self.o.year, scale, self.o.seed, stale_ok=True)
        out["volume"] = {
            "root": str(volume.root),
            "files": volume.files,
            "bytes": volume.bytes,
            "generator": volume.meta.get("generator"),
            "generator_current": volume.meta.get("generator") == generator_fingerprint(),
        }
        return volume

    def run_scale(self, scale: int, out: dict) -> dict:
        """Measure one volume into `out` (partial results stay there when a stage fails)."""
        o = self.o
        stages: dict[str, dict] = {}
        out["stages"] = stages
        volume = self.volume(scale, out)
        work = _fresh(o.work_dir / f"x{scale}")
        year_dir = volume.year_dir
        y = o.year
        landed = work / "landed" / f"{y}.duckdb"
        dbt_db = work / "dbt" / f"{y}.duckdb"
        # the floor's file has the dbt file's name: the compiled SQL names that catalog
        floor_db = work / "floor" / f"{y}.duckdb"
        target = work / "dbt-target"

        # read
        handoff = work / "read-handoff"
        m = self.measured(
            "read",
            _stage_cmd("read", {"year_dir": str(year_dir), "handoff_dir": str(handoff)}),
            out,
        )
        read = _last_json(m)
        stages["read"] = _entry(m, read)
        if not m.ok:
            raise BenchFailed(f"read failed at {scale}×:\n{m.tail()}")
        rows = read["rows"]
        stages["read"]["rows_per_second"] = (
            round(rows / read["seconds"]) if read["seconds"] else None
        )
        out["volume"]["data_rows"] = rows
        if read.get("rejected"):
            self.log(f"  [yellow]rejected files: {read['rejected']}[/]")

        # spreadsheet reading alone: what the openpyxl baseline's reading does
        m = self.measured("cells", _stage_cmd("cells", {"year_dir": str(year_dir)}), out)
        stages["cells"] = _entry(m, _last_json(m))
        if not m.ok:
            raise BenchFailed(f"cells failed at {scale}×:\n{m.tail()}")
        stages["cells"]["rows_per_second"] = round(rows / stages["cells"]["seconds"])

        # land (+ archive)
        m = self.measured(
            "land",
            _stage_cmd(
                "land",
                {
                    "year_dir": str(year_dir),
                    "db": str(landed),
                    "archive_dir": str(work / "archive"),
                    "handoff_dir": str(handoff),
                    "year": y,
                },
            ),
            out,
        )
        land = _last_json(m)
        stages["land"] = _entry(m, land)
        if not m.ok:
            raise BenchFailed(f"land failed at {scale}×:\n{m.tail()}")
        shutil.rmtree(handoff, ignore_errors=True)
        stages["archive"] = {"ok": True, "seconds": round(land.pop("archive_seconds"), 3)}
        stages["land"].pop("archive_seconds", None)

        # dbt, in process as a run does it: first what a new build pays once (the whole parse, the
        # compile of every test), then what every run pays (kept manifest and compiled tests,
        # models built by dbt, every declared test in one connection), on a copy of the landed file
        _copy_db(landed, dbt_db)
        dbt_spec = {"db": str(dbt_db), "target": str(target), "year": y}
        m = self.measured("dbt_parse", _stage_cmd("dbt", {**dbt_spec, "mode": "parse"}), out)
        stages["dbt_parse"] = _entry(m, _last_json(m))
        if not m.ok:
            raise BenchFailed(f"dbt parse failed at {scale}×:\n{m.tail()}")
        manifest, floor_tests = work / "floor-manifest.json", work / "floor-tests.json"
        m = self.measured(
            "dbt_build",
            _stage_cmd(
                "dbt",
                {
                    **dbt_spec,
                    "mode": "build",
                    "floor_manifest": str(manifest),
                    "floor_tests": str(floor_tests),
                },
            ),
            out,
        )
        stages["dbt_build"] = _entry(m, _last_json(m))
        if not m.ok or not stages["dbt_build"].get("all_passed"):
            raise BenchFailed(f"dbt build failed at {scale}×:\n{m.tail()}")

        # floor
        _copy_db(landed, floor_db)
        m = self.measured(
            "floor",
            _stage_cmd(
                "floor",
                {
                    "db": str(floor_db),
                    "manifest": str(manifest),
                    "tests": str(floor_tests),
                    "with_tests": o.floor_tests,
                },
            ),
            out,
        )
        stages["floor"] = _entry(m, _last_json(m))
        if not m.ok:
            raise BenchFailed(f"floor failed at {scale}×:\n{m.tail()}")

        # checks, publish
        m = self.measured(
            "checks",
            _stage_cmd(
                "checks", {"db": str(dbt_db), "year": y, "docs_dir": str(work / "data-docs")}
            ),
            out,
        )
        stages["checks"] = _entry(m, _last_json(m))
        publish_dir = work / "publish"
        published = publish_dir / "warehouse" / "union.duckdb"
        m = self.measured(
            "publish",
            _stage_cmd(
                "publish",
                {
                    "db": str(dbt_db),
                    "manifest": str(manifest),
                    "marts_dir": str(publish_dir / "marts"),
                    "warehouse": str(published),
                    "year": y,
                },
            ),
            out,
        )
        stages["publish"] = _entry(m, _last_json(m))

        # report
        if o.quick:
            stages["report"] = {"ok": None, "skipped": "--quick"}
        else:
            # the report reads the published warehouse the publish stage wrote
            m = self.measured(
                "report",
                [
                    _bin("unionwh"),
                    "report",
                    "--year",
                    str(y),
                    "--raw-dir",
                    str(volume.root),
                    "--warehouse",
                    str(published),
                    "--marts-dir",
                    str(publish_dir / "marts"),
                ],
                out,
                cwd=PROJECT_ROOT,
            )
            stages["report"] = _entry(m, seconds=m.wall_seconds)

        # end to end: cold, then unchanged rerun
        dbt_figures = _figures_from_db(dbt_db, y)
        rerun_figures = None
        if o.quick:
            # the stages above are the pipeline's own code (read_source, land_source, dbt build)
            pipeline_figures, out["pipeline_figures_from"] = dbt_figures, "stages (no unionwh run)"
            stages["e2e_first"] = stages["e2e_cold"] = stages["e2e_rerun"] = {
                "ok": None,
                "skipped": "--quick",
            }
        else:
            e2e = work / "e2e"
            run_args = [
                _bin("unionwh"),
                "run",
                "--year",
                str(y),
                "--raw-dir",
                str(volume.root),
                "--warehouse",
                str(e2e / "warehouse" / "union.duckdb"),
                "--marts-dir",
                str(e2e / "marts"),
            ]
            figures_file = e2e / "marts" / str(y) / "report_figures.parquet"
            # new warehouse: the very first run, dbt parses the whole project. cold: a new process
            # rebuilds everything from the raw files (--force), as when a department sends new
            # files; what it keeps is dbt's partial parse (issue 6). rerun: nothing changed.
            runs = {
                "e2e_first": run_args,
                "e2e_cold": [*run_args, "--force"],
                "e2e_rerun": run_args,
            }
            if scale > E2E_FIRST_MAX_SCALE:
                del runs["e2e_first"]
                stages["e2e_first"] = {
                    "ok": None,
                    "skipped": f"up to {E2E_FIRST_MAX_SCALE}× (only the dbt parse differs)",
                }
                # what a first run leaves for the next: the parsed manifest and compiled tests
                self.log("  dbt parse into the new warehouse's build (not measured) …")
                warehouse = Warehouse(path=str(e2e / "warehouse" / "union.duckdb"))
                prepared = run_measured(
                    _stage_cmd(
                        "dbt",
                        {
                            "db": str(warehouse.build_path(y)),
                            "target": str(warehouse.dbt_target_dir(y)),
                            "year": y,
                            "mode": "parse",
                        },
                    ),
                    timeout=STAGE_TIMEOUT,
                    cwd=PROJECT_ROOT,
                )
                if not prepared.ok:
                    raise BenchFailed(f"dbt parse for the e2e build failed:\n{prepared.tail()}")
            for key, args in runs.items():
                m = self.measured(key, args, out, cwd=PROJECT_ROOT)
                stages[key] = _entry(m, seconds=m.wall_seconds)
                stages[key]["pipeline_stage_seconds"] = _e2e_stage_seconds(m.stdout)
                if not m.ok:
                    raise BenchFailed(f"`unionwh run` ({key}) failed at {scale}×:\n{m.tail()}")
                if key == "e2e_cold":
                    pipeline_figures = _figures_from_parquet(figures_file, y)
            rerun_figures = _figures_from_parquet(figures_file, y)
            out["pipeline_figures_from"] = "unionwh run (cold)"

        # baseline
        baseline_figures = None
        if o.baseline_max_scale is None or scale <= o.baseline_max_scale:
            m = self.measured(
                "baseline",
                [
                    sys.executable,
                    str(BASELINE_SCRIPT),
                    "--raw-dir",
                    str(volume.root),
                    "--year",
                    str(y),
                ],
                out,
                cwd=PROJECT_ROOT,
            )
            inner = _last_json(m)
            baseline_figures = inner.pop("figures", None)
            stages["baseline"] = _entry(m, inner)
            if m.ok and inner.get("read_seconds"):
                stages["baseline"]["read_rows_per_second"] = round(rows / inner["read_seconds"])
            if not m.ok:
                raise BenchFailed(f"baseline failed at {scale}×:\n{m.tail()}")
        else:
            stages["baseline"] = {
                "ok": None,
                "skipped": f"baseline runs up to {o.baseline_max_scale}× only",
            }

        # agreement
        floor_figures = _figures_from_db(floor_db, y)
        generator_figures = volume.meta.get("figures", {})
        agreement = {
            "floor": _compare(pipeline_figures, floor_figures),
            "baseline": (
                _compare(pipeline_figures, baseline_figures, keys=baseline_figures.keys())
                if baseline_figures is not None
                else None
            ),
            "dbt_stage": _compare(pipeline_figures, dbt_figures),
            "rerun": _compare(pipeline_figures, rerun_figures) if rerun_figures else None,
            "generator": _compare(
                pipeline_figures,
                generator_figures,
                keys=[k for k in generator_figures if k in pipeline_figures],
            ),
        }
        out["agreement"] = agreement
        out["figures"] = {k: _s(v) for k, v in sorted(pipeline_figures.items())}
        if baseline_figures is not None:
            out["baseline_figures"] = dict(sorted(baseline_figures.items()))
        three_ways = agreement["floor"]["agree"] and (
            agreement["baseline"] is None or agreement["baseline"]["agree"]
        )
        out["three_ways_agree"] = three_ways
        if not three_ways:
            self.log(
                f"  [red]the three ways disagree at {scale}×[/]: {json.dumps({k: v for k, v in agreement.items() if v and not v['agree']}, ensure_ascii=False)[:2000]}"
            )
        else:
            self.log(
                f"  the three ways agree at {scale}× (pipeline = floor on {agreement['floor']['figures_compared']} figures"
                + (
                    f", = baseline on {agreement['baseline']['figures_compared']}"
                    if agreement["baseline"]
                    else ""
                )
                + ")"
            )
        return out

    # -- all volumes --------------------------------------------------------------------------

    def run(self) -> dict:
        started = time.perf_counter()
        errors = []
        for scale in self.o.scales:
            self.log(f"[bold]{scale}× the {self.o.year} demo[/]")
            try:
                self.run_scale(
                    scale, self.results["scales"].setdefault(str(scale), {"scale": scale})
                )
            except BenchFailed as failure:
                errors.append(str(failure))
                self.console.print(f"[red]{failure}[/]")
                self.results["scales"].setdefault(str(scale), {})["failed"] = str(failure)[:4000]
            self.write()
        self.results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        self.results["seconds_total"] = round(time.perf_counter() - started, 1)
        self.results["targets"] = targets(self.results)
        self.results["ok"] = not errors and all(
            s.get("three_ways_agree") for s in self.results["scales"].values()
        )
        self.write()
        print_results(self.results, self.console)
        return self.results

    def write(self) -> None:
        self.o.out.parent.mkdir(parents=True, exist_ok=True)
        self.o.out.write_text(
            json.dumps(self.results, indent=2, ensure_ascii=False, default=str) + "\n"
        )


def run_bench(options: BenchOptions) -> dict:
    return Bench(options).run()


# ------------------------------------------------------------------------------------ targets


def _stage(results: dict, scale: int, stage: str) -> dict | None:
    s = results["scales"].get(str(scale), {}).get("stages", {}).get(stage)
    return s if s and s.get("ok") else None


def work_floor(results: dict, scale: int) -> float | None:
    """The least a run of this volume must spend: reading and typing, landing, and the SQL of
    every dbt node in one DuckDB connection (issue 12's floor of the end-to-end run)."""
    parts = [_stage(results, scale, k) for k in ("read", "land", "floor")]
    return sum(p["seconds"] for p in parts) if all(parts) else None


def targets(results: dict) -> list[dict]:
    """The issue's targets, each with what was measured and whether it passed (None: not measured)."""
    out = []

    def add(name: str, target: str, measured, passed) -> None:
        out.append({"target": name, "goal": target, "measured": measured, "pass": passed})

    cold1, rerun1 = _stage(results, 1, "e2e_cold"), _stage(results, 1, "e2e_rerun")
    first1 = _stage(results, 1, "e2e_first")
    floor1 = work_floor(results, 1)
    # issue 12: ratios to the floor measured in the same run, so that a loaded machine does not
    # fail a target by itself (10 s and 14 s at the 2.9 s floor)
    for name, stage, ratio, seconds in (
        ("1× cold end to end", cold1, 3.5, 10.0),
        ("1× first run in a new warehouse", first1, 4.9, 14.0),
    ):
        add(
            f"{name} vs the floor (read + land + SQL)",
            f"≤ {ratio}× (≈ {seconds:.0f} s)",
            f"{stage['seconds'] / floor1:.2f}× ({stage['seconds']:.1f} s vs {floor1:.1f} s)"
            if stage and floor1
            else None,
            stage["seconds"] <= ratio * floor1 if stage and floor1 else None,
        )
    add(
        "1× unchanged rerun",
        "≤ 1.5 s",
        f"{rerun1['seconds']:.1f} s" if rerun1 else None,
        rerun1["seconds"] <= 1.5 if rerun1 else None,
    )
    for scale, ratio in ((1, 3.0), (100, 1.3)):
        dbt, floor = _stage(results, scale, "dbt_build"), _stage(results, scale, "floor")
        add(
            f"{scale}× dbt step vs floor (SQL)",
            f"≤ {ratio}×",
            f"{dbt['seconds'] / floor['seconds']:.2f}× ({dbt['seconds']:.1f} s vs "
            f"{floor['seconds']:.1f} s)"
            if dbt and floor
            else None,
            dbt["seconds"] <= ratio * floor["seconds"] if dbt and floor else None,
        )
    cold100 = _stage(results, 100, "e2e_cold")
    add(
        "100× end to end (cold)",
        "≤ 60 s",
        f"{cold100['seconds']:.1f} s" if cold100 else None,
        cold100["seconds"] <= 60 if cold100 else None,
    )
    add(
        "100× peak memory (end to end)",
        "≤ 3 GB",
        f"{cold100['peak_mb'] / GB:.2f} GB" if cold100 else None,
        cold100["peak_mb"] <= 3 * GB if cold100 else None,
    )
    agree = [s.get("three_ways_agree") for s in results["scales"].values() if "agreement" in s]
    add(
        "the same 35 figures by the three ways",
        "every volume",
        f"{sum(bool(a) for a in agree)} of {len(agree)} volumes" if agree else None,
        all(agree) if agree else None,
    )

    peaks = sorted(
        (int(k), s["stages"]["e2e_cold"]["peak_mb"])
        for k, s in results["scales"].items()
        if s.get("stages", {}).get("e2e_cold", {}).get("ok")
    )
    if len(peaks) >= 2:
        (a, pa), (b, pb) = peaks[-2], peaks[-1]
        exponent = math.log(pb / pa) / math.log(b / a)
        add(
            f"memory grows sub-linearly ({a}×→{b}×)",
            "exponent < 1",
            f"{exponent:.2f} ({pa:.0f} → {pb:.0f} MB)",
            exponent < 1,
        )
    else:
        add("memory grows sub-linearly", "exponent < 1", None, None)

    ratios = [
        (
            int(k),
            s["stages"]["baseline"]["read_seconds"] / s["stages"]["cells"]["seconds"],
            s["stages"]["cells"]["rows_per_second"],
            s["stages"]["baseline"]["read_rows_per_second"],
            s["stages"]["read"]["rows_per_second"],
        )
        for k, s in results["scales"].items()
        if _stage(results, int(k), "baseline") and _stage(results, int(k), "cells")
    ]
    if ratios:
        k, ratio, ours, theirs, typed = max(ratios)
        add(
            f"reading vs openpyxl baseline ({k}×)",
            "≥ 10× rows/s",
            f"{ratio:.1f}× ({ours:,} vs {theirs:,} rows/s; read + type {typed:,} rows/s)",
            ratio >= 10,
        )
    else:
        add("reading vs openpyxl baseline", "≥ 10× rows/s", None, None)

    return out


# -------------------------------------------------------------------------------------- table

# the first run in a new warehouse differs from a cold run only by dbt's full parse (~2 s)
E2E_FIRST_MAX_SCALE = 10

TABLE_ROWS = [
    "cells",
    "read",
    "land",
    "archive",
    "dbt_parse",
    "dbt_build",
    "floor",
    "checks",
    "publish",
    "report",
    "e2e_first",
    "e2e_cold",
    "e2e_rerun",
    "baseline",
]


def _cell_seconds(stage: dict | None) -> str:
    if not stage:
        return "—"
    if stage.get("skipped"):
        return "skipped"
    if stage.get("ok") is False:
        return "[red]failed[/]"
    return f"{stage['seconds']:.1f}"


def _cell_mb(stage: dict | None) -> str:
    if not stage or stage.get("skipped") or "peak_mb" not in stage:
        return "—"
    return f"{stage['peak_mb']:,.0f}"


def print_results(results: dict, console: Console) -> None:
    scales = [
        k
        for k, v in results["scales"].items()
        if v.get("stages") and "volume" in v and v["stages"].get("read")
    ]
    table = Table(
        title=f"bench: the {results['year']} demo at {', '.join(s + '×' for s in scales)}"
    )
    table.add_column("stage")
    for s in scales:
        table.add_column(f"{s}× s", justify="right")
        table.add_column(f"{s}× peak MB", justify="right")
    volume_row = ["data rows (files, MB)"]
    for s in scales:
        v = results["scales"][s]["volume"]
        volume_row += [
            f"{v.get('data_rows', 0):,}",
            f"{v['files']} files, {v['bytes'] / 1e6:,.0f} MB",
        ]
    table.add_row(*volume_row, end_section=True)
    for key in TABLE_ROWS:
        row = [STAGE_LABELS[key]]
        for s in scales:
            stage = results["scales"][s]["stages"].get(key)
            row += [_cell_seconds(stage), _cell_mb(stage)]
        table.add_row(*row, end_section=key in ("report", "e2e_rerun"))
    rate_row = ["read rows/s (cells): ours / openpyxl"]
    for s in scales:
        st = results["scales"][s]["stages"]
        ours = st.get("cells", {}).get("rows_per_second")
        theirs = st.get("baseline", {}).get("read_rows_per_second")
        rate_row += [f"{ours:,}" if ours else "—", f"{theirs:,}" if theirs else "—"]
    table.add_row(*rate_row)
    agree_row = ["same figures: floor / baseline"]
    for s in scales:
        a = results["scales"][s].get("agreement", {})
        floor, base = a.get("floor"), a.get("baseline")
        verdict = results["scales"][s].get("three_ways_agree")
        agree_row += [
            {True: "[green]yes[/]", False: "[red]NO[/]", None: "—"}[verdict],
            f"{floor['figures_compared'] if floor else '—'} / "
            f"{base['figures_compared'] if base else '—'} figures",
        ]
    table.add_row(*agree_row)
    console.print(table)

    goals = Table(title="targets (2-core machine)")
    for column in ("target", "goal", "measured", "result"):
        goals.add_column(column)
    for t in results.get("targets", []):
        verdict = {True: "[green]pass[/]", False: "[red]FAIL[/]", None: "[dim]not measured[/]"}[
            t["pass"]
        ]
        goals.add_row(t["target"], t["goal"], t["measured"] or "—", verdict)
    console.print(goals)
    load = results["machine"]
    console.print(
        f"machine: {load['nproc']} CPUs ({load['cpu_model']}), {load['memory_gb']} GB; load average "
        f"{load['load_average_start'][0]} at start, {load.get('load_average_end', ['?'])[0]} at end. "
        f"Results: {results.get('results_path', RESULTS_PATH)}"
    )


# ----------------------------------------------------------------------------------- markdown

MARKDOWN_ROWS = [*TABLE_ROWS]


def markdown(results: dict) -> str:
    """The stage table of results.json as Markdown (seconds, CPU seconds, peak MB per volume), for
    docs/performance.md."""
    scales = [k for k, v in results["scales"].items() if v.get("stages", {}).get("read")]
    head = "| stage | " + " | ".join(f"{s}× s | {s}× CPU s | {s}× peak MB" for s in scales) + " |"
    rule = "|---|" + "---:|---:|---:|" * len(scales)
    lines = [head, rule]
    volume = ["data rows · files · MB"]
    for s in scales:
        v = results["scales"][s]["volume"]
        volume += [
            f"{v.get('data_rows', 0):,}",
            f"{v['files']} files",
            f"{v['bytes'] / 1e6:,.0f} MB",
        ]
    lines.append("| " + " | ".join(volume) + " |")
    for key in MARKDOWN_ROWS:
        row = [STAGE_LABELS[key]]
        for s in scales:
            st = results["scales"][s]["stages"].get(key)
            if not st or st.get("skipped"):
                row += ["skipped" if st else "—", "", ""]
                continue
            cpu = st.get("cpu_seconds")
            row += [
                f"{st['seconds']:.1f}",
                f"{cpu:.1f}" if cpu is not None else "",
                f"{st['peak_mb']:,.0f}" if "peak_mb" in st else "",
            ]
        lines.append("| " + " | ".join(row) + " |")
    rates = ["read rows/s: pipeline (cells) · openpyxl"]
    for s in scales:
        st = results["scales"][s]["stages"]
        ours = st.get("cells", {}).get("rows_per_second")
        theirs = st.get("baseline", {}).get("read_rows_per_second")
        rates += [f"{ours:,}" if ours else "—", f"{theirs:,}" if theirs else "—", ""]
    lines.append("| " + " | ".join(rates) + " |")
    agree = ["same report_figures (floor · baseline)"]
    for s in scales:
        a = results["scales"][s].get("agreement", {})
        floor, base = a.get("floor"), a.get("baseline")
        agree += [
            "yes" if results["scales"][s].get("three_ways_agree") else "NO",
            f"{floor['figures_compared']} figures" if floor else "—",
            f"{base['figures_compared']} figures" if base else "—",
        ]
    lines.append("| " + " | ".join(agree) + " |")
    targets_md = ["", "| target | goal | measured | result |", "|---|---|---|---|"]
    for t in results.get("targets", []):
        verdict = {True: "pass", False: "**fail**", None: "not measured"}[t["pass"]]
        targets_md.append(f"| {t['target']} | {t['goal']} | {t['measured'] or '—'} | {verdict} |")
    return "\n".join(lines + targets_md) + "\n"
