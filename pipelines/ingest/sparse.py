"""Sheets whose cells are few but far apart, read in the memory of a small sheet.

Calamine (under fastexcel) builds a dense grid from the first to the last cell that holds a value:
one stray value at row 1,048,576 (or in column XFD) of a 30-row sheet costs a grid of a million rows,
gigabytes of memory, or an allocation failure that aborts the whole process. A `<dimension>` element
that declares 1,048,576 rows is harmless (calamine does not trust it); cells are what count.

Before a workbook is read, each sheet's XML is streamed once, counting cells with values and finding
the last row and the widest column reference (bytes-level searches, no Python object per cell). A sheet
whose last row lies far beyond its number of values, or that has a column reference of three letters,
is rewritten into a scratch copy of the workbook with its long runs of empty rows and columns
collapsed to one; the copy is what calamine reads, and each grid row keeps the row number Excel shows
in the original file. Every cell with a value is kept: nothing is dropped, only empty space.
"""

from __future__ import annotations

import bisect
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.ingest.merges import MergedRange, cell_name, range_from_ref

CHUNK = 1 << 20
# A run of more empty rows (columns) than this is collapsed to one empty row (column).
MAX_GAP = 50
# A sheet is compacted when its last row lies this far beyond its count of values.
SPARSE_ROWS = 10_000

_ROW_R = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
# a literal start lets the regex engine skip ahead; another attribute ending in `r` with a value
# like ABC1 could only make a sheet be compacted, which keeps every cell
_WIDE_REF = re.compile(rb'r="[A-Z]{3}\d')
_ROW = re.compile(rb"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_ROW_OPEN = re.compile(rb"<row\b[^>]*>")
_ATTR_R = re.compile(rb'\sr="(\d+)"')
_ATTR_SPANS = re.compile(rb'\sspans="[^"]*"')
_CELL_REF = re.compile(rb'(<c\b[^>]*?\sr=")([A-Z]+)(\d+)(")')
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
# A formula cell with no cached value ends right after its formula, or has an empty value.
_FORMULA_WITHOUT_VALUE = re.compile(rb"</f>\s*</c>|<f\b[^>]*/>\s*</c>|<v>\s*</v>|<v\s*/>")
_MERGE_CELL = re.compile(rb'(<mergeCell\b[^>]*?\sref=")([A-Z$]+\d+(?::[A-Z$]+\d+)?)(")')


@dataclass
class SheetProfile:
    """What one streaming pass over a sheet's XML tells: enough to decide how to read it."""

    value_cells: int = 0
    formulas: int = 0
    # formula cells that look as if they lack a cached value: only these sheets are parsed cell by cell
    formulas_without_value: int = 0
    last_row: int = 0
    wide: bool = False
    # the `ref` of every <mergeCell> (the ranges calamine reads as a value and blanks)
    merge_refs: set[str] = field(default_factory=set)

    @property
    def merged(self) -> list[MergedRange]:
        ranges = (range_from_ref(ref) for ref in sorted(self.merge_refs))
        return [r for r in ranges if r is not None]

    @property
    def is_sparse(self) -> bool:
        return self.wide or self.last_row > self.value_cells + SPARSE_ROWS


def profile_sheet(archive: zipfile.ZipFile, member: str) -> SheetProfile:
    """Count values and formulas, find the last row and any 3-letter column, in one pass."""
    profile = SheetProfile()
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            # tokens are counted in the window minus what the previous window already counted
            profile.value_cells += window.count(b"</v>") - tail.count(b"</v>")
            profile.value_cells += window.count(b"<is>") - tail.count(b"<is>")
            profile.formulas += window.count(b"<f") - tail.count(b"<f")
            profile.formulas_without_value += len(_FORMULA_WITHOUT_VALUE.findall(window)) - len(
                _FORMULA_WITHOUT_VALUE.findall(tail)
            )
            if b"<mergeCell" in window:  # a token the tail holds too is counted once (a set)
                profile.merge_refs.update(m.group(2).decode() for m in _MERGE_CELL.finditer(window))
            if not profile.wide and _WIDE_REF.search(window):
                profile.wide = True
            last = window.rfind(b"<row ")
            if last >= 0:
                match = _ROW_R.match(window, last)
                if match:
                    profile.last_row = max(profile.last_row, int(match.group(1)))
            # keep enough to finish a token or a row tag cut by the chunk boundary
            tail = window[-256:]
    return profile


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ch - 64)
    return index - 1


def _column_letters(index: int) -> bytes:
    letters = b""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = bytes([65 + rest]) + letters
    return letters


def _collapse(used: list[int]) -> dict[int, int]:
    """Sorted positions -> new positions with every gap longer than MAX_GAP made one."""
    mapping: dict[int, int] = {}
    previous_old, previous_new = -1, -1
    for old in used:
        gap = old - previous_old
        new = previous_new + (gap if gap <= MAX_GAP else 2)
        mapping[old] = new
        previous_old, previous_new = old, new
    return mapping


