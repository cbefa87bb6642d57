"""A run of the suite that skipped a test fails, unless a partial run was asked for.

A green run must mean every test ran: a test skipped for a missing program, an unreachable
registry or any other reason turns the run's exit status to 1, with the skipped tests listed,
unless `UNIONWH_ALLOW_SKIPS=1` is set. Installed from tests/conftest.py; under pytest-xdist the
controller, which receives every worker's reports, decides.
"""

from __future__ import annotations

import pytest

from tests.system_tools import ALLOW_SKIPS, skips_allowed

PLUGIN_NAME = "unionwh-skip-gate"


class SkipGate:
    def __init__(self) -> None:
        self.skipped: list[str] = []

    def _note(self, report) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skipped.append(report.nodeid)

    def pytest_runtest_logreport(self, report) -> None:
        self._note(report)

    def pytest_collectreport(self, report) -> None:
        self._note(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session) -> None:
        if self.skipped and not skips_allowed() and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.skipped or skips_allowed():
            return
        terminalreporter.section("skipped tests fail the run", red=True, bold=True)
        terminalreporter.line(
            f"{len(self.skipped)} 个测试被跳过，本次运行不算通过（部分运行请设 {ALLOW_SKIPS}=1） / "
            f"{len(self.skipped)} test(s) skipped: the run fails ({ALLOW_SKIPS}=1 for a partial run)"
        )
        for nodeid in self.skipped:
            terminalreporter.line(f"  {nodeid}")


def install(config) -> None:
    """Register the gate once, in the process that sees every report (not in xdist workers)."""
    if hasattr(config, "workerinput") or config.pluginmanager.has_plugin(PLUGIN_NAME):
        return
    config.pluginmanager.register(SkipGate(), PLUGIN_NAME)


def pytest_configure(config) -> None:
    """When loaded with `-p tests.skip_gate` (the gate's own tests run pytest that way)."""
    install(config)
