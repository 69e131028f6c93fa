# Redress: `make run` serves the site with demo data, `make test` runs the tests. Needs Python 3.11+ and make.
# Both create .venv on first use and reinstall only when the requirements files change.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
MANAGE := $(BIN)/python manage.py
# Source trees only: never the virtualenv's packages or local data.
I18N_IGNORE := --ignore .venv --ignore var

.PHONY: run test lint messages bench

# DEBUG=1: WhiteNoise serves static files straight from the source tree, so no collectstatic is needed.
run: $(VENV)/.installed-runtime
	@mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

test: $(VENV)/.installed-dev
	@mkdir -p var
	$(BIN)/pytest $(PYTEST_ARGS)

# Merchant resolution (issue 3): grouping quality on bench/data; and, when DATABASE_URL is PostgreSQL, resolution
# time and the dashboard's server time over a million seeded complaints (issue 6); then, with PostgreSQL and
# CELERY_BROKER_URL (Redis), a surge of filings against the bare stack (bench/surge.py, issue 9), whose reads use
# the dashboard's complaints. Every part runs; exits non-zero when a target is missed; see bench/README.md and
# bench/RESULTS.md.
bench: $(VENV)/.installed-dev
	@mkdir -p var
	$(BIN)/python bench/run.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Needs GNU gettext; the compiled .mo files are committed, so running the site never does.
messages: $(VENV)/.installed-runtime
	$(MANAGE) makemessages -l zh_Hans -l en $(I18N_IGNORE)
	$(MANAGE) compilemessages $(I18N_IGNORE)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Redress needs Python 3.11 or newer: make PYTHON=python3.12 ...")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed-runtime
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	@touch $@
