"""`unionwh report`: the work summary's figures section, charts, lineage and year-over-year change,
rendered from a synthetic published warehouse (2022 and 2023) into report.html, report.pdf and
report.docx.

The synthetic warehouse holds what the demo year's real run cannot: a year before it, a warehouse
with figures or tables missing, failed and warned checks. That every printed figure is the real
run's `report_figures` value (HTML, PDF and Word) is tested on the demo publication, in
tests/e2e/test_report_demo.py; here each figure is compared with the sample's `report_figures`.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from pipelines.report import numbers
from tests.report_sample import build_once, build_published_sample
from tests.system_tools import CHROMIUM, LIBREOFFICE, PDFTOPPM, require_program

pytestmark = pytest.mark.e2e


def app() -> typer.Typer:
    """The real CLI, every command registered."""
    from pipelines.cli.main import app

    return app


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Path:
    """2022 and 2023 published, 2023's report rendered: built once per test run, shared with the
    notebook and privacy tests (and across pytest-xdist workers)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's folder, common to its workers
    return build_once(root / "published-sample", build_published_sample)


@pytest.fixture(scope="session")
def report(sample):
    html_path = sample / "marts" / "2023" / "report.html"
    return {
        "html_path": html_path,
        "html": html_path.read_text(encoding="utf-8"),
    }


class Spans(HTMLParser):
    """Every element with data-key / data-formula, with its text and section."""

    def __init__(self):
        super().__init__()
        self.found: list[dict] = []
        self.stack: list[dict | None] = []
        self.section = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.section = attrs.get("id")
        if tag in ("span", "sup") and ("data-key" in attrs or "data-formula" in attrs):
            item = {"tag": tag, "section": self.section, "text": "", **attrs}
            self.found.append(item)
            self.stack.append(item)
        elif tag in ("span", "sup"):
            self.stack.append(None)

    def handle_endtag(self, tag):
        if tag in ("span", "sup") and self.stack:
            self.stack.pop()

    def handle_data(self, text):
        for item in self.stack:
            if item is not None:
                item["text"] += text


