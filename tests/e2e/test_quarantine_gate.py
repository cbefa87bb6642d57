"""A year that looks broken is not published as if it were whole (docs/raw-contract.md, "When a
year is not published"), through the real CLI.

The previous publication is a copy of the shared demo-year publication (no run of its own). The
raw tree is a copy of raw/2023 with the veterans' welfare CSV damaged as merged cells damage a
sheet (慰问类别 read blank on most rows, some amounts not numbers) and the meetings folder deleted.
Two full runs on it, in file order:

1. `unionwh run`: stopped by the quarantine gate (welfare over its limit, meetings gone since the
   publication); the previous publication stays byte for byte; quarantine.xlsx beside the build.
2. `unionwh run --accept-quarantine welfare --accept-quarantine meetings`: published; the
   manifest and the report's appendix record it with the share.

And two runs that stop before anything runs: a --raw-dir and a year folder that do not exist.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.conftest import DEMO_RAW, run_cli

pytestmark = pytest.mark.e2e

YEAR = "2023"
WIDE = {"COLUMNS": "400"}  # rich wraps at 80 columns without a terminal: keep lines whole
TRACEBACK = "Traceback (most recent call last)"
DAMAGED = "welfare/复转军人慰问_2023.csv"
GONE = "meetings"


def show(result) -> str:
    return f"exit {result.returncode}\nSTDOUT\n{result.stdout[-6000:]}\nSTDERR\n{result.stderr[-3000:]}"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def publication_state(world: dict) -> dict[str, str]:
    year_dir = world["marts"] / YEAR
    state = {
        p.relative_to(year_dir).as_posix(): sha256(p)
        for p in sorted(year_dir.rglob("*"))
        if p.is_file()
    }
    state["<warehouse>"] = sha256(world["warehouse"])
    return state


def damage_like_merged_cells(path: Path) -> dict:
    """Blank 慰问类别 on six rows of every ten (what calamine reads under a vertical merge) and
    write 待定 for the amount on one more; return what was done, to compare the output with."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        header, *body = list(csv.reader(stream))
    category, amount = header.index("慰问类别"), header.index("金额")
    blanked, not_numbers = [], []
    for index, row in enumerate(body):
        sheet_row = index + 2  # the header is row 1
        if not row[0].isdigit():  # the 合计 row at the end is not a data row
            continue
        if index % 10 in (1, 2, 3, 4, 5, 6):
            row[category] = ""
            blanked.append(sheet_row)
        elif index % 10 == 7:
            row[amount] = "待定"
            not_numbers.append(sheet_row)
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream).writerows([header, *body])
    return {"blanked": blanked, "not_numbers": not_numbers}


def cli(world: dict, *extra: str, raw: Path | None = None, year: str = YEAR):
    return run_cli(
        "run",
        "--year",
        year,
        "--raw-dir",
        str(raw or world["raw"]),
        "--warehouse",
        str(world["warehouse"]),
        "--marts-dir",
        str(world["marts"]),
        *extra,
        env=WIDE,
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory, demo_publication) -> dict:
    assert demo_publication.returncode == 0, demo_publication.stdout[-3000:]
    base = tmp_path_factory.mktemp("quarantine-gate")
    world = {
        "raw": base / "raw",
        "warehouse": base / "warehouse" / "union.duckdb",
        "marts": base / "marts",
    }
    shutil.copytree(demo_publication.marts / YEAR, world["marts"] / YEAR)
    world["warehouse"].parent.mkdir(parents=True)
    shutil.copy2(demo_publication.warehouse, world["warehouse"])
    shutil.copytree(DEMO_RAW / YEAR, world["raw"] / YEAR)
    manifest = json.loads((world["marts"] / YEAR / "manifest.json").read_text(encoding="utf-8"))
    welfare = [i for i in manifest["inputs"] if i["source"] == "welfare"]
    world["welfare_read"] = sum(i["rows_read"] for i in welfare)
    world["welfare_quarantined_before"] = sum(i["rows_quarantined"] for i in welfare)
    assert next(i for i in welfare if i["path"] == DAMAGED)["rows_quarantined"] == 0
    world["damage"] = damage_like_merged_cells(world["raw"] / YEAR / DAMAGED)
    shutil.rmtree(world["raw"] / YEAR / GONE)
    world["before"] = publication_state(world)
    return world


