"""The publication's gate in a real Dagster run: a blocking check with no result stops it.

Dagster itself only warns when a blocking check emits no result and runs the downstream asset;
the gate (pipelines.publish.gate) must then refuse.
"""

import dagster as dg

from pipelines.publish.gate import blocking_checks_not_passed, refuse_unless_checked


def _job(upstream_emits: str):
    """upstream -> downstream; upstream declares a blocking check and emits `upstream_emits`.
    Subsettable, as the dbt assets are: then Dagster lets a check go without a result."""

    @dg.multi_asset(
        specs=[dg.AssetSpec("upstream")],
        check_specs=[dg.AssetCheckSpec("rows_ok", asset="upstream", blocking=True)],
        can_subset=True,
    )
    def upstream():
        yield dg.MaterializeResult(asset_key="upstream")
        if upstream_emits == "pass":
            yield dg.AssetCheckResult(asset_key="upstream", check_name="rows_ok", passed=True)

    published = {}

    @dg.asset(deps=[upstream])
    def downstream(context: dg.AssetExecutionContext) -> None:
        published["missing"] = blocking_checks_not_passed(context)
        refuse_unless_checked(context, 2023)
        published["done"] = True

    return [upstream, downstream], published


def test_a_blocking_check_without_result_stops_the_publication():
    assets, published = _job(upstream_emits="nothing")
    result = dg.materialize(assets, raise_on_error=False)
    assert not result.success
    [(key, why)] = published["missing"]
    assert (key.name, why) == ("rows_ok", "no result")
    assert "done" not in published
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "阻断检查" in failure.step_failure_data.error.message
    assert "upstream:rows_ok" in failure.step_failure_data.error.message


def test_a_passing_blocking_check_lets_it_publish():
    assets, published = _job(upstream_emits="pass")
    result = dg.materialize(assets, raise_on_error=False)
    assert result.success
    assert published == {"missing": [], "done": True}
