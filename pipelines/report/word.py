"""`marts/<year>/report.docx`: the report as the union office's Word document.

The same `ReportData` as report.html (`pipelines.report.build.collect`): the summary's sentences
segment by segment, the four charts as PNG images with their tables, the year-over-year table (when
the year before is published) and the appendix: each figure with its value, its rows, its source
files and its checks; the checks per table; the files loaded. Nothing is computed or worded here;
this module only lays it out. Each table carries report.html's `data-table` name as its Word
title (alt text: `w:tblCaption`), so a reader or a test finds the same table in both.

The look comes from the template `templates/report.docx`, which the office may restyle in Word:
headings and body styled like a Chinese official document (公文): 黑体 三号 for chapters, 黑体 四号
for parts, 宋体 四号 for the text, 宋体 五号 in tables, A4 with the 公文 margins (37/35/28/26 mm) and the
page number centred in the footer. Each Chinese font names its Windows family as an alternative
(SimHei, SimSun) and the GB2312 charset, so Word and WPS substitute a Chinese font of the same kind
where it is missing; LibreOffice substitutes through fontconfig. `make_template` writes the shipped
template.

The file is deterministic: fixed document properties and zip timestamps, so the same warehouse gives
the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from pipelines.report import charts, check_summary
from pipelines.report.summary import DerivedRef, FigureRef, Sentence

TEMPLATE = Path(__file__).parent / "templates" / "report.docx"
FIXED_TIME = datetime(2024, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
TEXT_WIDTH = Mm(210 - 28 - 26)
LATIN = "Times New Roman"
# style -> (Chinese font, its Windows family, size in pt, bold); 三号 16 pt, 四号 14 pt, 五号 10.5 pt
STYLES = {
    "Title": ("宋体", "SimSun", 22, True),  # 二号
    "Heading 1": ("黑体", "SimHei", 16, False),
    "Heading 2": ("黑体", "SimHei", 14, False),
    "Normal": ("宋体", "SimSun", 14, False),
    "Table Text": ("宋体", "SimSun", 10.5, False),
    "Note": ("宋体", "SimSun", 10.5, False),
}
# the files loaded: source, file, sha256, read, clean, duplicate, quarantined
FILE_COLUMNS = [0.12, 0.34, 0.16, 0.095, 0.095, 0.095, 0.095]
FONT_TABLE = {
    "宋体": ("SimSun", "02010600030101010101"),
    "黑体": ("SimHei", "02010609060101010101"),
}


def _set_fonts(element, chinese: str) -> None:
    """Latin text in Times New Roman, Chinese in `chinese` (no theme fonts overriding them)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme"):
            del fonts.attrib[attribute]
    for attribute, value in (
        ("w:ascii", LATIN),
        ("w:hAnsi", LATIN),
        ("w:eastAsia", chinese),
        ("w:cs", LATIN),
    ):
        fonts.set(qn(attribute), value)


def _font_table(document) -> None:
    """Declare 宋体/黑体 with their Windows names and the GB2312 charset, Word's substitution hints."""
    fonts_part = next(
        (p for p in document.part.package.iter_parts() if p.partname.endswith("fontTable.xml")),
        None,
    )
    if fonts_part is None:
        return
    from lxml import etree

    root = etree.fromstring(fonts_part.blob)
    for name, (alternative, panose) in FONT_TABLE.items():
        for existing in root.findall(qn("w:font")):
            if existing.get(qn("w:name")) == name:
                root.remove(existing)
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (
            ("w:altName", alternative),
            ("w:panose1", panose),
            ("w:charset", "86"),
            ("w:family", "auto"),
            ("w:pitch", "variable"),
        ):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    fonts_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def make_template(path: Path = TEMPLATE) -> Path:
    """Write the shipped template: the styles and the page; no content."""
    from docx.enum.style import WD_STYLE_TYPE

    document = Document()
    styles = document.styles
    for name in ("Table Text", "Note"):
        if name not in [s.name for s in styles]:
            styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH).base_style = styles["Normal"]
    for name, (chinese, _, size, bold) in STYLES.items():
        style = styles[name]
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(style.element, chinese)
        paragraph = style.paragraph_format
        paragraph.space_before = Pt(0)
        paragraph.space_after = Pt(0)
        if name == "Normal":
            paragraph.first_line_indent = Pt(28)  # two characters
            paragraph.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            paragraph.line_spacing = Pt(28)
        elif name in ("Table Text", "Note"):
            paragraph.first_line_indent = Pt(0)
            paragraph.line_spacing_rule = WD_LINE_SPACING.SINGLE
        elif name == "Title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.space_after = Pt(14)
        else:
            paragraph.first_line_indent = Pt(0)
            paragraph.space_before = Pt(10)
            paragraph.space_after = Pt(4)
            paragraph.keep_with_next = True
    title = styles["Title"].element.pPr
    for border in title.findall(qn("w:pBdr")):  # the default template underlines its title
        title.remove(border)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_number_footer(section)
    _font_table(document)
    rels = document.part.package.rels
    for key in [k for k, rel in rels.items() if rel.reltype.endswith("/thumbnail")]:
        rels.pop(key)  # python-docx's own thumbnail would stand for every report
    path.parent.mkdir(parents=True, exist_ok=True)
    _save(document, path)
    return path


