"""Several years in one published warehouse, end to end on generated years.

The shared 2023 demo run (`demo_publication`, tests/conftest.py) is copied, and a generated 2022
(`unionwh demo-data --year 2022`) is run into the copy: 2022 published after 2023. The two years'
builds are then published the other way round (2022, then 2023) into a new warehouse with the
publication's own function. Both warehouses must hold both years, row for row what each year
published under marts/<year>/, and the figure history must compare 2023 with 2022.
"""

from __future__ import annotations

import csv
import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipelines.publish.publication import publish_warehouse
from tests.conftest import run_cli
from tests.e2e.test_report import figures_table

pytestmark = pytest.mark.e2e

YEARS = (2022, 2023)


def show(result) -> str:
    return f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def years(demo_publication, tmp_path_factory) -> dict:
    demo = demo_publication
    assert demo.returncode == 0, show(demo)
    base = tmp_path_factory.mktemp("years")
    shutil.copytree(demo.warehouse.parent, base / "warehouse")
    shutil.copytree(demo.marts, base / "marts")
    world = {
        "raw": base / "raw",
        "warehouse": base / "warehouse" / "union.duckdb",
        "marts": base / "marts",
        "other": base / "other" / "union.duckdb",
    }
    made = run_cli("demo-data", "--year", "2022", "--out", str(world["raw"]))
    assert made.returncode == 0, show(made)
    world["run"] = run_cli(
        "run",
        "--year",
        "2022",
        "--raw-dir",
        str(world["raw"]),
        "--warehouse",
        str(world["warehouse"]),
        "--marts-dir",
        str(world["marts"]),
    )
    assert world["run"].returncode == 0, show(world["run"])
    for year in YEARS:  # the other order, from the same builds
        build = base / "warehouse" / "private" / f"{year}.duckdb"
        publish_warehouse(build, world["other"], year)
    return world


