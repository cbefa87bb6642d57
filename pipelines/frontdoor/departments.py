"""The departments seed (dbt_project/seeds/departments.csv), read for the templates and the pages."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines.contract import DEPARTMENTS_SEED


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    aliases: tuple[str, ...]


@cache
def load_departments(seed: Path = DEPARTMENTS_SEED) -> tuple[Department, ...]:
    with seed.open(encoding="utf-8") as stream:
        return tuple(
            Department(
                code=row["department_code"],
                name=row["department_name"],
                aliases=tuple(a for a in (row.get("aliases") or "").split("|") if a),
            )
            for row in csv.DictReader(stream)
        )


def department(code: str) -> Department | None:
    return next((d for d in load_departments() if d.code == code), None)
