"""Great Expectations suites generated from the contract, validated on each table's clean rows.

One suite per landed table (contract.yml), built from what the contract declares about each column:
- its type, checked on the column's pandas dtype, which is chosen from the type DuckDB declares for
  the column (see `INTEGER_TYPES`): an amount must arrive as DECIMAL, a date as DATE, a year, month
  or integer as TINYINT…BIGINT, a flag as BOOLEAN, text as VARCHAR, a department list as VARCHAR[];
  so a model whose column drifted (DECIMAL → DOUBLE, DATE → VARCHAR or TIMESTAMP …) fails;
- required values (`nullable: false`), enum values (the English keys of `values`);
- ranges: amounts ≥ 0 (a negative amount is quarantined), months 1–12, a `year` column equal to the
  report year, dates inside their `window` (the fiscal year or the calendar year);
- uniqueness of the natural key (within one export for snapshot tables), and of the row's place
  (file, sheet, row number): every landed row is counted once.

The rows are `intermediate.int_<table>_classified` where row_status = 'clean', read through Arrow
into typed pandas columns, so that GX's pandas engine computes on whole columns instead of one
Python object per cell. Amounts are read as float64 for this check only: they are compared (sign,
zero), never summed, and DECIMAL(18,2) → float64 keeps both exact. One table's frame at a time: it
is released before the next table is read. Personal data columns (`pii`) are never read. Data Docs
(HTML) are written to a folder the publication copies to marts/<year>/data-docs/.

GX is imported inside functions only (it costs seconds); a run validates in a process of its own
that imports GX while the run reads and builds (pipelines.checks.validator).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.contract import Column, Contract, Table, load_contract
from pipelines.db.connect import connect, dialect, fetch_arrow, quote_identifier, table_exists

# How a column is read into pandas (`_pandas_column`), from the type DuckDB declares for it
# (information_schema, exact). The types the contract uses become numpy dtypes, on which GX
# computes vectorized: DECIMAL(p,s) → float64, DATE → datetime64[ns], TINYINT…BIGINT → int64
# (Int64 when it holds NULLs), BOOLEAN → bool (boolean when it holds NULLs). Every other type keeps
# its Arrow type as a `pd.ArrowDtype` (VARCHAR → string[pyarrow], VARCHAR[] → list[pyarrow]), whose
# scalar type (str, list, float, datetime, Decimal …) is what GX's type check sees. So only a
# DECIMAL reads as float64 (a DOUBLE stays double[pyarrow], a HUGEINT decimal128(38, 0)[pyarrow]),
# only a DATE as datetime64 (a TIMESTAMP stays timestamp[pyarrow], a VARCHAR string[pyarrow]),
# only an integer type as int64 (a DOUBLE stays double[pyarrow]).
INTEGER_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT"})

# The column dtype's scalar type, per contract type (GX's ExpectColumnValuesToBeOfType compares
# `dtype.type` with the named type): what DuckDB's declared type must read as.
VALUE_TYPES = {
    "text": "str",
    "identifier": "str",
    "department": "str",
    "department_list": "list",
    "amount": "float64",
    "decimal": "float64",
    "date": "datetime64",
    "year": "int64",
    "month": "int64",
    "integer": "int64",
    "enum": "str",
    "flag": "bool",
}
LINEAGE = ("file_name", "sheet_name", "row_number")
SNAPSHOT_COLUMN = "export_date"
DATASOURCE = "union_warehouse"
# BASIC: counts and up to 10 unexpected values; SUMMARY's index lists and value counts would cost
# another pass over the rows per expectation.
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 10}


def classified_model(table: str) -> str:
    return f"int_{table}_classified"


@dataclass(frozen=True)
class Expectation:
    """One expectation as data: the GX class name and its arguments (tested without GX)."""

    kind: str
    kwargs: dict

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")


def date_window(column: Column, year: int) -> tuple[dt.datetime, dt.datetime] | None:
    """The first and last day a date may carry, as midnights (dates are read as datetime64)."""
    if column.window == "fiscal_year":
        return dt.datetime(year - 1, 10, 1), dt.datetime(year + 1, 3, 31)
    if column.window == "year":
        return dt.datetime(year, 1, 1), dt.datetime(year, 12, 31)
    return None


def suite_for(table: Table, year: int) -> list[Expectation]:
    """The table's expectations, from the contract alone."""
    out: list[Expectation] = []
    for column in table.columns:
        if column.pii:
            continue
        name = column.name
        out.append(Expectation("ExpectColumnToExist", {"column": name}))
        dtype = VALUE_TYPES[column.type]
        notes = (
            f"DuckDB {column.duckdb_type}, read as {dtype} (see pipelines/checks/expectations.py)"
        )
        out.append(
            Expectation(
                "ExpectColumnValuesToBeOfType", {"column": name, "type_": dtype, "notes": notes}
            )
        )
        if not column.nullable:
            out.append(Expectation("ExpectColumnValuesToNotBeNull", {"column": name}))
        if column.type == "enum":
            keys = sorted({str(v) for v in column.values.values()})
            out.append(
                Expectation("ExpectColumnValuesToBeInSet", {"column": name, "value_set": keys})
            )
        if column.type == "amount":
            out.append(
                Expectation("ExpectColumnValuesToBeBetween", {"column": name, "min_value": 0})
            )
        if column.type == "month":
            out.append(
                Expectation(
                    "ExpectColumnValuesToBeBetween",
                    {"column": name, "min_value": 1, "max_value": 12},
                )
            )
        if column.type == "year":
            out.append(
                Expectation(
                    "ExpectColumnValuesToBeBetween",
                    {"column": name, "min_value": year, "max_value": year},
                )
            )
        window = date_window(column, year)
        if window:
            out.append(
                Expectation(
                    "ExpectColumnValuesToBeBetween",
                    {"column": name, "min_value": window[0], "max_value": window[1]},
                )
            )
        if column.month_ok:
            out.append(
                Expectation(
                    "ExpectColumnValuesToBeInSet",
                    {"column": f"{name}_precision", "value_set": ["day", "month"]},
                )
            )
    key = list(table.key) + ([SNAPSHOT_COLUMN] if table.snapshot else [])
    if len(key) == 1:
        out.append(Expectation("ExpectColumnValuesToBeUnique", {"column": key[0]}))
    elif key:
        out.append(
            Expectation(
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": key, "ignore_row_if": "never"},
            )
        )
    out.append(
        Expectation(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": list(LINEAGE), "ignore_row_if": "never"},
        )
    )
    return out


