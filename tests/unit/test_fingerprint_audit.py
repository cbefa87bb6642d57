"""The fingerprint and skip decision, the audit's comparisons, and publishing the analysts'
warehouse while another process holds it open. Small handmade files, no pipeline run."""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.publish.audit import (
    CannotAudit,
    compare_figures,
    compare_inputs,
    compare_outputs,
    restore_inputs,
)
from pipelines.publish.fingerprint import current_fingerprint, decide, raw_files
from pipelines.publish.manifest import sha256_file
from pipelines.publish.publication import publish_warehouse

YEAR = 2023


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def published(tmp_path: Path) -> dict:
    """A raw year, and a publication of it as a run would leave it (manifest, files, warehouse,
    archive)."""
    raw = tmp_path / "raw"
    write(raw / "2023" / "welfare" / "a.csv", "a")
    write(raw / "2023" / "members" / "m.xlsx", "m")
    write(raw / "2023" / "welfare" / "~$a.xlsx", "office lock file")
    write(raw / "2023" / "welfare" / ".DS_Store", "finder")
    warehouse = tmp_path / "w" / "union.duckdb"
    warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.report_figures as select 2023 as year, 'x.amount' as figure_key, "
            "12.50::decimal(18,2) as value"
        )
    archive = warehouse.parent / "archive"
    archive.mkdir()
    files = raw_files(raw / "2023")
    for path, sha in files.items():
        (archive / sha).write_bytes((raw / "2023" / path).read_bytes())
    marts = tmp_path / "marts"
    out = write(marts / "2023" / "report_figures.parquet", "parquet bytes")
    manifest = {
        "year": YEAR,
        "run_id": "r1",
        "created_at": "2023-12-01T00:00:00+00:00",
        "inputs": [{"path": p, "sha256": s} for p, s in files.items()],
        "outputs": [{"path": out.name, "sha256": sha256_file(out), "rows": 1}],
        "figures": {"x.amount": {"value": "12.50"}},
        "fingerprint": current_fingerprint(YEAR, raw).to_manifest(),
    }
    write(marts / "2023" / "manifest.json", json.dumps(manifest))
    return {"raw": raw, "warehouse": warehouse, "marts": marts, "manifest": manifest}


def decision(world: dict, force: bool = False):
    return decide(YEAR, world["raw"], world["warehouse"], world["marts"], force)


def test_raw_files_are_those_the_ingestion_reads(published):
    assert list(raw_files(published["raw"] / "2023")) == ["members/m.xlsx", "welfare/a.csv"]


def test_unchanged_inputs_and_intact_publication_are_skipped(published):
    made = decision(published)
    assert made.skip, made.lines()
    assert made.lines()[0].startswith("输入未变，跳过 (inputs unchanged, skipped)")
    assert all(not runs for _, runs, _ in made.assets)
    assert {asset for asset, _, _ in made.assets} >= {
        "ingest_welfare",
        "union_dbt",
        "published/year",
    }


def test_force_runs(published):
    made = decision(published, force=True)
    assert not made.skip
    assert any("--force" in r for r in made.reasons)


def test_a_changed_raw_file_runs_and_says_which(published):
    write(published["raw"] / "2023" / "welfare" / "a.csv", "changed")
    write(published["raw"] / "2023" / "welfare" / "b.csv", "new")
    made = decision(published)
    assert not made.skip
    assert any("~ welfare/a.csv" in r and "+ welfare/b.csv" in r for r in made.reasons)
    why = {asset: (runs, text) for asset, runs, text in made.assets}
    assert why["ingest_welfare"][0] and "~ welfare/a.csv" in why["ingest_welfare"][1]
    assert why["ingest_members"][0] and "rebuilt as a whole" in why["ingest_members"][1]


def test_a_code_change_runs(published):
    manifest = published["manifest"]
    manifest["fingerprint"]["parts"]["dbt_project"] = "something else"
    write(published["marts"] / "2023" / "manifest.json", json.dumps(manifest))
    made = decision(published)
    assert not made.skip
    assert any("dbt" in r for r in made.reasons)


