"""The baseline: what an analyst would write by hand with pandas and openpyxl.

No pipeline code. It reads every file of raw/<year>/ (openpyxl for workbooks, the csv module for CSV),
finds each sheet's header, keeps the data rows, parses the messy cells, applies the union's rules for
welfare, festival and birthday (duplicates, conflicts, roster, departments, fiscal year) and sums with
pandas groupby. It computes a handful of the report's figures: the welfare and hardship amounts per
category, the festival total and the birthday total. The bench checks they equal report_figures.

    python bench/baseline.py --raw-dir bench/cache/data/2023-x1-s0 --year 2023

prints one JSON object: {"read_seconds", "compute_seconds", "seconds", "sheet_rows", "figures"}.
The department list and the categories that may go without a 工号 come from the dbt seeds (the
analyst has the same lists on paper).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
import time
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pandas as pd

SEEDS = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"
HEADER_SCAN_ROWS = 30
TOTAL_LABELS = {"合计", "总计", "小计"}
FOOTER = re.compile(
    r"^\s*(制表人|制表|审核人|审核|填表人|复核人|负责人|单位负责人|经办人|备注|说明|注)\s*[:：]"
)
STAFF_ID = ["工号", "职工号", "教工号"]
DEPARTMENT = ["部门", "单位", "所在单位"]
FESTIVALS = ["元旦", "春节", "清明节", "五一节", "端午节", "中秋节", "国庆节"]

# Per source: column -> header spellings; the contract columns that make two rows "the same".
TABLES = {
    "members": {
        "staff_id": STAFF_ID,
        "member_name": ["姓名"],
        "gender": ["性别"],
        "department_name": DEPARTMENT,
        "birth_date": ["出生日期"],
        "joined_on": ["入会日期"],
        "staff_category": ["人员类别"],
        "is_veteran": ["退役军人"],
        "id_card_number": ["身份证号"],
        "mobile_number": ["手机号"],
        "member_status": ["状态"],
        "status_date": ["状态日期"],
    },
    "welfare": {
        "paid_on": ["发放日期"],
        "staff_id": STAFF_ID,
        "recipient_name": ["姓名"],
        "department_name": DEPARTMENT,
        "welfare_category": ["慰问类别"],
        "amount": ["金额"],
        "payment_form": ["发放形式"],
        "fiscal_year": ["所属年度"],
        "remark": ["备注"],
    },
    "festival": {
        "staff_id": STAFF_ID,
        "recipient_name": ["姓名"],
        "department_name": DEPARTMENT,
        **{f"f{i}": [name] for i, name in enumerate(FESTIVALS)},
        "row_total": ["合计"],
    },
    "birthday": {
        "staff_id": STAFF_ID,
        "member_name": ["姓名"],
        "department_name": DEPARTMENT,
        "birth_month": ["生日月份"],
        "amount": ["金额"],
        "received_on": ["领取日期"],
    },
}
WELFARE_CATEGORIES = {
    "新年慰问": "new_year",
    "七一走访": "july_first",
    "援疆援藏家属慰问": "frontier_families",
    "教师节走访": "teachers_day",
    "结婚慰问": "wedding",
    "生育慰问": "birth",
    "退休慰问": "retirement",
    "去世慰问": "bereavement",
    "大运会慰问": "universiade",
    "复转军人慰问": "veterans",
    "伤残保健金": "disability_care",
    "特别困难补助": "hardship_special",
    "临时困难补助": "hardship_temporary",
}
FIGURES = {  # report figure -> welfare categories summed
    "welfare.new_year.amount": ["new_year"],
    "welfare.july_first.amount": ["july_first"],
    "welfare.frontier_families.amount": ["frontier_families"],
    "welfare.teachers_day.amount": ["teachers_day"],
    "welfare.life_events.amount": ["wedding", "birth", "retirement", "bereavement"],
    "welfare.veterans.amount": ["veterans"],
    "welfare.disability_care.amount": ["disability_care"],
    "hardship.special.amount": ["hardship_special"],
    "hardship.temporary.amount": ["hardship_temporary"],
}
PEOPLE = {  # report figure -> welfare categories whose recipients are counted
    "welfare.new_year.people": ["new_year"],
    "welfare.july_first.people": ["july_first"],
    "welfare.frontier_families.people": ["frontier_families"],
    "welfare.teachers_day.people": ["teachers_day"],
    "welfare.life_events.people": ["wedding", "birth", "retirement", "bereavement"],
    "welfare.universiade.people": ["universiade"],
    "welfare.veterans.people": ["veterans"],
}

# ---------------------------------------------------------------------------------------- reading


def read_xlsx(path: Path) -> list[tuple[str, list[tuple]]]:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheets = [
        (ws.title, list(ws.iter_rows(values_only=True)))
        for ws in workbook.worksheets
        if ws.sheet_state == "visible"
    ]
    workbook.close()
    return sheets


def read_csv(path: Path) -> list[tuple[str, list[tuple]]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    return [
        (
            "csv",
            [tuple(c if c != "" else None for c in row) for row in csv.reader(io.StringIO(text))],
        )
    ]


def read_everything(year_dir: Path) -> dict[str, list[tuple[str, str, list[tuple]]]]:
    """source -> [(file, sheet, rows)] for every file under raw/<year>/."""
    out: dict[str, list] = {}
    for path in sorted(p for p in year_dir.rglob("*") if p.is_file()):
        source = path.relative_to(year_dir).parts[0]
        name = path.relative_to(year_dir).as_posix()
        if path.suffix.lower() == ".xlsx":
            sheets = read_xlsx(path)
        elif path.suffix.lower() == ".csv":
            sheets = read_csv(path)
        else:
            continue
        out.setdefault(source, []).extend((name, sheet, rows) for sheet, rows in sheets)
    return out


# ---------------------------------------------------------------------------------- cell parsing

_FW = str.maketrans(
    {
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
        "\u3000": " ",
        "\uffe5": "¥",
        "\u00a0": " ",
    }
)


def text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.strftime("%Y-%m-%d %H:%M:%S")
    s = str(value).translate(_FW).strip()
    return s or None


def compact(value) -> str | None:
    s = text(value)
    return (re.sub(r"\s+", "", s) or None) if s else None


def header_key(value) -> str:
    s = re.sub(r"\s+", "", text(value) or "")
    return re.sub(r"\([^()]*\)$", "", s) or s


def header_unit(value) -> str | None:
    m = re.search(r"\(([^()]*)\)$", re.sub(r"\s+", "", text(value) or ""))
    return m.group(1) if m else None


class Bad(Exception):
    """A cell that cannot be parsed: the row is quarantined."""


def amount(value, unit: str | None):
    unit = unit if isinstance(unit, str) else None
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number, scale = Decimal(repr(value)), 10000 if unit and "万" in unit else 1
    else:
        s = re.sub(r"[\s,¥]", "", text(value) or "")
        if not s:
            return None
        scale = 10000 if unit and "万" in unit else 1
        if re.search(r"万元?$", s):
            scale = 10000
        elif s.endswith("元"):
            scale = 1
        s = re.sub(r"(万元|万|元)$", "", s)
        if re.fullmatch(r"\(.*\)", s):
            s = "-" + s.strip("()")
        if not re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", s):
            raise Bad("amount_not_a_number")
        number = Decimal(s)
    return (number * scale).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


_DATE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)


def day(value, month_ok: bool = False) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    s = compact(value)
    if s is None:
        return None
    m = _DATE.match(s)
    if m:
        if m.group(3) is None and not month_ok:
            raise Bad("month_only_date")
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
        except ValueError as exc:
            raise Bad("date_not_a_date") from exc
    if re.fullmatch(r"\d{5}(\.\d+)?", s):
        return date(1899, 12, 30) + timedelta(days=int(float(s)))
    raise Bad("date_not_a_date")


def year(value) -> int | None:
    s = compact(value)
    if s is None:
        return None
    m = re.fullmatch(r"(\d{4})(?:\.0+)?年?(?:度)?", s)
    if not m:
        raise Bad("year_not_a_year")
    return int(m.group(1))


def month(value) -> int | None:
    s = compact(value)
    if s is None:
        return None
    m = re.fullmatch(r"(\d{1,2})(?:\.0+)?月?", s)
    if not m or not 1 <= int(m.group(1)) <= 12:
        raise Bad("month_not_a_month")
    return int(m.group(1))


def staff_id(value) -> str | None:
    s = compact(value)
    return re.sub(r"^(\d+)\.0+$", r"\1", s.upper()) if s else None


def coded(value, mapping: dict, blank=None):
    s = compact(value)
    if s is None:
        return blank
    if s not in mapping:
        raise Bad("invalid_value")
    return mapping[s]


def required(value):
    if value is None:
        raise Bad("missing_value")
    return value


def negative(value) -> bool:
    return isinstance(value, Decimal) and value < 0


def department_key(name: str | None) -> str | None:
    if not isinstance(name, str):
        return None
    return re.sub(r"[\s\u3000]+", "", name).replace("（", "(").replace("）", ")") or None


# ------------------------------------------------------------------------------- sheets to rows


def data_rows(source: str, sheets: list[tuple[str, str, list[tuple]]]) -> pd.DataFrame:
    """Every data row of a source's sheets, raw cells under the column names, plus units."""
    spellings = {header_key(s): col for col, names in TABLES[source].items() for s in names}
    frames = []
    for file_name, sheet, rows in sheets:
        for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):  # noqa: B007 (used after the loop)
            found = {}
            for c, cell in enumerate(row):
                col = spellings.get(header_key(cell)) if cell is not None else None
                if col and col not in found:
                    found[col] = c
            if len(found) >= 3:
                break
        else:
            continue  # a sheet without a header: notes, pivot summaries
        header = rows[index]
        header_cols = [c for c, v in enumerate(header) if v is not None and str(v).strip()]
        header_keys = {c: header_key(header[c]) for c in header_cols}
        kept = []
        for n, row in enumerate(rows[index + 1 :], start=index + 2):
            cells = [row[c] if c < len(row) else None for c in header_cols]
            if all(compact(v) is None for v in cells):
                continue
            if any(compact(v) in TOTAL_LABELS for v in cells[:2]):
                continue
            first = next((text(v) for v in cells if text(v) is not None), None)
            if first and FOOTER.search(first):
                continue
            if all(
                header_key(row[c] if c < len(row) else None) == header_keys[c] for c in header_cols
            ):
                continue
            kept.append(
                [file_name, sheet, n] + [row[c] if c < len(row) else None for c in found.values()]
            )
        frame = pd.DataFrame(kept, columns=["file", "sheet", "row", *found], dtype=object)
        frame.attrs["units"] = {col: header_unit(header[c]) for col, c in found.items()}
        for col in TABLES[source]:
            if col not in frame:
                frame[col] = None
        frame = frame.assign(**{f"_unit_{col}": u for col, u in frame.attrs["units"].items()})
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def parse(frame: pd.DataFrame, parsers: dict) -> pd.DataFrame:
    """Parse every row; a row with a bad cell gets `error` set and counts nowhere."""
    records = []
    for row in frame.to_dict("records"):
        out = {"file": row["file"], "sheet": row["sheet"], "row": row["row"], "error": None}
        for col, fn in parsers.items():
            value = row.get(col)
            if isinstance(value, float) and math.isnan(value):  # a column this sheet lacks
                value = None
            try:
                out[col] = fn(value, row.get(f"_unit_{col}"))
            except Bad as bad:
                out[col] = None
                out["error"] = out["error"] or str(bad)
        records.append(out)
    return pd.DataFrame(records)


