"""What a raw file really is, from its first bytes, whatever its suffix says.

Offices rename files: a LibreOffice or WPS sheet saved as .ods, an Excel binary workbook (.xlsb),
Excel's "Unicode text" export (UTF-16) or an Excel 95 workbook all arrive as .xlsx or .xls. A
reader then fails with its own words ("File not found '_rels/.rels'") or reads garbage; the clerk
needs to hear what the file is and what to save it as instead. Each check reads a few bytes, the
zip's directory or the OLE directory: nothing that depends on the file being well formed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import olefile

from pipelines.errors import FileRejected
from pipelines.ingest.biff import password_to_open

OLE_MAGIC = b"\xd0\xcf\x11\xe0"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def utf16_encoding(head: bytes) -> str | None:
    """`utf-16` when the bytes start with a UTF-16 byte-order mark (Excel's "Unicode text")."""
    return "utf-16" if head.startswith(UTF16_BOMS) else None


def foreign_workbook(path: Path, display_name: str) -> FileRejected | None:
    """The rejection of a file with a spreadsheet's suffix that is another kind of file which
    cannot be read as one; None when it may be what it says (or is corrupt in its own way)."""
    with path.open("rb") as stream:
        head = stream.read(8)
    if utf16_encoding(head):
        return FileRejected(
            display_name,
            "utf16_text",
            "文件是 UTF-16 文本（如 Excel 另存为「Unicode 文本」），不是 Excel 工作簿；"
            "请另存为 .xlsx，或把扩展名改为 .csv",
            "the file is UTF-16 text (such as Excel's 'Unicode text'), not an Excel workbook; "
            "save it as .xlsx, or rename it to .csv",
        )
    if head.startswith(b"PK"):
        return _foreign_zip(path, display_name)
    if head.startswith(OLE_MAGIC):
        return _excel95(path, display_name)
    return None


def _foreign_zip(path: Path, display_name: str) -> FileRejected | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype").strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError):
        return None  # a corrupt zip: the workbook reader says so
    if mimetype.startswith(ODS_MIMETYPE):
        return FileRejected(
            display_name,
            "opendocument_spreadsheet",
            "文件是 OpenDocument 电子表格（.ods，如 LibreOffice 或 WPS 所存），不是 Excel 工作簿；"
            "请用 Excel、WPS 或 LibreOffice 另存为 .xlsx",
            "the file is an OpenDocument spreadsheet (.ods, as LibreOffice or WPS save it), not an "
            "Excel workbook; save it as .xlsx",
        )
    if "xl/workbook.bin" in names:
        return FileRejected(
            display_name,
            "xlsb_workbook",
            "文件是 Excel 二进制工作簿（.xlsb），不是 .xlsx；请在 Excel 中另存为 .xlsx",
            "the file is an Excel binary workbook (.xlsb), not an .xlsx; save it as .xlsx in Excel",
        )
    return None


def _excel95(path: Path, display_name: str) -> FileRejected | None:
    """An OLE2 file with a `Book` stream and no `Workbook` one: Excel 5.0/95 (BIFF5/7), which
    calamine does not decode (its text comes out garbled). Password protected first: that is what
    the clerk must change before anything else."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("Workbook") or not ole.exists("Book"):
                return None
            stream = ole.openstream("Book").read()
    except Exception:  # not a readable compound file: the workbook reader says what is wrong
        return None
    if password_to_open(stream):
        return password_protected(display_name)
    return FileRejected(
        display_name,
        "excel95_workbook",
        "文件是 Excel 5.0/95 工作簿（BIFF5），格式过旧无法读取；请在 Excel 或 WPS 中另存为 .xlsx",
        "the file is an Excel 5.0/95 workbook (BIFF5), too old a format to read; "
        "save it as .xlsx in Excel or WPS",
    )


def password_protected(display_name: str) -> FileRejected:
    return FileRejected(
        display_name,
        "password_protected",
        "文件受密码保护（已加密），请去除密码后重新提交",
        "the workbook is password protected (encrypted); remove the password and resend it",
    )
