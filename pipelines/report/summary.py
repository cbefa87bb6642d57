"""The figures section of the work summary, sentence by sentence, regenerated from `report_figures`.

Each sentence is the summary's own wording with its numbers replaced by placeholders:

    {figure.key}        the figure as `display_zh` prints it (`12.34万元`, `167人`, `3200.00元`)
    {figure.key|yuan}   the amount in 元 without trailing zeros, where the summary prints 元 (`152720元`)
    {=name}             a number derived from figures (`150660元` = 城口 total − 跑山鸡), see DERIVED
    {year}              the report year

Every printed figure is `<span class="figure" data-key=… data-value=… data-format=…>`, so a test (or
a reader with the browser's inspector) can check it against `marts.report_figures`; its tooltip gives
the lineage, and a small mark after it the change against the year before.

Wording that named one year's particulars (months, townships, products) is kept general, so the same
sentences hold for any year.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import Markup, escape

from pipelines.report import numbers
from pipelines.report.data import Check, Figure, FigureChange, checks_for_figure

Template = str | Callable[[dict[str, Figure]], str | None]


@dataclass(frozen=True)
class Part:
    number: str
    heading_zh: str
    heading_en: str
    sentences: tuple[Template, ...]


@dataclass(frozen=True)
class Chapter:
    number: str
    heading_zh: str
    heading_en: str
    parts: tuple[Part, ...]


def _value(figures: dict[str, Figure], key: str) -> Decimal | None:
    figure = figures.get(key)
    return figure.value if figure else None


def _over_target(figures: dict[str, Figure]) -> str:
    value = _value(figures, "alleviation.changning.over_target")
    if value is None:
        return (
            "（三）深入开展主题教育,推进主题教育成果转换,昌宁县消费帮扶未设定任务金额"
            "{alleviation.changning.over_target},采购农特产品总计{alleviation.changning.amount}。"
        )
    if value >= 0:
        return (
            "（三）深入开展主题教育,推进主题教育成果转换,创新昌宁农特产品消费帮扶激励机制,"
            "超额{alleviation.changning.over_target}完成帮扶任务,助力乡村振兴。"
        )
    return (
        "（三）昌宁农特产品消费帮扶完成情况与帮扶任务相差{alleviation.changning.over_target},"
        "尚未完成帮扶任务。"
    )


def _veterans(figures: dict[str, Figure]) -> str:
    people = _value(figures, "welfare.veterans.people")
    standard = "按每人{=veterans.per_person}标准," if people else ""
    return (
        "（1）完成了复转军人及现役军人家属慰问工作,我校现有{welfare.veterans.people}复转军人及现役军人家属,"
        + standard
        + "发放{welfare.veterans.amount}的慰问品。"
    )


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        "一",
        "工作开展情况",
        "Work carried out",
        (
            Part(
                "（三）",
                "信息发布展风采,宣传典型有力度",
                "Publicity and outreach",
                (
                    "{year}年,“西南大学教工之家”微信公众号推送内容{publicity.wechat.posts},"
                    "向学校和上级工会报送信息{publicity.upper_union.reports},"
                    "发布工会快讯{publicity.news_flash.posts},基层动态{publicity.grassroots.posts},"
                    "社团风采{publicity.clubs.posts},通知公告{publicity.notices.posts}。",
                    "优化会员教职工普惠服务,共组织开展{activities.group_purchase.count}团购活动,"
                    "落实教职工生活工作保障服务。",
                ),
            ),
            Part(
                "（四）",
                "民主参与显担当,监督管理有效果",
                "Democratic participation and oversight",
                (
                    "完成教代会和工代会的意见建议整理和提案分配处理工作。已立案的"
                    "{proposals.congress.accepted}教代会提案和{proposals.union.accepted}工代会提案"
                    "送达至相关职能部门相应的承办部门和协办部门办理。",
                ),
            ),
            Part(
                "（七）1.",
                "定点帮扶",
                "Targeted assistance to partner counties",
                (
                    "购买城口县跑山鸡{alleviation.chengkou.chicken.amount|yuan},"
                    "干洋芋、花菇、腊肉和香肠等农产品{=alleviation.chengkou.other},"
                    "总计{alleviation.chengkou.amount};购买昌宁县特色农产品,总计"
                    "{alleviation.changning.amount}。",
                ),
            ),
            Part(
                "（七）2.",
                "教职工帮扶",
                "Hardship support for staff",
                (
                    "（1）完成了因重大疾病或因其他突发意外致困的教职工的帮扶工作,"
                    "发放特别困难补助{hardship.special.amount}。",
                    "（2）完成了教职工临时困难补助的发放工作,总计{hardship.temporary.amount}。",
                ),
            ),
            Part(
                "（七）3.",
                "教职工慰问",
                "Visits and condolences",
                (
                    "（1）完成了{year}年新年慰问工作,线上线下结合慰问了离休干部、困难教职工、劳模等"
                    "{welfare.new_year.people},合计{welfare.new_year.amount}。",
                    "（2）“七一”期间,完成了烈属及因公殉职干部家属{welfare.july_first.people}的走访慰问,"
                    "总计{welfare.july_first.amount}。",
                    "（3）完成了对援疆援藏干部家属({welfare.frontier_families.people})的走访慰问,"
                    "总计{welfare.frontier_families.amount}。",
                    "（4）完成了对院士、资深教授,新增国家级人才,含弘名师等{welfare.teachers_day.people}"
                    "的教师节走访慰问,总计{welfare.teachers_day.amount}。",
                    "（5）完成了会员结婚、生育、退休及去世慰问品的发放工作,总计"
                    "{welfare.life_events.people},总计{welfare.life_events.amount}。",
                    "（6）完成世界大学生夏季运动会中国代表团西南大学教师慰问工作,共慰问"
                    "{welfare.universiade.people}。",
                ),
            ),
            Part(
                "（七）4.",
                "会员生日及节假日慰问",
                "Birthdays and festivals",
                (
                    "（1）完成了会员生日蛋糕的购买、发放工作,总计{birthday.amount}。",
                    "（2）完成了会员{year}年春节、元旦节、清明节、五一节、端午节、中秋节以及国庆节"
                    "慰问金的统一发放工作,总计:{festival.amount}。",
                ),
            ),
            Part(
                "（七）5.",
                "复转伤残慰问",
                "Veterans and disability care",
                (
                    _veterans,
                    "（2）完成了{year}年1-12月伤残保健金的发放工作,总计{welfare.disability_care.amount}。",
                ),
            ),
        ),
    ),
    Chapter(
        "三",
        "取得的成绩",
        "Achievements",
        (
            Part("（三）", "消费帮扶", "Consumption-based assistance", (_over_target,)),
            Part(
                "（七）",
                "推进工会自身建设",
                "Building the union itself",
                (
                    "组织召开{meetings.union_committee.count}工会委员会,"
                    "{meetings.congress_executive.count}教代会执行委员会,"
                    "征求意见、审议通过学校工会经费收支管理实施细则、学校财务预算、人事管理、"
                    "师德师风等相关文件{meetings.documents_reviewed};组织召开"
                    "{meetings.proposal_committee.count}提案工作委员会,按质保量完成提案办理工作。",
                ),
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Derived:
    formula: str
    keys: tuple[str, ...]
    compute: Callable[..., Decimal | None]
    fmt: Callable[[Decimal], str]


def _per_person(amount: Decimal, people: Decimal) -> Decimal | None:
    return None if not people else (amount / people).quantize(Decimal("0.01"))


DERIVED: dict[str, Derived] = {
    "alleviation.chengkou.other": Derived(
        "alleviation.chengkou.amount - alleviation.chengkou.chicken.amount",
        ("alleviation.chengkou.amount", "alleviation.chengkou.chicken.amount"),
        lambda total, chicken: total - chicken,
        numbers.yuan,
    ),
    "veterans.per_person": Derived(
        "welfare.veterans.amount / welfare.veterans.people",
        ("welfare.veterans.amount", "welfare.veterans.people"),
        _per_person,
        numbers.yuan,
    ),
}

_PLACEHOLDER = re.compile(r"\{(=?)([a-z0-9_.]+)(?:\|([a-z0-9]+))?\}")
FORMATS = {"display", "yuan", "yuan2"}


@dataclass
class Context:
    """What a sentence needs: this year's figures, their change against last year
    (marts.figure_history; empty without a year before), the checks; what it used."""

    year: int
    figures: dict[str, Figure]
    changes: dict[str, FigureChange] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    used: dict[str, int] = field(default_factory=dict)  # figure key -> order of first use


def figure_text(figure: Figure, fmt: str = "display") -> str:
    if figure.value is None:
        return "（无）"
    if fmt == "yuan":
        return numbers.yuan(figure.value)
    if fmt == "yuan2":
        return numbers.yuan2(figure.value)
    return figure.display_zh or numbers.display(figure.value, figure.unit)


def lineage_title(figure: Figure, checks: list[Check]) -> str:
    lines = [f"{figure.key} · {figure.label_zh or ''}".strip(" ·")]
    if figure.source_rows is not None:
        lines.append(f"来源行数 rows: {figure.source_rows}")
    for source in figure.sources:
        lines.append(f"来源 source: {source.name} (sha256 {source.sha_prefix or '?'})")
    passed = [c.name for c in checks_for_figure(checks, figure.key) if c.passed]
    if passed:
        lines.append("通过检查 checks: " + ", ".join(passed))
    return "\n".join(lines)


def previous_text(change: FigureChange, unit: str | None) -> str:
    """The year before's value as the report printed it that year."""
    if change.previous_value is None:
        return "（无）"
    return change.previous_display or numbers.display(change.previous_value, unit)


