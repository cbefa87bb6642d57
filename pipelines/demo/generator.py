"""Deterministic demo raw data: `raw/<year>/<source>/…` for every source of the contract.

    from pipelines.demo.generator import generate
    generate(2023, Path("raw"))                 # the shipped demo year
    generate(2024, Path("raw"), scale=10)       # ten times the members, payments and participants

Same (year, scale, seed) → byte-identical files. For 2023 at scale 1 the files are built so that the
contract's rules give exactly the published figures (`targets_2023.py`); at scale N the row-heavy
figures (welfare, hardship, birthday, festival) are N times those. Other years get data of the same
shape with other random values. Every year carries the same kinds of mess, and a handful of rows
planted to be quarantined (listed in `PLANTED.md` for 2023).
"""

from __future__ import annotations

import random
import shutil
import warnings
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pipelines.demo.context import Context, Facts
from pipelines.demo.people import Roster, build_roster
from pipelines.demo.sources import (
    activities,
    alleviation,
    birthday,
    festival,
    members,
    office,
    proposals,
    welfare,
)
from pipelines.demo.targets_2023 import SCALED_PREFIXES, TARGETS_2023
from pipelines.demo.workbook import CsvFile, PlantedRow, XlsxFile, write_csv, write_xlsx

SOURCES = (
    "members",
    "welfare",
    "festival",
    "birthday",
    "alleviation",
    "proposals",
    "activities",
    "publicity",
    "meetings",
    "budget",
)
FIGURE_KEYS = tuple(TARGETS_2023)


@dataclass
class GenerationResult:
    paths: list[Path]  # every file written, in writing order
    planted: list[PlantedRow]  # rows the pipeline must quarantine (and why)
    figures: dict[str, int | Decimal]  # what the clean rows give, per report figure key
    roster: Roster  # the members (with their personal data: never write it anywhere)
    facts: Facts  # what else the clean rows hold (pipelines/demo/answers.py reads it)


def generate(
    year: int, out_dir: Path, scale: int = 1, seed: int = 0, *, clean: bool = False
) -> list[Path]:
    """Write the demo raw files of `year` under `out_dir/<year>/` and return their paths.

    `clean` first removes the source folders of that year (only those ten folders).
    """
    return build(year, Path(out_dir), scale=scale, seed=seed, clean=clean).paths


def build(
    year: int, out_dir: Path, *, scale: int = 1, seed: int = 0, clean: bool = False
) -> GenerationResult:
    if not 2000 <= year <= 2100:
        raise ValueError(f"year {year} is not a plausible report year")
    if scale < 1:
        raise ValueError("scale must be at least 1")
    root = Path(out_dir) / str(year)
    if clean:
        for source in SOURCES:
            shutil.rmtree(root / source, ignore_errors=True)

    plan = make_plan(year, scale, seed)
    roster = build_roster(
        random.Random(f"{seed + year}/roster"),
        year,
        scale,
        veterans=plan["welfare.veterans.people"],
        recent_retirees=plan["life_counts"]["退休慰问"] + 5 * scale,
        deaths_paid=plan["bereavement"]["member_died"],
    )
    ctx = Context(year, scale, seed, plan, roster)

    paths: list[Path] = []
    planted: list[PlantedRow] = []
    builders = [
        members.build,
        welfare.build,
        festival.build,
        birthday.build,
        alleviation.build,
        proposals.build,
        activities.build,
        office.publicity,
        office.meetings,
        office.budget,
    ]
    for builder in builders:
        for spec in builder(ctx):
            if isinstance(spec, XlsxFile):
                path, rows = write_xlsx(root, spec)
            elif isinstance(spec, CsvFile):
                path, rows = write_csv(root, spec)
            else:  # pragma: no cover
                raise TypeError(spec)
            paths.append(path)
            planted.extend(rows)

    figures = {k: ctx.figures.get(k, 0) for k in FIGURE_KEYS}
    for key, want in plan.items():
        if key in figures and figures[key] != want:
            raise AssertionError(
                f"{key}: the generated rows give {figures[key]}, the plan says {want}"
            )
    _warn_strays(root, paths)
    return GenerationResult(paths, planted, figures, roster, ctx.facts)


