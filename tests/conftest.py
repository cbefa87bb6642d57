"""Shared test helpers: the project root and a way to run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_RAW = PROJECT_ROOT / "raw"


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


@pytest.fixture
def scratch(tmp_path: Path) -> dict[str, Path]:
    """A scratch warehouse and marts folder for one run."""
    return {"warehouse": tmp_path / "warehouse" / "union.duckdb", "marts": tmp_path / "marts"}


@pytest.fixture(scope="session")
def postgres_server():
    """One real PostgreSQL server for the test session (each xdist worker is a session): a new
    data directory, a free port on 127.0.0.1, stopped by its pid at the end. Skipped only where
    the server binaries are not installed; under CI (CI=true) their absence is a failure, since
    `make system-deps` installs them."""
    from pipelines.pgserver import PostgresUnavailable, TemporaryPostgres

    try:
        server = TemporaryPostgres()
    except PostgresUnavailable as missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} (CI must run the PostgreSQL tests: make system-deps)")
        pytest.skip(str(missing))
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
