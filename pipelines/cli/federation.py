"""`unionwh federation setup`: the federation database's roles, policies and grants."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from pipelines.cli.app import console, fail
from pipelines.db.connect import is_postgres
from pipelines.errors import UnionWarehouseError


def register(app: typer.Typer) -> None:
    """Add `federation setup` to the app."""
    federation = typer.Typer(
        help="联合会数据库的角色与权限 (the federation database's roles and rights)",
        no_args_is_help=True,
    )

    @federation.command()
    def setup(
        pg_dsn: Annotated[
            str | None,
            typer.Option(
                "--pg-dsn",
                help="管理员连接联合会数据库 postgresql://admin@host:port/dbname (an administrator's "
                "DSN of the federation database; or UNIONWH_PG_DSN)",
            ),
        ] = None,
        university: Annotated[
            list[str],
            typer.Option(
                "--university",
                help="学校代码，可重复；以后再运行可增加学校 (a university's code; repeat it; "
                "run again later to add one)",
            ),
        ] = [],  # noqa: B006 (typer reads the default, never mutates it)
        views: Annotated[
            bool,
            typer.Option(
                "--views/--no-views",
                help="（重新）构建联合会视图；只增加学校时可省 ((re)build the federation views; "
                "not needed when only adding a university)",
            ),
        ] = True,
        debug: Annotated[
            bool, typer.Option("--debug", help="出错时显示堆栈 show tracebacks")
        ] = False,
    ) -> None:
        """设置联合会数据库：角色、行级安全、授权（可重复运行） (set up the federation database:
        roles, row-level security, grants; idempotent). Run with an administrator's DSN."""
        dsn = pg_dsn or os.environ.get("UNIONWH_PG_DSN") or ""
        try:
            if not is_postgres(dsn):
                raise UnionWarehouseError(
                    "需要 --pg-dsn postgresql://管理员@主机:端口/联合会数据库",
                    "needs --pg-dsn postgresql://administrator@host:port/federation_database",
                )
            # start-up: psycopg and Dagster's resources load only for the federation
            from pipelines.publish.federation_access import office_role, setup_federation

            for code in university:  # every code checked before anything is sent
                office_role(code)
            with console.status("设置联合会数据库 setting up the federation database…"):
                done = setup_federation(dsn, list(university), views=views)
        except UnionWarehouseError as error:
            fail(error, debug)
            return
        except Exception as error:  # psycopg's errors: the server's own words
            if debug:
                raise
            reason = " ".join(str(error).split()) or type(error).__name__
            fail(UnionWarehouseError(f"联合会设置失败：{reason}", f"setup failed: {reason}"), debug)
            return
        for role in done["created_roles"]:
            console.print(f"新建角色 created role {role}")
        for table in done["secured"]:
            console.print(f"行级安全 row-level security: {table}")
        listed = ", ".join(done["universities"]) or "—"
        console.print(f"联合会成员 universities: {listed}")
        console.print("完成 done")

    app.add_typer(federation, name="federation")
