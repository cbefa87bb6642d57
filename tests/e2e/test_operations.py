"""Operations, end to end on the shipped (generated) demo year: the no-op rerun, the audit rerun from the
archive, byte-identical outputs, analysts reading while the year is rebuilt, and a run killed in the
middle.

Full runs are expensive, so the module shares them, in this order (the tests run in file order):

1. `unionwh run` publishes the year (publication A: the shared demo run, copied).
2. The same command again is skipped: no output byte changes.
3. A raw file is deleted; `unionwh audit` restores it from the archive, rebuilds into a scratch
   folder and reports identical. The scratch rebuild is the second independent run of the same
   inputs: every file under marts/<year>/ except manifest.json is byte-identical to A's.
4. `unionwh run` without that file (a figure changes) while two other processes query the published
   warehouse read-only in a loop, one on a single connection, one reconnecting each time.
5. A forced run is SIGKILLed (with its dbt child) during dbt: the publication is unchanged, readable,
   and intact by the checks the next run makes before skipping.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import DEMO_RAW, PROJECT_ROOT, run_cli

pytestmark = pytest.mark.e2e

YEAR = "2023"
DELETED_FILE = "welfare/复转军人慰问_2023.csv"  # the veterans' payments: their figure changes
FIGURE = "welfare.veterans.amount"
SKIPPED = "输入未变，跳过 (inputs unchanged, skipped)"

READER = r"""
import json, os, sys, time
import duckdb

