"""What the report reads from the published warehouse, opened read-only.

The report needs `marts.report_figures`; everything else is optional and read defensively (a missing
table or column leaves its part of the report out with a note, never an error):

| table | columns used (first that exists) |
|---|---|
| `marts.report_figures` | year, figure_key, section, label_zh, value, unit, display_zh, source_rows, sources |
| `marts.figure_history` | figure_key, year, previous_value, change, display_zh (the year-over-year change) |
| `marts.spending_by_category` | year, month, category, amount, budget_amount, payments |
| `marts.proposal_completion` | year, a department (`lead_department_name` …), proposals, completed |
| `marts.participation` | year, a department, members, participants, participation rate |
| `audit.load_log` | file_name, file_sha256 (to name a source given by hash), rows read/clean/… |
| a checks table (`audit.checks`, `audit.reconciliation_checks`, …) | check name, status, figure_key |

When no checks table is published, the dbt tests of the last dbt run (`dbt_project/target`) are listed.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.db.connect import quote_identifier as quote
from pipelines.errors import UnionWarehouseError
from pipelines.publish.manifest import read_manifest
from pipelines.report.numbers import to_decimal
from pipelines.settings import DBT_PROJECT_DIR, DBT_TARGET_DIR

CATEGORY_SEED = DBT_PROJECT_DIR / "seeds" / "spending_categories.csv"
DEPARTMENT_SEED = DBT_PROJECT_DIR / "seeds" / "departments.csv"

_HEX = re.compile(r"\b[0-9a-fA-F]{8,64}\b")


class WarehouseMissing(UnionWarehouseError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"找不到发布的仓库文件 {path}（请先运行 unionwh run）",
            f"published warehouse {path} not found (run `unionwh run` first)",
        )


class FiguresMissing(UnionWarehouseError):
    def __init__(self, path: Path, year: int) -> None:
        super().__init__(
            f"仓库 {path} 中没有 {year} 年的 marts.report_figures",
            f"no marts.report_figures rows for {year} in {path}",
        )


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """The published warehouse, read-only and with no access to other files."""
    path = Path(path)
    if not path.exists():
        raise WarehouseMissing(path)
    return duckdb.connect(str(path), read_only=True, config={"enable_external_access": False})


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows]


def tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [
        (s, t)
        for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog') order by 1, 2"
        ).fetchall()
    ]


def pick(columns: Sequence[str], *candidates: str) -> str | None:
    """The first candidate column that exists."""
    present = set(columns)
    return next((c for c in candidates if c in present), None)


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence = ()) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    name: str
    sha256: str | None

    @property
    def sha_prefix(self) -> str:
        return (self.sha256 or "")[:12]


@dataclass
class Figure:
    year: int
    key: str
    section: str | None
    label_zh: str | None
    value: Decimal | None
    unit: str | None
    display_zh: str | None
    source_rows: int | None
    sources: list[SourceFile] = field(default_factory=list)
    order: int = 0


def parse_sources(raw, names_by_hash: dict[str, str] | None = None) -> list[SourceFile]:
    """The `sources` column, whatever shape it has: a list of structs, a list of strings
    (`welfare/2023-06.xlsx@<sha256>`, `<sha256>`), a JSON text or a `;`-separated text."""
    names_by_hash = names_by_hash or {}
    if raw is None:
        return []
    if isinstance(raw, str):
        text = raw.strip()
        if text[:1] in "[{":
            try:
                return parse_sources(json.loads(text), names_by_hash)
            except json.JSONDecodeError:
                pass
        items: Iterable = [t for t in re.split(r"[;\n|]+", text) if t.strip()]
        if len(items) == 1 and "," in text:
            items = [t for t in text.split(",") if t.strip()]
    elif isinstance(raw, dict):
        items = [raw]
    else:
        items = list(raw)
    found: list[SourceFile] = []
    for item in items:
        source = _one_source(item, names_by_hash)
        if source and source not in found:
            found.append(source)
    return found


def _one_source(item, names_by_hash: dict[str, str]) -> SourceFile | None:
    if isinstance(item, dict):
        name = next(
            (item[k] for k in ("file_name", "name", "file", "path", "source") if item.get(k)), None
        )
        sha = next(
            (
                item[k]
                for k in ("file_sha256", "sha256", "hash", "sha", "content_hash")
                if item.get(k)
            ),
            None,
        )
        return SourceFile(str(name or names_by_hash.get(sha or "", "?")), sha)
    text = str(item).strip()
    if not text:
        return None
    match = _HEX.search(text)
    sha = match.group(0).lower() if match else None
    name = text
    if match:
        name = (text[: match.start()] + text[match.end() :]).strip(" @:#()[]<>'\"")
    if not name:
        name = _name_for_hash(sha, names_by_hash) or "?"
    return SourceFile(name, sha)


def _name_for_hash(sha: str | None, names_by_hash: dict[str, str]) -> str | None:
    if not sha:
        return None
    return next(
        (n for h, n in names_by_hash.items() if h.startswith(sha) or sha.startswith(h)), None
    )


def file_names_by_hash(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """sha256 -> file name, from any published audit table that has both (load_log)."""
    names: dict[str, str] = {}
    for schema, table in tables(con):
        columns = table_columns(con, schema, table)
        if {"file_name", "file_sha256"} <= set(columns):
            for name, sha in con.execute(
                f"select distinct file_name, file_sha256 from {quote(schema)}.{quote(table)} "
                "where file_sha256 is not null"
            ).fetchall():
                names.setdefault(str(sha).lower(), str(name))
    return names


def load_figures(con: duckdb.DuckDBPyConnection, year: int) -> list[Figure]:
    """The year's rows of `marts.report_figures`, in the order the figure definitions give."""
    columns = table_columns(con, "marts", "report_figures")
    if not columns:
        return []
    wanted = [
        "year",
        "figure_key",
        "section",
        "label_zh",
        "value",
        "unit",
        "display_zh",
        "source_rows",
        "sources",
        "figure_order",
    ]
    select = ", ".join(quote(c) if c in columns else f"null as {quote(c)}" for c in wanted)
    order = "figure_order, figure_key" if "figure_order" in columns else "figure_key"
    rows = fetch_dicts(
        con,
        f"select {select} from marts.report_figures where year = ? order by {order}",
        [year],
    )
    names = file_names_by_hash(con)
    return [
        Figure(
            year=int(r["year"]),
            key=r["figure_key"],
            section=r["section"],
            label_zh=r["label_zh"],
            value=to_decimal(r["value"]),
            unit=r["unit"],
            display_zh=r["display_zh"],
            source_rows=None if r["source_rows"] is None else int(r["source_rows"]),
            sources=parse_sources(r["sources"], names),
            order=index,
        )
        for index, r in enumerate(rows)
    ]


