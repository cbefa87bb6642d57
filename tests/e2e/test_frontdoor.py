"""The front door end to end, over one scratch site (raw/ with the demo roster, the demo
publication's manifest and quarantine, a private folder), so that dbt parses the project once for
the module (the parsed manifest is kept beside the scratch build, and `unionwh serve` reads it too).

1. `unionwh validate` / `validate_files`: the nightly run's rules on one file, through the same
   reading code and the same dbt classification on a scratch build.
2. The pages in headless Chromium, served by `unionwh serve` as a user starts it: a department's
   clerk signs in with the code `unionwh serve --add-department` printed, uploads a bad file and a
   good one, sees the bad cells, submits the good file into raw/; the union office sees it arrive
   on its status page. Set UNIONWH_SCREENSHOTS=<folder> to keep the pages' screenshots.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from pipelines.cli.main import app
from pipelines.contract import load_contract
from pipelines.frontdoor.validate import MASK, cell_value, validate_files
from pipelines.frontdoor.web.app import create_app
from tests.conftest import DEMO_RAW, run_cli
from tests.e2e.test_dagster_ui import CHROMIUM, CHROMIUM_FLAGS
from tests.frontdoor_files import DEMO_YEAR, demo_rows, fill_template
from tests.frontdoor_site import DEPARTMENT, make_site, signed_in
from tests.system_tools import require_program

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clean_welfare_rows(count: int) -> list[dict]:
    """Demo payments that every rule lets through: a roster staff id, no written department, a
    positive amount, charged to and paid in the fiscal year."""
    roster = set(demo_rows("members")["members"]["staff_id"].to_list())
    payments = demo_rows("welfare")["welfare_payments"]
    clean = payments.filter(
        pl.col("staff_id").is_in(list(roster))
        & pl.col("department_name").is_null()
        & (pl.col("amount") > 0)
        & (pl.col("fiscal_year") == DEMO_YEAR)
        & pl.col("paid_on").is_between(dt.date(DEMO_YEAR - 1, 10, 1), dt.date(DEMO_YEAR + 1, 3, 31))
    )
    return clean.head(count).to_dicts()


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_publication):
    return make_site(
        tmp_path_factory.mktemp("frontdoor"), publication=demo_publication.marts / "2023"
    )


@pytest.fixture(scope="module")
def warehouse(site) -> Path:
    return site.settings.warehouse


@pytest.fixture(scope="module")
def work_dir(site) -> Path:
    return site.settings.work_dir  # where `unionwh validate --warehouse` and the page put it


@pytest.fixture(scope="module")
def birthday_rows() -> list[dict]:
    roster = set(demo_rows("members")["members"]["staff_id"].to_list())
    vouchers = demo_rows("birthday")["birthday_vouchers"]
    clean = vouchers.filter(
        pl.col("staff_id").is_in(list(roster)) & pl.col("department_name").is_null()
    ).unique("staff_id", keep="first", maintain_order=True)
    return clean.head(4).to_dicts()


def test_a_clean_file_passes_and_a_bad_one_names_every_cell(tmp_path, work_dir, birthday_rows):
    good = fill_template(tmp_path / "g", "birthday", {"birthday_vouchers": birthday_rows}, "g.xlsx")
    bad_rows = [dict(r) for r in birthday_rows]
    bad_rows[0]["staff_id"] = "GH99999"  # not in the roster
    bad_rows[2] = dict(bad_rows[1])  # the same voucher twice
    bad_rows[3]["amount"] = "一百"  # not a number
    bad = fill_template(tmp_path / "b", "birthday", {"birthday_vouchers": bad_rows}, "b.xlsx")
    checked_good = validate_files([(good, "g.xlsx")], DEMO_YEAR, DEMO_RAW, work_dir).files[0]
    assert checked_good.source == "birthday" and checked_good.ok  # the source, from the header
    assert (checked_good.rows, checked_good.rows_clean) == (4, 4)
    result = validate_files([(bad, "b.xlsx")], DEMO_YEAR, DEMO_RAW, work_dir)
    assert not result.ok
    checked_bad = result.files[0]
    by_row = {(p.row_number, p.reason_code, p.column_name, p.value) for p in checked_bad.errors}
    assert by_row == {
        (4, "unknown_staff_id", "工号", "GH99999"),
        (6, "duplicate", None, None),
        (7, "amount_not_a_number", "金额", "一百"),
    }
    assert all(
        p.file_name == "b.xlsx" and p.sheet_name == "会员生日蛋糕" for p in checked_bad.errors
    )
    assert all(p.message_zh.startswith("工作表 会员生日蛋糕 第 ") for p in checked_bad.errors)


def test_the_cli_exits_0_only_when_every_row_is_clean(tmp_path, warehouse, birthday_rows):
    good = fill_template(tmp_path / "g", "birthday", {"birthday_vouchers": birthday_rows}, "g.xlsx")
    late = [dict(r) for r in birthday_rows]
    late[1]["amount"] = -late[1]["amount"]
    bad = fill_template(tmp_path / "b", "birthday", {"birthday_vouchers": late[1:2]}, "b.xlsx")
    runner = CliRunner()
    common = ["--year", str(DEMO_YEAR), "--raw-dir", str(DEMO_RAW), "--warehouse", str(warehouse)]
    ok = runner.invoke(app, ["validate", str(good), *common])
    assert ok.exit_code == 0, ok.output
    failed = runner.invoke(app, ["validate", str(bad), *common])
    assert failed.exit_code == 1
    assert "第 4 行「金额」列：金额为负数" in failed.output and "negative amount" in failed.output
    unreadable = tmp_path / "notes.xlsx"
    unreadable.write_bytes(b"not a workbook")
    rejected = runner.invoke(app, ["validate", str(unreadable), *common])
    assert rejected.exit_code == 1 and "无法识别数据来源" in rejected.output


def test_personal_data_is_masked_in_what_a_check_shows():
    members = load_contract().table("members")
    cells = json.dumps({"工 号": "GH1", "身份证号": "110101199003074512", "手机号": "13912345678"})
    assert cell_value(members, "身份证号", cells) == MASK
    assert cell_value(members, "手机号", cells) == MASK
    assert cell_value(members, "工号", cells) == "GH1"  # found under its spelling `工 号`


def test_a_roster_checked_alone_is_its_own_roster(tmp_path, work_dir):
    roster = (
        demo_rows("members")["members"].head(3).with_columns(joined_on=pl.lit(dt.date(2020, 1, 1)))
    )
    path = fill_template(tmp_path, "members", {"members": roster.to_dicts()}, "roster.xlsx")
    result = validate_files([(path, "roster.xlsx")], DEMO_YEAR, tmp_path / "no-raw", work_dir)
    assert result.files[0].source == "members"
    assert (result.files[0].rows, result.files[0].rows_clean) == (3, 3)


def test_a_new_roster_file_is_seen_by_the_next_check(tmp_path, work_dir, birthday_rows):
    """The base build (roster and seeds) is kept between checks, and made again when the roster
    changes."""
    raw = tmp_path / "raw"
    shutil.copytree(DEMO_RAW / str(DEMO_YEAR) / "members", raw / str(DEMO_YEAR) / "members")
    row = dict(birthday_rows[0], staff_id="GH99999")
    path = fill_template(tmp_path, "birthday", {"birthday_vouchers": [row]}, "new.xlsx")
    before = validate_files([(path, "new.xlsx")], DEMO_YEAR, raw, work_dir).files[0]
    assert [p.reason_code for p in before.errors] == ["unknown_staff_id"]
    (raw / str(DEMO_YEAR) / "members" / "补录.csv").write_text(
        "工号,姓名,性别,部门,入会日期,人员类别\nGH99999,新会员,男,马克思主义学院,2023-05-01,在编\n",
        encoding="utf-8",
    )
    after = validate_files([(path, "new.xlsx")], DEMO_YEAR, raw, work_dir).files[0]
    assert after.ok, after.problems


@pytest.fixture(scope="module")
def server(site):
    root = site.settings.warehouse.parent.parent
    settings = site.settings
    paths = [
        "--raw-dir",
        str(settings.raw_dir),
        "--warehouse",
        str(settings.warehouse),
        "--marts-dir",
        str(settings.marts_dir),
    ]
    sends = ["--sends", "welfare", "--sends", "birthday"]
    added = run_cli("serve", "--add-department", DEPARTMENT, *sends, *paths)
    assert added.returncode == 0, added.stderr
    code = re.search(r"shown once\): (\S+)", added.stdout).group(1)
    port = _free_port()
    log = root / "serve.log"
    unionwh = Path(sys.executable).with_name("unionwh")
    with log.open("w") as stream:
        process = subprocess.Popen(
            [str(unionwh), "serve", "--port", str(port), "--year", str(DEMO_YEAR), *paths],
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "unionwh serve did not answer"
                time.sleep(0.5)
        yield {"url": f"http://127.0.0.1:{port}", "site": site, "code": code, "root": root}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        # uvicorn stops gracefully, then ends by the signal it caught
        assert process.wait(timeout=30) in (0, -signal.SIGTERM), log.read_text()


@pytest.fixture(scope="module")
def browser(server):
    require_program(CHROMIUM, "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


def _shot(page, name: str, root: Path) -> Path:
    path = root / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    pixels = np.frombuffer(path.read_bytes(), dtype=np.uint8)
    assert pixels.size > 10_000  # a page, not an empty picture
    if keep := os.environ.get("UNIONWH_SCREENSHOTS"):
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(keep) / path.name)
    return path


def _sign_in(page, url: str, department: str, code: str) -> None:
    page.goto(url + "/")
    page.select_option("#department", department)
    page.fill("#access_code", code)
    page.click("button[type=submit]")


def _upload(page, path: Path):
    """Upload one welfare file from the department page; the check's section."""
    page.select_option("#source", "welfare")
    page.set_input_files("#files", [str(path)])
    page.click("#upload")
    page.wait_for_selector("section.check", timeout=120_000)
    sections = page.locator("section.check")
    assert sections.count() == 1
    return sections.nth(0)


