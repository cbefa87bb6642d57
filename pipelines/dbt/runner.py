"""dbt in the run's own process (dbtRunner), with the parsed project kept beside the build.

A `dbt build` subprocess paid, before its first SQL statement and on every run: dbt's imports
(~2.5 s), reading its partial parse back into a manifest (~1.5 s), writing manifest.json and
run_results.json (~1 s), and one JSON line per event for dagster-dbt to parse again (~5,600 events
for a year). Here:

- the parsed manifest is pickled into the build's target folder, under a key made of everything it
  is parsed from (the dbt project's files, dbt's versions, the year, the build file and dbt's
  environment variables); a run whose key matches unpickles it in ~0.1 s, any other run parses
  (dbt's own partial parse still applies) and writes the pickle again. The pickle is written and
  read only by this module, in the private warehouse folder;
- dbt's events reach the caller as objects, through a callback, with no log written by dbt itself
  (`--log-level none`, `--log-level-file none`): the caller keeps the lines it wants;
- dbt's JSON artifacts are not written (`--no-write-json`): the dbt step writes run_results.json
  itself (pipelines.dbt.step), with the tests' results (pipelines.dbt.data_tests).

dbt-duckdb keeps the build file open in a class-level environment after an invocation; `close()`
releases it so that the checks can open the file read-only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
import logging
import os
import pickle
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pipelines.db.connect import is_postgres
from pipelines.errors import UnionWarehouseError
from pipelines.hashing import source_tree_sha256
from pipelines.settings import DBT_PROJECT_DIR

MANIFEST_PICKLE = "manifest.pickle"
# dbt's events that carry one node's result (the ones dagster-dbt turns into asset outputs)
RESULT_EVENTS = frozenset({"LogModelResult", "LogSeedResult", "LogSnapshotResult"})
LOG_LEVELS = {"info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}
# dbt's own lines (START/OK per node, warnings, errors): the run's log file keeps them
# (pipelines.run.runner); `dagster dev` shows them through dagster.yaml's managed loggers.
dbt_log = logging.getLogger("unionwh.dbt")


class DbtError(UnionWarehouseError):
    """dbt could not parse or run the project (the message is dbt's)."""


def _versions(*packages: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for package in packages:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = None
    return found


@dataclass(frozen=True)
class DbtBuild:
    """One build's dbt settings: the build (a DuckDB file or a PostgreSQL database's DSN), the
    project, dbt's profile target and the environment the profile reads, where dbt writes (its
    target folder), for which year."""

    build_ref: Path | str
    target_dir: Path
    year: int
    project_dir: Path = DBT_PROJECT_DIR
    profiles_dir: Path = DBT_PROJECT_DIR
    profile_target: str = "build"
    env: dict[str, str] = dataclasses.field(default_factory=dict)

    def args(self) -> list[str]:
        """The flags every invocation of this build takes."""
        return [
            "--project-dir",
            str(self.project_dir),
            "--profiles-dir",
            str(self.profiles_dir),
            "--target",
            self.profile_target,
            "--target-path",
            str(self.target_dir),
            "--log-path",
            str(self.target_dir),
            "--vars",
            json.dumps({"year": int(self.year)}),
            "--log-level",
            "none",
            "--log-level-file",
            "none",
            "--no-use-colors",
            "--no-write-json",
        ]

    def profile_env(self) -> dict[str, str]:
        """What dbt's profile reads to find the build: as given, else a DuckDB file's variable."""
        return self.env or {"UNIONWH_BUILD_DB": str(self.build_ref)}

    def manifest_key(self) -> str:
        """Everything the parsed manifest depends on; a different key means parse again."""
        build = self.build_ref if is_postgres(self.build_ref) else Path(self.build_ref).resolve()
        parts = {
            "dbt": _versions("dbt-core", "dbt-duckdb", "dbt-postgres"),
            "python": sys.version,
            "project": source_tree_sha256(Path(self.project_dir)),
            "profiles": str(Path(self.profiles_dir).resolve()),
            "target": self.profile_target,
            "year": int(self.year),
            "build": str(build),
            # dbt's own settings; the profile's variables name the build, set by invoke()
            "environment": {k: v for k, v in sorted(os.environ.items()) if k.startswith("DBT_")},
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


# dbt's Manifest.__reduce_ex__ lists its fields by position and misses some of them (`fixtures`,
# several lookups), so an unpickled manifest had its lookups in the wrong fields. It is pickled
# here by field name instead, without its lock and its lookups and caches (rebuilt on first use).
_REBUILT_ON_USE = frozenset({"_lock", "_macros_by_name", "_macros_by_package"})


def _rebuild_manifest(cls: type, fields: dict[str, Any]) -> Any:
    return cls(**fields)


class _ManifestPickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        from dbt.contracts.graph.manifest import Manifest

        if type(obj) is not Manifest:
            return NotImplemented
        fields = {
            f.name: getattr(obj, f.name)
            for f in dataclasses.fields(obj)
            if f.name not in _REBUILT_ON_USE and not f.name.endswith("_lookup")
        }
        return _rebuild_manifest, (Manifest, fields)


def _read_pickle(path: Path, key: str) -> Any | None:
    # Anything unreadable (an older dbt's classes, a truncated file) means: parse again. The
    # collector is paused while ~100,000 objects are made (it would scan them several times).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with contextlib.suppress(Exception), path.open("rb") as stream:
            if pickle.load(stream) == key:
                return pickle.load(stream)
        return None
    finally:
        if collecting:
            gc.enable()


def _write_pickle(path: Path, key: str, manifest: Any) -> None:
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as stream:
        pickle.dump(key, stream, protocol=pickle.HIGHEST_PROTOCOL)
        _ManifestPickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(manifest)
    partial.replace(path)


# what an invocation imports beyond what dagster-dbt has imported with the Definitions
DBT_RUNTIME_MODULES = (
    "dbt.cli.main",
    "dbt.task.build",
    "dbt.adapters.duckdb.impl",
    "dbt.parser.manifest",
)


def preload() -> threading.Thread:
    """Import dbt's runtime in a thread while the run reads and lands the files (the process
    mostly waits for its reader processes then), so that the dbt step starts without it."""
    import importlib

    def work() -> None:
        for module in DBT_RUNTIME_MODULES:
            with contextlib.suppress(ImportError):  # an adapter not installed: the step says so
                importlib.import_module(module)

    thread = threading.Thread(target=work, name="dbt-preload", daemon=True)
    thread.start()
    return thread


def load_manifest(build: DbtBuild) -> Any:
    """The project's parsed manifest (dbt's `Manifest`) for this build: the kept one when its key
    matches, else dbt's parse (which reuses its partial parse), then kept for the next run."""
    build.target_dir.mkdir(parents=True, exist_ok=True)
    path = build.target_dir / MANIFEST_PICKLE
    key = build.manifest_key()
    manifest = _read_pickle(path, key)
    if manifest is not None:
        return manifest
    result = invoke(build, ["parse"])
    _write_pickle(path, key, result.result)
    return result.result


def invoke(
    build: DbtBuild,
    command: list[str],
    manifest: Any = None,
    on_event: Callable[[Any], None] | None = None,
) -> Any:
    """Run one dbt command in this process; return dbt's `dbtRunnerResult`. Raises DbtError when
    dbt itself failed (a failed node is a result, not an exception)."""
    from dbt.cli.main import dbtRunner

    os.environ.update(build.profile_env())
    runner = dbtRunner(manifest=manifest, callbacks=[on_event] if on_event else [])
    try:
        result = runner.invoke([*command, *build.args()])
    finally:
        close()
    if result.exception is not None:
        raise DbtError(
            f"dbt {command[0]} 失败：{result.exception}",
            f"dbt {command[0]} failed: {result.exception}",
        ) from result.exception
    return result


def close() -> None:
    """Release the build file dbt-duckdb holds open between invocations."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    DuckDBConnectionManager.close_all_connections()
    if environment is not None:
        environment.close()


class NodeBuild:
    """`dbt build` of the selected seeds and models (no tests) in a worker thread of this process.

    Iterating yields each node's result event as dbt's JSON log would carry it (a dict), while
    dbt goes on with the next nodes; afterwards `statuses` holds every node's result. dbt's
    other events with a message at info level or above go to the `unionwh.dbt` logger."""

    def __init__(self, build: DbtBuild, manifest: Any, selection: list[str]) -> None:
        self.build = build
        self.manifest = manifest
        self.command = ["build", *selection]
        self.command += ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
        self.statuses: dict[str, dict] = {}

    def __iter__(self) -> Iterator[dict]:
        from dbt_common.events.functions import msg_to_dict

        events: queue.SimpleQueue = queue.SimpleQueue()
        outcome: dict[str, Any] = {}

        def on_event(event: Any) -> None:
            info = event.info
            if info.name in RESULT_EVENTS:
                events.put(msg_to_dict(event))
            level = LOG_LEVELS.get(info.level)
            if level is not None and info.msg:
                dbt_log.log(level, info.msg)

        def work() -> None:
            try:
                outcome["result"] = invoke(self.build, self.command, self.manifest, on_event)
            except BaseException as error:  # raised again in the caller's thread, below
                outcome["error"] = error
            finally:
                events.put(None)

        worker = threading.Thread(target=work, name="dbt-build", daemon=True)
        worker.start()
        while (raw := events.get()) is not None:
            yield raw
        worker.join()
        if "error" in outcome:
            raise outcome["error"]
        for result in outcome["result"].result.results:
            self.statuses[result.node.unique_id] = {
                "status": str(result.status),
                "message": result.message,
                "execution_time": round(result.execution_time, 4),
                "failures": result.failures,
            }