class Positions:
    """Old position -> new position, monotone: the used positions as `_collapse` places them, an
    unused one at its place in a short gap, or on the one empty slot a long gap became."""

    def __init__(self, used: set[int]) -> None:
        self.used = sorted(used)
        self.mapping = _collapse(self.used)

    def __call__(self, old: int) -> int:
        if old in self.mapping:
            return self.mapping[old]
        index = bisect.bisect_left(self.used, old)
        if index == 0:
            before_old, before_new = -1, -1
        else:
            before_old = self.used[index - 1]
            before_new = self.mapping[before_old]
        room = self.mapping[self.used[index]] - before_new - 1 if index < len(self.used) else 1
        return before_new + min(old - before_old, max(room, 0))


@dataclass
class Compacted:
    """A sheet rewritten without its long empty runs."""

    xml: bytes
    # grid row i (0-based, the compacted sheet's row i + 1) -> the row number in the original sheet
    row_numbers: list[int] = field(default_factory=list)
    # the sheet's merged ranges in the compacted sheet, each naming its cell in the original
    merged: list[MergedRange] = field(default_factory=list)


def _moved_merges(tail: bytes, rows: Positions, columns: Positions) -> tuple[bytes, list]:
    """The `<mergeCells>` after the sheet data, their references moved as the cells were."""
    merged: list[MergedRange] = []

    def move(ref: re.Match) -> bytes:
        old = range_from_ref(ref.group(2).decode())
        if old is None:
            return ref.group(0)
        new = MergedRange(
            rows(old.first_row - 1) + 1,
            rows(old.last_row - 1) + 1,
            columns(old.first_column),
            columns(old.last_column),
            old.origin,
        )
        merged.append(new)
        corners = (
            f"{cell_name(new.first_row, new.first_column)}:"
            f"{cell_name(new.last_row, new.last_column)}"
        )
        return ref.group(1) + corners.encode() + ref.group(3)

    return _MERGE_CELL.sub(move, tail), merged


def compact_sheet(xml: bytes) -> Compacted:
    """Renumber the rows and cells that hold something so that long empty runs become one."""
    start, end = xml.find(b"<sheetData"), xml.rfind(b"</sheetData>")
    if start < 0 or end < 0:
        return Compacted(xml, [])
    body_start = xml.index(b">", start) + 1
    if xml[body_start - 2 : body_start] == b"/>":  # <sheetData/>: nothing to compact
        return Compacted(xml, [])
    rows: list[tuple[int, bytes]] = []
    columns: set[int] = set()
    implicit_row = 0
    for match in _ROW.finditer(xml, body_start, end):
        row = match.group(0)
        opening = _ROW_OPEN.match(row)
        number = _ATTR_R.search(opening.group(0)) if opening else None
        implicit_row = int(number.group(1)) if number else implicit_row + 1
        if b"</v>" not in row and b"<is>" not in row and b"<f" not in row:
            continue  # a row without a value (formatting only) reads as blank either way
        rows.append((implicit_row, row))
        columns.update(_column_index(ref.group(2)) for ref in _CELL_REF.finditer(row))
    row_map = _collapse([number - 1 for number, _ in rows])
    column_map = _collapse(sorted(columns))

    def new_ref(ref: re.Match, new_row: bytes) -> bytes:
        column = _column_letters(column_map[_column_index(ref.group(2))])
        return ref.group(1) + column + new_row + ref.group(4)

    pieces = [_DIMENSION.sub(b"", xml[:body_start])]
    row_numbers: list[int] = []
    for number, row in rows:
        new_number = row_map[number - 1] + 1
        while len(row_numbers) < new_number - 1:  # an empty row standing for a collapsed run
            row_numbers.append((row_numbers[-1] if row_numbers else 0) + 1)
        row_numbers.append(number)
        new_row = str(new_number).encode()
        opening = _ROW_OPEN.match(row).group(0)
        rewritten = _ATTR_SPANS.sub(b"", opening)
        if _ATTR_R.search(rewritten):
            rewritten = _ATTR_R.sub(b' r="' + new_row + b'"', rewritten, count=1)
        else:
            rewritten = rewritten.replace(b"<row", b'<row r="' + new_row + b'"', 1)
        rest = _CELL_REF.sub(lambda ref, r=new_row: new_ref(ref, r), row[len(opening) :])
        pieces.append(rewritten + rest)
    tail, merged = _moved_merges(xml[end:], Positions({n - 1 for n, _ in rows}), Positions(columns))
    pieces.append(tail)
    return Compacted(b"".join(pieces), row_numbers, merged)


def compacted_copy(
    path: Path, members: dict[str, str], scratch: Path
) -> tuple[Path, dict[str, list[int]], dict[str, list[MergedRange]]]:
    """A copy of the workbook with the given sheets (name -> zip member) compacted, and for each
    compacted sheet the original row number of every grid row and its merged ranges."""
    copy = scratch / f"compacted{path.suffix.lower()}"
    row_numbers: dict[str, list[int]] = {}
    merged: dict[str, list[MergedRange]] = {}
    wanted = {member: name for name, member in members.items()}
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename in wanted:
                compacted = compact_sheet(source.read(item.filename))
                row_numbers[wanted[item.filename]] = compacted.row_numbers
                merged[wanted[item.filename]] = compacted.merged
                target.writestr(item, compacted.xml)
            else:
                with source.open(item) as src, target.open(item, "w") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
    return copy, row_numbers, merged
