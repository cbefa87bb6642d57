"""Where things live: the raw folder, the warehouse files, the marts folder.

Typed Dagster resources, configured from environment variables (`UNIONWH_RAW_DIR`,
`UNIONWH_WAREHOUSE`, `UNIONWH_MARTS_DIR`) with the project's defaults. The CLI passes its options
through the same variables, so `dagster dev` and `unionwh run` resolve paths in one place.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import duckdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = {
    "UNIONWH_RAW_DIR": "raw",
    "UNIONWH_WAREHOUSE": "warehouse/union.duckdb",
    "UNIONWH_MARTS_DIR": "marts",
}


def setting(name: str) -> str:
    """A path setting: the environment variable, else the default, relative to the project root."""
    value = os.environ.get(name) or DEFAULTS[name]
    path = Path(value)
    return str(path if path.is_absolute() else (Path.cwd() / path).resolve())


class RawFolder(dg.ConfigurableResource):
    """`raw/`: one folder per fiscal year, one sub-folder per source."""

    path: str

    def year_dir(self, year: int | str) -> Path:
        return Path(self.path) / str(year)


class Warehouse(dg.ConfigurableResource):
    """The published warehouse file and, beside it, the private per-year builds.

    The private build (`private/<year>.duckdb` next to the published file) holds personal data and
    everything a run writes; analysts open only the published file.
    """

    path: str

    @property
    def published_path(self) -> Path:
        return Path(self.path)

    def build_path(self, year: int | str) -> Path:
        return self.published_path.parent / "private" / f"{year}.duckdb"

    def dbt_target_dir(self, year: int | str) -> Path:
        """dbt's target folder for this build. One per (warehouse, year): dbt's partial parse
        survives only while the build file and the year var stay the same, so each build keeps its own."""
        return self.build_path(year).parent / f"dbt-target-{year}"

    @property
    def archive_dir(self) -> Path:
        """The content-addressed archive of every raw file read (beside the warehouse)."""
        return self.published_path.parent / "archive"

    def connect_build(self, year: int | str) -> duckdb.DuckDBPyConnection:
        path = self.build_path(year)
        path.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(path))


class MartsFolder(dg.ConfigurableResource):
    """`marts/<year>/`: the published Parquet files, workbooks and report."""

    path: str

    def year_dir(self, year: int | str) -> Path:
        return Path(self.path) / str(year)


def resources_from_environment() -> dict[str, dg.ConfigurableResource]:
    """The one place where environment becomes configuration."""
    from pipelines.dbt_assets import dbt_resource

    return {
        "raw_folder": RawFolder(path=setting("UNIONWH_RAW_DIR")),
        "warehouse": Warehouse(path=setting("UNIONWH_WAREHOUSE")),
        "marts_folder": MartsFolder(path=setting("UNIONWH_MARTS_DIR")),
        "dbt": dbt_resource(),
    }
