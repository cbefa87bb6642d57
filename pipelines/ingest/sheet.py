"""One sheet's data rows: which rows are data, their typed values, their lineage.

Title rows sit above the header and are never read as data; below it, blank rows, repeated headers,
totals rows (`合计`/`总计`/`小计` in the first or second cell) and footers (`制表人：…`, `备注：…`)
are not data either. Totals rows are compared with the sum of the rows above (a warning when they
differ). Every other row is a data row and is landed, parsed or with its parse error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import polars as pl

from pipelines.contract import Column, Table, department_names_with_separators
from pipelines.ingest.merges import MERGED_ACROSS_COLUMNS, DataMerges, data_merges, filled
from pipelines.ingest.workbook import SheetGrid
from pipelines.parse.amounts import amount_expr
from pipelines.parse.dates import date_expr, month_expr, year_expr
from pipelines.parse.headers import HeaderMatch
from pipelines.parse.text import (
    compact_expr,
    department_list_expr,
    identifier_expr,
    normalize_header,
    normalize_header_expr,
    text_expr,
)
from pipelines.parse.values import coded_expr, decimal_expr, integer_expr

TOTAL_LABELS = {"合计", "总计", "小计"}
FOOTER_PATTERN = r"^\s*(制表人|制表|审核人|审核|填表人|填报人|复核人|负责人|单位负责人|经办人|记录人|统计人|备注|说明|注)\s*[:：]"
PII_MASK = "***"
LONE_LABEL_PATTERN = r"^[^\d\s:：]{1,8}[:：]"
EXPORT_DATE_LABEL = "导出日期"

_ROW_NUMBER = "_row_number"


@dataclass
class SheetRows:
    """The landed rows of one sheet and what was noticed on the way."""

    table: Table
    rows: pl.DataFrame
    warnings: list[dict] = field(default_factory=list)


def _kind_of_rows(body: pl.DataFrame, match: HeaderMatch) -> pl.Series:
    """Per body row: `data`, `blank`, `total`, `footer` or `header`.

    Cheap tests on every cell (is it blank?), costly ones on one or two columns: this runs on every
    row of every sheet."""
    header_cols = list(match.header_texts)
    blank_cells = {c: pl.col(c).is_null() | pl.col(c).str.contains(r"^\s*$") for c in header_cols}
    blank = pl.all_horizontal(list(blank_cells.values()))
    total = pl.any_horizontal(
        [compact_expr(pl.col(c)).is_in(list(TOTAL_LABELS)) for c in header_cols[:2]]
    )
    first_cell = text_expr(
        pl.coalesce([pl.when(blank_cells[c]).then(None).otherwise(pl.col(c)) for c in header_cols])
    )
    filled = pl.sum_horizontal([(~b).cast(pl.Int32) for b in blank_cells.values()])
    # A footer: a signature line (制表人：… 审核人：…), or any lone `label：value` cell (记录人：王静).
    footer = first_cell.str.contains(FOOTER_PATTERN) | (
        (filled == 1) & first_cell.str.contains(LONE_LABEL_PATTERN)
    )
    kind = (
        pl.when(blank)
        .then(pl.lit("blank"))
        .when(total)
        .then(pl.lit("total"))
        .when(footer.fill_null(False))
        .then(pl.lit("footer"))
        .otherwise(pl.lit("data"))
    )
    kinds = body.select(kind.alias("kind")).to_series()
    repeated = _repeated_header(body, match)
    if repeated is None:
        return kinds
    return pl.select(
        pl.when(repeated & (kinds == "data")).then(pl.lit("header")).otherwise(kinds)
    ).to_series()


def _repeated_header(body: pl.DataFrame, match: HeaderMatch) -> pl.Series | None:
    """Rows that repeat the header (a sheet pasted under another), or None when there is none: the
    first header cell is compared on every row, the others only when some row matched it."""
    texts = list(match.header_texts.items())
    first_column, first_text = texts[0]
    same_first = normalize_header_expr(pl.col(first_column)).fill_null("") == normalize_header(
        first_text
    )
    if not body.select(same_first.any()).item():
        return None
    same_all = pl.all_horizontal(
        [normalize_header_expr(pl.col(c)).fill_null("") == normalize_header(t) for c, t in texts]
    )
    return body.select(same_all.alias("header")).to_series()


def _typed(col: Column, source: pl.Expr, unit: str | None) -> tuple[list[pl.Expr], pl.Expr | None]:
    """The landed expressions for one contract column, and its parse-error expression."""
    name = col.name
    match col.type:
        case "text":
            return [text_expr(source).alias(name)], None
        case "identifier":
            return [identifier_expr(source).alias(name)], None
        case "department":
            return [compact_expr(source).alias(name)], None
        case "department_list":
            protected = department_names_with_separators()
            return [department_list_expr(source, protected).alias(name)], None
        case "amount":
            value, error = amount_expr(source, unit)
            return [value.alias(name)], error
        case "decimal":
            value, error = decimal_expr(source)
            return [value.alias(name)], error
        case "date":
            value, precision, error = date_expr(source, col.month_ok)
            exprs = [value.alias(name)]
            if col.month_ok:
                exprs.append(precision.alias(f"{name}_precision"))
            return exprs, error
        case "year":
            value, error = year_expr(source)
            return [value.alias(name)], error
        case "month":
            value, error = month_expr(source)
            return [value.alias(name)], error
        case "integer":
            value, error = integer_expr(source)
            return [value.alias(name)], error
        case "enum":
            value, error = coded_expr(source, col.values, pl.String)
            return [value.alias(name)], error
        case "flag":
            value, error = coded_expr(source, col.values, pl.Boolean)
            return [value.alias(name)], error
    raise ValueError(f"unknown contract type {col.type!r} of column {name}")


def _column_errors(
    col: Column, source: pl.Expr, parse_error: pl.Expr | None, formula_rows: list[int]
) -> pl.Expr:
    """The first error of one cell: formula without value, parse error, or a required blank.
    Each candidate appears once: Polars would evaluate a repeated sub-expression again."""
    candidates = [
        pl.when(pl.col(_ROW_NUMBER).is_in(formula_rows)).then(pl.lit("formula_without_value"))
    ]
    if parse_error is not None:
        candidates.append(parse_error)
    if not col.nullable:
        candidates.append(pl.when(compact_expr(source).is_null()).then(pl.lit("missing_value")))
    return pl.coalesce(candidates)


def _raw_values(body: pl.DataFrame, match: HeaderMatch) -> pl.Expr:
    """JSON of the row's cells keyed by header text; personal data masked."""
    pii = {match.columns[c.name] for c in match.table.columns if c.pii and c.name in match.columns}
    fields, seen = [], set()
    for grid_column, header in match.header_texts.items():
        key = header.strip()
        while key in seen:
            key += "'"
        seen.add(key)
        cell = pl.col(grid_column)
        if grid_column in pii:
            cell = pl.when(cell.is_null()).then(None).otherwise(pl.lit(PII_MASK))
        fields.append(cell.alias(key))
    return pl.struct(fields).struct.json_encode()


