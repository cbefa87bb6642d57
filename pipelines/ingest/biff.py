"""Excel 97-2003 workbooks (.xls, BIFF8): what calamine does not say about them, read from the records.

An .xlsx is a zip of sheet XML that `pipelines.ingest.sparse` and the formula scan in
`pipelines.ingest.workbook` look into before calamine reads it. An .xls is an OLE2 compound file
whose `Workbook` stream is a sequence of BIFF records; this module gives it the same treatment:

- **Formulas without a cached value.** Every FORMULA record carries a result. A program that does
  not compute formulas (xlwt, some exporters) writes an empty one, and calamine shows the cell as
  blank text; a result that is an empty string counts the same (as `<v></v>` does in an xlsx). The
  contract quarantines the row, so those cells are listed.
- **Sparse sheets.** Calamine builds a dense grid of every sheet as it opens the workbook, so one
  stray value at IV65536 of a 30-row sheet costs a 65,536 × 256 grid (about 1.6 GB). Such a sheet is
  renumbered in a scratch copy: every record that names a row or column gets the position it has
  with long empty runs collapsed to one (the records keep their size, so the stream is rewritten in
  place), and each grid row keeps the row number Excel shows in the original file.
- **Encryption.** A FILEPASS record means the workbook opens only with its password.

- **Merged cells.** The MERGEDCELLS records list the sheet's merged ranges (what they mean for the
  header and the data is `pipelines.ingest.merges`); a renumbered sheet's ranges are renumbered too.

Hidden sheets need nothing here: calamine reads the sheet's visibility from its BOUNDSHEET record.
Excel 5/95 workbooks (a `Book` stream, BIFF5), whose text calamine garbles, are rejected as such
before this module sees them (`pipelines.ingest.sniff`).
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import olefile

from pipelines.ingest.merges import MergedRange, cell_name
from pipelines.ingest.sparse import SPARSE_ROWS
from pipelines.ingest.sparse import Positions as _Positions

BOF, EOF, FILEPASS, BOUNDSHEET = 0x0809, 0x000A, 0x002F, 0x0085
FORMULA, STRING = 0x0006, 0x0207
MULRK, MULBLANK = 0x00BD, 0x00BE
ROW, DIMENSIONS, MERGEDCELLS, HLINK = 0x0208, 0x0200, 0x00E5, 0x01B8
SHRFMLA, ARRAY, TABLE = 0x04BC, 0x0221, 0x0236
# cell records that calamine keeps as a value (BLANK, MULBLANK are formatting only)
VALUE_CELLS = {FORMULA, 0x00FD, 0x0203, 0x027E, 0x0205, 0x0204, 0x00D6}  # + LABELSST NUMBER RK …
# records that start with a row and a column (u16 each)
ROW_COLUMN = VALUE_CELLS | {0x0201, 0x001C}  # + BLANK, NOTE
BIFF8 = 0x0600


class NotBiff8(ValueError):
    """The file is an OLE2 compound file but has no BIFF8 `Workbook` stream."""


@dataclass
class SheetRecords:
    """One worksheet's substream, and what one pass over its records tells."""

    name: str
    start: int  # offset of its BOF record in the stream
    end: int  # offset just past its EOF record
    value_cells: int = 0
    last_row: int = -1  # 0-based
    rows: set[int] = field(default_factory=set)  # 0-based rows holding a value
    columns: set[int] = field(default_factory=set)
    # (0-based row, 0-based column) of formulas whose cached result is empty
    formulas_without_value: set[tuple[int, int]] = field(default_factory=set)
    # merged ranges (first row, last row, first column, last column), 0-based, from MERGEDCELLS
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def is_sparse(self) -> bool:
        return self.last_row + 1 > self.value_cells + SPARSE_ROWS


@dataclass
class XlsWorkbook:
    encrypted: bool
    sheets: list[SheetRecords]


def workbook_stream(path: Path) -> tuple[str, bytes]:
    """The name and bytes of the workbook stream (`Workbook`, or `Book` for Excel 5/95)."""
    with olefile.OleFileIO(str(path)) as ole:
        for name in ("Workbook", "Book"):
            if ole.exists(name):
                return name, ole.openstream(name).read()
    raise NotBiff8("no Workbook stream")


