"""The bench's input volumes: the demo generator's output at scale N, cached under bench/cache/data/.

One folder per (year, scale, seed): `bench/cache/data/<year>-x<scale>-s<seed>/<year>/<source>/…` and
beside it `meta.json` (how it was made, how long it took, the generator's own figures). A cached
volume is reused while the generator's source is unchanged; when it changed the volume is made again
(unless the caller accepts stale data, `--stale-data-ok`).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pipelines.hashing import tree_sha256
from pipelines.settings import PROJECT_ROOT

BENCH_DIR = PROJECT_ROOT / "bench"
CACHE_DIR = BENCH_DIR / "cache"
DATA_DIR = CACHE_DIR / "data"
GENERATOR_DIR = PROJECT_ROOT / "pipelines" / "demo"


def generator_fingerprint() -> str:
    """A hash of the generator's source: a cached volume is stale when it changes."""
    return tree_sha256(GENERATOR_DIR, skip=lambda relative: relative.suffix != ".py")[:16]


@dataclass
class Volume:
    year: int
    scale: int
    seed: int
    root: Path  # the raw folder: root/<year>/<source>/…
    meta: dict

    @property
    def year_dir(self) -> Path:
        return self.root / str(self.year)

    @property
    def files(self) -> int:
        return self.meta["files"]

    @property
    def bytes(self) -> int:
        return self.meta["bytes"]


def volume_root(year: int, scale: int, seed: int = 0) -> Path:
    return DATA_DIR / f"{year}-x{scale}-s{seed}"


def cached_volume(year: int, scale: int, seed: int = 0, stale_ok: bool = False) -> Volume | None:
    """The cached volume, if complete and made by the current generator (or stale_ok)."""
    root = volume_root(year, scale, seed)
    meta_path = root / "meta.json"
    if not meta_path.exists():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if not stale_ok and meta.get("generator") != generator_fingerprint():
        return None
    return Volume(year, scale, seed, root, meta)


def make_volume(year: int, scale: int, seed: int = 0) -> Volume:
    """Generate the volume in this process (the bench runs this in a subprocess) and cache it."""
    # start-up: the generator (xlsxwriter, xlwt) loads only to make a volume
    from pipelines.demo.generator import build

    root = volume_root(year, scale, seed)
    shutil.rmtree(root, ignore_errors=True)
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    started = time.perf_counter()
    result = build(year, partial, scale=scale, seed=seed)
    seconds = time.perf_counter() - started
    meta = {
        "year": year,
        "scale": scale,
        "seed": seed,
        "generator": generator_fingerprint(),
        "seconds": round(seconds, 2),
        "files": len(result.paths),
        "bytes": sum(p.stat().st_size for p in result.paths),
        "planted_rows": len(result.planted),
        "figures": {k: _plain(v) for k, v in result.figures.items()},
    }
    (partial / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    partial.rename(root)
    return Volume(year, scale, seed, root, meta)


def _plain(value) -> str | int:
    return str(value) if isinstance(value, Decimal) else value