def _merge_columns(body: pl.DataFrame, merges: DataMerges, match: HeaderMatch) -> pl.DataFrame:
    """The body with its vertical merges filled, and three columns: the cells each row took from a
    merge (`_merged_from`), and for a row a merge across columns holds, its error and column."""
    merged_from = pl.lit(None, dtype=pl.String).alias("_merged_from")
    if merges.fills:
        body, merged_from = filled(body, merges)
    zh = {grid_column: match.table.column(name).zh for name, grid_column in match.columns.items()}
    labels = {
        row: zh.get(column, match.header_texts[column].strip())
        for row, column in merges.across_columns.items()
    }
    row = pl.int_range(pl.len())
    return body.with_columns(
        merged_from,
        pl.when(row.is_in(list(labels))).then(pl.lit(MERGED_ACROSS_COLUMNS)).alias("_across_code"),
        row.replace_strict(labels, default=None, return_dtype=pl.String).alias("_across_column"),
    )


def sheet_rows(
    grid: SheetGrid, match: HeaderMatch, lineage: dict[str, str]
) -> tuple[SheetRows, pl.DataFrame]:
    """Landed rows of a sheet (schema of raw.<table> minus `_export_date`), plus its totals rows."""
    table = match.table
    body = grid.cells.slice(match.header_index + 1)
    if grid.row_numbers is None:
        body = body.with_row_index(_ROW_NUMBER, offset=match.header_index + 2)
    else:  # a compacted sheet: each grid row knows its row number in the original sheet
        numbers = grid.row_numbers[match.header_index + 1 : match.header_index + 1 + body.height]
        body = body.with_columns(pl.Series(_ROW_NUMBER, numbers, dtype=pl.Int32))
    body = body.with_columns(pl.col(_ROW_NUMBER).cast(pl.Int32), _kind=_kind_of_rows(body, match))
    # which rows are data was read from the cells as sent; a merge then fills in their values
    merges = data_merges(body, grid.merged, match.header_index + 1, match.header_texts)
    body = _merge_columns(body, merges, match)
    exprs: list[pl.Expr] = []
    errors: list[tuple[str, pl.Expr]] = []
    for col in table.columns:
        grid_column = match.columns.get(col.name)
        source = pl.col(grid_column) if grid_column else pl.lit(None, dtype=pl.String)
        typed, parse_error = _typed(col, source, match.units.get(col.name))
        exprs.extend(typed)
        formula_rows = sorted(
            row
            for row, column in grid.formulas_without_value
            if grid_column and column == int(grid_column[1:])
        )
        errors.append((col.zh, _column_errors(col, source, parse_error, formula_rows)))
    # each column's error is computed once, as a column of its own; the row's first error and the
    # column it is in are then read from those columns
    error_columns = [f"_error_of_{i}" for i in range(len(errors))]
    typed = body.select(
        *exprs,
        *(pl.lit(v, dtype=pl.String).alias(k) for k, v in lineage.items()),
        pl.col(_ROW_NUMBER),
        _raw_values(body, match).alias("_raw_values"),
        pl.col("_merged_from"),
        *(e.alias(name) for (_, e), name in zip(errors, error_columns, strict=True)),
        pl.col("_across_code"),
        pl.col("_across_column"),
        pl.col("_kind"),
    )
    # a merge across columns is the row's first error: its cells are not guessed
    typed = typed.with_columns(
        pl.coalesce(["_across_code", *error_columns]).alias("_error_code"),
        pl.coalesce(
            [
                pl.col("_across_column"),
                *(
                    pl.when(pl.col(name).is_not_null()).then(pl.lit(zh))
                    for (zh, _), name in zip(errors, error_columns, strict=True)
                ),
            ]
        ).alias("_error_column"),
    ).drop(error_columns, "_across_code", "_across_column")
    data = typed.filter(pl.col("_kind") == "data").drop("_kind")
    totals = typed.filter(pl.col("_kind") == "total")
    warnings = _check_totals(typed, table, lineage)
    return SheetRows(table=table, rows=data, warnings=warnings), totals