def tables(warehouse: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()


def test_both_years_are_in_every_published_table(years):
    published = tables(years["warehouse"])
    assert ("marts", "members") in published and ("audit", "load_log") in published
    with duckdb.connect(str(years["warehouse"]), read_only=True) as con:
        for schema, name in published:
            for year in YEARS:
                rows = con.execute(
                    f'select count(*) from "{schema}"."{name}" where year = ?', [year]
                ).fetchall()[0][0]
                parquet = years["marts"] / str(year) / f"{name}.parquet"
                assert rows == pq.read_metadata(parquet).num_rows, (name, year)
            assert con.execute(
                f'select count(*) from "{schema}"."{name}" where year not in (2022, 2023)'
            ).fetchall() == [(0,)], name


def test_either_order_gives_the_same_warehouse(years):
    assert tables(years["other"]) == tables(years["warehouse"])
    with (
        duckdb.connect(str(years["warehouse"]), read_only=True) as one,
        duckdb.connect(str(years["other"]), read_only=True) as other,
    ):
        for schema, name in tables(years["warehouse"]):
            query = f'select * from "{schema}"."{name}" order by all'
            assert one.execute(query).fetchall() == other.execute(query).fetchall(), name


def figures(marts: Path, year: int) -> dict[str, Decimal | None]:
    rows = pq.read_table(marts / str(year) / "report_figures.parquet").to_pylist()
    return {r["figure_key"]: r["value"] for r in rows}


def test_figure_history_lists_both_years_with_the_change(years, tmp_path):
    out = tmp_path / "history.csv"
    result = run_cli(
        "sql",
        "select figure_key, year, value, previous_value, change from marts.figure_history",
        "--warehouse",
        str(years["warehouse"]),
        "--csv",
        str(out),
    )
    assert result.returncode == 0, show(result)
    with out.open(encoding="utf-8-sig") as handle:
        history = {(r["figure_key"], int(r["year"])): r for r in csv.DictReader(handle)}
    before, now = figures(years["marts"], 2022), figures(years["marts"], 2023)
    assert {year for _, year in history} == set(YEARS)
    assert len(history) == len(before) + len(now) == 70
    for key, value in now.items():
        row = history[(key, 2023)]
        if value is None or before[key] is None:
            assert row["change"] == "", key
        else:
            assert Decimal(row["change"]) == value - before[key], key
        assert history[(key, 2022)]["change"] == "", key  # 2021 is not published


def test_the_report_compares_2023_with_2022(years, tmp_path):
    """Rendered from the two-year warehouse the real runs published: each figure's row of the
    change table prints that figure's 2023 and 2022 values as report_figures holds them."""
    result = run_cli(
        "report",
        "--year",
        "2023",
        "--warehouse",
        str(years["warehouse"]),
        "--marts-dir",
        str(tmp_path / "marts"),
        "--no-pdf",
        "--no-docx",
    )
    assert result.returncode == 0, show(result)
    html = (tmp_path / "marts" / "2023" / "report.html").read_text(encoding="utf-8")
    assert "同比对照 compared with 2022" in html
    now, before = (figures_table(years["warehouse"], year) for year in (2023, 2022))
    change = html.split('data-table="change"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-key="([^"]+)">(.*?)</tr>', change, flags=re.S)
    assert sorted(key for key, _ in rows) == sorted(now) and len(now) == 35
    for key, cells in rows:
        printed = re.findall(r'<td class="num[^"]*">([^<]*)</td>', cells)
        assert printed[:2] == [now[key]["display_zh"], before[key]["display_zh"]], key
    assert any(now[key]["value"] != before[key]["value"] for key in now)  # two different years


# Analysts open the published file with the DuckDB their tool bundles: DBeaver's driver, the duckdb
# command line, R's and Python's packages, still 1.x in many places. The oldest release the file's
# storage format (`PUBLISHED_STORAGE_VERSION`) is meant for, from the package registry.
OLDEST_CLIENT = "duckdb==1.1.3"
COUNT_EVERY_RELATION = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
relations = con.execute(
    "select table_schema, table_name from information_schema.tables order by 1, 2"
).fetchall()
counts = {
    f"{schema}.{name}": len(con.execute(f'select * from "{schema}"."{name}"').fetchall())
    for schema, name in relations
}
counts["figure_history.change"] = con.execute(
    "select count(change) from marts.figure_history"
).fetchall()[0][0]
print(json.dumps({"version": duckdb.__version__, "counts": counts}))
"""


def _registry_reachable() -> bool:
    import urllib.request

    try:
        urllib.request.urlopen("https://pypi.org/simple/duckdb/", timeout=10).close()
        return True
    except OSError:
        return False


def test_a_duckdb_1_1_client_reads_every_table_and_view(years, tmp_path):
    """duckdb 1.1.3, installed by uv into an environment of its own, reads every table and view
    of the two-year warehouse (every row fetched, every column decoded), as many rows as 2.0."""
    import json
    import os
    import subprocess
    import sys

    if not _registry_reachable():
        pytest.skip("pypi.org is unreachable: duckdb 1.1.3 cannot be installed")
    script = tmp_path / "count.py"
    script.write_text(COUNT_EVERY_RELATION, encoding="utf-8")
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }
    uv = shutil.which("uv") or f"{sys.executable} -m uv"
    result = subprocess.run(
        [
            *uv.split(),
            "run",
            "--isolated",
            "--no-project",
            "--with",
            OLDEST_CLIENT,
            "python",
            str(script),
            str(years["warehouse"]),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    old = json.loads(result.stdout.strip().splitlines()[-1])
    assert old["version"] == "1.1.3"

    with duckdb.connect(str(years["warehouse"]), read_only=True) as con:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables order by 1, 2"
        ).fetchall()
        now = {
            f"{s}.{n}": con.execute(f'select count(*) from "{s}"."{n}"').fetchall()[0][0]
            for s, n in relations
        }
        now["figure_history.change"] = con.execute(
            "select count(change) from marts.figure_history"
        ).fetchall()[0][0]
        tags = con.execute("select tags from duckdb_databases() where not internal").fetchall()
    assert "marts.figure_history" in now and "audit.quarantine" in now
    assert now["figure_history.change"] > 0  # 2023 compared with 2022: the view computes
    assert old["counts"] == now
    assert tags == [({"storage_version": "v1.0.0+"},)]  # a 1.x format, not 2.0's