def _joined(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    return ["|".join(map(str, t)) for t in zip(*(frame[c].tolist() for c in columns), strict=True)]


def classify(frame: pd.DataFrame, values: list[str], key: list[str]) -> pd.DataFrame:
    """Mark duplicates (same values as an earlier row) and conflicts (same key, other values)."""
    frame = frame.sort_values(["file", "sheet", "row"], kind="stable").reset_index(drop=True)
    frame["values"] = _joined(frame, values)
    frame.loc[frame["error"].notna(), "values"] = (
        frame["file"] + frame["sheet"] + frame["row"].astype(str)
    )
    frame["duplicate"] = frame.duplicated("values") & frame["error"].isna()
    if key:
        distinct = frame.groupby(_joined(frame, key))["values"].transform("nunique")
        frame["conflict"] = distinct > 1
    else:
        frame["conflict"] = False
    return frame


# -------------------------------------------------------------------------------------- figures


def compute(raw: dict, report_year: int) -> dict[str, str]:
    departments = pd.read_csv(SEEDS / "departments.csv", dtype=str)
    known = {department_key(n) for n in departments["department_name"]}
    for aliases in departments["aliases"].dropna():
        known |= {department_key(a) for a in aliases.split("|")}
    categories = pd.read_csv(SEEDS / "spending_categories.csv", dtype=str)
    blank_ok = set(categories.loc[categories["allows_blank_staff_id"] == "true", "category_key"])

    def dept(v, _unit=None):
        return compact(v)

    def unknown_dept(series: pd.Series) -> pd.Series:
        return series.notna() & ~series.map(department_key).isin(known)

    # the roster: clean member rows
    members = parse(
        data_rows("members", raw.get("members", [])),
        {
            "staff_id": lambda v, u: required(staff_id(v)),
            "member_name": lambda v, u: required(text(v)),
            "gender": lambda v, u: coded(v, {"男": "male", "女": "female"}),
            "department_name": lambda v, u: required(dept(v)),
            "birth_date": lambda v, u: day(v),
            "joined_on": lambda v, u: required(day(v)),
            "staff_category": lambda v, u: required(
                coded(v, {"在编": 1, "编制外": 2, "离退休": 3})
            ),
            "is_veteran": lambda v, u: coded(v, {"是": True, "否": False}, blank=False),
            "id_card_number": lambda v, u: text(v),
            "mobile_number": lambda v, u: text(v),
            "member_status": lambda v, u: coded(v, {"在册": 1, "退会": 2, "去世": 3}, blank=1),
            "status_date": lambda v, u: day(v),
        },
    )
    member_values = [c for c in TABLES["members"]]
    members = classify(members, member_values, ["staff_id"])
    members = members[
        members["error"].isna()
        & ~members["duplicate"]
        & ~members["conflict"]
        & ~unknown_dept(members["department_name"])
    ]
    roster = set(members["staff_id"])

    figures: dict[str, Decimal] = {}

    # welfare
    welfare = parse(
        data_rows("welfare", raw.get("welfare", [])),
        {
            "paid_on": lambda v, u: required(day(v)),
            "staff_id": lambda v, u: staff_id(v),
            "recipient_name": lambda v, u: text(v),
            "department_name": dept,
            "welfare_category": lambda v, u: required(coded(v, WELFARE_CATEGORIES)),
            "amount": lambda v, u: required(amount(v, u)),
            "payment_form": lambda v, u: coded(v, {"现金": 1, "慰问品": 2, "转账": 3}),
            "fiscal_year": lambda v, u: year(v),
            "remark": lambda v, u: text(v),
        },
    )
    welfare = classify(welfare, list(TABLES["welfare"]), [])
    charged = welfare["fiscal_year"].fillna(
        welfare["paid_on"].map(lambda d: d.year if isinstance(d, date) else None)
    )
    fiscal_start, fiscal_end = date(report_year - 1, 10, 1), date(report_year + 1, 3, 31)
    clean = welfare[
        welfare["error"].isna()
        & ~welfare["duplicate"]
        & ~unknown_dept(welfare["department_name"])
        & ~(welfare["staff_id"].isna() & ~welfare["welfare_category"].isin(blank_ok))
        & ~(welfare["staff_id"].notna() & ~welfare["staff_id"].isin(roster))
        & ~(welfare["amount"].map(negative))
        & (charged == report_year)
        & welfare["paid_on"].map(lambda d: isinstance(d, date) and fiscal_start <= d <= fiscal_end)
    ]
    by_category = clean.groupby("welfare_category")["amount"].sum()
    for figure, keys in FIGURES.items():
        figures[figure] = sum((by_category.get(k, Decimal(0)) for k in keys), Decimal(0))
    for figure, keys in PEOPLE.items():  # distinct 工号, plus one per row without one (family)
        paid = clean.loc[clean["welfare_category"].isin(keys), "staff_id"]
        figures[figure] = Decimal(paid.dropna().nunique() + int(paid.isna().sum()))

    # festival: one row per member, one amount per festival
    columns = [f"f{i}" for i in range(len(FESTIVALS))] + ["row_total"]
    festival = parse(
        data_rows("festival", raw.get("festival", [])),
        {
            "staff_id": lambda v, u: required(staff_id(v)),
            "recipient_name": lambda v, u: text(v),
            "department_name": dept,
            **{c: (lambda v, u: amount(v, u)) for c in columns},
        },
    )
    festival = classify(festival, list(TABLES["festival"]), ["staff_id"])
    has_negative = festival[columns].map(negative).any(axis=1)
    clean = festival[
        festival["error"].isna()
        & ~festival["duplicate"]
        & ~festival["conflict"]
        & ~unknown_dept(festival["department_name"])
        & festival["staff_id"].isin(roster)
        & ~has_negative
    ]
    festival_cells = clean[columns[:-1]].map(lambda a: a if isinstance(a, Decimal) else Decimal(0))
    figures["festival.amount"] = sum(festival_cells.sum(), Decimal(0))

    # birthday
    birthday = parse(
        data_rows("birthday", raw.get("birthday", [])),
        {
            "staff_id": lambda v, u: required(staff_id(v)),
            "member_name": lambda v, u: text(v),
            "department_name": dept,
            "birth_month": lambda v, u: required(month(v)),
            "amount": lambda v, u: required(amount(v, u)),
            "received_on": lambda v, u: day(v, month_ok=True),
        },
    )
    birthday = classify(birthday, list(TABLES["birthday"]), ["staff_id"])
    clean = birthday[
        birthday["error"].isna()
        & ~birthday["duplicate"]
        & ~birthday["conflict"]
        & ~unknown_dept(birthday["department_name"])
        & birthday["staff_id"].isin(roster)
        & ~birthday["amount"].map(negative)
    ]
    figures["birthday.amount"] = sum(clean["amount"], Decimal(0))
    return {k: str(v.quantize(Decimal("0.01"))) for k, v in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, required=True)
    parser.add_argument("--year", type=int, default=2023)
    args = parser.parse_args()
    started = time.perf_counter()
    raw = read_everything(args.raw_dir / str(args.year))
    read_seconds = time.perf_counter() - started
    figures = compute(raw, args.year)
    seconds = time.perf_counter() - started
    rows = sum(len(rows) for sheets in raw.values() for _, _, rows in sheets)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "read_seconds": read_seconds,
                "compute_seconds": seconds - read_seconds,
                "sheet_rows": rows,
                "figures": figures,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
