"""Submission templates, one .xlsx per source, generated from the contract and the departments seed.

Nothing here is hand-made: the header, which columns are required, the choice lists, the formats,
the input messages and the 填表说明 sheet all come from pipelines/contract.yml, so a template and the
nightly run read the same declaration. Each workbook carries the contract's version in its custom
document properties (pipelines.ingest.template_stamp), read back when a filled file is loaded.

Layout of a data sheet: row 1 a title, row 2 必填/选填 under each column, row 3 the header (found by
its names like any header), rows from 4 the data; the panes are frozen below the header.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook

from pipelines.contract import Column, Table, load_contract
from pipelines.errors import UnionWarehouseError
from pipelines.frontdoor.departments import Department, department, load_departments
from pipelines.ingest.template_stamp import VERSION_PROPERTY, contract_version

HEADER_ROW = 2  # 0-based: Excel row 3
FIRST_DATA_ROW = HEADER_ROW + 1
LAST_DATA_ROW = 5000  # validations and formats reach this far (0-based, exclusive)
LISTS_SHEET = "lists"
INSTRUCTIONS_SHEET = "填表说明"
INLINE_LIST_LIMIT = 255  # Excel's limit on an inline list's characters (commas included)

TYPE_WORDS = {
    "text": ("文本", "text"),
    "identifier": ("编号（按文本填写，如 GH0123）", "identifier, as text"),
    "department": ("部门名称（从下拉列表选择）", "a department, from the list"),
    "department_list": ("一个或多个部门，用、分隔", "one or more departments, separated by 、"),
    "amount": ("金额（元，最多两位小数）", "amount in yuan"),
    "decimal": ("数值", "number"),
    "date": ("日期（如 2023-06-15）", "date"),
    "year": ("年度（四位数字，如 2023）", "year, four digits"),
    "month": ("月份（1–12）", "month, 1-12"),
    "integer": ("整数", "whole number"),
    "enum": ("从下拉列表选择", "one of the list"),
    "flag": ("从下拉列表选择", "one of the list"),
}


def choice_values(column: Column) -> list[str]:
    """The Chinese values a clerk may pick (the `blank` entry is an empty cell, not a choice)."""
    return [v for v in column.values if v != "blank"]


def template_file_name(table_zh: str, year: int, department_code: str | None) -> str:
    who = f"_{department_code}" if department_code else ""
    return f"{year}年{table_zh}_模板{who}.xlsx"


def write_templates(
    out_dir: Path, year: int, source: str | None = None, department_code: str | None = None
) -> list[Path]:
    """Write one template per source (or the one named) into out_dir; return the paths."""
    contract = load_contract()
    sources = contract.require_sources([source], "--source") if source else list(contract.sources)
    owner = department(department_code) if department_code else None
    if department_code and owner is None:
        raise UnionWarehouseError(
            f"未知的部门代码 {department_code}", f"unknown department code {department_code}"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_template(out_dir, year, s, owner) for s in sources]


def write_template(out_dir: Path, year: int, source: str, owner: Department | None) -> Path:
    tables = load_contract().tables_of(source)
    path = out_dir / template_file_name(tables[0].zh, year, owner.code if owner else None)
    workbook = xlsxwriter.Workbook(str(path))
    try:
        _properties(workbook, year, source, owner)
        long_lists = _long_lists(tables)
        ranges = _list_ranges(long_lists)
        for table in tables:
            _data_sheet(workbook, table, year, owner, ranges)
        _instructions(workbook, tables, year)
        _lists_sheet(workbook, long_lists)
    finally:
        workbook.close()
    return path


def _properties(workbook: Workbook, year: int, source: str, owner: Department | None) -> None:
    workbook.set_properties(
        {"title": f"{year} {source} template", "author": "unionwh", "company": "工会"}
    )
    workbook.set_custom_property(VERSION_PROPERTY, contract_version())
    workbook.set_custom_property("unionwh_source", source)
    workbook.set_custom_property("unionwh_year", str(year))
    if owner:
        workbook.set_custom_property("unionwh_department", owner.code)


def _long_lists(tables: tuple[Table, ...]) -> dict[str, list[str]]:
    """The choice lists too long for an inline list, and the departments (always a range)."""
    lists: dict[str, list[str]] = {"department": [d.name for d in load_departments()]}
    for table in tables:
        for column in table.columns:
            values = choice_values(column)
            if values and len(",".join(values)) > INLINE_LIST_LIMIT:
                lists[f"{table.table}.{column.name}"] = values
    return lists


def _list_ranges(lists: dict[str, list[str]]) -> dict[str, str]:
    """Each long list's cells on the hidden sheet: column key -> range formula."""
    ranges = {}
    for index, (key, values) in enumerate(lists.items()):
        letter = xlsxwriter.utility.xl_col_to_name(index)
        ranges[key] = f"={LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _lists_sheet(workbook: Workbook, lists: dict[str, list[str]]) -> None:
    """The long lists on a hidden sheet, written last (Excel cannot hide the active first sheet);
    the nightly run skips hidden sheets."""
    sheet = workbook.add_worksheet(LISTS_SHEET)
    for index, (key, values) in enumerate(lists.items()):
        sheet.write(0, index, key)
        sheet.write_column(1, index, values)
    sheet.hide()