def records(
    stream: bytes, start: int = 0, end: int | None = None
) -> Iterator[tuple[int, int, int]]:
    """(offset of the record, record id, body size), from `start` to `end`."""
    end = len(stream) if end is None else end
    position = start
    while position + 4 <= end:
        rid, size = struct.unpack_from("<HH", stream, position)
        yield position, rid, size
        position += 4 + size


def _sheet_name(body: bytes) -> str:
    """BOUNDSHEET's ShortXLUnicodeString: a character count, a flag for UTF-16, the characters."""
    count, flags = body[6], body[7]
    raw = body[8:]
    return raw[: 2 * count].decode("utf-16-le") if flags & 1 else raw[:count].decode("latin-1")


def password_to_open(stream: bytes) -> bool:
    """A FILEPASS record among the workbook globals (before their EOF), in BIFF5 as in BIFF8."""
    for _, rid, _ in records(stream):
        if rid == FILEPASS:
            return True
        if rid == EOF:
            return False
    return False


def read_workbook(stream: bytes) -> XlsWorkbook:
    """The globals (encryption, the worksheets' names and offsets), then one pass per sheet."""
    rid, _ = struct.unpack_from("<HH", stream, 0)
    version = struct.unpack_from("<H", stream, 4)[0]
    if rid != BOF or version != BIFF8:
        raise NotBiff8("not a BIFF8 workbook")
    if password_to_open(stream):
        return XlsWorkbook(encrypted=True, sheets=[])
    bounds = []
    for offset, rid, size in records(stream):
        body = stream[offset + 4 : offset + 4 + size]
        if rid == BOUNDSHEET and body[5] == 0:  # a worksheet (not a chart or a macro sheet)
            bounds.append((_sheet_name(body), struct.unpack_from("<I", body, 0)[0]))
        elif rid == EOF:
            break
    return XlsWorkbook(encrypted=False, sheets=[_scan_sheet(stream, n, s) for n, s in bounds])


