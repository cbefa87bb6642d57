"""The dbt project as Dagster assets (dagster-dbt): models, seeds and, as asset checks, dbt tests.

dbt reads raw.* in the year's private build; the Warehouse resource names it for dbt's profile
(dbt_project/profiles.yml): a DuckDB file through UNIONWH_BUILD_DB (target `build`), or a database
on a PostgreSQL server through UNIONWH_PG_* (target `postgres`). The models are the same on both:
where the dialects differ, a macro of dbt_project/macros/portable.sql chooses.
"""

import importlib.metadata
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from packaging import version

from pipelines.partitions import fiscal_years
from pipelines.resources import PROJECT_ROOT, Warehouse

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# The parse-only target: its manifest.json defines the Dagster assets. Runs use the build's own
# target folder (Warehouse.dbt_target_dir), so partial parsing survives between runs of a year.
DBT_TARGET_DIR = DBT_PROJECT_DIR / "target"
# Left out of production builds, run by the test suite (tests/dbt builds everything):
# - dbt unit tests check the SQL logic on fixed inputs, as dbt recommends;
# - the data tests of the seeds (62 of 331 nodes, ~0.03 s each): the seeds are written by hand and
#   change only with the code. A test that joins a seed to a model lives with the model.
PRODUCTION_EXCLUDE = "resource_type:unit_test test_type:generic,path:seeds"
PARSE_PLACEHOLDER_DB = DBT_TARGET_DIR / "parse-only.duckdb"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_command(*command: str, target_path: Path, year: int | str | None = None) -> list[str]:
    """A dbt command line on this project: the dbt beside this Python, the project and profiles
    folder, a target folder and, for a build of a year, its `year` var."""
    args = [
        _dbt_executable(),
        *command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_path),
    ]
    if year is not None:
        args += ["--vars", json.dumps({"year": int(year)})]
    return args


def _sources_newer_than(manifest: Path) -> bool:
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    watched = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "seeds", "macros", "tests", "snapshots"):
        watched.extend((DBT_PROJECT_DIR / folder).rglob("*"))
    return any(p.is_file() and p.stat().st_mtime > built for p in watched)


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than its files."""
    manifest = DBT_TARGET_DIR / "manifest.json"
    if _sources_newer_than(manifest):
        env = {
            **os.environ,
            "UNIONWH_BUILD_DB": os.environ.get("UNIONWH_BUILD_DB", str(PARSE_PLACEHOLDER_DB)),
        }
        DBT_TARGET_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            dbt_command("parse", "--quiet", target_path=DBT_TARGET_DIR),
            check=True,
            env=env,
            cwd=DBT_PROJECT_DIR,
        )
    return manifest


class UnionDbtCli(DbtCliResource):
    """DbtCliResource without two fixed costs that dagster-dbt pays before every build, in series
    with it: `dbt --version` in a subprocess (2.5 s of dbt's imports) when the dbt beside this
    Python is the one run, and an in-process dbt adapter (3.5 s: loading every macro), which serves
    only `fetch_row_counts()` and `fetch_column_metadata()`, not used here."""

    def _initialize_dbt_core_adapter(self, args):
        return None

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable) == Path(sys.executable).with_name("dbt"):
            return version.parse(importlib.metadata.version("dbt-core"))
        return super()._cli_version


def dbt_resource() -> DbtCliResource:
    return UnionDbtCli(
        project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=_dbt_executable()
    )


class UnionDbtTranslator(DagsterDbtTranslator):
    """Sources are the ingestion assets (raw/<table>); models are keyed <schema>/<name>."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or "seeds"
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return dbt_resource_props.get("config", {}).get("schema") or "dbt"


translator = UnionDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=ensure_manifest(),
    dagster_dbt_translator=translator,
    partitions_def=fiscal_years,
    name="union_dbt",
    exclude=PRODUCTION_EXCLUDE,
)
def union_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    from pipelines.checks.expectations import prewarm

    prewarm()  # GX's import (~6 CPU s) overlaps the dbt subprocess instead of slowing ingestion
    year = context.partition_key
    os.environ.update(warehouse.dbt_env(year))
    args = ["build", "--target", warehouse.dbt_target, "--vars", json.dumps({"year": int(year)})]
    target = warehouse.dbt_target_dir(year)
    yield from dbt.cli(args, context=context, target_path=target).stream()
