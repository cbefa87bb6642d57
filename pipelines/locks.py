"""One process at a time: an exclusive flock(2) on a lock file, released when the block ends or
the process dies (a killed run leaves no stale lock).

Used where two processes would otherwise both rebuild one file: the analysts' warehouse (two years
published at once), the parse-only dbt manifest (pytest-xdist's workers at collection), a front
door check's scratch build. Where flock does not exist (not POSIX), the block runs unlocked.
It imports nothing of the package, so any module may use it without a cycle.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no lock between processes
    fcntl = None


@contextlib.contextmanager
def held(lock_file: Path) -> Iterator[None]:
    """Wait for the exclusive lock on lock_file (created if missing) and hold it for the block."""
    with open(lock_file, "a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