def figure_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    if not table_columns(con, "marts", "report_figures"):
        return []
    return [
        r[0]
        for r in con.execute("select distinct year from marts.report_figures order by 1").fetchall()
    ]


@dataclass(frozen=True)
class FigureChange:
    """One figure's change against the year before, as marts.figure_history has it."""

    key: str
    has_previous: bool  # the figure has a row in the year before (its value may be null)
    previous_value: Decimal | None
    previous_display: str | None
    change: Decimal | None


def figure_changes(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, FigureChange] | None:
    """The year's figures against the year before, from `marts.figure_history` (the published
    warehouse's view over every year). None when the warehouse has no figure history or no figure
    of the year before: the report then shows no year-over-year change."""
    columns = table_columns(con, "marts", "figure_history")
    if not {"figure_key", "year", "previous_value", "change"} <= set(columns):
        return None
    has_previous = con.execute(
        "select count(*) from marts.figure_history where year = ?", [year - 1]
    ).fetchall()[0][0]
    if not has_previous:
        return None
    rows = fetch_dicts(
        con,
        """
        select history.figure_key, history.previous_value, history.change,
               previous.display_zh as previous_display,
               previous.figure_key is not null as has_previous
        from marts.figure_history as history
        left join marts.figure_history as previous
            on previous.figure_key = history.figure_key and previous.year = history.year - 1
        where history.year = ?
        """,
        [year],
    )
    return {
        r["figure_key"]: FigureChange(
            key=r["figure_key"],
            has_previous=bool(r["has_previous"]),
            previous_value=to_decimal(r["previous_value"]),
            previous_display=r["previous_display"],
            change=to_decimal(r["change"]),
        )
        for r in rows
    }


