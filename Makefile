# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export LEANMARK_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test test-browser test-postgres lint bench load clean help

help:
	@echo "make run   - install if needed, migrate, load the demo into an empty database, serve on http://127.0.0.1:8000"
	@echo "make test  - install if needed and run the whole test suite (SQLite)"
	@echo "make lint  - ruff, import-linter contracts, mypy on the domain, makemigrations --check"
	@echo "make bench - timing benchmarks (figures printed, nothing asserted)"
	@echo "make load  - 32 clients against real servers on SQLite and PostgreSQL, then integrity checks"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/leanmark migrate
	$(BIN)/leanmark demo --if-empty
	$(BIN)/leanmark serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(BIN)/python -m pytest

test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest

test-browser: $(STAMP)
	$(BIN)/python -m pytest -m browser

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	SECRET_KEY=lint $(BIN)/python manage.py makemigrations --check --dry-run

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/backlog_bench.py
	$(BIN)/python bench/board_read.py
	$(BIN)/python bench/board_write.py
	$(BIN)/python bench/kanboard_side.py
	$(BIN)/python bench/board_page.py
	$(BIN)/python bench/flow_page.py

load: $(STAMP)
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) data/staticfiles
