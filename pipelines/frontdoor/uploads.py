"""What an uploaded file must be before anything of it is kept: a clean name, a spreadsheet by its
content (not its name), and for a zip-based workbook, an unzipped size within bounds, counted
while unzipping (a zip's declared sizes may lie). A refusal raises UploadRefused and writes
nothing."""

from __future__ import annotations

import copy
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from pipelines.errors import UnionWarehouseError

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_NAME_CHARS = 120
MAX_NAME_BYTES = 240  # a file name's UTF-8 bytes: ext4 and most file systems stop at 255
_RESERVED = re.compile(r'[:*?"<>|]')


@dataclass(frozen=True)
class Limits:
    upload_bytes: int = 20 * 2**20  # one request's body
    unzipped_bytes: int = 200 * 2**20  # what one xlsx may unzip to
    zip_members: int = 2000


class UploadRefused(UnionWarehouseError):
    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh, message_en)
        self.code = code


def clean_file_name(raw: str) -> str:
    """The name a file is kept under. A name with a path in it (`../x.xlsx`, `a/b.xlsx`,
    `C:\\x.xlsx`) or control characters is refused, not repaired: it did not come from a clerk's
    file chooser. Otherwise spaces are tidied, leading dots and characters Windows forbids dropped."""
    name = unicodedata.normalize("NFC", raw or "")
    if "/" in name or "\\" in name or ".." in name or name.strip() in {"", "."}:
        raise UploadRefused(
            "path_in_file_name",
            f"文件名不能包含路径：{name[:80]!r}",
            f"a file name cannot hold a path: {name[:80]!r}",
        )
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise UploadRefused(
            "control_character_in_file_name",
            "文件名含有控制字符",
            "the file name holds control characters",
        )
    name = _RESERVED.sub("_", " ".join(name.split())).lstrip(". ~$")
    stem, dot, suffix = name.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in SUFFIXES or not stem:
        raise UploadRefused(
            "not_a_spreadsheet",
            f"不是电子表格：{name[:80]}（应为 .xlsx、.xls 或 .csv）",
            f"not a spreadsheet: {name[:80]} (expected .xlsx, .xls or .csv)",
        )
    stem = stem[: MAX_NAME_CHARS - len(suffix)]
    # 120 Chinese characters are 360 bytes: cut at a character's end within the byte limit
    stem = stem.encode()[: MAX_NAME_BYTES - len(suffix)].decode(errors="ignore")
    return stem + suffix


def check_content(name: str, data: bytes, limits: Limits) -> None:
    """The bytes are the spreadsheet the name says (xlsx/xls: a zip workbook or an OLE2 file;
    csv: text), and a zip unzips to no more than the limit."""
    if not data:
        raise UploadRefused("empty_file", f"文件为空：{name}", f"the file is empty: {name}")
    suffix = name[name.rfind(".") :].lower()
    if suffix == ".csv":
        _check_text(name, data)
    elif data.startswith(ZIP_MAGIC):
        _check_zip(name, data, limits)
    elif not data.startswith(OLE_MAGIC):
        raise _not_a_spreadsheet(name)


def _not_a_spreadsheet(name: str) -> UploadRefused:
    return UploadRefused(
        "not_a_spreadsheet",
        f"文件 {name} 的内容不是 Excel 工作簿（不论扩展名）",
        f"the content of {name} is not an Excel workbook, whatever its name says",
    )


def _check_text(name: str, data: bytes) -> None:
    if b"\0" in data:
        raise _not_a_spreadsheet(name)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return
        except UnicodeDecodeError:
            continue
    raise UploadRefused(
        "not_text",
        f"CSV 文件 {name} 不是 UTF-8 或 GBK 文本",
        f"the CSV file {name} is not UTF-8 or GBK text",
    )


def _too_big(name: str, limits: Limits) -> UploadRefused:
    mib = limits.unzipped_bytes // 2**20
    return UploadRefused(
        "unzipped_too_large",
        f"文件 {name} 解压后超过 {mib} MB，拒收",
        f"{name} unzips to more than {mib} MB: refused",
    )


def _check_zip(name: str, data: bytes, limits: Limits) -> None:
    """Declared sizes first (cheap), then the real ones, unzipping member by member and stopping
    as soon as the total passes the limit (the declared sizes of a crafted zip may lie)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > limits.zip_members:
                raise _too_big(name, limits)
            if sum(m.file_size for m in members) > limits.unzipped_bytes:
                raise _too_big(name, limits)
            if "xl/workbook.xml" not in archive.namelist():
                raise _not_a_spreadsheet(name)
            total = 0
            for member in members:
                # zipfile stops at the declared size: declare the limit instead, so a member
                # that lies about its size is unzipped until it passes the limit
                probe = copy.copy(member)
                probe.file_size = limits.unzipped_bytes + 1
                with archive.open(probe) as stream:
                    while chunk := stream.read(1 << 20):
                        total += len(chunk)
                        if total > limits.unzipped_bytes:
                            raise _too_big(name, limits)
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise UploadRefused(
            "corrupt_file",
            f"文件 {name} 已损坏（不是有效的 xlsx 压缩包）",
            f"{name} is corrupt (not a valid xlsx zip): {type(exc).__name__}",
        ) from exc
