"""Reading raw files in reader processes, ahead of the assets that land them.

Calamine (under fastexcel) and the Python that types each sheet hold the GIL, so threads read one
file at a time. A few reader processes, one per core, read files side by side; each `FileRead`
comes back pickled (its Polars frames travel as Arrow IPC). The processes are started with `spawn`:
forking a process that already runs Polars' and Dagster's threads can deadlock.

Every file is read in a reader process, even with one reader (UNIONWH_READ_WORKERS=1, a one-CPU
machine): a native abort must never take the run down. Each reader reads one file at a time under
that file's limits (`pipelines.ingest.reader_process`); a reader that dies (a crash, a limit, a
kill) costs exactly the file it was reading, which comes back rejected with what happened, and the
next file gets a new process. An exception of any class (a panic in native code included) is the
file's rejection too. Nothing is read again and no other file waits on a broken pool.

Dagster's in-process executor runs the ingestion assets one after another. The first of a run to ask
submits every file of every source of the year (`ReadAhead`), in the order the assets run, so the
readers read the next sources while the main process lands the current one. Each asset then takes
its own source's results. When a run has taken every source, the readers are stopped: a long-lived
process does not keep idle readers. One process runs one year's run at a time (the CLI, or Dagster's
run worker); a new run cancels what an earlier, failed run left unread.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import tempfile
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from pipelines.contract import Contract
from pipelines.errors import FileRejected
from pipelines.hashing import sha256_of
from pipelines.ingest.files import FileRead, read_file
from pipelines.ingest.reader_process import Limits, TaskFailed, limits_for, serve
from pipelines.ingest.source import SourceLoad, source_files

WORKERS_VARIABLE = "UNIONWH_READ_WORKERS"
# what Rust prints when an allocation fails (the address-space limit reached in native code)
_OUT_OF_MEMORY_MARKERS = ("memory allocation of", "out of memory", "MemoryError")

_lock = threading.Lock()
_pool: ReaderPool | None = None


def worker_count() -> int:
    """One reader per core, or UNIONWH_READ_WORKERS (at least one: there is no in-process path)."""
    configured = os.environ.get(WORKERS_VARIABLE)
    return max(1, int(configured)) if configured else max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ReaderDied:
    """The reader process ended while it ran a task: its exit code (negative: the signal), the
    tail of what it wrote on stderr, and whether the parent killed it at the wall-clock limit."""

    exitcode: int | None
    stderr_tail: str
    timed_out: bool = False

    @property
    def out_of_memory(self) -> bool:
        return any(marker in self.stderr_tail for marker in _OUT_OF_MEMORY_MARKERS)

    @property
    def out_of_time(self) -> bool:
        cpu_limit = getattr(signal, "SIGXCPU", None)  # POSIX; Windows has the wall clock only
        return self.timed_out or (cpu_limit is not None and self.exitcode == -cpu_limit)


class ReaderFailure(Exception):
    """A task's failure, carried by its future: a `TaskFailed` (it raised) or a `ReaderDied`."""

    def __init__(self, failure: TaskFailed | ReaderDied, limits: Limits | None) -> None:
        super().__init__(repr(failure))
        self.failure = failure
        self.limits = limits


class ReaderProcess:
    """One spawned reader process, its pipe and its stderr file."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        handle, self.stderr_path = tempfile.mkstemp(prefix="unionwh-reader-", suffix=".stderr")
        os.close(handle)
        # removed by stop(), or at the latest when this process exits (a run interrupted)
        weakref.finalize(self, _remove, self.stderr_path)
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=serve, args=(child, self.stderr_path), daemon=True, name="unionwh-reader"
        )
        self.process.start()
        child.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def run(self, fn: Callable, args: tuple, limits: Limits | None):
        """The task's result; raises ReaderFailure. After a ReaderDied the process is gone."""
        try:
            self.conn.send((fn, args, limits))
        except (BrokenPipeError, ConnectionResetError, EOFError) as gone:
            self.process.join()
            died = ReaderDied(self.process.exitcode, self._stderr_tail())
            raise ReaderFailure(died, limits) from gone
        timeout = limits.wall_seconds if limits else None
        ready = wait([self.conn, self.process.sentinel], timeout)
        if self.conn in ready:
            try:
                status, value = self.conn.recv()
            except (EOFError, OSError):
                pass  # it died while sending
            else:
                if status == "ok":
                    return value
                raise ReaderFailure(value, limits)
        timed_out = not ready
        if timed_out:
            self.process.kill()
        self.process.join()
        raise ReaderFailure(
            ReaderDied(self.process.exitcode, self._stderr_tail(), timed_out), limits
        )

    def _stderr_tail(self) -> str:
        try:
            with open(self.stderr_path, "rb") as stream:
                # Rust's "memory allocation of … failed" may be followed by a long backtrace
                stream.seek(max(0, os.path.getsize(self.stderr_path) - 65536))
                return stream.read().decode("utf-8", "replace")
        except OSError:
            return ""

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        """Ask the reader to end (it is killed if it does not within 30 s); remove its files."""
        if self.process.is_alive():
            try:
                self.conn.send(None)
            except OSError:
                self.process.kill()
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
        _remove(self.stderr_path)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