def _scan_sheet(stream: bytes, name: str, start: int) -> SheetRecords:
    sheet = SheetRecords(name=name, start=start, end=len(stream))
    depth, pending_string = 0, None
    for offset, rid, size in records(stream, start):
        if rid == BOF:
            depth += 1
        elif rid == EOF:
            depth -= 1
            if depth == 0:
                sheet.end = offset + 4 + size
                break
        if depth != 1:
            continue  # an embedded chart's substream
        body = stream[offset + 4 : offset + 4 + size]
        if rid == STRING and pending_string is not None:
            if struct.unpack_from("<H", body, 0)[0] == 0:
                sheet.formulas_without_value.add(pending_string)
            pending_string = None
            continue
        if rid in VALUE_CELLS:
            row, column = struct.unpack_from("<HH", body, 0)
            sheet.value_cells += 1
            sheet.rows.add(row)
            sheet.columns.add(column)
            sheet.last_row = max(sheet.last_row, row)
            if rid == FORMULA and body[12:14] == b"\xff\xff":
                kind = body[6]
                if kind == 3:  # the result is empty
                    sheet.formulas_without_value.add((row, column))
                elif kind == 0:  # a string result: its text is in the STRING record that follows
                    pending_string = (row, column)
        elif rid == MERGEDCELLS and size >= 2:
            count = min(struct.unpack_from("<H", body, 0)[0], (size - 2) // 8)
            sheet.merged.extend(struct.unpack_from("<HHHH", body, 2 + 8 * i) for i in range(count))
        elif rid == MULRK:
            row, first = struct.unpack_from("<HH", body, 0)
            last = struct.unpack_from("<H", body, size - 2)[0]
            sheet.value_cells += last - first + 1
            sheet.rows.add(row)
            sheet.columns.update(range(first, last + 1))
            sheet.last_row = max(sheet.last_row, row)
    return sheet


def _renumber(stream: bytearray, sheet: SheetRecords, rows: _Positions, cols: _Positions) -> None:
    """Rewrite every row and column index of the sheet's records (sizes unchanged)."""

    def pack(fmt: str, at: int, *values: int) -> None:
        struct.pack_into(fmt, stream, at, *values)

    for offset, rid, size in records(bytes(stream), sheet.start, sheet.end):
        at = offset + 4
        if rid in ROW_COLUMN:
            row, column = struct.unpack_from("<HH", stream, at)
            pack("<HH", at, rows(row), cols(column))
        elif rid in (MULRK, MULBLANK):
            row, first = struct.unpack_from("<HH", stream, at)
            last = struct.unpack_from("<H", stream, at + size - 2)[0]
            pack("<HH", at, rows(row), cols(first))
            pack("<H", at + size - 2, cols(first) + (last - first))
        elif rid == ROW:
            row, first, past = struct.unpack_from("<HHH", stream, at)
            pack("<HHH", at, rows(row), cols(first), cols(max(past, 1) - 1) + 1 if past else 0)
        elif rid == DIMENSIONS and size >= 14:
            first_row, past_row, first_col, past_col = struct.unpack_from("<IIHH", stream, at)
            pack(
                "<IIHH",
                at,
                rows(first_row),
                rows(past_row - 1) + 1 if past_row else 0,
                cols(first_col),
                cols(past_col - 1) + 1 if past_col else 0,
            )
        elif rid in (MERGEDCELLS, HLINK):
            count = struct.unpack_from("<H", stream, at)[0] if rid == MERGEDCELLS else 1
            base = at + 2 if rid == MERGEDCELLS else at
            for i in range(count):
                r1, r2, c1, c2 = struct.unpack_from("<HHHH", stream, base + 8 * i)
                pack("<HHHH", base + 8 * i, rows(r1), rows(r2), cols(c1), cols(c2))
        elif rid in (SHRFMLA, ARRAY, TABLE):
            r1, r2, c1, c2 = struct.unpack_from("<HHBB", stream, at)
            pack("<HHBB", at, rows(r1), rows(r2), cols(c1), cols(c2))


@dataclass
class PreparedXls:
    """What `prepare_xls` hands calamine and the sheet reader."""

    source: Path  # the file calamine should read (a renumbered copy when a sheet was sparse)
    row_numbers: dict[str, list[int]]  # grid row -> Excel row, for renumbered sheets
    # (Excel row, 0-based column of the sheet calamine reads); the reader maps it onto the grid
    formulas_without_value: dict[str, set[tuple[int, int]]]
    # merged ranges of the sheet calamine reads, each naming its top-left cell in the original
    merged: dict[str, list[MergedRange]] = field(default_factory=dict)


def _merged_ranges(
    sheet: SheetRecords, maps: tuple[_Positions, _Positions] | None
) -> list[MergedRange]:
    rows, cols = maps or (lambda row: row, lambda column: column)
    return [
        MergedRange(rows(r1) + 1, rows(r2) + 1, cols(c1), cols(c2), cell_name(r1 + 1, c1))
        for r1, r2, c1, c2 in sheet.merged
        if (r1, c1) != (r2, c2)
    ]


def prepare_xls(path: Path, workbook: XlsWorkbook, stream_name: str, stream: bytes, scratch: Path):
    """Renumber the sparse sheets into a scratch copy, and say where the formulas without a value
    are in it (pipelines.ingest.workbook places them on calamine's grid)."""
    sparse = [s for s in workbook.sheets if s.is_sparse]
    row_numbers: dict[str, list[int]] = {}
    maps: dict[str, tuple[_Positions, _Positions]] = {}
    source = path
    if sparse:
        rewritten = bytearray(stream)
        for sheet in sparse:
            rows, cols = _Positions(sheet.rows), _Positions(sheet.columns)
            _renumber(rewritten, sheet, rows, cols)
            maps[sheet.name] = (rows, cols)
            numbers: list[int] = []
            for old in rows.used:
                new = rows(old)
                while len(numbers) < new:  # the empty slot standing for a collapsed run
                    numbers.append((numbers[-1] if numbers else 0) + 1)
                numbers.append(old + 1)
            row_numbers[sheet.name] = numbers
        source = scratch / "renumbered.xls"
        shutil.copyfile(path, source)
        with olefile.OleFileIO(str(source), write_mode=True) as ole:
            ole.write_stream(stream_name, bytes(rewritten))
    formulas: dict[str, set[tuple[int, int]]] = {}
    for sheet in workbook.sheets:
        if not sheet.formulas_without_value:
            continue
        _, cols = maps.get(sheet.name, (None, None))
        place = cols or (lambda column: column)
        formulas[sheet.name] = {
            (row + 1, place(column)) for row, column in sheet.formulas_without_value
        }
    merged = {s.name: _merged_ranges(s, maps.get(s.name)) for s in workbook.sheets if s.merged}
    return PreparedXls(source, row_numbers, formulas, merged)
