"""The federation warehouse's configuration: what a user can get wrong is said in words."""

from __future__ import annotations

import pytest

from pipelines.db.postgres import _convert, database_dsn, dsn_parts
from pipelines.errors import UnionWarehouseError
from pipelines.resources import (
    PostgresWarehouse,
    Warehouse,
    check_university,
    marts_folder_from_environment,
    warehouse_from_environment,
)

DSN = "postgresql://office:s%40cret@db.example:6543/federation?sslmode=require"


def test_the_default_target_is_the_embedded_file(monkeypatch, tmp_path):
    monkeypatch.delenv("UNIONWH_TARGET", raising=False)
    monkeypatch.setenv("UNIONWH_WAREHOUSE", str(tmp_path / "union.duckdb"))
    monkeypatch.setenv("UNIONWH_MARTS_DIR", str(tmp_path / "marts"))
    bound = warehouse_from_environment()
    assert type(bound) is Warehouse
    assert bound.dbt_target == "build"
    assert bound.build_path(2023) == tmp_path / "private" / "2023.duckdb"
    assert marts_folder_from_environment().year_dir(2023) == tmp_path / "marts" / "2023"


def test_postgres_builds_one_database_per_university_and_year(monkeypatch, tmp_path):
    monkeypatch.setenv("UNIONWH_TARGET", "postgres")
    monkeypatch.setenv("UNIONWH_PG_DSN", DSN)
    monkeypatch.setenv("UNIONWH_UNIVERSITY", "xinan")
    monkeypatch.setenv("UNIONWH_WAREHOUSE", str(tmp_path / "union.duckdb"))
    monkeypatch.setenv("UNIONWH_MARTS_DIR", str(tmp_path / "marts"))
    bound = warehouse_from_environment()
    assert isinstance(bound, PostgresWarehouse)
    assert bound.build_database(2023) == "unionwh_xinan_2023"
    assert bound.build_path(2023) == (
        "postgresql://office:s%40cret@db.example:6543/unionwh_xinan_2023?sslmode=require"
        "&options=-c%20role%3Dunionwh_office_xinan"
    )
    assert bound.dbt_env(2023) == {
        "UNIONWH_PG_HOST": "db.example",
        "UNIONWH_PG_PORT": "6543",
        "UNIONWH_PG_USER": "office",
        "UNIONWH_PG_PASSWORD": "s@cret",
        "UNIONWH_PG_DBNAME": "unionwh_xinan_2023",
        "UNIONWH_PG_ROLE": "unionwh_office_xinan",
    }
    assert "cret" not in bound.dsn_without_password
    assert marts_folder_from_environment().year_dir(2023) == tmp_path / "marts" / "xinan" / "2023"
    assert bound.dbt_target_dir(2023) != Warehouse(path=bound.path).dbt_target_dir(2023)


@pytest.mark.parametrize("code", ["", "Xinan", "1st", "a-b", "a b", "x" * 41, "a;drop"])
def test_a_university_code_names_databases_so_it_is_checked(code):
    with pytest.raises(UnionWarehouseError) as error:
        check_university(code)
    assert "学校代码" in error.value.message_zh


@pytest.mark.parametrize("dsn", [None, "", "host=db dbname=federation", "mysql://db/x"])
def test_postgres_needs_a_postgresql_url(monkeypatch, dsn):
    monkeypatch.setenv("UNIONWH_TARGET", "postgres")
    if dsn is None:
        monkeypatch.delenv("UNIONWH_PG_DSN", raising=False)
    else:
        monkeypatch.setenv("UNIONWH_PG_DSN", dsn)
    with pytest.raises(UnionWarehouseError) as error:
        warehouse_from_environment()
    assert "--pg-dsn" in error.value.message_en


def test_an_unknown_target_is_refused(monkeypatch):
    monkeypatch.setenv("UNIONWH_TARGET", "oracle")
    with pytest.raises(UnionWarehouseError):
        warehouse_from_environment()


def test_placeholders_become_psycopgs_and_percent_signs_stay_literal():
    assert _convert("select ? where a like '5%' and b = ?") == (
        "select %s where a like '5%%' and b = %s"
    )


def test_another_database_keeps_the_rest_of_the_url():
    assert (
        database_dsn(DSN, "x") == "postgresql://office:s%40cret@db.example:6543/x?sslmode=require"
    )
    assert dsn_parts(database_dsn(DSN, "x"))["dbname"] == "x"
