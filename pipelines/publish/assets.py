"""The publication asset: after every blocking check, marts/<year>/ and the analysts' warehouse."""

import os
import shutil
import uuid

import dagster as dg

from pipelines.checks import quarantine
from pipelines.checks.assets import copy_data_docs
from pipelines.checks.gate import rejected_files
from pipelines.db.connect import connect
from pipelines.errors import bilingual
from pipelines.partitions import fiscal_years
from pipelines.publish.fingerprint import build_raw_files, changes_since_publication, fingerprint
from pipelines.publish.gate import refuse_unless_checked
from pipelines.publish.manifest import MANIFEST_NAME, dbt_checks, write_manifest
from pipelines.publish.publication import publish_warehouse, swap_directory, write_year_outputs
from pipelines.resources import MartsFolder, PostgresWarehouse, QuarantineAcceptance, Warehouse
from pipelines.settings import DBT_TARGET_DIR


def build_publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["published", "year"]),
        group_name="publish",
        deps=upstream,
        partitions_def=fiscal_years,
        description="发布：marts/<year>/ 下的 Parquet、工作簿与分析用仓库 "
        "(publication: Parquet and workbooks under marts/<year>/, the analysts' warehouse)",
        kinds={"parquet", "duckdb"},
    )
    def published_year(
        context: dg.AssetExecutionContext,
        warehouse: Warehouse,
        marts_folder: MartsFolder,
        quarantine_acceptance: QuarantineAcceptance,
    ) -> dg.MaterializeResult:
        year = int(context.partition_key)
        refuse_unless_checked(context, year)
        build = warehouse.build_path(year)
        target = marts_folder.year_dir(year)
        with connect(build) as con:
            rejected = rejected_files(con)
            # the quarantine gate passed (refuse_unless_checked): what it let through by the flag
            accepted = quarantine.evaluate(
                con, target / MANIFEST_NAME, set(quarantine_acceptance.sources)
            ).accepted
        if rejected:
            listing = "\n".join(f"- {bilingual(f.message_zh, f.message_en)}" for f in rejected)
            raise dg.Failure(
                description=f"{year} 年度未发布：有 {len(rejected)} 个文件无法读取 "
                f"(year {year} not published: {len(rejected)} file(s) rejected)\n{listing}",
                metadata={"rejected_files": len(rejected)},
            )
        staged = target.with_name(f".{target.name}.staged-{uuid.uuid4().hex[:8]}")
        publication = write_year_outputs(build, staged, year, DBT_TARGET_DIR / "manifest.json")
        copy_data_docs(warehouse, year, staged)  # data-docs/: the Great Expectations suites' HTML
        checks = [{"check": "rejected_files", "kind": "gate", "status": "pass", "rows_affected": 0}]
        checks.append(quarantine.manifest_check(accepted))
        for stop in accepted:
            context.log.warning(
                "隔离上限按 --accept-quarantine 放行 accepted by --accept-quarantine: "
                + " ".join(quarantine.describe(stop, year)[:1])
            )
        checks += dbt_checks(warehouse.dbt_target_dir(year) / "run_results.json")
        inputs_fingerprint = fingerprint(year, build_raw_files(build))
        for reason in changes_since_publication(target / MANIFEST_NAME, inputs_fingerprint):
            context.log.info(f"发布原因 why published: {reason}")
        write_manifest(
            staged,
            year,
            context.run.run_id,
            build,
            publication.files,
            checks,
            inputs_fingerprint.to_manifest(),
            quarantine_accepted=[stop.record(year) for stop in accepted],
        )
        try:
            # the warehouse first (the step that can fail), the folder with the manifest last: a
            # crash in between leaves the old manifest, so no later run takes the year as done
            if isinstance(warehouse, PostgresWarehouse):
                # psycopg only for the federation (its import is 0.3 s of every DuckDB run)
                from pipelines.publish.federation import check_federation_marts, publish_federation
                from pipelines.publish.federation_access import require_office

                require_office(warehouse.dsn, warehouse.university)
                tables = publish_federation(build, warehouse.dsn, warehouse.university, year)
                context.log.info(
                    f"已发布到联合会数据库 published to the federation database: "
                    f"{warehouse.university} {year}, {len(tables)} tables"
                )
                check_federation_marts(
                    warehouse.dsn, warehouse.private_dir / "dbt-target-federation", year
                )
            else:
                publish_warehouse(build, warehouse.published_path, year)
            swap_directory(staged, target)
        finally:
            shutil.rmtree(staged, ignore_errors=True)  # still there only when publishing failed
        context.log.info(f"published {len(publication.files)} files to {target}")
        return dg.MaterializeResult(
            metadata={
                "directory": dg.MetadataValue.path(os.fspath(target)),
                "files": dg.MetadataValue.json(publication.files),
                "warehouse": warehouse.dsn_without_password
                if isinstance(warehouse, PostgresWarehouse)
                else dg.MetadataValue.path(os.fspath(warehouse.published_path)),
            }
        )

    return published_year
