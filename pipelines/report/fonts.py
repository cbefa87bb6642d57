"""The report's Chinese font: Noto Sans SC, from the PyPI package `pylopdf-fonts-zh-cn`.

That package ships Noto Sans SC Regular (the Simplified-Chinese subset OTF of Google/Adobe's
notofonts/noto-cjk, SIL Open Font License 1.1, which allows bundling and embedding) and nothing else,
so a fresh machine needs no system font for Chinese: matplotlib draws the charts with it, and the
HTML carries the glyphs it uses as an embedded subset (`@font-face` with a data: URL), which the
browser and WeasyPrint (the PDF) both use. The subset keeps the file small (a few hundred kB) and
the report opens offline with the same glyphs everywhere.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from pathlib import Path

FAMILY = "Report Sans SC"
LICENSE_NOTE = "Noto Sans SC (SIL Open Font License 1.1)"


@cache
def font_path() -> Path:
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


@cache
def matplotlib_family() -> str:
    """Register the font with matplotlib once; its family name."""
    from matplotlib import font_manager

    path = font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def subset_font(text: str) -> bytes:
    """The font with only the glyphs `text` needs (plus ASCII), as OpenType bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["DSIG"]
    font = TTFont(str(font_path()), lazy=True, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    characters = set(text) | {chr(c) for c in range(0x20, 0x7F)}
    subsetter.populate(text="".join(sorted(characters)))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def font_face_css(text: str) -> str:
    data = base64.b64encode(subset_font(text)).decode("ascii")
    return (
        f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: 400; '
        f'src: url(data:font/otf;base64,{data}) format("opentype"); }}'
    )
