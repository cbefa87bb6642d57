"""Landing rows in the warehouse's `raw` schema (docs/architecture.md gives the schema).

Rows go in through Arrow (DuckDB) or COPY (PostgreSQL), so file names, sheet names and cell
values are data, never SQL. Table and column names come from the contract only. The landed types
(docs/architecture.md) are spelled so that both engines take them as they are (VARCHAR[] is a
varchar array in PostgreSQL, DECIMAL(18,2) its numeric(18,2)).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from pipelines.contract import Contract, Table
from pipelines.db.connect import dialect, quote_identifier

FILES_SCHEMA = {
    "source": "VARCHAR",
    "file_name": "VARCHAR",
    "file_sha256": "VARCHAR",
    "file_bytes": "BIGINT",
    "status": "VARCHAR",
    "error_code": "VARCHAR",
    "message_zh": "VARCHAR",
    "message_en": "VARCHAR",
    "export_date": "DATE",
}
SHEETS_SCHEMA = {
    "source": "VARCHAR",
    "file_name": "VARCHAR",
    "sheet_name": "VARCHAR",
    "table_name": "VARCHAR",
    "header_row": "INTEGER",
    "data_rows": "BIGINT",
    "status": "VARCHAR",
}
WARNINGS_SCHEMA = {
    "source": "VARCHAR",
    "file_name": "VARCHAR",
    "file_sha256": "VARCHAR",
    "sheet_name": "VARCHAR",
    "row_number": "INTEGER",
    "column_name": "VARCHAR",
    "warning_code": "VARCHAR",
    "message_zh": "VARCHAR",
    "message_en": "VARCHAR",
}
BOOKKEEPING = {"files": FILES_SCHEMA, "sheets": SHEETS_SCHEMA, "load_warnings": WARNINGS_SCHEMA}


def _create(con: Any, table: str, schema: dict[str, str]) -> None:
    columns = ", ".join(f"{quote_identifier(name)} {sql_type}" for name, sql_type in schema.items())
    con.execute(f"create table if not exists raw.{quote_identifier(table)} ({columns})")


def ensure_raw_schema(con: Any, contract: Contract) -> None:
    """Create schema `raw` and every landed table that does not exist yet; a table a build of an
    earlier version made gets the lineage columns added since (`_merged_from`)."""
    con.execute("create schema if not exists raw")
    for table in contract.tables:
        _create(con, table.table, table.landed_schema())
    for name, schema in BOOKKEEPING.items():
        _create(con, name, schema)
    _add_missing_columns(con, {t.table: t.landed_schema() for t in contract.tables})


def _add_missing_columns(con: Any, schemas: dict[str, dict[str, str]]) -> None:
    present = set(
        con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'raw'"
        ).fetchall()
    )
    for table, schema in schemas.items():
        for name, sql_type in schema.items():
            if (table, name) not in present:
                con.execute(
                    f"alter table raw.{quote_identifier(table)} "
                    f"add column {quote_identifier(name)} {sql_type}"
                )


def clear_source(con: Any, contract: Contract, source: str) -> None:
    """Remove what an earlier load of this source left, so a reload replaces it."""
    for table in contract.tables_of(source):
        con.execute(f"delete from raw.{quote_identifier(table.table)}")
    for name in BOOKKEEPING:
        con.execute(f"delete from raw.{quote_identifier(name)} where source = ?", [source])


def insert_frame(con: Any, table: str, schema: dict[str, str], frame: pl.DataFrame) -> None:
    """Insert a frame by column name; columns the frame lacks land as NULL."""
    if frame.is_empty():
        return
    present = [c for c in schema if c in frame.columns]
    if dialect(con) == "postgres":
        con.copy_rows(f"raw.{table}", present, frame.select(present).iter_rows())
        return
    arrow = frame.select(present).to_arrow()
    columns = ", ".join(quote_identifier(c) for c in present)
    con.register("landing_batch", arrow)
    try:
        con.execute(
            f"insert into raw.{quote_identifier(table)} ({columns}) select {columns} from landing_batch"
        )
    finally:
        con.unregister("landing_batch")


def land_rows(con: Any, table: Table, frames: list[pl.DataFrame]) -> int:
    schema = table.landed_schema()
    total = 0
    for frame in frames:
        insert_frame(con, table.table, schema, frame)
        total += frame.height
    return total


def land_bookkeeping(con: Any, name: str, records: list[dict]) -> None:
    if not records:
        return
    schema = BOOKKEEPING[name]
    frame = pl.DataFrame(
        [{k: r.get(k) for k in schema} for r in records],
        schema={k: _polars_type(v) for k, v in schema.items()},
    )
    insert_frame(con, name, schema, frame)


def _polars_type(sql_type: str) -> pl.DataType:
    return {"VARCHAR": pl.String, "BIGINT": pl.Int64, "INTEGER": pl.Int32, "DATE": pl.Date}[
        sql_type
    ]


def clear_unknown_sources(con: Any, contract: Contract) -> None:
    """Remove bookkeeping rows of folders that are not sources (the inventory reloads them)."""
    known = list(contract.sources)
    if dialect(con) == "postgres":
        con.execute("delete from raw.files where source <> all(?)", [known])
    else:
        con.execute("delete from raw.files where not list_contains(?, source)", [known])