def test_a_department_uploads_sees_its_errors_and_submits(server, browser, tmp_path):
    rows = _clean_welfare_rows(6)
    good = fill_template(tmp_path / "good", "welfare", {"welfare_payments": rows}, "慰问_好.xlsx")
    bad_rows = [dict(r) for r in rows]
    bad_rows[1]["amount"] = -bad_rows[1]["amount"]
    bad_rows[3]["department_name"] = "不存在学院"
    bad_rows[4]["staff_id"] = "GH99999"
    bad = fill_template(tmp_path / "bad", "welfare", {"welfare_payments": bad_rows}, "慰问_坏.xlsx")

    page = browser.new_page(viewport={"width": 1200, "height": 800})
    _sign_in(page, server["url"], DEPARTMENT, server["code"])
    assert page.url.endswith("/department")
    assert "马克思主义学院" in page.inner_text("header")

    bad_section = _upload(page, bad)
    assert "3 行需改正" in bad_section.inner_text()
    problems = bad_section.locator("table.problems tr").all_inner_texts()[1:]
    # template rows start at Excel row 4: the 2nd, 4th and 5th data rows are rows 5, 7 and 8
    found = {(p.split("\t")[1], p.split("\t")[2]) for p in problems}
    assert found == {("5", "金额"), ("7", "部门"), ("8", "工号")}
    assert "金额为负数" in bad_section.inner_text() and "不存在学院" in bad_section.inner_text()
    _shot(page, "frontdoor-checks", server["root"])

    page.click("text=返回 Back")
    good_section = _upload(page, good)
    assert f"全部 {len(rows)} 行无误" in good_section.inner_text()
    assert good_section.locator("table.problems").count() == 0
    good_section.locator("button.accept").click()
    page.wait_for_selector("#accepted")
    kept = server["site"].settings.raw_dir / str(DEMO_YEAR) / "welfare" / DEPARTMENT / good.name
    assert kept.read_bytes() == good.read_bytes()
    assert not (kept.parent / bad.name).exists()
    assert good.name in page.inner_text("#submitted")
    archive = server["site"].settings.warehouse.parent / "archive"
    assert any(p.name != "names.jsonl" for p in archive.iterdir())
    _shot(page, "frontdoor-department", server["root"])
    page.close()


