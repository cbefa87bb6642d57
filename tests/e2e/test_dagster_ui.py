"""The Dagster UI, proven in a browser: `dagster dev` (what `make dev` runs) on a free local port
with a temporary DAGSTER_HOME, the asset graph loaded in headless Chromium, the job's fiscal-year
partitions read from the webserver's GraphQL API and from the job's page, a screenshot that is not
blank, and the server shut down by its process group.

Expected names come from the project's own files (the contract's tables, dbt's manifest), not from
the webserver under test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import PROJECT_ROOT
from tests.system_tools import CHROMIUM, require_program

pytestmark = pytest.mark.e2e

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCATION = "union_warehouse"  # pyproject's [tool.dagster] code_location_name
JOB = "union_year"
STARTUP_SECONDS = 240


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
    assert "errors" not in body, body["errors"]
    return body["data"]


LOCATION_STATUS = """
{ workspaceOrError { ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""


def _wait_until_loaded(port: int, server: subprocess.Popen, log: Path) -> None:
    """The webserver answers, and the code location has loaded (or failed: then say why)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"dagster dev exited {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            entries = _graphql(port, LOCATION_STATUS)["workspaceOrError"]["locationEntries"]
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
            continue
        entry = next((e for e in entries if e["name"] == LOCATION), None)
        if entry and entry["loadStatus"] == "LOADED":
            loaded = entry["locationOrLoadError"]
            assert loaded["__typename"] == "RepositoryLocation", loaded
            return
        time.sleep(1)
    pytest.fail(f"the UI did not load within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    """`dagster dev` in its own process group, stopped by its pid when the module is done."""
    base = tmp_path_factory.mktemp("dagster-ui")
    home = base / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    log = base / "dagster-dev.log"
    dagster = Path(sys.executable).with_name("dagster")
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(dagster), "dev", "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env={
                **os.environ,
                "DAGSTER_HOME": str(home),
                # where a run from this UI would write: nothing of the repository's own
                "UNIONWH_WAREHOUSE": str(base / "warehouse" / "union.duckdb"),
                "UNIONWH_MARTS_DIR": str(base / "marts"),
            },
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the webserver, daemon, code server
        )
    try:
        _wait_until_loaded(port, server, log)
        _dismiss_community_dialog(port)
        yield {"port": port, "server": server, "base": base, "log": log}
    finally:
        _stop(server)


def _dismiss_community_dialog(port: int) -> None:
    """The UI greets a new DAGSTER_HOME with a 'Join the Dagster community' dialog over the page
    (on 127.0.0.1, until the instance has seen it); mark it seen, as its Skip button does, so no
    page waits to find out whether it will appear."""
    assert _graphql(port, "{ shouldShowNux }")["shouldShowNux"] is True
    _graphql(port, "mutation { setNuxSeen }")
    assert _graphql(port, "{ shouldShowNux }")["shouldShowNux"] is False


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (dagster dev stops its children), SIGKILL after 30 s."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the group's other processes (webserver, daemon) too
        try:
            os.killpg(server.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    os.killpg(server.pid, signal.SIGKILL)


def _expected_assets() -> dict[str, set[str]]:
    """From the project's files: the contract's tables are the ingestion assets, the models dbt's
    manifest enables the dbt assets (the federation models are disabled outside a federation
    build), and the publication is `published/year`."""
    from pipelines.contract import load_contract
    from pipelines.dbt.project import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    return {
        "ingestion": {f"raw/{t.table}" for t in load_contract().tables},
        "dbt": {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"},
        "publication": {"published/year"},
    }


ASSET_NODES = "{ assetNodes { assetKey { path } groupName isExecutable } }"
JOB_PARTITIONS = """
query ($selector: PipelineSelector!) {
  pipelineOrError(params: $selector) {
    __typename
    ... on Pipeline { name partitionKeysOrError { partitionKeys } }
  }
}
"""


def test_the_asset_graph_has_ingestion_dbt_and_publication(ui):
    nodes = _graphql(ui["port"], ASSET_NODES)["assetNodes"]
    keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
    expected = _expected_assets()
    assert expected["ingestion"] <= keys
    assert expected["publication"] <= keys
    dbt_names = {k.split("/")[-1] for k in keys if not k.startswith(("raw/", "published/"))}
    assert expected["dbt"] <= dbt_names, expected["dbt"] - dbt_names


def test_the_union_year_job_lists_the_fiscal_years(ui):
    from pipelines.partitions import FIRST_YEAR, LAST_YEAR

    job = _graphql(
        ui["port"],
        JOB_PARTITIONS,
        {
            "selector": {
                "repositoryLocationName": LOCATION,
                "repositoryName": "__repository__",
                "pipelineName": JOB,
            }
        },
    )["pipelineOrError"]
    assert job["__typename"] == "Pipeline", job
    keys = job["partitionKeysOrError"]["partitionKeys"]
    assert keys == [str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)]
    assert "2023" in keys


@pytest.fixture(scope="module")
def browser(ui):
    require_program(CHROMIUM, "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(ui["base"] / "chromium-profile"),  # a fresh --user-data-dir
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1600, "height": 1000},
        )
        try:
            yield context
        finally:
            context.close()


def _shot_is_not_blank(path: Path) -> dict:
    from PIL import Image

    grey = np.asarray(Image.open(path).convert("L"), dtype=float)
    return {"std": float(grey.std()), "dark": float((grey < 128).mean())}


def _open(browser, ui, path: str, height: int = 1000):
    """A page of the UI (the community dialog was marked seen when the server started)."""
    page = browser.new_page()
    page.set_viewport_size({"width": 1600, "height": height})
    page.goto(f"http://127.0.0.1:{ui['port']}{path}", wait_until="networkidle", timeout=120_000)
    return page


def _group_nodes(page) -> set[str]:
    """The groups the global graph draws, collapsed, one node each."""
    boxes = page.locator("[class*=collapsedGroupNodeBox]")
    boxes.first.wait_for(timeout=120_000)
    return {text.split()[0] for text in boxes.all_inner_texts() if text.strip()}


def _drawn(name: str, shown: set[str]) -> bool:
    """`name` is on the graph: in full, or as the UI shortens a long name (`spending…_category`)."""
    if name in shown:
        return True
    return any(
        "…" in label
        and name.startswith(label.split("…")[0])
        and name.endswith(label.split("…")[-1])
        and len(name) > len(label) - 1
        for label in shown
    )


def _expanded(browser, ui, group: str, expected: set[str]) -> set[str]:
    """The asset names the graph shows once `group` is expanded (double click on it), read until
    every expected name is drawn while the zoom to the group settles; after a minute (a guard
    against a hang), the names shown then, for the test to say which are missing."""
    page = _open(browser, ui, "/asset-groups", height=2400)
    _group_nodes(page)
    page.locator("[class*=collapsedGroupNodeBox]", has_text=group).first.dblclick()
    names = page.locator("[class*=assetName]")
    deadline = time.monotonic() + 60
    while True:
        shown = set(names.all_inner_texts())
        if all(_drawn(name, shown) for name in expected) or time.monotonic() > deadline:
            break
        page.wait_for_timeout(100)
    page.close()
    return shown


def test_the_asset_graph_page_shows_every_group_from_ingestion_to_publication(ui, browser):
    """The global graph as it opens: one node per group, the groups of the API's assets; saved as
    a screenshot that is not blank."""
    page = _open(browser, ui, "/asset-groups")
    groups = _group_nodes(page)
    nodes = _graphql(ui["port"], ASSET_NODES)["assetNodes"]
    # raw/files, raw/sheets, raw/load_warnings: dbt sources the landing writes, not drawn
    assert groups == {n["groupName"] for n in nodes if n["isExecutable"]}
    assert {"ingestion", "staging", "intermediate", "marts", "audit", "publish"} <= groups
    shot = ui["base"] / "asset-graph.png"
    page.screenshot(path=str(shot))
    page.close()
    keep = os.environ.get("UNIONWH_KEEP_UI_SHOT")
    if keep:  # to look at it: UNIONWH_KEEP_UI_SHOT=/tmp/asset-graph.png
        shutil.copy(shot, keep)
    measured = _shot_is_not_blank(shot)
    assert measured["std"] > 10, measured  # not one flat colour
    assert 0.001 < measured["dark"] < 0.5, measured


def test_the_graph_shows_the_ingestion_assets(ui, browser):
    expected = {key.split("/")[1] for key in _expected_assets()["ingestion"]}
    shown = _expanded(browser, ui, "ingestion", expected | {"welfare_payments"})
    missing = {name for name in expected if not _drawn(name, shown)}
    assert not missing, (missing, shown)
    assert _drawn("welfare_payments", shown)


def test_the_graph_shows_the_dbt_marts_and_the_publication(ui, browser):
    marts = {p.stem for p in (PROJECT_ROOT / "dbt_project" / "models" / "marts").glob("*.sql")}
    shown = _expanded(browser, ui, "marts", marts)
    assert "report_figures" in marts and "report_figures" in shown
    missing = {name for name in marts if not _drawn(name, shown)}
    assert not missing, (missing, shown)
    assert "year" in _expanded(browser, ui, "publish", {"year"})  # published/year


def test_the_job_page_lists_the_partitions(ui, browser):
    from pipelines.partitions import FIRST_YEAR, LAST_YEAR

    page = _open(browser, ui, f"/locations/{LOCATION}/jobs/{JOB}/partitions")
    page.get_by_text("Total partitions").first.wait_for(timeout=120_000)
    text = page.inner_text("body")
    page.close()
    assert JOB in text
    total = re.search(r"(\d+)\s*Total partitions", text)
    assert total and int(total.group(1)) == LAST_YEAR - FIRST_YEAR + 1, text[:2000]


def test_the_server_stops_by_its_process_group(ui):
    """Last in the module: stop the server here and check that nothing of it is left."""
    server = ui["server"]
    assert server.poll() is None, "the server should still be running"
    _stop(server)
    assert server.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(server.pid, 0)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{ui['port']}/server_info", timeout=5)
