"""The analysts' four questions, answered by the marimo notebooks on the real demo year.

The notebooks run headless on the published warehouse of the shared 2023 demo run (the
`demo_publication` fixture of tests/conftest.py), in one Python process (marimo is slow to import), the way `python notebooks/x.py`
does: `app.run()`. Every expected answer comes from what the demo generator wrote
(pipelines/demo/answers.py, over `build(2023)`'s roster and facts), never from the warehouse or
the code under test. A warehouse published before the row-level marts existed gets told what is
missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pyarrow.parquet as pq
import pytest

from pipelines.checks.privacy import known_values_from_build, scan_publication, scan_text
from pipelines.demo import answers
from pipelines.demo.generator import build
from pipelines.report import analysis
from pipelines.report.data import connect_read_only
from tests.conftest import DEMO_RAW
from tests.report_sample import build_sample
from tests.workbook_contents import sheet_of

pytestmark = pytest.mark.e2e

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.py"))
YEAR = 2023
AS_OF = dt.date(YEAR, 12, 31)
ROW_MARTS = ("members", "birthday_vouchers", "welfare_payments", "proposals")

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
        "notes": answer.notes if answer is not None else None,
    }, default=str, ensure_ascii=False), encoding="utf-8")
    defs["con"].close()
    print("ran", job["notebook"], flush=True)
"""


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def demo(demo_publication):
    run = demo_publication
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """What the generator wrote for 2023: the same files as the shipped raw/2023/, so the answers
    it knows are the answers the demo run must give."""
    out = tmp_path_factory.mktemp("generated")
    result = build(YEAR, out)
    assert _digests(out / str(YEAR)) == _digests(DEMO_RAW / str(YEAR)), (
        "raw/2023 is not what the generator writes: regenerate it with `make demo-data`"
    )
    return result


@pytest.fixture(scope="module")
def runs(demo, tmp_path_factory):
    """Every notebook on the demo run's warehouse; the birthday one also on a warehouse published
    without row-level marts."""
    out = tmp_path_factory.mktemp("notebook-runs")
    bare = tmp_path_factory.mktemp("nb-bare")
    build_sample(bare, years=(YEAR,))
    warehouses = {"demo": demo.warehouse, "bare": bare / "warehouse" / "union.duckdb"}
    jobs = [{"notebook": str(n), "label": n.stem, "warehouse": "demo"} for n in NOTEBOOKS] + [
        {
            "notebook": str(PROJECT_ROOT / "notebooks" / "birthday_vouchers.py"),
            "label": "birthday_vouchers-bare",
            "warehouse": "bare",
        }
    ]
    for job in jobs:
        job["env"] = {
            "UNIONWH_WAREHOUSE": str(warehouses[job["warehouse"]]),
            "UNIONWH_AS_OF": AS_OF.isoformat(),
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


@pytest.fixture(scope="module")
def known(demo):
    return set(known_values_from_build(demo.warehouse.parent / "private" / f"{YEAR}.duckdb"))


# --- the row-level marts the notebooks read ------------------------------------------------------


def test_row_level_marts_hold_the_generated_rows(demo, generated):
    expected = {
        "members": len(answers.members_of_year(generated, YEAR)),
        "birthday_vouchers": len(generated.facts.vouchers),  # one clean voucher per member
        "welfare_payments": generated.facts.welfare_payments,
        "proposals": len(generated.facts.proposals),
    }
    with connect_read_only(demo.warehouse) as con:
        for name, rows in expected.items():
            assert con.execute(
                f"select count(*) from marts.{name} where year = ?", [YEAR]
            ).fetchall() == [(rows,)], name
    for name, rows in expected.items():
        assert pq.read_metadata(demo.marts / str(YEAR) / f"{name}.parquet").num_rows == rows, name


def test_row_level_marts_have_chinese_headers_and_no_personal_data(demo, known):
    workbook = openpyxl.load_workbook(demo.marts / str(YEAR) / "marts.xlsx", read_only=True)
    for name in ROW_MARTS:
        sheet = sheet_of(workbook, f"marts.{name}")
        header, english = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header), (name, header)
        assert not {"id_card_number", "mobile_number", "birth_date"} & set(english), name
    assert known  # the roster's own numbers, read from the private build
    findings = scan_publication(demo.warehouse, demo.marts / str(YEAR), known_values=known)
    assert findings == [], [f.describe() for f in findings]


