"""The dbt project against the handmade landed rows of make_fixture.py.

`dbt build` runs once per module and engine on a fresh fixture (seeds, models, data tests, unit
tests); the tests then read the build and compare it with what each handmade row must become,
written here by hand from the contract (not from a run). Every test runs on both engines: the
DuckDB build file, and a database on a real PostgreSQL server (the federation warehouse) into
which the same landed rows are copied by the landing's own code (COPY).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.contract import load_contract
from pipelines.db.postgres import PgConnection, ensure_database
from pipelines.ingest import land
from tests.dbt.dbt_cli import run_dbt
from tests.dbt.make_fixture import build_fixture

# both builds stay on one xdist worker (make test runs -n 2 --dist loadgroup)

ENGINES = ["duckdb", "postgres"]

CLEAN, DUPLICATE, QUARANTINED = "clean", "duplicate", "quarantined"

# (file, sheet, row) -> (row_status, reason_code), per landed table
EXPECTED_ROWS: dict[str, dict[tuple[str, str, int], tuple[str, str | None]]] = {
    "members": {
        ("members/roster.xlsx", "在职", 3): (CLEAN, None),
        ("members/roster.xlsx", "在职", 4): (CLEAN, None),
        ("members/roster.xlsx", "在职", 5): (CLEAN, None),
        ("members/roster.xlsx", "在职", 6): (CLEAN, None),
        ("members/roster.xlsx", "在职", 7): (CLEAN, None),
        ("members/roster.xlsx", "在职", 8): (DUPLICATE, "duplicate"),
        ("members/roster.xlsx", "在职", 9): (QUARANTINED, "unknown_department"),
        ("members/roster.xlsx", "在职", 10): (QUARANTINED, "conflicting_duplicate"),
        ("members/roster.xlsx", "在职", 11): (QUARANTINED, "conflicting_duplicate"),
        ("members/roster.xlsx", "在职", 12): (QUARANTINED, "missing_value"),
        ("members/roster.xlsx", "在职", 13): (CLEAN, None),
        ("members/roster_retired.csv", "csv", 2): (CLEAN, None),
        ("members/roster_retired.csv", "csv", 3): (DUPLICATE, "duplicate"),
    },
    "welfare_payments": {
        ("welfare/2023上半年.xlsx", "明细", 4): (CLEAN, None),
        ("welfare/2023上半年.xlsx", "明细", 5): (CLEAN, None),
        ("welfare/2023上半年.xlsx", "明细", 6): (CLEAN, None),
        ("welfare/2023上半年.xlsx", "明细", 7): (QUARANTINED, "missing_staff_id"),
        ("welfare/2023上半年.xlsx", "明细", 8): (QUARANTINED, "unknown_staff_id"),
        ("welfare/2023上半年.xlsx", "明细", 9): (QUARANTINED, "negative_amount"),
        ("welfare/2023上半年.xlsx", "明细", 10): (QUARANTINED, "wrong_fiscal_year"),
        ("welfare/2023上半年.xlsx", "明细", 11): (CLEAN, None),
        ("welfare/2023上半年.xlsx", "明细", 12): (QUARANTINED, "wrong_fiscal_year"),
        ("welfare/2023上半年.xlsx", "明细", 13): (CLEAN, None),
        ("welfare/2023上半年.xlsx", "明细", 14): (QUARANTINED, "date_outside_fiscal_year"),
        ("welfare/2023上半年.xlsx", "明细", 15): (CLEAN, None),
        ("welfare/2023上半年.xlsx", "明细", 16): (QUARANTINED, "date_outside_fiscal_year"),
        ("welfare/2023上半年.xlsx", "明细", 17): (QUARANTINED, "amount_not_a_number"),
        ("welfare/2023上半年.xlsx", "明细", 18): (QUARANTINED, "unknown_department"),
        ("welfare/2023上半年.xlsx", "明细", 19): (CLEAN, None),
        ("welfare/2023上半年.xlsx", "明细", 20): (CLEAN, None),
        ("welfare/2023上半年.xlsx", "明细", 21): (CLEAN, None),
        ("welfare/2023下半年.csv", "csv", 2): (DUPLICATE, "duplicate"),
        ("welfare/2023下半年.csv", "csv", 3): (DUPLICATE, "duplicate"),
        ("welfare/2023下半年.csv", "csv", 4): (CLEAN, None),
        ("welfare/2023下半年.csv", "csv", 5): (QUARANTINED, "unknown_staff_id"),
    },
    "festival_payments": {
        ("festival/节日慰问金2023.xlsx", "在职", 3): (CLEAN, None),
        ("festival/节日慰问金2023.xlsx", "在职", 4): (CLEAN, None),
        ("festival/节日慰问金2023.xlsx", "在职", 5): (QUARANTINED, "negative_amount"),
        ("festival/节日慰问金2023.xlsx", "在职", 6): (QUARANTINED, "unknown_staff_id"),
        ("festival/节日慰问金2023.xlsx", "在职", 7): (QUARANTINED, "conflicting_duplicate"),
        ("festival/节日慰问金2023.xlsx", "离退休", 3): (CLEAN, None),
        ("festival/节日慰问金2023.xlsx", "离退休", 4): (DUPLICATE, "duplicate"),
        ("festival/节日慰问金2023.xlsx", "离退休", 5): (QUARANTINED, "conflicting_duplicate"),
        ("festival/节日慰问金2023.xlsx", "离退休", 6): (CLEAN, None),
    },
    "birthday_vouchers": {
        ("birthday/生日蛋糕.xlsx", "Sheet1", 2): (CLEAN, None),
        ("birthday/生日蛋糕.xlsx", "Sheet1", 3): (CLEAN, None),
        ("birthday/生日蛋糕.xlsx", "Sheet1", 4): (DUPLICATE, "duplicate"),
        ("birthday/生日蛋糕.xlsx", "Sheet1", 5): (QUARANTINED, "conflicting_duplicate"),
        ("birthday/生日蛋糕.xlsx", "Sheet1", 6): (QUARANTINED, "conflicting_duplicate"),
        ("birthday/生日蛋糕.xlsx", "Sheet1", 7): (QUARANTINED, "unknown_staff_id"),
        ("birthday/生日蛋糕.xlsx", "Sheet1", 8): (QUARANTINED, "negative_amount"),
        ("birthday/生日蛋糕.xlsx", "Sheet1", 9): (QUARANTINED, "unknown_department"),
        ("birthday/生日蛋糕.xlsx", "Sheet1", 10): (QUARANTINED, "month_not_a_month"),
    },
    "alleviation_purchases": {
        ("alleviation/帮扶采购.xlsx", "采购明细", 3): (CLEAN, None),
        ("alleviation/帮扶采购.xlsx", "采购明细", 4): (CLEAN, None),
        ("alleviation/帮扶采购.xlsx", "采购明细", 5): (CLEAN, None),
        ("alleviation/帮扶采购.xlsx", "采购明细", 6): (DUPLICATE, "duplicate"),
        ("alleviation/帮扶采购.xlsx", "采购明细", 7): (QUARANTINED, "unknown_county"),
        ("alleviation/帮扶采购.xlsx", "采购明细", 8): (QUARANTINED, "date_outside_year"),
        ("alleviation/帮扶采购.xlsx", "采购明细", 9): (QUARANTINED, "negative_amount"),
        ("alleviation/帮扶采购.xlsx", "采购明细", 10): (CLEAN, None),
    },
    "alleviation_targets": {
        ("alleviation/帮扶采购.xlsx", "帮扶任务", 3): (CLEAN, None),
        ("alleviation/帮扶采购.xlsx", "帮扶任务", 4): (QUARANTINED, "unknown_county"),
    },
    "proposals": {
        ("proposals/提案_20231031.xlsx", "提案", 4): (CLEAN, None),
        ("proposals/提案_20231031.xlsx", "提案", 5): (CLEAN, None),
        ("proposals/提案_20231031.xlsx", "提案", 6): (CLEAN, None),
        ("proposals/提案_20231130.xlsx", "提案", 4): (CLEAN, None),
        ("proposals/提案_20231130.xlsx", "提案", 5): (CLEAN, None),
        ("proposals/提案_20231130.xlsx", "提案", 6): (CLEAN, None),
        ("proposals/提案_20231130.xlsx", "提案", 7): (DUPLICATE, "duplicate"),
        ("proposals/提案_20231130.xlsx", "提案", 8): (QUARANTINED, "unknown_department"),
        ("proposals/提案_20231130.xlsx", "提案", 9): (QUARANTINED, "unknown_department"),
        ("proposals/提案_20231130.xlsx", "提案", 10): (QUARANTINED, "conflicting_duplicate"),
        ("proposals/提案_20231130.xlsx", "提案", 11): (QUARANTINED, "conflicting_duplicate"),
        ("proposals/提案_20231130.xlsx", "提案", 12): (QUARANTINED, "missing_value"),
    },
    "activity_participations": {
        ("activities/文体活动.xlsx", "参与", 2): (CLEAN, None),
        ("activities/文体活动.xlsx", "参与", 3): (CLEAN, None),
        ("activities/文体活动.xlsx", "参与", 4): (DUPLICATE, "duplicate"),
        ("activities/文体活动.xlsx", "参与", 5): (CLEAN, None),
        ("activities/文体活动.xlsx", "参与", 6): (CLEAN, None),
        ("activities/文体活动.xlsx", "参与", 7): (CLEAN, None),
        ("activities/文体活动.xlsx", "参与", 8): (QUARANTINED, "date_outside_year"),
        ("activities/文体活动.xlsx", "参与", 9): (QUARANTINED, "unknown_staff_id"),
        ("activities/文体活动.xlsx", "参与", 10): (QUARANTINED, "conflicting_duplicate"),
        ("activities/文体活动.xlsx", "参与", 11): (QUARANTINED, "conflicting_duplicate"),
        ("activities/文体活动.xlsx", "参与", 12): (CLEAN, None),
    },
    "publicity_posts": {
        ("publicity/宣传.csv", "csv", 2): (CLEAN, None),
        ("publicity/宣传.csv", "csv", 3): (CLEAN, None),
        ("publicity/宣传.csv", "csv", 4): (DUPLICATE, "duplicate"),
        ("publicity/宣传.csv", "csv", 5): (QUARANTINED, "conflicting_duplicate"),
        ("publicity/宣传.csv", "csv", 6): (QUARANTINED, "conflicting_duplicate"),
        ("publicity/宣传.csv", "csv", 7): (QUARANTINED, "date_outside_year"),
        ("publicity/宣传.csv", "csv", 8): (CLEAN, None),
        ("publicity/宣传.csv", "csv", 9): (QUARANTINED, "date_not_a_date"),
    },
    "meetings": {
        ("meetings/会议.xlsx", "2023", 2): (CLEAN, None),
        ("meetings/会议.xlsx", "2023", 3): (CLEAN, None),
        ("meetings/会议.xlsx", "2023", 4): (CLEAN, None),
        ("meetings/会议.xlsx", "2023", 5): (DUPLICATE, "duplicate"),
        ("meetings/会议.xlsx", "2023", 6): (QUARANTINED, "date_outside_year"),
        ("meetings/会议.xlsx", "2023", 7): (CLEAN, None),
        ("meetings/会议.xlsx", "2023", 8): (QUARANTINED, "conflicting_duplicate"),
        ("meetings/会议.xlsx", "2023", 9): (QUARANTINED, "conflicting_duplicate"),
    },
    "budget_lines": {
        ("budget/预算.xlsx", "预算", 2): (CLEAN, None),
        ("budget/预算.xlsx", "预算", 3): (CLEAN, None),
        ("budget/预算.xlsx", "预算", 4): (QUARANTINED, "negative_amount"),
        ("budget/预算.xlsx", "预算", 5): (QUARANTINED, "conflicting_duplicate"),
        ("budget/预算.xlsx", "预算", 6): (QUARANTINED, "conflicting_duplicate"),
        ("budget/预算.xlsx", "预算", 7): (CLEAN, None),
    },
}

# figure_key -> (value, display_zh, source_rows), computed by hand from the fixture's clean rows
EXPECTED_FIGURES: dict[str, tuple[str | None, str | None, int]] = {
    # 新年慰问: GH0001 500, GH0002 800, GH0005 500 (the copy of GH0001's row is a duplicate)
    "welfare.new_year.people": ("3", "3人", 3),
    "welfare.new_year.amount": ("1800", "0.18万元", 3),
    # 七一走访: one family member without 工号
    "welfare.july_first.people": ("1", "1人", 1),
    "welfare.july_first.amount": ("800", "0.08万元", 1),
    "welfare.frontier_families.people": ("1", "1人", 1),
    "welfare.frontier_families.amount": ("800", "0.08万元", 1),
    "welfare.teachers_day.people": ("1", "1人", 1),
    "welfare.teachers_day.amount": ("800", "0.08万元", 1),
    # 退休 GH0004 1000 (blank 所属年度) + 去世 family member 2000; the 2022 wedding is quarantined
    "welfare.life_events.people": ("2", "2人", 2),
    "welfare.life_events.amount": ("3000", "0.3万元", 2),
    "welfare.universiade.people": ("0", "0人", 0),
    "welfare.veterans.people": ("0", "0人", 0),
    "welfare.veterans.amount": ("0", "0.00元", 0),
    # 2024-03-31 counts, 2024-04-01 does not
    "welfare.disability_care.amount": ("1500", "0.15万元", 1),
    # paid 2022-12-15, charged to 2023
    "hardship.special.amount": ("20000", "2万元", 1),
    "hardship.temporary.amount": ("0", "0万元", 0),
    "birthday.amount": ("400", "0.04万元", 2),
    # cells of the clean rows: GH0001 3000, GH0002 1500, GH0004 1000, GH0010 500
    "festival.amount": ("6000", "0.6万元", 4),
    "alleviation.chengkou.amount": ("3000", "0.3万元", 3),
    "alleviation.chengkou.chicken.amount": ("2200", "0.22万元", 2),
    "alleviation.changning.amount": ("5000", "0.5万元", 2),
    # 5000 purchased - 4000 target; source rows: one purchase, one target
    "alleviation.changning.over_target": ("1000", "0.1万元", 2),
    # TA001 (November), TA002 (carried forward from October), TA004
    "proposals.congress.accepted": ("3", "3条", 3),
    "proposals.union.accepted": ("0", "0条", 0),
    "publicity.wechat.posts": ("2", "2条", 2),
    "publicity.upper_union.reports": ("0", "0条", 0),
    "publicity.news_flash.posts": ("0", "0条", 0),
    "publicity.grassroots.posts": ("1", "1条", 1),
    "publicity.clubs.posts": ("0", "0条", 0),
    "publicity.notices.posts": ("0", "0条", 0),
    # 团购年货 (two participants) and 团购粽子
    "activities.group_purchase.count": ("2", "2次", 3),
    "meetings.union_committee.count": ("2", "2次", 2),
    "meetings.congress_executive.count": ("1", "1次", 1),
    "meetings.documents_reviewed": ("6", "6个", 4),
    "meetings.proposal_committee.count": ("1", "1次", 1),
}


def land_in_postgres(build_db: Path, dsn: str) -> None:
    """Copy the fixture's landed tables into a PostgreSQL build database, through the landing."""
    contract = load_contract()
    schemas = {t.table: t.landed_schema() for t in contract.tables} | land.BOOKKEEPING
    with duckdb.connect(str(build_db), read_only=True) as source, PgConnection(dsn) as target:
        land.ensure_raw_schema(target, contract)
        for table, schema in schemas.items():
            frame = source.sql(f"select * from raw.{table}").pl()
            land.insert_frame(target, table, schema, frame)


