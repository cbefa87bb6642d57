"""The annual report and the analysts' read-only access to the published warehouse.

- `build`: `marts/<year>/report.html` (one self-contained file) and `report.pdf`, from
  `marts.report_figures` and the other marts (`collect` gathers them once); `summary` holds the
  work summary's sentences, `charts` the matplotlib charts, `fonts` the bundled Chinese font,
  `numbers` how figures print; `word` lays the same out as `report.docx`.
- `sql`: `unionwh sql`, one read-only query.
- `analysis`: the questions the marimo notebooks (`notebooks/`) answer.
- the `report`, `sql` and `privacy` commands are pipelines/cli/report.py, sql.py and privacy.py.
- `sample`: a small synthetic published warehouse for tests and for trying all of the above.
"""
