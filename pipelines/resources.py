"""Where things live: the raw folder, the warehouse files, the marts folder.

Typed Dagster resources, configured from environment variables (`UNIONWH_RAW_DIR`,
`UNIONWH_WAREHOUSE`, `UNIONWH_MARTS_DIR`) with the project's defaults. The CLI passes its options
through the same variables, so `dagster dev` and `unionwh run` resolve paths in one place.

`UNIONWH_TARGET=postgres` (with `UNIONWH_PG_DSN` and `UNIONWH_UNIVERSITY`) binds the federation
warehouse instead: the same assets, the builds and the publication on a PostgreSQL server.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from pydantic import Field

from pipelines.db.connect import is_postgres
from pipelines.errors import UnionWarehouseError
from pipelines.settings import setting

TARGETS = ("duckdb", "postgres")
DEFAULT_UNIVERSITY = "demo"


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

    @property
    def private_dir(self) -> Path:
        """Where a run keeps what it writes beside its build (dbt's target, Data Docs)."""
        return self.published_path.parent / "private"

    @property
    def dbt_target(self) -> str:
        """The dbt target (dbt_project/profiles.yml) that builds into this warehouse."""
        return "build"

    def dbt_env(self, year: int | str) -> dict[str, str]:
        """The environment dbt's profile reads to find the year's build."""
        return {"UNIONWH_BUILD_DB": str(self.build_path(year))}

    def connect_build(self, year: int | str) -> Any:
        path = self.build_path(year)
        path.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(path))


UNIVERSITY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# the group role of a university's office in the federation database (`unionwh federation setup`)
OFFICE_ROLE_PREFIX = "unionwh_office_"


def check_university(code: str) -> str:
    """A university's code names its build databases and its rows of the federation marts."""
    if not UNIVERSITY_PATTERN.fullmatch(code or ""):
        raise UnionWarehouseError(
            f"学校代码 {code!r} 无效：应以小写字母开头，仅含小写字母、数字和下划线，至多 40 个字符",
            f"invalid university code {code!r}: a lower-case letter, then lower-case letters, "
            "digits or underscores, at most 40 characters",
        )
    return code


class PostgresWarehouse(Warehouse):
    """The federation warehouse on a PostgreSQL server.

    `dsn` names the federation database: the published marts and audit tables of every university
    and year (`university` and `year` columns), read by the analysts. Each (university, year)
    builds in a database of its own on the same server, `unionwh_<university>_<year>` (schemas
    raw, staging, intermediate, marts, audit, seeds as in a DuckDB build file): it holds personal
    data, so it is the server's private build, granted to the university's office only.
    `path` keeps its DuckDB meaning for what stays on the machine that runs the pipeline: the
    raw-file archive, dbt's target folders and the Data Docs.
    """

    dsn: str
    university: str

    @property
    def dsn_without_password(self) -> str:
        """The federation database for messages and metadata (never a password)."""
        # start-up: psycopg loads only for a PostgreSQL build
        from pipelines.db.postgres import dsn_parts

        parts = dsn_parts(self.dsn)
        return f"postgresql://{parts['user']}@{parts['host']}:{parts['port']}/{parts['dbname']}"

    def check_connection(self) -> None:
        """Fail early, in words, when the federation database cannot be reached."""
        import psycopg

        try:
            with psycopg.connect(self.dsn, connect_timeout=10) as con:
                con.execute("select 1").fetchall()
        except psycopg.Error as error:
            reason = " ".join(str(error).split()) or type(error).__name__
            raise UnionWarehouseError(
                f"无法连接联合会数据库 {self.dsn_without_password}：{reason}",
                f"cannot connect to the federation database {self.dsn_without_password}: {reason}",
            ) from error

    @property
    def office_role(self) -> str:
        """The role that owns the university's build databases (its office's users are in it)."""
        return OFFICE_ROLE_PREFIX + check_university(self.university)

    def build_database(self, year: int | str) -> str:
        return f"unionwh_{check_university(self.university)}_{int(year)}"

    def build_path(self, year: int | str) -> str:  # type: ignore[override]
        # start-up: psycopg loads only for a PostgreSQL build
        from pipelines.db.postgres import database_dsn

        # as the office's role: a build any of the office's users can rebuild, no one else's
        return database_dsn(self.dsn, self.build_database(year), role=self.office_role)

    @property
    def private_dir(self) -> Path:
        return self.published_path.parent / "private" / check_university(self.university)

    def dbt_target_dir(self, year: int | str) -> Path:
        return self.private_dir / f"dbt-target-{year}"

    @property
    def dbt_target(self) -> str:
        return "postgres"

    def dbt_env(self, year: int | str) -> dict[str, str]:
        # start-up: psycopg loads only for a PostgreSQL build
        from pipelines.db.postgres import dsn_parts

        parts = dsn_parts(self.build_path(year))
        return {
            **{f"UNIONWH_PG_{key.upper()}": value for key, value in parts.items()},
            "UNIONWH_PG_ROLE": self.office_role,
        }

    def connect_build(self, year: int | str) -> Any:
        # start-up: psycopg loads only for a PostgreSQL build
        from pipelines.db.postgres import PgConnection, ensure_database

        ensure_database(self.dsn, self.build_database(year), owner=self.office_role)
        return PgConnection(self.build_path(year))

    def connect_published(self, read_only: bool = True) -> Any:
        # start-up: psycopg loads only for a PostgreSQL build
        from pipelines.db.postgres import PgConnection

        return PgConnection(self.dsn, read_only=read_only)