def test_primary_key_fails_when_a_landed_row_comes_twice(tmp_path: Path):
    """The primary_key generic test (unique and not null in one query) fails on a repeated key."""
    build_db = build_fixture(tmp_path / "build.duckdb", empty=False)
    with duckdb.connect(str(build_db)) as con:
        con.execute("insert into raw.welfare_payments select * from raw.welfare_payments limit 1")
    result = run_dbt(
        ["build", "--select", "stg_welfare__payments", "--indirect-selection", "cautious"],
        build_db,
        tmp_path,
    )
    assert result.returncode == 1, result.stdout[-3000:]
    failed = [line for line in result.stdout.splitlines() if "FAIL 1 primary_key" in line]
    assert any("stg_welfare__payments_landed_row_id" in line for line in failed), result.stdout[
        -3000:
    ]


def build(request: pytest.FixtureRequest, name: str, *, empty: bool):
    """The fixture built by dbt on the engine of this parameter; a read-only connection to it."""
    work_dir = request.getfixturevalue("tmp_path_factory").mktemp(f"{name}-{request.param}")
    build_db = build_fixture(work_dir / "build.duckdb", empty=empty)
    if request.param == "duckdb":
        result = run_dbt(["build"], build_db, work_dir)
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
        return duckdb.connect(str(build_db), read_only=True)
    server = request.getfixturevalue("postgres_server")
    database = f"fixture_{name}"
    ensure_database(server.dsn, database)  # as the federation warehouse creates a build's
    dsn = server.dsn_for(database)
    land_in_postgres(build_db, dsn)
    result = run_dbt(["build"], build_db, work_dir, postgres_dsn=dsn)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return PgConnection(dsn, read_only=True)