def selected_columns(table: Table) -> list[str]:
    """The columns read for validation: the contract's (never personal data) and the lineage."""
    columns = []
    for column in table.columns:
        if column.pii:
            continue
        columns.append(column.name)
        if column.month_ok:
            columns.append(f"{column.name}_precision")
    if table.snapshot:
        columns.append(SNAPSHOT_COLUMN)
    return columns + list(LINEAGE)


@dataclass
class Failure:
    expectation: str
    column: str | None
    unexpected: int | None
    examples: list = field(default_factory=list)

    def describe(self) -> str:
        where = f" {self.column}" if self.column else ""
        count = f": {self.unexpected} 行 rows" if self.unexpected is not None else ""
        sample = f" e.g. {self.examples[:3]}" if self.examples else ""
        return f"{self.expectation}{where}{count}{sample}"


@dataclass
class SuiteResult:
    table: str
    model: str
    rows: int
    expectations: int
    failures: list[Failure] = field(default_factory=list)
    error: str | None = None

    @property
    def success(self) -> bool:
        return not self.failures and self.error is None

    @property
    def rows_affected(self) -> int:
        return sum(f.unexpected or 0 for f in self.failures)


# PostgreSQL's information_schema names -> DuckDB's, so one reading rule serves both engines
POSTGRES_TYPES = {
    "smallint": "SMALLINT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "double precision": "DOUBLE",
    "real": "FLOAT",
}


def _declared_types(con, model: str) -> dict[str, str]:
    """Column name -> the type the engine declares for it (information_schema, exact), in
    DuckDB's spelling: PostgreSQL's numeric(18,2) is DECIMAL(18,2), its varchar[] VARCHAR[]."""
    if dialect(con) != "postgres":
        return dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'intermediate' and table_name = ?",
                [model],
            ).fetchall()
        )
    rows = con.execute(
        "select column_name, data_type, numeric_precision, numeric_scale, udt_name "
        "from information_schema.columns where table_schema = 'intermediate' and table_name = ?",
        [model],
    ).fetchall()
    declared = {}
    for name, data_type, precision, scale, udt in rows:
        if data_type == "numeric":
            declared[name] = f"DECIMAL({precision},{scale})" if precision is not None else "NUMERIC"
        elif data_type == "ARRAY":
            element = POSTGRES_TYPES.get({"_varchar": "text", "_text": "text"}.get(udt, udt), udt)
            declared[name] = f"{element}[]"
        else:
            declared[name] = POSTGRES_TYPES.get(data_type, data_type.upper())
    return declared


def _pandas_column(array, declared: str):
    """One column as pandas, its dtype chosen from DuckDB's declared type (see INTEGER_TYPES)."""
    import pandas as pd
    import pyarrow as pa

    if declared.startswith("DECIMAL("):
        return array.cast(pa.float64()).to_numpy()
    if declared == "DATE":
        try:
            return array.cast(pa.timestamp("ns")).to_numpy()
        except pa.ArrowInvalid:  # a date outside 1677–2262: seconds hold it (GX compares per value)
            return array.cast(pa.timestamp("s")).to_numpy()
    if declared in INTEGER_TYPES or declared == "BOOLEAN":
        target = pa.int64() if declared in INTEGER_TYPES else pa.bool_()
        values = array.cast(target)
        if values.null_count == 0:
            return values.to_numpy()
        data = values.fill_null(False if target == pa.bool_() else 0).to_numpy()
        mask = values.is_null().to_numpy()
        if target == pa.bool_():
            return pd.arrays.BooleanArray(data, mask)
        return pd.arrays.IntegerArray(data, mask)
    if pa.types.is_string_view(array.type):
        array = array.cast(pa.string())
    return pd.arrays.ArrowExtensionArray(array.combine_chunks())


