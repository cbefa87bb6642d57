"""Dagster asset checks over the private build (dbt tests arrive as checks through dagster-dbt).

Blocking checks stop publication: Dagster skips the assets directly downstream of a failed blocking
check, so every blocking check here sits on an asset that `published/year` depends on directly
(audit/load_log, marts/report_figures, and the classified models listed in BLOCKING_UPSTREAM, which
definitions.py adds to the publication's dependencies).

Every result carries the metadata `rows_affected` and `where` (where to look), which
`unionwh check` prints.
"""

import shutil
from pathlib import Path

import dagster as dg

from pipelines.checks import quarantine
from pipelines.checks.gate import rejected_files, row_conservation
from pipelines.checks.reconciliation import RECONCILIATIONS, reconcile
from pipelines.checks.validator import validate
from pipelines.contract import load_contract
from pipelines.db.connect import connect, scalar
from pipelines.dbt.project import DBT_TARGET_DIR
from pipelines.errors import bilingual
from pipelines.publish.manifest import MANIFEST_NAME
from pipelines.publish.publication import write_quarantine_workbook
from pipelines.resources import MartsFolder, QuarantineAcceptance, Warehouse

LOAD_LOG = dg.AssetKey(["audit", "load_log"])
REPORT_FIGURES = dg.AssetKey(["marts", "report_figures"])
QUARANTINE_SHARES = dg.AssetKey(["audit", "quarantine_shares"])
EXPECTATIONS_CHECK = "great_expectations_contract_suite"
DATA_DOCS_NAME = "data-docs"


def _year(context: dg.AssetCheckExecutionContext) -> str:
    return context.run.tags["dagster/partition"]


def classified_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["intermediate", f"int_{table}_classified"])


# The classified models carry the contract suites' checks; publication must wait for them.
BLOCKING_UPSTREAM = [classified_key(t.table) for t in load_contract().tables]


def data_docs_dir(warehouse: Warehouse, year: int | str) -> Path:
    """Where a run's Data Docs are written (private, beside the build); published as data-docs/."""
    return warehouse.private_dir / f"{year}.data-docs"


def copy_data_docs(warehouse: Warehouse, year: int | str, staged: Path) -> Path | None:
    """Copy the run's Data Docs into the staged publication folder as data-docs/. They are not
    listed among the manifest's outputs: GX stamps them with the run time (not reproducible)."""
    source = data_docs_dir(warehouse, year)
    if not (source / "index.html").is_file():
        return None
    return Path(shutil.copytree(source, staged / DATA_DOCS_NAME))


def _listing(lines: list[str]) -> dg.MetadataValue:
    return dg.MetadataValue.md("\n".join(f"- {line}" for line in lines) or "none")


@dg.asset_check(
    asset=LOAD_LOG,
    blocking=True,
    description="行守恒：每个文件 读入 = 有效 + 重复 + 隔离，且 = 入库时写下的行数 "
    "(row conservation per file: read = clean + duplicate + quarantined = rows the landing wrote)",
)
def row_conservation_check(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse
) -> dg.AssetCheckResult:
    with connect(warehouse.build_path(_year(context))) as con:
        findings = row_conservation(con)
        files = scalar(con, "select count(*) from audit.load_log")
    return dg.AssetCheckResult(
        passed=not findings,
        metadata={
            "files_checked": files,
            "files_not_conserved": len(findings),
            "rows_affected": sum(f.rows for f in findings),
            "where": "audit.load_log",
            "details": _listing([bilingual(f.message_zh, f.message_en) for f in findings]),
        },
    )


@dg.asset_check(
    asset=LOAD_LOG,
    blocking=True,
    description="无拒收文件：每个文件都能读取（否则本年度不发布） "
    "(no rejected files: a year with an unreadable file is not published)",
)
def rejected_files_check(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse
) -> dg.AssetCheckResult:
    with connect(warehouse.build_path(_year(context))) as con:
        findings = rejected_files(con)
    return dg.AssetCheckResult(
        passed=not findings,
        metadata={
            "files_rejected": len(findings),
            "rows_affected": 0,
            "affected": f"{len(findings)} 个文件 files",
            "where": "audit.load_log (file_status = 'rejected')",
            "details": _listing([bilingual(f.message_zh, f.message_en) for f in findings]),
        },
    )


def stopped_quarantine_workbook(warehouse: Warehouse, year: int | str) -> Path:
    """Where a year the quarantine gate stopped gets its quarantine.xlsx: beside the build."""
    return warehouse.private_dir / f"{year}.quarantine.xlsx"


