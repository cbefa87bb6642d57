"""Publishing a university's year into the federation database (PostgreSQL).

The federation database holds what the embedded `warehouse/union.duckdb` holds, for every
university: the schemas `marts` and `audit`, each table with a `university` column in front of the
build's own columns, and a `year` column (the build's year, added where a build table has none).
A publication replaces the rows of one (university, year), in one transaction:

- readers never wait and never see half a publication: until the commit every query sees the
  previous rows, after it every query sees the new ones (PostgreSQL's MVCC; the delete and the
  COPY take only row-level locks, which readers do not conflict with);
- other universities' rows and the university's other years are not touched;
- publications run one at a time (a transaction-scoped advisory lock), so two universities
  publishing at once cannot both create the same new table;
- an office's user writes only its own university's rows: the database refuses any other
  (row-level security; roles and policies in pipelines/publish/federation_access.py), and tables
  are created or widened by the owner role's `unionwh.ensure_table`, not by the office.

Rows travel from the build database to the federation database as COPY text, streamed through
this process (PostgreSQL queries do not cross databases). The build's marts and audit tables hold
no personal data (the privacy scan checks them), and nothing else is copied.
"""

from __future__ import annotations

import psycopg
from psycopg import sql as pgsql

from pipelines.errors import UnionWarehouseError

PUBLISHED_SCHEMAS = ("marts", "audit")
UNIVERSITY_COLUMN = "university"
YEAR_COLUMN = "year"
# the owner role's function that creates or widens a federation table (federation_access.py)
ENSURE_TABLE = "unionwh.ensure_table(text, text, text[], text[])"
STAGING_TABLE = "unionwh_publication_rows"
# pg_advisory_xact_lock key: "unionwh publish" (any constant the project owns)
PUBLICATION_LOCK = 0x756E696F6E7768

_COLUMNS = """
    select a.attname, format_type(a.atttypid, a.atttypmod)
    from pg_attribute as a
    inner join pg_class as c on c.oid = a.attrelid
    inner join pg_namespace as n on n.oid = c.relnamespace
    where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped
    order by a.attnum
"""


def _base_tables(con: psycopg.Connection) -> list[tuple[str, str]]:
    return con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema = any(%s) and table_type = 'BASE TABLE' order by 1, 2",
        [list(PUBLISHED_SCHEMAS)],
    ).fetchall()


def _columns(con: psycopg.Connection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(_COLUMNS, [schema, table]).fetchall()


def _table(schema: str, table: str) -> pgsql.Composed:
    return pgsql.SQL("{}.{}").format(pgsql.Identifier(schema), pgsql.Identifier(table))


def _ensure_table(
    fed: psycopg.Connection, schema: str, table: str, columns: list[tuple[str, str]]
) -> None:
    """Create the federation table, or add the columns a newer model has; a column whose type
    changed is an error to resolve by hand (the old rows would not fit). The office cannot alter
    a table it does not own: `unionwh.ensure_table`, a function of the owner role, does it
    (pipelines/publish/federation_access.py)."""
    existing = dict(_columns(fed, schema, table))
    for name, sql_type in columns:
        if name in existing and existing[name] != sql_type:
            raise UnionWarehouseError(
                f"联合会表 {schema}.{table} 的列 {name} 类型为 {existing[name]}，本次构建为 "
                f"{sql_type}：请先迁移该表",
                f"federation table {schema}.{table}: column {name} is {existing[name]}, this "
                f"build has {sql_type}; migrate the table first",
            )
    if not existing or any(name not in existing for name, _ in columns):
        fed.execute(
            "select unionwh.ensure_table(%s, %s, %s, %s)",
            [schema, table, [n for n, _ in columns], [t for _, t in columns]],
        )


def _delete_rows(
    fed: psycopg.Connection, schema: str, table: str, university: str, year: int
) -> int:
    cursor = fed.execute(
        pgsql.SQL("delete from {} where {} = %s and {} = %s").format(
            _table(schema, table),
            pgsql.Identifier(UNIVERSITY_COLUMN),
            pgsql.Identifier(YEAR_COLUMN),
        ),
        [university, year],
    )
    return cursor.rowcount


def _copy_rows(
    build: psycopg.Connection,
    fed: psycopg.Connection,
    schema: str,
    table: str,
    columns: list[str],
    university: str,
    year: int,
) -> int:
    """Stream the build table's rows into the federation table, the university (and, for a table
    without one, the year) added as literals quoted by the driver.

    PostgreSQL refuses COPY FROM into a table under row-level security, so the rows land in a
    temporary table of the transaction first and go over in one INSERT, which the table's
    policy checks row by row."""
    column_list = pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns)
    added = [pgsql.Literal(university)]
    added_names = [pgsql.Identifier(UNIVERSITY_COLUMN)]
    if YEAR_COLUMN not in columns:
        added.append(pgsql.SQL("{}::integer").format(pgsql.Literal(int(year))))
        added_names.append(pgsql.Identifier(YEAR_COLUMN))
    names = pgsql.SQL(", ").join([*added_names, column_list])
    source = pgsql.SQL("copy (select {}, {} from {}) to stdout").format(
        pgsql.SQL(", ").join(added), column_list, _table(schema, table)
    )
    staged = pgsql.Identifier(STAGING_TABLE)
    fed.execute(
        pgsql.SQL("create temporary table {} (like {}) on commit drop").format(
            staged, _table(schema, table)
        )
    )
    target = pgsql.SQL("copy {} ({}) from stdin").format(staged, names)
    with (
        build.cursor() as out,
        out.copy(source) as reader,
        fed.cursor() as into,
        into.copy(target) as writer,
    ):
        for chunk in reader:
            writer.write(chunk)
    inserted = fed.execute(
        pgsql.SQL("insert into {} ({}) select {} from {}").format(
            _table(schema, table), names, names, staged
        )
    ).rowcount
    fed.execute(pgsql.SQL("drop table {}").format(staged))
    return inserted


