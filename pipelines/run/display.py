"""What `unionwh run` shows while the year runs: one progress display, a line per stage.

    ✓ 读取 read       ━━━━━━━━━━━━━━━━━━━━  25/25 文件 files                      0:00:02
    ✓ 入库 land       ━━━━━━━━━━━━━━━━━━━━  11/11 步 steps                        0:00:02
    ✓ dbt             ━━━━━━━━━━━━━━━━━━━━  56/56 模型 models · 216/216 测试 tests  0:00:04
    ✓ 检查 checks     ━━━━━━━━━━━━━━━━━━━━  18/18                                 0:00:01
    ✓ 发布 publish    ━━━━━━━━━━━━━━━━━━━━  1/1                                   0:00:01

It is driven by the run's own events (an event listener on the instance, in the thread that runs
the job), so it costs no polling: the ingestion assets log how many files they read, dbt's models
arrive as materializations and its tests as check evaluations. Every event also goes to the run's
log (pipelines.run.log).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import dagster as dg
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from pipelines.ingest.assets import READ_PATTERN

LABELS = {
    "read": "读取 read",
    "land": "入库 land",
    "dbt": "dbt",
    "checks": "检查 checks",
    "publish": "发布 publish",
}


def stage_of(step_key: str) -> str:
    """The display's stage of a step of the year's job."""
    if step_key.startswith(("ingest", "raw__")):
        return "land"
    if "dbt" in step_key:
        return "dbt"
    if step_key.startswith("published"):
        return "publish"
    return "checks"


class StatusColumn(SpinnerColumn):
    """A spinner while the stage runs; then ✓, ✗ when something in it failed, – when it did not
    run (a failure upstream)."""

    def render(self, task: Task) -> Text:
        if task.fields.get("failed"):
            return Text("✗", style="bold red")
        if task.fields.get("not_run"):
            return Text("–", style="dim")
        return super().render(task)


@dataclass(frozen=True)
class Totals:
    files: int  # raw files of the contract's sources
    ingest_steps: int
    models: int  # dbt seeds and models
    tests: int  # dbt tests (asset checks of the dbt assets)
    checks: int  # the other asset checks
    publish: bool


class RunDisplay:
    """The progress display (nothing when there is no console) and the run's log of events."""

    def __init__(
        self,
        console: Console | None,
        totals: Totals,
        dbt_assets: set[dg.AssetKey],
        dbt_checks: set[dg.AssetCheckKey],
        log: logging.Logger,
    ) -> None:
        self.totals = totals
        self.dbt_assets = dbt_assets
        self.dbt_checks = dbt_checks
        self.log = log
        self.done = dict.fromkeys(("read", "land", "models", "tests", "checks", "publish"), 0)
        self.failed: set[str] = set()
        self.progress = Progress(
            StatusColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}", style="bold"),
            BarColumn(bar_width=20),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=console,
            disable=console is None,
            transient=False,
        )
        stages = ["read", "land", "dbt", "checks"] + (["publish"] if totals.publish else [])
        self.tasks = {
            stage: self.progress.add_task(
                LABELS[stage], total=self._total(stage), start=False, failed=False, not_run=False
            )
            for stage in stages
        }
        for stage in stages:
            self._update(stage)

    def _total(self, stage: str) -> int:
        t = self.totals
        return {
            "read": t.files,
            "land": t.ingest_steps,
            "dbt": t.models + t.tests,
            "checks": t.checks,
            "publish": 1,
        }[stage]

    def _counts(self, stage: str) -> str:
        d, t = self.done, self.totals
        if stage == "read":
            return f"{d['read']}/{t.files} 文件 files"
        if stage == "land":
            return f"{d['land']}/{t.ingest_steps} 步 steps"
        if stage == "dbt":
            return f"{d['models']}/{t.models} 模型 models · {d['tests']}/{t.tests} 测试 tests"
        key = "checks" if stage == "checks" else "publish"
        return f"{d[key]}/{self._total(stage)}"

    def _update(self, stage: str) -> None:
        if stage not in self.tasks:
            return
        done = {
            "read": self.done["read"],
            "land": self.done["land"],
            "dbt": self.done["models"] + self.done["tests"],
            "checks": self.done["checks"],
            "publish": self.done["publish"],
        }[stage]
        failed = stage in self.failed
        label = f"[red]{LABELS[stage]}[/]" if failed else LABELS[stage]
        self.progress.update(
            self.tasks[stage],
            completed=done,
            description=label,
            counts=self._counts(stage),
            failed=failed,
        )

    def _start(self, stage: str) -> None:
        if stage in self.tasks:
            self.progress.start_task(self.tasks[stage])

    def __enter__(self) -> RunDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        for stage, task_id in self.tasks.items():
            task = self.progress.tasks[task_id]
            if not task.finished and stage not in self.failed:
                counts = f"{self._counts(stage)} 未执行 not run"
                self.progress.update(
                    task_id, description=f"[dim]{LABELS[stage]}[/]", counts=counts, not_run=True
                )
            self.progress.stop_task(task_id)
        self.progress.stop()

    # -- events --------------------------------------------------------------------------------

    def on_event(self, entry) -> None:
        """The instance's event listener: log the entry, move the display. Never raises (it runs
        inside Dagster's event handling)."""
        try:
            self._log(entry)
            self._count(entry)
        except Exception:  # a display must not break the run it shows
            self.log.exception("progress display")

    def _log(self, entry) -> None:
        event = entry.dagster_event
        level = entry.level if isinstance(entry.level, int) else logging.INFO
        where = entry.step_key or "-"
        if event is None:
            self.log.log(level, "%s %s", where, entry.user_message)
            return
        text = entry.user_message or event.message or ""
        self.log.log(level, "%s %s %s", where, event.event_type_value, text)
        if event.event_type_value == "STEP_FAILURE" and event.step_failure_data.error:
            error = event.step_failure_data.error
            self.log.error("%s %s%s", where, error.message, "".join(error.stack))

    def _count(self, entry) -> None:
        event = entry.dagster_event
        step = entry.step_key or ""
        if event is None:
            match = READ_PATTERN.match(entry.user_message or "")
            if match:
                self._start("read")
                self.done["read"] += int(match.group(1))
                self._update("read")
            return
        kind = event.event_type_value
        stage = stage_of(step) if step else None
        if kind == "STEP_START" and stage:
            self._start(stage)
            if stage == "land":
                self._start("read")
        elif kind == "STEP_SUCCESS" and stage in ("land", "publish"):
            self.done[stage] += 1
            self._update(stage)
        elif kind == "STEP_FAILURE" and stage:
            self.failed.add(stage)
            self._update(stage)
        elif kind == "ASSET_MATERIALIZATION" and event.asset_key in self.dbt_assets:
            self.done["models"] += 1
            self._update("dbt")
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            key = dg.AssetCheckKey(evaluation.asset_key, evaluation.check_name)
            row, counter = ("dbt", "tests") if key in self.dbt_checks else ("checks", "checks")
            self._start(row)
            self.done[counter] += 1
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                self.failed.add(row)
            self._update(row)