def _check_totals(typed: pl.DataFrame, table: Table, lineage: dict[str, str]) -> list[dict]:
    """Compare each totals row with the sum of the data rows above it (a warning when they differ)."""
    amount_columns = [c for c in table.columns if c.type == "amount"]
    warnings: list[dict] = []
    if not amount_columns or typed.filter(pl.col("_kind") == "total").is_empty():
        return warnings
    # A total row's own value must not count: running sums of data rows only. A total matches when
    # it equals either every data row above it (合计/总计) or those since the previous total (小计).
    segment = (pl.col("_kind") == "total").cast(pl.Int32).cum_sum().shift(1, fill_value=0)
    data_only = typed.with_columns(_segment=segment).with_columns(
        [
            pl.when(pl.col("_kind") == "data")
            .then(pl.col(c.name))
            .otherwise(None)
            .fill_null(0)
            .cum_sum()
            .alias(f"_sum_{c.name}")
            for c in amount_columns
        ]
        + [
            pl.when(pl.col("_kind") == "data")
            .then(pl.col(c.name))
            .otherwise(None)
            .fill_null(0)
            .sum()
            .over("_segment")
            .alias(f"_part_{c.name}")
            for c in amount_columns
        ]
    )
    for row in data_only.filter(pl.col("_kind") == "total").iter_rows(named=True):
        for col in amount_columns:
            stated, computed = row[col.name], row[f"_sum_{col.name}"]
            if stated is None or Decimal(stated) in (
                Decimal(computed),
                Decimal(row[f"_part_{col.name}"]),
            ):
                continue
            warnings.append(
                {
                    **lineage,
                    "sheet_name": lineage["_sheet_name"],
                    "row_number": row[_ROW_NUMBER],
                    "column_name": col.zh,
                    "warning_code": "total_mismatch",
                    "message_zh": f"合计行与上方明细之和不符：合计 {stated}，明细之和 {computed}",
                    "message_en": f"totals row differs from the sum of the rows above: "
                    f"stated {stated}, sum {computed}",
                }
            )
    return warnings


def export_date_in_cells(grid: SheetGrid, match: HeaderMatch) -> date | None:
    """The `导出日期` written above a proposals header: in one cell, or as label and value."""
    above = grid.cells.head(match.header_index)
    for row in above.iter_rows():
        cells = [str(v).strip() for v in row if v is not None and str(v).strip()]
        for i, cell in enumerate(cells):
            if EXPORT_DATE_LABEL not in cell:
                continue
            rest = re.sub(rf"^.*{EXPORT_DATE_LABEL}\s*[:：]?\s*", "", cell)
            candidate = rest or (cells[i + 1] if i + 1 < len(cells) else "")
            parsed = parse_one_date(candidate)
            if parsed:
                return parsed
    return None


def parse_one_date(text: str) -> date | None:
    value, _, error = date_expr(pl.lit(text, dtype=pl.String))
    result = pl.select(value.alias("d"), error.alias("e")).row(0)
    return result[0] if result[1] is None else None
