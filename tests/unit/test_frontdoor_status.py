"""The office page's status of a year, over scratch folders."""

from __future__ import annotations

from pipelines.frontdoor.status import year_status


def test_a_publication_whose_manifest_is_being_written_reads_as_unpublished(tmp_path):
    """The status reads the manifest as the publication's own fingerprint check does: a
    half-written one is no publication yet, not a failed page."""
    manifest = tmp_path / "marts" / "2023" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text('{"inputs": [', encoding="utf-8")
    status = year_status(
        2023, tmp_path / "raw", tmp_path / "marts", tmp_path / "w.duckdb", tmp_path / "work", {}
    )
    assert status.run is None and status.figures == []
