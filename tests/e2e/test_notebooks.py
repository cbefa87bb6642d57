"""The marimo notebooks run headless against a synthetic published warehouse and answer their
questions, without showing anyone's 身份证号 or 手机号.

One Python process (marimo is slow to import, so only once) runs every notebook the way
`python notebooks/x.py` does, `app.run()`, and writes down what every cell showed and the
notebook's answer; the tests read that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from pipelines.privacy import known_values_from_build, scan_text
from pipelines.report import analysis
from pipelines.report.data import connect_read_only
from tests.report_sample import build_once, build_published_sample, build_sample

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("notebooks")]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.py"))
AS_OF = "2023-12-31"

RUNNER = """
import json, os, runpy, sys
from pathlib import Path

jobs = json.loads(sys.argv[1])
for job in jobs:
    os.environ.update(job["env"])
    app = runpy.run_path(job["notebook"], run_name="notebook")["app"]  # what `python x.py` runs
    outputs, defs = app.run()
    answer = defs.get("answer")
    Path(job["out"]).write_text(json.dumps({
        "html": "\\n".join(getattr(o, "text", "") or "" for o in outputs if o is not None),
        "rows": answer.rows if answer is not None else None,
        "missing": answer.missing if answer is not None else None,
    }, default=str, ensure_ascii=False), encoding="utf-8")
    defs["con"].close()
    print("ran", job["notebook"], flush=True)
"""


@pytest.fixture(scope="session")
def warehouses(tmp_path_factory):
    """One warehouse with member-level marts (the published sample the report tests share), one
    without (the birthday question's other case)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's folder, common to its workers
    full = build_once(root / "published-sample", build_published_sample)
    bare = tmp_path_factory.mktemp("nb-bare")
    build_sample(bare, years=(2023,))
    return {
        "full": full / "warehouse" / "union.duckdb",
        "bare": bare / "warehouse" / "union.duckdb",
        "known": known_values_from_build(full / "warehouse" / "private" / "2023.duckdb"),
    }


@pytest.fixture(scope="session")
def runs(warehouses, tmp_path_factory):
    """Every notebook on the full warehouse, the birthday one also on the bare one."""
    out = tmp_path_factory.mktemp("notebook-runs")
    jobs = [{"notebook": str(n), "label": n.stem, "warehouse": "full"} for n in NOTEBOOKS] + [
        {
            "notebook": str(PROJECT_ROOT / "notebooks" / "birthday_vouchers.py"),
            "label": "birthday_vouchers-bare",
            "warehouse": "bare",
        }
    ]
    for job in jobs:
        job["env"] = {
            "UNIONWH_WAREHOUSE": str(warehouses[job["warehouse"]]),
            "UNIONWH_AS_OF": AS_OF,
        }
        job["out"] = str(out / f"{job['label']}.json")
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(jobs)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return {
        "result": result,
        "count": len(jobs),
        "answers": {
            job["label"]: json.loads(Path(job["out"]).read_text(encoding="utf-8"))
            for job in jobs
            if Path(job["out"]).exists()
        },
    }


def test_there_are_four_notebooks():
    assert {n.stem for n in NOTEBOOKS} >= {
        "birthday_vouchers",
        "participation",
        "overdue_proposals",
        "spending_per_member",
    }


def test_every_notebook_runs_headless(runs):
    result = runs["result"]
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert result.stdout.count("ran ") == runs["count"]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


def test_members_without_a_birthday_voucher(runs, warehouses):
    answer = runs["answers"]["birthday_vouchers"]
    # the sample gives no voucher to every ninth member: T0009, T0018 … T0054
    assert [r["staff_id"] for r in answer["rows"]] == [f"T{n:04d}" for n in range(9, 61, 9)]
    assert set(answer["rows"][0]) <= set(analysis.MEMBER_COLUMNS)
    assert "T0009" in answer["html"] and "T0008" not in answer["html"]
    text = json.dumps(answer, ensure_ascii=False)
    assert scan_text(text, "notebook", set(warehouses["known"])) == []


def test_birthday_question_says_what_is_missing(runs):
    answer = runs["answers"]["birthday_vouchers-bare"]
    assert answer["missing"]
    assert "无法回答" in answer["html"]
    assert "marts.members" in answer["html"] and "marts.birthday_vouchers" in answer["html"]


def test_departments_with_the_lowest_participation(runs, warehouses):
    answer = runs["answers"]["participation"]
    rates = [Decimal(r["rate"]) for r in answer["rows"]]
    assert len(rates) == 10 and rates == sorted(rates)
    with connect_read_only(warehouses["full"]) as con:
        lowest = con.execute(
            "select department_name from marts.participation where year = 2023 "
            "group by 1 order by max(participants) / max(members) limit 1"
        ).fetchone()[0]
    assert answer["rows"][0]["department"] == lowest
    assert lowest in answer["html"]


def test_proposals_not_replied_to_within_60_days(runs, warehouses):
    answer = runs["answers"]["overdue_proposals"]
    with connect_read_only(warehouses["full"]) as con:
        expected = {
            r[0]
            for r in con.execute(
                """
                select proposal_id from marts.proposals
                where year = 2023 and is_accepted
                  and coalesce(replied_on, date '2023-12-31') - submitted_on > 60
                """
            ).fetchall()
        }
    assert expected  # the sample has some
    assert {r["proposal_id"] for r in answer["rows"]} == expected
    assert all(int(r["days_to_reply"]) > 60 for r in answer["rows"])
    assert any(r["not_replied"] for r in answer["rows"])
    assert answer["rows"][0]["proposal_id"] in answer["html"]  # the table's first page


def test_spending_per_member_by_department(runs, warehouses):
    answer = runs["answers"]["spending_per_member"]
    with connect_read_only(warehouses["full"]) as con:
        spent = dict(
            con.execute(
                "select department_name, sum(amount) from marts.spending_by_category "
                "where year = 2023 group by 1"
            ).fetchall()
        )
        members = dict(
            con.execute(
                "select department_name, members from marts.participation where year = 2023"
            ).fetchall()
        )
    expected = {
        name: (amount / members[name]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        for name, amount in spent.items()
        if name is not None
    }
    got = {r["department"]: r["per_member"] for r in answer["rows"]}
    # the assistance purchases are the university's: no department, not shared out
    assert got.pop("未归属部门") is None
    assert {name: Decimal(value) for name, value in got.items()} == expected


def test_no_personal_data_in_any_notebook_output(runs, warehouses):
    for label, answer in runs["answers"].items():
        text = json.dumps(answer, ensure_ascii=False)
        assert scan_text(text, label, set(warehouses["known"])) == [], label
