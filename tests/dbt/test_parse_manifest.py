"""The parse-only manifest asked for by several processes at once (pytest-xdist's workers at
collection, a run beside the UI): one `dbt parse` runs, the others wait for it, and every process
reads a whole manifest. Two processes, each told to parse into the same empty target folder,
are let go together."""

from __future__ import annotations

import json
import subprocess
import sys

PARSER = """
import json, sys
from pathlib import Path
import pipelines.dbt.project as project
import pipelines.locks as locks

target = Path(sys.argv[1])
project.DBT_TARGET_DIR = target
project.PARSE_PLACEHOLDER_DB = target / "parse-only.duckdb"
parse_into = project._parse_into

def counted(target_dir):
    print("parsed", flush=True)
    parse_into(target_dir)

project._parse_into = counted
if sys.argv[2] == "no-lock":  # only to show the race the lock prevents
    locks.fcntl = None
print("ready", flush=True)
sys.stdin.readline()  # both processes are ready: go together
manifest = json.loads(project.ensure_manifest().read_text(encoding="utf-8"))
print(len(manifest["nodes"]), flush=True)
"""


def parse_at_once(target, lock: str = "lock") -> list[list[str]]:
    """Two processes ensure the manifest in `target`, let go together; the words each printed."""
    parsers = [
        subprocess.Popen(
            [sys.executable, "-c", PARSER, str(target), lock],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for parser in parsers:  # the barrier: both have imported dagster and dbt
        assert parser.stdout.readline() == "ready\n", parser.communicate(timeout=60)
    for parser in parsers:
        parser.stdin.write("go\n")
        parser.stdin.flush()
    outputs = [parser.communicate(timeout=600) for parser in parsers]
    assert [parser.returncode for parser in parsers] == [0, 0], outputs
    return [out.split() for out, _ in outputs]


def test_two_processes_at_once_parse_once_and_both_read_a_whole_manifest(tmp_path):
    target = tmp_path / "target"
    lines = parse_at_once(target)
    assert sum(words.count("parsed") for words in lines) == 1, lines
    nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    assert [words[-1] for words in lines] == [str(len(nodes))] * 2
    assert len(nodes) > 50
    assert sorted(p.name for p in target.iterdir() if p.name.startswith(".parse-")) == []
