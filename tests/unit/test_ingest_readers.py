"""The reader processes (pipelines.ingest.readers): the same rows as reading in this process, a run's
read-ahead taken source by source, and a reader that dies, raises or runs out of time costs the
file it was reading only."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from pipelines.contract import load_contract
from pipelines.ingest import readers
from pipelines.ingest.readers import read_source

CONTRACT = load_contract()
DEMO_YEAR = Path(__file__).resolve().parents[2] / "raw" / "2023"


def _rows(files) -> dict[tuple[str, str], pl.DataFrame]:
    return {
        (f.file_name, table): pl.concat(frames)
        for f in files
        for table, frames in f.rows.items()
        if frames
    }


@pytest.fixture(autouse=True)
def _no_pool_left():
    yield
    readers.shutdown_pool()
    readers._runs.clear()


def test_one_reader_reads_the_same_rows_as_two(monkeypatch):
    monkeypatch.setenv(readers.WORKERS_VARIABLE, "2")
    pooled = read_source(DEMO_YEAR, "welfare", CONTRACT)
    monkeypatch.setenv(readers.WORKERS_VARIABLE, "1")
    here = read_source(DEMO_YEAR, "welfare", CONTRACT)
    assert [f.file_name for f in pooled.files] == [f.file_name for f in here.files]
    assert [f.outcome for f in pooled.files] == [f.outcome for f in here.files]
    a, b = _rows(pooled.files), _rows(here.files)
    assert a.keys() == b.keys() and len(a) >= 9
    for key in a:
        assert a[key].equals(b[key]), key


def test_read_ahead_submits_the_run_once_and_hands_each_source_over(monkeypatch):
    monkeypatch.setenv(readers.WORKERS_VARIABLE, "2")
    sources = ["meetings", "budget", "publicity"]
    first = readers.take_source("run-a", DEMO_YEAR, "budget", CONTRACT, sources)
    ahead = readers._runs["run-a"]
    assert sorted(ahead.pending) == ["meetings", "publicity"]  # read ahead, not yet taken
    assert [f.source for f in first] == ["budget"]
    for source in ("meetings", "publicity"):
        files = readers.take_source("run-a", DEMO_YEAR, source, CONTRACT, sources)
        assert files and all(f.source == source and f.status == "loaded" for f in files)
    assert not ahead.pending
    assert readers._pool is None  # every source taken: no idle readers are kept


def test_a_new_run_cancels_what_a_failed_run_left(monkeypatch):
    monkeypatch.setenv(readers.WORKERS_VARIABLE, "2")
    readers.take_source("failed", DEMO_YEAR, "budget", CONTRACT, ["budget", "welfare"])
    assert "failed" in readers._runs
    files = readers.take_source("next", DEMO_YEAR, "budget", CONTRACT, ["budget"])
    assert "failed" not in readers._runs and [f.source for f in files] == ["budget"]


def _wait_for_reader(pool: readers.ReaderPool, slot: int = 0) -> int:
    deadline = time.monotonic() + 60
    while slot not in pool.processes and time.monotonic() < deadline:
        time.sleep(0.05)
    return pool.processes[slot].pid


def test_a_reader_killed_mid_file_costs_that_file_only(monkeypatch):
    monkeypatch.setenv(readers.WORKERS_VARIABLE, "1")
    path = next((DEMO_YEAR / "members").glob("*.xlsx"))
    pool = readers.reader_pool()
    busy = pool.submit(time.sleep, 60)  # the one reader is busy: the file waits behind it
    pending = readers.submit_files([(path, f"members/{path.name}", "members")], CONTRACT)
    os.kill(_wait_for_reader(pool), signal.SIGKILL)
    failure = busy.exception(timeout=60)
    assert isinstance(failure, readers.ReaderFailure)
    assert failure.failure.exitcode == -signal.SIGKILL
    error = readers.reading_failed("members/x.xlsx", failure)
    assert error.code == "reader_crashed" and "SIGKILL" in error.message_en
    # the file queued behind it is read by a new reader process
    read = pending[0].result()
    assert read.status == "loaded" and sum(f.height for f in read.rows["members"]) > 5000


def spin(seconds: float) -> None:
    """Burn CPU (in a reader process)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_reader_over_its_time_is_stopped(monkeypatch):
    monkeypatch.setenv(readers.WORKERS_VARIABLE, "1")
    pool = readers.reader_pool()
    cpu = pool.submit(spin, 60, limits=readers.Limits(512 << 20, cpu_seconds=1, wall_seconds=60))
    wall = pool.submit(
        time.sleep, 60, limits=readers.Limits(512 << 20, cpu_seconds=60, wall_seconds=1)
    )
    after = pool.submit(sum, [1, 2, 3])
    for future, timed_out in ((cpu, False), (wall, True)):
        failure = future.exception(timeout=60)
        assert isinstance(failure, readers.ReaderFailure)
        assert failure.failure.out_of_time and failure.failure.timed_out == timed_out
        error = readers.reading_failed("welfare/慢.xlsx", failure)
        assert error.code == "reader_time_limit"
        assert "超时" in error.message_zh and "took longer" in error.message_en
    assert after.result(timeout=60) == 6


def test_an_exception_of_any_class_is_the_files_failure(monkeypatch):
    monkeypatch.setenv(readers.WORKERS_VARIABLE, "1")
    pool = readers.reader_pool()
    # SystemExit is a BaseException, as pyo3's PanicException is
    failure = pool.submit(sys.exit, "boom\nContext:\n  0: a library's context").exception(60)
    assert isinstance(failure, readers.ReaderFailure)
    assert (failure.failure.exception, failure.failure.detail) == ("SystemExit", "boom")
    error = readers.reading_failed("welfare/坏.xls", failure)
    assert error.code == "corrupt_file"
    assert "\n" not in error.message_zh + error.message_en and "Context" not in error.message_en
    assert pool.submit(sum, [1]).result(timeout=60) == 1  # the same reader goes on


def test_limits_grow_with_the_file_within_a_floor_and_a_cap():
    small, roster_100x, huge = (readers.limits_for(n) for n in (1024, 47_489_000, 10**10))
    assert small.memory_mb == 512 + 0  # a 1 KB file: the floor
    # the 100x roster needs 1.07 GB of address space above its reader (measured)
    assert 2_000 < roster_100x.memory_mb < 4_096
    assert huge.memory_mb == 4_096 and huge.cpu_seconds == 1_800
    assert small.cpu_seconds < roster_100x.cpu_seconds


def test_without_posix_limits_a_file_is_read_under_the_wall_clock_alone(monkeypatch):
    """Windows has neither `resource` nor SIGXCPU: the limits are skipped, not a crash."""
    from pipelines.ingest import reader_process

    monkeypatch.setattr(reader_process, "resource", None)
    with reader_process._limited(readers.limits_for(1024)):
        assert sum([1, 2]) == 3
    monkeypatch.delattr(signal, "SIGXCPU")
    assert not readers.ReaderDied(-24, "").out_of_time
    assert readers.ReaderDied(-24, "", timed_out=True).out_of_time
