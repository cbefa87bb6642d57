"""Errors a user can cause, with messages in Chinese first and English beside.

They are caught at the CLI and printed without a traceback.
"""

from __future__ import annotations


def bilingual(message_zh: str, message_en: str) -> str:
    """One line for a log or a listing: Chinese first, English beside."""
    return f"{message_zh} / {message_en}"


def library_message(exc: BaseException, limit: int = 200) -> str:
    """The first line of a library's exception, without calamine's multi-line "Context:" and the
    scratch paths it names: one line that a clerk can read beside ours."""
    text = str(exc).split("Context:", 1)[0]
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line[:limit]


class UnionWarehouseError(Exception):
    """Base of every error the user can cause and fix."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(bilingual(message_zh, message_en))
        self.message_zh = message_zh
        self.message_en = message_en


class FileRejected(UnionWarehouseError):
    """A raw file that cannot be read at all: it is listed and the year is not published."""

    def __init__(self, file_name: str, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(f"文件 {file_name}：{message_zh}", f"file {file_name}: {message_en}")
        self.file_name = file_name
        self.code = code
