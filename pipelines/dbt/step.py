"""The dbt step of a year's run, in the run's own process.

1. dbt builds the selected seeds and models (pipelines.dbt.runner); each node's result reaches
   Dagster as the asset output dagster-dbt would have made of it (its own event translation, fed
   from dbt's callback instead of a subprocess's JSON log).
2. Every selected dbt test, i.e. every asset check that dagster-dbt declared on these assets and
   the run selected, runs as its own query in one connection (pipelines.dbt.data_tests) and becomes
   that asset check's result. The set of tests run is the set of checks selected, by
   construction: a selected check without a dbt test, or a test the compile did not return, stops
   the step. A test whose model did not build in this run is not run (dbt skips it too), so it
   gives no result, and the step fails on the model.
3. run_results.json in the build's target folder lists every node's status, as dbt's would (the
   manifest of the publication and the report read it).

The step fails, after every result is out, when a model did not build or a test with error
severity failed, as `dbt build` exits 1 then; a test with warn severity only warns.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.checks import validator
from pipelines.checks.assets import data_docs_dir
from pipelines.dbt.data_tests import TestResult, compile_tests, run_tests
from pipelines.dbt.project import DBT_PROJECT_DIR, dbt_project
from pipelines.dbt.runner import DbtBuild, NodeBuild, load_manifest
from pipelines.resources import Warehouse

BUILT_TYPES = frozenset({"model", "seed", "snapshot"})
RUN_RESULTS = "run_results.json"
UNIQUE_ID = "dagster_dbt/unique_id"  # the check spec's metadata naming its dbt test


def _node_selection(manifest_json: Mapping, uids: list[str], everything: bool) -> list[str]:
    if everything:
        return ["--select", "fqn:*"]
    fqns = " ".join("fqn:" + ".".join(manifest_json["nodes"][uid]["fqn"]) for uid in uids)
    return ["--select", fqns]


def _outputs(
    context: dg.AssetExecutionContext, nodes: NodeBuild, manifest_json: Mapping, translator: Any
) -> Iterator[dg.Output]:
    """Each node's result as the output dagster-dbt makes of it, as dbt finishes the node."""
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

    for raw in nodes:
        message = DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={})
        yield from message.to_default_asset_events(
            manifest=manifest_json,
            dagster_dbt_translator=translator,
            context=context,
            target_path=nodes.build.target_dir,
            project=dbt_project,
        )


def declared_tests(
    assets_def: dg.AssetsDefinition, selected: set[dg.AssetCheckKey] | None = None
) -> dict[str, dg.AssetCheckKey]:
    """The asset checks dagster-dbt declared on these assets (those selected), by the unique id
    of the dbt test each stands for."""
    tests = {}
    for spec in assets_def.check_specs:
        if selected is not None and spec.key not in selected:
            continue
        uid = (spec.metadata or {}).get(UNIQUE_ID)
        if uid is None:
            raise dg.Failure(
                description="检查没有对应的 dbt 测试 check has no dbt test: "
                + spec.key.to_user_string()
            )
        tests[uid] = spec.key
    return tests


def unattached_tests(manifest_json: Mapping, translator: Any) -> list[str]:
    """The dbt tests that no asset check can stand for (a singular test of several models without
    a `dagster: ref` in its meta): they run too, and a failure fails the step, named."""
    from dagster_dbt.asset_utils import get_asset_check_key_for_test

    known = manifest_json["nodes"].keys() | manifest_json["sources"].keys()
    return sorted(
        uid
        for uid, node in manifest_json["nodes"].items()
        if node["resource_type"] == "test"
        and node["config"].get("enabled", True)  # a disabled model's tests are disabled
        and set(node["depends_on"]["nodes"]) <= known
        and get_asset_check_key_for_test(manifest_json, translator, uid, project=dbt_project)
        is None
    )


def _check_result(key: dg.AssetCheckKey, result: TestResult) -> dg.AssetCheckResult:
    metadata: dict[str, Any] = {
        "unique_id": result.unique_id,
        "status": result.status,
        "dagster_dbt/failed_row_count": result.failures,
        "Execution Duration": round(result.seconds, 4),
    }
    if result.message:
        metadata["details"] = result.message
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=result.status == "pass",
        severity=dg.AssetCheckSeverity.WARN
        if result.status == "warn"
        else dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
    )


