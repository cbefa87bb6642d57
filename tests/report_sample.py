"""A small synthetic warehouse, built and published the way a real run publishes one.

For the report's, the notebooks' and the privacy scan's tests, and for trying them without running
the pipeline. Per year it writes a private build (`warehouse/private/<year>.duckdb`: a `raw.members`
roster with made-up 身份证号/手机号, the marts and the audit tables), then publishes it with the real
`pipelines.publish` functions: `marts/<year>/*.parquet`, `marts.xlsx`, `quarantine.xlsx` and the
analysts' `warehouse/union.duckdb` with schemas `marts` and `audit` only.

2023's report figures are the values the union published (docs/report-figures.md); other years are
scaled from them. Every number is deterministic.

    uv run python -m tests.report_sample /tmp/sample --years 2022 2023
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

from pipelines.demo.generator import SOURCES
from pipelines.demo.targets_2023 import TARGETS_2023
from pipelines.locks import held
from pipelines.settings import PROJECT_ROOT

FIGURE_SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "figure_definitions.csv"

# docs/report-figures.md: the figures as the 2023 summary published them (one place knows them)
PUBLISHED_2023 = TARGETS_2023

DEPARTMENTS = [
    ("marxism", "马克思主义学院"),
    ("education", "教育学部"),
    ("literature", "文学院"),
    ("economics_management", "经济管理学院"),
    ("mathematics", "数学与统计学院"),
    ("chemistry", "化学化工学院"),
    ("life_sciences", "生命科学学院"),
    ("agronomy", "农学与生物科技学院"),
    ("logistics", "后勤保障部"),
    ("library", "图书馆"),
]

CATEGORY_TOTALS = {  # category -> figure key whose 2023 amount it totals (or a fixed amount)
    "new_year": "welfare.new_year.amount",
    "july_first": "welfare.july_first.amount",
    "frontier_families": "welfare.frontier_families.amount",
    "teachers_day": "welfare.teachers_day.amount",
    "wedding": 104200,
    "birth": 52100,
    "retirement": 78150,
    "bereavement": 26050,
    "universiade": 9600,
    "veterans": "welfare.veterans.amount",
    "disability_care": "welfare.disability_care.amount",
    "hardship_special": "hardship.special.amount",
    "hardship_temporary": "hardship.temporary.amount",
    "festival": "festival.amount",
    "birthday": "birthday.amount",
    "alleviation": 1881680,
}


@dataclass
class SampleYear:
    year: int
    build: Path
    published: Path
    marts_dir: Path
    id_numbers: list[str]
    mobile_numbers: list[str]


def _scale(year: int) -> Decimal:
    """2023 is the published year; other years differ by a few percent."""
    return Decimal(1) if year == 2023 else Decimal(1) - Decimal("0.07") * (2023 - year)


def _round(value: Decimal, places: str = "1") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def figure_values(year: int) -> dict[str, Decimal | None]:
    scale = _scale(year)
    values: dict[str, Decimal | None] = {}
    for key, published in PUBLISHED_2023.items():
        if key.endswith(".amount") or key.endswith(".over_target"):
            values[key] = _round(Decimal(published) * scale, "100")
        else:
            values[key] = _round(Decimal(published) * scale)
    # the reconciliations the summary implies hold in every year
    values["welfare.veterans.amount"] = values["welfare.veterans.people"] * 300
    return values


def _figure_definitions() -> list[dict]:
    with FIGURE_SEED.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _sha(*parts) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


def _files(year: int) -> list[tuple[str, str, str]]:
    return [(s, f"{s}/{year}-{s}.xlsx", _sha(year, s)) for s in SOURCES]


ACTIVITY_CATEGORIES = ["badminton", "volleyball", "fishing", "singing_contest", "group_purchase"]


def _marts(con: duckdb.DuckDBPyConnection, year: int, rng: random.Random, row_level: bool) -> None:
    """spending_by_category, proposal_completion, participation as the dbt marts have them."""
    con.execute(
        """
        create table marts.spending_by_category (
            year integer, month integer, month_start date, category varchar,
            department_code varchar, department_name varchar, people integer, payments integer,
            amount decimal(18, 2), budget_amount decimal(18, 2), share_used decimal(12, 8))
        """
    )
    spending = []
    scale = _scale(year)
    for category, total in CATEGORY_TOTALS.items():
        amount = Decimal(PUBLISHED_2023[total]) if isinstance(total, str) else Decimal(total)
        amount = _round(amount * scale, "0.01")
        budget = _round(amount * Decimal(rng.choice(["0.9", "1.05", "1.2", "1.5"])), "100")
        months = [date(year, m, 1) for m in sorted(rng.sample(range(1, 13), rng.randint(1, 4)))]
        if (
            category == "hardship_special"
        ):  # paid in December of the year before, charged to this one
            months = [date(year - 1, 12, 1), *months]
        departments = [(None, None)] if category == "alleviation" else None
        cells = [(m, d) for m in months for d in (departments or rng.sample(DEPARTMENTS, 3))]
        weights = [rng.randint(1, 5) for _ in cells]
        left = amount
        for i, ((month_start, (code, name)), weight) in enumerate(zip(cells, weights, strict=True)):
            part = left if i == len(cells) - 1 else _round(amount * weight / sum(weights), "0.01")
            left -= part
            payments = rng.randint(1, 40)
            spending.append(
                (
                    year,
                    month_start.month,
                    month_start,
                    category,
                    code,
                    name,
                    None if code is None else payments,
                    payments,
                    part,
                    budget,
                    _round(part / budget, "0.00000001"),
                )
            )
    con.executemany(
        "insert into marts.spending_by_category values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", spending
    )

    # proposals, one per row: the notebooks' row-level mart, and the source of proposal_completion
    con.execute(
        """
        create table marts.proposals (
            year integer, proposal_id varchar, congress varchar, title varchar,
            is_accepted boolean, submitted_on date, replied_on date, handling_status varchar,
            department_code varchar, department_name varchar)
        """
    )
    proposals = []
    for n in range(1, 41):
        code, name = DEPARTMENTS[rng.randrange(len(DEPARTMENTS))]
        submitted = date(year, 3, 1) + timedelta(days=rng.randint(0, 60))
        accepted = n % 7 != 0
        replied = submitted + timedelta(days=rng.choice([20, 45, 59, 61, 90])) if n % 5 else None
        status = "completed" if replied and n % 3 else ("in_progress" if n % 2 else "not_started")
        if not accepted:
            code, name = None, None
        proposals.append(
            (
                year,
                f"JD{year}{n:03d}",
                "congress" if n % 6 else "union",
                f"关于改进第{n}项工作的建议",
                accepted,
                submitted,
                replied,
                status,
                code,
                name,
            )
        )
    con.executemany("insert into marts.proposals values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", proposals)
    con.execute(
        """
        create table marts.proposal_completion as
        with per_department as (
            select year, congress, department_code,
                   coalesce(department_name, '未指定承办部门') as department_name,
                   count(*) as submitted,
                   count(*) filter (where is_accepted) as accepted,
                   count(*) filter (where is_accepted and handling_status = 'completed') as completed,
                   count(*) filter (where is_accepted and handling_status = 'in_progress') as in_progress,
                   count(*) filter (where is_accepted and handling_status = 'not_started') as not_started
            from marts.proposals group by all
        ),
        with_total as (
            select * from per_department
            union all
            select year, congress, 'ALL', '全部承办部门', sum(submitted), sum(accepted), sum(completed),
                   sum(in_progress), sum(not_started)
            from per_department group by year, congress
        )
        select year, congress, department_code, department_name,
               cast(submitted as integer) as submitted, cast(accepted as integer) as accepted,
               cast(completed as integer) as completed, cast(in_progress as integer) as in_progress,
               cast(not_started as integer) as not_started,
               cast(case when accepted > 0 then completed / accepted end as decimal(9, 4))
                   as completion_rate,
               cast(null as decimal(9, 1)) as median_days_to_reply,
               cast(null as decimal(9, 4)) as satisfied_share,
               cast(null as decimal(9, 4)) as fairly_satisfied_share,
               cast(null as decimal(9, 4)) as dissatisfied_share,
               0 as carried_forward, make_date(year, 11, 30) as as_of_export_date
        from with_total
        """
    )
    if not row_level:
        con.execute("drop table marts.proposals")

    # participation per department and activity category
    con.execute(
        """
        create table marts.participation (
            year integer, department_code varchar, department_name varchar,
            activity_category varchar, members integer, participants integer,
            participation_rate decimal(9, 4), participations integer)
        """
    )
    participation = []
    for code, name in DEPARTMENTS:
        headcount = rng.randint(40, 300)
        for category in ACTIVITY_CATEGORIES:
            taking_part = rng.randint(0, headcount * 3 // 4)
            participation.append(
                (
                    year,
                    code,
                    name,
                    category,
                    headcount,
                    taking_part,
                    _round(Decimal(taking_part) / headcount, "0.0001"),
                    taking_part + rng.randint(0, taking_part // 2 + 1),
                )
            )
    con.executemany(
        "insert into marts.participation values (?, ?, ?, ?, ?, ?, ?, ?)", participation
    )

    if row_level:
        con.execute(
            """
            create table marts.members as
            select ? as year, staff_id, member_name,
                   d.code as department_code, m.department_name, 'active' as member_status
            from raw.members m join (select unnest(?) as code, unnest(?) as name) d
              on d.name = m.department_name
            """,
            [year, [c for c, _ in DEPARTMENTS], [n for _, n in DEPARTMENTS]],
        )
        con.execute(
            """
            create table marts.birthday_vouchers as
            select ? as year, staff_id, month(birth_date) as birth_month,
                   cast(100 as decimal(18, 2)) as amount
            from raw.members where cast(substr(staff_id, 2) as integer) % 9 <> 0
            """,
            [year],
        )


def build_private(
    path: Path, year: int, row_level: bool = False, checks: bool = False
) -> SampleYear:
    """One year's private build: raw.members (with personal data), marts.*, audit.*.

    The marts have the columns of dbt_project/models/marts/_marts__models.yml. `row_level` adds
    reduced stand-ins of the row-level marts (a few of the columns of marts.members,
    marts.birthday_vouchers and marts.proposals; the notebooks' tests use the real ones of the
    demo run). `checks` adds an audit.checks table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    rng = random.Random(year)
    files = _files(year)
    sha_of = {source: sha for source, _, sha in files}
    with duckdb.connect(str(path)) as con:
        for schema in ("raw", "marts", "audit"):
            con.execute(f"create schema {schema}")

        # the roster, with the personal data that must never leave the private build
        members = []
        ids, mobiles = [], []
        for n in range(1, 61):
            _code, name = DEPARTMENTS[n % len(DEPARTMENTS)]
            born = date(1965 + n % 30, 1 + n % 12, 1 + n % 28)
            id_number = f"500103{born:%Y%m%d}{n:03d}{'X' if n % 11 == 0 else n % 10}"
            mobile = f"13{9 - n % 3}{year % 100:02d}{n:06d}"
            ids.append(id_number)
            mobiles.append(mobile)
            members.append((f"T{n:04d}", f"教工{n:03d}", name, born, id_number, mobile))
        con.execute(
            "create table raw.members (staff_id varchar, member_name varchar, department_name varchar, "
            "birth_date date, id_card_number varchar, mobile_number varchar)"
        )
        con.executemany("insert into raw.members values (?, ?, ?, ?, ?, ?)", members)

        # report_figures
        con.execute(
            """
            create table marts.report_figures (
                year integer, figure_key varchar, section varchar, label_zh varchar,
                value decimal(18, 2), unit varchar, display_zh varchar, source_rows integer,
                sources varchar)
            """
        )
        values = figure_values(year)
        rows = []
        for definition in _figure_definitions():
            key = definition["figure_key"]
            source = definition["fact_source"]
            rows.append(
                (
                    year,
                    key,
                    definition["section"],
                    definition["label_zh"],
                    values.get(key),
                    definition["unit"],
                    definition["display_unit"],
                    rng.randint(3, 400),
                    # as the mart gives them: content hashes, sorted, ;-joined
                    ";".join(
                        sorted(
                            {sha_of[source]}
                            | ({sha_of["budget"]} if "over_target" in key else set())
                        )
                    ),
                )
            )
        con.executemany("insert into marts.report_figures values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        # display_zh as the dbt macro prints it (the display unit sits in the column until here)
        con.execute(
            """
            update marts.report_figures set display_zh = case
                when value is null then null
                when display_zh = '万元' then
                    rtrim(rtrim(cast(cast(round(value * 0.0001, 4) as decimal(18, 4)) as varchar), '0'), '.') || '万元'
                when display_zh = '元' then cast(cast(value as decimal(18, 2)) as varchar) || '元'
                else cast(cast(value as bigint) as varchar) || display_zh
            end
            """
        )

        _marts(con, year, rng, row_level)

        # audit tables
        con.execute(
            """
            create table audit.load_log (
                year integer, source varchar, file_name varchar, file_sha256 varchar,
                file_status varchar, error_code varchar, message_zh varchar, message_en varchar,
                rows_read integer, rows_clean integer, rows_duplicate integer,
                rows_quarantined integer)
            """
        )
        log = []
        for source, name, sha in files:
            read = rng.randint(20, 900)
            duplicate, quarantined = rng.randint(0, 3), rng.randint(0, 5)
            log.append(
                (
                    year,
                    source,
                    name,
                    sha,
                    "loaded",
                    None,
                    None,
                    None,
                    read,
                    read - duplicate - quarantined,
                    duplicate,
                    quarantined,
                )
            )
        con.executemany(
            "insert into audit.load_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", log
        )
        con.execute(
            """
            create table audit.quarantine (
                landed_row_id varchar, year integer, source varchar, table_name varchar,
                file_name varchar, file_sha256 varchar, sheet_name varchar, row_number integer,
                column_name varchar, raw_values varchar, reason_code varchar, reason_zh varchar,
                reason_en varchar, department_code varchar)
            """
        )
        con.executemany(
            "insert into audit.quarantine values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    _sha(year, "q1")[:16],
                    year,
                    "welfare",
                    "welfare_payments",
                    f"welfare/{year}-welfare.xlsx",
                    sha_of["welfare"],
                    "Sheet1",
                    12,
                    "工号",
                    '{"工号": "T9999", "金额": "800", "手机号": "***"}',
                    "unknown_staff_id",
                    "工号不在会员名册中",
                    "unknown staff id",
                    "literature",
                ),
                (
                    _sha(year, "q2")[:16],
                    year,
                    "birthday",
                    "birthday_vouchers",
                    f"birthday/{year}-birthday.xlsx",
                    sha_of["birthday"],
                    "Sheet1",
                    7,
                    "金额",
                    '{"工号": "T0003", "金额": "一百"}',
                    "amount_not_a_number",
                    "金额不是数字",
                    "amount not a number",
                    None,
                ),
            ],
        )
        if checks:
            con.execute(
                """
                create table audit.checks (
                    year integer, check_name varchar, figure_key varchar, status varchar,
                    description varchar)
                """
            )
            con.executemany(
                "insert into audit.checks values (?, ?, ?, ?, ?)",
                [
                    (
                        year,
                        "chengkou_total_is_sum_of_purchases",
                        "alleviation.chengkou.amount",
                        "pass",
                        "城口县采购总额 = 各笔采购之和",
                    ),
                    (
                        year,
                        "veterans_amount_is_people_times_standard",
                        "welfare.veterans.amount",
                        "pass",
                        "复转军人慰问金 = 人数 × 300元",
                    ),
                    (
                        year,
                        "changning_over_target",
                        "alleviation.changning.over_target",
                        "pass",
                        "超额 = 采购 − 任务金额",
                    ),
                    (
                        year,
                        "festival_total_is_sum_of_cells",
                        "festival.amount",
                        "pass",
                        "节日慰问金合计 = 各单元格之和",
                    ),
                    (year, "row_conservation", None, "pass", "读入 = 有效 + 重复 + 隔离"),
                ],
            )
    return SampleYear(year, path, Path(), Path(), ids, mobiles)


