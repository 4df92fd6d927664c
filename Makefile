# Kyodo: `make run` starts it (the local sandbox when no TELEGRAM_BOT_TOKEN is set),
# `make test` runs everything CI runs. Both create the virtual environment on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PO := $(wildcard locales/*/LC_MESSAGES/*.po)
MO := $(PO:.po=.mo)

.PHONY: run test lint unit catalogs system-deps bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# One catalog per part of Kyodo (kyodo.po, requests.po, ...); the part's name is its gettext domain.
# Babel knows no locale "ja-easy" (Easy Japanese): its catalogs compile with Japanese plural rules.
%.mo: %.po $(STAMP)
	$(BIN)/pybabel --quiet compile -D $(basename $(notdir $<)) -l $(patsubst ja-easy,ja,$(word 2,$(subst /, ,$<))) -i $< -o $@

catalogs: $(MO)

run: $(STAMP) catalogs
	$(BIN)/kyodo run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: $(STAMP) catalogs
	$(BIN)/pytest

# Three workers on two cores: the end-to-end and browser tests mostly wait on sockets and
# subprocesses, so the suite takes about half the time it takes in one process.
PYTEST_WORKERS ?= 3

# Bytecode caches on for the run whatever the shell says: with PYTHONDONTWRITEBYTECODE=1 every
# worker compiled the project and rewrote the test modules' asserts again (some 6 s of CPU
# each), as did every `kyodo run` and pytest the tests start. __pycache__ is in .gitignore.
test: system-deps $(STAMP) catalogs lint
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(PYTEST_WORKERS)

# Installs the system packages the full suite uses (PostgreSQL, Chromium, CJK fonts, gettext).
# Needs root and apt; without them those tests are skipped with a message saying why.
system-deps:
	bash .ci/system-deps

# Every page of the staff web desk in Japanese and English, as PNGs in screenshots/desk/.
screenshots: system-deps $(STAMP) catalogs
	KYODO_SCREENSHOTS=$(CURDIR)/screenshots/desk $(BIN)/pytest -q \
		tests/desk/test_accessibility.py -k every_page

bench: $(STAMP) catalogs
	$(BIN)/python bench/inbound.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/export.py

clean:
	rm -rf $(VENV) $(MO) .mypy_cache .ruff_cache .pytest_cache .hypothesis
