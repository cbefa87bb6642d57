"""What a clerk should do about each reason a row is held (the reasons are dbt's reason_codes seed;
this adds only the advice, in Chinese first and English beside)."""

from __future__ import annotations

ADVICE = {
    "amount_not_a_number": ("请填写数字金额（如 500 或 500.00）", "write the amount as a number"),
    "decimal_not_a_number": ("请填写数字", "write a number"),
    "date_not_a_date": ("请按 2023-06-15 的格式填写日期", "write the date as 2023-06-15"),
    "month_only_date": ("此列须填写到日（如 2023-06-15）", "give the day too (2023-06-15)"),
    "year_not_a_year": ("请填写四位年份，如 2023", "write a four-digit year"),
    "month_not_a_month": ("请填写 1–12 的月份", "write a month from 1 to 12"),
    "integer_not_a_number": ("请填写整数", "write a whole number"),
    "invalid_value": ("请从模板的下拉列表中选择", "pick a value from the template's list"),
    "missing_value": ("此项必填，请补上", "this cell is required: fill it in"),
    "formula_without_value": (
        "公式没有计算结果：请在 Excel 中重新计算并保存，或改为数值",
        "the formula has no value: recalculate and save in Excel, or type the value",
    ),
    "duplicate": ("与前面一行完全相同：删除重复行", "same as an earlier row: delete the copy"),
    "conflicting_duplicate": (
        "同一编号出现多次且内容不同：只保留正确的一行",
        "the same key twice with different values: keep the right row only",
    ),
    "unknown_department": (
        "部门名称不在部门表中：请从下拉列表选择",
        "not a known department: pick one from the template's list",
    ),
    "unknown_county": ("帮扶县名称不对：请核对", "not a known county: check it"),
    "missing_staff_id": (
        "请填写工号（仅七一走访、援疆援藏家属慰问、去世慰问的家属可空）",
        "fill in the staff id (blank only for family members in three categories)",
    ),
    "unknown_staff_id": (
        "工号不在本年度会员名册中：请核对工号，或请组织部门补报名册",
        "not in this year's roster: check the id, or ask for the roster to be completed",
    ),
    "negative_amount": ("金额不能为负数", "the amount cannot be negative"),
    "wrong_fiscal_year": ("所属年度应为报告年度", "the fiscal year must be the report year"),
    "date_outside_fiscal_year": (
        "发放日期应在上年10月1日至次年3月31日之间；其他年度的发放请报到对应年度",
        "the date must lie in the fiscal year; report other years' payments in their year",
    ),
    "date_outside_year": ("日期应在本年度内", "the date must lie in the report year"),
}
DEFAULT_ADVICE = ("请改正该单元格后重新提交", "correct the cell and send the file again")


def advice_for(reason_code: str | None) -> tuple[str, str]:
    return ADVICE.get(reason_code or "", DEFAULT_ADVICE)