@pytest.fixture(scope="module", params=ENGINES)
def warehouse(request: pytest.FixtureRequest):
    with build(request, "fixture", empty=False) as con:
        yield con


@pytest.fixture(scope="module", params=ENGINES)
def empty_warehouse(request: pytest.FixtureRequest):
    with build(request, "empty", empty=True) as con:
        yield con


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


@pytest.mark.parametrize("table", sorted(EXPECTED_ROWS))
def test_every_landed_row_is_classified_as_expected(warehouse, table):
    found = {
        (file_name, sheet_name, row_number): (row_status, reason_code)
        for file_name, sheet_name, row_number, row_status, reason_code in rows(
            warehouse,
            f"select file_name, sheet_name, row_number, row_status, reason_code "
            f"from intermediate.int_{table}_classified",
        )
    }
    assert found == EXPECTED_ROWS[table]


def test_quarantine_holds_exactly_the_quarantined_rows(warehouse):
    expected = sorted(
        (file_name, sheet_name, row_number, reason_code)
        for table_rows in EXPECTED_ROWS.values()
        for (file_name, sheet_name, row_number), (status, reason_code) in table_rows.items()
        if status == QUARANTINED
    )
    found = rows(
        warehouse,
        "select file_name, sheet_name, row_number, reason_code from audit.quarantine "
        "order by 1, 2, 3, 4",
    )
    assert found == expected
    assert rows(warehouse, "select count(*) from audit.quarantine where reason_zh is null") == [
        (0,)
    ]