@pytest.fixture(scope="module")
def stopped(world) -> dict:
    result = cli(world)
    return {"result": result, "after": publication_state(world)}


@pytest.fixture(scope="module")
def accepted(world, stopped) -> dict:
    result = cli(world, "--accept-quarantine", "welfare", "--accept-quarantine", GONE)
    manifest = json.loads((world["marts"] / YEAR / "manifest.json").read_text(encoding="utf-8"))
    return {"result": result, "manifest": manifest}


def quarantined(world) -> int:
    damage = world["damage"]
    return world["welfare_quarantined_before"] + len(damage["blanked"]) + len(damage["not_numbers"])


# ----------------------------------------------------------------------------- 1: stopped


def test_the_gate_stops_the_run_naming_the_source_and_its_share(world, stopped):
    result = stopped["result"]
    assert result.returncode == 1, show(result)
    assert TRACEBACK not in result.stdout + result.stderr
    out = result.stdout
    assert "检查未通过 check failed: quarantine_limit_check" in out, show(result)
    q, read = quarantined(world), world["welfare_read"]
    share = f"{Decimal(q) / Decimal(read) * 100:.1f}%"
    head = f"来源 welfare：隔离 {q:,} / {read:,} 行（{share}），超过上限 {read // 10:,} 行"
    assert head in out, show(result)
    assert f"source welfare: {q:,} of {read:,} rows quarantined ({share})" in out
    assert out.index(head) < out.index("source welfare:")  # Chinese first


def test_the_three_most_frequent_reasons_each_show_an_example_cell(world, stopped):
    out = stopped["result"].stdout
    damage = world["damage"]
    first_blank, first_word = damage["blanked"][0], damage["not_numbers"][0]
    assert (
        f"1. 必填项为空：{len(damage['blanked']):,} 行，例：{DAMAGED}，工作表 csv，"
        f"第 {first_blank} 行，慰问类别 为空" in out
    ), show(stopped["result"])
    assert (
        f"2. 金额不是数字：{len(damage['not_numbers']):,} 行，例：{DAMAGED}，工作表 csv，"
        f"第 {first_word} 行，金额 = '待定'" in out
    )
    assert f"e.g. {DAMAGED}, sheet csv, row {first_word}, 金额 = '待定'" in out
    assert "  3. " in out and "  4. " not in out


def test_a_source_folder_deleted_since_the_publication_stops_it(stopped):
    out = stopped["result"].stdout
    assert f"来源 {GONE}：上次发布有 1 个文件，本次没有文件" in out, show(stopped["result"])
    assert f"source {GONE}: 1 file(s) in the last publication, none now" in out


def test_the_previous_publication_stays_byte_for_byte(world, stopped):
    assert stopped["after"] == world["before"]


def test_the_quarantine_workbook_is_written_beside_the_build_and_named(world, stopped):
    workbook = world["warehouse"].parent / "private" / f"{YEAR}.quarantine.xlsx"
    assert f"隔离行已写入 {workbook}" in stopped["result"].stdout, show(stopped["result"])
    book = openpyxl.load_workbook(workbook, read_only=True)
    rows = [r for name in book.sheetnames for r in book[name].iter_rows(values_only=True)]
    assert sum(DAMAGED in r for r in rows) == len(world["damage"]["blanked"]) + len(
        world["damage"]["not_numbers"]
    )
    assert "--accept-quarantine welfare --accept-quarantine meetings" in stopped["result"].stdout


# ----------------------------------------------------------------------------- 2: accepted