def delta_mark(ctx: Context, key: str) -> Markup:
    figure, before = ctx.figures.get(key), ctx.changes.get(key)
    if not ctx.changes:
        return Markup("")
    if before is None or not before.has_previous:
        return Markup('<sup class="delta none" data-key="{}">上年无</sup>').format(key)
    unit = figure.unit if figure else None
    change = numbers.change_texts(before.change, before.previous_value, unit)
    if change is None:
        return Markup('<sup class="delta none" data-key="{}">—</sup>').format(key)
    arrow = {"up": "▲", "down": "▼", "same": "="}[change["direction"]]
    shown = change["relative_text"] if change["relative"] is not None else change["delta_text"]
    title = f"{ctx.year - 1}年 {previous_text(before, unit)} → {ctx.year}年 {figure_text(figure)}"
    return Markup('<sup class="delta {}" data-key="{}" title="{}">{}{}</sup>').format(
        change["direction"], key, title, arrow, shown
    )


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class FigureRef:
    """A figure printed in a sentence: `text` is what the reader sees (`figure` None: missing)."""

    key: str
    fmt: str
    figure: Figure | None

    @property
    def text(self) -> str:
        return figure_text(self.figure, self.fmt) if self.figure else f"（缺数据 {self.key}）"


@dataclass(frozen=True)
class DerivedRef:
    """A number computed from figures (DERIVED); `value` None when a figure it needs is missing."""

    formula: str
    value: Decimal | None
    text: str


