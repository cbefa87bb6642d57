"""Reading the published warehouse defensively: whatever shape the marts settle on."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from pipelines.report import data
from pipelines.report.data import SourceFile, parse_sources
from pipelines.report.sql import QueryRefused, check_read_only

SHA_A = "a" * 8 + "0123456789abcdef" * 3 + "01234567"
SHA_B = "b" * 64


@pytest.mark.parametrize(
    "raw",
    [
        [{"file_name": "welfare/2023-06.xlsx", "file_sha256": SHA_A}],
        [f"welfare/2023-06.xlsx@{SHA_A}"],
        f"welfare/2023-06.xlsx ({SHA_A})",
        f'[{{"file_name": "welfare/2023-06.xlsx", "sha256": "{SHA_A}"}}]',
        [SHA_A],  # hash only: the name comes from audit.load_log
    ],
)
def test_sources_in_any_shape(raw):
    names = {SHA_A: "welfare/2023-06.xlsx"}
    assert parse_sources(raw, names) == [SourceFile("welfare/2023-06.xlsx", SHA_A)]


def test_several_sources_and_none():
    assert parse_sources(None) == []
    both = parse_sources(f"a.xlsx@{SHA_A}; b.csv@{SHA_B}")
    assert [s.name for s in both] == ["a.xlsx", "b.csv"]
    assert both[1].sha_prefix == "b" * 12
    assert parse_sources(["a.xlsx"]) == [SourceFile("a.xlsx", None)]


@pytest.fixture
def con(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as c:
        c.execute("create schema marts; create schema audit")
    return path


def test_missing_optional_tables_give_none(con):
    with data.connect_read_only(con) as c:
        assert data.spending_by_category(c, 2023) is None
        assert data.spending_by_month(c, 2023) is None
        assert data.proposal_completion(c, 2023) is None
        assert data.participation(c, 2023) is None
        assert data.load_log(c, 2023) is None
        assert data.checks_from_warehouse(c, 2023) is None
        assert data.load_figures(c, 2023) == []


def test_proposal_completion_from_a_proposal_level_mart(con):
    with duckdb.connect(str(con)) as c:
        c.execute(
            """
            create table marts.proposal_completion as select * from (values
                (2023, 'P1', true, 'completed', 'library', '图书馆'),
                (2023, 'P2', true, 'in_progress', 'library', '图书馆'),
                (2023, 'P3', false, 'not_started', 'library', '图书馆'),
                (2023, 'P4', true, 'completed', 'law', '法学院'),
                (2022, 'P5', true, 'in_progress', 'law', '法学院'))
                as t(year, proposal_id, is_accepted, handling_status, lead_department_code,
                     lead_department_name)
            """
        )
    with data.connect_read_only(con) as c:
        rows = data.proposal_completion(c, 2023)
    assert [(r["department"], r["total"], r["completed"], r["rate"]) for r in rows] == [
        ("法学院", 1, 1, Decimal(1)),
        ("图书馆", 2, 1, Decimal("0.5")),
    ]


def test_proposal_completion_leaves_out_congress_totals(con):
    """The mart's shape: per congress and lead department, a total row with code 'ALL'."""
    with duckdb.connect(str(con)) as c:
        c.execute(
            """
            create table marts.proposal_completion as select * from (values
                (2023, 'congress', 'library', '图书馆', 4, 3, 1),
                (2023, 'union', 'library', '图书馆', 1, 1, 1),
                (2023, 'congress', 'ALL', '全部承办部门', 4, 3, 1),
                (2023, 'union', 'ALL', '全部承办部门', 1, 1, 1),
                (2023, 'congress', null, '未指定承办部门', 2, 0, 0))
                as t(year, congress, department_code, department_name, submitted, accepted,
                     completed)
            """
        )
    with data.connect_read_only(con) as c:
        rows = data.proposal_completion(c, 2023)
    assert [(r["department"], r["total"], r["completed"]) for r in rows] == [("图书馆", 4, 2)]


def test_participation_split_by_category_counts_nobody_twice(con):
    with duckdb.connect(str(con)) as c:
        c.execute(
            """
            create table marts.participation as select * from (values
                (2023, 'library', '图书馆', 'badminton', 50, 20),
                (2023, 'library', '图书馆', 'fishing', 50, 10))
                as t(year, department_code, department_name, activity_category, members, participants)
            """
        )
    with data.connect_read_only(con) as c:
        (row,) = data.participation(c, 2023)
    assert row["participants"] == 20 and row["members"] == 50
    assert row["lower_bound"]


def test_months_of_the_year_before_are_told_apart(con):
    with duckdb.connect(str(con)) as c:
        c.execute(
            """
            create table marts.spending_by_category as select * from (values
                (2023, 12, date '2022-12-01', 'hardship_special', 100.00),
                (2023, 12, date '2023-12-01', 'hardship_special', 50.00),
                (2023, 1, date '2023-01-01', 'birthday', 10.00))
                as t(year, month, month_start, category, amount)
            """
        )
    with data.connect_read_only(con) as c:
        rows = data.spending_by_month(c, 2023)
    assert [(r["label"], r["amount"]) for r in rows] == [
        ("2022年12月", Decimal(100)),
        ("1月", Decimal(10)),
        ("12月", Decimal(50)),
    ]


