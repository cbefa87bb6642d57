"""dbt's own documentation (models, columns in Chinese and English, the lineage graph), published as
one static page beside the report: marts/<year>/dbt-docs/index.html."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from pipelines.dbt.project import DBT_PROJECT_DIR, dbt_command


def publish_dbt_docs(build_path: Path, out_dir: Path, year: int) -> Path | None:
    """Run `dbt docs generate --static` against the year's private build (read for the catalog only)
    and copy the single static page to out_dir/dbt-docs/index.html. None when there is no build."""
    if not build_path.exists():
        return None
    target = build_path.parent / f"dbt-docs-target-{year}"
    env = {**os.environ, "UNIONWH_BUILD_DB": str(build_path)}
    subprocess.run(
        dbt_command("docs", "generate", "--static", "--quiet", target_path=target, year=year),
        check=True,
        env=env,
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
    )
    docs_dir = out_dir / "dbt-docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    destination = docs_dir / "index.html"
    shutil.copyfile(target / "static_index.html", destination)
    return destination