def test_quarantine_keeps_the_cells_and_the_column(warehouse):
    found = rows(
        warehouse,
        "select column_name, raw_values->>'金额', reason_en from audit.quarantine "
        "where file_name = 'welfare/2023上半年.xlsx' and row_number = 17",
    )
    assert found == [("金额", "五百", "amount not a number")]


def test_load_log_counts_every_row_once(warehouse):
    found = {
        file_name: (status, read, clean, duplicate, quarantined)
        for file_name, status, read, clean, duplicate, quarantined in rows(
            warehouse,
            "select file_name, file_status, rows_read, rows_clean, rows_duplicate, "
            "rows_quarantined from audit.load_log",
        )
    }
    assert found["welfare/2023上半年.xlsx"] == ("loaded", 18, 9, 0, 9)
    assert found["welfare/2023下半年.csv"] == ("loaded", 4, 1, 2, 1)
    assert found["welfare/损坏文件.xlsx"] == ("rejected", 0, 0, 0, 0)
    assert found["proposals/提案_20231130.xlsx"] == ("loaded", 9, 3, 1, 5)
    expected_total = sum(len(table_rows) for table_rows in EXPECTED_ROWS.values())
    assert sum(counts[1] for counts in found.values()) == expected_total
    assert all(read == clean + dup + quar for _, read, clean, dup, quar in found.values())


