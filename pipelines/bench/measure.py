"""Running one bench step in its own process and measuring it: wall time and peak memory.

Peak memory is taken two ways, both without psutil:
- `peak_rss_mb`: the kernel's high-water mark (`ru_maxrss` from `wait4`) of the step's process and
  every descendant it waited for: the largest single process of the step (exact, but it does not add
  up processes that ran at the same time, e.g. Dagster and its dbt subprocess). Linux carries the
  forking process's high-water mark into the child at exec, so a step forked straight from the bench
  (a few hundred MB after importing Dagster) would report at least the bench's own size. Each step is
  therefore started by a tiny launcher (`python -S`, a few MB) that spawns the command, waits for it
  and writes its `ru_maxrss` to a file;
- `tree_rss_mb`: the sum of the resident sets of the child and all its descendants, sampled from
  /proc every 0.2 s (Linux only; misses peaks shorter than a sample).
The step's peak is the larger of the two. CPU seconds (user + system, the command and its waited-for
descendants) come from the same wait4: on a busy machine they are steadier than wall time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.2
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MB = 1024 * 1024


@dataclass
class Measured:
    returncode: int
    wall_seconds: float
    peak_rss_mb: float
    cpu_seconds: float  # user + system of the command and the descendants it waited for
    tree_rss_mb: float
    stdout: str = ""
    stderr: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def peak_mb(self) -> float:
        return max(self.peak_rss_mb, self.tree_rss_mb)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, chars: int = 2000) -> str:
        return (self.stdout[-chars:] + "\n" + self.stderr[-chars:]).strip()


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stream:
                stat = stream.read()
        except OSError:
            continue
        # the command name may hold spaces or parentheses: fields start after the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def tree_rss_bytes(root: int) -> int:
    """Resident bytes of a process and all its descendants, now."""
    children = _children_map()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm", "rb") as stream:
                total += int(stream.read().split()[1]) * PAGE_BYTES
        except (OSError, IndexError, ValueError):
            continue
    return total


class _Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopped = pid, 0, threading.Event()

    def run(self) -> None:
        if not Path("/proc").is_dir():
            return
        while not self.stopped.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            self.stopped.wait(SAMPLE_SECONDS)


# Spawns the command, waits, writes the command's ru_maxrss (KiB on Linux) to $BENCH_MAXRSS_FILE.
_LAUNCHER = """
import os, sys
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(os.environ["BENCH_MAXRSS_FILE"], "w") as out:
    out.write(f"{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(
    args: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Measured:
    """Run args to completion; wall time from just before the launch to the command's exit."""
    maxrss_file = Path(tempfile.mkstemp(prefix="bench-maxrss-")[1])
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-S", "-c", _LAUNCHER, *args],
        cwd=cwd,
        env={**os.environ, **(env or {}), "BENCH_MAXRSS_FILE": str(maxrss_file)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,  # a timeout kills the launcher and the command together
    )
    sampler = _Sampler(process.pid)
    sampler.start()
    out: dict[str, str] = {}
    readers = [
        threading.Thread(target=lambda: out.__setitem__("stdout", process.stdout.read())),
        threading.Thread(target=lambda: out.__setitem__("stderr", process.stderr.read())),
    ]
    for reader in readers:
        reader.start()
    deadline = None if timeout is None else started + timeout
    status, usage = 0, None
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.02)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    sampler.stopped.set()
    sampler.join()
    for reader in readers:
        reader.join()
    try:
        kib, cpu = maxrss_file.read_text().split()
        command_maxrss, cpu_seconds = int(kib), float(cpu)
    except (OSError, ValueError):  # killed before it could write: the launcher's own figures
        command_maxrss, cpu_seconds = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    finally:
        maxrss_file.unlink(missing_ok=True)
    # ru_maxrss is in KiB on Linux (bytes on macOS)
    maxrss = command_maxrss * (1 if sys.platform == "darwin" else 1024)
    return Measured(
        returncode=process.returncode,
        wall_seconds=wall,
        peak_rss_mb=maxrss / MB,
        cpu_seconds=cpu_seconds,
        tree_rss_mb=sampler.peak / MB,
        stdout=out.get("stdout", ""),
        stderr=out.get("stderr", ""),
    )
