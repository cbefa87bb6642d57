"""The PostgreSQL side of the warehouse: a connection that answers like a DuckDB one.

The checks, the landing and the publication were written against DuckDB's connection
(`con.execute(sql, [params]).fetchall()`, `?` placeholders). `PgConnection` gives a psycopg 3
connection that same surface, so one module holds each check's SQL for both engines; where the
dialects really differ the caller asks `pipelines.db.connect.dialect(con)`.

Placeholders: our SQL is code, never data, and uses `?` for every bound value. psycopg's are
`%s`, so `?` becomes `%s` and a literal `%` becomes `%%` (only when values are bound; otherwise
psycopg reads the query as it is).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import psycopg
import pyarrow as pa
from psycopg import sql as pgsql
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.string import TextLoader

from pipelines.errors import UnionWarehouseError

DIALECT = "postgres"
# type OID -> Arrow type (pg_type.oid, stable across PostgreSQL versions)
_ARROW_BY_OID: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    25: pa.string(),
    114: pa.string(),  # json
    3802: pa.string(),  # jsonb
    1043: pa.string(),  # varchar
    1042: pa.string(),  # bpchar
    700: pa.float32(),
    701: pa.float64(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
    1009: pa.list_(pa.string()),  # text[]
    1015: pa.list_(pa.string()),  # varchar[]
    1007: pa.list_(pa.int32()),
    1016: pa.list_(pa.int64()),
}
NUMERIC_OID = 1700
_PLACEHOLDER = re.compile(r"\?")


def database_dsn(dsn: str, database: str, role: str | None = None) -> str:
    """The same server, credentials and options, another database (a postgresql:// URL); with
    `role`, every session of it acts as that role (`-c role=…`, as SET ROLE: the user must be a
    member), so what it creates is the role's, not the user's."""
    parts = urlsplit(dsn)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"not a postgresql:// URL: {parts.scheme}")
    query = parts.query
    if role:
        query = "&".join(
            filter(None, [query, urlencode({"options": f"-c role={role}"}, quote_via=quote)])
        )
    return urlunsplit(parts._replace(path="/" + quote(database, safe=""), query=query))


def dsn_parts(dsn: str) -> dict[str, str]:
    """host, port, user, password, dbname of a DSN (what dbt's postgres profile takes)."""
    parts = conninfo_to_dict(dsn)
    return {
        "host": str(parts.get("host") or "127.0.0.1"),
        "port": str(parts.get("port") or "5432"),
        "user": str(parts.get("user") or ""),
        "password": str(parts.get("password") or ""),
        "dbname": str(parts.get("dbname") or ""),
    }


def _convert(query: str) -> str:
    return _PLACEHOLDER.sub("%s", query.replace("%", "%%"))


class PgConnection:
    """A psycopg connection in autocommit mode (explicit `begin`/`commit` make transactions),
    read-only when asked: the server then refuses every write of this session."""

    dialect = DIALECT

    def __init__(self, dsn: str, read_only: bool = False):
        options = "-c default_transaction_read_only=on" if read_only else None
        self.dsn = dsn
        self.raw = psycopg.connect(dsn, autocommit=True, options=options)
        # json arrives as its text, as DuckDB gives it (Parquet and the workbooks write text)
        for name in ("json", "jsonb"):
            self.raw.adapters.register_loader(name, TextLoader)

    def execute(self, query: str, params: Sequence[Any] | None = None) -> psycopg.Cursor:
        cursor = self.raw.cursor()
        if params:
            cursor.execute(_convert(query), list(params))
        else:
            cursor.execute(query)
        return cursor

    def arrow(self, query: str, params: Sequence[Any] | None = None) -> pa.Table:
        """A query's result as Arrow, typed from the server's column types (numeric(p, s) stays
        decimal(p, s): money is never a float)."""
        cursor = self.execute(query, params)
        columns = cursor.description or []
        rows = cursor.fetchall()
        arrays = []
        for index, column in enumerate(columns):
            values = [row[index] for row in rows]
            arrays.append(pa.array(values, type=_arrow_type(column, values)))
        return pa.Table.from_arrays(arrays, names=[c.name for c in columns])

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """COPY rows into schema.table (both names quoted here; values never become SQL)."""
        schema, name = table.split(".", 1)
        statement = pgsql.SQL("copy {}.{} ({}) from stdin").format(
            pgsql.Identifier(schema),
            pgsql.Identifier(name),
            pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns),
        )
        with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _arrow_type(column, values: list) -> pa.DataType | None:
    if column.type_code == NUMERIC_OID:
        if column.precision and column.scale is not None:
            return pa.decimal128(column.precision, column.scale)
        scale = max(
            (-v.as_tuple().exponent for v in values if isinstance(v, decimal.Decimal)), default=0
        )
        return pa.decimal128(38, min(max(scale, 0), 18))
    known = _ARROW_BY_OID.get(column.type_code)
    if known is not None:
        return known
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, dict | list):
        return None  # let Arrow infer nested values
    if isinstance(sample, dt.datetime | dt.date | int | float | bool | str):
        return None
    return pa.string() if sample is not None else pa.null()


def ensure_database(admin_dsn: str, database: str, owner: str | None = None) -> None:
    """Create a build database on the server when it does not exist (CREATE DATABASE cannot run
    inside a transaction, so this uses its own autocommit connection).

    Its collation and character classes are `C`: text sorts by code point, as in DuckDB, so the
    earliest of two duplicate rows (ordered by file and sheet name) is the same row on both
    engines, whatever the server's default locale.

    With `owner` (the university's office role) the database is that role's and `public` may not
    connect to it: it holds personal data. The server lets only members of the role create it so;
    a build database that exists under another owner (created by someone else first) is refused."""
    with psycopg.connect(admin_dsn, autocommit=True) as con:
        found = con.execute(
            "select pg_get_userbyid(datdba) from pg_database where datname = %s", [database]
        ).fetchall()
        if found and owner and found[0][0] != owner:
            raise UnionWarehouseError(
                f"构建数据库 {database} 属于 {found[0][0]}，不属于 {owner}：请管理员检查后删除或移交",
                f"build database {database} is owned by {found[0][0]}, not {owner}: an "
                "administrator checks it, then drops it or hands it over",
            )
        if not found:
            statement = (
                "create database {} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'"
            )
            if owner:
                statement += " owner {}"
            con.execute(
                pgsql.SQL(statement).format(
                    pgsql.Identifier(database), *([pgsql.Identifier(owner)] if owner else [])
                )
            )
        if owner:
            con.execute(
                pgsql.SQL("revoke all on database {} from public").format(
                    pgsql.Identifier(database)
                )
            )


def database_exists(admin_dsn: str, database: str) -> bool:
    with psycopg.connect(admin_dsn, autocommit=True) as con:
        return bool(
            con.execute("select 1 from pg_database where datname = %s", [database]).fetchall()
        )
