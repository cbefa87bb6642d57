"""The raw-data contract, loaded once from contract.yml.

Everything that depends on what a source looks like (header detection, parsing, the landed schema,
quality suites, documentation) reads it from here, so a new column is one edit in contract.yml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from functools import cache
from pathlib import Path

import yaml

from pipelines.errors import UnionWarehouseError
from pipelines.parse.text import LIST_SEPARATORS, normalize_header, to_halfwidth
from pipelines.settings import DBT_PROJECT_DIR

CONTRACT_PATH = Path(__file__).with_name("contract.yml")
DEPARTMENTS_SEED = DBT_PROJECT_DIR / "seeds" / "departments.csv"

DUCKDB_TYPES = {
    "text": "VARCHAR",
    "identifier": "VARCHAR",
    "department": "VARCHAR",
    "department_list": "VARCHAR[]",
    "amount": "DECIMAL(18,2)",
    "decimal": "DECIMAL(18,4)",
    "date": "DATE",
    "year": "INTEGER",
    "month": "INTEGER",
    "integer": "BIGINT",
    "enum": "VARCHAR",
    "flag": "BOOLEAN",
}

LINEAGE_COLUMNS = {
    "_source": "VARCHAR",
    "_file_name": "VARCHAR",
    "_file_sha256": "VARCHAR",
    "_sheet_name": "VARCHAR",
    "_row_number": "INTEGER",
    "_raw_values": "VARCHAR",
    "_merged_from": "VARCHAR",
    "_error_code": "VARCHAR",
    "_error_column": "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    type: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    nullable: bool = True
    month_ok: bool = False
    values: dict[str, object] = field(default_factory=dict)
    pii: bool = False
    wide: bool = False
    window: str | None = None  # (date) the dates a clean row may carry: `fiscal_year` or `year`

    @property
    def header_names(self) -> tuple[str, ...]:
        """Every spelling that names this column, normalized for matching."""
        return tuple(dict.fromkeys(normalize_header(n) for n in (self.zh, *self.aliases)))

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class Table:
    table: str
    source: str
    zh: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    snapshot: bool = False

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def header_threshold(self) -> int:
        """How many distinct column names a row must hold to be this table's header."""
        return min(3, len(self.columns))

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def landed_schema(self) -> dict[str, str]:
        """Column name -> DuckDB type of raw.<table>, in order (docs/architecture.md)."""
        schema: dict[str, str] = {}
        for col in self.columns:
            schema[col.name] = col.duckdb_type
            if col.month_ok:
                schema[f"{col.name}_precision"] = "VARCHAR"
        schema.update(LINEAGE_COLUMNS)
        if self.snapshot:
            schema["_export_date"] = "DATE"
        return schema


@dataclass(frozen=True)
class QuarantineLimit:
    """How much of a source may be quarantined before the year is not published: more than
    max(share × rows read, rows) quarantined rows stops it (contract.yml, quarantine_limits)."""

    share: Decimal
    rows: int

    def allowed_rows(self, rows_read: int) -> int:
        """The most quarantined rows the source may have (the share's part rounded down)."""
        by_share = (self.share * rows_read).to_integral_value(rounding=ROUND_FLOOR)
        return max(int(by_share), self.rows)

    def is_exceeded(self, rows_read: int, rows_quarantined: int) -> bool:
        return rows_quarantined > self.allowed_rows(rows_read)


@dataclass(frozen=True)
class Contract:
    tables: tuple[Table, ...]
    quarantine_limits: dict[str, QuarantineLimit] = field(default_factory=dict)
    default_quarantine_limit: QuarantineLimit = QuarantineLimit(Decimal("0.10"), 20)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.source for t in self.tables))

    def tables_of(self, source: str) -> tuple[Table, ...]:
        return tuple(t for t in self.tables if t.source == source)

    def require_sources(self, names: list[str], where: str) -> list[str]:
        """`names`, each a source of the contract; otherwise an error naming `where` they came
        from (an option, a form field) and the sources there are."""
        unknown = [n for n in names if n not in self.sources]
        if unknown:
            raise UnionWarehouseError(
                f"{where} 的来源未知：{'、'.join(unknown)}（可用：{'、'.join(self.sources)}）",
                f"{where} names unknown source(s) {', '.join(unknown)} "
                f"(known: {', '.join(self.sources)})",
            )
        return names

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.table == name)

    def quarantine_limit(self, source: str) -> QuarantineLimit:
        return self.quarantine_limits.get(source, self.default_quarantine_limit)


def _column(raw: dict, common_aliases: dict[str, list[str]]) -> Column:
    aliases = tuple(raw.get("aliases", ()))
    for spellings in common_aliases.values():
        if raw["zh"] in spellings:
            aliases = tuple(a for a in spellings if a != raw["zh"]) + aliases
    values = {str(k): v for k, v in (raw.get("values") or {}).items()}
    return Column(
        name=raw["name"],
        zh=raw["zh"],
        type=raw["type"],
        aliases=aliases,
        required=bool(raw.get("required", False)),
        nullable=bool(raw.get("nullable", True)),
        month_ok=bool(raw.get("month_ok", False)),
        values=values,
        pii=bool(raw.get("pii", False)),
        wide=bool(raw.get("wide", False)),
        window=raw.get("window"),
    )


def _quarantine_limit(raw: dict, base: QuarantineLimit | None, where: str) -> QuarantineLimit:
    share = Decimal(str(raw["share"])) if "share" in raw else getattr(base, "share", None)
    rows = raw.get("rows", getattr(base, "rows", None))
    if (
        share is None
        or rows is None
        or not 0 <= share <= 1
        or not isinstance(rows, int)
        or rows < 0
    ):
        raise ValueError(
            f"contract.yml quarantine_limits {where}: share must be 0 to 1 and rows a count "
            f"of 0 or more (got share {share}, rows {rows})"
        )
    return QuarantineLimit(share, rows)


def _quarantine_limits(raw: dict, sources: tuple[str, ...]) -> tuple[QuarantineLimit, dict]:
    default = _quarantine_limit(raw["default"], None, "default")
    limits = {}
    for source, spec in (raw.get("sources") or {}).items():
        if source not in sources:
            raise ValueError(f"contract.yml quarantine_limits: unknown source {source!r}")
        limits[source] = _quarantine_limit(spec, default, source)
    return default, limits


@cache
def load_contract(path: Path = CONTRACT_PATH) -> Contract:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    common = doc["common_aliases"]
    tables = tuple(
        Table(
            table=t["table"],
            source=t["source"],
            zh=t["zh"],
            key=tuple(t.get("key") or ()),
            columns=tuple(_column(c, common) for c in t["columns"]),
            snapshot=bool(t.get("snapshot", False)),
        )
        for t in doc["tables"]
    )
    sources = tuple(dict.fromkeys(t.source for t in tables))
    default, limits = _quarantine_limits(doc["quarantine_limits"], sources)
    return Contract(tables=tables, quarantine_limits=limits, default_quarantine_limit=default)


@cache
def department_names_with_separators(seed: Path = DEPARTMENTS_SEED) -> tuple[str, ...]:
    """Department names and aliases that contain a list separator (`党委办公室、校长办公室`), so a
    list of departments is not split inside them. Longest first, so the longest name wins."""
    import csv

    names: set[str] = set()
    with seed.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            for name in [row["department_name"], *(row.get("aliases") or "").split("|")]:
                compact = "".join(to_halfwidth(name).split())
                if compact and any(sep in compact for sep in LIST_SEPARATORS):
                    names.add(compact)
    return tuple(sorted(names, key=lambda n: (-len(n), n)))
