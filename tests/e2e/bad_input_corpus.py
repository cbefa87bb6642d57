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


# ---------------------------------------------------------------------------------------------
# Hostile files: what other programs, fuzzers and renamings make. Each is written here from a
# good file by a transformation whose effect on calamine was found once and is named beside it;
# tests/e2e/hostile/README.md says where the one committed file comes from.
# ---------------------------------------------------------------------------------------------

HOSTILE_DIR = Path(__file__).resolve().parent / "hostile"
HOSTILE_WELFARE_HEADER = ["序号", "发放日期", "工号", "姓名", "部门", "慰问类别", "金额（元）", "所属年度", "备注"]
HOSTILE_WELFARE_ROWS = [
    [1, "2023-06-15", "GH000001", "张一", "文学院", "新年慰问", 800, 2023, None],
    [2, "2023-06-16", "GH000002", "李二", "文学院", "新年慰问", 800, 2023, None],
]


@dataclass(frozen=True)
class Hostile:
    """One hostile file: the error code it must be rejected with (None: it loads, with `rows`
    data rows), and words its Chinese and English messages must hold."""

    code: str | None
    rows: int = 0
    zh: tuple[str, ...] = ()
    en: tuple[str, ...] = ()


def _xlwt_welfare(rows: int = 20) -> bytes:
    """A welfare sheet as xlwt writes it (BIFF8 in an OLE2 file; the stream starts at sector 0)."""
    import io

    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("明细")
    for c, value in enumerate(HOSTILE_WELFARE_HEADER[:8]):
        sheet.write(0, c, value)
    for r in range(1, rows + 1):
        for c, value in enumerate([r, "2023-06-15", f"GH{r:06d}", "张一", "文学院", "新年慰问", 800, 2023]):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _biff_records(stream: bytes, start: int = 512):
    """(offset, record id, size) of the BIFF records of an xlwt file's Workbook stream."""
    import struct

    position = start
    while position + 4 <= len(stream):
        rid, size = struct.unpack_from("<HH", stream, position)
        if rid == 0 and size == 0:
            return
        yield position, rid, size
        position += 4 + size


def _patched(data: bytes, record_id: int, at: int, value: bytes) -> bytes:
    """The first record `record_id` gets `value` at byte `at` of the record (header included)."""
    offset = next(p for p, rid, _ in _biff_records(data) if rid == record_id)
    patched = bytearray(data)
    patched[offset + at : offset + at + len(value)] = value
    return bytes(patched)


def _flipped(data: bytes, seed: int, flips: int = 8) -> bytes:
    """`flips` bytes of the Workbook stream replaced at random (a fixed seed)."""
    import random

    rnd = random.Random(seed)
    fuzzed = bytearray(data)
    for _ in range(flips):
        fuzzed[rnd.randrange(512, 512 + 4096)] = rnd.randrange(256)
    return bytes(fuzzed)


def _directory_chain_loop(data: bytes) -> bytes:
    """The OLE directory's sector chain made to point back to itself in the FAT. Calamine reads a
    directory chain without a length, so it appends the same sector until an allocation of 4 GB
    fails and the process aborts."""
    import struct

    sector = 1 << struct.unpack_from("<H", data, 30)[0]
    first_fat_sector = struct.unpack_from("<i", data, 76)[0]
    directory = struct.unpack_from("<i", data, 48)[0]
    looped = bytearray(data)
    struct.pack_into("<i", looped, 512 + first_fat_sector * sector + 4 * directory, directory)
    return bytes(looped)


def _biff5_stream(rows: list[list], password: bool = False) -> bytes:
    """A minimal Excel 5.0/95 workbook stream (BIFF5): globals with one BOUNDSHEET, a sheet of
    LABEL and NUMBER records, text in the GBK code page as a Chinese Excel 95 writes it."""
    import struct

    def record(rid: int, body: bytes) -> bytes:
        return struct.pack("<HH", rid, len(body)) + body

    cells = b""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, int | float):
                cells += record(0x0203, struct.pack("<HHHd", r, c, 15, value))
            elif value is not None:
                text = str(value).encode("gbk")
                cells += record(0x0204, struct.pack("<HHHH", r, c, 15, len(text)) + text)
    width = max(len(row) for row in rows)
    sheet = (
        record(0x0809, struct.pack("<HHHH", 0x0500, 0x0010, 0x0DBB, 0x07CC))
        + record(0x0000, struct.pack("<HHHHH", 0, len(rows), 0, width, 0))
        + cells
        + record(0x000A, b"")
    )
    name = "明细".encode("gbk")
    globals_ = record(0x0809, struct.pack("<HHHH", 0x0500, 0x0005, 0x0DBB, 0x07CC))
    if password:
        globals_ += record(0x002F, struct.pack("<HH", 0x1234, 0x5678))  # FILEPASS (XOR)
    globals_ += record(0x0042, struct.pack("<H", 936)) + record(0x00E0, bytes(16)) * 16
    sheet_at = len(globals_) + 4 + 7 + len(name) + 4  # past BOUNDSHEET and EOF
    globals_ += record(0x0085, struct.pack("<IBBB", sheet_at, 0, 0, len(name)) + name)
    return globals_ + record(0x000A, b"") + sheet


