"""Static charts for the report: matplotlib with the bundled Chinese font, as inline SVG.

The SVG draws text as paths (`svg.fonttype: path`), so the page needs no font to show the charts'
Chinese labels, and a fixed hash salt and no date make the same data give the same bytes.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Sequence
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from pipelines.report import fonts, numbers

BLUE, LIGHT, GREY, RED = "#2f6db5", "#c9d9ee", "#8a8a8a", "#c0392b"
WIDTH = 7.2  # inches: the report's text width


def _style() -> dict:
    return {
        "font.family": [fonts.matplotlib_family(), "DejaVu Sans"],
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 11,
        "axes.titleweight": "normal",
        "svg.fonttype": "path",
        "svg.hashsalt": "union-warehouse",
        "axes.unicode_minus": False,
    }


def _wan(value: Decimal | None) -> float:
    return float((value or Decimal(0)) / numbers.WAN)


def spending_by_category(rows: Sequence[dict]) -> Figure:
    """Left: the amount spent (one category, the festival money, dwarfs the rest, so every bar
    is labelled); right: the share of the category's budget used, comparable across categories."""
    rows = list(rows)[::-1]
    labels = [r["label"] for r in rows]
    amounts = [_wan(r["amount"]) for r in rows]
    shares = [float(r["share_used"]) * 100 if r["share_used"] is not None else 0.0 for r in rows]
    with plt.rc_context(_style()):
        fig = Figure(figsize=(WIDTH, 0.3 * len(rows) + 1.2))
        left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
        left.barh(labels, amounts, color=BLUE, height=0.6)
        top = max(amounts, default=0) or 1
        for y, (amount, row) in enumerate(zip(amounts, rows, strict=True)):
            left.text(
                amount + top * 0.015, y, numbers.wan(row["amount"]), va="center", fontsize=7.5
            )
        left.set_xlim(0, top * 1.3)
        left.set_xlabel("支出 spent, 万元")
        left.set_title("支出 Spending", loc="left")
        right.barh(labels, [100] * len(rows), color=LIGHT, height=0.6)
        colors = [RED if s > 100 else BLUE for s in shares]
        right.barh(labels, [min(s, 100) for s in shares], color=colors, height=0.6)
        for y, (share, row) in enumerate(zip(shares, rows, strict=True)):
            text = numbers.percent(row["share_used"]) if row["share_used"] is not None else "无预算"
            right.text(min(share, 100) + 2, y, text, va="center", fontsize=7.5)
        right.set_xlim(0, 130)
        right.set_xticks([0, 50, 100])
        right.set_xlabel("预算执行率 share of budget, %")
        right.set_title("预算执行 Budget used", loc="left")
        right.tick_params(axis="y", left=False)
        fig.tight_layout()
    return fig


def spending_by_month(rows: Sequence[dict]) -> Figure:
    # months of the year before (the fiscal year starts in October) on two lines: 10月 / 2022
    labels = [
        f"{r['month']}月\n{r['calendar_year']}" if "年" in r["label"] else r["label"] for r in rows
    ]
    amounts = [_wan(r["amount"]) for r in rows]
    with plt.rc_context(_style()):
        fig = Figure(figsize=(WIDTH, 3.0))
        ax = fig.add_subplot()
        ax.bar(labels, amounts, color=BLUE, width=0.6)
        top = max(amounts, default=0) or 1
        for x, amount in enumerate(amounts):
            ax.text(
                x,
                amount + top * 0.02,
                numbers.plain(round(Decimal(amount), 2)),
                ha="center",
                fontsize=7,
            )
        ax.set_ylim(0, top * 1.15)
        ax.set_ylabel("万元 (10,000 yuan)")
        ax.set_title("按月支出 Spending by month")
        fig.tight_layout()
    return fig


def lowest_quarter(rows: Sequence[dict]) -> set[str]:
    """The departments in the lowest quarter by rate (at least one): what the charts mark red."""
    rated = sorted((r for r in rows if r["rate"] is not None), key=lambda r: r["rate"])
    count = max(1, len(rated) // 4) if rated else 0
    return {r["department"] for r in rated[:count]}


def rate_by_department(
    rows: Sequence[dict], total: str, part: str, title: str, part_label: str
) -> Figure:
    """Horizontal bars, highest rate on top; the lowest quarter of departments in red."""
    marked = lowest_quarter(rows)
    rows = list(rows)[::-1]
    labels = [r["department"] for r in rows]
    rates = [float(r["rate"] or 0) * 100 for r in rows]
    with plt.rc_context(_style()):
        fig = Figure(figsize=(WIDTH, 0.26 * len(rows) + 1.1))
        ax = fig.add_subplot()
        colors = [RED if r["department"] in marked else BLUE for r in rows]
        ax.barh(labels, rates, color=colors, height=0.6)
        for y, (rate, row) in enumerate(zip(rates, rows, strict=True)):
            ax.text(
                rate + 1,
                y,
                f"{numbers.percent(row['rate'])}  {row[part]}/{row[total]}",
                va="center",
                fontsize=7,
            )
        ax.set_xlim(0, 125)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.set_xlabel(f"% ({part_label})")
        ax.set_title(title)
        ax.margins(y=0.01)
        fig.tight_layout()
    return fig


_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)


def to_svg(fig: Figure, element_id: str) -> str:
    """The figure as an inline <svg> element (no XML prologue), scaled to the page width."""
    out = io.StringIO()
    with plt.rc_context(_style()):
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    svg = _PROLOGUE.sub("", out.getvalue(), count=1)
    # keep ids unique across the page's charts, and let CSS size the chart
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{element_id}-{m.group(1)}"', svg)
    svg = re.sub(
        r'(xlink:href|href)="#([^"]+)"', lambda m: f'{m.group(1)}="#{element_id}-{m.group(2)}"', svg
    )
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{element_id}-{m.group(1)})", svg)
    # the viewBox keeps the aspect ratio; CSS gives the width (no fixed width/height in pt)
    svg = re.sub(
        r'<svg ([^>]*?)width="([\d.]+)pt" height="([\d.]+)pt"',
        lambda m: f'<svg {m.group(1)}class="chart" role="img" id="{element_id}"',
        svg,
        count=1,
    )
    return svg


def to_png(fig: Figure, path, dpi: int = 110) -> None:
    with plt.rc_context(_style()):
        fig.savefig(path, format="png", dpi=dpi, metadata={"Software": None})


def to_png_base64(fig: Figure, dpi: int = 200) -> str:
    """The figure as base64 PNG, sharp enough for print at the page's text width."""
    out = io.BytesIO()
    to_png(fig, out, dpi=dpi)
    return base64.b64encode(out.getvalue()).decode("ascii")