def _page_number_footer(section) -> None:
    """`— 1 —` centred at the foot of each page, the page number a PAGE field."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
    paragraph.add_run(" —")


def _heading(document, level: int, zh: str, en: str = "") -> None:
    paragraph = document.add_paragraph(zh, style=f"Heading {level}")
    if en:
        run = paragraph.add_run(f"  {en}")
        run.font.size = Pt(10.5)


def _tagged_run(paragraph, text: str, tag: str, label: str) -> None:
    """The run inside an inline content control tagged with the figure's key: Word shows the
    key when the figure is clicked, and a reader (or a test) finds every figure by its tag."""
    sdt = OxmlElement("w:sdt")
    properties = OxmlElement("w:sdtPr")
    for name, value in (("w:alias", label), ("w:tag", tag)):
        element = OxmlElement(name)
        element.set(qn("w:val"), value)
        properties.append(element)
    content = OxmlElement("w:sdtContent")
    sdt.append(properties)
    sdt.append(content)
    paragraph._p.append(sdt)
    run = OxmlElement("w:r")
    text_element = OxmlElement("w:t")
    text_element.set(qn("xml:space"), "preserve")
    text_element.text = text
    run.append(text_element)
    content.append(run)


def _sentence(document, sentence: Sentence) -> None:
    """One paragraph; each figure is a tagged run (its key, as report.html's data-key)."""
    paragraph = document.add_paragraph(style="Normal")
    for segment in sentence.segments:
        if isinstance(segment, FigureRef) and segment.figure is not None:
            label = segment.figure.label_zh or segment.key
            _tagged_run(paragraph, segment.text, segment.key, label)
        elif isinstance(segment, DerivedRef):
            _tagged_run(paragraph, segment.text, f"={segment.formula}", segment.formula)
        else:
            run = paragraph.add_run(segment.text)
            if isinstance(segment, FigureRef):  # a figure missing from the warehouse
                run.font.color.rgb = RGBColor(0xC0, 0x39, 0x2B)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


@dataclass(frozen=True)
class Small:
    """A line of a cell in small type: a figure's key, a file's hash."""

    text: str


def _caption(table, name: str) -> None:
    """The table's Word title (Table Properties → Alt Text), report.html's data-table name."""
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), name)
    properties = table._tbl.tblPr
    look = properties.find(qn("w:tblLook"))
    if look is not None:  # the schema orders tblCaption after tblLook
        look.addnext(caption)
    else:
        properties.append(caption)


def _cell_text(paragraph, value) -> None:
    """A cell's value: a text, or lines (a `Small` line in 8 pt grey)."""
    lines = value if isinstance(value, list) else [value]
    for index, line in enumerate(lines):
        run = paragraph.add_run(line.text if isinstance(line, Small) else str(line))
        if isinstance(line, Small):
            run.font.size = Pt(8)
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        if index < len(lines) - 1:
            run.add_break()


