# Loket: the two set-up commands are `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app webapp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev lint clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime

## The English catalogue: extract every marked string (babel.cfg), update translations/en, compile the .mo.
## The compiled .mo is committed; tests/test_english.py fails when it is older than the .po.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -k ngettext:1,2 \
		--no-location --sort-output --no-wrap --project Loket -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l en --no-fuzzy-matching --ignore-obsolete --no-wrap
	$(BIN)/pybabel compile -d translations -l en --statistics

install-dev: $(VENV)/.dev

## Install, migrate the embedded SQLite database, load the demo data and serve http://127.0.0.1:5000
run: install
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) run --host $(HOST) --port $(PORT)

## Install everything and run the whole test suite (SQLite; PostgreSQL when TEST_DATABASE_URL is set)
test: install-dev
	$(BIN)/pytest

## Ruff on all the code, and the package layers (import-linter contracts in pyproject.toml)
lint: install-dev
	$(BIN)/ruff check webapp antrian tests bench config.py migrations
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
