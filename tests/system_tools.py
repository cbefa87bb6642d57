"""The machine's programs some tests need (`make system-deps` installs them), and the one rule for
a missing one: the test that needs it fails, naming the program and the package. A person who
wants a partial run on a machine without them says so with `UNIONWH_ALLOW_SKIPS=1`, and such
tests are skipped instead (see tests/skip_gate.py for the rest of that rule)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

ALLOW_SKIPS = "UNIONWH_ALLOW_SKIPS"

CHROMIUM = Path("/usr/bin/chromium")
LIBREOFFICE = Path("/usr/bin/libreoffice")
PDFTOPPM = Path("/usr/bin/pdftoppm")


def skips_allowed() -> bool:
    """Did the person running the tests ask for a partial run?"""
    return os.environ.get(ALLOW_SKIPS) == "1"


def missing(what: str) -> NoReturn:
    """A system dependency is absent: fail, or skip when a partial run was asked for."""
    message = f"{what} (make system-deps installs it; {ALLOW_SKIPS}=1 for a partial run)"
    if skips_allowed():
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


def require_program(program: str | Path, package: str) -> str:
    """The program's path: an absolute path that must exist, or a name looked up on PATH."""
    path = Path(program)
    if path.is_absolute():
        found = str(path) if path.exists() else None
    else:
        found = shutil.which(str(program))
    if found is None:
        missing(f"{program} is not installed (Debian package {package})")
    return found
