"""`unionwh report` on the pipeline's own output: the shipped 2023 demo year, run once by
`unionwh run` (`demo_publication`, tests/conftest.py), then reported by `unionwh report` as a user
does, into a copy of its marts/2023 folder (the shared publication stays as the run left it).

Expected values come from that run's `marts.report_figures` (read with DuckDB) and from the
union's published summary (shared seed, 2023), never from the report's code. The synthetic
warehouse of tests/e2e/test_report.py stays for what the demo year cannot show: a year before it,
missing figures, failed checks.
"""

from __future__ import annotations

import html as html_lib
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.report import numbers
from tests.conftest import run_cli
from tests.e2e.test_report import Spans, figures_table
from tests.report_sample import build_once

pytestmark = pytest.mark.e2e

YEAR = 2023

# sentences of the 2023 summary, as published (shared/seed/2023-work-summary.txt)
PUBLISHED_SENTENCES = [
    "完成了会员生日蛋糕的购买、发放工作,总计157.55万元",
    "按每人300元标准,发放177600.00元的慰问品",
    "总计:1361.2万元",
    "跑山鸡152720元",
    "农产品150660元,总计30.338万元",
    "特色农产品,总计157.83万元",
    "发放特别困难补助12.6万元",
    "劳模等167人,合计13.36万元",
    "总计325人,总计26.05万元",
    "超额14.8万元完成帮扶任务",
    "已立案的98条教代会提案和15条工代会提案",
    "组织召开5次工会委员会",
    "相关文件12个",
    "组织召开2次提案工作委员会",
]

CLAUSE_END = "，。；：,;:（）()"  # a clause of a sentence ends at its punctuation


@pytest.fixture(scope="session")
def demo_report(demo_publication, tmp_path_factory) -> dict:
    """`unionwh report --year 2023` on the demo publication's warehouse, written into a copy of
    its marts/2023 folder (the report reads the publication's manifest there): rendered once per
    test run and shared across pytest-xdist workers."""
    assert demo_publication.returncode == 0, demo_publication.stdout[-3000:]
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's folder, common to its workers

    def render(base: Path) -> None:
        shutil.copytree(demo_publication.marts / str(YEAR), base / "marts" / str(YEAR))
        result = run_cli(
            "report",
            "--year",
            str(YEAR),
            "--warehouse",
            str(demo_publication.warehouse),
            "--marts-dir",
            str(base / "marts"),
        )
        (base / "stdout.txt").write_text(result.stdout + result.stderr, encoding="utf-8")
        (base / "returncode.txt").write_text(str(result.returncode), encoding="utf-8")

    base = build_once(root / "demo-report", render)
    output = (base / "stdout.txt").read_text(encoding="utf-8")
    assert (base / "returncode.txt").read_text(encoding="utf-8") == "0", output[-3000:]
    year_dir = base / "marts" / str(YEAR)
    return {
        "output": output,
        "dir": year_dir,
        "html": (year_dir / "report.html").read_text(encoding="utf-8"),
        "figures": figures_table(demo_publication.warehouse, YEAR),
    }


def _summary(page: str) -> str:
    return page.split('<section id="figures"', 1)[1].split("</section>", 1)[0]


def _printed_figures(page: str) -> list[dict]:
    """The figure spans of the summary: data-key, data-value, data-format and the printed text."""
    parser = Spans()
    parser.feed(page)
    return [
        s
        for s in parser.found
        if s["tag"] == "span" and s["section"] == "figures" and "data-key" in s
    ]


def _paragraph_texts(page: str) -> list[str]:
    """Each summary paragraph as a reader reads it (tags and change marks removed)."""
    body = re.sub(r"<sup.*?</sup>", "", _summary(page), flags=re.S)
    return [
        html_lib.unescape(re.sub(r"<[^>]+>", "", p))
        for p in re.findall(r"<p>(.*?)</p>", body, re.S)
    ]


def _equals_report_figures(printed: str, row: dict) -> bool:
    """A printed figure reads as its report_figures value (万元, with up to 4 decimals, is exact
    to the yuan)."""
    value, _unit = numbers.parse_display(printed)
    if row["unit"] == "元" and printed.endswith("万元"):
        return value == row["value"].quantize(Decimal(1))
    return value == row["value"]


def test_the_command_reports_every_figure_and_writes_html_pdf_and_docx(demo_report):
    assert f"{len(demo_report['figures'])} 项指标" in demo_report["output"]
    assert len(demo_report["figures"]) == 35
    assert "无上年数据" in demo_report["output"]  # the demo publication holds 2023 only
    for name in ("report.html", "report.pdf", "report.docx"):
        assert (demo_report["dir"] / name).exists(), name
    assert (demo_report["dir"] / "report.pdf").read_bytes().startswith(b"%PDF")


