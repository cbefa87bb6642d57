"""The one Definitions object: assets, checks, jobs, schedules, sensors and resources.

`dagster dev` loads it (pyproject's [tool.dagster]); `unionwh run` executes its job in-process.
"""

import dagster as dg

from pipelines.automation import build_nightly_schedule, build_raw_folder_sensor
from pipelines.checks.assets import BLOCKING_UPSTREAM, asset_checks
from pipelines.dbt.assets import union_dbt_assets
from pipelines.ingest.assets import ingest_unknown_folders, ingestion_assets
from pipelines.publish.assets import build_publish_asset
from pipelines.publish.publication import PUBLISHED_SCHEMAS
from pipelines.resources import resources_from_environment

published_year = build_publish_asset(
    [key for key in union_dbt_assets.keys if key.path[0] in PUBLISHED_SCHEMAS]
    + [ingest_unknown_folders.key]
    # blocking checks block only the assets directly downstream of the asset they check
    + BLOCKING_UPSTREAM
)

YEAR_JOB_NAME = "union_year"
year_job = dg.define_asset_job(
    YEAR_JOB_NAME,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="一个年度的完整流水线 (the whole pipeline for one fiscal year)",
)

defs = dg.Definitions(
    assets=[*ingestion_assets, ingest_unknown_folders, union_dbt_assets, published_year],
    asset_checks=asset_checks,
    jobs=[year_job],
    schedules=[build_nightly_schedule(year_job)],
    sensors=[build_raw_folder_sensor(year_job)],
    resources=resources_from_environment(),
)
