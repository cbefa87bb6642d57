"""Reading one raw file into grids of text cells, one grid per sheet.

A grid is a Polars DataFrame of strings (columns `c0…cn`) whose row i is the sheet's row i+1, so
lineage row numbers are the ones Excel shows. Spreadsheets go through fastexcel (calamine); CSV
through Polars after the encoding (UTF-8 with or without BOM, GBK/GB18030) is found.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import fastexcel
import olefile
import polars as pl

from pipelines.errors import FileRejected, library_message
from pipelines.ingest import biff
from pipelines.ingest.merges import GridMerge, MergedRange, column_index, header_view, on_grid
from pipelines.ingest.sniff import (
    OLE_MAGIC,
    foreign_workbook,
    password_protected,
    utf16_encoding,
)
from pipelines.ingest.sparse import compacted_copy, profile_sheet

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
CSV_SUFFIXES = {".csv"}
HEADER_SCAN_ROWS = 30
CSV_SHEET_NAME = "csv"


@dataclass
class SheetGrid:
    name: str
    cells: pl.DataFrame
    visible: bool = True
    # Excel cells (row number, 0-based grid column) that hold a formula without a cached value.
    formulas_without_value: set[tuple[int, int]] = field(default_factory=set)
    # Row number in the sheet of each grid row, when the sheet was compacted (pipelines.ingest.sparse);
    # None: grid row i is the sheet's row i + 1.
    row_numbers: list[int] | None = None
    # the sheet's merged ranges on the grid (pipelines.ingest.merges)
    merged: list[GridMerge] = field(default_factory=list)

    def excel_row(self, index: int) -> int:
        """The row number Excel shows for grid row `index` (0-based)."""
        return index + 1 if self.row_numbers is None else self.row_numbers[index]

    @property
    def header_scan_cells(self) -> pl.DataFrame:
        """The grid rows a header may be on: the sheet's first HEADER_SCAN_ROWS rows, with a
        header that merges lay over two rows read as one (pipelines.ingest.merges.header_view)."""
        if self.row_numbers is None:
            head = self.cells.head(HEADER_SCAN_ROWS)
        else:
            head = self.cells.head(sum(1 for n in self.row_numbers if n <= HEADER_SCAN_ROWS))
        return header_view(head, self.merged)


def read_grids(path: Path, display_name: str) -> list[SheetGrid]:
    """Every sheet of a raw file as text grids; a file that cannot be read raises FileRejected."""
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise FileRejected(display_name, "empty_file", "文件为空", "the file is empty")
    if suffix in CSV_SUFFIXES:
        return [_read_csv(path, display_name)]
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_workbook(path, display_name)
    raise FileRejected(
        display_name,
        "not_a_spreadsheet",
        f"不是电子表格（扩展名 {suffix or '无'}），应为 .xlsx、.xls 或 .csv",
        f"not a spreadsheet (suffix {suffix or 'none'}); expected .xlsx, .xls or .csv",
    )


def _read_workbook(path: Path, display_name: str) -> list[SheetGrid]:
    foreign = foreign_workbook(path, display_name)
    if foreign is not None:
        raise foreign
    xls = _inspect_ole(path, display_name)
    with tempfile.TemporaryDirectory(prefix="unionwh-sheet-") as scratch:
        if xls is not None:
            prepared = biff.prepare_xls(
                path, xls.workbook, xls.stream_name, xls.stream, Path(scratch)
            )
            source, row_numbers = prepared.source, prepared.row_numbers
            missing_values, merged = prepared.formulas_without_value, prepared.merged
        else:
            source, row_numbers, missing_values, merged = _prepare_zip(
                path, display_name, Path(scratch)
            )
        source = _named_for_content(source, Path(scratch), is_xls=xls is not None)
        try:
            reader = fastexcel.read_excel(source)
            sheet_names = list(reader.sheet_names)
        except Exception as exc:  # calamine reports every unreadable file as an exception
            raise _unreadable(display_name, path, exc) from exc
        grids = []
        for name in sheet_names:
            try:
                sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
                cells = sheet.to_polars()
            except Exception as exc:
                raise _unreadable(display_name, path, exc, sheet=name) from exc
            cells = cells.rename({c: f"c{i}" for i, c in enumerate(cells.columns)})
            grids.append(
                SheetGrid(
                    name=name,
                    cells=cells,
                    visible=sheet.visible == "visible",
                    formulas_without_value=_in_grid_columns(sheet, missing_values.get(name, set())),
                    row_numbers=row_numbers.get(name),
                    merged=_merges_on_grid(sheet, merged.get(name, [])),
                )
            )
            del sheet
        del reader
    return grids


@dataclass
class _OleWorkbook:
    stream_name: str
    stream: bytes
    workbook: biff.XlsWorkbook


def _inspect_ole(path: Path, display_name: str) -> _OleWorkbook | None:
    """For an OLE2 compound file: its BIFF8 records (an Excel 97-2003 workbook, whatever the
    file's suffix), or the rejection of an encrypted workbook. None for a zip (xlsx); an Excel
    5/95 workbook was rejected before (pipelines.ingest.sniff).

    An encrypted xlsx is an OLE2 file too (`EncryptedPackage`), and so is anything Excel saves
    with a password to open; an .xlsx that is not even a readable OLE2 file keeps being reported
    as password protected, the likeliest reason an office sends one.
    """
    with path.open("rb") as stream:
        head = stream.read(8)
    if not head.startswith(OLE_MAGIC):
        return None
    is_xls = path.suffix.lower() == ".xls"
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptedPackage"):
                raise password_protected(display_name)
        stream_name, stream = biff.workbook_stream(path)
        if stream_name != "Workbook":
            return None
        workbook = biff.read_workbook(stream)
    except FileRejected:
        raise
    except Exception as exc:  # not a readable compound file, or no BIFF8 workbook stream in it
        if not is_xls:
            raise password_protected(display_name) from exc
        return None  # calamine says what is wrong with it
    if workbook.encrypted:
        raise password_protected(display_name)
    return _OleWorkbook(stream_name, stream, workbook)


def _named_for_content(source: Path, scratch: Path, is_xls: bool) -> Path:
    """Calamine picks its reader by the file's suffix: an .xls that is an xlsx inside (or the
    other way round, as renamed files often are) is read through a link with the right suffix."""
    suffix = source.suffix.lower()
    if is_xls and suffix == ".xls":
        return source
    if not is_xls and (suffix != ".xls" or not zipfile.is_zipfile(source)):
        return source
    link = scratch / ("content.xls" if is_xls else "content.xlsx")
    link.symlink_to(source.resolve())
    return link


def _in_grid_columns(
    sheet: fastexcel.ExcelSheet, cells: set[tuple[int, int]]
) -> set[tuple[int, int]]:
    """(row, sheet column) -> (row, grid column). The grid starts at the first column calamine
    found a value in; calamine says which sheet column each grid column is (absolute_index), so a
    formatted empty cell left of the data, which the XML lists and calamine skips, shifts nothing."""
    if not cells:
        return set()
    grid_column = {info.absolute_index: info.index for info in sheet.available_columns()}
    return {(row, grid_column[column]) for row, column in cells if column in grid_column}


def _merges_on_grid(sheet: fastexcel.ExcelSheet, ranges: list[MergedRange]) -> list[GridMerge]:
    """The sheet's merged ranges on its grid (calamine says which sheet column each grid column is,
    as for the formulas without a value)."""
    if not ranges:
        return []
    return on_grid(ranges, {info.absolute_index: info.index for info in sheet.available_columns()})


def _prepare_zip(
    path: Path, display_name: str, scratch: Path
) -> tuple[
    Path, dict[str, list[int]], dict[str, set[tuple[int, int]]], dict[str, list[MergedRange]]
]:
    """For an xlsx: the file calamine should read (a compacted copy when a sheet is sparse, see
    pipelines.ingest.sparse), the original row numbers of compacted sheets, the formulas
    without a cached value (row numbers of the original sheet) and the merged ranges of the
    sheets as calamine reads them."""
    if not zipfile.is_zipfile(path):
        return path, {}, {}, {}
    try:
        with zipfile.ZipFile(path) as archive:
            members = _sheet_members(archive)
            present = set(archive.namelist())
            profiles = {n: profile_sheet(archive, m) for n, m in members.items() if m in present}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _unreadable(display_name, path, exc) from exc
    sparse = {name: members[name] for name, profile in profiles.items() if profile.is_sparse}
    merged = {name: profile.merged for name, profile in profiles.items() if profile.merge_refs}
    source, row_numbers = path, {}
    if sparse:
        source, row_numbers, compacted_merges = compacted_copy(path, sparse, scratch)
        merged.update(compacted_merges)
    with_formulas = {name for name, profile in profiles.items() if profile.formulas_without_value}
    missing_values = _formulas_without_value(source, with_formulas) if with_formulas else {}
    for name, numbers in row_numbers.items():
        if name in missing_values:
            missing_values[name] = {
                (numbers[row - 1], column)
                for row, column in missing_values[name]
                if row - 1 < len(numbers)
            }
    return source, row_numbers, missing_values, merged


def _unreadable(
    display_name: str, path: Path, exc: Exception, sheet: str | None = None
) -> FileRejected:
    where = f"工作表 {sheet}：" if sheet else ""
    where_en = f"sheet {sheet}: " if sheet else ""
    if path.suffix.lower() in {".xlsx", ".xlsm"} and not zipfile.is_zipfile(path):
        return FileRejected(
            display_name,
            "corrupt_file",
            f"{where}文件已损坏或不是 Excel 文件（不是有效的 xlsx 压缩包）",
            f"{where_en}the file is corrupt or not an Excel file (not a valid xlsx zip)",
        )
    return FileRejected(
        display_name,
        "corrupt_file",
        f"{where}无法读取该电子表格（{type(exc).__name__}）",
        f"{where_en}the spreadsheet cannot be read ({type(exc).__name__}: {library_message(exc)})",
    )


def _read_csv(path: Path, display_name: str) -> SheetGrid:
    data = path.read_bytes()
    text = _decode(data, display_name)
    # universal newlines: old Mac Excel ends its lines with CR alone
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    delimiter = _delimiter(lines[:HEADER_SCAN_ROWS])
    try:
        width = max(
            (len(row) for row in csv.reader(lines[:HEADER_SCAN_ROWS], delimiter=delimiter)),
            default=0,
        )
        body = _csv_body(lines, width, delimiter) if width else None
    except (pl.exceptions.ComputeError, csv.Error):
        body = _csv_body_by_lines(lines, delimiter, display_name)
    if body is None or body.width == 0:
        raise FileRejected(display_name, "empty_file", "文件没有内容", "the file has no content")
    return SheetGrid(name=CSV_SHEET_NAME, cells=body)


def _delimiter(lines: list[str]) -> str:
    """A tab when the first lines hold more tabs than commas (Excel's "Unicode text" and other
    tab-separated exports saved as .csv), else a comma."""
    sample = "\n".join(lines)
    return "\t" if sample.count("\t") > sample.count(",") else ","


def _decode(data: bytes, display_name: str) -> str:
    if utf16_encoding(data[:2]):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileRejected(
                display_name,
                "unknown_encoding",
                "CSV 文件是 UTF-16 文本，但其中有无法解码的字节",
                "the CSV file is UTF-16 text but holds bytes that do not decode",
            ) from exc
    if b"\x00" in data[:65536]:
        raise FileRejected(
            display_name,
            "binary_csv",
            "CSV 文件含二进制内容，不是文本",
            "the CSV file is binary, not text",
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(
        display_name,
        "unknown_encoding",
        "无法识别 CSV 文件的编码（应为 UTF-8、GBK 或带 BOM 的 UTF-16）",
        "cannot decode the CSV file (expected UTF-8, GBK or UTF-16 with a byte-order mark)",
    )


def _csv_body(lines: list[str], width: int, delimiter: str) -> pl.DataFrame:
    """All lines as a grid of `width` string columns; line i is grid row i-1."""
    padded_first = delimiter.join([""] * width)
    # Polars takes the column count from the first line; give it a line of the full width.
    buffer = (padded_first + "\n" + "\n".join(lines)).encode("utf-8")
    cells = pl.read_csv(
        io.BytesIO(buffer),
        has_header=False,
        separator=delimiter,
        new_columns=[f"c{i}" for i in range(width)],
        infer_schema=False,
        truncate_ragged_lines=False,  # a wider line beyond the first ones: read by lines
    )
    return cells.slice(1)


def _csv_body_by_lines(lines: list[str], delimiter: str, display_name: str) -> pl.DataFrame:
    """The grid of a CSV that Polars refuses (a quote inside an unquoted field, as Excel writes
    `12"` for inches), read as Excel reads it by Python's csv module; a quoted field that is not
    closed, or text after a closing quote, is a file error naming its line."""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    last_line = 0
    try:
        for row in reader:
            rows.append(row)
            last_line = reader.line_num
    except csv.Error as exc:
        line = last_line + 1  # the bad record starts on the line after the last good one
        raise FileRejected(
            display_name,
            "malformed_csv_line",
            f"第 {line} 行格式错误：引号不成对或引号后还有字符，请检查该行后重新提交",
            f"line {line} is malformed ({exc}): a quoted field is not closed, or text follows "
            "its closing quote",
        ) from exc
    width = max((len(row) for row in rows), default=0)
    padded = [row + [""] * (width - len(row)) for row in rows]
    columns = [f"c{i}" for i in range(width)]
    cells = pl.DataFrame(padded, schema=dict.fromkeys(columns, pl.String), orient="row")
    # Polars reads an empty field as null; so must this grid
    return cells.with_columns(pl.when(pl.col(c) != "").then(pl.col(c)) for c in columns)


_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _formulas_without_value(path: Path, names: set[str]) -> dict[str, set[tuple[int, int]]]:
    """Per sheet name, the cells (row number, 0-based sheet column) that hold a formula but no
    cached value.

    Calamine shows such a cell as blank, indistinguishable from an empty cell; the contract wants its
    row quarantined, so the sheet XML of the named sheets (those whose bytes show a formula that
    may lack its value, see pipelines.ingest.sparse.profile_sheet) is scanned for `<f>` without `<v>`.
    """
    from xml.etree import ElementTree as ET

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    found: dict[str, set[tuple[int, int]]] = {}
    with zipfile.ZipFile(path) as archive:
        for sheet_name, member in _sheet_members(archive).items():
            if sheet_name not in names:
                continue
            cells: set[tuple[int, int]] = set()
            with archive.open(member) as raw:
                for _, element in ET.iterparse(raw):
                    if element.tag != f"{ns}c":
                        continue
                    ref = _CELL_REF.match(element.get("r", ""))
                    if ref:
                        value = element.find(f"{ns}v")
                        if element.find(f"{ns}f") is not None and (value is None or not value.text):
                            cells.add((int(ref.group(2)), column_index(ref.group(1))))
                    element.clear()
            found[sheet_name] = cells
    return found


# The union office's clock: a file saved at 07:00 in Chongqing is stamped 23:00 UTC the day before.
_OFFICE_TIME = dt.timezone(dt.timedelta(hours=8))


def workbook_property_date(path: Path) -> tuple[date, str] | None:
    """The date the workbook says it was made (created, else last saved), in China time, with the
    property's name: docProps/core.xml of an xlsx, the SummaryInformation stream of an .xls.
    None for CSV and for workbooks that carry neither."""
    stamps = _core_properties(path) if zipfile.is_zipfile(path) else _ole_properties(path)
    for name, stamp in stamps:
        if stamp is None:
            continue
        if stamp.tzinfo is None:  # both formats store UTC
            stamp = stamp.replace(tzinfo=dt.UTC)
        return stamp.astimezone(_OFFICE_TIME).date(), name
    return None


def _core_properties(path: Path) -> list[tuple[str, dt.datetime | None]]:
    from xml.etree import ElementTree as ET

    terms = "{http://purl.org/dc/terms/}"
    try:
        with zipfile.ZipFile(path) as archive:
            core = ET.fromstring(archive.read("docProps/core.xml"))
    except (KeyError, zipfile.BadZipFile, ET.ParseError, OSError):
        return []
    stamps = []
    for name in ("created", "modified"):
        element = core.find(f"{terms}{name}")
        try:
            stamps.append((name, dt.datetime.fromisoformat((element.text or "").strip())))
        except (AttributeError, ValueError):
            continue
    return stamps


def _ole_properties(path: Path) -> list[tuple[str, dt.datetime | None]]:
    try:
        with path.open("rb") as stream:
            if not stream.read(8).startswith(OLE_MAGIC):
                return []
        with olefile.OleFileIO(str(path)) as ole:
            meta = ole.get_metadata()
    except (OSError, ValueError):
        return []
    return [("created", meta.create_time), ("modified", meta.last_saved_time)]


def _sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding its XML, from workbook.xml and its relationships."""
    from xml.etree import ElementTree as ET

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    try:
        workbook = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{pkg}Relationship")}
    members = {}
    for sheet in workbook.iter(f"{main}sheet"):
        target = targets.get(sheet.get(f"{rel_ns}id"), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        members[sheet.get("name")] = member
    return members
