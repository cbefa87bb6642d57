"""A run that skipped a test fails unless a partial run was asked for (tests/skip_gate.py), and a
missing system program fails the test that needs it (tests/system_tools.py).

Each case runs pytest itself, in a new process, on a small test file, with the gate loaded the way
the suite loads it, and reads its exit status and output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

SKIPS_ONE = """
import pytest

def test_runs():
    assert 1 + 1 == 2

def test_skips():
    pytest.skip("a reason")
"""

NEEDS_A_PROGRAM = """
from tests.system_tools import require_program

def test_needs_it():
    require_program("unionwh-no-such-program", "no-such-package")
"""

NEEDS_POSTGRES = """
from tests.conftest import postgres_server  # noqa: F401 (the suite's fixture)

def test_needs_the_server(postgres_server):
    assert postgres_server.dsn
"""


def run_pytest(tmp_path: Path, test_source: str, **env: str) -> subprocess.CompletedProcess:
    test_file = tmp_path / "test_case.py"
    test_file.write_text(test_source, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "UNIONWH_ALLOW_SKIPS"}
    environment["PYTHONPATH"] = str(PROJECT_ROOT)
    gate = ["-p", "tests.skip_gate", "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini")]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *gate, "-rs", str(test_file)],
        cwd=tmp_path,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_skipped_test_fails_the_run_and_is_named(tmp_path):
    result = run_pytest(tmp_path, SKIPS_ONE)
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout
    assert "1 passed, 1 skipped" in result.stdout
    assert "1 test(s) skipped: the run fails (UNIONWH_ALLOW_SKIPS=1 for a partial run)" in (
        result.stdout
    )
    assert "test_case.py::test_skips" in result.stdout.split("skipped tests fail the run")[1]


def test_a_partial_run_asked_for_passes_with_its_skips(tmp_path):
    result = run_pytest(tmp_path, SKIPS_ONE, UNIONWH_ALLOW_SKIPS="1")
    assert result.returncode == pytest.ExitCode.OK, result.stdout
    assert "SKIPPED" in result.stdout and "skipped tests fail the run" not in result.stdout


def test_a_run_without_skips_passes(tmp_path):
    result = run_pytest(tmp_path, SKIPS_ONE.split("def test_skips")[0])
    assert result.returncode == pytest.ExitCode.OK, result.stdout
    assert "1 passed" in result.stdout and "skipped" not in result.stdout


def test_a_missing_program_fails_the_test_that_needs_it(tmp_path):
    result = run_pytest(tmp_path, NEEDS_A_PROGRAM)
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout
    assert "1 failed" in result.stdout
    assert "unionwh-no-such-program is not installed (Debian package no-such-package)" in (
        result.stdout
    )


def test_a_missing_program_is_skipped_in_a_partial_run(tmp_path):
    result = run_pytest(tmp_path, NEEDS_A_PROGRAM, UNIONWH_ALLOW_SKIPS="1")
    assert result.returncode == pytest.ExitCode.OK, result.stdout
    assert "1 skipped" in result.stdout


def test_postgres_binaries_hidden_fail_the_postgres_tests(tmp_path):
    """The server binaries neither on PATH nor where UNIONWH_PG_BINDIR points: the federation's
    tests fail, they do not skip."""
    empty = tmp_path / "no-postgres"
    empty.mkdir()
    path = os.pathsep.join(
        d for d in os.environ["PATH"].split(os.pathsep) if not (Path(d) / "initdb").exists()
    )
    result = run_pytest(tmp_path, NEEDS_POSTGRES, PATH=path, UNIONWH_PG_BINDIR=str(empty))
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout
    assert "1 error" in result.stdout  # the fixture failed: an error, not a skip
    assert "PostgreSQL server binaries not found" in result.stdout
    assert "skipped" not in result.stdout
