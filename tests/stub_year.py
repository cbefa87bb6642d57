"""A year's job made of the real checks on stub assets, run as `unionwh run` runs it (in process,
its steps collected into a RunOutcome): for tests of blocking checks that need no dbt run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from pipelines.partitions import fiscal_years
from pipelines.run.runner import RunOutcome, _collect_steps

YEAR = "2024"
PUBLISHED = dg.AssetKey(["published", "year"])


def published_stub(marker: Path, deps: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """The publication, downstream of `deps`: writes `marker` when it runs."""

    @dg.asset(key=PUBLISHED, deps=list(deps), partitions_def=fiscal_years)
    def published() -> None:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("published")

    return published


def run_stub_year(assets: list, asset_checks: list, resources: dict) -> RunOutcome:
    """Materialize every asset and check for YEAR in process; never raises for a failed step."""
    defs = dg.Definitions(
        assets=assets,
        asset_checks=asset_checks,
        jobs=[
            dg.define_asset_job(
                "year", selection=dg.AssetSelection.all(), executor_def=dg.in_process_executor
            )
        ],
        resources=resources,
    )
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("year").execute_in_process(
        partition_key=YEAR, instance=instance, raise_on_error=False
    )
    outcome = RunOutcome(int(YEAR), result.success, result.run_id, 0.0)
    _collect_steps(instance, result.run_id, outcome, debug=False)
    return outcome
