"""The log of one run: Dagster's events and dbt's own lines, in one file under the warehouse folder.

`unionwh run` keeps the terminal to one progress display and the summary; what the run logs goes to
`<warehouse folder>/logs/<year>-<date>-<time>-<run id>.log`, which the summary names in its last
line, and with --verbose to the terminal too. What a log holds is the kind of thing the publication
holds (names of files, sheets, models and checks, counts, messages): `unionwh privacy` scans the
logs beside the published warehouse as it scans the publication.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOGS_DIR = "logs"
LOGGER = "unionwh"  # pipelines' own loggers (unionwh.dbt, unionwh.run) are its children
FORMAT = "%(asctime)s %(levelname)-7s %(name)s %(message)s"


def logs_dir(warehouse: Path) -> Path:
    return Path(warehouse).parent / LOGS_DIR


def log_path(warehouse: Path, year: int, run_id: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return logs_dir(warehouse) / f"{year}-{stamp}-{run_id[:8]}.log"


def year_logs(warehouse: Path, year: int) -> list[Path]:
    """The run logs of a year beside this warehouse, oldest first."""
    return sorted(logs_dir(warehouse).glob(f"{year}-*.log"))


@contextmanager
def run_log(path: Path, echo: logging.Handler | None = None) -> Iterator[logging.Logger]:
    """Send the `unionwh` loggers and Python's warnings to the file (and to `echo`) while the run
    lasts; nothing of it reaches the terminal otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    handlers: list[logging.Handler] = [handler, *([echo] if echo else [])]
    logger = logging.getLogger(LOGGER)
    warnings_logger = logging.getLogger("py.warnings")
    saved = (logger.level, logger.propagate, warnings_logger.propagate)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    warnings_logger.propagate = False
    for target in (logger, warnings_logger):
        for h in handlers:
            target.addHandler(h)
    logging.captureWarnings(True)
    try:
        yield logger
    finally:
        logging.captureWarnings(False)
        for target in (logger, warnings_logger):
            for h in handlers:
                target.removeHandler(h)
        logger.setLevel(saved[0])
        logger.propagate, warnings_logger.propagate = saved[1], saved[2]
        handler.close()


class ConsoleLogHandler(logging.Handler):
    """--verbose: the run's log lines on the console too (above a live progress display)."""

    def __init__(self, console) -> None:
        super().__init__()
        self.console = console
        self.setFormatter(logging.Formatter(FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        self.console.print(self.format(record), markup=False, highlight=False, soft_wrap=True)
