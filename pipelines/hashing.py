"""Content hashes: of one file, and of a folder's files (relative path and content)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

# folders a run writes, or that hold no project source
SKIPPED_DIRS = {"__pycache__", "target", "logs", ".pytest_cache", ".ruff_cache"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def tree_sha256(
    root: Path,
    skip: Callable[[Path], bool] | None = None,
    file_sha256: Callable[[Path], str] = sha256_of,
) -> str:
    """Every file under root (relative path and content), in a stable order. `skip` leaves out a
    relative path; `file_sha256` may answer from a cache."""
    lines = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if skip is not None and skip(relative):
            continue
        if path.is_file():
            lines.append(f"{relative.as_posix()}\0{file_sha256(path)}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def source_tree_sha256(root: Path) -> str:
    """Every source file under root; build output, caches, dot-files and bytecode skipped."""
    return tree_sha256(root, skip=is_build_output)


def is_build_output(relative: Path) -> bool:
    return relative.suffix == ".pyc" or any(
        p in SKIPPED_DIRS or p.startswith(".") for p in relative.parts
    )
