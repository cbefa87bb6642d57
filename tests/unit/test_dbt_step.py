"""Every dbt data test production runs is an asset check of the dbt assets, so the dbt step (which
runs the selected checks' tests, pipelines.dbt.step) leaves none out and runs none unseen."""

from __future__ import annotations

import json

from pipelines.dbt.assets import union_dbt_assets
from pipelines.dbt.project import ensure_manifest, translator
from pipelines.dbt.step import declared_tests, unattached_tests


def _tests() -> dict[str, dict]:
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    return {
        uid: n
        for uid, n in manifest["nodes"].items()
        if n["resource_type"] == "test" and n["config"].get("enabled", True)
    }


def test_every_data_test_of_a_model_is_an_asset_check():
    declared = declared_tests(union_dbt_assets)
    tests = _tests()
    of_models = {
        uid
        for uid, node in tests.items()
        if not (parents := node["depends_on"]["nodes"])
        or not all(p.startswith("seed.") for p in parents)
    }
    assert len(of_models) > 150
    assert of_models <= set(declared), sorted(of_models - set(declared))
    assert set(declared) <= set(tests)  # and every check stands for a test


def test_no_dbt_test_is_left_without_an_asset_check():
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    assert unattached_tests(manifest, translator) == []


def test_the_report_names_each_tests_model_from_the_runs_own_results(tmp_path):
    """The run writes run_results.json and no manifest.json: the report's checks table still says
    which model each test is about."""
    from pipelines.dbt.data_tests import TestResult
    from pipelines.dbt.step import write_run_results
    from pipelines.report.data import checks_from_dbt

    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    uid, node = next(
        (uid, n)
        for uid, n in sorted(manifest["nodes"].items())
        if n["resource_type"] == "test" and n.get("attached_node")
    )
    model = node["attached_node"].rsplit(".", 1)[-1]
    write_run_results(
        tmp_path, {}, [TestResult(uid, "fail", 3, 0.01, "Got 3 results")], 0.5, manifest["nodes"]
    )
    assert not (tmp_path / "manifest.json").exists()
    [check] = checks_from_dbt(tmp_path)
    assert (check.name, check.detail, check.passed) == (node["name"], model, False)
