"""Running the year's job in this process, with one progress display and a log of the run, and
collecting what happened."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from rich.console import Console

from pipelines.checks import validator
from pipelines.contract import load_contract
from pipelines.ingest.source import source_files
from pipelines.run.display import RunDisplay, Totals, stage_of
from pipelines.run.instance import run_instance
from pipelines.run.log import ConsoleLogHandler, log_path, run_log
from pipelines.settings import setting

STAGES = {
    "land": "读取与入库 read + land",
    "dbt": "dbt 构建 dbt build",
    "checks": "检查 checks",
    "publish": "发布 publish",
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
    log_path: Path | None = None


PUBLISHED_KEY = dg.AssetKey(["published", "year"])
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def run_year(
    year: int,
    console: Console | None = None,
    debug: bool = False,
    publish: bool = True,
    verbose: bool = False,
) -> RunOutcome:
    """Execute the year's job in this process; never raises for a failed step.

    publish=False runs ingestion, dbt and every check but not the publication (`unionwh check`).
    Dagster's events and dbt's lines go to the run's log file (RunOutcome.log_path), and to the
    console as well with verbose."""
    started = time.perf_counter()
    validator.start()  # GX imports on the other core while this process loads the Definitions
    try:
        return _run_year(year, started, console, debug, publish, verbose)
    finally:
        validator.stop()


def _totals(job, selection, year: int, publish: bool):
    # start-up: the Definitions load after the GX process started (see run_year)
    from pipelines.dbt.assets import union_dbt_assets

    graph = job.asset_layer.asset_graph
    selected = set(selection) if selection is not None else set(graph.executable_asset_keys)
    year_dir = Path(setting("UNIONWH_RAW_DIR")) / str(year)
    contract = load_contract()
    files = (
        sum(len(source_files(year_dir, s)) for s in contract.sources) if year_dir.is_dir() else 0
    )
    dbt_assets = set(union_dbt_assets.keys) & selected
    dbt_checks = {k for k in union_dbt_assets.check_keys if k.asset_key in selected}
    checks = {k for k in graph.asset_check_keys if k.asset_key in selected} - dbt_checks
    ingest_steps = {node.name for node in job.graph.nodes if stage_of(node.name) == "land"}
    totals = Totals(
        files=files,
        ingest_steps=len(ingest_steps),
        models=len(dbt_assets),
        tests=len(dbt_checks),
        checks=len(checks),
        publish=publish,
    )
    return totals, dbt_assets, dbt_checks


def _run_year(
    year: int,
    started: float,
    console: Console | None,
    debug: bool,
    publish: bool,
    verbose: bool,
) -> RunOutcome:
    # start-up: the Definitions (dbt, dagster-dbt: 3.5 s) import while GX imports in its process
    from pipelines.dbt.runner import preload as preload_dbt
    from pipelines.definitions import YEAR_JOB_NAME, defs

    job = defs.resolve_job_def(YEAR_JOB_NAME)
    selection = None
    if not publish:
        graph = job.asset_layer.asset_graph
        selection = [key for key in graph.executable_asset_keys if key != PUBLISHED_KEY]
    totals, dbt_assets, dbt_checks = _totals(job, selection, year, publish)
    instance = run_instance()
    if dbt_assets:
        preload_dbt()  # dbt's runtime imports while the files are read and landed
    run_id = str(uuid.uuid4())  # known before the run starts, so the display can listen to it
    path = log_path(Path(setting("UNIONWH_WAREHOUSE")), year, run_id)
    echo = ConsoleLogHandler(console) if verbose and console is not None else None
    with run_log(path, echo) as log:
        display = RunDisplay(console, totals, dbt_assets, dbt_checks, log.getChild("dagster"))
        instance.add_event_listener(run_id, display.on_event)
        with display:
            result = job.execute_in_process(
                partition_key=str(year),
                instance=instance,
                raise_on_error=False,
                asset_selection=selection,
                run_id=run_id,
                # Dagster's console log prints stack traces of failed steps: only with --debug
                run_config=None if debug else QUIET_LOGS,
            )
    outcome = RunOutcome(year, result.success, result.run_id, time.perf_counter() - started)
    outcome.log_path = path
    _collect_steps(instance, result.run_id, outcome, debug)
    return outcome


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
    # start-up: the Definitions load after the GX process started (see run_year)
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
            stage = stage_of(event.step_key)
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