def test_accept_quarantine_publishes_and_the_manifest_records_the_share(world, accepted):
    result = accepted["result"]
    assert result.returncode == 0, show(result)
    assert "已按 --accept-quarantine 放行" in result.stdout
    records = {r["source"]: r for r in accepted["manifest"]["quarantine_accepted"]}
    assert set(records) == {"welfare", GONE}
    q, read = quarantined(world), world["welfare_read"]
    welfare = records["welfare"]
    assert (welfare["kind"], welfare["rows_read"], welfare["rows_quarantined"]) == (
        "over_limit",
        read,
        q,
    )
    assert Decimal(welfare["quarantined_share"]) == round(Decimal(q) / Decimal(read), 4)
    assert records[GONE]["kind"] == "source_missing"
    gate = next(c for c in accepted["manifest"]["checks"] if c["check"] == "quarantine_limit")
    assert gate["status"] == "accepted"
    with duckdb.connect(str(world["warehouse"]), read_only=True) as con:
        published = con.execute(
            "select rows_quarantined from audit.quarantine_shares "
            "where year = 2023 and source = 'welfare'"
        ).fetchall()
    assert published == [(q,)]
    # the stopped run's workbook is gone once the year is published
    assert not (world["warehouse"].parent / "private" / f"{YEAR}.quarantine.xlsx").exists()


def test_the_report_appendix_says_the_flag_was_used_with_the_share(world, accepted, tmp_path):
    import zipfile

    from lxml import etree

    from pipelines.report.build import collect, render_html
    from pipelines.report.word import write_docx

    manifest = world["marts"] / YEAR / "manifest.json"
    report = collect(world["warehouse"], int(YEAR), manifest_path=manifest)
    page = render_html(world["warehouse"], int(YEAR), for_print=False, report=report).html
    section = page[page.index('data-table="quarantine-accepted"') :]
    section = section[: section.index("</table>")]
    share = Decimal(quarantined(world)) / Decimal(world["welfare_read"]) * 100
    assert "<code>welfare</code>" in section and f"{share:.1f}%" in section
    assert f"<code>{GONE}</code>" in section
    # the Word pages say the same: a table of its own, titled as report.html's
    docx = write_docx(report, tmp_path / "report.docx")
    with zipfile.ZipFile(docx) as archive:
        document = etree.fromstring(archive.read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    [table] = [
        t
        for t in document.iter(f"{w}tbl")
        if t.find(f"{w}tblPr/{w}tblCaption").get(f"{w}val") == "quarantine-accepted"
    ]
    rows = [
        ["".join(x.text or "" for x in c.iter(f"{w}t")) for c in r.iter(f"{w}tc")]
        for r in table.iter(f"{w}tr")
    ]
    shown = {row[0]: row[1] for row in rows if len(row) == 3}
    assert shown["welfare"] == f"{share:.1f}%" and GONE in shown


# ----------------------------------------------------------------------------- missing folders


def test_a_raw_folder_that_does_not_exist_stops_before_anything_runs(world, accepted, tmp_path):
    before = publication_state(world)
    logs = sorted((world["warehouse"].parent / "logs").iterdir())
    missing = cli(world, raw=tmp_path / "no-such-raw")
    assert missing.returncode == 1, show(missing)
    err = missing.stderr
    assert "原始文件目录不存在" in err and "the raw folder does not exist" in err, show(missing)
    assert err.index("原始文件目录不存在") < err.index("the raw folder does not exist")
    assert str(tmp_path / "no-such-raw") in err.replace("\n", "")
    no_year = cli(world, year="2022")
    assert no_year.returncode == 1, show(no_year)
    assert (
        "年度目录不存在" in no_year.stderr and "the year's folder does not exist" in no_year.stderr
    )
    for result in (missing, no_year):
        assert TRACEBACK not in result.stdout + result.stderr
    assert publication_state(world) == before
    assert sorted((world["warehouse"].parent / "logs").iterdir()) == logs  # no run started
    assert not (world["warehouse"].parent / "private" / "2022.duckdb").exists()
