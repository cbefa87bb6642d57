"""The federation database as an attacker sees it: each office's rows are its own.

A real PostgreSQL server (tests/conftest.py `postgres_server`), set up by `unionwh federation
setup` for two universities, xinan and beibei. Each office's login user builds a small year in its
own build database (created by the run's own `ensure_database`) and publishes it with the real
publication code (`publish_federation`); beibei first, then xinan with a wider quarantine table, as
a newer model would have it. Then each attack is its own test, made as a login user of an office,
of the analysts, or of nobody, and each asserts that nothing changed: the row count and a checksum
of every federation table, the relations and functions of the database and the server's databases.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import psycopg
import pytest
from psycopg import sql

from pipelines.db.postgres import database_dsn, ensure_database
from pipelines.errors import UnionWarehouseError
from pipelines.publish.federation import publish_federation
from tests.conftest import PROJECT_ROOT, create_database, run_cli

pytestmark = pytest.mark.e2e

DATABASE = "federation_access"
YEARS = {"beibei": 2030, "xinan": 2030}
INJECTION = "x'; drop table marts.report_figures;--"
USERS = {
    "xinan": ("fa_xinan_clerk", "createdb", "unionwh_office_xinan"),
    "beibei": ("fa_beibei_clerk", "createdb", "unionwh_office_beibei"),
    "analyst": ("fa_analyst", "", "unionwh_analyst"),
    "nobody": ("fa_nobody", "", None),
}
WIDE = {"COLUMNS": "300"}  # rich wraps at 80 columns without a terminal: keep messages whole
FIGURE_COLUMNS = (
    "year integer, figure_key varchar, section varchar, label_zh varchar, value decimal(18, 2), "
    "unit varchar, display_zh varchar, source_rows integer, sources varchar"
)


def dsn(server, role: str, database: str = DATABASE) -> str:
    return f"postgresql://{USERS[role][0]}@127.0.0.1:{server.port}/{database}"


def build_name(university: str, year: int) -> str:
    return f"unionwh_{university}_{year}"


def _create_login(admin: psycopg.Connection, user: str, attributes: str, group: str | None):
    if not admin.execute("select 1 from pg_roles where rolname = %s", [user]).fetchall():
        admin.execute(sql.SQL("create role {} login " + attributes).format(sql.Identifier(user)))
    if group:
        admin.execute(sql.SQL("grant {} to {}").format(sql.Identifier(group), sql.Identifier(user)))


def _build_year(server, university: str, year: int, widened: bool, seed: int) -> str:
    """A small build database of the university's year, made by its office's user: the run's own
    ensure_database, then the two published tables a build has (report_figures, quarantine)."""
    name = build_name(university, year)
    ensure_database(dsn(server, university), name, owner=f"unionwh_office_{university}")
    build = dsn(server, university, name)
    with psycopg.connect(build) as con:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists audit")
        con.execute("drop table if exists marts.report_figures, audit.quarantine")
        con.execute(f"create table marts.report_figures ({FIGURE_COLUMNS})")
        extra = ", reviewer_note varchar" if widened else ""
        con.execute(
            f"create table audit.quarantine (source_file varchar, row_number integer, "
            f"reason_code varchar{extra})"
        )
        for index in range(3):
            con.execute(
                "insert into marts.report_figures values (%s, %s, '福利', '金额', %s, '元', "
                "%s, 1, 'welfare')",
                [year, f"figure.{index}", Decimal(seed * 100 + index), f"{seed}{index} 元"],
            )
        con.execute(
            "insert into audit.quarantine (source_file, row_number, reason_code) "
            "values (%s, 7, 'wrong fiscal year')",
            [f"{university}.xlsx"],
        )
    return build


@pytest.fixture(scope="module")
def server(postgres_server):
    return postgres_server


@pytest.fixture(scope="module")
def federation(server) -> str:
    """The federation database, set up by the CLI, with both offices' years published."""
    admin = create_database(server, DATABASE)
    done = run_cli(
        "federation", "setup", "--pg-dsn", admin, "--university", "xinan",
        "--university", "beibei", "--no-views",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    with psycopg.connect(server.dsn, autocommit=True) as con:
        for user, attributes, group in USERS.values():
            _create_login(con, user, attributes, group)
    beibei = _build_year(server, "beibei", YEARS["beibei"], widened=False, seed=2)
    publish_federation(beibei, dsn(server, "beibei"), "beibei", YEARS["beibei"])
    # xinan's newer model added a column to quarantine after beibei's publication created it
    xinan = _build_year(server, "xinan", YEARS["xinan"], widened=True, seed=1)
    publish_federation(xinan, dsn(server, "xinan"), "xinan", YEARS["xinan"])
    return admin


def state(admin: str) -> dict:
    """Every federation table's row count and checksum, the database's relations and functions,
    the server's databases: what an attack must leave as it found it (read as the superuser)."""
    with psycopg.connect(admin) as con:
        relations = con.execute(
            "select n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner), "
            "c.relrowsecurity, c.relforcerowsecurity from pg_class as c "
            "inner join pg_namespace as n on n.oid = c.relnamespace "
            "where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') "
            "and n.nspname not like 'pg_temp%%' and n.nspname not like 'pg_toast_temp%%' "
            "order by 1, 2"
        ).fetchall()
        tables = {}
        for schema, name, kind, *_ in relations:
            if kind != "r":
                continue
            tables[f"{schema}.{name}"] = con.execute(
                sql.SQL(
                    "select count(*), md5(coalesce(string_agg(t::text, E'\\n' order by t::text), "
                    "'')) from {}.{} as t"
                ).format(sql.Identifier(schema), sql.Identifier(name))
            ).fetchall()[0]
        functions = con.execute(
            "select n.nspname || '.' || p.proname, pg_get_userbyid(p.proowner) from pg_proc as p "
            "inner join pg_namespace as n on n.oid = p.pronamespace "
            "where n.nspname not in ('pg_catalog', 'information_schema') order by 1"
        ).fetchall()
        policies = con.execute(
            "select schemaname, tablename, policyname, qual, with_check from pg_policies "
            "order by 1, 2, 3"
        ).fetchall()
        databases = con.execute("select datname, datacl from pg_database order by 1").fetchall()
    return {
        "tables": tables,
        "relations": relations,
        "functions": functions,
        "policies": policies,
        "databases": databases,
    }


@pytest.fixture
def unchanged(federation):
    """Asserts, after the test, that the federation is as it was before it."""
    before = state(federation)
    assert before["tables"]["marts.report_figures"][0] == 6  # both offices' rows are there
    yield before
    assert state(federation) == before


def as_user(server, role: str, statement: str, params: list | None = None) -> int:
    """Run one statement as a login user and commit; the number of rows it touched."""
    with psycopg.connect(dsn(server, role)) as con:
        return con.execute(statement, params).rowcount


# --- the ordinary path -------------------------------------------------------------------------


def test_each_office_published_its_own_rows(federation):
    with psycopg.connect(federation) as con:
        found = con.execute(
            "select university, year, count(*), sum(value) from marts.report_figures "
            "group by 1, 2 order by 1"
        ).fetchall()
    assert found == [("beibei", 2030, 3, Decimal(603)), ("xinan", 2030, 3, Decimal(303))]


def test_a_table_a_newer_model_widened_still_takes_every_office(server, federation):
    """beibei's publication created audit.quarantine; xinan's build had one more column. The
    table is the owner role's, not beibei's user's, so the column was added; beibei publishes
    again into the wider table."""
    beibei = database_dsn(dsn(server, "beibei"), build_name("beibei", YEARS["beibei"]))
    publish_federation(beibei, dsn(server, "beibei"), "beibei", YEARS["beibei"])
    with psycopg.connect(federation) as con:
        owner, secured, forced = con.execute(
            "select pg_get_userbyid(relowner), relrowsecurity, relforcerowsecurity "
            "from pg_class where oid = 'audit.quarantine'::regclass"
        ).fetchall()[0]
        rows = con.execute(
            "select university, reviewer_note from audit.quarantine order by 1"
        ).fetchall()
    assert (owner, secured, forced) == ("unionwh_owner", True, True)
    assert rows == [("beibei", None), ("xinan", None)]


def test_two_offices_publish_at_the_same_time(server, federation):
    """Two processes, one per office, publish a new year at once: both land, the other years
    stay."""
    before = state(federation)["tables"]["marts.report_figures"]
    script = (
        "import sys\n"
        "from pipelines.publish.federation import publish_federation\n"
        "publish_federation(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))\n"
    )
    processes = []
    for university, seed in (("xinan", 5), ("beibei", 6)):
        build = _build_year(server, university, 2031, widened=False, seed=seed)
        processes.append(
            subprocess.Popen(
                [sys.executable, "-c", script, build, dsn(server, university), university, "2031"],
                cwd=PROJECT_ROOT,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for process in processes:
        assert process.wait(timeout=120) == 0, process.stderr.read()
    with psycopg.connect(federation) as con:
        found = con.execute(
            "select university, year, count(*), sum(value) from marts.report_figures "
            "group by 1, 2 order by 1, 2"
        ).fetchall()
        # then back as it was, so the other tests find the fixture's state
        con.execute("delete from marts.report_figures where year = 2031")
        con.execute("delete from audit.quarantine where year = 2031")
    assert before[0] == 6
    assert found == [
        ("beibei", 2030, 3, Decimal(603)),
        ("beibei", 2031, 3, Decimal(1803)),
        ("xinan", 2030, 3, Decimal(303)),
        ("xinan", 2031, 3, Decimal(1503)),
    ]


def test_build_databases_belong_to_their_office_and_not_to_public(server, federation):
    with psycopg.connect(federation) as con:
        found = con.execute(
            "select datname, pg_get_userbyid(datdba), has_database_privilege('public', oid, "
            "'connect') from pg_database where datname = any(%s) order by 1",
            [[build_name(u, y) for u, y in YEARS.items()]],
        ).fetchall()
    assert found == [
        ("unionwh_beibei_2030", "unionwh_office_beibei", False),
        ("unionwh_xinan_2030", "unionwh_office_xinan", False),
    ]


def test_an_analyst_reads_every_university(server, federation):
    with psycopg.connect(dsn(server, "analyst")) as con:
        found = con.execute(
            "select university, count(*) from marts.report_figures group by 1 order by 1"
        ).fetchall()
    assert found == [("beibei", 3), ("xinan", 3)]


# --- an office against another ---------------------------------------------------------------


def test_office_a_running_as_b_is_named_by_the_cli_before_it_tries(server, unchanged, tmp_path):
    result = run_cli(
        "run", "--year", str(YEARS["beibei"]), "--raw-dir", str(tmp_path / "raw"),
        "--warehouse", str(tmp_path / "w" / "union.duckdb"), "--marts-dir", str(tmp_path / "m"),
        "--target", "postgres", "--pg-dsn", dsn(server, "xinan"), "--university", "beibei", env=WIDE,
    )  # fmt: skip
    assert result.returncode == 1
    first = result.stderr.strip().splitlines()[0]
    assert "用户 fa_xinan_clerk 不属于 unionwh_office_beibei" in first, result.stderr
    assert "is not in unionwh_office_beibei" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_office_a_publishing_as_b_is_refused_by_the_database(server, unchanged):
    """Past the CLI's check: the publication itself, as xinan's user, of xinan's build as beibei."""
    xinan = database_dsn(dsn(server, "xinan"), build_name("xinan", YEARS["xinan"]))
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        publish_federation(xinan, dsn(server, "xinan"), "beibei", YEARS["beibei"])


def test_office_a_inserting_rows_of_b_is_refused(server, unchanged):
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        as_user(
            server,
            "xinan",
            "insert into marts.report_figures (university, year, figure_key, value) "
            "values ('beibei', 2030, 'figure.0', 1)",
        )


def test_office_a_deleting_rows_of_b_deletes_nothing(server, unchanged):
    deleted = as_user(
        server, "xinan", "delete from marts.report_figures where university = 'beibei'"
    )
    assert deleted == 0


def test_office_a_updating_rows_of_b_updates_nothing(server, unchanged):
    updated = as_user(
        server, "xinan", "update marts.report_figures set value = 0 where university = 'beibei'"
    )
    assert updated == 0


def test_office_a_moving_its_rows_to_b_is_refused(server, unchanged):
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        as_user(
            server,
            "xinan",
            "update marts.report_figures set university = 'beibei' where university = 'xinan'",
        )


@pytest.mark.parametrize(
    "statement",
    [
        "truncate marts.report_figures",
        "alter table marts.report_figures disable row level security",
        "alter table marts.report_figures no force row level security",
        "drop policy office_writes_own_rows on marts.report_figures",
        "drop table audit.quarantine",
        "insert into unionwh.universities values ('beibei2', 'unionwh_office_xinan')",
        "select unionwh.secure_table('marts', 'report_figures')",
    ],
)
def test_office_a_cannot_take_the_tables_or_their_rules(server, unchanged, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_user(server, "xinan", statement)


def test_the_owner_functions_pin_their_search_path_and_are_not_public(federation):
    """SECURITY DEFINER functions run with the owner's rights: a caller's search_path must not
    choose what their unqualified names mean, and `public` (every role) may not call them."""
    with psycopg.connect(federation, autocommit=True) as con:
        functions = con.execute(
            "select p.proname, p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner), "
            "has_function_privilege('public', p.oid, 'execute'), "
            "has_function_privilege('unionwh_analyst', p.oid, 'execute') "
            "from pg_proc as p inner join pg_namespace as n on n.oid = p.pronamespace "
            "where n.nspname = 'unionwh' order by 1"
        ).fetchall()
    assert [f[0] for f in functions] == ["ensure_table", "secure_table"]
    for name, definer, config, owner, by_public, by_analyst in functions:
        assert definer and owner == "unionwh_owner", name
        assert config == ["search_path=pg_catalog, pg_temp"], name
        assert not by_public and not by_analyst, name


@pytest.mark.parametrize(
    "arguments",
    [
        ["marts", 'x"; drop table marts.report_figures;--', ["a"], ["integer"]],
        ["marts", "report_figures", ["a"], ["integer; drop table marts.report_figures"]],
        ["marts", "report_figures", ["a b"], ["integer"]],
        ["public", "x", ["a"], ["integer"]],
        ["marts", "report_figures", ["value"], ["text"]],
    ],
    ids=["table name", "column type", "column name", "schema", "changed type"],
)
def test_the_owner_function_takes_nothing_but_a_table(server, unchanged, arguments):
    """`unionwh.ensure_table` runs with the owner's rights: every argument is checked."""
    with pytest.raises(psycopg.errors.RaiseException, match=r"unionwh\.ensure_table"):
        as_user(server, "xinan", "select unionwh.ensure_table(%s, %s, %s, %s)", arguments)


def test_office_a_cannot_connect_to_b_build_database(server, unchanged):
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(dsn(server, "xinan", build_name("beibei", YEARS["beibei"]))).close()


def test_office_a_cannot_create_b_build_database(server, unchanged):
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="unionwh_office_beibei"):
        ensure_database(dsn(server, "xinan"), "unionwh_beibei_2039", owner="unionwh_office_beibei")


def test_a_build_database_office_a_made_for_b_is_refused_to_b(server, unchanged):
    """xinan's user (CREATEDB) makes beibei's next build database before beibei does, to read
    what beibei's run would land there: beibei's run refuses to build in it."""
    squatted = "unionwh_beibei_2036"
    with psycopg.connect(dsn(server, "xinan"), autocommit=True) as con:
        con.execute(sql.SQL("create database {}").format(sql.Identifier(squatted)))
    try:
        with pytest.raises(UnionWarehouseError, match="owned by fa_xinan_clerk"):
            ensure_database(dsn(server, "beibei"), squatted, owner="unionwh_office_beibei")
    finally:
        with psycopg.connect(server.dsn, autocommit=True) as con:
            con.execute(sql.SQL("drop database {}").format(sql.Identifier(squatted)))


# --- an analyst ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "insert into marts.report_figures (university, year) values ('beibei', 2030)",
        "delete from marts.report_figures",
        "update marts.report_figures set value = 0",
        "truncate audit.quarantine",
        "create table marts.notes (note varchar)",
        "create table public.notes (note varchar)",
        "create function public.f() returns int language sql as 'select 1'",
        "create function marts.f() returns int language sql as 'select 1'",
        "create temporary table notes (note varchar)",
        "create schema notes",
    ],
)
def test_an_analyst_changes_nothing(server, unchanged, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
        as_user(server, "analyst", statement)


def test_an_analyst_cannot_connect_to_a_build_database(server, unchanged):
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(dsn(server, "analyst", build_name("xinan", YEARS["xinan"]))).close()


# --- whoever else ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["setup", "run"])
def test_an_injection_as_university_code_is_refused(
    server, federation, unchanged, command, tmp_path
):
    if command == "setup":
        args = ["federation", "setup", "--pg-dsn", federation, "--university", INJECTION]
    else:
        args = [
            "run", "--year", "2030", "--raw-dir", str(tmp_path), "--warehouse",
            str(tmp_path / "union.duckdb"), "--marts-dir", str(tmp_path / "m"), "--target",
            "postgres", "--pg-dsn", dsn(server, "xinan"), "--university", INJECTION,
        ]  # fmt: skip
    result = run_cli(*args, env=WIDE)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("错误 学校代码"), result.stderr
    assert "invalid university code" in result.stderr


def test_a_role_in_no_office_is_refused(server, unchanged, tmp_path):
    result = run_cli(
        "run", "--year", "2030", "--raw-dir", str(tmp_path), "--warehouse",
        str(tmp_path / "union.duckdb"), "--marts-dir", str(tmp_path / "m"), "--target",
        "postgres", "--pg-dsn", dsn(server, "nobody"), "--university", "xinan", env=WIDE,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().startswith("错误 无法连接联合会数据库"), result.stderr
    assert 'permission denied for database "federation_access"' in result.stderr
