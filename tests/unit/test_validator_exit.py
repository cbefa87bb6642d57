"""A run that fails while Great Expectations still works in its process (the dbt step failed
after it began the suites) must still end: `unionwh` exits as pipelines.cli.main does, running
the exit handlers, and multiprocessing's handler used to wait forever on that process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.conftest import PROJECT_ROOT

BUSY_SECONDS = 120
HANG_SECONDS = 60  # a guard only: the process ends within seconds

SCRIPT = textwrap.dedent(
    f"""
    import atexit, logging, os, sys, time
    from pathlib import Path

    from pipelines.checks import validator

    begun, finished = Path(sys.argv[1]), Path(sys.argv[2])
    import_gx = validator._import_gx


    def import_gx_saying_when():
        begun.touch()
        import_gx()
        finished.touch()


    if __name__ == "__main__":
        validator._import_gx = import_gx_saying_when  # what start() runs in the GX process
        validator.start()
        validator._pool.submit(time.sleep, {BUSY_SECONDS})  # a validation no check will take
        deadline = time.monotonic() + {HANG_SECONDS}  # a guard only
        while not begun.exists():  # the GX process is importing: the run fails now
            if time.monotonic() > deadline:
                sys.exit("the GX process never began its import")
            time.sleep(0.02)
        validator.stop()
        atexit._run_exitfuncs()  # what pipelines.cli.main.main does before os._exit
        logging.shutdown()
        os._exit(0)
    """
)


def test_the_process_ends_though_a_validation_still_runs(tmp_path):
    script = tmp_path / "failed_run.py"
    script.write_text(SCRIPT, encoding="utf-8")
    begun, finished = tmp_path / "import-begun", tmp_path / "import-finished"
    try:
        ended = subprocess.run(
            [sys.executable, str(script), str(begun), str(finished)],
            cwd=PROJECT_ROOT,
            timeout=HANG_SECONDS,
            capture_output=True,
            text=True,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the failed run did not end: its exit waited for the GX process")
    assert ended.returncode == 0, ended.stderr
    # it ended while GX's import still ran in the other process, which it ended unfinished
    assert begun.exists()
    assert not finished.exists()
