"""Access codes of the departments and of the union office, stored hashed.

A code is made by `unionwh serve --add-department <code>` (or `--add-office`), printed once, and
kept only as its scrypt hash (hashlib.scrypt, a salt per account) in a JSON file in the private
warehouse folder. Signing in names the department and gives its code; the hash is compared in
constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import UnionWarehouseError
from pipelines.frontdoor.departments import department

OFFICE = "office"  # the union office's account: sees every department
# scrypt's cost: n=2**14, r=8 takes ~50 ms and 16 MiB per check here (OWASP's floor is n=2**17 for
# stored passwords; these codes are 128-bit random strings, so no dictionary can guess them)
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class Account:
    code: str  # the department's code, or OFFICE
    is_office: bool

    @property
    def name(self) -> str:
        if self.is_office:
            return "工会办公室"
        found = department(self.code)
        return found.name if found else self.code


def _hash(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, dklen=32)


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _write(path: Path, accounts: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(accounts, indent=1, sort_keys=True), encoding="utf-8")
    os.chmod(partial, 0o600)
    partial.replace(path)


def add_account(path: Path, code: str, sources: tuple[str, ...] = ()) -> str:
    """Make (or replace) the access code of a department (or of the office); return the code,
    which is not stored anywhere in clear. `sources`: what the department is expected to send each
    year (the office's page lists what is missing of them); none given: every source."""
    if code != OFFICE and department(code) is None:
        raise UnionWarehouseError(
            f"未知的部门代码 {code}（见 dbt_project/seeds/departments.csv）",
            f"unknown department code {code} (see dbt_project/seeds/departments.csv)",
        )
    secret = secrets.token_urlsafe(16)
    salt = secrets.token_bytes(16)
    accounts = _read(path)
    accounts[code] = {
        "salt": base64.b64encode(salt).decode(),
        "hash": base64.b64encode(_hash(secret, salt, **SCRYPT)).decode(),
        **SCRYPT,
        "sources": list(sources),
    }
    _write(path, accounts)
    return secret


def account_codes(path: Path) -> list[str]:
    return sorted(_read(path))


def expected_sources(path: Path) -> dict[str, list[str]]:
    """Each department's expected sources (an empty list: every source)."""
    return {
        code: list(record.get("sources") or [])
        for code, record in sorted(_read(path).items())
        if code != OFFICE
    }


def sign_in(path: Path, code: str, secret: str) -> Account | None:
    """The account when `secret` is its access code; None otherwise (also for an unknown code,
    after the same work, so a wrong department and a wrong code look alike)."""
    secret = secret[:200]  # the same work for an unknown department as for a known one
    record = _read(path).get(code)
    if record is None:
        _hash(secret, b"\0" * 16, **SCRYPT)
        return None
    salt = base64.b64decode(record["salt"])
    cost = {k: int(record[k]) for k in ("n", "r", "p")}
    expected = base64.b64decode(record["hash"])
    if not hmac.compare_digest(_hash(secret, salt, **cost), expected):
        return None
    return Account(code, code == OFFICE)
