"""`marts/<year>/report.html`, `report.pdf` (and through `word`, `report.docx`) from the published
warehouse.

The HTML is one self-contained file: inline CSS, charts as inline SVG, the Chinese glyphs it uses as
an embedded font subset; it loads nothing from the network. The PDF is the same HTML laid out by
WeasyPrint (pure Python over the system's Pango, which Debian's Python images carry).
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from pipelines.errors import UnionWarehouseError
from pipelines.report import charts, check_summary, data, fonts, numbers
from pipelines.report.check_summary import header as _header
from pipelines.report.summary import (
    Context,
    RenderedChapter,
    figure_text,
    previous_text,
    render_summary,
)

TEMPLATES = Path(__file__).parent / "templates"


class PdfUnavailable(UnionWarehouseError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "无法生成 PDF：缺少系统库 Pango（apt-get install libpango-1.0-0 libpangoft2-1.0-0），"
            f"HTML 报告已生成；可加 --no-pdf。（{detail}）",
            "cannot write the PDF: the system's Pango library is missing (apt-get install "
            f"libpango-1.0-0 libpangoft2-1.0-0); the HTML report was written; use --no-pdf. ({detail})",
        )


@dataclass
class ReportOutputs:
    year: int
    html: Path
    pdf: Path | None
    docx: Path | None
    figures: int
    previous_year: int | None
    notes: list[str] = field(default_factory=list)


def _chart(chart_id: str, title_zh: str, title_en: str) -> dict:
    return {
        "id": chart_id,
        "title_zh": title_zh,
        "title_en": title_en,
        "figure": None,  # the matplotlib figure; each output draws it (SVG, PNG)
        "headers": [],
        "rows": [],
        "note": None,
    }


def _drawn(chart: dict, for_print: bool) -> dict:
    """The chart as inline SVG for the page, and as PNG for the PDF (WeasyPrint lays out an
    image faster than an SVG of thousands of glyph paths)."""
    figure = chart["figure"]
    return chart | {
        "svg": charts.to_svg(figure, chart["id"]) if figure is not None else None,
        "png": charts.to_png_base64(figure) if figure is not None and for_print else None,
    }


def _charts(con, year: int, notes: list[str]) -> list[dict]:
    out = []
    missing = "发布的仓库中没有 {table}（或缺少所需的列）,此图表从略。marts.{table} is missing (or lacks the columns needed): left out."

    rows = data.spending_by_category(con, year)
    chart = _chart("spending-by-category", "按类别支出", "Spending by category")
    if rows:
        chart |= {
            "figure": charts.spending_by_category(rows),
            "headers": [
                _header("类别", "category"),
                _header("支出", "spent", True),
                _header("预算", "budget", True),
                _header("预算执行率", "share of budget", True),
                _header("笔数", "payments", True),
            ],
            "rows": [
                [
                    r["label"],
                    numbers.wan(r["amount"]),
                    numbers.wan(r["budget"]) if r["budget"] is not None else "—",
                    numbers.percent(r["share_used"]),
                    numbers.plain(r["payments"]),
                ]
                for r in rows
            ],
        }
    else:
        chart["note"] = missing.format(table="spending_by_category")
        notes.append(chart["note"])
    out.append(chart)

    rows = data.spending_by_month(con, year)
    chart = _chart("spending-by-month", "按月支出", "Spending by month")
    if rows:
        chart |= {
            "figure": charts.spending_by_month(rows),
            "headers": [_header("月份", "month"), _header("支出", "spent", True)],
            "rows": [[r["label"], numbers.wan(r["amount"])] for r in rows],
            "note": "月份按支出发生的月份;财政年度自上年10月起。Months are calendar months of the "
            "payment; the fiscal year starts in October of the year before.",
        }
    else:
        chart["note"] = missing.format(table="spending_by_category")
    out.append(chart)

    rows = data.proposal_completion(con, year)
    chart = _chart(
        "proposal-completion", "各承办部门提案办结率", "Proposal completion by handling department"
    )
    if rows:
        chart |= {
            "figure": charts.rate_by_department(
                rows, "total", "completed", "提案办结率 Proposals completed", "已办结/承办"
            ),
            "headers": [
                _header("承办部门", "handling department"),
                _header("承办提案", "proposals", True),
                _header("已办结", "completed", True),
                _header("办结率", "completion rate", True),
            ],
            "rows": [
                [r["department"], r["total"], r["completed"], numbers.percent(r["rate"])]
                for r in rows
            ],
            "note": "红色:办结率最低的四分之一部门。Red: the lowest quarter of departments.",
        }
    else:
        chart["note"] = missing.format(table="proposal_completion")
        notes.append(chart["note"])
    out.append(chart)

    rows = data.participation(con, year)
    chart = _chart("participation", "各部门文体活动参与率", "Participation rate by department")
    if rows:
        chart |= {
            "figure": charts.rate_by_department(
                rows, "members", "participants", "参与率 Participation rate", "参与人数/会员数"
            ),
            "headers": [
                _header("部门", "department"),
                _header("会员", "members", True),
                _header("参与人数", "participants", True),
                _header("参与率", "participation rate", True),
                _header("人均参与人次", "participations per member", True),
            ],
            "rows": [
                [
                    r["department"],
                    r["members"],
                    r["participants"],
                    numbers.percent(r["rate"]),
                    numbers.plain(round(r["per_member"], 2))
                    if r["per_member"] is not None
                    else "—",
                ]
                for r in rows
            ],
            "note": "红色:参与率最低的四分之一部门。Red: the lowest quarter of departments."
            + (
                " 参与人数按活动类别统计,同一会员参加多类活动只能在类别内去重:此处取参与人数最多的"
                "类别,是部门参与人数的下限。Participants are counted per activity category in "
                "marts.participation; the largest category's count is shown, a lower bound of the "
                "department's distinct participants."
                if rows and rows[0]["lower_bound"]
                else ""
            ),
        }
    else:
        chart["note"] = missing.format(table="participation")
        notes.append(chart["note"])
    out.append(chart)
    return out


def dbt_target_candidates(warehouse: Path, year: int) -> list[Path]:
    """Where the year's dbt run left run_results.json: the build's own target folder
    (`private/dbt-target-<year>` beside the published file), else the project's dbt target."""
    return [Path(warehouse).parent / "private" / f"dbt-target-{year}", data.DBT_TARGET_DIR]


