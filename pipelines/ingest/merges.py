"""Merged cells: where a sheet's merged ranges are, and what they mean for its header and its data.

A merged range keeps its value in its top-left cell only; calamine reads every other cell of it as
blank. The ranges themselves are read where the file's bytes are already scanned before calamine
reads them (an xlsx sheet's `<mergeCell ref="E5:E9"/>` in `pipelines.ingest.sparse.profile_sheet`,
an .xls sheet's MERGEDCELLS record in `pipelines.ingest.biff`): python-calamine would list them too,
but only by loading every cell of the sheet a second time (measured: +74 % of the reading time on
the 100× demo year), and fastexcel, which reads the cells, does not expose them.

What the contract makes of them (docs/raw-contract.md, "Merged cells"):

- **Header.** Rows that merges tie together are one header: a name merged down over two rows, or a
  group label merged across some of the columns whose names are in the row below. Each column's
  name is its lowest non-blank label; the header row is the lowest row of the band.
- **Data, one column.** A vertical merge below the header over one named column (and maybe an
  unnamed one beside it, under a name merged across both) gives its value to every row it spans;
  each such row records the cell it came from (`部门←E12`) in its lineage.
- **Data, several columns.** A merge across two or more named columns of a data row is not guessed:
  the rows it spans are quarantined (`merged_across_columns`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

MERGED_ACROSS_COLUMNS = "merged_across_columns"
# one lineage entry: the header text of the filled column, and the cell the value came from
LINEAGE_ARROW = "←"
LINEAGE_SEPARATOR = "; "

_REF = re.compile(r"^([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$")


@dataclass(frozen=True)
class MergedRange:
    """A merged range of the sheet calamine reads: 1-based rows, 0-based columns, and the name of
    its top-left cell in the file as sent (they differ when the sheet was compacted)."""

    first_row: int
    last_row: int
    first_column: int
    last_column: int
    origin: str


@dataclass(frozen=True)
class GridMerge:
    """A merged range placed on a sheet's grid: grid rows (0-based, both ends included) and the
    grid columns (`c0`, `c1` …) that lie inside it."""

    first_index: int
    last_index: int
    columns: tuple[str, ...]
    origin: str


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def cell_name(row: int, column: int) -> str:
    """(12, 4) -> E12: a 1-based row and a 0-based column."""
    return f"{column_letters(column)}{row}"


def range_from_ref(ref: str) -> MergedRange | None:
    """`E5:E9` -> the range; None for a single cell or a reference that is not one."""
    match = _REF.match(ref.strip().upper().replace("$", ""))
    if not match or match.group(3) is None:
        return None
    first_column, first_row = column_index(match.group(1)), int(match.group(2))
    last_column, last_row = column_index(match.group(3)), int(match.group(4))
    first_row, last_row = sorted((first_row, last_row))
    first_column, last_column = sorted((first_column, last_column))
    if (first_row, first_column) == (last_row, last_column):
        return None
    return MergedRange(
        first_row, last_row, first_column, last_column, cell_name(first_row, first_column)
    )


def on_grid(ranges: list[MergedRange], grid_column: dict[int, int]) -> list[GridMerge]:
    """The ranges on the grid: grid row i is the read sheet's row i + 1; `grid_column` maps a sheet
    column to its grid column (calamine's grid starts at the first column holding a value)."""
    placed = []
    for merged in ranges:
        columns = tuple(
            f"c{grid_column[c]}"
            for c in range(merged.first_column, merged.last_column + 1)
            if c in grid_column
        )
        if columns:
            placed.append(
                GridMerge(merged.first_row - 1, merged.last_row - 1, columns, merged.origin)
            )
    return placed


def _blank(value: object) -> bool:
    return value is None or not str(value).strip()


def _linked(row_at, merges: list[GridMerge], row: int) -> bool:
    """Are grid rows `row` and `row + 1` one header? `row_at(i)` gives grid row i as a dict.

    - a name merged down: a labelled merge spans both rows, and the labels of `row` outside
      every merge over it stand over blank cells (a header cell merged down into the data keeps
      the data a data row);
    - a group label: a labelled merge in `row` alone spans columns labelled in the row below,
      the labels of `row` outside its merges stand over blank cells (in a data row they would
      stand over values), and something is labelled beside it (a merge alone over every label of
      the next row is a title)."""
    below = {c for c, v in row_at(row + 1).items() if not _blank(v)}
    beside = {c for c, v in row_at(row).items() if not _blank(v)}
    in_row = [m for m in merges if m.first_index == m.last_index == row and len(m.columns) > 1]
    outside_groups = beside - {c for m in in_row for c in m.columns}
    over_row = [m for m in merges if m.first_index <= row <= m.last_index]
    outside_merges = beside - {c for m in over_row for c in m.columns}
    for merge in over_row:
        if _blank(row_at(merge.first_index).get(merge.columns[0])):
            continue
        if merge.last_index > row:
            if below & outside_merges:
                continue
            return True
        inside = set(merge.columns)
        group_label = merge in in_row and below & inside and not below & outside_groups
        if group_label and (below | beside) - inside:
            return True
    return False


def header_view(cells: pl.DataFrame, merges: list[GridMerge]) -> pl.DataFrame:
    """The rows a header may be on, with each band of rows that merges tie together read as one:
    the band's lowest row holds each column's lowest non-blank label, the rows above it are blank.
    Without such a band (no merges, or a merged title only), the cells as they are."""
    near = [m for m in merges if m.first_index < cells.height - 1]
    if not near:
        return cells
    fetched: dict[int, dict[str, object]] = {}

    def row_at(index: int) -> dict[str, object]:
        if index not in fetched:
            fetched[index] = cells.row(index, named=True)
        return fetched[index]

    starts = sorted(
        {i for m in near for i in range(m.first_index, min(m.last_index, cells.height - 2) + 1)}
    )
    links = [i for i in starts if _linked(row_at, near, i)]
    if not links:
        return cells
    view = [dict(row) for row in cells.rows(named=True)]
    for index in links:  # in order, so a band of three rows carries its labels down twice
        for column, label in view[index].items():
            if _blank(view[index + 1][column]) and not _blank(label):
                view[index + 1][column] = label
        view[index] = dict.fromkeys(view[index])
    return pl.DataFrame(view, schema=cells.schema, orient="row")


@dataclass(frozen=True)
class DataMerges:
    """What a sheet's merges do to its data rows (body rows, 0-based from the first row under the
    header): the cells filled from a vertical merge, and the rows a merge across columns holds."""

    # grid column -> (first body row, last body row, value, lineage text) per vertical merge
    fills: dict[str, list[tuple[int, int, object, str]]]
    # body row -> the grid column the merge across columns starts in
    across_columns: dict[int, str]


def data_merges(
    body: pl.DataFrame, merges: list[GridMerge], first_index: int, header_texts: dict[str, str]
) -> DataMerges:
    """The merges that lie wholly below the header (`first_index` is the grid row of the body's
    first row), read against the body's cells as calamine gave them."""
    fills: dict[str, list[tuple[int, int, object, str]]] = {}
    across: dict[int, str] = {}
    for merge in merges:
        first, last = merge.first_index - first_index, merge.last_index - first_index
        if first < 0 or first >= body.height:
            continue
        last = min(last, body.height - 1)
        named = [c for c in merge.columns if c in header_texts]
        if len(named) > 1:
            for row in range(first, last + 1):
                across.setdefault(row, named[0])
        elif named and merge.columns[0] == named[0] and last > first:
            # one named column, the value in it: a name merged across a spacer column too
            column = named[0]
            value = body[first, column]
            if not _blank(value):
                text = f"{header_texts[column].strip()}{LINEAGE_ARROW}{merge.origin}"
                fills.setdefault(column, []).append((first, last, value, text))
    return DataMerges(fills, across)


def filled(body: pl.DataFrame, merges: DataMerges) -> tuple[pl.DataFrame, pl.Series]:
    """The body with each vertical merge's value in every row it spans, and per row the cells that
    came from a merge (`所在单位←E12`, several joined by `; `; null when none)."""
    lineage: list[list[str]] = [[] for _ in range(body.height)]
    columns = []
    # in column order, so that a row's lineage reads left to right
    for column, spans in sorted(merges.fills.items(), key=lambda item: int(item[0][1:])):
        values = body[column].to_list()
        for first, last, value, text in spans:
            for row in range(first + 1, last + 1):
                values[row] = value
                lineage[row].append(text)
        columns.append(pl.Series(column, values, dtype=body.schema[column]))
    merged_from = pl.Series(
        "_merged_from",
        [LINEAGE_SEPARATOR.join(entries) if entries else None for entries in lineage],
        dtype=pl.String,
    )
    return body.with_columns(columns), merged_from
