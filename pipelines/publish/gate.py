"""The publication's own gate: every blocking check of this run has a passing result.

Dagster skips an asset downstream of a failed blocking check, but when a blocking check emits no
result at all it only warns ("emitted no result … will proceed without gating on it") and runs the
downstream step. The publication reads this run's events instead and refuses to publish unless
every blocking check on an asset materialized in this run was evaluated and passed. (Every
blocking check runs before the publication: the dbt tests inside the dbt step, the Python checks
on assets the publication depends on directly, see pipelines.checks.assets.)
"""

from __future__ import annotations

import dagster as dg

_EVENTS = {dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.ASSET_CHECK_EVALUATION}


def blocking_checks_not_passed(
    context: dg.AssetExecutionContext,
) -> list[tuple[dg.AssetCheckKey, str]]:
    """(check, 'no result' or 'failed') for each blocking check this run owes the publication."""
    graph = context.job_def.asset_layer.asset_graph
    materialized: set[dg.AssetKey] = set()
    passed: dict[dg.AssetCheckKey, bool] = {}
    for record in context.instance.all_logs(context.run.run_id, of_type=_EVENTS):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialized.add(event.asset_key)
        else:
            evaluation = event.event_specific_data
            key = dg.AssetCheckKey(evaluation.asset_key, evaluation.check_name)
            # a failed check of severity WARN does not block, in Dagster as here
            ok = evaluation.passed or evaluation.severity == dg.AssetCheckSeverity.WARN
            passed[key] = passed.get(key, True) and ok
    owed = [
        key
        for key in graph.asset_check_keys
        if key.asset_key in materialized and graph.get_check_spec(key).blocking
    ]
    return [
        (key, "no result" if key not in passed else "failed")
        for key in sorted(owed, key=lambda k: k.to_user_string())
        if not passed.get(key, False)
    ]


def refuse_unless_checked(context: dg.AssetExecutionContext, year: int) -> None:
    """Raise dg.Failure naming every blocking check without a passing result."""
    missing = blocking_checks_not_passed(context)
    if not missing:
        return
    words = {"no result": "没有结果 no result", "failed": "未通过 failed"}
    listing = "\n".join(f"- {key.to_user_string()}: {words[why]}" for key, why in missing)
    raise dg.Failure(
        description=f"{year} 年度未发布：{len(missing)} 项阻断检查没有通过的结果 "
        f"(year {year} not published: {len(missing)} blocking check(s) without a passing "
        f"result)\n{listing}",
        metadata={"blocking_checks_without_pass": len(missing)},
    )
