"""The reader processes (pipelines.ingest.readers): the same rows as reading in this process, a run's
read-ahead taken source by source, and a reader that dies does not lose the file."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures.process import BrokenProcessPool
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


def test_pool_reads_the_same_rows_as_this_process(monkeypatch):
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


def test_a_reader_that_dies_does_not_lose_the_file(monkeypatch):
    monkeypatch.setenv(readers.WORKERS_VARIABLE, "2")
    path = next((DEMO_YEAR / "members").glob("*.xlsx"))
    pool = readers.reader_pool()
    busy = [pool.submit(time.sleep, 30) for _ in range(2)]  # both readers busy: the file waits
    pending = readers.submit_files([(path, f"members/{path.name}", "members")], CONTRACT)
    deadline = time.monotonic() + 30
    while len(pool._processes) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in list(pool._processes):
        os.kill(pid, signal.SIGKILL)
    assert all(isinstance(b.exception(timeout=30), BrokenProcessPool) for b in busy)
    read = pending[0].result()
    # read again alone, in a fresh process: the same file, loaded
    assert read.status == "loaded" and sum(f.height for f in read.rows["members"]) > 5000
    assert readers._pool is None  # the broken pool is forgotten; the next read starts a new one
