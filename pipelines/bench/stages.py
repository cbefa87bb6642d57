"""One bench stage in this process: `python -m pipelines.bench.stages <stage> '<json spec>'`.

The bench runs every stage in a fresh process so that each stage's peak memory is its own. A stage
does its imports and set-up first (outside the timed part), times only the work, and prints one JSON
object as the last line of stdout: `{"seconds": …, …}`.

Stages: generate, read, cells, land, dbt, floor, checks, publish. `unionwh run`/`report` are run as
their own commands by the harness (pipelines.bench.harness), not here.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _timed(work):
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def stage_generate(spec: dict) -> dict:
    # start-up: a stage's process imports only its stage's modules, before the clock
    from pipelines.bench.data import make_volume

    volume = make_volume(spec["year"], spec["scale"], spec.get("seed", 0))
    return {"seconds": volume.meta["seconds"], **volume.meta}


def _sources():
    # start-up: a stage's process imports only its stage's modules, before the clock
    from pipelines.contract import load_contract

    contract = load_contract()
    return contract, list(contract.sources)


HANDOFF_INDEX = "load.pickle"


def _hand_off(load, folder: Path) -> None:
    """Write a SourceLoad for the land stage: every frame as an Arrow IPC file (written straight
    # start-up: a stage's process imports only its stage's modules, before the clock
    from the frame, no second copy in memory, so the read stage's peak stays the reader's), the rest
    pickled with the frames replaced by their file names."""
    # start-up: a stage's process imports only its stage's modules, before the clock
    import pickle

    folder.mkdir(parents=True, exist_ok=True)
    for i, read in enumerate(load.files):
        for table, frames in read.rows.items():
            names = []
            for j, frame in enumerate(frames):
                name = f"{i}-{table}-{j}.arrow"
                frame.write_ipc(folder / name, compression="uncompressed")
                names.append(name)
            read.rows[table] = names
    with (folder / HANDOFF_INDEX).open("wb") as stream:
        pickle.dump(load, stream, protocol=pickle.HIGHEST_PROTOCOL)


def _take_over(folder: Path):
    # start-up: a stage's process imports only its stage's modules, before the clock
    import pickle

    # start-up: a stage's process imports only its stage's modules, before the clock
    import polars as pl

    with (folder / HANDOFF_INDEX).open("rb") as stream:
        load = pickle.load(stream)
    for read in load.files:
        read.rows = {
            table: [pl.read_ipc(folder / name) for name in names]
            for table, names in read.rows.items()
        }
    return load


def stage_read(spec: dict) -> dict:
    """Read every source as the ingestion assets do (pipelines.ingest.readers.take_source): the first
    source asked for submits the whole year to the reader processes, then the sources are taken one
    at a time in the order the run takes them, each dropped before the next. Each load is handed to
    the land stage (`_hand_off`) so that landing does not read the spreadsheets again; the readers
    go on reading meanwhile, as they do while a run lands, so the hand-off time is not counted."""
    # start-up: a stage's process imports only its stage's modules, before the clock
    from pipelines.ingest.readers import take_source
    from pipelines.ingest.source import SourceLoad

    year_dir = Path(spec["year_dir"])
    handoff = Path(spec["handoff_dir"]) if spec.get("handoff_dir") else None
    if handoff:
        handoff.mkdir(parents=True, exist_ok=True)
    contract, sources = _sources()
    started, handoff_seconds = time.perf_counter(), 0.0
    rows, files, rejected, per_source = 0, 0, [], {}
    for source in sorted(sources):  # Dagster runs the ingestion steps in step-key order
        load = SourceLoad(source, take_source("bench", year_dir, source, contract))
        rows += load.rows_read
        files += len(load.files)
        rejected += [f.file_name for f in load.rejected]
        per_source[source] = {
            "rows": load.rows_read,
            "ready_at": round(time.perf_counter() - started - handoff_seconds, 3),
        }
        if handoff:
            took, _ = _timed(lambda load=load, s=source: _hand_off(load, handoff / s))
            handoff_seconds += took
        del load
    return {
        "seconds": time.perf_counter() - started - handoff_seconds,
        "handoff_seconds": handoff_seconds,
        "rows": rows,
        "files": files,
        "rejected": rejected,
        "per_source": per_source,
    }


def _sheet_rows_of(path: Path, name: str) -> int:
    # start-up: a stage's process imports only its stage's modules, before the clock
    from pipelines.ingest.workbook import read_grids

    return sum(grid.cells.height for grid in read_grids(path, name))


def _warm_up() -> None:
    # start-up: a stage's process imports only its stage's modules, before the clock
    from pipelines.ingest.workbook import read_grids  # noqa: F401

    time.sleep(0.2)  # busy long enough that every worker gets one


def stage_cells(spec: dict) -> dict:
    """Spreadsheet reading alone, the part the openpyxl baseline does: every sheet of every file into
    a grid of cells (pipelines.ingest.workbook.read_grids, calamine), in the reader processes;
    finding headers, typing and lineage are not counted."""
    # start-up: a stage's process imports only its stage's modules, before the clock
    from pipelines.ingest.readers import reader_pool, shutdown_pool, worker_count
    from pipelines.ingest.source import source_files

    year_dir = Path(spec["year_dir"])
    _, sources = _sources()
    paths = sorted(
        (p for s in sources for p in source_files(year_dir, s)), key=lambda p: -p.stat().st_size
    )
    pool = reader_pool()
    # started and with their imports done before the clock, like openpyxl in the baseline
    for warming in [pool.submit(_warm_up) for _ in range(worker_count())]:
        warming.result()
    started = time.perf_counter()
    futures = [pool.submit(_sheet_rows_of, p, p.name) for p in paths]
    grid_rows = sum(f.result() for f in futures)
    seconds = time.perf_counter() - started
    shutdown_pool()
    return {"seconds": seconds, "grid_rows": grid_rows, "files": len(paths)}


def stage_land(spec: dict) -> dict:
    """land_source for every source into a fresh build file, as the ingestion assets do: each
    source's load (from the read stage's handoff, untimed; or read here when there is none) is
    archived (timed apart), landed (timed) and dropped before the next."""
    # start-up: a stage's process imports only its stage's modules, before the clock
    import duckdb

    # start-up: a stage's process imports only its stage's modules, before the clock
    from pipelines.ingest import land
    from pipelines.ingest.archive import archive_file
    from pipelines.ingest.readers import read_source
    from pipelines.ingest.source import land_source, unknown_folders

    year_dir, db = Path(spec["year_dir"]), Path(spec["db"])
    archive = Path(spec["archive_dir"])
    handoff = Path(spec["handoff_dir"]) if spec.get("handoff_dir") else None
    contract, sources = _sources()
    db.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (db, db.with_name(db.name + ".wal")):
        leftover.unlink(missing_ok=True)
    seconds = archive_seconds = 0.0
    rows = 0
    for source in sources:
        if handoff and (handoff / source / HANDOFF_INDEX).exists():
            load = _take_over(handoff / source)
        else:
            load = read_source(year_dir, source, contract)
        rows += load.rows_read
        took, _ = _timed(
            lambda load=load: [
                archive_file(
                    archive, year_dir / f.file_name, f.file_sha256, spec["year"], f.file_name
                )
                for f in load.files
            ]
        )
        archive_seconds += took

        def work(load=load) -> None:
            with duckdb.connect(str(db)) as con:
                land_source(con, contract, load)

        took, _ = _timed(work)
        seconds += took
        del load

    def finish() -> None:
        with duckdb.connect(str(db)) as con:
            land.ensure_raw_schema(con, contract)
            land.clear_unknown_sources(con, contract)
            land.land_bookkeeping(
                con, "files", [s.outcome for s in unknown_folders(year_dir, contract)]
            )
            con.execute("checkpoint")

    took, _ = _timed(finish)
    return {
        "seconds": seconds + took,
        "archive_seconds": archive_seconds,
        "rows": rows,
        "db_bytes": db.stat().st_size,
    }


def stage_dbt(spec: dict) -> dict:
    """The dbt step as a run does it (pipelines.dbt.step, without Dagster), in this process.

    mode "parse": what a new build pays once: dbt's parse of the whole project into an empty
    target folder, and the compile of every test (both then kept in the folder).
    mode "build": what every run pays: the kept manifest, dbt building the seeds and models, the
    kept compiled tests, and every test the dbt assets declare, in one connection. Afterwards
    (untimed) the compiled SQL of what ran is written for the floor: `floor_manifest` (dbt's
    manifest, models compiled) and `floor_tests` (the tests' SQL)."""
    # start-up: a stage's process imports only its stage's modules, before the clock
    import shutil

    # start-up: a stage's process imports only its stage's modules, before the clock
    import dbt.cli.main  # noqa: F401  (imports before the clock, like every stage)
    from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets

    # start-up: a stage's process imports only its stage's modules, before the clock
    from pipelines.dbt.assets import union_dbt_assets
    from pipelines.dbt.data_tests import compile_tests, run_tests
    from pipelines.dbt.runner import DbtBuild, NodeBuild, load_manifest
    from pipelines.dbt.step import declared_tests, unattached_tests, write_run_results

    build = DbtBuild(Path(spec["db"]), Path(spec["target"]), spec["year"])
    manifest_json, translator, _ = get_manifest_and_translator_from_dbt_assets([union_dbt_assets])
    wanted = sorted(
        {*declared_tests(union_dbt_assets), *unattached_tests(manifest_json, translator)}
    )
    selection = ["--select", "resource_type:test"]
    parts: dict[str, float] = {}
    started = time.perf_counter()
    if spec["mode"] == "parse":
        shutil.rmtree(build.target_dir, ignore_errors=True)
        parts["parse"], manifest = _timed(lambda: load_manifest(build))
        parts["compile_tests"], compiled = _timed(
            lambda: compile_tests(build, manifest, build.manifest_key(), set(wanted), selection)
        )
        return {"seconds": time.perf_counter() - started, "parts": parts, "tests": len(compiled)}
    parts["manifest"], manifest = _timed(lambda: load_manifest(build))
    nodes = NodeBuild(build, manifest, ["--select", "fqn:*"])
    parts["models"], _ = _timed(lambda: [None for _ in nodes])
    parts["compiled_tests"], compiled = _timed(
        lambda: compile_tests(build, manifest, build.manifest_key(), set(wanted), selection)
    )
    parts["tests"], results = _timed(
        lambda: list(run_tests(build.build_ref, [compiled[uid] for uid in wanted]))
    )
    write_run_results(
        build.target_dir,
        nodes.statuses,
        results,
        time.perf_counter() - started,
        manifest_json["nodes"],
    )
    seconds = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for status in [s["status"] for s in nodes.statuses.values()] + [r.status for r in results]:
        statuses[status] = statuses.get(status, 0) + 1
    if spec.get("floor_manifest"):
        manifest.write(spec["floor_manifest"])
        tests = {uid: compiled[uid].judged_sql() for uid in wanted}
        Path(spec["floor_tests"]).write_text(json.dumps(tests), encoding="utf-8")
    ok = all(s["status"] == "success" for s in nodes.statuses.values()) and all(
        r.status in ("pass", "warn") for r in results
    )
    return {
        "seconds": seconds,
        "parts": {k: round(v, 3) for k, v in parts.items()},
        "nodes": statuses,
        "models": len(nodes.statuses),
        "tests": len(results),
        "all_passed": ok,
    }


def stage_floor(spec: dict) -> dict:
    # start-up: a stage's process imports only its stage's modules, before the clock
    from pipelines.bench.floor import run_floor

    return run_floor(
        Path(spec["db"]),
        Path(spec["manifest"]),
        Path(spec["tests"]) if spec.get("with_tests", True) else None,
    )


def stage_checks(spec: dict) -> dict:
    """The pipeline's own checks (pipelines.checks.assets) on the dbt-built file: the gate, the
    reconciliations and the Great Expectations suites, each timed; a part the code does not have
    (yet) is skipped. Imports are timed apart (GX's is slow; the pipeline prewarms it)."""
    # start-up: a stage's process imports only its stage's modules, before the clock
    import importlib

    # start-up: a stage's process imports only its stage's modules, before the clock
    import duckdb

    db, year = Path(spec["db"]), spec["year"]
    parts: dict[str, float] = {}
    outcome: dict[str, object] = {}

    started = time.perf_counter()
    gate = importlib.import_module("pipelines.checks.gate")
    try:
        reconciliation = importlib.import_module("pipelines.checks.reconciliation")
    except ImportError:
        reconciliation = None
    try:
        expectations = importlib.import_module("pipelines.checks.expectations")
        # start-up: a stage's process imports only its stage's modules, before the clock
        import great_expectations  # noqa: F401
    except ImportError:
        expectations = None
    import_seconds = time.perf_counter() - started

    with duckdb.connect(str(db), read_only=True) as con:
        parts["gate"], (rejected, findings) = _timed(
            lambda: (gate.rejected_files(con), gate.row_conservation(con))
        )
        outcome["rejected"], outcome["not_conserved"] = len(rejected), len(findings)
        if reconciliation is not None and hasattr(reconciliation, "reconcile"):
            parts["reconciliation"], results = _timed(lambda: reconciliation.reconcile(con))
            outcome["reconciliations_failed"] = sum(not r.passed for r in results)
    if expectations is not None and hasattr(expectations, "validate_year"):
        docs = Path(spec["docs_dir"]) if spec.get("docs_dir") else None
        parts["great_expectations"], suites = _timed(
            lambda: expectations.validate_year(db, int(year), docs)
        )
        outcome["suites_failed"] = sum(not s.success for s in suites)
    return {
        "seconds": sum(parts.values()),
        "import_seconds": import_seconds,
        "parts": {k: round(v, 3) for k, v in parts.items()},
        **outcome,
    }


def stage_publish(spec: dict) -> dict:
    """write_year_outputs (Parquet, marts.xlsx, quarantine.xlsx) and publish_warehouse."""
    # start-up: a stage's process imports only its stage's modules, before the clock
    import shutil

    # start-up: a stage's process imports only its stage's modules, before the clock
    from pipelines.publish.publication import publish_warehouse, write_year_outputs

    out = Path(spec["marts_dir"]) / str(spec["year"])
    shutil.rmtree(out, ignore_errors=True)
    published = Path(spec["warehouse"])
    published.unlink(missing_ok=True)
    build = Path(spec["db"])
    outputs_seconds, publication = _timed(
        lambda: write_year_outputs(build, out, spec["year"], Path(spec["manifest"]))
    )
    warehouse_seconds, _ = _timed(lambda: publish_warehouse(build, published, spec["year"]))
    return {
        "seconds": outputs_seconds + warehouse_seconds,
        "outputs_seconds": outputs_seconds,
        "warehouse_seconds": warehouse_seconds,
        "files": publication.files,
    }


STAGES = {
    "generate": stage_generate,
    "read": stage_read,
    "cells": stage_cells,
    "land": stage_land,
    "dbt": stage_dbt,
    "floor": stage_floor,
    "checks": stage_checks,
    "publish": stage_publish,
}


def main(argv: list[str]) -> int:
    stage, spec = argv[0], json.loads(argv[1])
    result = STAGES[stage](spec)
    print(json.dumps(result, default=str, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
