"""Reading raw files in worker processes, ahead of the assets that land them.

Calamine (under fastexcel) and the Python that types each sheet hold the GIL, so threads read one
file at a time. A pool of worker processes, one per core, reads files side by side; each `FileRead`
comes back pickled (its Polars frames travel as Arrow IPC). The workers are started with `spawn`:
forking a process that already runs Polars' and Dagster's threads can deadlock.

Dagster's in-process executor runs the ingestion assets one after another. The first of a run to ask
submits every file of every source of the year (`ReadAhead`), in the order the assets run, so the
workers read the next sources while the main process lands the current one. Each asset then takes
its own source's results. When a run has taken every source, the pool is shut down: a long-lived
process does not keep idle readers. One process runs one year's run at a time (the CLI, or Dagster's
run worker); a new run cancels what an earlier, failed run left unread.

A worker that dies while reading a file (calamine aborting on a malformed workbook) does not take the
run down: that file comes back rejected as unreadable, and the pool is started anew for the others.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.contract import Contract
from pipelines.errors import FileRejected
from pipelines.hashing import sha256_of
from pipelines.ingest.files import FileRead, read_file
from pipelines.ingest.source import SourceLoad, source_files

WORKERS_VARIABLE = "UNIONWH_READ_WORKERS"

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def worker_count() -> int:
    """One reader per core, or UNIONWH_READ_WORKERS (1 reads in this process, without a pool)."""
    configured = os.environ.get(WORKERS_VARIABLE)
    return max(1, int(configured)) if configured else max(1, os.cpu_count() or 1)


def reader_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=worker_count(), mp_context=multiprocessing.get_context("spawn")
            )
        return _pool


def shutdown_pool(broken: ProcessPoolExecutor | None = None) -> None:
    """Stop the readers; `broken`: forget that pool only if it is still the current one, and do not
    wait for its dead workers."""
    global _pool
    with _lock:
        pool = _pool if broken is None or _pool is broken else None
        if pool is not None:
            _pool = None
    if broken is not None:
        broken.shutdown(wait=False, cancel_futures=True)
    elif pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class PendingFile:
    """One file being read: `read_file`'s arguments, and its future in the reader pool (None: it is
    read in this process when its result is asked for)."""

    path: Path
    file_name: str
    source: str
    tables: tuple
    future: Future | None = None
    pool: ProcessPoolExecutor | None = None

    @property
    def arguments(self) -> tuple:
        return self.path, self.file_name, self.source, self.tables

    def result(self) -> FileRead:
        if self.future is None:
            return read_file(*self.arguments)
        try:
            return self.future.result()
        except BrokenProcessPool:
            # the worker died on this file or on another: read again alone, in a fresh pool
            shutdown_pool(broken=self.pool)
            return _read_in_fresh_process(self)


def _read_in_fresh_process(pending: PendingFile) -> FileRead:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as alone:
        try:
            return alone.submit(read_file, *pending.arguments).result()
        except BrokenProcessPool:
            read = FileRead(
                pending.source,
                pending.file_name,
                sha256_of(pending.path),
                pending.path.stat().st_size,
            )
            return read.reject(
                FileRejected(
                    pending.file_name,
                    "corrupt_file",
                    "无法读取该电子表格（读取进程异常退出）",
                    "the spreadsheet cannot be read (the reading process died)",
                )
            )


def submit_files(paths: list[tuple[Path, str, str]], contract: Contract) -> list[PendingFile]:
    """Start reading (path, file name, source) triples; the results are asked for later."""
    pending = [
        PendingFile(path, name, source, contract.tables_of(source)) for path, name, source in paths
    ]
    if worker_count() > 1:
        pool = reader_pool()
        for f in pending:
            f.future, f.pool = pool.submit(read_file, *f.arguments), pool
    return pending


@dataclass
class ReadAhead:
    """One run's files: submitted at its first ingestion step, taken source by source."""

    run_id: str
    year_dir: Path
    pending: dict[str, list[PendingFile]] = field(default_factory=dict)
    submitted: bool = False


_runs: dict[str, ReadAhead] = {}


def _read_ahead(run_id: str, year_dir: Path) -> ReadAhead:
    """This run's read-ahead; what earlier runs left (a failed run's unread files) is cancelled."""
    with _lock:
        for other in [r for r in _runs if r != run_id]:
            for files in _runs.pop(other).pending.values():
                for f in files:
                    if f.future is not None:
                        f.future.cancel()
        ahead = _runs.get(run_id)
        if ahead is None or ahead.year_dir != year_dir:
            ahead = _runs[run_id] = ReadAhead(run_id, year_dir)
        return ahead


def _submit_sources(ahead: ReadAhead, sources: list[str], contract: Contract) -> None:
    # in the order the run takes them (Dagster runs the ingestion steps in step-key order): a source
    # read long before its asset lands it would only wait in memory
    triples = [
        (path, path.relative_to(ahead.year_dir).as_posix(), s)
        for s in sorted(sources)
        for path in source_files(ahead.year_dir, s)
    ]
    for s in sources:
        ahead.pending.setdefault(s, [])
    for f in submit_files(triples, contract):
        ahead.pending[f.source].append(f)


def read_source(year_dir: Path, source: str, contract: Contract) -> SourceLoad:
    """Every file of one source, read in the reader processes."""
    triples = [
        (p, p.relative_to(year_dir).as_posix(), source) for p in source_files(year_dir, source)
    ]
    return SourceLoad(source, [f.result() for f in submit_files(triples, contract)])


def take_source(
    run_id: str,
    year_dir: Path,
    source: str,
    contract: Contract,
    run_sources: list[str] | None = None,
) -> list[FileRead]:
    """The source's files, read. The first call of a run submits the files of every source the run
    will take (`run_sources`, by default all of the contract's)."""
    ahead = _read_ahead(run_id, year_dir)
    if not ahead.submitted:
        ahead.submitted = True
        _submit_sources(ahead, list(run_sources or contract.sources), contract)
    if source not in ahead.pending:  # not foreseen, or asked for again (a retried step)
        _submit_sources(ahead, [source], contract)
    reads = [f.result() for f in ahead.pending.pop(source)]
    with _lock:
        idle = not any(r.pending for r in _runs.values())
    if idle:
        shutdown_pool()
    return reads