def write_run_results(
    target_dir: Path,
    statuses: dict[str, dict],
    tests: list[TestResult],
    seconds: float,
    nodes: Mapping[str, Mapping],
) -> Path:
    """run_results.json as dbt writes it, with the fields read here: unique_id, status,
    failures, execution_time, message (models from dbt's results, tests from the batch). A test
    also carries its name and the model it is attached to, from the manifest's nodes: the run
    writes no manifest.json into the target folder, so a reader (the report) finds them here."""
    results = [{"unique_id": uid, **status} for uid, status in sorted(statuses.items())]
    results += [
        {
            "unique_id": t.unique_id,
            "name": nodes.get(t.unique_id, {}).get("name"),
            "attached_node": nodes.get(t.unique_id, {}).get("attached_node"),
            "status": t.status,
            "failures": t.failures,
            "execution_time": round(t.seconds, 4),
            "message": t.message,
        }
        for t in tests
    ]
    path = target_dir / RUN_RESULTS
    document = {
        "metadata": {
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "generated_by": "pipelines.dbt.step (models: dbt build; tests: pipelines.dbt.data_tests)",
        },
        "elapsed_time": round(seconds, 3),
        "results": results,
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def dbt_build(warehouse: Warehouse, year: int, project: Any = None) -> DbtBuild:
    """The year's build as dbt sees it, from the Warehouse resource (and the dbt project)."""
    return DbtBuild(
        build_ref=warehouse.build_path(year),
        target_dir=warehouse.dbt_target_dir(year),
        year=year,
        project_dir=Path(project.project_dir if project else DBT_PROJECT_DIR),
        profiles_dir=Path(project.profiles_dir if project else DBT_PROJECT_DIR),
        profile_target=warehouse.dbt_target,
        env=warehouse.dbt_env(year),
    )


def _begin_expectations(warehouse: Warehouse, year: int) -> None:
    """Every model is built and dbt has let go of the build file: the Great Expectations suites,
    which read the classified models, can run in their process while this one runs the tests."""
    validator.begin(warehouse.build_path(year), year, data_docs_dir(warehouse, str(year)))


def run_dbt_step(context: dg.AssetExecutionContext, warehouse: Warehouse, project: Any) -> Iterator:
    from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets

    started = time.perf_counter()
    year = int(context.partition_key)
    build = dbt_build(warehouse, year, project)
    manifest_json, translator, _ = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    node_keys = {
        uid: translator.get_asset_key(node)
        for uid, node in manifest_json["nodes"].items()
        if node["resource_type"] in BUILT_TYPES
        and translator.get_asset_key(node) in context.assets_def.keys
    }
    selected = set(context.selected_asset_keys)
    models = sorted(uid for uid, key in node_keys.items() if key in selected)
    everything = len(models) == len(node_keys)
    tests = declared_tests(context.assets_def, set(context.selected_asset_check_keys))

    manifest = load_manifest(build)
    statuses: dict[str, dict] = {}
    if models:
        nodes = NodeBuild(build, manifest, _node_selection(manifest_json, models, everything))
        yield from _outputs(context, nodes, manifest_json, translator)
        statuses = nodes.statuses
    # a test whose model did not build in this run is not run (as dbt skips it), nor owed
    not_built = {uid for uid in models if statuses.get(uid, {}).get("status") != "success"}
    runnable = sorted(
        uid
        for uid in [*tests, *(unattached_tests(manifest_json, translator) if everything else [])]
        if not_built.isdisjoint(manifest_json["nodes"][uid]["depends_on"]["nodes"])
    )

    results: list[TestResult] = []
    missing: set[str] = set()
    if runnable:
        compiled = compile_tests(
            build,
            manifest,
            key=build.manifest_key(),
            wanted=set(runnable),
            selection=["--select", "resource_type:test"],
        )
        # declared, but the project built has no such test (disabled, removed): not run
        missing = {uid for uid in runnable if uid not in compiled}
        if everything and not not_built:
            _begin_expectations(warehouse, year)
        yield from checks_without_result(context, {tests[uid] for uid in missing if uid in tests})
        batch = [compiled[uid] for uid in runnable if uid in compiled]
        for result in run_tests(build.build_ref, batch):
            results.append(result)
            if result.unique_id in tests:
                yield _check_result(tests[result.unique_id], result)
    write_run_results(
        build.target_dir,
        statuses,
        results,
        time.perf_counter() - started,
        manifest_json["nodes"],
    )

    names = {uid: node["name"] for uid, node in manifest_json["nodes"].items()}
    problems = [
        f"{names[uid]}: {statuses.get(uid, {}).get('message') or 'not built'}"
        for uid in sorted(not_built)
        if statuses.get(uid, {}).get("status") != "skipped"
    ]
    problems += [
        f"{names[r.unique_id]} ({r.status}): {r.message}"
        for r in results
        if r.status in ("fail", "error")
    ]
    problems += [f"{names[uid]}: 未执行 not run" for uid in sorted(missing)]
    if problems:
        listing = "\n".join(f"- {p}" for p in problems)
        raise dg.Failure(
            description=f"dbt 构建未通过 dbt build did not pass ({len(problems)}):\n{listing}",
            metadata={"problems": len(problems)},
        )


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
