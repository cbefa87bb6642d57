"""Small helpers shared by every module that queries a build or the published warehouse.

A build is a DuckDB file (the default, embedded) or a database on a PostgreSQL server (a
`postgresql://` DSN, the federation warehouse). `connect` opens either; both answer
`con.execute(sql, [params]).fetchall()` with `?` placeholders (pipelines.db.postgres).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

# a DuckDB build file, or the postgresql:// DSN of a build database
BuildRef = Path | str


def is_postgres(reference: object) -> bool:
    return str(reference).startswith(("postgresql://", "postgres://"))


def connect(reference: BuildRef, read_only: bool = True):
    """A connection to a build: DuckDB for a file, PostgreSQL for a DSN."""
    if is_postgres(reference):
        # start-up: psycopg loads only for a PostgreSQL build
        from pipelines.db.postgres import PgConnection

        return PgConnection(str(reference), read_only=read_only)
    return duckdb.connect(str(reference), read_only=read_only)


def dialect(con: Any) -> str:
    """`duckdb` or `postgres`: for the few statements whose SQL differs between the two."""
    return getattr(con, "dialect", "duckdb")


def fetch_arrow(con: Any, query: str, params: list | None = None) -> pa.Table:
    """A query's whole result as an Arrow table, from either engine."""
    if dialect(con) == "postgres":
        return con.arrow(query, params)
    if params:
        return con.execute(query, params).to_arrow_table()
    return con.sql(query).to_arrow_table()


def scalar(con: Any, query: str, params: list | None = None) -> Any:
    """The single value of a query. Reads the whole result: DuckDB 2.0 refuses further work on a
    connection whose last result was only partly fetched."""
    rows = con.execute(query, params or []).fetchall()
    return rows[0][0] if rows else None


def quote_identifier(identifier: str) -> str:
    """An identifier, quoted (names are data, never SQL); the same rule in DuckDB and PostgreSQL."""
    return '"' + identifier.replace('"', '""') + '"'


def table_exists(con: Any, schema: str, table: str) -> bool:
    return bool(
        scalar(
            con,
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        )
    )
