"""The dbt tests run in one batch (pipelines.dbt.data_tests) are judged as dbt's own runner judges them,
and the dbt step (pipelines.dbt.step) turns each one into the asset check dagster-dbt declared.

On the handmade fixture, tampered so that some tests fail and one warns, dbt's runner (`dbt test`
in its own process) gives every data test a status and a failure count; the batch must give the
same status and count to every one of them. Then the real dbt step runs in Dagster on the same
tampered build: one result per declared check, the failing tests failed (error severity), the
warning warned, the rest passed, and the step failed so that nothing downstream is published.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.dbt.data_tests import compile_tests, run_tests
from pipelines.dbt.runner import DbtBuild, load_manifest
from tests.dbt.dbt_cli import YEAR, run_dbt
from tests.dbt.make_fixture import build_fixture


def tamper(build_db: Path) -> None:
    with duckdb.connect(str(build_db)) as con:
        # a landed row twice: the landed-row key is no longer unique (primary_key fails)
        con.execute("insert into raw.welfare_payments select * from raw.welfare_payments limit 1")
        # a file status the landing never writes (accepted_values fails)
        con.execute(
            "update raw.files set status = 'misplaced' "
            "where file_name = (select min(file_name) from raw.files where status = 'loaded')"
        )
        # the landing's row count of one sheet disagrees with its rows (a warn-severity test)
        con.execute(
            "update raw.sheets set data_rows = data_rows + 5 where (file_name, sheet_name) = "
            "(select (file_name, sheet_name) from raw.sheets where status = 'read' "
            "order by file_name, sheet_name limit 1)"
        )


@pytest.fixture(scope="module")
def tampered(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The tampered build, its models built by dbt, and dbt's own verdict on every data test."""
    work = tmp_path_factory.mktemp("batched")
    (work / "warehouse" / "private").mkdir(parents=True)
    build_db = build_fixture(work / "warehouse" / "private" / f"{YEAR}.duckdb", empty=False)
    tamper(build_db)
    built = run_dbt(
        ["build", "--exclude-resource-type", "test", "unit_test"], build_db, work / "dbt"
    )
    assert built.returncode == 0, built.stdout[-4000:]
    tested = run_dbt(["test", "--select", "resource_type:test"], build_db, work / "dbt")
    assert tested.returncode == 1, tested.stdout[-4000:]  # the tampering fails some tests
    run_results = json.loads((work / "dbt" / "target" / "run_results.json").read_text())
    manifest = json.loads((work / "dbt" / "target" / "manifest.json").read_text())
    verdicts = {
        r["unique_id"]: (r["status"], r["failures"] or 0)
        for r in run_results["results"]
        if r["unique_id"].startswith("test.")
    }
    names = {uid: manifest["nodes"][uid]["name"] for uid in verdicts}
    return {"work": work, "build_db": build_db, "dbt": verdicts, "names": names}


def test_the_batch_judges_every_test_as_dbt_does(tampered):
    build = DbtBuild(tampered["build_db"], tampered["work"] / "batch-target", YEAR)
    manifest = load_manifest(build)
    compiled = compile_tests(
        build, manifest, build.manifest_key(), set(), ["--select", "resource_type:test"]
    )
    ours = {
        r.unique_id: (r.status, r.failures)
        for r in run_tests(tampered["build_db"], list(compiled.values()))
    }
    statuses = {status for status, _ in tampered["dbt"].values()}
    assert {"pass", "fail", "warn"} <= statuses, statuses  # the fixture exercises all three
    assert ours == tampered["dbt"]


def test_the_dbt_step_gives_each_declared_check_its_test_result(tampered):
    from pipelines.checks import validator
    from pipelines.dbt.assets import union_dbt_assets
    from pipelines.dbt.project import dbt_resource
    from pipelines.resources import Warehouse

    warehouse = Warehouse(path=str(tampered["work"] / "warehouse" / "union.duckdb"))
    instance = dg.DagsterInstance.ephemeral()
    try:
        result = dg.materialize(
            [union_dbt_assets],
            partition_key=str(YEAR),
            resources={"warehouse": warehouse, "dbt": dbt_resource()},
            instance=instance,
            raise_on_error=False,
        )
    finally:
        validator.stop()
    assert not result.success
    evaluations = [
        e.event_specific_data
        for e in instance.all_logs(
            result.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        )
        for e in [e.dagster_event]
    ]
    declared = {spec.key for spec in union_dbt_assets.check_specs}
    evaluated = [dg.AssetCheckKey(e.asset_key, e.check_name) for e in evaluations]
    assert sorted(evaluated) == sorted(declared)  # every declared check, once
    by_name = {e.check_name: e for e in evaluations}
    for uid, (status, failures) in tampered["dbt"].items():
        evaluation = by_name.get(tampered["names"][uid])
        if evaluation is None:
            continue  # a test dagster-dbt does not declare (a seed's own test)
        assert evaluation.passed == (status == "pass"), uid
        expected = dg.AssetCheckSeverity.WARN if status == "warn" else dg.AssetCheckSeverity.ERROR
        assert evaluation.severity == expected, uid
        assert evaluation.metadata["dagster_dbt/failed_row_count"].value == failures, uid
    failure = next(
        e.dagster_event
        for e in instance.all_logs(result.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    )
    failing = [tampered["names"][u] for u, (s, _) in tampered["dbt"].items() if s == "fail"]
    message = failure.step_failure_data.error.message
    assert all(name in message for name in failing), message


def test_the_kept_manifest_is_the_one_dbt_parsed(tampered, monkeypatch):
    """A run of an unchanged project takes the pickled manifest, field for field dbt's own."""
    import pipelines.dbt.runner as dbt_runner

    build = DbtBuild(tampered["build_db"], tampered["work"] / "kept-target", YEAR)
    parsed = load_manifest(build)

    def no_parse(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(dbt_runner, "invoke", no_parse)
    kept = load_manifest(build)

    def comparable(manifest) -> dict:
        document = manifest.writable_manifest().to_dict()
        for volatile in ("generated_at", "invocation_id", "invocation_started_at"):
            document["metadata"].pop(volatile, None)
        return document

    assert comparable(kept) == comparable(parsed)
    # dbt's own pickling put the lookups in the wrong fields; these are rebuilt, and find nodes
    assert kept.ref_lookup.find("load_log", None, None, kept).name == "load_log"
    assert kept.fixtures == parsed.fixtures
