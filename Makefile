# Wirebrief: `make demo` to try it, `make test` to check it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
NEWSROOM_PORT ?= 8001
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint format clean

install: $(STAMP) ## Create .venv and install Wirebrief with the test and lint extras (skipped when up to date)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	@touch $(STAMP)

demo: install ## Serve the sample newsroom, ingest it into ./var/wirebrief.db and serve the reader
	$(BIN)/wirebrief init
	$(BIN)/wirebrief demo --port $(PORT) --newsroom-port $(NEWSROOM_PORT)

test: install ## Run the whole test suite (offline; PostgreSQL tests run when a server can be started)
	@eval "$$(scripts/test-postgres.sh start)"; \
	$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	scripts/test-postgres.sh stop; exit $$status

lint: install ## Style (ruff), types (mypy over src/) and the layers contract (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
