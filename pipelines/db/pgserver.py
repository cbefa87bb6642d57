"""A throwaway PostgreSQL server: a new data directory, a free local port, stopped by its pid.

The test suite and `unionwh bench` start one of these to run the federation warehouse against a
real server without touching any cluster of the machine. PostgreSQL refuses to run as root, so
when this process is root the server (initdb, pg_ctl, postgres) runs as the unprivileged user
`postgres` (the Debian package creates it) through `runuser`, in a data directory it owns.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "unionwh"
SERVICE_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine (apt package `postgresql`)."""


BINDIR_VARIABLE = "UNIONWH_PG_BINDIR"


def server_bindir() -> Path:
    """The folder of `initdb`, `pg_ctl` and `postgres`: the one `UNIONWH_PG_BINDIR` names (a machine
    with several versions), else PATH, else Debian's versioned folders, newest first (Debian does
    not put the server binaries on PATH)."""
    named = os.environ.get(BINDIR_VARIABLE)
    candidates = [named] if named else _found_on_path() + _debian_bindirs()
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    where = f"{BINDIR_VARIABLE}={named}" if named else "PATH, /usr/lib/postgresql/*/bin"
    raise PostgresUnavailable(
        f"未找到 PostgreSQL 服务器程序（initdb、pg_ctl；查找了 {where}）；请安装 Debian 软件包 "
        f"postgresql (PostgreSQL server binaries not found in {where}: install the Debian "
        "package postgresql)"
    )


def _found_on_path() -> list[str]:
    found = shutil.which("initdb")
    return [str(Path(found).resolve().parent)] if found and shutil.which("pg_ctl") else []


def _debian_bindirs() -> list[str]:
    return sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class TemporaryPostgres:
    """One server in its own data directory; `start()` then `stop()` (or use it as a context)."""

    root: Path | None = None
    port: int = 0
    bindir: Path = field(default_factory=server_bindir)
    pid: int | None = None

    def __post_init__(self) -> None:
        self._owns_root = self.root is None
        self.root = Path(self.root or tempfile.mkdtemp(prefix="unionwh-pg-"))
        self.port = self.port or free_port()

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def dsn(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def dsn_for(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _as_service_user(self, args: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return args
        return ["runuser", "-u", SERVICE_USER, "--", *args]

    def _run(self, *args: str) -> None:
        completed = subprocess.run(
            self._as_service_user([str(a) for a in args]),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if completed.returncode != 0:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise RuntimeError(
                f"{args[0]} failed ({completed.returncode}): {completed.stderr}\n{completed.stdout}\n{log}"
            )

    def start(self) -> TemporaryPostgres:
        if os.geteuid() == 0:
            shutil.chown(self.root, SERVICE_USER, SERVICE_USER)
            os.chmod(self.root, 0o700)
        # trust on the loopback only: a test server with no password, reachable from this machine
        self._run(
            self.bindir / "initdb",
            "-D",
            self.data_dir,
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=60 -c shared_buffers=128MB"
        )
        self._run(
            self.bindir / "pg_ctl", "-D", self.data_dir, "-l", self.log_file, "-o", options,
            "-w", "-t", "60", "start",
        )  # fmt: skip
        self.pid = int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
        return self

    def stop(self, timeout: float = 30) -> None:
        """Fast shutdown by the postmaster's pid (SIGINT), waiting until it is gone."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGINT)
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    os.kill(self.pid, 0)
                    time.sleep(0.1)
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.pid = None
        if self._owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> TemporaryPostgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
