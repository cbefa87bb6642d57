"""The dbt project as Dagster knows it: its folder, `DbtProject`, the parse-only manifest, the
translator (dbt nodes -> asset keys and groups) and the resource naming the project a run builds.

It imports nothing of the package but pipelines.settings (paths only) and pipelines.locks, so every other dbt module,
the resources and the publication can import it without a cycle.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from pipelines.locks import held
from pipelines.settings import DBT_PROJECT_DIR, DBT_TARGET_DIR

# The parse-only target (DBT_TARGET_DIR): its manifest.json defines the Dagster assets. Runs use
# the build's own target folder (Warehouse.dbt_target_dir), so partial parsing survives between
# runs of a year.
PARSE_PLACEHOLDER_DB = DBT_TARGET_DIR / "parse-only.duckdb"
PARTIAL_PARSE = "partial_parse.msgpack"

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
    """Parse the dbt project when its manifest is missing or older than its files.

    Safe when several processes ask at once (pytest-xdist's workers, a run beside the UI): one
    parses under a lock while the others wait and then find the manifest fresh, and the parse
    writes into a scratch folder whose manifest.json is renamed into place, so a reader never
    sees one half written."""
    manifest = DBT_TARGET_DIR / "manifest.json"
    if not _sources_newer_than(manifest):
        return manifest
    DBT_TARGET_DIR.mkdir(parents=True, exist_ok=True)
    with held(DBT_TARGET_DIR / ".parse.lock"):  # without flock: still never half written
        if _sources_newer_than(manifest):  # nobody parsed while this process waited
            _parse_into(DBT_TARGET_DIR)
    return manifest


def _parse_into(target_dir: Path) -> None:
    """`dbt parse` in a scratch folder beside target_dir (its partial-parse file copied in), then
    its files renamed into target_dir, manifest.json last: its time says the parse is done."""
    env = {
        **os.environ,
        "UNIONWH_BUILD_DB": os.environ.get("UNIONWH_BUILD_DB", str(PARSE_PLACEHOLDER_DB)),
    }
    with tempfile.TemporaryDirectory(dir=target_dir, prefix=".parse-") as scratch_dir:
        scratch = Path(scratch_dir)
        partial = target_dir / PARTIAL_PARSE
        if partial.exists():
            shutil.copy2(partial, scratch / PARTIAL_PARSE)
        subprocess.run(
            dbt_command("parse", "--quiet", target_path=scratch),
            check=True,
            env=env,
            cwd=DBT_PROJECT_DIR,
        )
        for written in sorted(scratch.iterdir(), key=lambda p: p.name == "manifest.json"):
            if written.is_file():
                os.replace(written, target_dir / written.name)


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


@cache
def manifest() -> dict[str, Any]:
    """The parse-only manifest (parsed first when missing or older than the project's files)."""
    return json.loads(ensure_manifest().read_text(encoding="utf-8"))