path, figure, mode, stop, out = sys.argv[1:]
query = "select value from marts.report_figures where year = 2023 and figure_key = ?"
con = None
with open(out, "w", encoding="utf-8") as log:
    while not os.path.exists(stop):
        try:
            if con is None:
                con = duckdb.connect(path, read_only=True)
            rows = con.execute(query, [figure]).fetchall()
            log.write(json.dumps({"value": str(rows[0][0]) if rows else None}) + "\n")
        except Exception as error:
            log.write(json.dumps({"error": f"{type(error).__name__}: {error}"}) + "\n")
        finally:
            if mode == "reconnect" and con is not None:
                con.close()
                con = None
        log.flush()
        time.sleep(0.2)
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_hashes(directory: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """sha256 of every file under directory, except those with a path part in skip."""
    return {
        p.relative_to(directory).as_posix(): sha256(p)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not set(p.relative_to(directory).parts) & set(skip)
    }


def published_state(world: dict) -> dict[str, str]:
    """Every published byte: marts/<year>/ (manifest included) and the analysts' warehouse."""
    return {
        **tree_hashes(world["marts"] / YEAR),
        "union.duckdb": sha256(world["warehouse"]),
    }


def figure(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select value from marts.report_figures where year = ? and figure_key = ?",
            [int(YEAR), FIGURE],
        ).fetchall()
    return str(rows[0][0])


def common(world: dict) -> list[str]:
    return [
        "--year",
        YEAR,
        "--raw-dir",
        str(world["raw"]),
        "--warehouse",
        str(world["warehouse"]),
        "--marts-dir",
        str(world["marts"]),
    ]


def show(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"


@pytest.fixture(scope="module")
def world(demo_publication, tmp_path_factory) -> dict:
    """Publication A is the shared run of the shipped demo year (`demo_publication`), copied
    with a copy of its raw files: the generated year, byte for byte (`unionwh demo-data` writes
    the same files), published by `unionwh run` as a user runs it."""
    assert demo_publication.returncode == 0, demo_publication.stderr[-3000:]
    base = tmp_path_factory.mktemp("operations")
    world = {
        "base": base,
        "raw": base / "raw",
        "warehouse": base / "warehouse" / "union.duckdb",
        "marts": base / "marts",
    }
    shutil.copytree(DEMO_RAW / YEAR, world["raw"] / YEAR)
    shutil.copytree(demo_publication.warehouse.parent, world["warehouse"].parent)
    shutil.copytree(demo_publication.marts, world["marts"])
    world["first_figure"] = figure(world["warehouse"])
    world["first_state"] = published_state(world)
    manifest = json.loads((world["marts"] / YEAR / "manifest.json").read_text(encoding="utf-8"))
    world["first_inputs"] = {i["path"]: i["sha256"] for i in manifest["inputs"]}
    return world


# ------------------------------------------------------------------------------ 1, 2: no-op rerun


def test_publication_records_fingerprint_and_figures(world):
    manifest = json.loads((world["marts"] / YEAR / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["fingerprint"]["parts"]) >= {"raw_files", "code", "uv_lock", "dbt_project"}
    assert manifest["figures"][FIGURE]["value"] == world["first_figure"]
    assert {o["path"] for o in manifest["outputs"]} >= {
        "report_figures.parquet",
        "proposal_progress.parquet",
        "marts.xlsx",
    }


def test_rerun_with_unchanged_inputs_is_skipped_and_changes_no_byte(world):
    year_dir = world["marts"] / YEAR
    stats = {p.name: p.stat().st_mtime_ns for p in year_dir.iterdir()}
    inode = world["warehouse"].stat().st_ino
    again = run_cli("run", *common(world))
    assert again.returncode == 0, show(again)
    assert SKIPPED in again.stdout, show(again)
    # the log says why each asset was skipped
    for asset in ("ingest_welfare", "union_dbt", "published/year"):
        assert f"跳过 skipped {asset}:" in again.stdout, show(again)
    assert published_state(world) == world["first_state"]
    assert {p.name: p.stat().st_mtime_ns for p in year_dir.iterdir()} == stats
    assert world["warehouse"].stat().st_ino == inode


# ------------------------------------------------------------- 3: audit, and two identical runs


@pytest.fixture(scope="module")
def audit(world) -> dict:
    (world["raw"] / YEAR / DELETED_FILE).unlink()
    scratch = world["base"] / "audit"
    result = run_cli("audit", *common(world), "--scratch-dir", str(scratch))
    return {"result": result, "marts": scratch / "marts"}


def test_audit_after_deleting_a_raw_file_reports_identical(world, audit):
    result = audit["result"]
    assert result.returncode == 0, show(result)
    assert "一致 identical" in result.stdout, show(result)
    assert "不一致" not in result.stdout
    # the deleted file came back from the archive
    assert DELETED_FILE in result.stdout
    assert published_state(world) == world["first_state"]


def test_two_runs_of_the_same_inputs_are_byte_identical(world, audit):
    # data-docs/ (Great Expectations' HTML) carries the run time by design: not an output the
    # manifest lists, so not compared; manifest.json has the run id and time
    first = tree_hashes(world["marts"] / YEAR, skip=("manifest.json", "data-docs"))
    second = tree_hashes(audit["marts"] / YEAR, skip=("manifest.json", "data-docs"))
    assert {name for name in first if name.endswith(".parquet")} >= {"report_figures.parquet"}
    assert first.keys() == second.keys()
    differing = sorted(name for name in first if first[name] != second[name])
    assert differing == []


# --------------------------------------------------------- 4: readers while the year is rebuilt


def start_reader(world: dict, mode: str) -> tuple[subprocess.Popen, Path]:
    script = world["base"] / "reader.py"
    script.write_text(READER, encoding="utf-8")
    out = world["base"] / f"reader-{mode}.jsonl"
    process = subprocess.Popen(
        [
            sys.executable,
            str(script),
            str(world["warehouse"]),
            FIGURE,
            mode,
            str(world["base"] / "stop-readers"),
            str(out),
        ],
        cwd=PROJECT_ROOT,
    )
    return process, out


def answers(out: Path) -> list[dict]:
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]


def wait_for(condition, what: str, seconds: float = 60) -> None:
    """Poll condition until it holds; the timeout only guards against a hang."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def concurrent(world, audit) -> dict:
    readers = {mode: start_reader(world, mode) for mode in ("persistent", "reconnect")}
    outs = {mode: out for mode, (_, out) in readers.items()}
    wait_for(lambda: all(answers(out) for out in outs.values()), "the readers never answered")
    before_run = {mode: len(answers(out)) for mode, out in outs.items()}
    rebuild = run_cli("run", *common(world))  # DELETED_FILE is gone: the figure changes
    new_figure = figure(world["warehouse"])
    wait_for(
        lambda: answers(outs["reconnect"])[-1].get("value") == new_figure,
        "the reconnecting reader never saw the new file",
    )
    # the connection held open answers again after the new file has the name
    after_swap = len(answers(outs["persistent"]))
    wait_for(
        lambda: len(answers(outs["persistent"])) > after_swap,
        "the reader on one connection stopped answering",
    )
    (world["base"] / "stop-readers").touch()
    for process, _ in readers.values():
        process.wait(timeout=30)
    return {
        "result": rebuild,
        "answers": {mode: answers(out) for mode, out in outs.items()},
        "before_run": before_run,
        "after_swap": after_swap,
        "new_figure": new_figure,
    }


def test_rebuild_succeeds_while_analysts_hold_the_file_open(world, concurrent):
    result = concurrent["result"]
    assert result.returncode == 0, show(result)
    assert f"- {DELETED_FILE}" in result.stdout, show(result)  # why it ran
    assert concurrent["new_figure"] != world["first_figure"]


def test_readers_see_no_error_and_only_the_old_or_the_new_figure(world, concurrent):
    old, new = world["first_figure"], concurrent["new_figure"]
    for mode, got in concurrent["answers"].items():
        assert len(got) > concurrent["before_run"][mode], mode  # some answers came during the run
        errors = [a["error"] for a in got if "error" in a]
        assert errors == [], (mode, errors[:3])
        assert {a["value"] for a in got} <= {old, new}, mode
    # one connection keeps the file (inode) it opened; a new connection opens the new file
    persistent = concurrent["answers"]["persistent"]
    assert {a["value"] for a in persistent} == {old}
    assert len(persistent) > concurrent["after_swap"]  # ... and still does after the swap
    reconnecting = [a["value"] for a in concurrent["answers"]["reconnect"]]
    assert reconnecting[0] == old and reconnecting[-1] == new
    # never back to the old figure once the new one was seen
    assert reconnecting[reconnecting.index(new) :] == [new] * (
        len(reconnecting) - reconnecting.index(new)
    )


# ------------------------------------------------------------------ 5: a run killed during dbt


def _written_since(folder: Path, pattern: str, moment_ns: int) -> list[Path]:
    """Files under folder matching pattern, modified at or after moment_ns."""
    written = []
    for path in folder.rglob(pattern):
        try:
            if path.stat().st_mtime_ns >= moment_ns:
                written.append(path)
        except OSError:  # rewritten by dbt in between
            pass
    return written


def _group_alive(pgid: int) -> bool:
    """Some process of the group is still running (a zombie is not)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while we looked
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


@pytest.fixture(scope="module")
def killed(world, concurrent) -> dict:
    before = published_state(world)
    target = world["warehouse"].parent / "private" / f"dbt-target-{YEAR}"
    started = time.time_ns()
    unionwh = Path(sys.executable).with_name("unionwh")
    process = subprocess.Popen(
        [str(unionwh), "run", *common(world), "--force"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # dbt builds in the run's own process and writes each model's SQL under run/ as it runs it:
    # once it runs an intermediate model, the staging layer is built and the marts are not yet
    intermediate = target / "run" / "union_warehouse" / "models" / "intermediate"
    try:
        wait_for(
            lambda: process.poll() is not None or _written_since(intermediate, "*.sql", started),
            "dbt never ran an intermediate model",
            seconds=300,
        )
        in_dbt = process.poll() is None
    finally:
        with contextlib.suppress(ProcessLookupError):  # the group has already ended
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    wait_for(lambda: not _group_alive(process.pid), "the run's processes outlived SIGKILL")
    return {
        "before": before,
        "in_dbt": in_dbt,
        # dbt writes run_results.json when it has built and tested everything
        "dbt_finished": bool(_written_since(target, "run_results.json", started)),
        "returncode": process.returncode,
    }


def test_run_killed_during_dbt_leaves_the_publication_unchanged_and_readable(world, killed):
    assert killed["in_dbt"], "the run never reached dbt"
    assert not killed["dbt_finished"], "the kill came after dbt had finished"
    assert killed["returncode"] == -signal.SIGKILL
    assert published_state(world) == killed["before"]
    assert figure(world["warehouse"]) != world["first_figure"]  # the last good publication
    leftovers = [
        p.name
        for folder in (world["marts"], world["warehouse"].parent)
        for p in folder.iterdir()
        if ".staged-" in p.name or ".old-" in p.name or p.name.endswith(".tmp")
    ]
    assert leftovers == []


def test_after_the_kill_the_publication_is_intact_for_the_next_run(world, killed):
    """What `unionwh run` checks before skipping, without paying for a run: the raw files are the
    manifest's, every output has its manifest hash, the warehouse has the manifest's figures and
    the archive every input. (The code part is left out: in a shared tree it may change.)"""
    from pipelines.publish.fingerprint import file_changes, publication_problems, raw_files

    manifest = json.loads((world["marts"] / YEAR / "manifest.json").read_text(encoding="utf-8"))
    inputs = {i["path"]: i["sha256"] for i in manifest["inputs"]}
    assert file_changes(inputs, raw_files(world["raw"] / YEAR)) == []
    archive = world["warehouse"].parent / "archive"
    assert publication_problems(manifest, world["marts"] / YEAR, world["warehouse"], archive) == []


# ------------------------------------------- 6: a run killed right after the warehouse's rename

KILL_AFTER_RENAME = r"""
import os, signal, sys
from pathlib import Path


def replace_then_die(source, target, *args, replace=os.replace, **kwargs):
    replace(source, target, *args, **kwargs)
    if Path(target) == Path(os.environ["KILL_AFTER_RENAMING_TO"]):
        os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":  # the reader processes import this file too; only the run dies
    os.environ["KILL_AFTER_RENAMING_TO"] = sys.argv[1]
    os.replace = replace_then_die
    sys.argv = ["unionwh", *sys.argv[2:]]
    from pipelines.cli.main import main

    main()
"""


@pytest.fixture(scope="module")
def killed_after_rename(world, killed) -> dict:
    """The deleted file is put back (from the archive, by publication A's hash) so that the run
    publishes a different figure, and the run dies the moment the new warehouse has its name."""
    archived = world["warehouse"].parent / "archive" / world["first_inputs"][DELETED_FILE]
    (world["raw"] / YEAR / DELETED_FILE).write_bytes(archived.read_bytes())
    marts_before = tree_hashes(world["marts"] / YEAR)
    script = world["base"] / "kill_after_rename.py"
    script.write_text(KILL_AFTER_RENAME, encoding="utf-8")
    process = subprocess.run(
        [sys.executable, str(script), str(world["warehouse"]), "run", *common(world)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return {"process": process, "marts_before": marts_before}


def test_killed_right_after_the_rename_the_warehouse_is_whole_and_new(world, killed_after_rename):
    process = killed_after_rename["process"]
    assert process.returncode == -signal.SIGKILL, show(process)
    # the new file has its name: every published table opens and the figure is the new one
    assert figure(world["warehouse"]) == world["first_figure"]
    with duckdb.connect(str(world["warehouse"]), read_only=True) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('marts', 'audit') order by 1"
        ).fetchall()
        assert ("marts.report_figures",) in tables and ("audit.quarantine",) in tables
        for (name,) in tables:
            con.execute(f"select count(*) from {name}").fetchall()  # every block reads
        assert con.execute("select count(*) from marts.report_figures").fetchall()[0][0] >= 35
    # the folder was not swapped yet: the previous publication, whole, and no temporary files
    assert tree_hashes(world["marts"] / YEAR) == killed_after_rename["marts_before"]
    assert [p.name for p in world["warehouse"].parent.iterdir() if p.name.endswith(".tmp")] == []


def test_the_next_run_after_the_kill_publishes_the_folder_too(world, killed_after_rename):
    """The manifest still describes the previous publication, so the next run is not skipped."""
    result = run_cli("run", *common(world))
    assert result.returncode == 0, show(result)
    assert SKIPPED not in result.stdout, show(result)
    manifest = json.loads((world["marts"] / YEAR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["figures"][FIGURE]["value"] == world["first_figure"]


# ------------------------- 7: a department code the seed does not know, planted into a mart

PLANTED_CODE = "no_such_department"
# dbt runs the copy of the project; Dagster declares the checks from the project's manifest
DISABLED_TEST = ("spending_by_category", "amount", "not_null")


def plant(project: Path) -> None:
    """One more row in marts.participation with a department code missing from the seed, and one
    model-level test switched off, so dbt does not run a test Dagster declares."""
    import yaml

    mart = project / "models" / "marts" / "participation.sql"
    sql = mart.read_text(encoding="utf-8")
    assert sql.rstrip().endswith("select * from final")
    mart.write_text(
        sql.rstrip()
        + f"\nunion all\nselect * replace ('{PLANTED_CODE}' as department_code)"
        + "\nfrom (select * from final limit 1)\n",
        encoding="utf-8",
    )
    properties = project / "models" / "marts" / "_marts__models.yml"
    models = yaml.safe_load(properties.read_text(encoding="utf-8"))
    model_name, column_name, test = DISABLED_TEST
    [model] = [m for m in models["models"] if m["name"] == model_name]
    [column] = [c for c in model["columns"] if c["name"] == column_name]
    tests = column["data_tests"]
    tests[tests.index(test)] = {test: {"config": {"enabled": False}}}
    properties.write_text(yaml.safe_dump(models, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def planted(world, killed_after_rename) -> dict:
    import dagster as dg

    from pipelines.dbt.project import DBT_PROJECT_DIR, DbtProjectResource
    from pipelines.definitions import defs
    from pipelines.resources import MartsFolder, QuarantineAcceptance, RawFolder, Warehouse

    before = published_state(world)
    project = world["base"] / "planted" / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    plant(project)
    resources = {
        "raw_folder": RawFolder(path=str(world["raw"])),
        "warehouse": Warehouse(path=str(world["warehouse"])),
        "marts_folder": MartsFolder(path=str(world["marts"])),
        "quarantine_acceptance": QuarantineAcceptance(),
        "dbt": DbtProjectResource(project_dir=str(project), profiles_dir=str(project)),
    }
    result = dg.materialize(
        [*defs.assets, *defs.asset_checks],
        partition_key=YEAR,
        resources=resources,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    evaluations = {
        (
            e.asset_check_evaluation_data.asset_key.to_user_string(),
            e.asset_check_evaluation_data.check_name,
        ): e
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    return {"result": result, "before": before, "evaluations": evaluations}


def test_a_planted_department_code_blocks_the_run(world, planted):
    result = planted["result"]
    assert not result.success
    failed = {
        name: event.asset_check_evaluation_data
        for (asset, name), event in planted["evaluations"].items()
        if not event.asset_check_evaluation_data.passed
    }
    [relationship] = [n for n in failed if n.startswith("relationships_participation_department")]
    assert failed[relationship].metadata["dagster_dbt/failed_row_count"].value == 1
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "published/year" not in materialized
    assert "marts/participation" in materialized


def test_a_declared_test_that_dbt_did_not_run_fails_as_no_result(world, planted):
    model, column, test = DISABLED_TEST
    key = (f"marts/{model}", f"{test}_{model}_{column}")
    evaluation = planted["evaluations"][key].asset_check_evaluation_data
    assert not evaluation.passed
    assert "没有结果" in evaluation.metadata["details"].value


def test_the_previous_publication_stays_byte_for_byte(world, planted):
    assert published_state(world) == planted["before"]
