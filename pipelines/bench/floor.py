"""The floor: dbt's own SQL, run straight in DuckDB on the landed tables, with no orchestration.

From the manifest the bench's dbt stage wrote (it holds every model's compiled SQL), in the
manifest's topological order and in one DuckDB connection:
- seeds: `create or replace table <seed> as select * from read_csv(<file>)` with the seed's
  column_types;
- models: `create or replace view|table <relation> as <compiled sql>` (views for staging, as dbt);
- tests (optional): the query each test the dbt stage ran was judged by (dbt's test SQL around the
  compiled test, pipelines.dbt.data_tests), from the stage's `floor_tests` file.

This is the least any runner of the same SQL must spend; `dbt build` is measured against it. The
build file must be named as the one dbt compiled against (relations are `"<file stem>".schema.name`).
"""

from __future__ import annotations

import json
import time
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from pipelines.db.connect import quote_identifier


def _order(manifest: dict, kinds: set[str]) -> list[dict]:
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] in kinds}
    graph = {
        uid: [d for d in n.get("depends_on", {}).get("nodes", []) if d in nodes]
        for uid, n in nodes.items()
    }
    return [nodes[uid] for uid in TopologicalSorter(graph).static_order()]


def _seed_sql(node: dict) -> str:
    path = Path(node["root_path"]) / node["original_file_path"]
    types = node["config"].get("column_types") or {}
    options = ["header = true", "auto_detect = true"]
    if types:
        pairs = ", ".join(f"'{k}': '{v}'" for k, v in types.items())
        options.append(f"types = {{{pairs}}}")
    literal = str(path).replace("'", "''")
    return (
        f"create or replace table {node['relation_name']} as "
        f"select * from read_csv('{literal}', {', '.join(options)})"
    )


def run_floor(db: Path, manifest_path: Path, tests_path: Path | None = None) -> dict:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    build_nodes = _order(manifest, {"seed", "model"})
    tests: dict[str, str] = (
        json.loads(tests_path.read_text(encoding="utf-8")) if tests_path is not None else {}
    )
    statements: list[tuple[str, str]] = []
    schemas = sorted({(n["database"], n["schema"]) for n in build_nodes})
    for database, schema in schemas:
        statements.append(
            (
                "schema",
                f"create schema if not exists {quote_identifier(database)}.{quote_identifier(schema)}",
            )
        )
    for node in build_nodes:
        if node["resource_type"] == "seed":
            statements.append((node["unique_id"], _seed_sql(node)))
            continue
        materialized = node["config"].get("materialized")
        if materialized == "ephemeral":
            continue  # inlined as a CTE into the models that use it
        if not node.get("compiled_code"):
            raise RuntimeError(f"{node['unique_id']} has no compiled SQL in {manifest_path}")
        kind = "view" if materialized == "view" else "table"
        statements.append(
            (
                node["unique_id"],
                f"create or replace {kind} {node['relation_name']} as (\n{node['compiled_code']}\n)",
            )
        )

    node_seconds: dict[str, float] = {}
    failures: dict[str, int] = {}
    with duckdb.connect(str(db)) as con:
        started = time.perf_counter()
        for uid, sql in statements:
            t = time.perf_counter()
            con.execute(sql)
            node_seconds[uid] = time.perf_counter() - t
        models_seconds = time.perf_counter() - started
        tests_started = time.perf_counter()
        for uid, sql in tests.items():
            t = time.perf_counter()
            count = con.execute(sql).fetchall()[0][0]
            node_seconds[uid] = time.perf_counter() - t
            if count:
                failures[uid] = count
        tests_seconds = time.perf_counter() - tests_started
        con.execute("checkpoint")
    slowest = sorted(node_seconds.items(), key=lambda kv: -kv[1])[:8]
    return {
        "seconds": models_seconds + tests_seconds,
        "models_seconds": models_seconds,
        "tests_seconds": tests_seconds,
        "nodes": len(statements) - len(schemas),
        "tests": len(tests),
        "test_failures": failures,
        "slowest": [[uid.split(".")[-1], round(s, 3)] for uid, s in slowest],
    }