def test_the_privacy_scan_covers_the_row_level_marts(demo, known, tmp_path):
    """A roster phone number slipped into a member's row is found, in the warehouse and in the
    year's files."""
    mobile = next(v for v in known if len(v) == 11)
    warehouse = tmp_path / "union.duckdb"
    shutil.copy(demo.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update marts.members set member_name = member_name || ? where staff_id = "
            "(select min(staff_id) from marts.members)",
            [f"（电话{mobile}）"],
        )
        con.execute(
            "copy (select * from marts.members) to ? (format parquet)",
            [str(tmp_path / "members.parquet")],
        )
    findings = scan_publication(warehouse, None, known_values=known)
    assert {f.location for f in findings} == {"union.duckdb:marts.members.member_name"}
    findings = scan_publication(
        None, None, extra_files=[tmp_path / "members.parquet"], known_values=known
    )
    assert {f.kind for f in findings} == {"mobile_number", "known_value"}


# --- the notebooks ------------------------------------------------------------------------------


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


def test_members_due_a_birthday_voucher_without_one(runs, generated):
    answer = runs["answers"]["birthday_vouchers"]
    expected = answers.members_due_a_voucher_without_one(generated, YEAR)
    assert expected  # the generator leaves some members out to meet the published total
    assert {r["staff_id"] for r in answer["rows"]} == expected
    assert set(answer["rows"][0]) <= {*analysis.MEMBER_COLUMNS, "birth_month"}
    assert f"({len(expected)} members due a voucher without one)" in answer["html"]
    assert answer["rows"][0]["staff_id"] in answer["html"]  # the table's first page


def test_birthday_question_says_what_is_missing(runs):
    answer = runs["answers"]["birthday_vouchers-bare"]
    assert answer["missing"]
    assert "无法回答" in answer["html"]
    assert "marts.members" in answer["html"] and "marts.birthday_vouchers" in answer["html"]


def test_departments_with_the_lowest_participation(runs, generated):
    answer = runs["answers"]["participation"]
    expected = answers.participation_by_department(generated, YEAR)
    lowest = sorted(
        expected, key=lambda name: (Decimal(expected[name][1]) / expected[name][0], name)
    )
    assert [r["department"] for r in answer["rows"]] == lowest[:10]
    for row in answer["rows"]:
        members, participants = expected[row["department"]]
        assert (row["members"], row["participants"]) == (members, participants)
        assert Decimal(row["rate"]) == Decimal(participants) / Decimal(members)
    assert lowest[0] in answer["html"]
    assert "下限" not in answer["html"]  # whole-year participants, not a lower bound


def test_proposals_not_replied_to_within_60_days(runs, generated):
    answer = runs["answers"]["overdue_proposals"]
    expected = answers.overdue_proposals(generated, AS_OF, days=60)
    assert expected
    assert {r["proposal_id"] for r in answer["rows"]} == expected
    assert all(int(r["days_to_reply"]) > 60 for r in answer["rows"])
    assert any(r["not_replied"] for r in answer["rows"])
    assert answer["rows"][0]["proposal_id"] in answer["html"]


@pytest.mark.parametrize(
    ("as_of", "days"), [(dt.date(YEAR, 12, 31), 150), (dt.date(YEAR, 6, 30), 60)]
)
def test_overdue_depends_on_the_deadline_and_the_date(demo, generated, as_of, days):
    """The notebook's two inputs: a longer deadline leaves out the proposals replied within it; an
    earlier date counts a reply that came after it as no reply yet."""
    expected = answers.overdue_proposals(generated, as_of, days=days)
    with connect_read_only(demo.warehouse) as con:
        got = analysis.overdue_proposals(con, YEAR, days=days, as_of=as_of)
    assert {r["proposal_id"] for r in got.rows} == expected
    still_waiting = {
        p.pid for p in generated.facts.proposals if p.replied is None or p.replied > as_of
    }
    assert {r["proposal_id"] for r in got.rows if r["not_replied"]} == expected & still_waiting


def test_spending_per_member_by_department(runs, generated):
    answer = runs["answers"]["spending_per_member"]
    expected = answers.spending_per_member(generated, YEAR)
    got = {r["department"]: r for r in answer["rows"]}
    # spending that counts for no department (the assistance purchases) is not shared out
    unassigned = got.pop("未归属部门")
    assert unassigned["per_member"] is None
    assert Decimal(str(unassigned["amount"])) == generated.facts.spent_by_department[None]
    expected.pop(None)
    assert {name: Decimal(str(r["per_member"])) for name, r in got.items()} == expected


def test_no_personal_data_in_any_notebook_output(runs, known):
    for label, answer in runs["answers"].items():
        text = json.dumps(answer, ensure_ascii=False)
        assert scan_text(text, label, known) == [], label