def test_quarantine_shares_and_reasons_per_source(warehouse):
    """audit.quarantine_shares and audit.quarantine_reasons (what the quarantine gate reads),
    expected from the fixture's hand-written row outcomes."""
    sources: dict[str, dict] = {}
    for table_rows in EXPECTED_ROWS.values():
        for (file_name, sheet_name, row_number), (status, reason_code) in table_rows.items():
            source = sources.setdefault(file_name.split("/")[0], {"read": 0, "reasons": {}})
            source["read"] += 1
            if status == QUARANTINED:
                places = source["reasons"].setdefault(reason_code, [])
                places.append((file_name, sheet_name, row_number))
    shares = {
        source: (read, quarantined, share)
        for source, read, quarantined, share in rows(
            warehouse,
            "select source, rows_read, rows_quarantined, quarantined_share "
            "from audit.quarantine_shares",
        )
    }
    expected_reasons = []
    for name, source in sources.items():
        quarantined = sum(len(places) for places in source["reasons"].values())
        share = round(Decimal(quarantined) / Decimal(source["read"]), 4)
        assert shares[name] == (source["read"], quarantined, share), name
        ranked = sorted(source["reasons"].items(), key=lambda item: (-len(item[1]), item[0]))
        for rank, (reason_code, places) in enumerate(ranked, start=1):
            expected_reasons.append((name, reason_code, rank, len(places), *min(places)))
    found = rows(
        warehouse,
        "select source, reason_code, reason_rank, rows_quarantined, example_file_name, "
        "example_sheet_name, example_row_number from audit.quarantine_reasons",
    )
    assert sorted(found) == sorted(expected_reasons)