def _table(
    document,
    headers: list[dict],
    rows: list[list],
    name: str | None = None,
    widths: list[float] | None = None,
) -> None:
    """A table with a repeated header row; `widths`, shares of the text width, per column."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if name:
        _caption(table, name)
    _repeat_header(table.rows[0])
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        paragraph = cell.paragraphs[0]
        paragraph.style = document.styles["Table Text"]
        paragraph.add_run(header["zh"]).bold = True
        english = paragraph.add_run(f" {header['en']}")
        english.font.size = Pt(8)
        if header["cls"] == "num":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for values in rows:
        cells = table.add_row().cells
        for cell, header, value in zip(cells, headers, values, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.style = document.styles["Table Text"]
            _cell_text(paragraph, value)
            if header["cls"] == "num":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if widths:
        _set_widths(table, widths)


def _set_widths(table, shares: list[float]) -> None:
    """Column widths as shares of the text width: the grid (LibreOffice) and every cell (Word)."""
    table.autofit = False
    for column, share in zip(table.columns, shares, strict=True):
        width = int(TEXT_WIDTH * share)
        column.width = width
        for cell in column.cells:
            cell.width = width


def _chart(document, number: int, chart: dict) -> None:
    _heading(document, 2, f"{number}. {chart['title_zh']}", chart["title_en"])
    if chart["figure"] is not None:
        image = io.BytesIO()
        charts.to_png(chart["figure"], image, dpi=200)
        image.seek(0)
        document.add_picture(image, width=TEXT_WIDTH)
        picture = document.paragraphs[-1]
        picture.paragraph_format.first_line_indent = Pt(0)
        # the text's exact line height would clip the picture to one line
        picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        picture.paragraph_format.keep_with_next = True
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _table(document, chart["headers"], chart["rows"], chart["id"])
    if chart["note"]:
        document.add_paragraph(chart["note"], style="Note")


def _year_over_year(document, report) -> None:
    """Every figure against the year before, as report.html's 同比变化 table."""
    _heading(document, 1, "同比变化", f"Change against {report.year - 1}")
    if not report.previous_year:
        document.add_paragraph(
            f"发布的仓库中没有{report.year - 1}年的 report_figures,无法计算同比。No "
            f"{report.year - 1} rows in marts.report_figures: nothing to compare with.",
            style="Note",
        )
        return
    headers = [
        check_summary.header("指标", "figure"),
        check_summary.header(f"{report.year}年", "", True),
        check_summary.header(f"{report.previous_year}年", "", True),
        check_summary.header("变化", "change", True),
        check_summary.header("变化率", "relative", True),
    ]
    rows = [
        [
            [row["label"], Small(row["key"])],
            row["current"],
            row["previous"],
            row["delta"],
            row["relative"],
        ]
        for row in report.change_rows
    ]
    _table(document, headers, rows, "change", [0.34, 0.17, 0.17, 0.18, 0.14])


def _figure_checks(row: dict) -> str:
    """A figure's checks in a few characters: ✓ passed/total (✗ when one did not pass)."""
    checks = row["checks"] + row["mart_checks"]
    if not checks:
        return "—"
    passed = sum(c.passed for c in checks)
    return f"{'✓' if passed == len(checks) else '✗'} {passed}/{len(checks)}"


def _appendix(document, report) -> None:
    """Where each figure comes from, the checks per table, the files loaded: report.html's
    appendix, on a page of its own."""
    document.add_page_break()
    _heading(document, 1, "附录：数据来源与检查", "Appendix: lineage and checks")
    if report.quarantine_accepted:
        _quarantine_accepted(document, report.quarantine_accepted)
    _heading(document, 2, "每项指标的来源", "Where each figure comes from")
    headers = [
        check_summary.header("指标", "figure"),
        check_summary.header("数值", "value", True),
        check_summary.header("行数", "rows", True),
        check_summary.header("来源文件 (sha256)", "source files"),
        check_summary.header("检查", "checks"),
    ]
    rows = []
    for row in report.lineage_rows:
        sources = [
            line
            for source in row["sources"]
            for line in (source.name, Small(source.sha_prefix or "—"))
        ]
        rows.append(
            [
                [row["label"], Small(row["key"])],
                row["value"],
                row["rows"],
                sources or "—",
                _figure_checks(row),
            ]
        )
    _table(document, headers, rows, "lineage", [0.27, 0.15, 0.09, 0.39, 0.10])
    document.add_paragraph(
        "检查一栏：该指标的检查及 report_figures 表的 dbt 测试中通过的项数/总数。Checks: how many "
        "of the figure's own checks and of the tests on marts.report_figures passed.",
        style="Note",
    )
    _checks(document, report)
    _heading(document, 2, "读入的文件", "Files loaded")
    if report.file_rows:
        widths = FILE_COLUMNS if len(report.file_headers) == len(FILE_COLUMNS) else None
        _table(document, report.file_headers, report.file_rows, "files", widths)
    else:
        document.add_paragraph(
            "仓库中没有 audit.load_log。No audit.load_log in the warehouse.", style="Note"
        )