# --- the tables behind the charts --------------------------------------------------------------


def _labels(seed: Path, key: str, label: str) -> dict[str, str]:
    if not seed.exists():
        return {}
    with seed.open(encoding="utf-8") as handle:
        return {row[key]: row[label] for row in csv.DictReader(handle)}


def category_labels() -> dict[str, str]:
    return _labels(CATEGORY_SEED, "category_key", "category_zh")


def category_order() -> dict[str, int]:
    if not CATEGORY_SEED.exists():
        return {}
    with CATEGORY_SEED.open(encoding="utf-8") as handle:
        return {row["category_key"]: int(row["category_order"]) for row in csv.DictReader(handle)}


def department_labels() -> dict[str, str]:
    return _labels(DEPARTMENT_SEED, "department_code", "department_name")


def _year_filter(columns: Sequence[str]) -> str:
    return "where year = ?" if "year" in columns else "where ? is not null"


def spending_by_category(con: duckdb.DuckDBPyConnection, year: int) -> list[dict] | None:
    """Per category: amount, budget, share of budget used, payments. None if the mart is missing."""
    columns = table_columns(con, "marts", "spending_by_category")
    category = pick(columns, "category", "category_key", "spending_category")
    amount = pick(columns, "amount", "amount_yuan")
    if not category or not amount:
        return None
    label = pick(columns, "category_zh", "category_name")
    budget = pick(columns, "budget_amount", "budget")
    payments = pick(columns, "payments", "payment_count", "rows")
    rows = fetch_dicts(
        con,
        f"""
        select
            {quote(category)} as category,
            {f"any_value({quote(label)})" if label else "null"} as category_zh,
            sum({quote(amount)}) as amount,
            {f"count(distinct {quote(budget)})" if budget else "0"} as budget_values,
            {f"max({quote(budget)})" if budget else "null"} as budget_one,
            {f"sum({quote(budget)})" if budget else "null"} as budget_sum,
            {f"sum({quote(payments)})" if payments else "null"} as payments
        from marts.spending_by_category
        {_year_filter(columns)}
        group by 1
        """,
        [year],
    )
    labels, order = category_labels(), category_order()
    result = []
    for r in rows:
        # The budget is one number per category; a mart at a finer grain repeats it on every row.
        budget_value = r["budget_one"] if r["budget_values"] <= 1 else r["budget_sum"]
        amount_value = to_decimal(r["amount"]) or Decimal(0)
        budget_value = to_decimal(budget_value)
        result.append(
            {
                "category": r["category"],
                "label": r["category_zh"] or labels.get(r["category"], r["category"]),
                "amount": amount_value,
                "budget": budget_value,
                "share_used": (amount_value / budget_value) if budget_value else None,
                "payments": r["payments"],
            }
        )
    result.sort(key=lambda r: (order.get(r["category"], 999), -r["amount"]))
    return result


def spending_by_month(con: duckdb.DuckDBPyConnection, year: int) -> list[dict] | None:
    """Per month of payment. The fiscal year runs from October of the year before, so months are
    told apart by `month_start` when the mart has it (2022年12月 is not 2023年12月)."""
    columns = table_columns(con, "marts", "spending_by_category")
    start = pick(columns, "month_start")
    month = pick(columns, "month", "paid_month")
    amount = pick(columns, "amount", "amount_yuan")
    if not (start or month) or not amount:
        return None
    key = (
        f"year({quote(start)}) as calendar_year, month({quote(start)}) as month"
        if start
        else f"null as calendar_year, {quote(month)} as month"
    )
    rows = fetch_dicts(
        con,
        f"""
        select {key}, sum({quote(amount)}) as amount
        from marts.spending_by_category {_year_filter(columns)}
        group by all order by 1 nulls first, 2 nulls last
        """,
        [year],
    )
    return [
        {
            "calendar_year": r["calendar_year"],
            "month": r["month"],
            "label": month_label(r["calendar_year"], r["month"], year),
            "amount": to_decimal(r["amount"]) or Decimal(0),
        }
        for r in rows
    ]


def month_label(calendar_year: int | None, month: int | None, year: int) -> str:
    if month is None:
        return "未知"
    if calendar_year is None or calendar_year == year:
        return f"{month}月"
    return f"{calendar_year}年{month}月"