def _checks(con, year: int, dbt_target_dirs: list[Path]) -> tuple[list[data.Check], str]:
    published = data.checks_from_warehouse(con, year)
    if published is not None:
        origin = published[0].origin if published else "warehouse"
        return published, f"仓库中的检查表 checks table {origin}"
    for target in dbt_target_dirs:
        if (Path(target) / "run_results.json").exists():
            return (
                data.checks_from_dbt(target),
                f"最近一次 dbt 运行的测试 dbt tests of the last run ({Path(target).name}/run_results.json)",
            )
    return [], ""


@dataclass
class ReportData:
    """Everything the report says, gathered once: report.html, report.pdf and report.docx are
    three layouts of it, none of which computes a figure or words a sentence of its own."""

    year: int
    warehouse_name: str
    previous_year: int | None
    figures: list[data.Figure]  # in the order the summary reads them
    chapters: list[RenderedChapter]
    charts: list[dict]
    change_rows: list[dict]
    lineage_rows: list[dict]
    checks: list[data.Check]
    checks_origin: str
    check_tallies: list[dict]  # per table: ran, passed, warned, failed
    check_problems: list[dict]  # the checks that failed, then those that warned, by name
    check_sentence: str  # how many ran, passed, warned and failed
    file_headers: list[dict]
    file_rows: list[list]
    notes: list[str]
    # sources published over the quarantine gate by --accept-quarantine (the manifest's record)
    quarantine_accepted: list[dict] = field(default_factory=list)


