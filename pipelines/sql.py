"""Small DuckDB helpers shared by every module that queries the warehouse."""

from __future__ import annotations

from typing import Any

import duckdb


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> Any:
    """The single value of a query. Reads the whole result: DuckDB 2.0 refuses further work on a
    connection whose last result was only partly fetched."""
    rows = con.execute(query, params or []).fetchall()
    return rows[0][0] if rows else None


def quote_identifier(identifier: str) -> str:
    """A DuckDB identifier, quoted (names are data, never SQL)."""
    return '"' + identifier.replace('"', '""') + '"'


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        scalar(
            con,
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        )
    )