@dg.asset_check(
    asset=QUARANTINE_SHARES,
    name=quarantine.CHECK_NAME,
    blocking=True,
    description="隔离上限：各来源隔离行不超过契约的上限，有文件的来源有有效行，上次发布有文件的来源"
    "本次也有文件 (quarantine limit: each source within its contract limit, a source with files "
    "has clean rows, a source of the last publication still has files)",
)
def quarantine_limit_check(
    context: dg.AssetCheckExecutionContext,
    warehouse: Warehouse,
    marts_folder: MartsFolder,
    quarantine_acceptance: QuarantineAcceptance,
) -> dg.AssetCheckResult:
    year = _year(context)
    build = warehouse.build_path(year)
    manifest = marts_folder.year_dir(year) / MANIFEST_NAME
    with connect(build) as con:
        result = quarantine.evaluate(con, manifest, set(quarantine_acceptance.sources))
    workbook = stopped_quarantine_workbook(warehouse, year)
    workbook.unlink(missing_ok=True)  # a file here always belongs to the last stopped run
    written = result.has_rows_to_send_back
    if written:
        write_quarantine_workbook(build, workbook, DBT_TARGET_DIR / "manifest.json")
    stopped = [s.rows for s in result.stops if s.rows is not None]
    metadata = {
        "sources_stopped": len(result.stops),
        "sources_accepted": dg.MetadataValue.json([s.record(int(year)) for s in result.accepted]),
        "rows_affected": sum(r.rows_quarantined for r in stopped),
        "affected": f"{len(result.stops)} 个来源 sources",
        "where": "audit.quarantine_shares, audit.quarantine_reasons",
        "details": "\n".join(quarantine.details(result, int(year), workbook if written else None)),
    }
    if written:
        metadata["quarantine_workbook"] = dg.MetadataValue.path(str(workbook))
    return dg.AssetCheckResult(passed=result.passed, metadata=metadata)


@dg.multi_asset_check(
    name="reconciliation",
    specs=[
        dg.AssetCheckSpec(
            r.name,
            asset=REPORT_FIGURES,
            blocking=r.blocking,
            description=f"对账 reconciliation: {r.figure_key} = {r.description_zh} "
            f"({r.description_en})",
        )
        for r in RECONCILIATIONS
    ],
)
def reconciliation_checks(context: dg.AssetCheckExecutionContext, warehouse: Warehouse):
    with connect(warehouse.build_path(_year(context))) as con:
        results = reconcile(con)
    for result in results:
        yield dg.AssetCheckResult(
            asset_key=REPORT_FIGURES,
            check_name=result.check.name,
            passed=result.passed,
            severity=dg.AssetCheckSeverity.ERROR
            if result.check.blocking
            else dg.AssetCheckSeverity.WARN,
            metadata={
                "figure_key": result.check.figure_key,
                "figure": str(result.figure),
                "recomputed": str(result.expected),
                "rows_affected": result.rows_affected,
                "where": f"marts.report_figures ({result.check.figure_key})",
                "details": result.message,
            },
        )


@dg.multi_asset_check(
    name="great_expectations",
    specs=[
        dg.AssetCheckSpec(
            EXPECTATIONS_CHECK,
            asset=classified_key(t.table),
            blocking=True,
            description=f"Great Expectations：{t.zh} 的有效行符合契约（类型、取值、范围、主键唯一） "
            f"(the clean rows of {t.table} meet the contract: types, values, ranges, unique keys)",
        )
        for t in load_contract().tables
    ],
)
def expectation_checks(context: dg.AssetCheckExecutionContext, warehouse: Warehouse):
    year = _year(context)
    docs = data_docs_dir(warehouse, year)
    results = validate(warehouse.build_path(year), int(year), docs)
    index = docs / "index.html"
    for result in results:
        yield dg.AssetCheckResult(
            asset_key=classified_key(result.table),
            check_name=EXPECTATIONS_CHECK,
            passed=result.success,
            metadata={
                "clean_rows": result.rows,
                "expectations": result.expectations,
                "expectations_failed": len(result.failures),
                "rows_affected": result.rows_affected,
                "where": f"data-docs · intermediate.{result.model}",
                "data_docs": dg.MetadataValue.path(str(index)),
                "details": _listing(
                    [f.describe() for f in result.failures]
                    + ([result.error] if result.error else [])
                ),
            },
        )


asset_checks = [
    row_conservation_check,
    rejected_files_check,
    quarantine_limit_check,
    reconciliation_checks,
    expectation_checks,
]
