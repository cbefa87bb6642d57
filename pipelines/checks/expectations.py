"""Great Expectations suites generated from the contract, validated on each table's clean rows.

One suite per landed table (contract.yml), built from what the contract declares about each column:
- its type (text → str, amount → Decimal, date → date, year/month/integer → int, flag → bool …),
  checked on the values as DuckDB hands them over, so a model whose column drifted to DOUBLE fails;
- required values (`nullable: false`), enum values (the English keys of `values`);
- ranges: amounts ≥ 0 (a negative amount is quarantined), months 1–12, a `year` column equal to the
  report year, dates inside their `window` (the fiscal year or the calendar year);
- uniqueness of the natural key (within one export for snapshot tables), and of the row's place
  (file, sheet, row number): every landed row is counted once.

The rows are `intermediate.int_<table>_classified` where row_status = 'clean', converted to pandas at
the boundary (one Python object per cell, the way GX's pandas engine checks value types). Personal
data columns (`pii`) are never read. Data Docs (HTML) are written to a folder the publication copies
to marts/<year>/data-docs/.

GX is imported inside validate_year only (it costs seconds); `prewarm()` starts that import in a
background thread so that a run pays for it while dbt builds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.contract import Column, Contract, Table, load_contract
from pipelines.sql import quote_identifier, table_exists

# Python type name of a value, per contract type, as DuckDB returns it (GX checks `type(v).__name__`).
VALUE_TYPES = {
    "text": ["str"],
    "identifier": ["str"],
    "department": ["str"],
    "department_list": ["list"],
    "amount": ["Decimal"],
    "decimal": ["Decimal"],
    "date": ["date"],
    "year": ["int"],
    "month": ["int"],
    "integer": ["int"],
    "enum": ["str"],
    "flag": ["bool"],
}
LINEAGE = ("file_name", "sheet_name", "row_number")
SNAPSHOT_COLUMN = "export_date"
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 10}


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


def date_window(column: Column, year: int) -> tuple[dt.date, dt.date] | None:
    if column.window == "fiscal_year":
        return dt.date(year - 1, 10, 1), dt.date(year + 1, 3, 31)
    if column.window == "year":
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    return None


def suite_for(table: Table, year: int) -> list[Expectation]:
    """The table's expectations, from the contract alone."""
    out: list[Expectation] = []
    for column in table.columns:
        if column.pii:
            continue
        name = column.name
        out.append(Expectation("ExpectColumnToExist", {"column": name}))
        out.append(
            Expectation(
                "ExpectColumnValuesToBeInTypeList",
                {"column": name, "type_list": VALUE_TYPES[column.type]},
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


def _clean_rows(con: duckdb.DuckDBPyConnection, table: Table):
    """The table's clean rows as pandas, one Python object per cell (None for NULL)."""
    import pandas as pd

    model = classified_model(table.table)
    if not table_exists(con, "intermediate", model):
        return None
    present = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'intermediate' and table_name = ?",
            [model],
        ).fetchall()
    }
    columns = [c for c in selected_columns(table) if c in present]
    query = (
        f"select {', '.join(quote_identifier(c) for c in columns)} "
        f"from intermediate.{quote_identifier(model)} where row_status = 'clean'"
    )
    arrow = con.sql(query).to_arrow_table()
    return pd.DataFrame(
        {name: pd.Series(arrow.column(name).to_pylist(), dtype=object) for name in columns},
        columns=columns,
    )


def _configure_environment() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")


def prewarm() -> threading.Thread:
    """Import GX in the background (a run calls this at its start; the check then finds it loaded)."""
    _configure_environment()

    def load() -> None:
        with contextlib.suppress(Exception):  # the check itself reports a broken installation
            import great_expectations  # noqa: F401

    thread = threading.Thread(target=load, name="gx-prewarm", daemon=True)
    thread.start()
    return thread


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


def validate_year(
    build_path: Path,
    year: int,
    docs_dir: Path | None = None,
    contract: Contract | None = None,
) -> list[SuiteResult]:
    """Validate every table's clean rows against its contract suite; write Data Docs to docs_dir."""
    _configure_environment()
    import great_expectations as gx

    contract = contract or load_contract()
    if docs_dir is not None and docs_dir.exists():
        shutil.rmtree(docs_dir)
    context = _context(docs_dir)
    datasource = context.data_sources.add_pandas("union_warehouse")
    results: list[SuiteResult] = []
    with duckdb.connect(str(build_path), read_only=True) as con:
        for table in contract.tables:
            model = classified_model(table.table)
            frame = _clean_rows(con, table)
            specs = suite_for(table, year)
            result = SuiteResult(table.table, model, 0 if frame is None else len(frame), len(specs))
            results.append(result)
            if frame is None:
                result.error = f"intermediate.{model} 不存在 does not exist"
                continue
            suite = context.suites.add(gx.ExpectationSuite(name=table.table))
            for spec in specs:
                suite.add_expectation(getattr(gx.expectations, spec.kind)(**spec.kwargs))
            batch = datasource.add_dataframe_asset(
                table.table
            ).add_batch_definition_whole_dataframe("clean_rows")
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{table.table}_{year}", data=batch, suite=suite)
            )
            checkpoint = context.checkpoints.add(
                gx.Checkpoint(
                    name=f"{table.table}_{year}",
                    validation_definitions=[definition],
                    result_format=RESULT_FORMAT,
                )
            )
            outcome = checkpoint.run(batch_parameters={"dataframe": frame})
            for run in outcome.run_results.values():
                for evaluated in run.results:
                    if evaluated.success:
                        continue
                    config = evaluated.expectation_config
                    details = evaluated.result or {}
                    exception = (evaluated.exception_info or {}).get("exception_message")
                    result.failures.append(
                        Failure(
                            config.type,
                            config.kwargs.get("column")
                            or ",".join(config.kwargs.get("column_list", [])),
                            details.get("unexpected_count"),
                            [str(v) for v in details.get("partial_unexpected_list") or []]
                            or ([exception] if exception else []),
                        )
                    )
    if docs_dir is not None:
        context.build_data_docs()
    return results