def _clean_rows(con, table: Table):
    """The table's clean rows as pandas, typed columns (None if the model does not exist)."""
    import pandas as pd

    model = classified_model(table.table)
    if not table_exists(con, "intermediate", model):
        return None
    declared = _declared_types(con, model)
    columns = [c for c in selected_columns(table) if c in declared]
    query = (
        f"select {', '.join(quote_identifier(c) for c in columns)} "
        f"from intermediate.{quote_identifier(model)} where row_status = 'clean'"
    )
    arrow = fetch_arrow(con, query)
    return pd.DataFrame(
        {name: _pandas_column(arrow.column(name), declared[name]) for name in columns},
        columns=columns,
    )


def configure_environment() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")


def _context(docs_dir: Path | None):
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if docs_dir is not None:
        sites["data-docs"] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites=sites,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _exception_messages(info: dict | None) -> list[str]:
    """GX reports an expectation's exception flat, or per failed metric (id -> details)."""
    if not info:
        return []
    if "exception_message" in info:
        return [info["exception_message"]] if info["exception_message"] else []
    return [
        str(detail["exception_message"])
        for detail in info.values()
        if isinstance(detail, dict) and detail.get("exception_message")
    ]


def _failures(outcome, frame) -> list[Failure]:
    failures = []
    for evaluated in outcome.results:
        if evaluated.success:
            continue
        config = evaluated.expectation_config
        column = config.kwargs.get("column")
        details = evaluated.result or {}
        unexpected = details.get("unexpected_count")
        examples = [str(v) for v in details.get("partial_unexpected_list") or []]
        if unexpected is None and "observed_value" in details and column in frame:
            # a column-level type check: every value of the column has the observed dtype
            unexpected = int(frame[column].notna().sum())
            examples = [str(frame[column].dtype)]
        failures.append(
            Failure(
                config.type,
                column or ",".join(config.kwargs.get("column_list", [])),
                unexpected,
                examples or _exception_messages(evaluated.exception_info),
            )
        )
    return failures


def _validate_table(context, datasource, table: Table, year: int, frame, specs: list[Expectation]):
    """Run one table's suite on its frame. A validation definition stores its results, which is
    what Data Docs render (a checkpoint around it would only add its own bookkeeping)."""
    import great_expectations as gx

    suite = context.suites.add(
        gx.ExpectationSuite(
            name=table.table,
            expectations=[getattr(gx.expectations, s.kind)(**s.kwargs) for s in specs],
        )
    )
    batch = datasource.add_dataframe_asset(table.table).add_batch_definition_whole_dataframe(
        "clean_rows"
    )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{table.table}_{year}", data=batch, suite=suite)
    )
    # GX holds on to what a run was given: the batch cache of the data source's execution engine
    # for as long as the context lives, and the frames of the run's internal pydantic errors
    # (reference cycles) until the next full garbage collection. Empty what they point to, so
    # that this table's rows are freed before the next table is read.
    parameters = {"dataframe": frame}
    try:
        outcome = definition.run(batch_parameters=parameters, result_format=RESULT_FORMAT)
        return _failures(outcome, frame)
    finally:
        parameters.clear()
        del frame
        batches = datasource.get_execution_engine().batch_manager
        batches.reset_batch_cache()
        batches.batch_data_cache.clear()


def validate_year(
    build_path: Path | str,
    year: int,
    docs_dir: Path | None = None,
    contract: Contract | None = None,
) -> list[SuiteResult]:
    """Validate every table's clean rows against its contract suite; write Data Docs to docs_dir."""
    configure_environment()

    contract = contract or load_contract()
    if docs_dir is not None and docs_dir.exists():
        shutil.rmtree(docs_dir)
    context = _context(docs_dir)
    datasource = context.data_sources.add_pandas(DATASOURCE)
    results: list[SuiteResult] = []
    with connect(build_path) as con:
        for table in contract.tables:
            model = classified_model(table.table)
            frame = _clean_rows(con, table)
            specs = suite_for(table, year)
            result = SuiteResult(table.table, model, 0 if frame is None else len(frame), len(specs))
            results.append(result)
            if frame is None:
                result.error = f"intermediate.{model} 不存在 does not exist"
                continue
            result.failures = _validate_table(context, datasource, table, year, frame, specs)
            del frame
    if docs_dir is not None:
        context.build_data_docs()
    return results