def _quarantine_accepted(document, records: list[dict]) -> None:
    """The sources published over the quarantine gate, as report.html's table says them."""
    _heading(document, 2, "按 --accept-quarantine 发布", "Published by --accept-quarantine")
    document.add_paragraph(
        "以下来源超出隔离上限（或缺少文件），经确认仍予发布；其隔离行见 quarantine.xlsx。The "
        "following sources were over the quarantine gate and published by --accept-quarantine; "
        "their quarantined rows are in quarantine.xlsx.",
        style="Note",
    )
    rows = check_summary.accepted_rows(records)
    _table(document, check_summary.ACCEPTED_HEADERS, rows, "quarantine-accepted", [0.15, 0.15, 0.7])


def _checks(document, report) -> None:
    _heading(document, 2, "检查", "Checks")
    if not report.checks:
        document.add_paragraph(
            "仓库中没有检查表,也没有 dbt 运行结果。No checks table in the warehouse and no dbt run "
            "results.",
            style="Note",
        )
        return
    document.add_paragraph(report.check_sentence, style="Note")
    if report.check_problems:
        rows = [[p["name"], p["table"], p["result"]] for p in report.check_problems]
        _table(document, check_summary.PROBLEM_HEADERS, rows, "check-problems", [0.5, 0.3, 0.2])
    else:
        document.add_paragraph("没有未通过或警告的检查。No check failed or warned.", style="Note")
    rows = [
        [[t["label"], Small(t["table"])] if t["label"] else t["table"], *t["cells"]]
        for t in report.check_tallies
    ]
    _table(document, check_summary.TALLY_HEADERS, rows, "checks", [0.52, 0.12, 0.12, 0.12, 0.12])
    document.add_paragraph(check_summary.WHERE_LISTED, style="Note")


def write_docx(report, path: Path, template: Path = TEMPLATE) -> Path:
    """Write `report` (a `build.ReportData`) to `path` through the template's styles."""
    document = Document(str(template))
    body = document.element.body
    for element in list(body):
        if element.tag != qn("w:sectPr"):
            body.remove(element)
    document.add_paragraph(f"{report.year}年工会工作总结中的数字", style="Title")
    subtitle = document.add_paragraph(style="Note")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    compared = f",与{report.previous_year}年比较" if report.previous_year else ",无上年数据可比较"
    subtitle.add_run(
        f"据 {report.warehouse_name} 的 marts.report_figures 生成,共 {len(report.figures)} 项指标"
        f"{compared}。Figures of the {report.year} work summary, from marts.report_figures."
    )
    for chapter in report.chapters:
        _heading(
            document,
            1,
            f"{chapter.number}{'、' if chapter.number else ''}{chapter.heading_zh}",
            chapter.heading_en,
        )
        for part in chapter.parts:
            if part.heading_zh:
                _heading(document, 2, f"{part.number}{part.heading_zh}", part.heading_en)
            for sentence in part.sentences:
                _sentence(document, sentence)
    _heading(document, 1, "图表", "Tables and charts")
    for number, chart in enumerate(report.charts, 1):
        _chart(document, number, chart)
    _year_over_year(document, report)
    _appendix(document, report)
    properties = document.core_properties
    properties.title = f"{report.year}年工会工作总结中的数字"
    properties.author = properties.last_modified_by = "union-warehouse"
    properties.created = properties.modified = FIXED_TIME
    properties.revision = 1
    _save(document, path)
    return path


def _save(document, path: Path) -> None:
    """Save with fixed zip timestamps (python-docx stamps the current time), atomically."""
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(item.filename))
    scratch = path.with_name(f".{path.name}.tmp")
    scratch.write_bytes(out.getvalue())
    scratch.replace(path)
