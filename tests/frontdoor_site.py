"""A front door over scratch folders, for the page tests: raw/ with the demo year's roster only,
a publication's manifest and quarantine (the demo run's, when given), and access codes for two
departments and the office."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from starlette.testclient import TestClient

from pipelines.frontdoor import accounts
from pipelines.frontdoor.uploads import Limits
from pipelines.frontdoor.web.app import Settings
from tests.conftest import DEMO_RAW

DEPARTMENT, OTHER_DEPARTMENT = "marxism", "education"


@dataclass
class Site:
    settings: Settings
    codes: dict[str, str]

    def raw_files(self) -> list[str]:
        root = self.settings.raw_dir
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    def staged_files(self) -> list[Path]:
        staging = self.settings.work_dir / "staging"
        return sorted(p for p in staging.rglob("*") if p.is_file()) if staging.exists() else []


def make_site(root: Path, limits: Limits | None = None, publication: Path | None = None) -> Site:
    """`publication`: a published year's folder (the demo run's marts/2023) whose manifest and
    quarantine the site shows; without it, the site has published nothing yet."""
    raw = root / "raw"
    shutil.copytree(DEMO_RAW / "2023" / "members", raw / "2023" / "members")
    marts = root / "marts" / "2023"
    marts.mkdir(parents=True)
    for name in ("manifest.json", "quarantine.parquet") if publication else ():
        shutil.copyfile(publication / name, marts / name)
    settings = Settings(
        raw, root / "marts", root / "warehouse" / "union.duckdb", limits or Limits()
    )
    codes = {
        code: accounts.add_account(settings.accounts_path, code)
        for code in (DEPARTMENT, OTHER_DEPARTMENT, accounts.OFFICE)
    }
    return Site(settings, codes)


def csrf_of(client: TestClient) -> str:
    page = client.get("/", follow_redirects=True).text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def sign_in(client: TestClient, code: str, secret: str):
    return client.post(
        "/signin", data={"csrf": csrf_of(client), "department": code, "access_code": secret}
    )


def signed_in(client: TestClient, site, code: str = DEPARTMENT) -> TestClient:
    assert sign_in(client, code, site.codes[code]).status_code == 303
    return client
