"""`unionwh`: the app with every command registered, and the process's way out.

One module per command beside this one (run, check, audit, report, sql, privacy, bench,
demo-data, federation, frontdoor); each imports the shared app and options from
pipelines.cli.app at its top.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys

from pipelines.cli import (
    audit,
    bench,
    check,
    demo_data,
    federation,
    frontdoor,
    privacy,
    report,
    run,
    sql,
)
from pipelines.cli.app import app

for command in (run, demo_data, audit, report, sql, check, privacy, bench, federation, frontdoor):
    command.register(app)


def main() -> None:
    """The `unionwh` command. When the command is done, every exit handler runs and the output is
    flushed, then the process ends without tearing down the module graphs of Dagster, dbt and Great
    Expectations one object at a time (1.7 s after a run, the time it takes to read the demo year)."""
    try:
        app()
        code: int | str | None = 0
    except SystemExit as stop:
        code = stop.code
    if isinstance(code, str):  # a message instead of a status: print it, as sys.exit would
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    main()