def _department_expr(columns: Sequence[str], prefix: str = "") -> str | None:
    name = pick(
        columns,
        f"{prefix}department_name",
        "lead_department_name",
        "handling_department_name",
        "department_name",
        "department_zh",
    )
    code = pick(columns, f"{prefix}department_code", "lead_department_code", "department_code")
    if name and code:
        return f"coalesce({quote(name)}, {quote(code)})"
    if name or code:
        return quote(name or code)
    return None


def proposal_completion(con: duckdb.DuckDBPyConnection, year: int) -> list[dict] | None:
    """Per handling (承办) department: accepted proposals, completed, completion rate; congress
    total rows (department_code 'ALL') are left out, and so are rows with nothing to handle."""
    columns = table_columns(con, "marts", "proposal_completion")
    department = _department_expr(columns, "lead_")
    if not columns or not department:
        return None
    code = pick(columns, "lead_department_code", "department_code")
    not_total = f"and coalesce({quote(code)}, '') not in ('ALL', 'all', '全部')" if code else ""
    total = pick(columns, "accepted", "proposals_accepted", "proposals", "assigned", "total")
    completed = pick(columns, "completed", "proposals_completed", "closed")
    if "proposal_id" in columns and not (total and completed):
        status = pick(columns, "handling_status", "status")
        accepted = pick(columns, "is_accepted", "accepted")
        where = f"and {quote(accepted)}" if accepted else ""
        sql = f"""
            select {department} as department, count(*) as total,
                   count(*) filter (where {quote(status) if status else "null"} = 'completed') as completed
            from marts.proposal_completion {_year_filter(columns)} {where}
            group by 1
        """
    elif total and completed:
        sql = f"""
            select {department} as department, sum({quote(total)}) as total,
                   sum({quote(completed)}) as completed
            from marts.proposal_completion {_year_filter(columns)} {not_total}
            group by 1
            having sum({quote(total)}) > 0
        """
    else:
        return None
    rows = fetch_dicts(con, sql, [year])
    return _rated(rows, "total", "completed", "rate")


def participation(con: duckdb.DuckDBPyConnection, year: int) -> list[dict] | None:
    """Per department: members, participants, participation rate (and participations per member
    where the mart counts participations).

    `marts.participation_by_department` has them over the whole year. Without it (a warehouse
    published before it existed): a mart split by activity category (`marts.participation` is)
    counts a member once per category, so a department's distinct participants are not the sum
    over categories. A whole-year row per department (category null or `all`) is used when there
    is one; otherwise the largest category's participants are the lower bound the report shows,
    and says so."""
    whole_year = _participation_by_department(con, year)
    if whole_year is not None:
        return whole_year
    columns = table_columns(con, "marts", "participation")
    department = _department_expr(columns)
    members = pick(columns, "members", "member_count", "headcount")
    participants = pick(columns, "participants", "participant_count", "participating_members")
    if not columns or not department or not (members and participants):
        return None
    times = pick(columns, "participations", "participation_count")
    scope = _whole_year_scope(con, columns)
    rows = fetch_dicts(
        con,
        f"""
        select {department} as department,
               max({quote(members)}) as total,
               {"max" if scope["per_category"] else "sum"}({quote(participants)}) as completed,
               {f"sum({quote(times)})" if times else "null"} as participations
        from marts.participation {_year_filter(columns)} {scope["where"]}
        group by 1
        """,
        [year],
    )
    out = []
    for r in _rated(rows, "total", "completed", "rate"):
        count = r["participations"]
        out.append(
            {
                "department": r["department"],
                "members": r["total"],
                "participants": r["completed"],
                "rate": r["rate"],
                "participations": count,
                "per_member": (Decimal(count) / r["total"])
                if count is not None and r["total"]
                else None,
                "lower_bound": scope["per_category"],
            }
        )
    return out


