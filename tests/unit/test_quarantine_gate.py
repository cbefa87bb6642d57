"""The quarantine gate's rule (pipelines/checks/quarantine.py, contract.yml quarantine_limits),
without a pipeline run: the limit, the stops, the words the clerk reads."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from pipelines.checks import quarantine as gate
from pipelines.contract import CONTRACT_PATH, QuarantineLimit, load_contract

DEFAULT = load_contract().default_quarantine_limit


def rows(
    source: str, read: int, quarantined: int, clean: int | None = None, **files
) -> gate.SourceRows:
    clean = read - quarantined if clean is None else clean
    return gate.SourceRows(
        source=source,
        files_loaded=files.get("loaded", 1),
        files_rejected=files.get("rejected", 0),
        rows_read=read,
        rows_clean=clean,
        rows_duplicate=read - clean - quarantined,
        rows_quarantined=quarantined,
        # audit.quarantine_shares.quarantined_share for these counts
        share=(Decimal(quarantined) / read).quantize(Decimal("0.0001")) if read else None,
    )


def reason(
    code: str, count: int, row: int = 5, column: str | None = "金额", value: str | None = "abc"
):
    return gate.Reason(
        code, f"{code}（中文）", code, count, "welfare/a.xlsx", "1月", row, column, value
    )


# --- the limit ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "quarantined", "stops"),
    [
        (4, 1, False),  # one of four activity rows: ordinary
        (4, 2, False),  # a small file with two bad rows
        (19, 10, False),  # the contract's mess in a tiny year (tests/e2e/bad_input_corpus.py)
        (1305, 6, False),  # the demo year's welfare
        (16, 1, False),  # the demo year's alleviation
        (500, 125, True),  # a quarter of a 500-row source
        (500, 50, False),  # exactly the share's part: not over it
        (500, 51, True),
        (100, 20, False),  # the count holds where the share's part is smaller
        (100, 21, True),
        (0, 0, False),
    ],
)
def test_the_default_limit(read, quarantined, stops):
    assert DEFAULT.is_exceeded(read, quarantined) is stops


def test_the_limit_is_the_larger_of_share_and_count_rounded_down():
    limit = QuarantineLimit(Decimal("0.10"), 20)
    assert limit.allowed_rows(500) == 50
    assert limit.allowed_rows(509) == 50
    assert limit.allowed_rows(150) == 20
    assert QuarantineLimit(Decimal("0.25"), 0).allowed_rows(10) == 2


def _contract_with(tmp_path: Path, limits: dict) -> Path:
    doc = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))
    doc["quarantine_limits"] = limits
    path = tmp_path / "contract.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_a_source_sets_its_own_limit_and_keeps_the_default_for_the_other_key(tmp_path):
    path = _contract_with(
        tmp_path, {"default": {"share": 0.1, "rows": 20}, "sources": {"welfare": {"share": 0.3}}}
    )
    contract = load_contract(path)
    assert contract.quarantine_limit("welfare") == QuarantineLimit(Decimal("0.3"), 20)
    assert contract.quarantine_limit("members") == QuarantineLimit(Decimal("0.1"), 20)
    assert not contract.quarantine_limit("welfare").is_exceeded(500, 125)


@pytest.mark.parametrize(
    "limits",
    [
        {"default": {"share": 1.5, "rows": 20}},
        {"default": {"share": 0.1, "rows": -1}},
        {"default": {"share": 0.1}},
        {"default": {"share": 0.1, "rows": 20}, "sources": {"welfar": {"rows": 5}}},
    ],
)
def test_a_wrong_limit_is_an_error_when_the_contract_loads(tmp_path, limits):
    with pytest.raises(ValueError, match="quarantine_limits"):
        load_contract(_contract_with(tmp_path, limits))


# --- the stops ----------------------------------------------------------------------------------


def test_a_source_over_its_limit_stops_with_its_three_most_frequent_reasons():
    reasons = {"welfare": [reason("a", 90), reason("b", 30), reason("c", 4), reason("d", 1)]}
    stops = gate.judge(
        [rows("welfare", 500, 125), rows("members", 100, 0)], {}, load_contract(), reasons
    )
    assert [(s.kind, s.source, s.allowed_rows) for s in stops] == [(gate.OVER_LIMIT, "welfare", 50)]
    assert [r.code for r in stops[0].reasons] == ["a", "b", "c"]


def test_a_source_with_files_and_no_clean_row_stops_even_within_the_count():
    stops = gate.judge([rows("activities", 3, 3)], {}, load_contract())
    assert [(s.kind, s.source) for s in stops] == [(gate.NO_CLEAN_ROWS, "activities")]


def test_only_stops_with_quarantined_rows_have_rows_to_send_back():
    # an empty sheet (headers, no data row) stops the year, but there is no row to send back
    empty = gate.split_accepted(gate.judge([rows("budget", 0, 0)], {}, load_contract()), set())
    assert [s.kind for s in empty.stops] == [gate.NO_CLEAN_ROWS]
    assert not empty.has_rows_to_send_back
    held = gate.split_accepted(gate.judge([rows("activities", 3, 3)], {}, load_contract()), set())
    assert held.has_rows_to_send_back
    missing = gate.split_accepted(gate.judge([], {"members": 2}, load_contract()), set())
    assert not missing.has_rows_to_send_back


def test_a_source_whose_files_were_all_rejected_is_the_rejected_files_check_s_business():
    stops = gate.judge([rows("welfare", 0, 0, loaded=0, rejected=2)], {}, load_contract())
    assert stops == []


def test_a_source_of_the_last_publication_without_files_now_stops():
    previous = {"members": 2, "meetings": 1, "welfare": 9}
    stops = gate.judge(
        [rows("members", 100, 0), rows("welfare", 100, 1)], previous, load_contract()
    )
    assert [(s.kind, s.source, s.previous_files) for s in stops] == [
        (gate.SOURCE_MISSING, "meetings", 1)
    ]


def test_a_year_without_files_stops_with_or_without_a_previous_publication():
    assert [s.kind for s in gate.judge([], {}, load_contract())] == [gate.NO_FILES]
    stops = gate.judge([], {"members": 2}, load_contract())
    assert [(s.kind, s.source) for s in stops] == [
        (gate.NO_FILES, None),
        (gate.SOURCE_MISSING, "members"),
    ]


def test_a_first_year_with_some_sources_only_passes():
    # budget is optional, and a year published for the first time has no sources to miss
    assert gate.judge([rows("members", 6, 0), rows("welfare", 19, 10)], {}, load_contract()) == []


def test_accepted_sources_pass_and_a_year_without_files_is_never_accepted():
    stops = gate.judge([rows("welfare", 500, 125)], {"meetings": 1}, load_contract())
    result = gate.split_accepted(stops, {"welfare"})
    assert not result.passed
    assert [s.source for s in result.accepted] == ["welfare"]
    assert [s.source for s in result.stops] == ["meetings"]
    assert gate.split_accepted(stops, {"welfare", "meetings"}).passed
    assert not gate.split_accepted(gate.judge([], {}, load_contract()), {"welfare"}).passed


def test_the_accepted_record_keeps_the_share_and_the_message():
    (stop,) = gate.judge([rows("welfare", 500, 125)], {}, load_contract())
    record = stop.record(2023)
    assert record["quarantined_share"] == "0.2500"
    assert (record["rows_read"], record["rows_quarantined"], record["allowed_rows"]) == (
        500,
        125,
        50,
    )
    assert record["message"].startswith("来源 welfare：隔离 125 / 500 行（25.0%），超过上限 50 行")


# --- reading --------------------------------------------------------------------------------------


def test_previous_files_come_from_the_published_manifest(tmp_path):
    manifest = tmp_path / "manifest.json"
    assert gate.previous_files_per_source(manifest) == {}
    inputs = [
        {"source": "welfare", "path": "welfare/a.xlsx"},
        {"source": "welfare", "path": "welfare/b.csv"},
        {"source": "meetings", "path": "meetings/m.xlsx"},
    ]
    manifest.write_text(json.dumps({"inputs": inputs}), encoding="utf-8")
    assert gate.previous_files_per_source(manifest) == {"welfare": 2, "meetings": 1}


def test_the_example_cell_is_found_under_the_header_the_file_wrote():
    contract = load_contract()
    raw = json.dumps({"序号": "3", "金额（元）": "三百", "慰问类别": None}, ensure_ascii=False)
    assert gate.cell_value(raw, "welfare", "金额", contract) == "三百"
    assert gate.cell_value(raw, "welfare", "慰问类别", contract) == ""
    assert gate.cell_value(raw, "welfare", "工号", contract) is None
    assert gate.cell_value(raw, "welfare", None, contract) is None


# --- words ----------------------------------------------------------------------------------------


def test_the_clerk_reads_source_share_reasons_and_example_cells_chinese_first(tmp_path):
    reasons = {
        "welfare": [reason("missing_value", 100, column="慰问类别", value=""), reason("b", 25)]
    }
    contract = load_contract()
    result = gate.split_accepted(
        gate.judge([rows("welfare", 500, 125)], {"meetings": 1}, contract, reasons), set()
    )
    lines = gate.details(result, 2023, tmp_path / "2023.quarantine.xlsx")
    text = "\n".join(lines)
    assert lines[0].index("来源 welfare") < lines[0].index("source welfare")
    assert (
        "25.0%" in lines[0] and "超过上限 50 行" in lines[0] and "over the limit of 50" in lines[0]
    )
    assert (
        "1. missing_value（中文）：100 行，例：welfare/a.xlsx，工作表 1月，第 5 行，慰问类别 为空"
        in text
    )
    assert "2. b（中文）：25 行" in text and "金额 = 'abc'" in text
    assert "来源 meetings：上次发布有 1 个文件，本次没有文件" in text
    assert f"隔离行已写入 {tmp_path / '2023.quarantine.xlsx'}" in text
    assert "--accept-quarantine welfare --accept-quarantine meetings" in text


def test_a_year_without_files_offers_no_flag_to_publish_it():
    result = gate.split_accepted(gate.judge([], {"members": 2}, load_contract()), set())
    text = "\n".join(gate.details(result, 2023, None))
    assert "2023 年度没有任何原始文件" in text and "year 2023 has no raw file at all" in text
    assert "--accept-quarantine" not in text and "隔离行已写入" not in text