def publish_federation(build_dsn: str, federation_dsn: str, university: str, year: int) -> dict:
    """Replace the (university, year) rows of every federation mart and audit table with the
    build's, in one transaction. Returns table -> rows of the university now published."""
    published: dict[str, int] = {}
    with (
        psycopg.connect(build_dsn, autocommit=True) as build,
        psycopg.connect(federation_dsn) as fed,
        fed.transaction(),
    ):
        fed.execute("select pg_advisory_xact_lock(%s)", [PUBLICATION_LOCK])
        if not fed.execute(f"select to_regprocedure('{ENSURE_TABLE}')").fetchall()[0][0]:
            raise UnionWarehouseError(
                "联合会数据库尚未设置：请管理员运行 unionwh federation setup",
                "the federation database is not set up: an administrator runs "
                "`unionwh federation setup`",
            )
        build_tables = _base_tables(build)
        for schema, table in build_tables:
            columns = _columns(build, schema, table)
            if UNIVERSITY_COLUMN in {name for name, _ in columns}:
                raise UnionWarehouseError(
                    f"{schema}.{table} 已有 university 列，与联合会的学校列冲突",
                    f"{schema}.{table} already has a university column, which the federation adds",
                )
            names = [n for n, _ in columns]
            # the year a row belongs to: the build's own column, else the build's year
            stored = columns if YEAR_COLUMN in names else [(YEAR_COLUMN, "integer"), *columns]
            _ensure_table(fed, schema, table, stored)
            _delete_rows(fed, schema, table, university, year)
            rows = _copy_rows(build, fed, schema, table, names, university, year)
            published[f"{schema}.{table}"] = rows
        # a mart the build no longer has: the university's rows of this year go with it
        for schema, table in sorted(set(_base_tables(fed)) - set(build_tables)):
            _delete_rows(fed, schema, table, university, year)
    return published


FEDERATION_SELECTION = "path:models/federation"


def check_federation_marts(federation_dsn: str, target_path, year: int) -> str:
    """Test the federation marts (dbt_project/models/federation/: views over the published rows
    of every university, built by `unionwh federation setup` as the owner role, so no office can
    redefine them) in the federation database, with their tests and unit tests. Returns dbt's
    output; raises when a test fails (the rows are published by then: the error says so)."""
    # start-up: psycopg, dagster-dbt and dbt (3.5 s) load only for the federation's dbt step
    import json
    import os
    import subprocess

    from pipelines.db.postgres import dsn_parts
    from pipelines.dbt.project import DBT_PROJECT_DIR, dbt_command

    env = {
        **os.environ,
        **{f"UNIONWH_PG_{key.upper()}": value for key, value in dsn_parts(federation_dsn).items()},
    }
    command = dbt_command(
        "test", "--select", FEDERATION_SELECTION, "--target", "postgres", target_path=target_path
    )
    command += ["--vars", json.dumps({"year": int(year), "federation": True})]
    completed = subprocess.run(
        command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        tail = "\n".join(completed.stdout.splitlines()[-30:])
        raise UnionWarehouseError(
            f"已发布到联合会数据库，但联合会汇总（marts.federation_figures）检查失败：\n{tail}",
            "published to the federation database, but the federation marts "
            f"(marts.federation_figures) failed their tests:\n{tail}",
        )
    return completed.stdout