def figures_table(warehouse: Path, year: int) -> dict[str, dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(
            "select figure_key, value, unit, display_zh from marts.report_figures where year = ?",
            [year],
        )
        names = [d[0] for d in cursor.description]
        return {r[0]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


def test_report_command(sample, tmp_path):
    """The CLI: 2022 has no year before it in the warehouse, so no change is shown."""
    marts = tmp_path / "marts"
    result = CliRunner().invoke(
        app(),
        [
            "report",
            "--year",
            "2022",
            "--warehouse",
            str(sample / "warehouse" / "union.duckdb"),
            "--marts-dir",
            str(marts),
            "--no-pdf",
            "--no-docx",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "35 项指标" in result.output and "无上年数据" in result.output
    html = (marts / "2022" / "report.html").read_text(encoding="utf-8")
    assert "无法计算同比" in html and '<sup class="delta' not in html
    assert not (marts / "2022" / "report.pdf").exists()
    assert not (marts / "2022" / "report.docx").exists()


def test_change_against_the_previous_year_for_every_figure(report, sample):
    before = figures_table(sample / "warehouse" / "union.duckdb", 2022)
    now = figures_table(sample / "warehouse" / "union.duckdb", 2023)
    html = report["html"]
    change = html.split('data-table="change"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-key="([^"]+)">(.*?)</tr>', change, flags=re.S)
    assert {key for key, _ in rows} == set(now)
    for key, cells in rows:
        values = re.findall(r'<td class="num[^"]*">([^<]*)</td>', cells)
        assert values[0] == now[key]["display_zh"], key
        assert values[1] == before[key]["display_zh"], key
        expected = numbers.change(now[key]["value"], before[key]["value"], now[key]["unit"])
        assert values[2] == expected["delta_text"], key
    # and a mark after every figure in the text
    parser = Spans()
    parser.feed(html)
    marks = {s["data-key"] for s in parser.found if s["tag"] == "sup"}
    assert marks == set(now)
    birthday = numbers.change(
        now["birthday.amount"]["value"], before["birthday.amount"]["value"], "元"
    )
    assert birthday["relative_text"] == "+7.5%"


def test_year_over_year_reads_the_figure_history(sample, tmp_path):
    """The change comes from marts.figure_history: without it there is none, though 2022's
    report_figures are still there."""
    from pipelines.report.build import render_html

    warehouse = tmp_path / "union.duckdb"
    shutil.copy(sample / "warehouse" / "union.duckdb", warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop view marts.figure_history")
        assert con.execute(
            "select count(*) from marts.report_figures where year = 2022"
        ).fetchall()[0][0]
    page = render_html(warehouse, 2023, for_print=False).html
    assert "no 2022 figures in marts.figure_history: no year-over-year change" in page
    assert 'data-table="change"' not in page


def test_lineage_appendix_names_files_rows_and_checks(report, sample):
    html = report["html"]
    lineage = html.split('data-table="lineage"', 1)[1].split("</table>", 1)[0]
    with duckdb.connect(str(sample / "warehouse" / "union.duckdb"), read_only=True) as con:
        files = con.execute(
            "select file_name, file_sha256 from audit.load_log where year = 2023"
        ).fetchall()
        rows = dict(
            con.execute(
                "select figure_key, source_rows from marts.report_figures where year = 2023"
            ).fetchall()
        )
    welfare_name, welfare_sha = next(f for f in files if f[0].startswith("welfare/"))
    assert welfare_name in lineage and welfare_sha[:12] in lineage
    birthday_row = re.search(r'<tr data-key="birthday.amount">(.*?)</tr>', lineage, re.S).group(1)
    assert f">{rows['birthday.amount']}<" in birthday_row.replace(",", "")
    # the warehouse's checks table, per figure and in full
    veterans_row = re.search(r'<tr data-key="welfare.veterans.amount">(.*?)</tr>', lineage, re.S)
    assert "✓ veterans_amount_is_people_times_standard" in veterans_row.group(1)


def _html_rows(html: str, table: str) -> list[list[str]]:
    """A report.html table's body, cell texts (tags dropped)."""
    import html as html_lib

    body = html.split(f'data-table="{table}"', 1)[1].split("</table>", 1)[0].split("<tbody>")[1]
    return [
        [
            html_lib.unescape(re.sub(r"<[^>]+>", " ", c)).split()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_checks_appendix_counts_per_table_and_names_where_the_full_list_is(report):
    """For people: per table how many checks ran, passed, warned and failed; no list of test
    identifiers; the full list is in manifest.json and the Data Docs, which it names."""
    html = report["html"]
    appendix = html.split('<section id="lineage">', 1)[1]
    assert "5 checks ran on 2 tables: 5 passed, 0 warned, 0 failed." in appendix
    assert "No check failed or warned." in appendix and 'data-table="check-problems"' not in html
    # a table is named by its code, after its Chinese name where dbt's manifest gives one
    rows = {r[0][-1]: [int(c[0]) for c in r[1:]] for r in _html_rows(html, "checks")}
    assert rows == {"report_figures": [4, 4, 0, 0], "audit.checks": [1, 1, 0, 0]}
    assert "manifest.json" in appendix and "data-docs/index.html" in appendix
    assert (
        "row_conservation" not in appendix.split('data-table="lineage"', 1)[1].split("</table>")[1]
    )


def test_failed_and_warned_checks_come_first_by_name(sample, tmp_path):
    from pipelines.report.build import render_html

    warehouse = tmp_path / "union.duckdb"
    shutil.copy(sample / "warehouse" / "union.duckdb", warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update audit.checks set status = 'fail' where year = 2023 and check_name = 'row_conservation'"
        )
        con.execute(
            "update audit.checks set status = 'warn' where year = 2023 "
            "and check_name = 'festival_total_is_sum_of_cells'"
        )
    html = render_html(warehouse, 2023, for_print=False).html
    problems = [[" ".join(c) for c in row] for row in _html_rows(html, "check-problems")]
    assert problems == [
        ["row_conservation", "audit.checks", "未通过 failed"],
        ["festival_total_is_sum_of_cells", "report_figures", "警告 warned"],
    ]
    tallies = [(r[0][-1], [int(c[0]) for c in r[1:]]) for r in _html_rows(html, "checks")]
    assert tallies == [
        ("audit.checks", [1, 0, 0, 1]),  # a table with a failure first
        ("report_figures", [4, 3, 1, 0]),
    ]
    assert "5 checks ran on 2 tables: 3 passed, 1 warned, 1 failed." in html


def test_charts_and_tables_are_there(report):
    html = report["html"]
    for chart in (
        "spending-by-category",
        "spending-by-month",
        "proposal-completion",
        "participation",
    ):
        assert f'<svg class="chart" role="img" id="{chart}"' in html or f'id="{chart}"' in html, (
            chart
        )
        assert f'data-table="{chart}"' in html, chart
    assert html.count("<svg") == 4


def test_html_is_self_contained(report):
    html = report["html"]
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, re.I)
    assert "<link" not in html and "<script" not in html and "@import" not in html
    assert "@font-face" in html and "data:font/otf;base64," in html
    assert len(html) < 3_000_000


def test_headings_are_chinese_first_with_english(report):
    headings = re.findall(r"<h2>(.*?)</h2>", report["html"], flags=re.S)
    assert len(headings) == 4
    for heading in headings:
        assert re.match(r"[\u4e00-\u9fff]", heading), heading
        assert re.search(r'<span class="en">[A-Za-z]', heading), heading


def test_a_warehouse_with_report_figures_only(tmp_path, sample):
    """No chart marts, no audit tables, no sources column: the report says what is missing."""
    warehouse = tmp_path / "only-figures.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("attach ? as src (read_only)", [str(sample / "warehouse" / "union.duckdb")])
        con.execute("create schema marts")
        con.execute(
            "create table marts.report_figures as "
            "select * exclude (sources) from src.marts.report_figures where year = 2023"
        )
    # the year's dbt run, where a build keeps it: private/dbt-target-<year>/ beside the warehouse
    target = tmp_path / "private" / "dbt-target-2023"
    target.mkdir(parents=True)
    tests = {
        "test.union_warehouse.assert_festival_amount_equals_row_totals": (None, "pass"),
        "test.union_warehouse.not_null_report_figures_value.1a": ("report_figures", "pass"),
        "test.union_warehouse.unique_report_figures_figure_key.2b": ("report_figures", "pass"),
        "test.union_warehouse.assert_load_log_conserves_rows": (None, "fail"),
    }
    (target / "run_results.json").write_text(
        json.dumps({"results": [{"unique_id": k, "status": v[1]} for k, v in tests.items()]}),
        encoding="utf-8",
    )
    (target / "manifest.json").write_text(
        json.dumps(
            {
                "nodes": {
                    k: {
                        "name": k.split(".")[2],
                        "attached_node": f"model.union_warehouse.{v[0]}" if v[0] else None,
                    }
                    for k, v in tests.items()
                }
            }
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app(),
        [
            "report",
            "--year",
            "2023",
            "--warehouse",
            str(warehouse),
            "--marts-dir",
            str(tmp_path / "marts"),
            "--no-pdf",
            "--no-docx",
        ],
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "marts" / "2023" / "report.html").read_text(encoding="utf-8")
    assert "marts.spending_by_category is missing" in html
    assert "No audit.load_log in the warehouse" in html
    assert html.count('<span class="figure" data-key=') == 35
    # deterministic like the rest of the publication: no run time, no font timestamp
    from pipelines.report.build import render_html

    assert render_html(warehouse, 2023, for_print=False).html == html
    lineage = html.split('data-table="lineage"', 1)[1].split("</table>", 1)[0]
    festival = re.search(r'<tr data-key="festival.amount">(.*?)</tr>', lineage, re.S).group(1)
    assert "✓ assert_festival_amount_equals_row_totals" in festival
    assert "report_figures 的 dbt 测试 2/2" in festival
    [problem] = [[" ".join(c) for c in row] for row in _html_rows(html, "check-problems")]
    assert problem[0] == "assert_load_log_conserves_rows" and problem[2] == "未通过 failed"
    assert "dbt-target-2023/run_results.json" in html


def test_a_year_not_in_the_warehouse_is_a_clear_error(sample, tmp_path):
    result = CliRunner().invoke(
        app(),
        [
            "report",
            "--year",
            "2019",
            "--warehouse",
            str(sample / "warehouse" / "union.duckdb"),
            "--marts-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1
    assert "2019" in result.output and "Traceback" not in result.output


def test_headless_chromium_screenshot_is_not_blank(report, tmp_path):
    from PIL import Image

    require_program(CHROMIUM, "chromium")
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            report["html_path"].as_uri(),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert shot.exists(), "chromium wrote no screenshot"
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 2000)
    pixels = np.asarray(image.resize((128, 200)), dtype=int)
    ink = (pixels.sum(axis=2) < 600).mean()
    blue = (pixels[:, :, 2] > pixels[:, :, 0] + 40).mean()
    assert ink > 0.02, f"the page looks blank ({ink:.1%} ink)"
    assert blue > 0.001, "no blue figures or headings"


def test_sql_command_prints_a_table_and_writes_files(sample, tmp_path):
    warehouse = str(sample / "warehouse" / "union.duckdb")
    query = (
        "select figure_key, value from marts.report_figures where year = 2023 order by 1 limit 3"
    )
    runner = CliRunner()
    result = runner.invoke(app(), ["sql", query, "--warehouse", warehouse])
    assert result.exit_code == 0, result.output
    assert "activities.group_purchase.count" in result.output and "3 行" in result.output
    csv_path, xlsx_path = tmp_path / "q.csv", tmp_path / "q.xlsx"
    result = runner.invoke(
        app(),
        ["sql", query, "--warehouse", warehouse, "--csv", str(csv_path), "--xlsx", str(xlsx_path)],
    )
    assert result.exit_code == 0, result.output
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "figure_key,value" and len(lines) == 4
    import openpyxl

    sheet = openpyxl.load_workbook(xlsx_path).active
    assert sheet.cell(1, 1).value == "figure_key" and sheet.max_row == 4


def test_sql_command_refuses_writes_and_leaves_the_warehouse_alone(sample):
    warehouse = sample / "warehouse" / "union.duckdb"
    before = warehouse.stat().st_mtime_ns
    for query in (
        "delete from marts.report_figures",
        "copy (select 1) to '/tmp/unionwh-sql-test.csv'",
        "select 1; select 2",
        "select * from read_csv('/etc/passwd')",
    ):
        result = CliRunner().invoke(app(), ["sql", query, "--warehouse", str(warehouse)])
        assert result.exit_code == 1, query
        assert "Traceback" not in result.output
    assert warehouse.stat().st_mtime_ns == before
    assert not Path("/tmp/unionwh-sql-test.csv").exists()


# --- report.docx: the same report for the union office's Word ------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="session")
def docx_xml(sample):
    """report.docx's parts: the document, the styles and the font table, parsed."""
    import zipfile

    from lxml import etree

    path = sample / "marts" / "2023" / "report.docx"
    with zipfile.ZipFile(path) as archive:
        parts = {
            name: etree.fromstring(archive.read(f"word/{name}.xml"))
            for name in ("document", "styles", "fontTable")
        }
        media = {n: archive.read(n) for n in archive.namelist() if n.startswith("word/media/")}
    return {"path": path, **parts, "media": media}


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


def _style_of(paragraph) -> str | None:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return style.get(f"{W}val") if style is not None else None


def _docx_tables(document) -> dict:
    """report.docx's tables by their Word title (report.html's data-table name)."""
    return {
        table.find(f"{W}tblPr/{W}tblCaption").get(f"{W}val"): table
        for table in document.iter(f"{W}tbl")
    }


def _docx_rows(table) -> list[list[list[str]]]:
    """The body rows' cells, each as its lines (a line break starts a new line)."""
    rows = []
    for row in list(table.iter(f"{W}tr"))[1:]:
        cells = []
        for cell in row.iter(f"{W}tc"):
            lines = [""]
            for element in cell.iter(f"{W}t", f"{W}br"):
                if element.tag == f"{W}br":
                    lines.append("")
                else:
                    lines[-1] += element.text or ""
            cells.append(lines)
        rows.append(cells)
    return rows


CHARTS = ("spending-by-category", "spending-by-month", "proposal-completion", "participation")


def test_docx_has_the_tables_of_report_html_and_their_charts(docx_xml, report):
    from PIL import Image

    tables = _docx_tables(docx_xml["document"])
    assert list(tables) == [*CHARTS, "change", "lineage", "checks", "files"]
    for chart in CHARTS:
        table = tables[chart]
        html_table = report["html"].split(f'data-table="{chart}"', 1)[1].split("</table>", 1)[0]
        html_rows = [
            [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", html_table.split("<tbody>", 1)[1], re.S)
        ]
        docx_rows = [[_text(cell) for cell in row.iter(f"{W}tc")] for row in table.iter(f"{W}tr")]
        assert docx_rows[1:] == html_rows, chart
        assert table.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None  # repeated on each page
    images = [n for n in docx_xml["media"] if n.endswith(".png")]
    assert len(images) == 4
    assert len(list(docx_xml["document"].iter(f"{W}drawing"))) == 4
    for name in images:
        pixels = np.asarray(Image.open(io.BytesIO(docx_xml["media"][name])).convert("L"), int)
        assert pixels.shape[1] > 1000 and pixels.std() > 20, name  # a drawn chart, not blank


def test_docx_compares_with_the_year_before_as_report_html_does(docx_xml, report, sample):
    """The year-over-year table: every figure with both years' values, the change and the
    relative change, the same texts as report.html's, the values those of report_figures."""
    before = figures_table(sample / "warehouse" / "union.duckdb", 2022)
    now = figures_table(sample / "warehouse" / "union.duckdb", 2023)
    html = [[" ".join(c) for c in row] for row in _html_rows(report["html"], "change")]
    docx = _docx_rows(_docx_tables(docx_xml["document"])["change"])
    assert [[" ".join(c) for c in row] for row in docx] == html
    assert len(docx) == len(now) == 35
    for (label, key), current, previous, _delta, _relative in docx:
        assert label and key in now
        assert current == [now[key]["display_zh"]] and previous == [before[key]["display_zh"]]
    birthday = next(row for row in docx if row[0][1] == "birthday.amount")
    assert birthday[4] == ["+7.5%"]


def test_docx_appendix_gives_each_figure_its_value_rows_and_source_files(docx_xml, sample):
    warehouse = sample / "warehouse" / "union.duckdb"
    now = figures_table(warehouse, 2023)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = dict(
            con.execute(
                "select figure_key, source_rows from marts.report_figures where year = 2023"
            ).fetchall()
        )
        files = dict(
            con.execute(
                "select file_sha256, file_name from audit.load_log where year = 2023"
            ).fetchall()
        )
    lineage = _docx_rows(_docx_tables(docx_xml["document"])["lineage"])
    assert {row[0][1] for row in lineage} == set(now)
    for (_label, key), value, count, sources, checks in lineage:
        figure = now[key]
        assert value == [figure["display_zh"]], key
        assert count == [f"{rows[key]:,}"], key
        names, hashes = sources[0::2], sources[1::2]  # each file: its name, its hash's prefix
        assert names and len(names) == len(hashes), key
        for name, sha in zip(names, hashes, strict=True):
            assert files[next(h for h in files if h.startswith(sha))] == name, key
        assert checks[0] in ("—",) or re.fullmatch(r"[✓✗] \d+/\d+", checks[0]), key
    veterans = next(r for r in lineage if r[0][1] == "welfare.veterans.amount")
    assert veterans[4] == ["✓ 1/1"]  # its reconciliation in the warehouse's checks table
    checks = {r[0][-1]: r[1:] for r in _docx_rows(_docx_tables(docx_xml["document"])["checks"])}
    assert checks == {
        "report_figures": [["4"], ["4"], ["0"], ["0"]],
        "audit.checks": [["1"], ["1"], ["0"], ["0"]],
    }
    text = _text(docx_xml["document"])
    assert "5 checks ran on 2 tables: 5 passed, 0 warned, 0 failed." in text
    assert "manifest.json" in text and "data-docs/index.html" in text


def test_docx_headings_are_styled_like_an_official_document(docx_xml):
    """公文: 黑体 三号 (16 pt) chapters, 黑体 四号 (14 pt) parts, 宋体 for the text, A4."""
    styles = {s.get(f"{W}styleId"): s for s in docx_xml["styles"].iter(f"{W}style")}

    def font(style_id):
        rpr = styles[style_id].find(f"{W}rPr")
        east_asia = rpr.find(f"{W}rFonts").get(f"{W}eastAsia")
        return east_asia, int(rpr.find(f"{W}sz").get(f"{W}val")) / 2  # half-points

    assert font("Heading1") == ("黑体", 16)
    assert font("Heading2") == ("黑体", 14)
    assert font("Normal") == ("宋体", 14)
    fonts = {
        f.get(f"{W}name"): f.find(f"{W}altName").get(f"{W}val")
        for f in docx_xml["fontTable"].iter(f"{W}font")
        if f.find(f"{W}altName") is not None
    }
    assert fonts["黑体"] == "SimHei" and fonts["宋体"] == "SimSun"
    page = docx_xml["document"].find(f"{W}body/{W}sectPr/{W}pgSz")
    assert (int(page.get(f"{W}w")), int(page.get(f"{W}h"))) == (11906, 16838)  # A4 in twips
    headings = [_text(p) for p in docx_xml["document"].iter(f"{W}p") if _style_of(p) == "Heading1"]
    assert headings[:2] == ["一、工作开展情况  Work carried out", "三、取得的成绩  Achievements"]


def test_docx_is_deterministic(sample, tmp_path):
    """Written again from the same warehouse, byte for byte the sample build's report.docx."""
    from pipelines.report.build import collect
    from pipelines.report.word import write_docx

    data = collect(sample / "warehouse" / "union.duckdb", 2023)
    again = write_docx(data, tmp_path / "again.docx").read_bytes()
    assert again == (sample / "marts" / "2023" / "report.docx").read_bytes()


def test_docx_opens_in_libreoffice_and_its_first_page_is_the_summary(docx_xml, tmp_path):
    """Word → PDF with LibreOffice, page 1 and the appendix's first page → PNG with pdftoppm:
    the title and the first sentences in Chinese, the appendix's lineage table; not a blank or a
    page of missing-glyph boxes."""
    from PIL import Image
    from pypdf import PdfReader

    require_program(LIBREOFFICE, "libreoffice-writer-nogui")
    require_program(PDFTOPPM, "poppler-utils")
    out = tmp_path / "converted"
    subprocess.run(
        [
            str(LIBREOFFICE),
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx_xml["path"]),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    pdf = out / "report.pdf"
    reader = PdfReader(str(pdf))
    first = reader.pages[0].extract_text() or ""
    assert "2023年工会工作总结中的数字" in first.replace(" ", "")
    assert "推送内容48条" in first.replace(" ", "")
    assert len(reader.pages) >= 4
    # the appendix starts a page: its heading, then the lineage table's first figures
    [appendix] = [
        number
        for number, page in enumerate(reader.pages, 1)
        if (page.extract_text() or "").replace(" ", "").startswith("附录：数据来源与检查")
    ]
    appendix_text = (reader.pages[appendix - 1].extract_text() or "").replace(" ", "")
    assert "每项指标的来源" in appendix_text and "publicity.wechat.posts" in appendix_text
    for number, name in ((1, "page"), (appendix, "appendix")):
        subprocess.run(
            [
                str(PDFTOPPM),
                "-r",
                "80",
                "-png",
                "-f",
                str(number),
                "-l",
                str(number),
                str(pdf),
                str(out / name),
            ],
            check=True,
            timeout=60,
        )
        [png] = out.glob(f"{name}-*.png")
        image = Image.open(png).convert("L")
        assert image.size[0] < image.size[1]  # portrait
        pixels = np.asarray(image, dtype=int)
        ink = (pixels < 128).mean()
        assert 0.01 < ink < 0.3, f"{name}: {ink:.1%} of the page is ink"
        keep = os.environ.get("UNIONWH_KEEP_DOCX_PAGE")
        if keep:  # to look at the pages: UNIONWH_KEEP_DOCX_PAGE=/tmp/page.png (and /tmp/page-appendix.png)
            target = (
                Path(keep) if name == "page" else Path(keep).with_stem(f"{Path(keep).stem}-{name}")
            )
            target.write_bytes(png.read_bytes())
