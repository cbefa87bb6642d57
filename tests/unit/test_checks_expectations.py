"""The Great Expectations suites come from the contract, and catch what the contract forbids."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines.checks.expectations import SuiteResult, suite_for, validate_year
from pipelines.contract import Contract, load_contract
from tests.data_docs import validation_page

CONTRACT = load_contract()
YEAR = 2024


def kinds(table: str) -> dict[tuple[str, str | None], dict]:
    return {(e.kind, e.column): e.kwargs for e in suite_for(CONTRACT.table(table), YEAR)}


def test_every_contract_column_gets_its_type_and_existence():
    for table in CONTRACT.tables:
        suite = kinds(table.table)
        for column in table.columns:
            if column.pii:
                continue
            assert ("ExpectColumnToExist", column.name) in suite
            assert ("ExpectColumnValuesToBeOfType", column.name) in suite


def test_types_follow_the_contract_types():
    suite = kinds("welfare_payments")
    type_of = {c: k["type_"] for (kind, c), k in suite.items() if kind.endswith("ToBeOfType")}
    assert type_of["amount"] == "float64"  # DECIMAL is the only type read as float64
    assert type_of["paid_on"] == "datetime64"  # DATE is the only type read as datetime64
    assert type_of["fiscal_year"] == "int64"
    assert type_of["staff_id"] == "str"
    co_departments = kinds("proposals")[("ExpectColumnValuesToBeOfType", "co_department_names")]
    assert co_departments["type_"] == "list"
    assert co_departments["notes"].startswith("DuckDB VARCHAR[], read as list")
    assert kinds("members")[("ExpectColumnValuesToBeOfType", "is_veteran")]["type_"] == "bool"


def test_personal_data_is_never_in_a_suite():
    columns = {e.column for e in suite_for(CONTRACT.table("members"), YEAR)}
    assert "id_card_number" not in columns and "mobile_number" not in columns


def test_ranges_amounts_months_years_and_date_windows():
    welfare = kinds("welfare_payments")
    assert welfare[("ExpectColumnValuesToBeBetween", "amount")] == {
        "column": "amount",
        "min_value": 0,
    }
    assert welfare[("ExpectColumnValuesToBeBetween", "fiscal_year")] == {
        "column": "fiscal_year",
        "min_value": YEAR,
        "max_value": YEAR,
    }
    assert welfare[("ExpectColumnValuesToBeBetween", "paid_on")] == {
        "column": "paid_on",
        "min_value": dt.datetime(2023, 10, 1),
        "max_value": dt.datetime(2025, 3, 31),
    }
    assert kinds("birthday_vouchers")[("ExpectColumnValuesToBeBetween", "birth_month")] == {
        "column": "birth_month",
        "min_value": 1,
        "max_value": 12,
    }
    assert kinds("meetings")[("ExpectColumnValuesToBeBetween", "meeting_date")]["max_value"] == (
        dt.datetime(2024, 12, 31)
    )
    # every amount column, festival cells and 合计 included, is ≥ 0
    festival = kinds("festival_payments")
    for column in CONTRACT.table("festival_payments").columns:
        if column.type == "amount":
            assert festival[("ExpectColumnValuesToBeBetween", column.name)]["min_value"] == 0


def test_enum_values_and_required_values():
    welfare = kinds("welfare_payments")
    categories = welfare[("ExpectColumnValuesToBeInSet", "welfare_category")]["value_set"]
    assert "veterans" in categories and "new_year" in categories and len(categories) == 13
    assert ("ExpectColumnValuesToNotBeNull", "amount") in welfare
    assert ("ExpectColumnValuesToNotBeNull", "staff_id") not in welfare  # family members
    purchases = kinds("alleviation_purchases")
    assert purchases[("ExpectColumnValuesToBeInSet", "purchased_on_precision")]["value_set"] == [
        "day",
        "month",
    ]


def test_natural_keys_are_unique_snapshots_within_an_export():
    assert ("ExpectColumnValuesToBeUnique", "staff_id") in kinds("members")
    compound = [
        e.kwargs["column_list"]
        for e in suite_for(CONTRACT.table("proposals"), YEAR)
        if e.kind == "ExpectCompoundColumnsToBeUnique"
    ]
    assert ["proposal_id", "export_date"] in compound
    assert ["file_name", "sheet_name", "row_number"] in compound
    activity = [
        e.kwargs["column_list"]
        for e in suite_for(CONTRACT.table("activity_participations"), YEAR)
        if e.kind == "ExpectCompoundColumnsToBeUnique"
    ]
    assert ["activity_name", "activity_date", "staff_id"] in activity
    # no key: no uniqueness beyond the row's place
    assert not any(
        e.kind == "ExpectColumnValuesToBeUnique"
        for e in suite_for(CONTRACT.table("welfare_payments"), YEAR)
    )


WELFARE_DDL = """
create schema intermediate;
create table intermediate.int_welfare_payments_classified (
    paid_on date, staff_id varchar, recipient_name varchar, department_name varchar,
    welfare_category varchar, amount decimal(18, 2), payment_form varchar, fiscal_year integer,
    remark varchar, file_name varchar, sheet_name varchar, row_number integer, row_status varchar
);
create table intermediate.int_birthday_vouchers_classified (
    staff_id varchar, member_name varchar, department_name varchar, birth_month integer,
    amount double, received_on date, received_on_precision varchar,
    file_name varchar, sheet_name varchar, row_number integer, row_status varchar
);
"""


@pytest.fixture(scope="module")
def validated(tmp_path_factory) -> tuple[dict[str, SuiteResult], object]:
    base = tmp_path_factory.mktemp("gx")
    build = base / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute(WELFARE_DDL)
        con.execute(
            """
            insert into intermediate.int_welfare_payments_classified values
            ('2024-01-10', 'GH0001', '张一', '文学院', 'veterans', 300, 'cash', 2024, null, 'w.xlsx', 's', 2, 'clean'),
            ('2024-01-10', 'GH0002', '李二', '马院', 'veterans', -300, 'cash', 2024, null, 'w.xlsx', 's', 3, 'clean'),
            ('2025-06-01', 'GH0003', '王三', '美术学院', 'banquet', 300, null, 2023, null, 'w.xlsx', 's', 4, 'clean'),
            ('2024-01-10', 'GH0004', '赵四', '体育学院', 'veterans', -1, null, 2024, null, 'w.xlsx', 's', 5, 'quarantined')
            """
        )
        con.execute(
            """
            insert into intermediate.int_birthday_vouchers_classified values
            ('GH0001', '张一', null, 3, 100, null, null, 'b.xlsx', 's', 2, 'clean'),
            ('GH0001', '张一', null, 13, 100, null, null, 'b.xlsx', 's', 3, 'clean')
            """
        )
    contract = Contract(
        tables=(CONTRACT.table("welfare_payments"), CONTRACT.table("birthday_vouchers"))
    )
    docs = base / "docs"
    results = validate_year(build, YEAR, docs, contract)
    return {r.table: r for r in results}, docs


def failed(result: SuiteResult) -> dict[tuple[str, str | None], int | None]:
    return {(f.expectation, f.column): f.unexpected for f in result.failures}


def test_clean_rows_breaking_the_contract_fail_the_suite(validated):
    results, _ = validated
    welfare = results["welfare_payments"]
    assert not welfare.success and welfare.rows == 3  # the quarantined row is not validated
    got = failed(welfare)
    assert got[("expect_column_values_to_be_between", "amount")] == 1
    assert got[("expect_column_values_to_be_in_set", "welfare_category")] == 1
    assert got[("expect_column_values_to_be_between", "fiscal_year")] == 1
    assert got[("expect_column_values_to_be_between", "paid_on")] == 1
    assert not any(kind == "expect_column_values_to_be_of_type" for kind, _ in got)


def test_a_drifted_type_and_a_duplicate_key_are_caught(validated):
    results, _ = validated
    got = failed(results["birthday_vouchers"])
    assert got[("expect_column_values_to_be_of_type", "amount")] == 2  # DOUBLE, not DECIMAL
    assert got[("expect_column_values_to_be_between", "birth_month")] == 1
    assert ("expect_column_values_to_be_unique", "staff_id") in got
    assert results["birthday_vouchers"].rows_affected >= 3


def test_data_docs_are_written(validated):
    _, docs = validated
    index = docs / "index.html"
    assert index.is_file()
    pages = {p.parts[-4]: validation_page(p) for p in (docs / "validations").rglob("*.html")}
    # the failures the two tests above name: 4 in welfare, 3 in birthday (type, month, key)
    failures = {"welfare_payments": 4, "birthday_vouchers": 3}
    declared = {table: len(suite_for(CONTRACT.table(table), YEAR)) for table in failures}
    assert pages == {t: ("Failed", n, n - failures[t], failures[t]) for t, n in declared.items()}


DRIFT_DDL = """
create schema intermediate;
-- drifted: a date read as text, an amount as DOUBLE, a year as DOUBLE, an identifier as INTEGER
create table intermediate.int_welfare_payments_classified (
    paid_on varchar, staff_id integer, recipient_name varchar, department_name varchar,
    welfare_category varchar, amount double, payment_form varchar, fiscal_year double,
    remark varchar, file_name varchar, sheet_name varchar, row_number integer, row_status varchar
);
-- drifted: a date that became a TIMESTAMP; documents_reviewed is right (BIGINT, with a NULL)
create table intermediate.int_meetings_classified (
    meeting_date timestamp, meeting_type varchar, meeting_name varchar, documents_reviewed bigint,
    file_name varchar, sheet_name varchar, row_number integer, row_status varchar
);
-- as declared, with NULLs in a flag, in dates and in a list: every type check passes
create table intermediate.int_proposals_classified (
    proposal_id varchar, congress varchar, congress_session varchar, title varchar,
    proposer_name varchar, submitted_on date, is_accepted boolean, lead_department_name varchar,
    co_department_names varchar[], replied_on date, handling_status varchar, satisfaction varchar,
    export_date date, file_name varchar, sheet_name varchar, row_number integer,
    row_status varchar
);
insert into intermediate.int_welfare_payments_classified values
    ('2024-01-10', 1, '张一', '文学院', 'veterans', 300, 'cash', 2024, null, 'w.xlsx', 's', 2, 'clean'),
    ('2024-01-11', 2, '李二', '马院', 'veterans', 200, 'cash', 2024, null, 'w.xlsx', 's', 3, 'clean');
