"""A run that fails while Great Expectations still works in its process (the dbt step failed
after it began the suites) must still end: `unionwh` exits as pipelines.cli.main does, running
the exit handlers, and multiprocessing's handler used to wait forever on that process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from tests.conftest import PROJECT_ROOT

BUSY_SECONDS = 120

SCRIPT = textwrap.dedent(
    f"""
    import atexit, logging, os, time

    from pipelines.checks import validator

    if __name__ == "__main__":
        validator.start()
        validator._pool.submit(time.sleep, {BUSY_SECONDS})  # a validation no check will take
        time.sleep(1)
        validator.stop()
        atexit._run_exitfuncs()  # what pipelines.cli.main.main does before os._exit
        logging.shutdown()
        os._exit(0)
    """
)


def test_the_process_ends_though_a_validation_still_runs(tmp_path):
    script = tmp_path / "failed_run.py"
    script.write_text(SCRIPT, encoding="utf-8")
    started = time.monotonic()
    ended = subprocess.run(
        [sys.executable, str(script)], cwd=PROJECT_ROOT, timeout=BUSY_SECONDS / 2, check=False
    )
    assert ended.returncode == 0
    assert time.monotonic() - started < BUSY_SECONDS / 4