Segment = Text | FigureRef | DerivedRef


@dataclass(frozen=True)
class Sentence:
    """One sentence of the summary as segments (what the Word report writes run by run) and as
    HTML (what report.html prints, with the lineage tooltips and change marks)."""

    segments: tuple[Segment, ...]
    html: Markup

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    def __html__(self) -> str:
        return self.html


def _figure_span(ctx: Context, ref: FigureRef) -> Markup:
    figure = ref.figure
    if figure is None:
        return Markup('<span class="figure missing" data-key="{}">（缺数据 {}）</span>').format(
            ref.key, ref.key
        )
    value = "" if figure.value is None else f"{figure.value:f}"
    span = Markup(
        '<span class="figure" data-key="{}" data-value="{}" data-format="{}" title="{}">{}</span>'
    ).format(ref.key, value, ref.fmt, lineage_title(figure, ctx.checks), ref.text)
    return span + delta_mark(ctx, ref.key)


def _derived(ctx: Context, name: str) -> DerivedRef:
    derived = DERIVED[name]
    values = [_value(ctx.figures, k) for k in derived.keys]
    result = None if any(v is None for v in values) else derived.compute(*values)
    return DerivedRef(derived.formula, result, "—" if result is None else derived.fmt(result))


def _derived_span(ref: DerivedRef) -> Markup:
    if ref.value is None:
        return Markup('<span class="derived missing" data-formula="{}">—</span>').format(
            ref.formula
        )
    return Markup(
        '<span class="derived" data-formula="{}" data-value="{}" title="{}">{}</span>'
    ).format(ref.formula, f"{ref.value:f}", ref.formula, ref.text)