@pytest.mark.parametrize("damage", ["output", "warehouse_figure", "archive", "no_manifest"])
def test_a_damaged_publication_runs(published, damage):
    if damage == "output":
        write(published["marts"] / "2023" / "report_figures.parquet", "edited by hand")
    elif damage == "warehouse_figure":
        with duckdb.connect(str(published["warehouse"])) as con:
            con.execute("update marts.report_figures set value = 13")
    elif damage == "archive":
        for path in (published["warehouse"].parent / "archive").iterdir():
            path.unlink()
    else:
        (published["marts"] / "2023" / "manifest.json").unlink()
    manifest_path = published["marts"] / "2023" / "manifest.json"
    expected = {
        "output": "发布文件与清单不符 published file changed: report_figures.parquet",
        "warehouse_figure": "分析用仓库的数字与清单不符 the published warehouse's figures differ "
        "from the manifest",
        "archive": "归档缺少 2 个输入 archive lacks 2 input(s): members/m.xlsx, welfare/a.csv",
        "no_manifest": f"尚无发布 no publication yet (no readable {manifest_path})",
    }
    made = decision(published)
    assert not made.skip
    assert made.reasons == [expected[damage]]


def test_restore_inputs_from_the_archive_and_refuse_a_gap(published, tmp_path):
    restored = tmp_path / "restored" / "2023"
    assert (
        restore_inputs(published["manifest"], published["warehouse"].parent / "archive", restored)
        == 2
    )
    assert (restored / "welfare" / "a.csv").read_text(encoding="utf-8") == "a"
    with pytest.raises(CannotAudit):
        restore_inputs(published["manifest"], tmp_path / "empty-archive", tmp_path / "again")


def test_compare_figures_names_each_difference():
    published = {"a": {"value": "1.00", "unit": "元"}, "b": {"value": "2.00"}}
    rerun = {"a": {"value": "1.50", "unit": "元"}, "c": {"value": "3.00"}}
    lines = compare_figures(published, rerun)
    assert lines == [
        "指标 figure a value: 发布 published 1.00 ≠ 重算 rerun 1.50",
        "指标 figure b: 重算中没有 missing in the rerun",
        "指标 figure c: 发布中没有 not in the publication (new)",
    ]
    assert compare_figures(published, published) == []


def test_compare_outputs_describes_a_differing_mart(tmp_path):
    published, rerun = tmp_path / "published", tmp_path / "rerun"
    published.mkdir()
    rerun.mkdir()
    pq.write_table(pa.table({"k": ["a", "b"], "v": [1, 2]}), published / "m.parquet")
    pq.write_table(pa.table({"k": ["a", "b"], "v": [1, 3]}), rerun / "m.parquet")
    (published / "x.xlsx").write_bytes(b"same")
    (rerun / "x.xlsx").write_bytes(b"same")
    manifest = {
        "outputs": [
            {"path": "m.parquet", "sha256": sha256_file(published / "m.parquet")},
            {"path": "x.xlsx", "sha256": sha256_file(published / "x.xlsx")},
        ]
    }
    lines = compare_outputs(manifest, published, rerun)
    assert lines[0].startswith("文件 file m.parquet: sha256 不同 differs")
    assert "仅发布中 only published 1, 仅重算中 only in the rerun 1" in lines[1]
    assert "('b', 2)" in lines[2] and "('b', 3)" in lines[3]
    assert not any("x.xlsx" in line for line in lines)


def test_compare_inputs_row_accounting():
    before = [{"path": "w/a.csv", "rows_read": 3, "rows_clean": 3}]
    after = [{"path": "w/a.csv", "rows_read": 3, "rows_clean": 2}]
    assert compare_inputs(before, after) == [
        "输入 input w/a.csv rows_clean: 发布 published 3 ≠ 重算 rerun 2"
    ]


# ------------------------------------------------- publishing while someone has the file open

HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read_only")
con.execute("select count(*) from marts.report_figures").fetchall()
print("holding", flush=True)
time.sleep(60)
"""


def _warehouse(path: Path, year: int, value: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            f"create table marts.report_figures as select {year} as year, 'x' as figure_key, "
            "null::varchar as section, null::varchar as label_zh, "
            f"{value}::decimal(18,2) as value, '元' as unit, null::varchar as display_zh"
        )
    return path


@pytest.mark.parametrize("mode", ["read_only", "read_write"])
def test_publishing_never_fails_because_the_file_is_open(tmp_path, mode):
    published = _warehouse(tmp_path / "union.duckdb", 2022, "1")
    build = _warehouse(tmp_path / "private" / "2023.duckdb", 2023, "2")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(published), mode], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        publish_warehouse(build, published, 2023)
    finally:
        holder.kill()
        holder.wait()
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute("select year, value from marts.report_figures order by 1").fetchall()
    assert [(y, str(v)) for y, v in rows] == [(2022, "1.00"), (2023, "2.00")]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
        "private",
        "union.duckdb",
    ]


PUBLISHER = """
import sys
from pathlib import Path
from pipelines import locks
from pipelines.publish import publication

