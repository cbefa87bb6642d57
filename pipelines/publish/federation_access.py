"""Who may do what in the federation database: PostgreSQL roles and row-level security.

Every university's office publishes into the same tables, so the database itself must keep each
university's rows its own; a check in our code alone would not stop an office's user with `psql`.

- `unionwh_owner` (NOLOGIN, nobody logs in as it) owns the schemas `marts`, `audit` and `unionwh`,
  every federation table and view, and the two functions below. Only the owner of a table may
  ALTER, DROP or TRUNCATE it or turn its row-level security off, so no office can.
- `unionwh_office_<code>` (NOLOGIN, one per university, all in the group `unionwh_offices`): the
  administrator grants it to the office's login users. Offices may select every published row and
  insert, update and delete rows whose `university` is theirs: a policy on every table (row-level
  security enabled and forced) tests membership of the office role that `unionwh.universities`
  names for the row's university.
- `unionwh_analyst` (NOLOGIN, granted to analysts' logins): connect, usage and select on `marts`
  and `audit`; nothing else. `public` keeps no right on the database or its schema `public`.

A newer model may widen a table (a new column) or add one. An office cannot ALTER a table it does
not own, and owning it (or being a member of its owner) would let it turn the policies off, so the
office calls `unionwh.ensure_table` instead: a SECURITY DEFINER function owned by `unionwh_owner`
that creates a table or adds columns, and nothing else. It takes identifiers that it checks and
quotes itself (`format('%I')`) and column types from a closed list, so a caller cannot make it run
any other SQL. A new table gets its policies and grants before the caller sees it.

`unionwh federation setup` (run by an administrator: a superuser) creates all of it, and is run
again to add a university: every statement is idempotent. It also builds the federation views
(dbt's `models/federation/`) as `unionwh_owner`, so no office can redefine what analysts read.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import psycopg
import yaml
from psycopg import sql as pgsql

from pipelines.errors import UnionWarehouseError
from pipelines.resources import OFFICE_ROLE_PREFIX, check_university
from pipelines.settings import DBT_PROJECT_DIR

OWNER_ROLE = "unionwh_owner"
OFFICES_ROLE = "unionwh_offices"
ANALYST_ROLE = "unionwh_analyst"
FEDERATION_SCHEMAS = ("marts", "audit")
ACCESS_SCHEMA = "unionwh"

# The rows an office may write: those of a university whose office role the current user is in.
# `pg_roles` first, so a university whose role was dropped matches nothing instead of failing.
_OWN_ROWS = (
    "university in (select u.university from unionwh.universities as u "
    "inner join pg_catalog.pg_roles as r on r.rolname = u.office_role "
    "where pg_catalog.pg_has_role(r.oid, 'MEMBER'))"
)

_OWN_ROWS_QUOTED = _OWN_ROWS.replace("'", "''")  # inside a string literal of the function

# Column types a publication may create: what format_type() gives for the builds' columns.
_ALLOWED_TYPE = (
    r"^(boolean|smallint|integer|bigint|real|double precision|numeric|text|character varying"
    r"|character|date|time|timestamp|interval|json|jsonb|uuid|bytea)"
    r"(\([0-9]{1,4}(,[0-9]{1,4})?\))?( with(out)? time zone)?(\[\])?$"
)
_IDENTIFIER = r"^[a-z_][a-z0-9_]{0,62}$"

_FUNCTIONS = f"""
create or replace function unionwh.secure_table(schema_name text, table_name text)
returns void language plpgsql security definer set search_path = pg_catalog, pg_temp as $body$
declare
    target text := format('%I.%I', schema_name, table_name);
begin
    execute format('alter table %s enable row level security', target);
    execute format('alter table %s force row level security', target);
    execute format('drop policy if exists published_rows_readable on %s', target);
    execute format('create policy published_rows_readable on %s for select using (true)', target);
    execute format('drop policy if exists office_writes_own_rows on %s', target);
    execute format(
        'create policy office_writes_own_rows on %s for all to {OFFICES_ROLE} '
        'using ({_OWN_ROWS_QUOTED}) with check ({_OWN_ROWS_QUOTED})',
        target
    );
    execute format('revoke all on table %s from public', target);
    execute format('grant select on table %s to {ANALYST_ROLE}, {OFFICES_ROLE}', target);
    execute format('grant insert, update, delete on table %s to {OFFICES_ROLE}', target);