def test_report_figures_every_key_computed_from_the_clean_rows(warehouse):
    found = {
        key: (value, display, source_rows)
        for key, value, display, source_rows in rows(
            warehouse, "select figure_key, value, display_zh, source_rows from marts.report_figures"
        )
    }
    expected = {
        key: (None if value is None else Decimal(value), display, source_rows)
        for key, (value, display, source_rows) in EXPECTED_FIGURES.items()
    }
    assert found == expected


def test_report_figures_name_their_source_files(warehouse):
    [(sources,)] = rows(
        warehouse, "select sources from marts.report_figures where figure_key = 'festival.amount'"
    )
    [(sha256,)] = rows(
        warehouse,
        "select file_sha256 from audit.load_log where file_name = 'festival/节日慰问金2023.xlsx'",
    )
    assert sources == sha256


def test_proposal_state_is_the_latest_export_and_carries_missing_ones_forward(warehouse):
    found = rows(
        warehouse,
        "select proposal_id, handling_status, cast(state_export_date as varchar), is_carried_forward "
        "from intermediate.int_proposal_snapshots_collapsed order by proposal_id",
    )
    assert found == [
        ("TA001", "completed", "2023-11-30", False),
        ("TA002", "in_progress", "2023-10-31", True),
        ("TA003", "not_started", "2023-11-30", False),
        ("TA004", "in_progress", "2023-11-30", False),
    ]


def test_proposal_completion_per_lead_department_and_total(warehouse):
    found = rows(
        warehouse,
        "select congress, department_code, submitted, accepted, completed, in_progress, "
        "not_started, completion_rate, median_days_to_reply, satisfied_share, carried_forward "
        "from marts.proposal_completion order by congress, department_code nulls last",
    )
    d = Decimal
    assert found == [
        ("congress", "ALL", 3, 3, 1, 2, 0, d("0.3333"), d("40.0"), d("1.0000"), 1),
        ("congress", "finance", 1, 1, 0, 1, 0, d("0.0000"), None, None, 1),
        ("congress", "human_resources", 1, 1, 1, 0, 0, d("1.0000"), d("40.0"), d("1.0000"), 0),
        ("congress", "logistics", 1, 1, 0, 1, 0, d("0.0000"), None, None, 0),
        ("union", "ALL", 1, 0, 0, 0, 0, None, None, None, 0),
        ("union", None, 1, 0, 0, 0, 0, None, None, None, 0),
    ]


