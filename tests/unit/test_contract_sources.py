"""Source names given by people (--accept-quarantine, --sends, --source) are checked against the
contract in one place, and the refusal says where the name came from."""

from __future__ import annotations

import pytest

from pipelines.contract import load_contract
from pipelines.errors import UnionWarehouseError
from pipelines.frontdoor.template import write_templates


def test_known_sources_pass_through():
    assert load_contract().require_sources(["welfare", "budget"], "--sends") == [
        "welfare",
        "budget",
    ]


def test_an_unknown_source_is_named_with_where_it_came_from():
    with pytest.raises(UnionWarehouseError) as refused:
        load_contract().require_sources(["welfare", "../members"], "--accept-quarantine")
    assert refused.value.message_zh.startswith("--accept-quarantine 的来源未知：../members")
    assert "welfare" not in refused.value.message_en.split("(known")[0]
    assert "(known: members, welfare" in refused.value.message_en


def test_a_template_for_an_unknown_source_writes_nothing(tmp_path):
    with pytest.raises(UnionWarehouseError, match="--source"):
        write_templates(tmp_path / "out", 2024, "welfare2")
    assert not (tmp_path / "out").exists()