def _data_sheet(
    workbook: Workbook, table: Table, year: int, owner: Department | None, lists: dict[str, str]
) -> None:
    sheet = workbook.add_worksheet(table.zh[:31])
    title = workbook.add_format({"bold": True, "font_size": 14})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    required = workbook.add_format(
        {"bold": True, "bg_color": "#FCE4D6", "border": 1, "font_color": "#C00000"}
    )
    marker = workbook.add_format({"font_color": "#7F7F7F", "font_size": 9})
    who = f"（{owner.name}）" if owner else ""
    sheet.write(0, 0, f"{year}年{table.zh}{who}", title)
    for index, column in enumerate(table.columns):
        sheet.write(1, index, "必填 required" if column.required else "选填 optional", marker)
        sheet.write(HEADER_ROW, index, column.zh, required if column.required else header)
        sheet.set_column(
            index, index, max(12, 2 * len(column.zh) + 4), _cell_format(workbook, column)
        )
        sheet.data_validation(HEADER_ROW, index, HEADER_ROW, index, _input_message(column))
        rule = _validation(column, table, year, lists)
        if rule:
            sheet.data_validation(FIRST_DATA_ROW, index, LAST_DATA_ROW, index, rule)
    sheet.freeze_panes(FIRST_DATA_ROW, 0)


def _cell_format(workbook: Workbook, column: Column):
    spec = {
        "date": {"num_format": "yyyy-mm-dd"},
        "amount": {"num_format": "#,##0.00"},
        "decimal": {"num_format": "0.####"},
        "identifier": {"num_format": "@"},
        "year": {"num_format": "0"},
        "month": {"num_format": "0"},
        "integer": {"num_format": "0"},
    }.get(column.type)
    return workbook.add_format(spec) if spec else None


def _input_message(column: Column) -> dict:
    """The header cell's input message: what the column holds, whether it is required, the choices."""
    kind = TYPE_WORDS[column.type][0]
    need = "必填" if column.required else "选填"
    if column.required and column.nullable:
        need = "必填列（可留空）"
    text = f"{need}；{kind}"
    if column.aliases:
        text += f"；也可写作：{'、'.join(column.aliases)}"
    values = choice_values(column)
    if values:
        text += f"；可选：{'、'.join(values)}"
    if column.window == "fiscal_year":
        text += "；须在本财年（上年10月1日至次年3月31日）内"
    elif column.window == "year":
        text += "；须在本年度内"
    if column.month_ok:
        text += "；可只填年月"
    if len(text) > 250:
        text = text[:249] + "…"
    return {"validate": "any", "input_title": column.zh[:32], "input_message": text}


def _validation(column: Column, table: Table, year: int, lists: dict[str, str]) -> dict | None:
    error = {"error_type": "warning", "error_title": "请检查 Check"}
    if column.type == "department":
        return {
            "validate": "list",
            "source": lists["department"],
            **error,
            "error_message": "不是已知的部门名称 Not a known department",
        }
    values = choice_values(column)
    if values:
        key = f"{table.table}.{column.name}"
        source = lists.get(key, values)
        return {
            "validate": "list",
            "source": source,
            "error_type": "stop",
            "error_title": "请从列表选择",
            "error_message": f"可选：{'、'.join(values)}"[:255],
        }
    if column.type == "date" and not column.month_ok:
        first, last = _date_window(column, year)
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": first,
            "maximum": last,
            **error,
            "error_message": f"日期应在 {first} 至 {last} 之间",
        }
    if column.type == "year":
        return {
            "validate": "integer",
            "criteria": "between",
            "minimum": year - 1,
            "maximum": year + 1,
            **error,
            "error_message": f"应为报告年度 {year}",
        }
    if column.type == "month":
        return {
            "validate": "integer",
            "criteria": "between",
            "minimum": 1,
            "maximum": 12,
            "error_type": "stop",
            "error_title": "月份",
            "error_message": "1–12",
        }
    if column.type == "amount":
        return {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            **error,
            "error_message": "金额应为不小于 0 的数字",
        }
    return None


def _date_window(column: Column, year: int):
    from datetime import date

    if column.window == "fiscal_year":
        return date(year - 1, 10, 1), date(year + 1, 3, 31)
    if column.window == "year":
        return date(year, 1, 1), date(year, 12, 31)
    return date(1900, 1, 1), date(year + 1, 12, 31)


def _instructions(workbook: Workbook, tables: tuple[Table, ...], year: int) -> None:
    """填表说明: one row per column of each table, written from the contract."""
    sheet = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.write(0, 0, f"{year}年 填表说明（模板版本 {contract_version()}）", bold)
    sheet.write(1, 0, "请在数据工作表第 4 行起逐行填写，勿修改表头；标题行和“必填/选填”行可保留。")
    row = 3
    for table in tables:
        sheet.write(row, 0, f"工作表：{table.zh}", bold)
        row += 1
        for index, words in enumerate(("列", "是否必填", "类型", "可选值 / 说明")):
            sheet.write(row, index, words, bold)
        row += 1
        for column in table.columns:
            allowed = "、".join(choice_values(column))
            if column.aliases:
                allowed = (allowed + "；" if allowed else "") + "别名 " + "、".join(column.aliases)
            sheet.write_row(
                row,
                0,
                [f"【{column.zh}】", _need_words(column), TYPE_WORDS[column.type][0], allowed],
                wrap,
            )
            row += 1
        row += 1
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 2, 22)
    sheet.set_column(3, 3, 60)


def _need_words(column: Column) -> str:
    if not column.required:
        return "选填"
    return "必填" if not column.nullable else "必填列，单元格可空"
