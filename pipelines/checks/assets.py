"""Dagster asset checks over the private build (dbt tests arrive as checks through dagster-dbt)."""

import dagster as dg
import duckdb

from pipelines.checks.gate import row_conservation
from pipelines.resources import Warehouse
from pipelines.sql import scalar

LOAD_LOG = dg.AssetKey(["audit", "load_log"])


def _year(context: dg.AssetCheckExecutionContext) -> str:
    return context.run.tags["dagster/partition"]


@dg.asset_check(
    asset=LOAD_LOG,
    blocking=True,
    description="行守恒：每个文件 读入 = 有效 + 重复 + 隔离 (row conservation per file: read = clean + duplicate + quarantined)",
)
def row_conservation_check(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse
) -> dg.AssetCheckResult:
    with duckdb.connect(str(warehouse.build_path(_year(context))), read_only=True) as con:
        findings = row_conservation(con)
        files = scalar(con, "select count(*) from audit.load_log")
    return dg.AssetCheckResult(
        passed=not findings,
        metadata={
            "files_checked": files,
            "files_not_conserved": len(findings),
            "details": dg.MetadataValue.md(
                "\n".join(f"- {f.message_zh} / {f.message_en}" for f in findings) or "none"
            ),
        },
    )


asset_checks = [row_conservation_check]
