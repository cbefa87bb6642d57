"""The one Definitions against a committed snapshot of its graph.

A changed graph (an asset, a check, a job, a schedule or a sensor added, removed or renamed) is a
reviewed change of tests/unit/definitions_snapshot.json. After changing the graph on purpose:

    UNIONWH_UPDATE_SNAPSHOT=1 uv run pytest tests/unit/test_definitions.py -p no:xdist

and read the snapshot's diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import pytest

SNAPSHOT = Path(__file__).with_name("definitions_snapshot.json")


def graph_of(defs: dg.Definitions) -> dict:
    """What the Definitions hold, by name: asset keys, checks with their blocking flag, jobs,
    schedules with their cron, sensors, resources."""
    repository = defs.get_repository_def()
    asset_graph = defs.resolve_asset_graph()
    return {
        "assets": sorted(key.to_user_string() for key in asset_graph.get_all_asset_keys()),
        "asset_checks": sorted(
            f"{key.asset_key.to_user_string()}:{key.name}"
            + (" (blocking)" if asset_graph.get_check_spec(key).blocking else "")
            for key in asset_graph.asset_check_keys
        ),
        "jobs": sorted(job.name for job in repository.get_all_jobs()),
        "schedules": sorted(
            f"{s.name} {s.cron_schedule} {s.job_name}" for s in repository.schedule_defs
        ),
        "sensors": sorted(s.name for s in repository.sensor_defs),
        "resources": sorted(defs.resources or {}),
    }


@pytest.fixture(scope="module")
def graph() -> dict:
    from pipelines.definitions import defs

    return graph_of(defs)


def test_definitions_match_the_snapshot(graph):
    if os.environ.get("UNIONWH_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(graph, ensure_ascii=False, indent=1) + "\n", "utf-8")
    assert graph == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_the_snapshot_names_every_part(graph):
    """A snapshot that lost a part (an empty list) would compare equal to a broken graph."""
    assert all(graph[part] for part in graph), [part for part in graph if not graph[part]]