def collect(
    warehouse: Path,
    year: int,
    dbt_target_dir: Path | None = None,
    manifest_path: Path | None = None,
) -> ReportData:
    """Read the published warehouse (and the publication's manifest, for what it accepted) and
    put the report together."""
    with data.connect_read_only(warehouse) as con:
        figures = data.load_figures(con, year)
        if not figures:
            raise data.FiguresMissing(Path(warehouse), year)
        changes = data.figure_changes(con, year)
        targets = [dbt_target_dir] if dbt_target_dir else dbt_target_candidates(warehouse, year)
        checks, checks_origin = _checks(con, year, targets)
        notes: list[str] = []
        chart_list = _charts(con, year, notes)
        files = data.load_log(con, year)

    ctx = Context(
        year=year,
        figures={f.key: f for f in figures},
        changes=changes or {},
        checks=checks,
    )
    chapters = render_summary(ctx)
    # the tables list the figures in the order the summary reads them
    figures = sorted(figures, key=lambda f: (ctx.used.get(f.key, len(ctx.used)), f.order))

    change_rows = []
    for figure in figures:
        before = ctx.changes.get(figure.key)
        change = (
            numbers.change_texts(before.change, before.previous_value, figure.unit)
            if before
            else None
        )
        known_before = before is not None and before.has_previous
        change_rows.append(
            {
                "key": figure.key,
                "label": figure.label_zh or figure.key,
                "current": figure_text(figure),
                "previous": previous_text(before, figure.unit) if known_before else "—",
                "delta": change["delta_text"] if change else "—",
                "relative": change["relative_text"] if change else "—",
                "direction": change["direction"] if change else "",
            }
        )

    # dbt tests on the report_figures mart as a whole (not_null, unique, accepted units …) hold for
    # every figure: counted once per row rather than listed 35 times
    mart_checks = [c for c in checks if c.figure_key is None and c.detail == "report_figures"]
    lineage_rows = [
        {
            "key": f.key,
            "label": f.label_zh or f.key,
            "value": figure_text(f),
            "rows": numbers.plain(f.source_rows),
            "sources": f.sources,
            "checks": data.checks_for_figure(checks, f.key),
            "mart_checks": mart_checks,
        }
        for f in figures
    ]

    file_headers, file_rows = [], []
    if files:
        spec = [
            ("source", "来源", "source", False),
            ("file_name", "文件", "file", False),
            ("file_sha256", "sha256", "content hash", False),
            ("rows_read", "读入", "read", True),
            ("rows_clean", "有效", "clean", True),
            ("rows_duplicate", "重复", "duplicate", True),
            ("rows_quarantined", "隔离", "quarantined", True),
        ]
        present = [s for s in spec if s[0] in files[0]]
        file_headers = [_header(zh, en, num) for _, zh, en, num in present]
        for row in files:
            cells = []
            for column, _, _, num in present:
                value = row[column]
                if column == "file_sha256":
                    value = (value or "")[:12]
                cells.append(numbers.plain(value) if num else (value or ""))
            file_rows.append(cells)

    tallies = data.tally_checks(checks)
    return ReportData(
        year=year,
        warehouse_name=Path(warehouse).name,
        previous_year=year - 1 if changes else None,
        figures=figures,
        chapters=chapters,
        charts=chart_list,
        change_rows=change_rows,
        lineage_rows=lineage_rows,
        checks=checks,
        checks_origin=checks_origin,
        check_tallies=check_summary.tally_rows(tallies),
        check_problems=check_summary.problem_rows(checks),
        check_sentence=check_summary.sentence(tallies, checks_origin),
        file_headers=file_headers,
        file_rows=file_rows,
        notes=notes,
        quarantine_accepted=data.quarantine_accepted(manifest_path),
    )


@dataclass
class Rendered:
    html: str  # the report page: charts as inline SVG
    print_html: str  # the same page for the PDF: charts as PNG
    figures: int
    previous_year: int | None
    notes: list[str]