def _ole_with_book_stream(stream: bytes) -> bytes:
    """An OLE2 compound file holding `stream` as `Book` (Excel 95's name for the workbook stream):
    xlwt's compound-document writer, its one directory entry renamed."""
    import io
    import struct

    from xlwt.CompoundDoc import XlsDoc

    buffer = io.BytesIO()
    XlsDoc().save(buffer, stream)
    data = buffer.getvalue()
    at = data.index("Workbook\x00".encode("utf-16-le"))
    name = "Book\x00".encode("utf-16-le")
    return data[:at] + name.ljust(64, b"\x00") + struct.pack("<H", len(name)) + data[at + 66 :]


def _xlsb_zip() -> bytes:
    """The parts by which an .xlsb is known: a zip whose workbook part is xl/workbook.bin."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Override PartName="/xl/workbook.bin" ContentType='
            '"application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>',
        )
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00\x80\x01\x00\x00\x00\x00")
    return buffer.getvalue()


def _csv_lines(rows: list[list], separator: str = ",") -> list[str]:
    return [separator.join("" if v is None else str(v) for v in row) for row in rows]


def hostile_names() -> list[str]:
    """The corpus's file names, without writing it (for test parameters)."""
    return list(_HOSTILE_NAMES)


_HOSTILE_NAMES = (
    "welfare/截断.xls", "festival/乱码.xls", "birthday/工作表位置错误.xls", "members/巨大区域.xls",
    "activities/目录环.xls", "publicity/宣传统计.xlsx", "meetings/会议记录.xlsx", "budget/预算95.xls",
    "proposals/提案95_20231130.xls", "alleviation/坏引号.csv", "members/名册Unicode.xlsx",
    "welfare/旧版Mac.csv", "welfare/Unicode文本.csv", "welfare/备注带引号.csv",
)


def write_hostile_files(year_dir: Path) -> dict[str, Hostile]:
    """Write the hostile corpus into `year_dir` (one or more per source); what each must give."""
    xls = _xlwt_welfare()
    welfare_rows = [HOSTILE_WELFARE_HEADER, *HOSTILE_WELFARE_ROWS]
    files: dict[str, tuple[bytes, Hostile]] = {
        "welfare/截断.xls": (xls[:3000], Hostile("corrupt_file", zh=("无法读取",), en=("Sector",))),
        "festival/乱码.xls": (_flipped(xls, seed=0), Hostile("corrupt_file", zh=("无法读取",))),
        # a BOUNDSHEET pointing past the stream: calamine panics (pyo3's PanicException)
        "birthday/工作表位置错误.xls": (
            _patched(xls, 0x0085, 4, (0x7FFFFFF0).to_bytes(4, "little")),
            Hostile("corrupt_file", zh=("PanicException",), en=("PanicException",)),
        ),
        # DIMENSIONS declaring 268 million rows × 65,535 columns: calamine aborts on the allocation
        "members/巨大区域.xls": (
            _patched(xls, 0x0200, 4, (0).to_bytes(4, "little") + (0x0FFFFFFF).to_bytes(4, "little") + b"\x00\x00\xff\xff"),
            Hostile("reader_memory_limit", zh=("内存",), en=("memory",)),
        ),
        "activities/目录环.xls": (
            _directory_chain_loop(xls),
            Hostile("reader_memory_limit", zh=("内存",), en=("memory",)),
        ),
        "publicity/宣传统计.xlsx": (
            (HOSTILE_DIR / "libreoffice.ods").read_bytes(),
            Hostile("opendocument_spreadsheet", zh=("OpenDocument",), en=("OpenDocument", ".ods")),
        ),
        "meetings/会议记录.xlsx": (
            _xlsb_zip(),
            Hostile("xlsb_workbook", zh=(".xlsb",), en=(".xlsb",)),
        ),
        "budget/预算95.xls": (
            _ole_with_book_stream(_biff5_stream([HOSTILE_WELFARE_HEADER[:8], HOSTILE_WELFARE_ROWS[0][:8]])),
            Hostile("excel95_workbook", zh=("Excel 5.0/95",), en=("Excel 5.0/95",)),
        ),
        "proposals/提案95_20231130.xls": (
            _ole_with_book_stream(_biff5_stream([HOSTILE_WELFARE_HEADER[:8]], password=True)),
            Hostile("password_protected", zh=("密码",), en=("password protected",)),
        ),
        "alleviation/坏引号.csv": (
            "\n".join(
                ["采购日期,帮扶县,产品,金额", "2023-05-01,城口县,跑山鸡,100", '2023-05-02,城口县,"土豆,200', "2023-05-03,城口县,茶叶,300"]
            ).encode("utf-8"),
            Hostile("malformed_csv_line", zh=("第 3 行",), en=("line 3",)),
        ),
        "members/名册Unicode.xlsx": (
            "\t".join(ROSTER_HEADER).encode("utf-16"),
            Hostile("utf16_text", zh=("UTF-16",), en=("UTF-16",)),
        ),
        # good files from other programs: they load
        "welfare/旧版Mac.csv": (
            "\r".join(_csv_lines(welfare_rows)).encode("utf-8") + b"\r",
            Hostile(None, rows=2),
        ),
        "welfare/Unicode文本.csv": (
            "\r\n".join(_csv_lines(welfare_rows, "\t")).encode("utf-16"),
            Hostile(None, rows=2),
        ),
        "welfare/备注带引号.csv": (
            "\n".join(_csv_lines([HOSTILE_WELFARE_HEADER, [*HOSTILE_WELFARE_ROWS[0][:8], '6"蛋糕']])).encode("utf-8"),
            Hostile(None, rows=1),
        ),
    }
    assert tuple(files) == _HOSTILE_NAMES
    for name, (content, _) in files.items():
        path = year_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return {name: expected for name, (_, expected) in files.items()}
