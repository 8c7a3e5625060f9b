# Two commands do everything: `make demo` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_ENV := DJANGO_DEBUG=true

.PHONY: demo test install lint typecheck imports format bench-data messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The back office with demo data: web server, Celery worker and Celery beat; Ctrl-C stops all.
demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	$(DEMO_ENV) $(BIN)/python manage.py run_demo

# The whole test suite. Uses PostgreSQL/Redis when DATABASE_URL/REDIS_URL point at them.
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Every static check CI runs: ruff (lint and format), mypy, the import contracts.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# mypy with django-stubs over marketplace/ and arbitration/ (settings in pyproject.toml).
typecheck: install
	$(BIN)/mypy

# The import contracts of ARCHITECTURE.md ([tool.importlinter] in pyproject.toml).
imports: install
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate translation catalogues after changing texts.
messages: install
	$(BIN)/python manage.py makemessages -l ru --ignore=.venv --ignore=bench --ignore=tests

# 1,000,000 orders for the benchmarks (needs DATABASE_URL pointing at PostgreSQL).
bench-data: install
	$(BIN)/python bench/generate.py --orders 1000000

clean:
	rm -rf $(VENV) var db.sqlite3
