"""The same year on the embedded file and on the server, and readers during a publication.

    uv run python bench/federation.py [--runs 3] [--readers 6 20] [--out bench/federation.json]

Starts a throwaway PostgreSQL server (pipelines/db/pgserver.py), then:

1. runs `unionwh run` on the shipped demo year `--runs` times on each engine, alternating (DuckDB
   with --force; the server always rebuilds), after one first run each that is not counted (dbt's
   partial parse, the server's caches); prints the median of each stage (`unionwh run`'s own
   table of stage times) and of the wall time of the whole command;
2. publishes one (university, year) of the federation database over and over while N readers
   query it (each read: the university's figures and quarantine in one repeatable-read snapshot),
   and reports the reads per second and the slowest read, idle and during publications.

docs/scale.md quotes its output.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.db.pgserver import TemporaryPostgres  # noqa: E402
from pipelines.db.postgres import database_dsn  # noqa: E402
from pipelines.publish.federation import publish_federation  # noqa: E402
from pipelines.publish.federation_access import setup_federation  # noqa: E402

STAGE_ROW = re.compile(r"│ (\S.*?) +│ +([\d.]+) │")
# the rows of `unionwh run`'s stage table (its per-source table has the same shape)
STAGES = ("读取与入库", "dbt 构建", "检查", "发布", "合计")
UNIONWH = str(Path(sys.executable).with_name("unionwh"))


def run(args: list[str]) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    done = subprocess.run([UNIONWH, *args], capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stdout[-3000:] + done.stderr[-3000:])
    stages = {
        label.strip(): float(value)
        for label, value in STAGE_ROW.findall(done.stdout)
        if label.startswith(STAGES)
    }
    return wall, stages


def engines(server: TemporaryPostgres, work: Path, runs: int) -> dict:
    federation = server.dsn_for("federation")
    with psycopg.connect(server.dsn, autocommit=True) as con:
        con.execute("create database federation")
    setup_federation(federation, ["demo", "readers"])  # roles and row-level security, as served
    common = ["run", "--year", "2023", "--raw-dir", str(ROOT / "raw")]
    commands = {
        "duckdb": [
            *common,
            "--warehouse",
            str(work / "duckdb" / "union.duckdb"),
            "--marts-dir",
            str(work / "duckdb" / "marts"),
            "--force",
        ],
        "postgres": [
            *common,
            "--warehouse",
            str(work / "pg" / "union.duckdb"),
            "--marts-dir",
            str(work / "pg" / "marts"),
            "--target",
            "postgres",
            "--pg-dsn",
            federation,
            "--university",
            "demo",
        ],
    }
    first = {name: run(command)[0] for name, command in commands.items()}
    samples: dict[str, list[tuple[float, dict]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(run(command))
    result = {}
    for name, measured in samples.items():
        stages = sorted({s for _, st in measured for s in st})
        result[name] = {
            "first_run_seconds": round(first[name], 1),
            "wall_seconds_median": round(statistics.median(w for w, _ in measured), 1),
            "wall_seconds": [round(w, 1) for w, _ in measured],
            "stages_median": {
                s: round(statistics.median(st.get(s, 0.0) for _, st in measured), 1) for s in stages
            },
        }
    return result


def _reader(
    federation: str, reads: list, publishing: threading.Event, stop: threading.Event
) -> None:
    """Read one university's figures and quarantine in one snapshot, again and again."""
    with psycopg.connect(federation, autocommit=True) as con:
        while not stop.is_set():
            during = publishing.is_set()
            started = time.perf_counter()
            with con.transaction():
                con.execute("set transaction isolation level repeatable read")
                con.execute(
                    "select count(*), sum(value) from marts.report_figures "
                    "where university = 'readers'"
                ).fetchall()
                con.execute(
                    "select count(*) from audit.quarantine where university = 'readers'"
                ).fetchall()
            ended = time.perf_counter()
            reads.append((ended, ended - started, during or publishing.is_set()))


def readers(server: TemporaryPostgres, counts: list[int], publications: int = 5) -> dict:
    federation = server.dsn_for("federation")
    build = database_dsn(server.dsn, "unionwh_demo_2023")
    publish_federation(build, federation, "readers", 2023)
    out = {}
    for count in counts:
        reads: list[tuple[float, float, bool]] = []  # (end time, seconds, during a publication)
        publishing = threading.Event()
        stop = threading.Event()

        threads = [
            threading.Thread(target=_reader, args=(federation, reads, publishing, stop))
            for _ in range(count)
        ]
        for thread in threads:
            thread.start()
        time.sleep(3)
        idle_end = time.perf_counter()
        durations = []
        for _ in range(publications):
            publishing.set()
            started = time.perf_counter()
            publish_federation(build, federation, "readers", 2023)
            durations.append(time.perf_counter() - started)
            publishing.clear()
        stop.set()
        for thread in threads:
            thread.join()
        idle = [s for end, s, during in reads if end <= idle_end]
        busy = [s for _, s, during in reads if during]
        out[str(count)] = {
            "publication_seconds_median": round(statistics.median(durations), 2),
            "idle_reads_per_second": round(len(idle) / 3, 1),
            "idle_read_ms_max": round(1000 * max(idle), 1),
            "reads_during_publications": len(busy),
            "reads_per_second_during_publication": round(len(busy) / sum(durations), 1),
            "read_ms_median_during_publication": round(1000 * statistics.median(busy), 1),
            "read_ms_max_during_publication": round(1000 * max(busy), 1),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--readers", type=int, nargs="+", default=[6, 20])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, TemporaryPostgres() as server:
        result = {
            "load_average_start": os.getloadavg(),
            "engines": engines(server, Path(scratch), args.runs),
            "readers": readers(server, args.readers),
            "load_average_end": os.getloadavg(),
        }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