def build_sample(
    base: Path,
    years=(2022, 2023),
    row_level: bool = False,
    checks: bool = False,
) -> dict[int, SampleYear]:
    """Private builds for `years`, published into base/warehouse/union.duckdb and base/marts/."""
    from pipelines.publish.publication import publish_warehouse, write_year_outputs

    base = Path(base)
    published = base / "warehouse" / "union.duckdb"
    marts_dir = base / "marts"
    out = {}
    for year in years:
        build = base / "warehouse" / "private" / f"{year}.duckdb"
        sample = build_private(build, year, row_level=row_level, checks=checks)
        write_year_outputs(build, marts_dir / str(year), year, base / "no-manifest.json")
        publish_warehouse(build, published, year)
        sample.published, sample.marts_dir = published, marts_dir
        out[year] = sample
    return out


def build_once(directory: Path, build) -> Path:
    """`build(directory)` unless a finished build is there; safe when test processes (pytest-xdist
    workers) ask for the same directory at once: one builds, the others wait for it."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    done = directory / ".built"
    with held(directory.with_name(directory.name + ".lock")):
        if not done.exists():
            if directory.exists():
                shutil.rmtree(directory)
            build(directory)
            done.write_text("ok", encoding="utf-8")
    return directory


def build_published_sample(base: Path) -> dict[int, SampleYear]:
    """2022 and 2023 published with the row-level marts and a checks table, and 2023's report
    (HTML and PDF) in marts/2023/: what the report, notebook and privacy tests read."""
    from pipelines.report.build import build_report

    samples = build_sample(base, years=(2022, 2023), row_level=True, checks=True)
    build_report(2023, base / "warehouse" / "union.duckdb", base / "marts", pdf=True)
    return samples


def main() -> None:  # pragma: no cover - a convenience for trying the report by hand
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("--years", type=int, nargs="+", default=[2022, 2023])
    parser.add_argument("--row-level", action="store_true")
    parser.add_argument("--checks", action="store_true")
    args = parser.parse_args()
    samples = build_sample(args.base, args.years, args.row_level, args.checks)
    for year, sample in samples.items():
        print(year, sample.published, sample.marts_dir / str(year))


if __name__ == "__main__":  # pragma: no cover
    main()