def test_every_figure_in_the_summary_is_the_runs_report_figures_value(demo_report):
    table = demo_report["figures"]
    printed = _printed_figures(demo_report["html"])
    assert {s["data-key"] for s in printed} == set(table)
    assert len(printed) == len(table) == 35  # each figure printed once
    for span in printed:
        row = table[span["data-key"]]
        assert "missing" not in span["class"], span
        assert Decimal(span["data-value"]) == row["value"], span
        assert _equals_report_figures(span["text"], row), (span["text"], row)
        if span["data-format"] == "display":
            assert span["text"] == row["display_zh"], span


def test_the_summary_reads_as_the_published_summary(demo_report):
    text = "\n".join(_paragraph_texts(demo_report["html"]))
    for sentence in PUBLISHED_SENTENCES:
        assert sentence in text, sentence


def test_derived_numbers_match_the_summary(demo_report):
    parser = Spans()
    parser.feed(demo_report["html"])
    derived = {s["data-formula"]: s for s in parser.found if "data-formula" in s}
    other = derived["alleviation.chengkou.amount - alleviation.chengkou.chicken.amount"]
    assert other["text"] == "150660元"  # 农产品150660元
    assert derived["welfare.veterans.amount / welfare.veterans.people"]["text"] == "300元"


def _clause(paragraph: str, printed: str) -> str:
    """The clause of a sentence that holds a printed figure: from the punctuation before it to
    the punctuation after it (e.g. `总计157.55万元`)."""
    at = paragraph.index(printed)
    start = max(paragraph.rfind(mark, 0, at) for mark in CLAUSE_END) + 1
    ends = [paragraph.find(mark, at + len(printed)) for mark in CLAUSE_END]
    end = min([e for e in ends if e >= 0] or [len(paragraph)])
    return paragraph[start:end]


def _pdf_text(path: Path) -> str:
    """The PDF's text, read by pypdf (not WeasyPrint, which wrote it), without whitespace (lines
    wrap anywhere in Chinese) nor the page footers (`1 / 15`)."""
    from pypdf import PdfReader

    pages = [page.extract_text() or "" for page in PdfReader(str(path)).pages]
    pages = [re.sub(r"\s*\d+ / \d+\s*$", "", page) for page in pages]
    return re.sub(r"\s+", "", "".join(pages))


def test_pdf_prints_every_figure_in_its_sentence(demo_report):
    table = demo_report["figures"]
    pdf = _pdf_text(demo_report["dir"] / "report.pdf")
    for sentence in PUBLISHED_SENTENCES:
        assert sentence in pdf, sentence
    paragraphs = [re.sub(r"\s+", "", p) for p in _paragraph_texts(demo_report["html"])]
    seen = set()
    for span in _printed_figures(demo_report["html"]):
        key, printed = span["data-key"], span["text"]
        assert _equals_report_figures(printed, table[key]), (key, printed)
        paragraph = next(p for p in paragraphs if printed in p)
        clause = _clause(paragraph, printed)
        assert clause in pdf, (key, clause)
        seen.add(key)
    assert seen == set(table)


def _docx_summary(path: Path) -> list:
    """report.docx's summary paragraphs (python-docx): body text after the title, before the
    图表 (charts) heading."""
    import docx

    paragraphs = []
    for paragraph in docx.Document(str(path)).paragraphs:
        text = _docx_text(paragraph)
        if paragraph.style.name == "Heading 1" and text.startswith("图表"):
            break
        if paragraph.style.name == "Normal" and text:
            paragraphs.append(paragraph)
    return paragraphs


def _docx_text(paragraph) -> str:
    """A paragraph's text with its content controls (python-docx's `text` leaves them out)."""
    return _xml_text(paragraph._p)


def _xml_text(element) -> str:
    from docx.oxml.ns import qn

    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def _docx_tagged(paragraph) -> list[tuple[str, str]]:
    """Each content control of a paragraph: its tag and its text."""
    from docx.oxml.ns import qn

    return [
        (sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}").get(qn("w:val")), _xml_text(sdt))
        for sdt in paragraph._p.iter(qn("w:sdt"))
    ]


def test_docx_tags_every_figure_with_its_key_and_the_runs_value(demo_report):
    table = demo_report["figures"]
    tagged = [
        pair
        for paragraph in _docx_summary(demo_report["dir"] / "report.docx")
        for pair in _docx_tagged(paragraph)
    ]
    figures = [(key, text) for key, text in tagged if not key.startswith("=")]
    assert {key for key, _ in figures} == set(table)
    for key, text in figures:
        assert _equals_report_figures(text, table[key]), (key, text)
    derived = {key[1:]: text for key, text in tagged if key.startswith("=")}
    assert (
        derived["alleviation.chengkou.amount - alleviation.chengkou.chicken.amount"] == "150660元"
    )


def test_docx_has_the_sentences_of_report_html_and_the_published_summary(demo_report):
    docx_sentences = [_docx_text(p) for p in _docx_summary(demo_report["dir"] / "report.docx")]
    html_sentences = _paragraph_texts(demo_report["html"])
    assert len(html_sentences) >= 15
    assert docx_sentences == html_sentences
    text = "\n".join(docx_sentences)
    for sentence in PUBLISHED_SENTENCES:
        assert sentence in text, sentence
