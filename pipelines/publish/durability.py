"""Renames that survive a crash: the data on disk before the name, the name on disk after.

A rename is atomic for readers but not durable by itself: after a power cut the new name may point
at a file whose blocks never reached the disk, or the rename may be lost. So every published file
and the folder that holds it are fsynced before the rename, and the folder again after it.
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_directory(path: Path) -> None:
    """The folder's entries (names, renames) to disk; a no-op where folders cannot be opened."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder; its renames are journaled by NTFS
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_tree(root: Path) -> None:
    """Every file and folder under root, deepest first, then root itself."""
    for folder, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            fsync_file(Path(folder) / name)
        fsync_directory(Path(folder))


def replace_durably(source: Path, target: Path) -> None:
    """os.replace with the source's bytes on disk before, and the new name on disk after."""
    if source.is_dir():
        fsync_tree(source)
    else:
        fsync_file(source)
    fsync_directory(target.parent)
    os.replace(source, target)
    fsync_directory(target.parent)
