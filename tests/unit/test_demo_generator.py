"""The demo-data generator: deterministic, complete, and as documented in PLANTED.md.

These tests check the generator's files, read back by openpyxl and the csv module (not the
pipeline's reader). Whether the pipeline computes the published 2023 figures from these files is
the end-to-end tests' job. How long the generator takes is measured by `unionwh bench` (its
"generate demo data" stage, and bench/cache/data/<volume>/meta.json's `seconds`), not here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import openpyxl
import pytest

from pipelines.demo.generator import SOURCES, build, generate
from pipelines.demo.targets_2023 import TARGETS_2023
from tests.figures_read_back import figures_read_back
from tests.published_table import published_figures

PLANTED_MD = Path(__file__).resolve().parents[2] / "pipelines" / "demo" / "PLANTED.md"


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def demo_2023(tmp_path_factory):
    out = tmp_path_factory.mktemp("raw")
    return out, build(2023, out)


def test_same_inputs_give_byte_identical_files(demo_2023, tmp_path):
    out, _ = demo_2023
    paths = generate(2023, tmp_path)
    assert [p.relative_to(tmp_path) for p in paths] == [
        p.relative_to(out) for p in demo_2023[1].paths
    ]
    assert _digests(tmp_path) == _digests(out)


def test_another_seed_gives_other_files(demo_2023, tmp_path):
    out, _ = demo_2023
    build(2023, tmp_path, seed=1)  # build() itself raises when its rows miss the targets
    assert _digests(tmp_path) != _digests(out)


def test_every_source_has_files(demo_2023):
    out, result = demo_2023
    for source in SOURCES:
        files = list((out / "2023" / source).iterdir())
        assert files, source
        assert all(f.suffix in (".xlsx", ".csv") for f in files)
    assert all(p.is_file() and p.stat().st_size > 0 for p in result.paths)
    size = sum(p.stat().st_size for p in result.paths)
    assert 500_000 < size < 8_000_000


def test_the_files_read_back_give_the_published_figures(demo_2023):
    """All 35 figures worked out from the files by openpyxl, csv and pandas
    (tests/figures_read_back.py) = docs/report-figures.md."""
    out, _ = demo_2023
    got = figures_read_back(out, 2023)
    published = published_figures()
    assert len(got) == 35
    assert {key: published[key] for key in got} == got


def _planted_table() -> list[tuple[str, str, int, str]]:
    rows = []
    for line in PLANTED_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(
            r"^\|\s*\d+\s*\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|\s*(\d+)\s*\|\s*`([a-z_]+)`\s*\|",
            line,
        )
        if m:
            rows.append((m.group(1), m.group(2), int(m.group(3)), m.group(4)))
    return rows


def test_planted_md_lists_exactly_the_planted_rows(demo_2023):
    _, result = demo_2023
    planted = sorted((p.file, p.sheet, p.row, p.reason) for p in result.planted)
    assert sorted(_planted_table()) == planted
    quarantined = [p for p in planted if p[3] not in ("duplicate", "clean")]
    assert 5 <= len(quarantined) <= 15


def _answers_table() -> dict[str, str]:
    section = PLANTED_MD.read_text(encoding="utf-8").split("## What the analysts", 1)[1]
    section = section.split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([a-z_.0-9]+)` \| (\S+) \|", section, flags=re.M))


def test_planted_md_gives_the_answers_the_generated_rows_hold(demo_2023):
    import datetime as dt

    from pipelines.demo import answers

    _, result = demo_2023
    members = answers.members_of_year(result, 2023)
    participation = answers.participation_by_department(result, 2023)
    spending = answers.spending_per_member(result, 2023)
    spending.pop(answers.NO_DEPARTMENT)
    year_end = dt.date(2023, 12, 31)
    got = {
        "members": str(len(members)),
        "birthday.due_without_voucher": str(
            len(answers.members_due_a_voucher_without_one(result, 2023))
        ),
        "birthday.no_voucher": str(
            sum(1 for m in members if m.staff_id not in result.facts.vouchers)
        ),
        "proposals.overdue_60_days": str(len(answers.overdue_proposals(result, year_end, 60))),
        "proposals.overdue_150_days": str(len(answers.overdue_proposals(result, year_end, 150))),
        "proposals.not_replied": str(
            sum(1 for p in result.facts.proposals if p.accepted and p.replied is None)
        ),
        "participation.lowest": min(
            participation, key=lambda name: (participation[name][1] / participation[name][0], name)
        ),
        "spending.highest_per_member": max(spending, key=lambda name: (spending[name], name)),
    }
    assert _answers_table() == got


def _read_row(path: Path, sheet: str, row: int) -> list:
    if sheet == "csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        return list(csv.reader(io.StringIO(text)))[row - 1]
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    return [c for c in next(wb[sheet].iter_rows(min_row=row, max_row=row, values_only=True))]


def test_planted_rows_sit_where_planted_md_says(demo_2023):
    """Each listed row is a data row holding the planted oddity (spot checks per reason)."""
    out, _ = demo_2023
    root = out / "2023"
    for file, sheet, row, reason in _planted_table():
        cells = [str(c) for c in _read_row(root / file, sheet, row) if c not in (None, "")]
        text = " ".join(cells)
        assert cells, (file, row)
        if reason == "negative_amount":
            assert "(2000)" in text
        elif reason == "month_only_date":
            assert re.search(r"\d{4}年\d{1,2}月(?!\d)", text)
        elif reason == "unknown_county":
            assert "巫溪县" in text
        elif reason == "wrong_fiscal_year":
            assert "2022" in text


def test_csv_encodings(demo_2023):
    out, _ = demo_2023
    welfare = out / "2023" / "welfare"
    gbk = (welfare / "2023年7-9月慰问发放明细.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert "慰问类别" in gbk.decode("gbk")
    assert (welfare / "复转军人慰问_2023.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_hidden_and_helper_sheets_exist(demo_2023):
    out, _ = demo_2023
    wb = openpyxl.load_workbook(out / "2023" / "welfare" / "2023年1-3月慰问发放明细.xlsx")
    states = {ws.title: ws.sheet_state for ws in wb.worksheets}
    assert states["Sheet4"] == "hidden"
    assert {"汇总", "填表说明"} <= set(states)


def test_formulas_carry_their_values(demo_2023):
    out, _ = demo_2023
    path = out / "2023" / "festival" / "2023年节日慰问金发放表.xlsx"
    formulas = openpyxl.load_workbook(path, read_only=True)["在职"]
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)["在职"]
    checked = 0
    for f_row, v_row in zip(
        formulas.iter_rows(min_row=3, max_row=40, values_only=True),
        values.iter_rows(min_row=3, max_row=40, values_only=True),
        strict=True,
    ):
        if isinstance(f_row[12], str) and f_row[12].startswith("=SUM"):
            assert v_row[12] == sum(v for v in v_row[5:12] if isinstance(v, int | float))
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("year", [2022, 2024])
def test_other_years_have_the_same_shape(tmp_path, year):
    result = build(year, tmp_path)
    names = {p.relative_to(tmp_path / str(year)).parts[0] for p in result.paths}
    assert names == set(SOURCES)
    assert result.figures != TARGETS_2023
    assert set(result.figures) == set(TARGETS_2023)
    assert result.figures["welfare.universiade.people"] == 0


def test_departments_agree_with_the_department_seed():
    """The generator's departments and aliases are the warehouse's department table."""
    from pipelines.demo.people import DEPARTMENTS

    seed = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "departments.csv"
    with seed.open(encoding="utf-8") as fh:
        rows = {
            r["department_name"]: set(filter(None, r["aliases"].split("|")))
            for r in csv.DictReader(fh)
        }
    assert {name: set(aliases) for name, aliases, _ in DEPARTMENTS} == rows
