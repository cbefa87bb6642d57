"""What production runs: every data test declared on a model, the same set in Dagster and in dbt.

Dagster declares a check per dbt test of the production selection (and blocks the publication on
it); dbt runs the tests of that selection. The two are computed by different code (dagster-dbt's
selection over the manifest, dbt's own selector with its indirect selection), so they are compared
here: `dbt ls` with the production arguments against the checks of the dbt assets.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from pipelines.dbt.assets import DBT_MANIFEST, PRODUCTION_EXCLUDE, union_dbt_assets
from pipelines.dbt.project import DBT_PROJECT_DIR, PARSE_PLACEHOLDER_DB, dbt_command

NODES = DBT_MANIFEST["nodes"]
SEEDS = {uid for uid, node in NODES.items() if node["resource_type"] == "seed"}
# enabled ones: a test of a model switched off (the federation marts outside a federation
# build) stays in the manifest's nodes with enabled = false
DATA_TESTS = {
    uid: node
    for uid, node in NODES.items()
    if node["resource_type"] == "test" and node["config"].get("enabled", True)
}


def _parents(node: dict) -> set[str]:
    return set(node["depends_on"]["nodes"])


def _tests_only_seeds(node: dict) -> bool:
    return bool(_parents(node)) and _parents(node) <= SEEDS


def _declared_checks() -> set[str]:
    """The dbt test behind each check Dagster declares (by the test's name)."""
    return {spec.name for spec in union_dbt_assets.check_specs}


@pytest.fixture(scope="module")
def dbt_executes(tmp_path_factory) -> set[str]:
    """The unique ids of the tests `dbt build` runs with the production arguments."""
    target = tmp_path_factory.mktemp("dbt-ls")
    result = subprocess.run(
        dbt_command(
            "ls",
            "--resource-type",
            "test",
            "--select",
            "fqn:*",
            "--exclude",
            PRODUCTION_EXCLUDE,
            "--output",
            "json",
            "--output-keys",
            "unique_id",
            "--quiet",
            target_path=target,
        ),
        capture_output=True,
        text=True,
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "UNIONWH_BUILD_DB": str(PARSE_PLACEHOLDER_DB)},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return {json.loads(line)["unique_id"] for line in result.stdout.splitlines() if line.strip()}


def test_every_relationships_test_on_a_model_runs_in_production(dbt_executes):
    on_models = {
        uid
        for uid, node in DATA_TESTS.items()
        if (node.get("test_metadata") or {}).get("name") == "relationships"
        and any(NODES[p]["resource_type"] == "model" for p in _parents(node) if p in NODES)
    }
    assert (
        len(on_models) >= 30
    )  # department codes, reasons, warnings, figures, categories, counties
    assert on_models <= dbt_executes, sorted(on_models - dbt_executes)
    declared = _declared_checks()
    assert {DATA_TESTS[uid]["name"] for uid in on_models} <= declared


def test_only_the_seeds_own_tests_are_left_to_the_suite(dbt_executes):
    left_out = set(DATA_TESTS) - dbt_executes
    assert left_out, "the seeds' own tests run in the test suite only"
    for uid in left_out:
        assert _tests_only_seeds(DATA_TESTS[uid]), f"{uid} tests the year's data but does not run"
    assert {uid for uid, n in DATA_TESTS.items() if _tests_only_seeds(n)} == left_out


def test_every_declared_check_runs_and_every_generic_test_is_a_check(dbt_executes):
    """A declared blocking check that dbt never runs would "emit no result"; a test dbt runs
    without a declared check would gate nothing. (dagster-dbt makes a check of a singular test
    only when it reads one model; the others fail the dbt step when they fail.)"""
    executed = {DATA_TESTS[uid]["name"]: uid for uid in dbt_executes}
    declared = _declared_checks()
    assert declared <= set(executed), sorted(declared - set(executed))
    generic = {name for name, uid in executed.items() if DATA_TESTS[uid].get("test_metadata")}
    assert generic <= declared, sorted(generic - declared)
