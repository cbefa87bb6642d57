"""Great Expectations in a process of its own, started when a run starts.

GX's import costs ~4 CPU s. In the run's process it held the GIL against dbt (which now builds in
that process too) and Dagster; in a process of its own it imports on the other core while the run
reads, lands and builds, and the asset check finds it ready. The suites, their results and the
Data Docs are the same: `validate_year` runs there and returns its SuiteResults.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipelines.checks.expectations import SuiteResult, configure_environment, validate_year

_pool: ProcessPoolExecutor | None = None
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


def stop() -> None:
    """End the validation process if no check took it (a run that failed before its checks)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def validate(build_path: Path, year: int, docs_dir: Path | None) -> list[SuiteResult]:
    """validate_year in the started process (here when none was started, or when it died)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is None:
        return validate_year(build_path, year, docs_dir)
    try:
        return pool.submit(validate_year, build_path, year, docs_dir).result()
    except BrokenProcessPool:
        return validate_year(build_path, year, docs_dir)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
