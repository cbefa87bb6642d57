"""What a Great Expectations Data Docs site says, read from its HTML as a person reads it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path


class _Text(HTMLParser):
    """The text of an HTML page, scripts and styles left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = False

    def handle_starttag(self, tag, attrs) -> None:
        self.skipping = tag in ("script", "style")

    def handle_endtag(self, tag) -> None:
        self.skipping = False

    def handle_data(self, data) -> None:
        if not self.skipping:
            self.parts.append(data)


def validation_page(page: Path) -> tuple[str, int, int, int]:
    """A Data Docs validation page's status and its evaluated, successful, unsuccessful counts."""
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8"))
    text = " ".join(" ".join(parser.parts).split())
    status = re.search(r"Status: (\w+)", text).group(1)
    counts = [
        int(re.search(rf"{kind} Expectations (\d+)", text).group(1))
        for kind in ("Evaluated", "Successful", "Unsuccessful")
    ]
    return status, *counts