def _participation_by_department(con: duckdb.DuckDBPyConnection, year: int) -> list[dict] | None:
    columns = table_columns(con, "marts", "participation_by_department")
    if not {"department_name", "members", "participants", "participations"} <= set(columns):
        return None
    rows = fetch_dicts(
        con,
        """
        select coalesce(department_name, department_code) as department, members as total,
               participants as completed, participations
        from marts.participation_by_department where year = ?
        """,
        [year],
    )
    return [
        {
            "department": r["department"],
            "members": r["total"],
            "participants": r["completed"],
            "rate": r["rate"],
            "participations": r["participations"],
            "per_member": Decimal(r["participations"]) / r["total"] if r["total"] else None,
            "lower_bound": False,
        }
        for r in _rated(rows, "total", "completed", "rate")
    ]


def _whole_year_scope(con, columns: Sequence[str]) -> dict:
    category = pick(columns, "activity_category", "category")
    if not category:
        return {"where": "", "per_category": False}
    has_all = con.execute(
        f"select count(*) from marts.participation where {quote(category)} is null "
        f"or {quote(category)} in ('all', '全部', '合计')"
    ).fetchall()[0][0]
    if has_all:
        return {
            "where": f"and ({quote(category)} is null or {quote(category)} in ('all', '全部', '合计'))",
            "per_category": False,
        }
    return {"where": "", "per_category": True}


def _rated(rows: list[dict], total: str, part: str, rate: str) -> list[dict]:
    """Rows with their rate (part / total), highest first; department codes named."""
    labels = department_labels()
    out = []
    for r in rows:
        t, p = to_decimal(r[total]) or Decimal(0), to_decimal(r[part]) or Decimal(0)
        out.append(
            {
                **r,
                "department": labels.get(r["department"], r["department"]) or "未归属部门",
                total: int(t),
                part: int(p),
                rate: (p / t) if t else None,
            }
        )
    out.sort(key=lambda r: (-(r[rate] if r[rate] is not None else Decimal(-1)), r["department"]))
    return out


# --- lineage: files and checks -----------------------------------------------------------------


def load_log(con: duckdb.DuckDBPyConnection, year: int) -> list[dict] | None:
    columns = table_columns(con, "audit", "load_log")
    if not columns or "file_name" not in columns:
        return None
    wanted = [
        c
        for c in (
            "source",
            "file_name",
            "file_sha256",
            "rows_read",
            "rows_clean",
            "rows_duplicate",
            "rows_quarantined",
        )
        if c in columns
    ]
    order = ", ".join(quote(c) for c in wanted[:2])
    return fetch_dicts(
        con,
        f"select {', '.join(quote(c) for c in wanted)} from audit.load_log "
        f"{_year_filter(columns)} order by {order}",
        [year],
    )


PASS, WARN, FAIL, SKIP = "pass", "warn", "fail", "skip"


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    figure_key: str | None = None
    detail: str | None = None
    origin: str = "warehouse"
    outcome: str = ""  # pass, warn (found rows, severity warn), fail (or error), skip (not run)
    table: str | None = None  # the table (dbt model) it checks, when known

    def __post_init__(self) -> None:
        if not self.outcome:
            object.__setattr__(self, "outcome", PASS if self.passed else FAIL)


_CHECK_TABLE = re.compile(r"check|reconcil", re.I)


def checks_from_warehouse(con: duckdb.DuckDBPyConnection, year: int) -> list[Check] | None:
    """Rows of a published checks table, or None when the warehouse has none."""
    for schema, table in tables(con):
        if schema not in ("audit", "marts") or not _CHECK_TABLE.search(table):
            continue
        columns = table_columns(con, schema, table)
        name = pick(columns, "check_name", "check_key", "check_id", "check", "name", "test_name")
        status = pick(columns, "passed", "status", "outcome", "result", "check_status")
        if not name or not status:
            continue
        figure = pick(columns, "figure_key")
        detail = pick(columns, "description", "message_zh", "message", "detail", "details")
        about = pick(columns, "table_name", "model", "asset", "asset_key")
        rows = fetch_dicts(
            con,
            f"select {quote(name)} as name, {quote(status)} as status, "
            f"{quote(figure) if figure else 'null'} as figure_key, "
            f"{quote(detail) if detail else 'null'} as detail, "
            f"{quote(about) if about else 'null'} as about "
            f"from {quote(schema)}.{quote(table)} {_year_filter(columns)} order by 1",
            [year],
        )
        return [
            Check(
                str(r["name"]),
                _outcome(r["status"]) == PASS,
                r["figure_key"],
                r["detail"],
                f"{schema}.{table}",
                _outcome(r["status"]),
                r["about"] or ("report_figures" if r["figure_key"] else f"{schema}.{table}"),
            )
            for r in rows
        ]
    return None