end
$body$;

create or replace function unionwh.ensure_table(
    schema_name text, table_name text, column_names text[], column_types text[]
)
returns void language plpgsql security definer set search_path = pg_catalog, pg_temp as $body$
declare
    target text;
    existing text;
    created boolean := false;
begin
    if schema_name is null or schema_name not in ('marts', 'audit') then
        raise exception 'unionwh.ensure_table: % is not a federation schema', schema_name;
    end if;
    if table_name is null or table_name !~ '{_IDENTIFIER}' then
        raise exception 'unionwh.ensure_table: invalid table name %', table_name;
    end if;
    if coalesce(cardinality(column_names), 0) = 0
        or cardinality(column_names) <> coalesce(cardinality(column_types), -1) then
        raise exception 'unionwh.ensure_table: one type per column';
    end if;
    for i in 1 .. cardinality(column_names) loop
        if column_names[i] is null or column_names[i] !~ '{_IDENTIFIER}' then
            raise exception 'unionwh.ensure_table: invalid column name %', column_names[i];
        end if;
        if column_types[i] is null or column_types[i] !~ '{_ALLOWED_TYPE}' then
            raise exception 'unionwh.ensure_table: type % not allowed', column_types[i];
        end if;
    end loop;
    target := format('%I.%I', schema_name, table_name);
    if to_regclass(target) is null then
        execute format('create table %s (university character varying not null)', target);
        created := true;
    end if;
    for i in 1 .. cardinality(column_names) loop
        select format_type(a.atttypid, a.atttypmod) into existing
        from pg_attribute as a
        where a.attrelid = to_regclass(target) and a.attname = column_names[i]
            and a.attnum > 0 and not a.attisdropped;
        if existing is null then
            execute format('alter table %s add column %I %s', target, column_names[i], column_types[i]);
        elsif existing <> column_types[i] then
            raise exception 'unionwh.ensure_table: %.% is %, not %',
                target, column_names[i], existing, column_types[i];
        end if;
    end loop;
    if created then
        if 'year' = any(column_names) then
            execute format('create index on %s (university, year)', target);
        end if;
        perform unionwh.secure_table(schema_name, table_name);
    end if;
end
$body$;

-- definer rights are the owner role's, never the superuser's who ran the setup
alter function unionwh.secure_table(text, text) owner to {OWNER_ROLE};
alter function unionwh.ensure_table(text, text, text[], text[]) owner to {OWNER_ROLE};
revoke all on function unionwh.secure_table(text, text) from public;
revoke all on function unionwh.ensure_table(text, text, text[], text[]) from public;
grant execute on function unionwh.ensure_table(text, text, text[], text[]) to {OFFICES_ROLE};
"""


def office_role(university: str) -> str:
    return OFFICE_ROLE_PREFIX + check_university(university)


def _create_role(con: psycopg.Connection, role: str, *member_of: str) -> bool:
    exists = con.execute("select 1 from pg_roles where rolname = %s", [role]).fetchall()
    if not exists:
        con.execute(pgsql.SQL("create role {} nologin").format(pgsql.Identifier(role)))
    for group in member_of:
        con.execute(
            pgsql.SQL("grant {} to {}").format(pgsql.Identifier(group), pgsql.Identifier(role))
        )
    return not exists


def _relations(con: psycopg.Connection, schemas: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(schema, name, kind) of the tables (r, p) and views (v, m) in the schemas."""
    return con.execute(
        "select n.nspname, c.relname, c.relkind from pg_class as c "
        "inner join pg_namespace as n on n.oid = c.relnamespace "
        "where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm') order by 1, 2",
        [list(schemas)],
    ).fetchall()


def _grant_database(con: psycopg.Connection) -> None:
    database = pgsql.Identifier(con.execute("select current_database()").fetchall()[0][0])
    for statement in (
        "revoke all on database {db} from public",
        "grant connect, temporary on database {db} to {offices}",
        "grant connect on database {db} to {analyst}",
        "revoke all on schema public from public",
    ):
        con.execute(
            pgsql.SQL(statement).format(
                db=database,
                offices=pgsql.Identifier(OFFICES_ROLE),
                analyst=pgsql.Identifier(ANALYST_ROLE),
            )
        )