insert into intermediate.int_meetings_classified values
    ('2024-03-01 00:00:00', 'union_committee', '一次', 3, 'm.xlsx', 's', 2, 'clean'),
    ('2024-04-01 00:00:00', 'union_committee', '二次', null, 'm.xlsx', 's', 3, 'clean');
insert into intermediate.int_proposals_classified values
    ('P1', 'congress', '七届', '食堂', null, '2024-03-01', true, '后勤处', ['教务处'], null,
     'completed', null, '2024-05-01', 'p.xlsx', 's', 2, 'clean'),
    ('P2', 'union', null, '停车', null, null, null, null, null, '2024-04-02',
     'in_progress', 'satisfied', '2024-05-01', 'p.xlsx', 's', 3, 'clean');
"""


@pytest.fixture(scope="module")
def drifted(tmp_path_factory) -> dict[str, SuiteResult]:
    build = tmp_path_factory.mktemp("gx-drift") / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute(DRIFT_DDL)
    tables = ("welfare_payments", "meetings", "proposals")
    contract = Contract(tables=tuple(CONTRACT.table(t) for t in tables))
    return {r.table: r for r in validate_year(build, YEAR, None, contract)}


def type_failures(result: SuiteResult) -> dict[str, tuple[int | None, list]]:
    return {
        f.column: (f.unexpected, f.examples)
        for f in result.failures
        if f.expectation == "expect_column_values_to_be_of_type"
    }


def test_a_column_whose_declared_type_drifted_fails_its_type_check(drifted):
    welfare = type_failures(drifted["welfare_payments"])
    assert set(welfare) == {"paid_on", "amount", "fiscal_year", "staff_id"}
    assert welfare["amount"] == (2, ["double[pyarrow]"])  # DOUBLE, not DECIMAL(18,2)
    assert welfare["paid_on"] == (2, ["string[pyarrow]"])  # VARCHAR, not DATE
    assert welfare["staff_id"][0] == 2 and welfare["fiscal_year"][0] == 2
    assert type_failures(drifted["meetings"]) == {"meeting_date": (2, ["timestamp[us][pyarrow]"])}


def test_declared_types_pass_with_nulls_in_flags_dates_lists_and_integers(drifted):
    proposals = drifted["proposals"]
    assert failed(proposals) == {("expect_column_values_to_not_be_null", "is_accepted"): 1}
    assert drifted["meetings"].rows == 2
    assert not any(f.column == "documents_reviewed" for f in drifted["meetings"].failures)
