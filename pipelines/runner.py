"""Running the year's job in-process, with a progress bar, and collecting what happened."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field

import dagster as dg
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

STAGES = {
    "ingest": "读取与入库 read + land",
    "union_dbt": "dbt 构建 dbt build",
    "published": "发布 publish",
    "check": "检查 checks",
}


@dataclass
class CheckOutcome:
    """One asset check's evaluation in a run (dbt tests included, through dagster-dbt)."""

    asset: str
    name: str
    passed: bool
    severity: str  # ERROR or WARN
    blocking: bool
    rows_affected: int | None
    where: str | None
    details: str | None = None
    affected: str | None = None  # what was affected when it is not rows (files)


@dataclass
class RunOutcome:
    year: int
    success: bool
    run_id: str | None
    seconds_total: float
    step_seconds: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    checks: list[CheckOutcome] = field(default_factory=list)


def _stage_of(step_key: str) -> str:
    if step_key.startswith("ingest"):
        return "ingest"
    if "dbt" in step_key:
        return "union_dbt"
    if step_key.startswith("published"):
        return "published"
    return "check"


def _step_events(instance: dg.DagsterInstance, run_id: str):
    return instance.all_logs(run_id)


PUBLISHED_KEY = dg.AssetKey(["published", "year"])
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def run_year(
    year: int, console: Console | None = None, debug: bool = False, publish: bool = True
) -> RunOutcome:
    """Execute the year's job in this process; never raises for a failed step.

    publish=False runs ingestion, dbt and every check but not the publication (`unionwh check`)."""
    started = time.perf_counter()
    from pipelines.checks import validator

    validator.start()  # GX imports on the other core while this process loads the Definitions
    try:
        return _run_year(year, started, console, debug, publish)
    finally:
        validator.stop()


def _run_year(
    year: int, started: float, console: Console | None, debug: bool, publish: bool
) -> RunOutcome:
    from pipelines.definitions import YEAR_JOB_NAME, defs

    job = defs.resolve_job_def(YEAR_JOB_NAME)
    selection = None
    if not publish:
        graph = job.asset_layer.asset_graph
        selection = [key for key in graph.executable_asset_keys if key != PUBLISHED_KEY]
    instance = dg.DagsterInstance.ephemeral()
    holder: dict = {}

    def execute() -> None:
        try:
            holder["result"] = job.execute_in_process(
                partition_key=str(year),
                instance=instance,
                raise_on_error=False,
                asset_selection=selection,
                # Dagster's console log prints stack traces of failed steps: only with --debug
                run_config=None if debug else QUIET_LOGS,
            )
        except Exception as exc:  # surfaced below, with the run's failures
            holder["error"] = exc

    worker = threading.Thread(target=execute, daemon=True)
    worker.start()
    _show_progress(worker, instance, console, total_steps=len(job.graph.nodes))
    worker.join()
    if "error" in holder:
        raise holder["error"]
    result = holder["result"]
    outcome = RunOutcome(year, result.success, result.run_id, time.perf_counter() - started)
    _collect_steps(instance, result.run_id, outcome, debug)
    return outcome


def _show_progress(
    worker: threading.Thread, instance, console: Console | None, total_steps: int
) -> None:
    if console is None:
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("启动 starting…", total=total_steps)
        while worker.is_alive():
            # the run writes the same in-memory store; a read that collides is retried next tick
            with contextlib.suppress(Exception):
                _update_progress(instance, progress, task)
            time.sleep(1.0)


_STEP_EVENTS = {
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.STEP_SKIPPED,
}


def _update_progress(instance, progress, task) -> None:
    runs = instance.get_runs(limit=1)
    if not runs:
        return
    done, current = 0, None
    # Only step events, filtered by the event store: reading every event of the run on each poll
    # held the GIL against the run itself.
    for record in instance.all_logs(runs[0].run_id, of_type=_STEP_EVENTS):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"):
            done += 1
        elif event.event_type_value == "STEP_START":
            current = event.step_key
    label = STAGES.get(_stage_of(current), "") if current else ""
    progress.update(task, completed=done, description=f"{label} {current or ''}")


def _metadata_value(metadata: dict, key: str):
    value = metadata.get(key)
    return getattr(value, "value", value)


def _check_outcome(evaluation, blocking: set) -> CheckOutcome:
    metadata = evaluation.metadata or {}
    rows = _metadata_value(metadata, "rows_affected")
    if rows is None:
        rows = _metadata_value(metadata, "dagster_dbt/failed_row_count")
    where = _metadata_value(metadata, "where")
    key = evaluation.asset_key.to_user_string()
    details = _metadata_value(metadata, "details")
    return CheckOutcome(
        asset=key,
        name=evaluation.check_name,
        passed=evaluation.passed,
        severity=evaluation.severity.value,
        blocking=dg.AssetCheckKey(evaluation.asset_key, evaluation.check_name) in blocking,
        rows_affected=None if rows is None else int(rows),
        where=where or key.replace("/", "."),
        details=None if details is None else str(details),
        affected=_metadata_value(metadata, "affected"),
    )


def _collect_steps(instance, run_id: str, outcome: RunOutcome, debug: bool) -> None:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    blocking = {key for key in graph.asset_check_keys if graph.get_check_spec(key).blocking}
    starts: dict[str, float] = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None:
            continue
        kind = event.event_type_value
        if kind == "STEP_START":
            starts[event.step_key] = record.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in starts:
            stage = _stage_of(event.step_key)
            seconds = record.timestamp - starts[event.step_key]
            outcome.step_seconds[stage] = outcome.step_seconds.get(stage, 0.0) + seconds
        if kind == "STEP_FAILURE":
            error = event.step_failure_data.error
            if _is_failed_check(error) and not debug:
                continue  # reported below, by its ASSET_CHECK_EVALUATION, with the check's name
            message = _user_message(error, debug)
            outcome.failures.append(f"{event.step_key}: {message}")
        if kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            outcome.checks.append(_check_outcome(evaluation, blocking))
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                no_result = _metadata_value(evaluation.metadata or {}, "no_result")
                words = (
                    "检查没有结果 check emitted no result"
                    if no_result
                    else "检查未通过 check failed"
                )
                outcome.failures.append(
                    f"{words}: {evaluation.check_name} (on {evaluation.asset_key.to_user_string()})"
                )


def _is_failed_check(error) -> bool:
    while error is not None:
        if error.cls_name == "DagsterAssetCheckFailedError":
            return True
        error = error.cause
    return False


def _user_message(error, debug: bool) -> str:
    """The failure's own message; a traceback only with --debug."""
    if error is None:
        return "unknown error"
    cause = error
    while cause.cause is not None and cause.cls_name in ("DagsterExecutionStepExecutionError",):
        cause = cause.cause
    text = cause.message.strip()
    if cause.cls_name == "Failure":
        text = text.removeprefix("dagster._core.definitions.events.Failure: ")
    if debug:
        text += "\n" + "".join(cause.stack)
    return text
