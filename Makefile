# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run

.PHONY: run test lint format bench lock clean

# Front-end files come from the npm registry, pinned with their hashes by
# frontend/package-lock.json; `npm ci` installs exactly that lock (and fails when it
# disagrees with package.json). Install scripts are off: these packages need none.
# `make run` installs the dependencies only; `make test` adds the devDependencies (axe-core).
# Each npm ci starts node_modules afresh, so the stamps live inside it.
NODE := frontend/node_modules
NODE_RUN := $(NODE)/.installed-run
NODE_TEST := $(NODE)/.installed-test
NPM_CI := npm ci --prefix frontend --ignore-scripts --no-audit --no-fund
# What /docs serves (api/docs.py), copied out of node_modules into the package (gitignored,
# shipped in the wheel).
SWAGGER := $(NODE)/swagger-ui-dist
DOCS_VENDOR := src/promptcrafter/api/docs_static/vendor/swagger-ui-dist
DOCS_ASSETS := $(addprefix $(DOCS_VENDOR)/,swagger-ui-bundle.js swagger-ui.css \
	swagger-ui-bundle.js.LICENSE.txt LICENSE NOTICE)
# The browser tests drive Debian's chromium (tests/ui/browser/conftest.py).
CHROMIUM := /usr/bin/chromium

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

$(NODE_RUN): frontend/package.json frontend/package-lock.json
	$(NPM_CI) --omit=dev
	touch $@

# The full install is a superset of the run one, so it renews both stamps.
$(NODE_TEST): frontend/package.json frontend/package-lock.json
	$(NPM_CI)
	touch $@ $(NODE_RUN)

$(DOCS_VENDOR)/%: $(NODE_RUN)
	@mkdir -p $(DOCS_VENDOR)
	cp $(SWAGGER)/$* $@

$(CHROMIUM):
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# One venv, two stamps: `make run` installs what serving needs; `make test` (and lint,
# format, bench) add the test and bench set. Each reinstalls when its lock changes.
# The front-end files are order-only prerequisites: built (or renewed when their lock
# changes) before the stamp is checked, without reinstalling the Python packages.
$(RUN_STAMP): requirements/run.txt pyproject.toml $(VENV)/.tools | $(DOCS_ASSETS)
	$(PIP_LOCKED) -r requirements/run.txt
	$(PROJECT)
	touch $@

$(STAMP): requirements/test.txt pyproject.toml $(VENV)/.tools | $(NODE_TEST) $(DOCS_ASSETS) $(CHROMIUM)
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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis $(NODE) $(DOCS_VENDOR)