def _own_schemas(con: psycopg.Connection) -> None:
    owner = pgsql.Identifier(OWNER_ROLE)
    for name in (*FEDERATION_SCHEMAS, ACCESS_SCHEMA):
        schema = pgsql.Identifier(name)
        con.execute(pgsql.SQL("create schema if not exists {}").format(schema))
        con.execute(pgsql.SQL("alter schema {} owner to {}").format(schema, owner))
        con.execute(pgsql.SQL("revoke all on schema {} from public").format(schema))
    for name in FEDERATION_SCHEMAS:
        con.execute(
            pgsql.SQL("grant usage on schema {} to {}, {}").format(
                pgsql.Identifier(name),
                pgsql.Identifier(ANALYST_ROLE),
                pgsql.Identifier(OFFICES_ROLE),
            )
        )
        # the views dbt builds (and rebuilds) as the owner: readable by analysts and offices
        con.execute(
            pgsql.SQL(
                "alter default privileges for role {} in schema {} grant select on tables to {}, {}"
            ).format(
                owner,
                pgsql.Identifier(name),
                pgsql.Identifier(ANALYST_ROLE),
                pgsql.Identifier(OFFICES_ROLE),
            )
        )
    con.execute(
        pgsql.SQL("grant usage on schema {} to {}").format(
            pgsql.Identifier(ACCESS_SCHEMA), pgsql.Identifier(OFFICES_ROLE)
        )
    )
    con.execute(
        "create table if not exists unionwh.universities ("
        "university character varying primary key, office_role name not null unique)"
    )
    con.execute(pgsql.SQL("alter table unionwh.universities owner to {}").format(owner))
    con.execute("revoke all on unionwh.universities from public")
    con.execute(
        pgsql.SQL("grant select on unionwh.universities to {}").format(
            pgsql.Identifier(OFFICES_ROLE)
        )
    )


def _secure_existing_tables(con: psycopg.Connection) -> list[str]:
    """Tables and views already in marts and audit (published before the setup, or created by
    an earlier version): owned by the owner role, tables under the policies."""
    secured = []
    for schema, name, kind in _relations(con, FEDERATION_SCHEMAS):
        kinds = {"r": "table", "p": "table", "v": "view", "m": "materialized view"}
        con.execute(
            pgsql.SQL("alter {} {}.{} owner to {}").format(
                pgsql.SQL(kinds[kind]),
                pgsql.Identifier(schema),
                pgsql.Identifier(name),
                pgsql.Identifier(OWNER_ROLE),
            )
        )
        if kind in ("r", "p"):
            con.execute("select unionwh.secure_table(%s, %s)", [schema, name])
        secured.append(f"{schema}.{name}")
    return secured


def _contract_columns(model: str) -> list[tuple[str, str]]:
    """A mart's columns and types as its dbt contract declares them."""

    for path in sorted((DBT_PROJECT_DIR / "models" / "marts").glob("*.yml")):
        for entry in yaml.safe_load(path.read_text("utf-8")).get("models") or []:
            if entry["name"] == model:
                return [(c["name"], c["data_type"]) for c in entry["columns"]]
    raise LookupError(model)


def _ensure_view_sources(con: psycopg.Connection) -> None:
    """The federation views read marts.report_figures: before any university has published,
    create it from the mart's contract (types as PostgreSQL spells them, through a scratch
    temporary table), by the same function a publication uses."""
    if con.execute("select to_regclass('marts.report_figures')").fetchall()[0][0]:
        return
    columns = _contract_columns("report_figures")
    con.execute(
        pgsql.SQL("create temporary table contract_probe ({}) on commit drop").format(
            pgsql.SQL(", ").join(
                pgsql.SQL("{} {}").format(pgsql.Identifier(name), pgsql.SQL(sql_type))
                for name, sql_type in columns
            )
        )
    )
    typed = con.execute(
        "select attname, format_type(atttypid, atttypmod) from pg_attribute "
        "where attrelid = 'contract_probe'::regclass and attnum > 0 order by attnum"
    ).fetchall()
    con.execute(
        "select unionwh.ensure_table('marts', 'report_figures', %s, %s)",
        [[name for name, _ in typed], [sql_type for _, sql_type in typed]],
    )


