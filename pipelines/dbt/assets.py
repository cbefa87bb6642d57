"""The dbt project as Dagster assets (dagster-dbt): models, seeds and, as asset checks, dbt tests.

dbt reads raw.* in the year's private build; the Warehouse resource names it for dbt's profile
(dbt_project/profiles.yml): a DuckDB file through UNIONWH_BUILD_DB (target `build`), or a database
on a PostgreSQL server through UNIONWH_PG_* (target `postgres`). The models are the same on both:
where the dialects differ, a macro of dbt_project/macros/portable.sql chooses. The step runs dbt
in the run's own process and the tests in one batch (pipelines.dbt.step); the assets and checks are
dagster-dbt's, from the parse-only manifest.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtProject,
    dbt_assets,
)

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


class DbtProjectResource(dg.ConfigurableResource):
    """The dbt project a run builds (the project's own by default; a test may point at a copy)."""

    project_dir: str = str(DBT_PROJECT_DIR)
    profiles_dir: str = str(DBT_PROJECT_DIR)


def dbt_resource() -> DbtProjectResource:
    return DbtProjectResource()


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
def union_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtProjectResource, warehouse: Warehouse
):
    """dbt in this process: the models, then every declared test in one batch (pipelines.dbt.step)."""
    from pipelines.checks import validator
    from pipelines.dbt.step import run_dbt_step

    validator.start()  # GX imports in its own process (`unionwh run` started it at the run's start)
    yield from run_dbt_step(context, warehouse, dbt)


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