def _outcome(status) -> str:
    if isinstance(status, bool):
        return PASS if status else FAIL
    text = str(status).strip().lower()
    if text in {"pass", "passed", "ok", "success", "true", "通过"}:
        return PASS
    if text in {"warn", "warning", "warned", "警告"}:
        return WARN
    if text in {"skip", "skipped", "未运行"}:
        return SKIP
    return FAIL


def checks_from_dbt(target_dir: Path = DBT_TARGET_DIR) -> list[Check]:
    """The dbt tests of the last dbt run (run_results.json), named as dbt names them."""
    results_path = Path(target_dir) / "run_results.json"
    if not results_path.exists():
        return []
    results = json.loads(results_path.read_text(encoding="utf-8")).get("results", [])
    nodes = {}
    # the run's own run_results name the test and its model; dbt's need its manifest.json, and a
    # singular test (tests/assert_*.sql) is attached to no model: the project's manifest says
    # which it reads
    for manifest_path in (Path(target_dir) / "manifest.json", DBT_TARGET_DIR / "manifest.json"):
        if manifest_path.exists():
            nodes = json.loads(manifest_path.read_text(encoding="utf-8")).get("nodes", {})
            break
    checks = []
    for result in results:
        unique_id = result.get("unique_id", "")
        if not unique_id.startswith(("test.", "unit_test.")):
            continue
        node = nodes.get(unique_id, {})
        attached_node = result.get("attached_node") or node.get("attached_node") or ""
        attached = attached_node.rsplit(".", 1)[-1] or None
        reads = [n for n in node.get("depends_on", {}).get("nodes", []) if n.startswith("model.")]
        outcome = _outcome(result.get("status"))
        checks.append(
            Check(
                name=result.get("name") or node.get("name") or unique_id.split(".")[2],
                passed=outcome == PASS,
                figure_key=None,
                detail=attached,
                origin="dbt",
                outcome=outcome,
                table=attached or (reads[0].rsplit(".", 1)[-1] if reads else None),
            )
        )
    return sorted(checks, key=lambda c: c.name)


def quarantine_accepted(manifest_path: Path | None) -> list[dict]:
    """The sources the publication let through by --accept-quarantine (its manifest's
    quarantine_accepted: source, share, and the gate's message)."""
    manifest = read_manifest(Path(manifest_path)) if manifest_path is not None else None
    return list((manifest or {}).get("quarantine_accepted") or [])


@dataclass(frozen=True)
class CheckTally:
    """The checks on one table: how many ran, passed, warned and failed."""

    table: str
    ran: int
    passed: int
    warned: int
    failed: int


def tally_checks(checks: Sequence[Check]) -> list[CheckTally]:
    """Per table, the checks that ran and how they ended: tables with a failure first, then
    those with a warning, then by name. A skipped check did not run and is not counted."""
    tables: dict[str, list[Check]] = {}
    for check in checks:
        if check.outcome != SKIP:
            tables.setdefault(check.table or check.origin, []).append(check)
    tallies = [
        CheckTally(
            table,
            len(ran),
            sum(c.outcome == PASS for c in ran),
            sum(c.outcome == WARN for c in ran),
            sum(c.outcome == FAIL for c in ran),
        )
        for table, ran in tables.items()
    ]
    return sorted(tallies, key=lambda t: (-t.failed, -t.warned, t.table))


def failed_first(checks: Sequence[Check]) -> list[Check]:
    """The checks that failed, then those that warned, each by name: what a reader must see."""
    order = {FAIL: 0, WARN: 1}
    return sorted(
        (c for c in checks if c.outcome in order), key=lambda c: (order[c.outcome], c.name)
    )


def checks_for_figure(checks: Sequence[Check], key: str) -> list[Check]:
    """Checks about one figure: by its figure_key, or naming it (dots or underscores)."""
    underscored = key.replace(".", "_")
    return [
        c
        for c in checks
        if c.figure_key == key
        or (c.figure_key is None and (key in c.name or underscored in c.name))
    ]