def render_html(
    warehouse: Path,
    year: int,
    dbt_target_dir: Path | None = None,
    for_print: bool = True,
    report: ReportData | None = None,
) -> Rendered:
    """The report as HTML (for the page and for the PDF), and facts about it."""
    report = report or collect(Path(warehouse), year, dbt_target_dir)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    context = {
        "year": report.year,
        "previous_year": report.previous_year,
        "warehouse_name": report.warehouse_name,
        "figure_count": len(report.figures),
        "chapters": report.chapters,
        "charts": [_drawn(chart, for_print) for chart in report.charts],
        "change_rows": report.change_rows,
        "lineage_rows": report.lineage_rows,
        "checks": report.checks,
        "checks_sentence": report.check_sentence,
        "check_tallies": report.check_tallies,
        "check_tally_headers": check_summary.TALLY_HEADERS,
        "check_problems": report.check_problems,
        "check_problem_headers": check_summary.PROBLEM_HEADERS,
        "check_lists": check_summary.WHERE_LISTED,
        "files": report.file_rows,
        "file_headers": report.file_headers,
        "quarantine_accepted": report.quarantine_accepted,
        "font_family": fonts.FAMILY,
        "font_license": fonts.LICENSE_NOTE,
    }
    # Two passes: the page's text decides which glyphs the embedded font subset carries.
    draft = template.render(**context, font_face="", for_print=False)
    font_face = fonts.font_face_css(_visible_text(draft))
    return Rendered(
        html=template.render(**context, font_face=font_face, for_print=False),
        print_html=template.render(**context, font_face=font_face, for_print=True)
        if for_print
        else "",
        figures=len(report.figures),
        previous_year=report.previous_year,
        notes=report.notes,
    )


def _visible_text(page: str) -> str:
    """The characters a reader sees (the charts draw theirs as paths)."""
    text = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    text = re.sub(r"<style.*?</style>", " ", text, flags=re.S)
    text = re.sub(r'title="([^"]*)"', lambda m: " " + m.group(1) + " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return html_lib.unescape(text)


def write_pdf(page: str, path: Path) -> None:
    import logging

    try:
        from weasyprint import HTML
    except OSError as error:  # Pango missing: WeasyPrint loads it when imported
        raise PdfUnavailable(str(error)) from error

    # WeasyPrint warns about CSS it ignores (e.g. `font-variant-numeric`); the PDF is still right.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=page, base_url=None).write_pdf(str(path))


def build_report(
    year: int,
    warehouse: Path,
    marts_dir: Path,
    pdf: bool = True,
    dbt_target_dir: Path | None = None,
    docx: bool = True,
) -> ReportOutputs:
    """Write marts/<year>/report.html (and report.pdf, report.docx) from one `collect`."""
    out_dir = Path(marts_dir) / str(year)
    report = collect(Path(warehouse), year, dbt_target_dir, out_dir / "manifest.json")
    rendered = render_html(Path(warehouse), year, for_print=pdf, report=report)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / "report.html"
    _write_atomically(html_path, rendered.html.encode("utf-8"))
    pdf_path = None
    if pdf:
        pdf_path = out_dir / "report.pdf"
        scratch = pdf_path.with_name(f".{pdf_path.name}.tmp")
        write_pdf(rendered.print_html, scratch)
        scratch.replace(pdf_path)
    docx_path = None
    if docx:
        # start-up: python-docx loads only when the Word report is asked for
        from pipelines.report.word import write_docx

        docx_path = write_docx(report, out_dir / "report.docx")
    return ReportOutputs(
        year=year,
        html=html_path,
        pdf=pdf_path,
        docx=docx_path,
        figures=rendered.figures,
        previous_year=rendered.previous_year,
        notes=rendered.notes,
    )


def _write_atomically(path: Path, content: bytes) -> None:
    scratch = path.with_name(f".{path.name}.tmp")
    scratch.write_bytes(content)
    scratch.replace(path)
