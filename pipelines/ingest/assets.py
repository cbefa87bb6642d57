"""Dagster ingestion assets: one per source of the contract, plus the folder inventory.

Asset bodies are thin: reading and parsing live in pipelines.ingest / pipelines.parse.
"""

import re

import dagster as dg

from pipelines.contract import load_contract
from pipelines.errors import bilingual
from pipelines.ingest import land
from pipelines.ingest.archive import archive_file
from pipelines.ingest.readers import take_source
from pipelines.ingest.source import SourceLoad, land_source, unknown_folders
from pipelines.partitions import fiscal_years
from pipelines.resources import RawFolder, Warehouse

INGESTION_GROUP = "ingestion"
# The progress display of `unionwh run` (pipelines.run.display) counts the files read from this line.
READ_MESSAGE = "已读取 read {files} 个文件 files: {source}"
READ_PATTERN = re.compile(r"^已读取 read (\d+) 个文件 files")


def raw_asset_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def _metadata(load: SourceLoad, table: str) -> dict:
    rows = sum(frame.height for f in load.files for frame in f.rows.get(table, []))
    parse_errors = sum(
        frame.filter(frame["_error_code"].is_not_null()).height
        for f in load.files
        for frame in f.rows.get(table, [])
    )
    return {
        "files": len(load.files),
        "files_rejected": len(load.rejected),
        "rows_landed": rows,
        "rows_with_parse_error": parse_errors,
        "rejected": dg.MetadataValue.md(
            "\n".join(
                f"- {f.file_name}: {bilingual(f.message_zh, f.message_en)}" for f in load.rejected
            )
            or "none"
        ),
    }


def _run_sources(context: dg.AssetExecutionContext) -> list[str]:
    """The sources whose ingestion asset this run materializes."""
    contract = load_contract()
    selection = context.run.asset_selection
    return [
        s
        for s in contract.sources
        if selection is None
        or any(raw_asset_key(t.table) in selection for t in contract.tables_of(s))
    ]


def build_ingestion_asset(source: str) -> dg.AssetsDefinition:
    contract = load_contract()
    tables = contract.tables_of(source)

    @dg.multi_asset(
        name=f"ingest_{source}",
        specs=[
            dg.AssetSpec(
                raw_asset_key(t.table),
                group_name=INGESTION_GROUP,
                description=f"{t.zh}：raw/<year>/{source}/ 中每个数据行，带类型与来源信息 "
                f"(every data row of raw/<year>/{source}/, typed, with lineage)",
                kinds={"python", "duckdb"},
            )
            for t in tables
        ],
        partitions_def=fiscal_years,
    )
    def ingest(context: dg.AssetExecutionContext, raw_folder: RawFolder, warehouse: Warehouse):
        year = context.partition_key
        year_dir = raw_folder.year_dir(year)
        # the run's first ingestion step starts reading every source it selects (readers.py)
        files = take_source(context.run.run_id, year_dir, source, contract, _run_sources(context))
        context.log.info(READ_MESSAGE.format(files=len(files), source=source))
        load = SourceLoad(source, files)
        for read in load.files:
            archive_file(
                warehouse.archive_dir,
                year_dir / read.file_name,
                read.file_sha256,
                year,
                read.file_name,
            )
        with warehouse.connect_build(year) as con:
            land_source(con, contract, load)
        for rejected in load.rejected:
            context.log.error(bilingual(rejected.message_zh, rejected.message_en))
        for t in tables:
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(t.table), metadata=_metadata(load, t.table)
            )

    return ingest


@dg.asset(
    key=raw_asset_key("unknown_folders"),
    group_name=INGESTION_GROUP,
    partitions_def=fiscal_years,
    description="raw/<year>/ 中不属于任何数据来源的文件（拒收）(files outside the contract's source folders: rejected)",
    kinds={"python", "duckdb"},
)
def ingest_unknown_folders(
    context: dg.AssetExecutionContext, raw_folder: RawFolder, warehouse: Warehouse
) -> dg.MaterializeResult:
    contract = load_contract()
    year_dir = raw_folder.year_dir(context.partition_key)
    strays = unknown_folders(year_dir, contract)
    for stray in strays:
        archive_file(
            warehouse.archive_dir,
            year_dir / stray.file_name,
            stray.file_sha256,
            context.partition_key,
            stray.file_name,
        )
    with warehouse.connect_build(context.partition_key) as con:
        land.ensure_raw_schema(con, contract)
        land.clear_unknown_sources(con, contract)
        land.land_bookkeeping(con, "files", [s.outcome for s in strays])
    for stray in strays:
        context.log.error(bilingual(stray.message_zh, stray.message_en))
    return dg.MaterializeResult(metadata={"files_rejected": len(strays)})


ingestion_assets = [build_ingestion_asset(s) for s in load_contract().sources]
