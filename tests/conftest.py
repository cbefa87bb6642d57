"""Shared test helpers: the project root and a way to run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import skip_gate
from tests.system_tools import missing

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_RAW = PROJECT_ROOT / "raw"


def pytest_configure(config) -> None:
    skip_gate.install(config)


def run_cli(
    *args: str, cwd: Path | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run `unionwh` in a fresh process, exactly as a user would."""
    unionwh = Path(sys.executable).with_name("unionwh")
    return subprocess.run(
        [str(unionwh), *args],
        cwd=cwd or PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )


@dataclass(frozen=True)
class DemoPublication:
    """The shipped 2023 demo year run once by `unionwh run`, as a user runs it."""

    returncode: int
    stdout: str
    stderr: str
    warehouse: Path
    marts: Path


@pytest.fixture(scope="session")
def demo_publication(tmp_path_factory) -> DemoPublication:
    """One run of the demo year for every test that only reads what it published (the demo
    year's figures, the .xls comparison, the PostgreSQL comparison): built once per test run and
    shared across pytest-xdist workers. A test that runs again, changes inputs or kills a run
    makes its own."""
    from tests.report_sample import build_once

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's folder, common to its workers

    def run(base: Path) -> None:
        base.mkdir(parents=True)
        result = run_cli(
            "run",
            "--year",
            "2023",
            "--raw-dir",
            str(DEMO_RAW),
            "--warehouse",
            str(base / "warehouse" / "union.duckdb"),
            "--marts-dir",
            str(base / "marts"),
        )
        (base / "stdout.txt").write_text(result.stdout, encoding="utf-8")
        (base / "stderr.txt").write_text(result.stderr, encoding="utf-8")
        (base / "returncode.txt").write_text(str(result.returncode), encoding="utf-8")

    base = build_once(root / "demo-publication", run)
    return DemoPublication(
        returncode=int((base / "returncode.txt").read_text(encoding="utf-8")),
        stdout=(base / "stdout.txt").read_text(encoding="utf-8"),
        stderr=(base / "stderr.txt").read_text(encoding="utf-8"),
        warehouse=base / "warehouse" / "union.duckdb",
        marts=base / "marts",
    )


@pytest.fixture
def scratch(tmp_path: Path) -> dict[str, Path]:
    """A scratch warehouse and marts folder for one run."""
    return {"warehouse": tmp_path / "warehouse" / "union.duckdb", "marts": tmp_path / "marts"}


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server for the test session (each xdist worker is a session): a new
    data directory, a free port on 127.0.0.1, stopped by its pid at the end. Without the server
    binaries the tests that need it fail (tests/system_tools.py)."""
    from pipelines.db.pgserver import PostgresUnavailable, TemporaryPostgres

    try:
        server = TemporaryPostgres()
    except PostgresUnavailable as absent:
        missing(str(absent))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def create_database(server, name: str) -> str:
    """A new, empty database on the test server; its postgresql:// DSN."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(server.dsn, autocommit=True) as con:
        con.execute(sql.SQL("drop database if exists {}").format(sql.Identifier(name)))
        con.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return server.dsn_for(name)
