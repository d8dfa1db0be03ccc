# regmetrics: `make briefing` runs the main job on the bundled sample data, `make test` runs every test.
# Both create .venv and install the project first, on a machine that has only python3, pip, make and git.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= data/processed/regmetrics.duckdb
CORPUS ?=
LAB_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv briefing ingest test test-fast eval eval-sealed eval-fixtures bench bench-cluster lab lint notebooks clean

help: ## list the targets
	@echo "regmetrics make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-10s %s\n", $$1, $$2}'

# pip -qq: only errors (a failed install still stops make); the pins are tested, and pip's warnings
# about the machine's own index settings are not this project's to act on.
PIP := $(BIN)/python -m pip install -qq --disable-pip-version-check

$(STAMP): pyproject.toml
	@echo "setting up $(VENV): pinned dependencies, regmetrics and its Jupyter kernel (about a minute, once)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) --upgrade pip
	@$(PIP) -e '.[dev]'
	@$(BIN)/python -m ipykernel install --sys-prefix --name regmetrics --display-name "regmetrics (Python 3.11)" >/dev/null
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the project (done by every other target)

ingest: $(STAMP) ## extract data/raw into data/processed/regmetrics.duckdb
	@$(BIN)/regmetrics ingest data/raw --db $(DB)

briefing: ingest ## ingest the sample data and render the default briefing; prints its HTML path
	@$(BIN)/regmetrics report province_comparison --db $(DB)

test: $(STAMP) ## run every test (unit, end-to-end, browser)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP) ## run the unit tests only
	$(BIN)/python -m pytest -q -m "not slow and not browser"

eval: $(STAMP) ## precision/recall per metric on every real document set (dev, shared real, sealed summary), plus field accuracy
	@mkdir -p bench/out
	@echo "== shared development set: data/raw + tests/gold (43 real documents; the rules were fitted to them)"
	@$(BIN)/regmetrics extract $(addprefix data/raw/,$(shell cut -d'"' -f4 tests/gold/*.jsonl | sort -u)) --format jsonl > bench/out/pred-raw.jsonl
	@$(BIN)/python scripts/score.py $(foreach g,$(wildcard tests/gold/*.jsonl),--gold $(g)) --pred bench/out/pred-raw.jsonl
	@$(BIN)/python scripts/field_accuracy.py $(foreach g,$(wildcard tests/gold/*.jsonl),--gold $(g)) --pred bench/out/pred-raw.jsonl
	@echo; echo "== tests/real/dev: real corpus documents annotated by independent annotators (used in development)"
	@$(BIN)/regmetrics extract tests/real/dev/docs --format jsonl > bench/out/pred-real-dev.jsonl
	@$(BIN)/python scripts/score.py --gold tests/real/dev/gold.jsonl --pred bench/out/pred-real-dev.jsonl
	@$(BIN)/python scripts/field_accuracy.py --gold tests/real/dev/gold.jsonl --pred bench/out/pred-real-dev.jsonl
	@echo; echo "== tests/real/shared: the shared real scoring set (never tuned on)"
	@$(BIN)/regmetrics extract tests/real/shared/docs --format jsonl > bench/out/pred-real-shared.jsonl
	@$(BIN)/python scripts/score.py --gold tests/real/shared/gold.jsonl --pred bench/out/pred-real-shared.jsonl
	@echo; echo "== tests/real/sealed (summary only: nobody reads its misses)"
	@$(MAKE) --no-print-directory eval-sealed

eval-sealed: $(STAMP) ## score the sealed real set tests/real/sealed (totals only)
	@$(BIN)/python scripts/score.py --gold tests/real/sealed/gold.jsonl --docs tests/real/sealed/docs -- $(BIN)/regmetrics extract --format jsonl | tail -n 1

eval-fixtures: $(STAMP) ## the synthetic fixture sets tests/heldout* (regression only; not accuracy)
	@for set in heldout heldout2 heldout3 heldout4; do \
	  echo "tests/$$set: $$($(BIN)/python scripts/score.py --gold tests/$$set/gold.jsonl --docs tests/$$set/docs -- $(BIN)/regmetrics extract --format jsonl | tail -n 1)"; \
	done

$(VENV)/.bench-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@touch $@

bench: $(VENV)/.bench-installed ## throughput and latency benchmarks (CORPUS=dir to use your own texts; installs the [bench] peer)
	$(BIN)/python bench/run.py $(if $(CORPUS),--corpus $(CORPUS))

bench-cluster: $(STAMP) ## ingest on a Dask LocalCluster vs the process pool: 60,000 news items (CORPUS=dir)
	$(BIN)/python bench/bench_cluster.py $(if $(CORPUS),--corpus $(CORPUS))

lab: ingest ## JupyterLab on notebooks/ (paired .ipynb, regmetrics kernel) over the ingested sample data
	@$(BIN)/jupytext --sync notebooks/*.py >/dev/null
	@$(BIN)/jupyter lab --notebook-dir=notebooks --MappingKernelManager.default_kernel_name=regmetrics $(LAB_ARGS)

lint: $(STAMP) ## ruff
	$(BIN)/ruff check src tests bench scripts notebooks

clean: ## remove the venv, the database and rendered reports
	rm -rf $(VENV) data/processed/*.duckdb reports/*/ .pytest_cache
