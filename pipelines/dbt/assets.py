"""The dbt project as Dagster assets (dagster-dbt): models, seeds and, as asset checks, dbt tests.

dbt reads raw.* in the year's private build; the Warehouse resource names it for dbt's profile
(dbt_project/profiles.yml): a DuckDB file through UNIONWH_BUILD_DB (target `build`), or a database
on a PostgreSQL server through UNIONWH_PG_* (target `postgres`). The models are the same on both:
where the dialects differ, a macro of dbt_project/macros/portable.sql chooses. The step runs dbt
in the run's own process and the tests in one batch (pipelines.dbt.step); the assets and checks are
dagster-dbt's, from the parse-only manifest.
"""

import dagster as dg
from dagster_dbt import dbt_assets

from pipelines.checks import validator
from pipelines.dbt.project import DbtProjectResource, manifest, production_exclude, translator
from pipelines.dbt.step import run_dbt_step
from pipelines.partitions import fiscal_years
from pipelines.resources import Warehouse

DBT_MANIFEST = manifest()
PRODUCTION_EXCLUDE = production_exclude(DBT_MANIFEST)


@dbt_assets(
    manifest=DBT_MANIFEST,
    dagster_dbt_translator=translator,
    partitions_def=fiscal_years,
    name="union_dbt",
    exclude=PRODUCTION_EXCLUDE,
)
def union_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtProjectResource, warehouse: Warehouse
):
    """dbt in this process: the models, then every declared test in one batch (pipelines.dbt.step)."""
    validator.start()  # GX imports in its own process (`unionwh run` started it at the run's start)
    yield from run_dbt_step(context, warehouse, dbt)