build, published, year, lock = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if lock == "none":  # the path publish_warehouse takes where flock(2) does not exist
    locks.fcntl = None
attach_previous = publication._attach_previous


def attach_then_wait(*args):
    attach_previous(*args)
    print("read", flush=True)  # the previous publication is read: wait for the test's word
    sys.stdin.readline()


publication._attach_previous = attach_then_wait
publication.publish_warehouse(build, published, year)
"""


def _waiting_for_a_lock(pid: int, lock_file: Path) -> bool:
    """The process is blocked in flock(2) on lock_file: /proc/locks lists it after `->`, as in
    `1: -> FLOCK  ADVISORY  WRITE <pid> <major>:<minor>:<inode> 0 EOF`."""
    if not lock_file.exists():
        return False
    inode = lock_file.stat().st_ino
    for line in Path("/proc/locks").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if fields[1:3] == ["->", "FLOCK"] and fields[5] == str(pid):
            return fields[6].endswith(f":{inode}")
    return False


def _publish_at_once(tmp_path: Path, years: tuple[int, ...], lock: str) -> list[set[int]]:
    """Each year's publisher in its own process (as `unionwh run` runs one per year), every one
    held at a barrier once it has read the previous publication. The barrier opens when every
    publisher still running is at it or blocked on the publication lock: without the lock they
    are all let through together, having all read the same previous file; with it, one at a
    time. Returns the groups let through, in order."""
    published = tmp_path / "union.duckdb"
    builds = {year: tmp_path / "private" / f"{year}.duckdb" for year in years}
    lock_file = published.with_name(f".{published.name}.publish.lock")  # publish_warehouse's
    publishers = {
        year: subprocess.Popen(
            [sys.executable, "-c", PUBLISHER, str(builds[year]), str(published), str(year), lock],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for year in years
    }
    at_barrier: set[int] = set()
    let_through: list[set[int]] = []
    deadline = time.monotonic() + 120  # a guard against a hang only: this takes seconds
    try:
        while running := {y for y, p in publishers.items() if p.poll() is None}:
            assert time.monotonic() < deadline, f"publishers stuck: at the barrier {at_barrier}"
            readable, _, _ = select.select([publishers[y].stdout for y in running], [], [], 0.05)
            for year in running:
                if publishers[year].stdout in readable and publishers[year].stdout.readline():
                    at_barrier.add(year)
            blocked = {y for y in running if _waiting_for_a_lock(publishers[y].pid, lock_file)}
            if at_barrier and running <= at_barrier | blocked:
                for year in at_barrier:
                    publishers[year].stdin.write("go\n")
                    publishers[year].stdin.flush()
                let_through.append(set(at_barrier))
                at_barrier.clear()
    finally:
        for publisher in publishers.values():
            publisher.kill()
            publisher.wait()
    assert [p.returncode for p in publishers.values()] == [0] * len(years)
    return let_through


@pytest.mark.parametrize("lock", ["flock", "none"])
def test_years_published_at_once_are_all_kept(tmp_path, lock):
    """A backfill publishes several years at once; each publication rebuilds the file from the
    previous one, so two that both read it before either has replaced it lose a year. The
    publication lock lets one read only after the other has replaced the file; without it (the
    `none` case, to show the race is real) the same interleaving loses one of the two years."""
    published = _warehouse(tmp_path / "union.duckdb", 2020, "2020")
    years = (2021, 2022)
    for year in years:
        _warehouse(tmp_path / "private" / f"{year}.duckdb", year, str(year))
    let_through = _publish_at_once(tmp_path, years, lock)
    with duckdb.connect(str(published), read_only=True) as con:
        got = [
            y for (y,) in con.execute("select year from marts.report_figures order by 1").fetchall()
        ]
    if lock == "flock":
        assert got == [2020, 2021, 2022]
        assert let_through in ([{2021}, {2022}], [{2022}, {2021}])  # one waited on the lock
    else:
        assert let_through == [{2021, 2022}]  # both read 2020's file, then both replaced it
        assert got in ([2020, 2021], [2020, 2022])
