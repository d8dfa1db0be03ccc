# regmetrics: `make briefing` runs the main job on the bundled sample data, `make test` runs every test.
# Both create .venv and install the project first, on a machine that has only python3, pip, make and git.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= data/processed/regmetrics.duckdb
CORPUS ?=

.DEFAULT_GOAL := help
.PHONY: help venv briefing ingest test test-fast eval eval-sealed bench lab lint notebooks clean

help: ## list the targets
	@echo "regmetrics make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name regmetrics --display-name "regmetrics (Python 3.11)" >/dev/null
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the project (done by every other target)

ingest: $(STAMP) ## extract data/raw into data/processed/regmetrics.duckdb
	$(BIN)/regmetrics ingest data/raw --db $(DB)

briefing: ingest ## ingest the sample data and render the default briefing; prints its HTML path
	$(BIN)/regmetrics report province_comparison --db $(DB)

test: $(STAMP) ## run every test (unit, end-to-end, browser)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP) ## run the unit tests only
	$(BIN)/python -m pytest -q -m "not slow and not browser"

eval: $(STAMP) ## precision/recall per metric and field accuracy, on data/raw (tests/gold) and tests/heldout
	@mkdir -p bench/out
	$(BIN)/regmetrics extract data/raw --format jsonl > bench/out/pred-raw.jsonl
	$(BIN)/python scripts/score.py $(foreach g,$(wildcard tests/gold/*.jsonl),--gold $(g)) --pred bench/out/pred-raw.jsonl
	$(BIN)/python scripts/field_accuracy.py $(foreach g,$(wildcard tests/gold/*.jsonl),--gold $(g)) --pred bench/out/pred-raw.jsonl
	@for set in heldout heldout2 heldout4; do \
	  if [ -f tests/$$set/gold.jsonl ]; then \
	    echo; echo "dev set tests/$$set (written by a separate annotator who never read the extractor; since used in development):"; \
	    $(BIN)/regmetrics extract tests/$$set/docs --format jsonl > bench/out/pred-$$set.jsonl; \
	    $(BIN)/python scripts/score.py --gold tests/$$set/gold.jsonl --pred bench/out/pred-$$set.jsonl; \
	    $(BIN)/python scripts/field_accuracy.py --gold tests/$$set/gold.jsonl --pred bench/out/pred-$$set.jsonl; \
	  fi; \
	done

eval-sealed: $(STAMP) ## score the sealed set tests/heldout3 (summary only: nobody looks at its misses)
	$(BIN)/python scripts/score.py --gold tests/heldout3/gold.jsonl --docs tests/heldout3/docs -- $(BIN)/regmetrics extract --format jsonl

$(VENV)/.bench-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@touch $@

bench: $(VENV)/.bench-installed ## throughput and latency benchmarks (CORPUS=dir to use your own texts; installs the [bench] peer)
	$(BIN)/python bench/run.py $(if $(CORPUS),--corpus $(CORPUS))

lab: $(STAMP) ## start JupyterLab on notebooks/ with the project's kernel
	$(BIN)/jupytext --sync notebooks/*.py >/dev/null
	$(BIN)/jupyter lab --notebook-dir=notebooks

lint: $(STAMP) ## ruff
	$(BIN)/ruff check src tests bench scripts notebooks

clean: ## remove the venv, the database and rendered reports
	rm -rf $(VENV) data/processed/*.duckdb reports/*/ .pytest_cache