class ReaderPool:
    """`workers` slots, each a thread that hands one task at a time to its own reader process and
    starts a new process when the last one died."""

    def __init__(self, workers: int) -> None:
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self.processes: dict[int, ReaderProcess] = {}  # slot -> its current process
        self._slots = [
            threading.Thread(target=self._serve, args=(i,), daemon=True, name=f"unionwh-read-{i}")
            for i in range(workers)
        ]
        for slot in self._slots:
            slot.start()

    def submit(self, fn: Callable, *args, limits: Limits | None = None) -> Future:
        future: Future = Future()
        self._tasks.put((future, fn, args, limits))
        return future

    def _serve(self, slot: int) -> None:
        while (task := self._tasks.get()) is not None:
            future, fn, args, limits = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(self._process_of(slot).run(fn, args, limits))
            except ReaderFailure as failure:
                future.set_exception(failure)
            except BaseException as exc:  # no process, or the pipe failed: no future waits forever
                future.set_exception(exc)
        process = self.processes.pop(slot, None)
        if process is not None:
            process.stop()

    def _process_of(self, slot: int) -> ReaderProcess:
        """The slot's reader, a new one when there is none or the last one died."""
        process = self.processes.get(slot)
        if process is None or not process.alive:
            if process is not None:
                process.stop()
            process = self.processes[slot] = ReaderProcess()
        return process

    def shutdown(self) -> None:
        """Stop the readers once the tasks submitted so far are done."""
        for _ in self._slots:
            self._tasks.put(None)
        for slot in self._slots:
            slot.join()


def reader_pool() -> ReaderPool:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ReaderPool(worker_count())
        return _pool


def shutdown_pool() -> None:
    """Stop the readers (they are started again when a file is next submitted)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown()


@dataclass
class PendingFile:
    """One file being read: `read_file`'s arguments and its future in the reader pool."""

    path: Path
    file_name: str
    source: str
    tables: tuple
    future: Future | None = None

    @property
    def arguments(self) -> tuple:
        return self.path, self.file_name, self.source, self.tables

    def result(self) -> FileRead:
        try:
            return self.future.result()
        except ReaderFailure as failure:
            return self._rejected(reading_failed(self.file_name, failure))

    def _rejected(self, error: FileRejected) -> FileRead:
        read = FileRead(self.source, self.file_name, sha256_of(self.path), self.path.stat().st_size)
        return read.reject(error)


def reading_failed(file_name: str, failure: ReaderFailure) -> FileRejected:
    """What a reader's failure on a file means for the clerk who sent it, in one line each."""
    what, limits = failure.failure, failure.limits
    memory = f"{limits.memory_mb} MB" if limits else "?"
    if (isinstance(what, TaskFailed) and what.kind == "memory") or (
        isinstance(what, ReaderDied) and what.out_of_memory
    ):
        return FileRejected(
            file_name,
            "reader_memory_limit",
            f"读取该文件所需内存超过上限（{memory}），文件可能已损坏",
            f"reading the file needs more memory than a file of its size may have ({memory}); "
            "it is probably corrupt",
        )
    if isinstance(what, ReaderDied) and what.out_of_time:
        seconds = f"{limits.cpu_seconds} s" if limits else "?"
        return FileRejected(
            file_name,
            "reader_time_limit",
            f"读取该文件超时（上限 {seconds}），文件可能已损坏",
            f"reading the file took longer than a file of its size may take ({seconds}); "
            "it is probably corrupt",
        )
    if isinstance(what, TaskFailed):
        return FileRejected(
            file_name,
            "corrupt_file",
            f"无法读取该电子表格，文件可能已损坏（{what.exception}）",
            f"the spreadsheet cannot be read; it is probably corrupt "
            f"({what.exception}: {what.detail})",
        )
    how = _how_it_ended(what.exitcode)
    return FileRejected(
        file_name,
        "reader_crashed",
        f"读取程序在读取该文件时异常退出（{how}），文件可能已损坏",
        f"the reader stopped while reading the file ({how}); it is probably corrupt",
    )


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit {exitcode}"


def submit_files(paths: list[tuple[Path, str, str]], contract: Contract) -> list[PendingFile]:
    """Start reading (path, file name, source) triples; the results are asked for later."""
    pending = [
        PendingFile(path, name, source, contract.tables_of(source)) for path, name, source in paths
    ]
    pool = reader_pool()
    for f in pending:
        f.future = pool.submit(read_file, *f.arguments, limits=limits_for(f.path.stat().st_size))
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