def test_budget_repeated_on_every_row_is_counted_once(con):
    with duckdb.connect(str(con)) as c:
        c.execute(
            """
            create table marts.spending_by_category as select * from (values
                (2023, 1, 'birthday', 'library', 100.00, 1000.00),
                (2023, 2, 'birthday', 'law', 300.00, 1000.00))
                as t(year, month, category, department_code, amount, budget_amount)
            """
        )
    with data.connect_read_only(con) as c:
        (row,) = data.spending_by_category(c, 2023)
    assert row["budget"] == Decimal(1000) and row["share_used"] == Decimal("0.4")
    assert row["label"] == "生日蛋糕"  # from the dbt seed


def test_checks_table_is_found_and_read(con):
    with duckdb.connect(str(con)) as c:
        c.execute(
            """
            create table audit.reconciliation_checks as select * from (values
                (2023, 'veterans_standard', 'welfare.veterans.amount', true),
                (2023, 'festival_cells', 'festival.amount', false))
                as t(year, check_name, figure_key, passed)
            """
        )
    with data.connect_read_only(con) as c:
        checks = data.checks_from_warehouse(c, 2023)
    assert [(x.name, x.passed) for x in checks] == [
        ("festival_cells", False),
        ("veterans_standard", True),
    ]
    assert [x.name for x in data.checks_for_figure(checks, "welfare.veterans.amount")] == [
        "veterans_standard"
    ]


def test_checks_from_dbt_run_results(tmp_path):
    (tmp_path / "run_results.json").write_text(
        '{"results": ['
        '{"unique_id": "test.union_warehouse.not_null_report_figures_value.1a", "status": "pass"},'
        '{"unique_id": "model.union_warehouse.report_figures", "status": "success"},'
        '{"unique_id": "test.union_warehouse.unique_x.2b", "status": "fail"}]}',
        encoding="utf-8",
    )
    checks = data.checks_from_dbt(tmp_path)
    assert [(c.name, c.passed, c.origin) for c in checks] == [
        ("not_null_report_figures_value", True, "dbt"),
        ("unique_x", False, "dbt"),
    ]
    assert data.checks_from_dbt(tmp_path / "absent") == []


def test_warehouse_is_opened_read_only(con):
    with data.connect_read_only(con) as c, pytest.raises(duckdb.Error):
        c.execute("create table marts.x (a int)")


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "  -- a comment\n SELECT * FROM marts.report_figures",
        "with a as (select 1) select * from a",
        "describe marts.report_figures",
        "show tables",
        "pragma table_info('marts.report_figures')",
        "explain select 1",
        "from marts.report_figures",
    ],
)
def test_read_only_statements_are_allowed(sql):
    check_read_only(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "delete from marts.report_figures",
        "insert into t values (1)",
        "drop table marts.report_figures",
        "copy (select 1) to '/tmp/x.csv'",
        "attach 'x.duckdb' as x",
        "install httpfs",
        "select 1; drop table marts.report_figures",
        "/* select */ update t set a = 1",
        "",
        "set threads = 1",
        "call pragma_version()",
    ],
)
def test_anything_else_is_refused(sql):
    with pytest.raises(QueryRefused) as refused:
        check_read_only(sql)
    assert refused.value.message_zh and refused.value.message_en


def test_dbt_tests_are_counted_per_table_failures_first(tmp_path):
    """warn is its own outcome, error counts as failed, a skipped test did not run; a singular
    test (attached to no model) counts on the first model it reads."""
    import json

    results = [
        ("test.p.not_null_members_staff_id.1", "members", "pass"),
        ("test.p.unique_members_staff_id.2", "members", "warn"),
        ("test.p.not_null_quarantine_year.3", "quarantine", "pass"),
        ("test.p.accepted_values_quarantine_x.4", "quarantine", "error"),
        ("test.p.unique_quarantine_y.5", "quarantine", "skipped"),
        ("test.p.assert_load_log_conserves_rows", None, "fail"),
    ]
    (tmp_path / "run_results.json").write_text(
        json.dumps(
            {
                "results": [
                    {
                        "unique_id": uid,
                        "status": status,
                        "attached_node": f"model.p.{model}" if model else None,
                    }
                    for uid, model, status in results
                ]
            }
        ),
        encoding="utf-8",
    )
    singular = {"depends_on": {"nodes": ["seed.p.reasons", "model.p.load_log"]}}
    (tmp_path / "manifest.json").write_text(
        json.dumps({"nodes": {"test.p.assert_load_log_conserves_rows": singular}}),
        encoding="utf-8",
    )
    checks = data.checks_from_dbt(tmp_path)
    assert [(t.table, t.ran, t.passed, t.warned, t.failed) for t in data.tally_checks(checks)] == [
        ("load_log", 1, 0, 0, 1),
        ("quarantine", 2, 1, 0, 1),
        ("members", 2, 1, 1, 0),
    ]
    assert [(c.name, c.outcome) for c in data.failed_first(checks)] == [
        ("accepted_values_quarantine_x", "fail"),
        ("assert_load_log_conserves_rows", "fail"),
        ("unique_members_staff_id", "warn"),
    ]