def build_federation_views(admin_dsn: str) -> str:
    """dbt's federation models (views over every university's rows), built as the owner role."""
    # start-up: dagster-dbt and dbt load only when setup builds the views
    from pipelines.db.postgres import dsn_parts
    from pipelines.dbt.project import dbt_command
    from pipelines.publish.federation import FEDERATION_SELECTION

    env = {
        **os.environ,
        **{f"UNIONWH_PG_{key.upper()}": value for key, value in dsn_parts(admin_dsn).items()},
        "UNIONWH_PG_ROLE": OWNER_ROLE,
    }
    with tempfile.TemporaryDirectory(prefix="unionwh-federation-setup-") as target:
        command = dbt_command("run", "--select", FEDERATION_SELECTION, "--target", "postgres",
                              target_path=Path(target))  # fmt: skip
        command += ["--vars", '{"federation": true}']
        completed = subprocess.run(
            command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=False
        )
    if completed.returncode != 0:
        tail = "\n".join(completed.stdout.splitlines()[-30:])
        raise UnionWarehouseError(
            f"联合会视图构建失败：\n{tail}", f"the federation views failed to build:\n{tail}"
        )
    return completed.stdout


def setup_federation(admin_dsn: str, universities: list[str], views: bool = True) -> dict:
    """Create (or bring up to date) the roles, schemas, functions, policies and grants of the
    federation database, with an office role for each university. Idempotent."""
    offices = {code: office_role(code) for code in universities}  # every code checked first
    with psycopg.connect(admin_dsn, autocommit=True) as con:
        superuser = con.execute("select rolsuper from pg_roles where rolname = current_user")
        if not superuser.fetchall()[0][0]:
            raise UnionWarehouseError(
                "联合会设置须由超级用户运行（它创建角色并转移表的所有权）",
                "the federation setup must run as a superuser (it creates roles and "
                "transfers the tables' ownership)",
            )
        with con.transaction():
            con.execute("select pg_advisory_xact_lock(%s)", [SETUP_LOCK])
            created = [
                role for role in (OWNER_ROLE, OFFICES_ROLE, ANALYST_ROLE) if _create_role(con, role)
            ]
            for role in offices.values():
                if _create_role(con, role, OFFICES_ROLE):
                    created.append(role)
            _grant_database(con)
            _own_schemas(con)
            con.execute(_FUNCTIONS)
            for code, role in offices.items():
                con.execute(
                    "insert into unionwh.universities (university, office_role) values (%s, %s) "
                    "on conflict (university) do update set office_role = excluded.office_role",
                    [code, role],
                )
            secured = _secure_existing_tables(con)
            _ensure_view_sources(con)
        registered = [
            code
            for (code,) in con.execute("select university from unionwh.universities order by 1")
        ]
    if views:
        build_federation_views(admin_dsn)
    return {"created_roles": created, "secured": secured, "universities": registered}


# pg_advisory_xact_lock key of the setup: "unionwh setup"
SETUP_LOCK = 0x756E696F6E7773


def require_office(dsn: str, university: str) -> str:
    """Before a run writes anything: the federation is set up, the university is one of it, and
    the DSN's user is in that university's office. The database refuses anyway (the policies);
    this says so in words first. Returns the office role."""
    role = office_role(university)
    with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as con:
        user = con.execute("select current_user").fetchall()[0][0]
        if not con.execute("select to_regclass('unionwh.universities')").fetchall()[0][0]:
            raise UnionWarehouseError(
                "联合会数据库尚未设置：请管理员运行 unionwh federation setup --pg-dsn … "
                f"--university {university}",
                "the federation database is not set up: an administrator runs "
                f"`unionwh federation setup --pg-dsn … --university {university}`",
            )
        registered = con.execute(
            "select office_role from unionwh.universities where university = %s", [university]
        ).fetchall()
        if not registered:
            raise UnionWarehouseError(
                f"学校 {university} 不是联合会成员：请管理员运行 unionwh federation setup "
                f"--university {university}",
                f"university {university} is not in the federation: an administrator runs "
                f"`unionwh federation setup --university {university}`",
            )
        member = con.execute(
            "select coalesce((select pg_has_role(oid, 'MEMBER') from pg_roles "
            "where rolname = %s), false)",
            [role],
        ).fetchall()[0][0]
    if not member:
        raise UnionWarehouseError(
            f"用户 {user} 不属于 {role}：不能发布或构建学校 {university} 的数据，数据库也会拒绝",
            f"user {user} is not in {role}: it may not build or publish {university}'s year, "
            "and the database would refuse it",
        )
    return role
