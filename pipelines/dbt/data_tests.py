"""The dbt data tests of a build, run in one connection after dbt has built the models.

Through dbt's runner each test is a node: ~25 ms of Python (render the test materialization, open
a connection, fire and log events, write the compiled and run SQL files) around a query of ~2 ms.
With ~200 tests that was most of the dbt step. Here each test is still its own query, compiled by
dbt from the same yml and macros, and judged exactly as dbt's test materialization judges it:

    select <fail_calc> as failures, <fail_calc> <warn_if> as should_warn,
           <fail_calc> <error_if> as should_error
    from (<compiled test SQL> [limit <limit>]) dbt_internal_test

(dbt's `default__get_test_sql`); status `fail` when the test's severity is error and should_error
holds, else `warn` when should_warn holds, else `pass`; `error` when the query itself fails or does
not return one row (dbt's TestRunner). Nothing is merged: every test gives its own result, and the
caller turns each into the Dagster asset check dagster-dbt declared for it.

The compiled SQL is kept in the build's target folder (compiled-tests.json) under the same key as
the parsed manifest (pipelines.dbt.runner) plus the tests asked for; compiling ~200 tests costs
~2 s of Jinja, so only a changed project or a new build compiles again. The tests here read the
models only (no introspection at compile time), which is what makes their SQL a function of the
project and the build file's name alone.

Not supported, and refused by name rather than run differently from dbt: tests that store their
failures (`store_failures`), tests with an `sql_header`, and a project that overrides dbt's test
materialization or `get_test_sql`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from pipelines.db.connect import BuildRef, connect, dialect
from pipelines.dbt.runner import DbtBuild, DbtError, invoke

COMPILED_TESTS = "compiled-tests.json"
OVERRIDES = ("get_test_sql", "default__get_test_sql", "duckdb__get_test_sql")


@dataclass(frozen=True)
class CompiledTest:
    unique_id: str
    name: str
    sql: str
    fail_calc: str
    warn_if: str
    error_if: str
    limit: int | None
    severity: str  # ERROR or WARN
    depends_on: tuple[str, ...]

    def judged_sql(self) -> str:
        """dbt's default__get_test_sql around the compiled test."""
        limit = f"\nlimit {int(self.limit)}" if self.limit is not None else ""
        return (
            f"select {self.fail_calc} as failures, "
            f"{self.fail_calc} {self.warn_if} as should_warn, "
            f"{self.fail_calc} {self.error_if} as should_error\n"
            f"from (\n{self.sql}{limit}\n) dbt_internal_test"
        )


@dataclass(frozen=True)
class TestResult:
    unique_id: str
    status: str  # pass, warn, fail, error
    failures: int
    seconds: float
    message: str | None


def _refuse_overrides(manifest: Any) -> None:
    project = manifest.metadata.project_name
    for macro in manifest.macros.values():
        if macro.package_name != project:
            continue
        if macro.name in OVERRIDES or macro.name.startswith("materialization_test_"):
            raise DbtError(
                f"dbt 项目重写了测试的执行方式（{macro.name}），批量测试无法照此执行",
                f"the dbt project overrides how tests run ({macro.name}); the batched test runner "
                "would not run them the same way",
            )


def _compiled(node: Any) -> CompiledTest:
    config = node.config
    settings = {"store_failures": config.store_failures, "sql_header": config.get("sql_header")}
    for setting, value in settings.items():
        if value:
            raise DbtError(
                f"测试 {node.name} 使用了 {setting}，批量测试不支持",
                f"test {node.name} uses {setting}, which the batched test runner does not support",
            )
    if not node.compiled_code:
        raise DbtError(f"测试 {node.name} 没有编译结果", f"test {node.name} did not compile")
    return CompiledTest(
        unique_id=node.unique_id,
        name=node.name,
        sql=node.compiled_code,
        fail_calc=config.fail_calc,
        warn_if=config.warn_if,
        error_if=config.error_if,
        limit=config.limit,
        severity=str(config.severity).upper(),
        depends_on=tuple(node.depends_on.nodes),
    )


def compile_tests(
    build: DbtBuild, manifest: Any, key: str, wanted: set[str], selection: list[str]
) -> dict[str, CompiledTest]:
    """The compiled tests of this build: kept ones when the key matches and every wanted test is
    there; else dbt compiles `selection` in this process (every data test of the project, so
    that the batch runs exactly the tests Dagster declared, whatever dbt's own selection of the
    same exclusions would be) and they are kept. A wanted test the project does not have (or has
    disabled) is missing from the result: the caller reports it as not run."""
    path = build.target_dir / COMPILED_TESTS
    if path.exists():
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept.get("key") == key and wanted <= set(kept["tests"]):
            return {
                uid: CompiledTest(**{**t, "depends_on": tuple(t["depends_on"])})
                for uid, t in kept["tests"].items()
            }
    _refuse_overrides(manifest)
    result = invoke(build, ["compile", *selection], manifest=manifest)
    errors = [r for r in result.result.results if str(r.status) == "error"]
    if errors:
        raise DbtError(
            "dbt 测试编译失败：" + "; ".join(f"{r.node.name}: {r.message}" for r in errors),
            "dbt tests did not compile: "
            + "; ".join(f"{r.node.name}: {r.message}" for r in errors),
        )
    tests = {
        r.node.unique_id: _compiled(r.node)
        for r in result.result.results
        if r.node.resource_type == "test"
    }
    partial = path.with_name(path.name + ".partial")
    partial.write_text(
        json.dumps({"key": key, "tests": {uid: asdict(t) for uid, t in tests.items()}}),
        encoding="utf-8",
    )
    partial.replace(path)
    return tests


def judge(test: CompiledTest, rows: list[tuple]) -> tuple[str, int, str | None]:
    """dbt's verdict on the test query's rows: status, failures, message."""
    if len(rows) != 1 or len(rows[0]) != 3:
        shape = f"{len(rows)} rows" if len(rows) != 1 else f"{len(rows[0])} columns"
        return "error", 0, f"returned {shape}, but expected 1 row of 3 columns"
    failures, should_warn, should_error = rows[0]
    failures = int(failures or 0)
    noun = "result" if failures == 1 else "results"
    if test.severity == "ERROR" and should_error:
        return "fail", failures, f"Got {failures} {noun}, configured to fail if {test.error_if}"
    if should_warn:
        return "warn", failures, f"Got {failures} {noun}, configured to warn if {test.warn_if}"
    return "pass", 0, None


def _query_errors(con: Any) -> tuple[type[Exception], ...]:
    """What a failing test query raises on this engine (the test's status is then `error`)."""
    if dialect(con) == "postgres":
        import psycopg

        return (psycopg.Error,)
    return (duckdb.Error,)


def run_tests(build_ref: BuildRef, tests: list[CompiledTest]) -> Iterator[TestResult]:
    """Each test's query, in one read-only connection to the build (DuckDB or PostgreSQL), in the
    order given; each result as soon as its query is done."""
    with connect(build_ref) as con:
        errors = _query_errors(con)
        for test in tests:
            started = time.perf_counter()
            try:
                status, failures, message = judge(test, con.execute(test.judged_sql()).fetchall())
            except errors as error:
                status, failures, message = "error", 0, str(error)
            seconds = time.perf_counter() - started
            yield TestResult(test.unique_id, status, failures, seconds, message)
