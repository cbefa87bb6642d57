"""Great Expectations in a process of its own, started when a run starts.

GX's import costs ~4 CPU s. In the run's process it held the GIL against dbt (which now builds in
that process too) and Dagster; in a process of its own it imports on the other core while the run
reads, lands and builds, and the asset check finds it ready. The suites, their results and the
Data Docs are the same: `validate_year` runs there and returns its SuiteResults.

The suites read the clean rows of the classified models only, which no step changes once dbt has
built them: the dbt step calls `begin` as soon as its models are built and its tests compiled, and
the validation runs while this process runs the dbt tests (both read the build file read-only).
The asset check takes that result when it asks for the same build, year and Data Docs folder;
otherwise it validates then.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipelines.checks.expectations import SuiteResult, configure_environment, validate_year

_pool: ProcessPoolExecutor | None = None
_begun: tuple[tuple, Future] | None = None  # validate_year's arguments and its running result
_lock = threading.Lock()


def _import_gx() -> None:
    configure_environment()
    import great_expectations  # noqa: F401


def start() -> None:
    """Start the validation process and its GX import (once; later calls do nothing)."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            _pool.submit(_import_gx)


def begin(build_path: Path, year: int, docs_dir: Path | None) -> bool:
    """Start validate_year in the started process now; False when no process was started (a run
    from the Dagster UI) or a validation was already begun."""
    global _begun
    with _lock:
        if _pool is None or _begun is not None:
            return False
        arguments = (build_path, year, docs_dir)
        _begun = (arguments, _pool.submit(validate_year, *arguments))
        return True


def stop() -> None:
    """End the validation process if no check took it (a run that failed before its checks).

    Its result is wanted by no one, so the process is ended, not asked to finish: a validation or
    import still running at the process's exit kept it from ending (multiprocessing's exit handler
    joins the worker after its own finalizers have closed the queue the shutdown signal goes by)."""
    global _pool, _begun
    with _lock:
        pool, _pool, _begun = _pool, None, None
    if pool is not None:
        _terminate(pool)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """ProcessPoolExecutor.terminate_workers() where Python has it (3.14); before, its processes."""
    if hasattr(pool, "terminate_workers"):
        pool.terminate_workers()
        return
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(timeout=10)


def validate(build_path: Path, year: int, docs_dir: Path | None) -> list[SuiteResult]:
    """validate_year in the started process (here when none was started, or when it died); the
    begun validation's result when it was begun with the same arguments."""
    global _pool, _begun
    with _lock:
        pool, _pool, begun, _begun = _pool, None, _begun, None
    if pool is None:
        return validate_year(build_path, year, docs_dir)
    arguments = (build_path, year, docs_dir)
    try:
        if begun is not None and begun[0] == arguments:
            return begun[1].result()
        return pool.submit(validate_year, *arguments).result()
    except BrokenProcessPool:
        return validate_year(build_path, year, docs_dir)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
