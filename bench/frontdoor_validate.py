"""Benchmark (not a test): `validate_files` on a 1,000-row welfare file, cold then warm.

The file is the welfare template filled with the demo year's welfare payments (as the landing
parses them), the first 1,000. Cold is the first check in a fresh process (dbt's import, and
dbt's parse when the project changed); warm is the median of the next checks, as the submission
page runs them. CPU seconds are given beside wall seconds: the machine is shared.

    uv run python bench/frontdoor_validate.py [--repeat 5] [--work-dir DIR]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import polars as pl

from pipelines.contract import load_contract
from pipelines.frontdoor.fill import fill_template
from pipelines.frontdoor.validate import validate_files
from pipelines.ingest.files import read_file

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2023
ROWS = 1000


def welfare_file(out_dir: Path) -> Path:
    year_dir = ROOT / "raw" / str(YEAR) / "welfare"
    tables = load_contract().tables_of("welfare")
    frames = [
        frame
        for path in sorted(year_dir.iterdir())
        for frame in read_file(path, path.name, "welfare", tables).rows.get("welfare_payments", [])
    ]
    rows = pl.concat(frames, how="diagonal_relaxed").filter(pl.col("_error_code").is_null())
    assert rows.height >= ROWS, f"the demo year has {rows.height} welfare rows"
    payments = rows.head(ROWS).to_dicts()
    return fill_template(out_dir, YEAR, "welfare", {"welfare_payments": payments}, "welfare.xlsx")


def timed(path: Path, work_dir: Path) -> tuple[float, float, int, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = validate_files([(path, path.name)], YEAR, ROOT / "raw", work_dir, "welfare")
    check = result.files[0]
    return time.perf_counter() - wall, time.process_time() - cpu, check.rows, check.rows_clean


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--work-dir", type=Path, default=ROOT / "warehouse/private/frontdoor")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = welfare_file(Path(scratch))
        cold = timed(path, args.work_dir)
        warm = [timed(path, args.work_dir) for _ in range(args.repeat)]
    print(f"rows {cold[2]}, clean {cold[3]}")
    print(f"cold  wall {cold[0]:.2f} s  cpu {cold[1]:.2f} s")
    print(
        f"warm  wall median {statistics.median(w[0] for w in warm):.2f} s "
        f"(min {min(w[0] for w in warm):.2f}, max {max(w[0] for w in warm):.2f})  "
        f"cpu median {statistics.median(w[1] for w in warm):.2f} s  over {len(warm)} checks"
    )


if __name__ == "__main__":
    main()
