# coopflow developer commands. `make run` starts the whole local stack, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv migrate run test lint bench clean

## venv: create .venv and install the project with its dev extras (again only when
## pyproject.toml changed since the last install)
venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[dev]'
	touch $(STAMP)

## migrate: bring the database (COOPFLOW_DATABASE_URL, default .data/coopflow.db) to head
migrate: venv
	$(BIN)/python -m alembic upgrade heads

## run: migrate, start Temporal dev server, mail sink, worker and API (DEMO=1: days pass in seconds)
run: venv
	$(BIN)/python -m dev.devstack

## test: the whole suite (also on PostgreSQL when COOPFLOW_TEST_DATABASE_URL is set)
test: venv
	$(BIN)/python -m pytest -q

## lint: ruff lint and format check, strict mypy on the domain
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain

## bench: run every benchmark in bench/ (modules with a main); each prints its figures
BENCHES := $(filter-out __init__ cpu figures bare_api lifecycle_driver minimal_workflow profile reconciliation_import stack,$(basename $(notdir $(wildcard bench/*.py))))
bench: venv
	@set -e; for name in $(BENCHES); do \
		echo "== bench/$$name.py"; \
		$(BIN)/python -m bench.$$name; \
	done

## clean: caches and build artifacts (keeps .venv and the local data in .data/)
clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
