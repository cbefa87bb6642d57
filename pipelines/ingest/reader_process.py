"""One reader process: it reads the files it is sent one at a time, each under limits of its own.

A raw file is whatever a department sent. Calamine (native code under fastexcel) may panic on a
fuzzed workbook, abort the process, or follow an OLE sector chain that loops and ask for gigabytes.
None of that may take anything but the file down, so every file is read in a process of its own
(`pipelines.ingest.readers` keeps a few alive and starts a new one after a crash), under:

- an address-space limit (RLIMIT_AS) of the process's size before the file plus the file's
  memory budget: a native allocation beyond it fails and the process ends (calamine aborts);
- a CPU-time limit (RLIMIT_CPU, the kernel ends the process with SIGXCPU), and a wall-clock limit
  that the parent enforces (a reader that waits forever is killed).

The budgets grow with the file's size and have a floor and a cap (`limits_for`). At the 100×
benchmark volume the largest file is the roster, 47 MB of xlsx, which needs 1.07 GB of address
space and 11 CPU seconds; its budget is 2.4 GB and 250 CPU seconds. A 1 KB file gets the floor,
512 MB and 60 CPU seconds: many times what a sheet of that size needs, and an eighth of the 4 GB
that one request of calamine's asks for when an OLE sector chain loops.

The process's stderr goes to a file of its own, so that calamine's panic text and Rust's
"memory allocation of … failed" never reach the user's terminal; the parent reads its tail to tell
a memory limit from a crash.
"""

from __future__ import annotations

import math
import os
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection

from pipelines.errors import library_message

try:
    import resource  # POSIX only: on Windows a file is read under the wall-clock limit alone
except ImportError:
    resource = None

MB = 1 << 20
# Address space a file may add to its reader: the floor, plus MEMORY_PER_FILE_BYTE bytes per byte
# of the file, up to the cap. An xlsx is zipped XML (about 10× when inflated) and each cell becomes
# a calamine value, a Python string and a Polars column entry. Measured (VmPeak above the warmed-up
# process): the 100× roster, 47 MB of xlsx, needs 1.07 GB (23 bytes per byte, 0.79 GB resident);
# the 10× one, 4.8 MB, 0.13 GB. 40 per byte is about twice that; the floor covers a small file's
# fixed cost many times over and is an eighth of what a looping OLE chain asks for.
MEMORY_FLOOR = 512 * MB
MEMORY_PER_FILE_BYTE = 40
MEMORY_CAP = 4 * 1024 * MB
# CPU seconds: a floor, plus seconds per MB (the 100× roster reads in about 10 CPU seconds).
CPU_FLOOR_SECONDS = 60
CPU_SECONDS_PER_MB = 4
CPU_CAP_SECONDS = 1800
# The wall-clock limit allows for a machine that is busy with other work.
WALL_PER_CPU_SECOND = 4


@dataclass(frozen=True)
class Limits:
    """What reading one file may take."""

    memory_bytes: int
    cpu_seconds: int
    wall_seconds: int

    @property
    def memory_mb(self) -> int:
        return self.memory_bytes // MB


def limits_for(file_bytes: int) -> Limits:
    """The limits of a file of `file_bytes` bytes."""
    memory = min(MEMORY_CAP, MEMORY_FLOOR + MEMORY_PER_FILE_BYTE * file_bytes)
    cpu = min(CPU_CAP_SECONDS, CPU_FLOOR_SECONDS + math.ceil(CPU_SECONDS_PER_MB * file_bytes / MB))
    return Limits(memory, cpu, cpu * WALL_PER_CPU_SECOND)


@dataclass(frozen=True)
class TaskFailed:
    """The task raised: its class and the first line of its message (never a traceback)."""

    kind: str  # "memory" (MemoryError) or "error"
    exception: str
    detail: str


def serve(conn: Connection, stderr_path: str) -> None:
    """The reader process's main loop: (function, arguments, limits) in, ("ok", result) or
    ("failed", TaskFailed) out; None ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    stderr = os.open(stderr_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(stderr, 2)
    os.close(stderr)
    _warm_up()
    while (task := conn.recv()) is not None:
        fn, args, limits = task
        os.ftruncate(2, 0)  # the tail the parent reads is this task's only
        try:
            with _limited(limits):
                result = fn(*args)
        except MemoryError as exc:
            conn.send(("failed", TaskFailed("memory", type(exc).__name__, library_message(exc))))
            continue
        except BaseException as exc:  # a panic in native code (pyo3's PanicException) included
            conn.send(("failed", TaskFailed("error", type(exc).__name__, library_message(exc))))
            continue
        try:
            conn.send(("ok", result))
        except Exception as exc:  # pickling happens before anything is written
            conn.send(("failed", TaskFailed("error", type(exc).__name__, library_message(exc))))


class _limited:
    """RLIMIT_AS and RLIMIT_CPU for the duration of one task (soft limits only: the hard limits
    stay, so the next task can be given limits of its own)."""

    def __init__(self, limits: Limits | None) -> None:
        self.limits = limits
        self.saved: dict[int, tuple[int, int]] = {}

    def __enter__(self) -> None:
        if self.limits is None or resource is None:
            return
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu_used = math.ceil(used.ru_utime + used.ru_stime)
        size = _address_space()
        if size is not None:  # Linux; elsewhere the CPU and wall-clock limits are what is left
            self._set(resource.RLIMIT_AS, size + self.limits.memory_bytes)
        self._set(resource.RLIMIT_CPU, cpu_used + self.limits.cpu_seconds)

    def _set(self, which: int, soft: int) -> None:
        current_soft, hard = resource.getrlimit(which)
        self.saved[which] = (current_soft, hard)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(which, (soft, hard))

    def __exit__(self, *exc_info: object) -> None:
        for which, limit in self.saved.items():
            resource.setrlimit(which, limit)


def _warm_up() -> None:
    """Polars reserves the address space of its thread pools (about 0.7 GB of VmSize, little of
    it resident) on its first CSV read; done before any limit, so that a limit measures the file
    and not the process's first use of Polars."""
    import io

    import polars as pl

    pl.read_csv(io.BytesIO(b"a,b\n1,2\n"), has_header=False, infer_schema=False)


def _address_space() -> int | None:
    """This process's virtual size (VmSize), in bytes; None where /proc does not say."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
