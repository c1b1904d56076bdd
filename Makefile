# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run

.PHONY: run test lint format bench lock clean

# Installs come from the hashed lock files in requirements/ (make lock writes them from
# pyproject.toml): --require-hashes makes pip refuse any artifact whose hash is not in the
# lock, and any dependency the lock forgot. pip and setuptools come from the lock too, so
# the editable install of the project itself needs nothing unlocked.
PIP_LOCKED := $(BIN)/pip install --quiet --require-hashes
PROJECT := $(BIN)/pip install --quiet --no-deps --no-build-isolation -e .

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.tools: requirements/tools.txt | $(BIN)/python
	$(PIP_LOCKED) -r requirements/tools.txt
	touch $@

# One venv, two stamps: `make run` installs what serving needs; `make test` (and lint,
# format, bench) add the test and bench set. Each reinstalls when its lock changes.
$(RUN_STAMP): requirements/run.txt pyproject.toml $(VENV)/.tools
	$(PIP_LOCKED) -r requirements/run.txt
	$(PROJECT)
	touch $@

$(STAMP): requirements/test.txt pyproject.toml $(VENV)/.tools
	$(PIP_LOCKED) -r requirements/test.txt
	$(PROJECT)
	touch $@

## Rewrite the lock files from pyproject.toml (after changing a dependency); commit them.
## Versions already locked stay unless pyproject needs others; `make lock UPGRADE=1` takes
## the newest versions allowed.
LOCK := $(BIN)/uv pip compile --quiet --universal --generate-hashes \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
lock: $(VENV)/.tools
	$(LOCK) requirements/tools.in -o requirements/tools.txt
	$(LOCK) pyproject.toml -o requirements/run.txt
	$(LOCK) pyproject.toml --extra test --extra bench -c requirements/run.txt \
		-o requirements/test.txt

## Install and serve the API on the embedded SQLite database (./promptcrafter.db).
run: $(RUN_STAMP)
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
