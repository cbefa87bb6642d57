"""The bad-input corpus: tiny raw folders written by the tests themselves (no binary files committed).

Each builder writes one complete `raw/<year>/` for one scenario family and returns what the run must
make of it. Expected outcomes are written here by hand from the contract (docs/raw-contract.md), never
computed by the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import xlsxwriter

# fmt: off
# (the corpus is tables of cells: one row per line reads better than the formatter's layout)

YEAR = 2024

ROSTER_HEADER = ["工号", "姓名", "性别", "部门", "入会日期", "人员类别", "退役军人", "身份证号", "手机号"]
ROSTER = [
    ["GH0001", "张一", "男", "文学院", "2010-09-01", "在编", "是", "500101198001010011", "13800000001"],
    ["GH0002", "李二", "女", "马院", "2012-09-01", "在编", "是", "500101198101010022", "13800000002"],
    ["GH0003", "王三", "男", "美术学院", "2015-03-01", "在编", "是", "500101198201010033", "13800000003"],
    ["GH0004", "赵四", "女", "外国语学院", "2018-07-01", "编制外", None, "500101198301010044", None],
    ["GH0005", "钱五", "男", "体育学院", "2001-01-01", "离退休", None, None, None],
    # an unknown department: quarantined, and GH0006 is then unknown elsewhere
    ["GH0006", "孙六", "女", "火星学院", "2019-01-01", "在编", None, None, None],
]
# row number in 名册 of GH0006
ROSTER_UNKNOWN_DEPARTMENT_ROW = 7

WELFARE_HEADER = ["序号", "发放日期", "工号", "姓名", "部门", "慰问类别", "金额（元）", "所属年度", "备注"]


@dataclass(frozen=True)
class Quarantined:
    file_name: str
    sheet_name: str
    row_number: int
    reason_code: str
    column_name: str | None
    # a cell value that must be in raw_values (the original text as sent)
    raw_value: str | None = None


@dataclass
class Scenario:
    raw_dir: Path
    year: int = YEAR
    quarantined: list[Quarantined] = field(default_factory=list)
    # file name -> (rows read, clean, duplicate, quarantined)
    load_log: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    # file name -> error code, for rejected files
    rejected: dict[str, str] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)


def write_xlsx(path: Path, sheets: dict[str, list[list]], stray_cell: tuple | None = None) -> Path:
    """A workbook as xlsxwriter writes it (cached values for every cell)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        if stray_cell and stray_cell[0] == name:
            _, row, column, value = stray_cell
            sheet.write(row, column, value)
    workbook.close()
    return path


def write_roster(year_dir: Path) -> None:
    write_xlsx(year_dir / "members" / "会员名册.xlsx", {"名册": [ROSTER_HEADER, *ROSTER]})


# ---------------------------------------------------------------------------------------------
# One run for every quarantine rule, hostile names and a sparse sheet: it publishes.
# ---------------------------------------------------------------------------------------------

WELFARE_FILE = "welfare/2024年慰问发放.xlsx"
WELFARE_SHEET = "慰问明细"
HOSTILE_FILE = "welfare/x'; DROP TABLE members;--.xlsx"
HOSTILE_SHEET = "x'; DROP TABLE members;--"
DOTTED_FILE = "welfare/..补录..;'名单.csv"
FESTIVAL_FILE = "festival/节日慰问金.xlsx"
BIRTHDAY_FILE = "birthday/生日蛋糕.xlsx"
BIRTHDAY_SHEET = '名单..;"甲"'
ALLEVIATION_FILE = "alleviation/定点帮扶.xlsx"
MEMBERS_FILE = "members/会员名册.xlsx"
VETERANS_FILE = "welfare/复转军人补发.xlsx"


