"""`unionwh demo-data --clean`: the one demo-data entry point replaces a year's source folders."""

import re

from typer.testing import CliRunner

from pipelines.cli.main import app


def test_clean_replaces_the_source_folders_and_nothing_else(tmp_path):
    stray = tmp_path / "2023" / "welfare" / "left_from_before.xlsx"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"not a workbook")
    notes = tmp_path / "2023" / "notes" / "keep.txt"
    notes.parent.mkdir(parents=True)
    notes.write_text("not a source folder")

    result = CliRunner().invoke(
        app, ["demo-data", "--year", "2023", "--out", str(tmp_path), "--clean"]
    )

    assert result.exit_code == 0, result.output
    assert re.search(
        r"planted \d+ rows to quarantine and \d+ duplicates", " ".join(result.output.split())
    )
    assert not stray.exists()
    assert notes.read_text() == "not a source folder"
    assert len(list((tmp_path / "2023" / "welfare").iterdir())) > 0
