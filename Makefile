# Every target bootstraps what it needs on a machine that has only Python 3.11, pip and git.
PYTHON ?= python3
UV = $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
YEAR ?= 2023

.PHONY: system-deps setup demo test unit e2e lint bench dev serve demo-data clean

setup: .venv/.synced

system-deps:  ## Debian packages the report and the tests need (PDF, Chromium, LibreOffice, PostgreSQL); fails if it cannot install them
	bash scripts/system-deps.sh

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	# --compile-bytecode: every import reads a .pyc instead of compiling the source (Python does not
	# write them where PYTHONDONTWRITEBYTECODE is set); a new `unionwh` process starts 2-3× faster
	$(UV) sync --frozen --compile-bytecode
	@touch $@

demo: setup  ## run the whole pipeline on the shipped 2023 demo data
	$(UV) run unionwh run --year $(YEAR)
	$(UV) run unionwh report --year $(YEAR) --dbt-docs
	@echo "marts: marts/$(YEAR)/  (report_figures.parquet, marts.xlsx, quarantine.xlsx, report.html)"
	@echo "warehouse: warehouse/union.duckdb (open read-only)"

# A test skipped for any reason (a missing program, an unreachable registry) fails the run
# (tests/skip_gate.py) unless UNIONWH_ALLOW_SKIPS=1 asks for a partial run.
# Two workers, each given whole test files (--dist loadfile), so that a module's fixture (a
# pipeline run its tests share) runs once. xdist's loadgroup no longer groups under pytest 9.2:
# it renames items by their old `_nodeid`, which pytest no longer reads, and every module fixture
# ran on both workers.
test: setup system-deps  ## the whole test suite, set-up included (a skipped test fails the run: UNIONWH_ALLOW_SKIPS=1 for a partial run)
	$(UV) run pytest -n 2 --dist loadfile

unit: setup
	$(UV) run pytest tests/unit -n 2

# sqlfluff (.sqlfluff): dbt's templater compiles the models offline; the profile wants a build
# file's name, the parse-only placeholder the Dagster assets parse with (never opened)
lint: setup  ## ruff on the Python, sqlfluff on the dbt models and tests (~1 min: dbt compiles)
	$(UV) run ruff check pipelines tests
	$(UV) run ruff format --check pipelines tests
	UNIONWH_BUILD_DB=$(CURDIR)/dbt_project/target/parse-only.duckdb \
		$(UV) run sqlfluff lint dbt_project/models dbt_project/tests

bench: setup  ## benchmarks at 1x, 10x and 100x: prints a table, writes bench/results.json
	$(UV) run unionwh bench

demo-data: setup  ## regenerate the shipped demo year
	$(UV) run unionwh demo-data --year $(YEAR) --out raw

dev: setup  ## the Dagster UI and daemon (schedule, sensor) on http://127.0.0.1:3000
	@mkdir -p .dagster_home && cp -n dagster.yaml .dagster_home/dagster.yaml 2>/dev/null || true
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(UV) run dagster dev

serve: setup  ## the departments' submission page on http://127.0.0.1:8765 (codes: unionwh serve --add-department <code>)
	$(UV) run unionwh serve --year $(YEAR)

clean:
	rm -rf warehouse dbt_project/target .pytest_cache