def _welfare_workbook(path: Path) -> None:
    """Written with openpyxl so that a formula has no cached value (as openpyxl always saves)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = WELFARE_SHEET
    rows = [
        ["西南大学工会2024年慰问发放明细表"],  # row 1: title
        WELFARE_HEADER,  # row 2
        [1, "2024-01-10", "GH0001", "张一", "文学院", "复转军人慰问", 300, 2024],  # 3 clean
        [2, "2024-01-10", "GH0002", "李二", "马院", "复转军人慰问", "300元", "2024年"],  # 4 clean
        [3, "2024-01-10", "GH0003", "王三", "美术学院", "复转军人慰问", "¥300", "２０２４"],  # 5 clean
        [4, "2024-02-01", "GH0004", "赵四", "外星办公室", "新年慰问", 800, 2024],  # 6
        [5, "2024-02-01", "GH0004", "赵四", "外国语学院", "新年慰问", "八百元", 2024],  # 7
        [6, "2024-02-01", "GH0005", "钱五", "体育学院", "新年慰问", "-500", 2024],  # 8
        [7, "2024-06-01", "GH0005", "钱五", "体育学院", "临时困难补助", 1000, 2024],  # 9 clean
        [8, "2025-05-01", "GH0001", "张一", "文学院", "新年慰问", 800, 2024],  # 10
        [9, "2024-03-01", "GH0001", "张一", "文学院", "新年慰问", 800, 2023],  # 11
        [10, "2024-03-01", "GH9999", "无名氏", "文学院", "新年慰问", 800, 2024],  # 12
        [11, "2024-03-01", None, "张一之母", "文学院", "新年慰问", 800, 2024, "家属"],  # 13
        [12, "2024年3月", "GH0002", "李二", "马院", "新年慰问", 800, 2024],  # 14
        [13, "2024-03-05", "GH0006", "孙六", "文学院", "新年慰问", 800, 2024],  # 15
        [14, "2024-03-05", "GH0003", "王三", "美术学院", "新年慰问", "=400*2", 2024],  # 16
        [15, "2024-03-06", "GH0002", "李二", "马院", "七一走访", 800, 2024],  # 17 clean
        [16, "2024-03-06", "GH0002", "李二", "马院", "七一走访", "800.00", 2024],  # 18 duplicate
        [17, "2024-07-01", None, "烈士家属甲", None, "七一走访", 800, 2024, "烈属"],  # 19 clean
        ["合计", None, None, None, None, None, 99999],  # 20: a totals row that does not add up
        ["制表人：王静    审核人：李明"],  # 21: footer
    ]
    for row in rows:
        sheet.append(row)
    workbook.save(path)


# The data rows above the totals row that parse to an amount (the formula and 八百元 do not):
# 3 × 300 − 500 + 1000 + 10 × 800
WELFARE_SUM_ABOVE_TOTAL = "9400"
WELFARE_TOTAL_ROW = 20


def quarantine_scenario(base: Path) -> Scenario:
    """Every quarantine reason in one tiny year, beside clean rows that must reach the marts."""
    raw = base / "raw"
    year_dir = raw / str(YEAR)
    scenario = Scenario(raw_dir=raw)
    write_roster(year_dir)
    _welfare_workbook(year_dir / WELFARE_FILE)

    # hostile names: a file and a sheet named like SQL, a stray cell at the sheet's last row
    write_xlsx(
        year_dir / HOSTILE_FILE,
        {
            HOSTILE_SHEET: [
                WELFARE_HEADER,
                [1, "2024-04-01", "GH0005", "钱五", "体育学院", "临时困难补助", 500, 2024],
            ]
        },
        stray_cell=(HOSTILE_SHEET, 1_048_575, 12, "本表结束"),
    )
    # a CSV whose name holds dots, a semicolon and a quote, in GBK as Excel saves it
    dotted = year_dir / DOTTED_FILE
    dotted.write_bytes(
        (
            ",".join(WELFARE_HEADER)
            + "\n1,2024/4/2,GH0004,赵四,外国语学院,临时困难补助,\"1,500.00\",2024\n"
        ).encode("gbk")
    )

    write_xlsx(
        year_dir / FESTIVAL_FILE,
        {
            "在职": [
                ["工号", "姓名", "部门", "元旦", "春节", "清明节", "五一节", "端午节", "中秋节", "国庆节", "合计"],
                ["GH0001", "张一", "文学院", 200, 200, 200, 200, 200, 200, 200, 1400],  # 2 clean
                ["GH0002", "李二", "马院", 200, 200, 200, 200, 200, 200, 200, 1500],  # 3 clean, 合计 off
                ["GH0003", "王三", "美术学院", 200, -200, 200, 200, 200, 200, 200, 1000],  # 4
            ]
        },
    )
    write_xlsx(
        year_dir / BIRTHDAY_FILE,
        {
            BIRTHDAY_SHEET: [
                ["工号", "姓名", "部门", "生日月份", "金额"],
                ["GH0001", "张一", "文学院", "3月", 100],  # 2 clean
                ["GH0004", "赵四", "外国语学院", 5, 150],  # 3 conflict
                ["GH0004", "赵四", "外国语学院", 5, 200],  # 4 conflict
                ["GH0002", "李二", "马院", 13, 100],  # 5 month_not_a_month
            ]
        },
    )
    write_xlsx(
        year_dir / ALLEVIATION_FILE,
        {
            "采购明细": [
                ["采购日期", "帮扶县", "乡镇", "供应商", "产品", "数量", "单位", "单价", "金额"],
                ["2024-05-01", "城口", "咸宜镇", "合作社甲", "跑山鸡", 100, "只", 100, 10000],  # 2
                ["2024年6月", "城口县", "咸宜镇", "合作社乙", "农产品", None, None, None, "5,000"],  # 3
                ["2024-07-01", "昌宁县", "柯街镇", "茶厂", "茶叶", 300, "斤", 100, 30000],  # 4
                ["2024-07-01", "火星县", None, "某店", "土豆", 1, "袋", 50, 50],  # 5
                ["2023-12-01", "昌宁", "柯街镇", "茶厂", "茶叶", 10, "斤", 100, 1000],  # 6
            ],
            "帮扶任务": [["帮扶县", "任务金额"], ["昌宁县", "2.5万"]],
        },
    )

    q = scenario.quarantined
    q += [
        Quarantined(MEMBERS_FILE, "名册", ROSTER_UNKNOWN_DEPARTMENT_ROW, "unknown_department", "部门", "火星学院"),
        Quarantined(WELFARE_FILE, WELFARE_SHEET, 6, "unknown_department", "部门", "外星办公室"),
        Quarantined(WELFARE_FILE, WELFARE_SHEET, 7, "amount_not_a_number", "金额", "八百元"),
        Quarantined(WELFARE_FILE, WELFARE_SHEET, 8, "negative_amount", "金额", "-500"),
        Quarantined(WELFARE_FILE, WELFARE_SHEET, 10, "date_outside_fiscal_year", "发放日期", "2025-05-01"),
        Quarantined(WELFARE_FILE, WELFARE_SHEET, 11, "wrong_fiscal_year", "所属年度", "2023"),
        Quarantined(WELFARE_FILE, WELFARE_SHEET, 12, "unknown_staff_id", "工号", "GH9999"),
        Quarantined(WELFARE_FILE, WELFARE_SHEET, 13, "missing_staff_id", "工号", "张一之母"),
        Quarantined(WELFARE_FILE, WELFARE_SHEET, 14, "month_only_date", "发放日期", "2024年3月"),
        Quarantined(WELFARE_FILE, WELFARE_SHEET, 15, "unknown_staff_id", "工号", "GH0006"),
        Quarantined(WELFARE_FILE, WELFARE_SHEET, 16, "formula_without_value", "金额", None),
        Quarantined(FESTIVAL_FILE, "在职", 4, "negative_amount", "春节", "-200"),
        Quarantined(BIRTHDAY_FILE, BIRTHDAY_SHEET, 3, "conflicting_duplicate", "工号", "150"),
        Quarantined(BIRTHDAY_FILE, BIRTHDAY_SHEET, 4, "conflicting_duplicate", "工号", "200"),
        Quarantined(BIRTHDAY_FILE, BIRTHDAY_SHEET, 5, "month_not_a_month", "生日月份", "13"),
        Quarantined(ALLEVIATION_FILE, "采购明细", 5, "unknown_county", "帮扶县", "火星县"),
        Quarantined(ALLEVIATION_FILE, "采购明细", 6, "date_outside_year", "采购日期", "2023-12-01"),
    ]
    scenario.load_log = {
        MEMBERS_FILE: (6, 5, 0, 1),
        WELFARE_FILE: (17, 6, 1, 10),
        HOSTILE_FILE: (1, 1, 0, 0),  # the stray cell at M1048576 is outside the table: no row
        DOTTED_FILE: (1, 1, 0, 0),
        FESTIVAL_FILE: (3, 2, 0, 1),
        BIRTHDAY_FILE: (4, 1, 0, 3),
        ALLEVIATION_FILE: (6, 4, 0, 2),  # 5 purchases + 1 target
    }
    scenario.figures = {
        "welfare.veterans.people": "3",
        "welfare.veterans.amount": "900.00",
        "hardship.temporary.amount": "3000.00",  # 1000 + 500 (hostile file) + 1500 (dotted CSV)
        "welfare.july_first.people": "2",  # GH0002 once (the copy is a duplicate) + one family member
        "welfare.july_first.amount": "1600.00",
        "welfare.new_year.amount": "0.00",
        "festival.amount": "2800.00",
        "birthday.amount": "100.00",
        "alleviation.chengkou.amount": "15000.00",
        "alleviation.chengkou.chicken.amount": "10000.00",
        "alleviation.changning.amount": "30000.00",
        "alleviation.changning.over_target": "5000.00",
    }
    return scenario


def break_veterans_standard(scenario: Scenario) -> None:
    """One veteran paid 500 where the others got 300: the summary's `people × 300` no longer holds."""
    scenario.load_log[VETERANS_FILE] = (1, 1, 0, 0)
    write_xlsx(
        scenario.raw_dir / str(YEAR) / VETERANS_FILE,
        {"补发": [WELFARE_HEADER, [1, "2024-01-12", "GH0005", "钱五", "体育学院", "复转军人慰问", 500, 2024]]},
    )