def test_the_office_sees_what_arrived_and_what_is_missing(server, browser):
    """After the department's test: its file has arrived, the other department is missing."""
    logs = server["site"].settings.warehouse.parent / "logs"
    logs.mkdir(exist_ok=True)  # a later run that failed: its log, and no publication of it
    (logs / f"{DEMO_YEAR}-20991231-235959-0badf00d.log").write_text("failed\n")
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    _sign_in(page, server["url"], "office", server["site"].codes["office"])
    assert page.url.endswith("/office")
    page.goto(server["url"] + f"/office?year={DEMO_YEAR}")
    rows = page.locator("#arrivals tr").all_inner_texts()
    submitted = [r for r in rows if f"welfare/{DEPARTMENT}/慰问_好.xlsx" in r]
    assert len(submitted) == 1
    cells = submitted[0].split("\t")
    assert cells[1] == "马克思主义学院" and cells[4:7] == ["6", "0", "上传检查 upload check"]
    assert any("members/2023年会员名册.xlsx" in r for r in rows)  # put into raw/ by hand
    missing = {r.split("\t")[0]: r for r in page.locator("#missing tr").all_inner_texts()[1:]}
    assert "慰问与帮扶发放明细" in missing["教育学部"]  # has a code, has sent nothing
    # marxism sends welfare (received) and birthday (not yet), nothing else
    assert missing["马克思主义学院"].split("\t")[1] == "会员生日蛋糕"
    assert "已发布" in page.inner_text("#last-run")
    assert "最新一次运行没有发布" in page.inner_text("#latest-not-published")
    assert "党委办公室、校长办公室" in page.inner_text("#quarantine")
    assert page.locator("#figures tr").count() > 10
    _shot(page, "frontdoor-office", server["root"])
    page.close()


def test_a_department_downloads_its_template_and_its_own_held_rows(site):
    """Over HTTP: the template carries the department's code; the held rows are its own, as
    the demo run published them."""
    with TestClient(create_app(site.settings), follow_redirects=False) as fresh:
        client = signed_in(fresh, site, "education")
        _held_rows_of_education(client, site)


def _held_rows_of_education(client, site) -> None:
    template = client.get("/template/2023/welfare")
    assert template.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(template.content))
    assert workbook.custom_doc_props["unionwh_department"].value == "education"
    held = client.get("/quarantine/2023/education")
    assert held.status_code == 200
    rows = pl.read_excel(io.BytesIO(held.content))
    published = pl.read_parquet(site.settings.marts_dir / "2023" / "quarantine.parquet")
    expected = published.filter(pl.col("department_code") == "education")
    assert expected.height > 0
    assert sorted(rows["landed_row_id"]) == sorted(expected["landed_row_id"])