def _figure(ctx: Context, key: str, fmt: str) -> FigureRef:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} for {key}")
    figure = ctx.figures.get(key)
    if figure is not None:
        ctx.used.setdefault(key, len(ctx.used))
    return FigureRef(key, fmt, figure)


def sentence_segments(ctx: Context, template: Template) -> tuple[Segment, ...] | None:
    """The template's text with its placeholders resolved; records the figures it uses."""
    text = template(ctx.figures) if callable(template) else template
    if text is None:
        return None
    out: list[Segment] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > position:
            out.append(Text(text[position : match.start()]))
        is_derived, name, fmt = match.group(1), match.group(2), match.group(3) or "display"
        if is_derived:
            out.append(_derived(ctx, name))
        elif name == "year":
            out.append(Text(str(ctx.year)))
        else:
            out.append(_figure(ctx, name, fmt))
        position = match.end()
    if position < len(text):
        out.append(Text(text[position:]))
    return tuple(out)


def segment_html(ctx: Context, segment: Segment) -> Markup:
    if isinstance(segment, FigureRef):
        return _figure_span(ctx, segment)
    if isinstance(segment, DerivedRef):
        return _derived_span(segment)
    return escape(segment.text)


def _sentence(ctx: Context, segments: tuple[Segment, ...]) -> Sentence:
    return Sentence(segments, Markup("").join(segment_html(ctx, s) for s in segments))


def render_sentence(ctx: Context, template: Template) -> Sentence | None:
    segments = sentence_segments(ctx, template)
    return None if segments is None else _sentence(ctx, segments)


@dataclass
class RenderedPart:
    number: str
    heading_zh: str
    heading_en: str
    sentences: list[Sentence]


@dataclass
class RenderedChapter:
    number: str
    heading_zh: str
    heading_en: str
    parts: list[RenderedPart]


def render_summary(ctx: Context) -> list[RenderedChapter]:
    """The summary's chapters with their sentences; figures no sentence names come last, one line
    each, so every row of report_figures is printed."""
    chapters = []
    for chapter in CHAPTERS:
        parts = []
        for part in chapter.parts:
            sentences = [s for t in part.sentences if (s := render_sentence(ctx, t)) is not None]
            parts.append(RenderedPart(part.number, part.heading_zh, part.heading_en, sentences))
        chapters.append(
            RenderedChapter(chapter.number, chapter.heading_zh, chapter.heading_en, parts)
        )
    rest = [f for f in ctx.figures.values() if f.key not in ctx.used]
    if rest:
        by_section: dict[str, list[Sentence]] = {}
        for figure in sorted(rest, key=lambda f: f.order):
            segments = (
                Text(f"{figure.label_zh or figure.key}:"),
                _figure(ctx, figure.key, "display"),
                Text("。"),
            )
            by_section.setdefault(figure.section or "其他", []).append(_sentence(ctx, segments))
        chapters.append(
            RenderedChapter(
                "附",
                "其他指标",
                "Other figures",
                [RenderedPart("", s, "", lines) for s, lines in by_section.items()],
            )
        )
    return chapters