# ---------------------------------------------------------------------------------------------
# Every kind of file that cannot be read, added to a folder whose other files can.
# ---------------------------------------------------------------------------------------------


def add_unreadable_files(scenario: Scenario) -> None:
    """Write every kind of unreadable file beside the scenario's readable ones; the expected
    load log gains one rejected line (0 rows) per file."""
    year_dir = scenario.raw_dir / str(scenario.year)
    files = {
        "welfare/空文件.xlsx": (b"", "empty_file"),
        "welfare/说明.txt": ("请查收附件".encode(), "not_a_spreadsheet"),
        "welfare/损坏.xlsx": (b"PK\x03\x04" + b"\x00garbage" * 64, "corrupt_file"),
        # an encrypted Office file is an OLE compound document, whatever its suffix says
        "welfare/加密.xlsx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024, "password_protected"),
        "festival/导出.csv": (b"\x00\x01\x02\x03\xff\xfe binary", "binary_csv"),
    }
    for name, (content, code) in files.items():
        path = year_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        scenario.rejected[name] = code
    write_xlsx(
        year_dir / "birthday" / "缺金额.xlsx",
        {"名单": [["工号", "姓名", "部门", "生日月份"], ["GH0001", "张一", "文学院", 3]]},
    )
    scenario.rejected["birthday/缺金额.xlsx"] = "missing_required_column"
    write_xlsx(year_dir / "birthday" / "备忘.xlsx", {"Sheet1": [["下周发放"], ["联系人", "王老师"]]})
    scenario.rejected["birthday/备忘.xlsx"] = "no_header_found"
    write_xlsx(year_dir / "杂项" / "会议纪要.xlsx", {"Sheet1": [["会议", "纪要"]]})
    scenario.rejected["杂项/会议纪要.xlsx"] = "unknown_source_folder"
    scenario.load_log.update({name: (0, 0, 0, 0) for name in scenario.rejected})
