# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

## Install and serve the API on the embedded SQLite database (./promptcrafter.db).
run: $(STAMP)
	$(BIN)/promptcrafter serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

## Install with test extras, lint, type-check and run the whole suite on both engines.
test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

## Load benchmark: the API beside a bare-ASGI floor on SQLite and PostgreSQL, and the targets
## of issues 9-12; writes bench/RESULTS.md. Extra arguments, e.g. `make bench BENCH_ARGS=--quick`,
## `BENCH_ARGS="--only stats,render"`, `BENCH_ARGS="--baseline main"` (python -m bench --help).
bench: $(STAMP)
	command -v wrk >/dev/null 2>&1 || (apt-get update && apt-get install -y wrk)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
