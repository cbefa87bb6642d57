"""`python -m pipelines.demo --year 2023 --out raw [--scale N] [--seed S] [--clean]`"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pipelines.demo.generator import build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.demo",
        description="Write deterministic demo raw files for one year.",
    )
    parser.add_argument("--year", type=int, default=2023, help="report year (default 2023)")
    parser.add_argument("--out", type=Path, default=Path("raw"), help="raw folder (default ./raw)")
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help="multiply members, payments and participants by N (default 1)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--clean", action="store_true", help="remove the year's ten source folders before writing"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        result = build(args.year, args.out, scale=args.scale, seed=args.seed, clean=args.clean)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in result.paths)
    quarantine = sum(p.reason not in ("duplicate", "clean") for p in result.planted)
    duplicates = sum(p.reason == "duplicate" for p in result.planted)
    print(
        f"wrote {len(result.paths)} files ({size / 1e6:.1f} MB) under {args.out / str(args.year)} "
        f"in {time.perf_counter() - started:.1f} s; planted {quarantine} rows to quarantine "
        f"and {duplicates} duplicates"
    )
    for p in result.paths:
        print(f"  {p.relative_to(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
