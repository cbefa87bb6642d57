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
from collections.abc import Iterator, Mapping
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
PARSE_PLACEHOLDER_DB = DBT_TARGET_DIR / "parse-only.duckdb"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def seeds_own_tests(manifest: Mapping[str, Any]) -> list[str]:
    """The data tests whose every parent is a seed (unique, not_null, accepted_values on the seeds):
    the seeds are written by hand and change only with the code, so these stay in the test suite
    (tests/dbt builds everything). A test that joins a model to a seed (relationships to the
    departments, reason codes, figure keys …) checks the year's data and runs in production."""
    seeds = {k for k, n in manifest["nodes"].items() if n["resource_type"] == "seed"}
    return sorted(
        ".".join(node["fqn"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node["depends_on"]["nodes"]
        and set(node["depends_on"]["nodes"]) <= seeds
    )


def production_exclude(manifest: Mapping[str, Any]) -> str:
    """What production builds leave out: dbt unit tests (SQL logic on fixed inputs, run by the
    suite) and the seeds' own tests, named one by one (`fqn:`), so that dagster-dbt, which
    declares the checks, and dbt, which runs the tests, read the selection the same way. A
    selector such as `path:seeds` does not: dbt widens an excluded seed to every test that
    touches it (indirect selection), dagster-dbt does not, and checks were declared that never ran."""
    return " ".join(
        ["resource_type:unit_test", *(f"fqn:{name}" for name in seeds_own_tests(manifest))]
    )


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


DBT_MANIFEST = json.loads(ensure_manifest().read_text(encoding="utf-8"))
PRODUCTION_EXCLUDE = production_exclude(DBT_MANIFEST)


@dbt_assets(
    manifest=DBT_MANIFEST,
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
    built: set[dg.AssetKey] = set()
    emitted: set[dg.AssetCheckKey] = set()
    try:
        for event in dbt.cli(args, context=context, target_path=target).stream():
            if isinstance(event, dg.Output):
                built.add(context.assets_def.keys_by_output_name[event.output_name])
            elif isinstance(event, dg.AssetCheckResult):
                emitted.add(dg.AssetCheckKey(event.asset_key, event.check_name))
            yield event
    except Exception:
        # dbt failed (a model or a test): the step fails, and still names the declared tests
        # that were not run on models it did build
        yield from checks_without_result(context, _owed(context, built) - emitted)
        raise
    yield from checks_without_result(context, _owed(context, built) - emitted)


def _owed(context: dg.AssetExecutionContext, built: set[dg.AssetKey]) -> set[dg.AssetCheckKey]:
    """The selected checks on the models this build materialized: each must have a result.
    (A model dbt skipped after an upstream failure is not materialized, nor are its checks owed.)"""
    return {key for key in context.selected_asset_check_keys if key.asset_key in built}


def checks_without_result(
    context: dg.AssetExecutionContext, missing: set[dg.AssetCheckKey]
) -> Iterator[dg.AssetCheckResult]:
    """A declared check that dbt did not run fails: Dagster would only warn that it "emitted no
    result" and publish without it."""
    for key in sorted(missing, key=lambda k: k.to_user_string()):
        spec = context.assets_def.get_spec_for_check_key(key)
        yield dg.AssetCheckResult(
            asset_key=key.asset_key,
            check_name=key.name,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR if spec.blocking else dg.AssetCheckSeverity.WARN,
            metadata={
                "rows_affected": 0,
                "where": key.asset_key.to_user_string().replace("/", "."),
                "details": "dbt 未执行此测试，检查没有结果 "
                "(dbt did not run this test: the check has no result)",
                "no_result": True,
            },
        )