def test_spending_uses_the_roster_department_and_the_budget(warehouse):
    found = rows(
        warehouse,
        "select department_code, people, payments, amount, budget_amount, share_used "
        "from marts.spending_by_category where category = 'new_year' order by department_code",
    )
    d = Decimal
    assert found == [
        ("chemistry", 1, 1, d("500.00"), d("10000.00"), d("0.05")),
        ("education", 1, 1, d("800.00"), d("10000.00"), d("0.08")),
        ("marxism", 1, 1, d("500.00"), d("10000.00"), d("0.05")),
    ]
    # paid in December 2022, charged to 2023: it counts in its own month
    assert rows(
        warehouse,
        "select cast(month_start as varchar), amount from marts.spending_by_category "
        "where category = 'hardship_special'",
    ) == [("2022-12-01", d("20000.00"))]
    # festival cells count in the festival's month (festivals seed): 春节 in January
    assert rows(
        warehouse,
        "select sum(amount) from marts.spending_by_category "
        "where category = 'festival' and month = 1",
    ) == [(d("3700.00"),)]
    # purchases are the university's, not a department's
    assert rows(
        warehouse,
        "select count(*), sum(amount) from marts.spending_by_category "
        "where category = 'alleviation' and department_code is null and people is null",
    ) == [(3, d("8000.00"))]


def test_participation_rate_against_the_departments_members(warehouse):
    found = rows(
        warehouse,
        "select activity_category, members, participants, participation_rate, participations "
        "from marts.participation where department_code = 'marxism' order by activity_category",
    )
    d = Decimal
    # marxism has GH0001 and GH0010; GH0010 wrote 文学院 on the volleyball row: the roster wins
    assert found == [
        ("badminton", 2, 1, d("0.5000"), 1),
        ("group_purchase", 2, 1, d("0.5000"), 1),
        ("volleyball", 2, 1, d("0.5000"), 1),
    ]
    assert rows(
        warehouse,
        "select participation_rate from marts.participation "
        "where department_code = 'chemistry' and activity_category = 'badminton'",
    ) == [(d("0.0000"),)]


def test_warnings_from_the_rules_and_the_landing(warehouse):
    found = rows(
        warehouse,
        "select warning_origin, file_name, row_number, warning_code from audit.warnings "
        "order by 1, 2, 3, 4",
    )
    assert found == [
        ("landing", "welfare/2023上半年.xlsx", 23, "total_row_mismatch"),
        ("rules", "activities/文体活动.xlsx", 12, "department_differs_from_roster"),
        ("rules", "festival/节日慰问金2023.xlsx", 4, "festival_row_total_mismatch"),
        ("rules", "proposals/提案_20231031.xlsx", 5, "proposal_state_carried_forward"),
        ("rules", "welfare/2023上半年.xlsx", 11, "fiscal_year_blank"),
        ("rules", "welfare/2023上半年.xlsx", 19, "department_differs_from_roster"),
    ]


def test_personal_data_stays_in_staging(warehouse):
    found = rows(
        warehouse,
        "select table_schema, table_name from information_schema.columns "
        "where column_name in ('id_card_number', 'mobile_number') order by 1, 2",
    )
    assert found == [
        ("raw", "members"),
        ("raw", "members"),
        ("staging", "stg_members__members"),
        ("staging", "stg_members__members"),
    ]


def test_an_empty_year_still_has_every_figure(empty_warehouse):
    found = rows(
        empty_warehouse,
        "select figure_key, value, source_rows from marts.report_figures order by figure_key",
    )
    over_target = "alleviation.changning.over_target"
    assert found == sorted(
        (key, None if key == over_target else Decimal("0.00"), 0) for key in EXPECTED_FIGURES
    )
    assert rows(empty_warehouse, "select count(*) from audit.quarantine") == [(0,)]