class MartsFolder(dg.ConfigurableResource):
    """`marts/<year>/`: the published Parquet files, workbooks and report."""

    path: str

    def year_dir(self, year: int | str) -> Path:
        return Path(self.path) / str(year)


class QuarantineAcceptance(dg.ConfigurableResource):
    """Sources whose quarantine the user accepted for this run (`unionwh run --accept-quarantine
    welfare`, or UNIONWH_ACCEPT_QUARANTINE=welfare,members): the quarantine gate lets them
    through and the publication records it (pipelines/checks/quarantine.py)."""

    sources: list[str] = Field(default_factory=list)


def quarantine_acceptance_from_environment() -> QuarantineAcceptance:
    names = os.environ.get("UNIONWH_ACCEPT_QUARANTINE") or ""
    return QuarantineAcceptance(sources=[n.strip() for n in names.split(",") if n.strip()])


def require_year_dir(raw_dir: Path, year: int | str) -> Path:
    """raw/<year>/, or an error before anything runs: a mistyped folder must not publish an empty
    year over a good one."""
    raw_dir = raw_dir.resolve()
    if not raw_dir.is_dir():
        raise UnionWarehouseError(
            f"原始文件目录不存在：{raw_dir}（请检查 --raw-dir）；未运行，未发布",
            f"the raw folder does not exist: {raw_dir} (check --raw-dir); nothing run, "
            "nothing published",
        )
    year_dir = raw_dir / str(year)
    if not year_dir.is_dir():
        raise UnionWarehouseError(
            f"年度目录不存在：{year_dir}（{raw_dir} 下应有 {year}/ 文件夹）；未运行，未发布",
            f"the year's folder does not exist: {year_dir} ({raw_dir} has no {year}/ folder); "
            "nothing run, nothing published",
        )
    return year_dir


def resources_from_environment() -> dict[str, dg.ConfigurableResource]:
    """The one place where environment becomes configuration."""
    # start-up: dagster-dbt and dbt take 3.5 s to import; only a run's Definitions need them
    from pipelines.dbt.project import dbt_resource

    return {
        "raw_folder": RawFolder(path=setting("UNIONWH_RAW_DIR")),
        "warehouse": warehouse_from_environment(),
        "marts_folder": marts_folder_from_environment(),
        "dbt": dbt_resource(),
        "quarantine_acceptance": quarantine_acceptance_from_environment(),
    }


def target_from_environment() -> str:
    target = os.environ.get("UNIONWH_TARGET") or "duckdb"
    if target not in TARGETS:
        raise UnionWarehouseError(
            f"未知的目标 {target}：应为 duckdb 或 postgres",
            f"unknown target {target}: expected duckdb or postgres",
        )
    return target


def university_from_environment() -> str:
    return check_university(os.environ.get("UNIONWH_UNIVERSITY") or DEFAULT_UNIVERSITY)


def warehouse_from_environment() -> Warehouse:
    """DuckDB files by default; the PostgreSQL federation warehouse for UNIONWH_TARGET=postgres."""
    path = setting("UNIONWH_WAREHOUSE")
    if target_from_environment() == "duckdb":
        return Warehouse(path=path)
    dsn = os.environ.get("UNIONWH_PG_DSN") or ""
    if not is_postgres(dsn):
        raise UnionWarehouseError(
            "目标 postgres 需要 --pg-dsn postgresql://用户@主机:端口/联合会数据库"
            "（或环境变量 UNIONWH_PG_DSN）",
            "target postgres needs --pg-dsn postgresql://user@host:port/federation_database "
            "(or the environment variable UNIONWH_PG_DSN)",
        )
    return PostgresWarehouse(path=path, dsn=dsn, university=university_from_environment())


def marts_folder_from_environment() -> MartsFolder:
    """marts/<year>/ for the embedded warehouse; marts/<university>/<year>/ for the federation,
    so two universities' publications of one year never share a folder."""
    path = Path(setting("UNIONWH_MARTS_DIR"))
    if target_from_environment() == "postgres":
        path = path / university_from_environment()
    return MartsFolder(path=str(path))