def expected_figures(year: int, scale: int = 1, seed: int = 0) -> dict[str, int | Decimal]:
    """The figures a correct pipeline computes from `generate(year, …, scale, seed)`'s files.

    For 2023 at scale 1 these are `TARGETS_2023`. Generates into a temporary folder.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return build(year, Path(tmp), scale=scale, seed=seed).figures


def make_plan(year: int, scale: int, seed: int) -> dict:
    """The figures to hit and how they break down. 2023: the published figures (× scale for the
    row-heavy ones). Other years: plausible random values of the same size."""
    s = scale
    if year == 2023:
        plan: dict = {
            k: (v * s if k.startswith(SCALED_PREFIXES) else v) for k, v in TARGETS_2023.items()
        }
        # 325 people, 260,500 yuan: 129 gifts of 500 (wedding, birth) and 196 of 1,000 (retirement,
        # bereavement); the 48 bereavements: 12 members who died, 29 members who lost a close
        # relative, 7 families of members who died before the year (no 工号).
        plan["life_counts"] = {
            "结婚慰问": 58 * s,
            "生育慰问": 71 * s,
            "退休慰问": 148 * s,
            "去世慰问": 48 * s,
        }
        plan["bereavement"] = {
            "member_died": 12 * s,
            "relative_died": 29 * s,
            "family_no_id": 7 * s,
        }
        plan["disability_recipients"] = 9 * s
        plan["hardship_batches"] = [
            (date(year - 1, 12, 20), 58000 * s),
            (date(year, 6, 20), 68000 * s),
        ]
        plan["proposals_congress_rejected"] = 23
        plan["proposals_union_rejected"] = 6
        _check_2023(plan)
        return plan

    r = random.Random(f"{seed + year}/plan")
    plan = {}
    for key, lo, hi, rate in (
        ("new_year", 150, 185, 800),
        ("july_first", 3, 6, 800),
        ("frontier_families", 12, 18, 800),
        ("teachers_day", 28, 38, 800),
        ("veterans", 560, 620, 300),
    ):
        people = r.randint(lo, hi) * s
        plan[f"welfare.{key}.people"] = people
        plan[f"welfare.{key}.amount"] = Decimal(people * rate)
    bereavement = {
        "member_died": r.randint(8, 15) * s,
        "relative_died": r.randint(22, 35) * s,
        "family_no_id": r.randint(4, 9) * s,
    }
    life = {
        "结婚慰问": r.randint(45, 70) * s,
        "生育慰问": r.randint(55, 85) * s,
        "退休慰问": r.randint(120, 170) * s,
        "去世慰问": sum(bereavement.values()),
    }
    plan["life_counts"] = life
    plan["bereavement"] = bereavement
    plan["welfare.life_events.people"] = sum(life.values())
    plan["welfare.life_events.amount"] = Decimal(
        (life["结婚慰问"] + life["生育慰问"]) * 500 + (life["退休慰问"] + life["去世慰问"]) * 1000
    )
    plan["welfare.universiade.people"] = 0  # the Chengdu Universiade was in 2023 only
    recipients = r.randint(8, 10) * s
    plan["disability_recipients"] = recipients
    plan["welfare.disability_care.amount"] = Decimal(recipients * r.randint(150, 180) * 10 * 12)
    batches = [
        (date(year - 1, 12, 20), r.randint(45, 70) * 1000 * s),
        (date(year, 6, 20), r.randint(50, 75) * 1000 * s),
    ]
    plan["hardship_batches"] = batches
    plan["hardship.special.amount"] = Decimal(sum(a for _, a in batches))
    plan["hardship.temporary.amount"] = Decimal(r.randint(28, 40) * 1000 * s)
    plan["proposals.congress.accepted"] = r.randint(85, 110)
    plan["proposals.union.accepted"] = r.randint(10, 20)
    plan["proposals_congress_rejected"] = r.randint(15, 30)
    plan["proposals_union_rejected"] = r.randint(3, 8)
    for key, lo, hi in (
        ("publicity.wechat.posts", 40, 56),
        ("publicity.upper_union.reports", 7, 13),
        ("publicity.news_flash.posts", 18, 30),
        ("publicity.grassroots.posts", 28, 42),
        ("publicity.clubs.posts", 3, 7),
        ("publicity.notices.posts", 24, 34),
    ):
        plan[key] = r.randint(lo, hi)
    plan["activities.group_purchase.count"] = r.randint(5, 9)
    plan["meetings.union_committee.count"] = r.randint(4, 6)
    plan["meetings.congress_executive.count"] = r.randint(5, 8)
    plan["meetings.proposal_committee.count"] = r.randint(1, 3)
    plan["meetings.documents_reviewed"] = r.randint(8, 16)
    return plan


def _check_2023(plan: dict) -> None:
    life = plan["life_counts"]
    assert sum(life.values()) == plan["welfare.life_events.people"]
    assert (life["结婚慰问"] + life["生育慰问"]) * 500 + (
        life["退休慰问"] + life["去世慰问"]
    ) * 1000 == plan["welfare.life_events.amount"]
    assert sum(plan["bereavement"].values()) == life["去世慰问"]
    assert sum(a for _, a in plan["hardship_batches"]) == plan["hardship.special.amount"]


def _warn_strays(root: Path, paths: list[Path]) -> None:
    written = {p.resolve() for p in paths}
    strays = [
        p
        for source in SOURCES
        if (root / source).is_dir()
        for p in sorted((root / source).iterdir())
        if p.is_file() and p.resolve() not in written
    ]
    if strays:
        warnings.warn(
            f"{len(strays)} file(s) in {root} were not written by this run and will be read by the "
            f"pipeline too (use clean=True / --clean to start afresh): "
            + ", ".join(str(p.relative_to(root)) for p in strays[:5]),
            stacklevel=3,
        )
