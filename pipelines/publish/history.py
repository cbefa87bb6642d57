"""What only the analysts' warehouse can hold: the years side by side.

A year's build knows its own year only, so a figure's change against the year before cannot be a dbt
mart: it is a view of the published warehouse over `marts.report_figures`, which holds every
published year. Being a view, it is never merged or filtered by year when a year is republished:
it always reads the figures as they are now (republishing 2022 changes 2023's change too).
"""

from __future__ import annotations

import duckdb

from pipelines.db.connect import scalar

FIGURE_HISTORY = "figure_history"

# Plain SQL (a self-join on year - 1, no window function): a figure of a year whose year before is
# not published has no change, rather than a change against an older year. Every computed column
# is cast to its type: a view keeps the types it was created with, and a DuckDB 1.x client that
# infers another (1.x types a difference of two DECIMAL(18,2) as DECIMAL(18,2), 2.0 as (19,2))
# refuses the view ("Contents of view were altered").
FIGURE_HISTORY_SQL = """
create or replace view marts.figure_history as
select
    figures.figure_key,
    figures.year,
    figures.section,
    figures.label_zh,
    figures.unit,
    figures.value,
    figures.display_zh,
    previous.value as previous_value,
    cast(figures.value - previous.value as decimal(19, 2)) as change,
    cast(
        round((figures.value - previous.value) / nullif(abs(previous.value), 0), 4)
        as decimal(12, 4)
    ) as relative_change
from marts.report_figures as figures
left join marts.report_figures as previous
    on previous.figure_key = figures.figure_key
    and previous.year = figures.year - 1
"""

VIEW_COMMENT = (
    "各年度指标对比 / Every figure of every published year, with its change against the year "
    "before (null when the year before is not published). Computed from marts.report_figures."
)
COLUMN_COMMENTS = {
    "figure_key": "指标键 / The figure's key (figure_definitions).",
    "year": "年度 / The report (fiscal) year.",
    "section": "所属章节 / The summary's heading the figure belongs to.",
    "label_zh": "指标名称 / What the figure is.",
    "unit": "单位 / 元 人 条 次 个 %.",
    "value": "数值 / The figure's exact value in its unit (yuan for amounts).",
    "display_zh": "显示文本 / The value as the report prints it.",
    "previous_value": "上年数值 / The value of the year before; null when not published.",
    "change": "变化 / value - previous_value, in the figure's unit.",
    "relative_change": "变化率 / change / |previous_value|, rounded to 4 places; null when 0 or unknown.",
}


def create_cross_year_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create the views over every published year in the warehouse `con` is writing; returns
    their names. Without marts.report_figures there is nothing to compare."""
    has_figures = scalar(
        con,
        "select count(*) from information_schema.tables where table_catalog = current_database() "
        "and table_schema = 'marts' and table_name = 'report_figures'",
    )
    if not has_figures:
        return []
    con.execute(FIGURE_HISTORY_SQL)
    con.execute(f"comment on view marts.{FIGURE_HISTORY} is {_literal(VIEW_COMMENT)}")
    for column, comment in COLUMN_COMMENTS.items():
        con.execute(f"comment on column marts.{FIGURE_HISTORY}.{column} is {_literal(comment)}")
    return [f"marts.{FIGURE_HISTORY}"]


def _literal(text: str) -> str:
    """A SQL string literal (COMMENT ON takes no bind parameter); the texts are this module's own."""
    return "'" + text.replace("'", "''") + "'"
