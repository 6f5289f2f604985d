# assetmap: `make demo` builds Chesterfield and serves it; `make test` runs every test; `make lint` checks style,
# types and sizes.
# Both set everything up first (virtualenv, Python packages, front-end packages, Chromium).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
AREA ?= chesterfield
HOST ?= 127.0.0.1
PORT ?= 5000
export ASSETMAP_DATA_ROOT ?= $(abspath ../shared/data/raw)

.PHONY: demo setup venv vendor system build serve lint test test-fast bench clean

demo: setup build serve

setup: venv vendor

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,lint]'
	touch $@

# Leaflet and plugins come from npm at setup time and are served by the app itself.
vendor: venv
	$(PY) scripts/vendor.py

# Debian packages the tests need (headless Chromium for the browser tests, PostgreSQL + PostGIS for the registry).
system:
	@bash scripts/system-packages.sh

build: venv
	$(VENV)/bin/assetmap build $(AREA)

# Plain http on 127.0.0.1: the session cookie may not be Secure-only here (it is by default).
# The registry (instance/registry.sqlite) is created on first start; add a curator with
# `$(VENV)/bin/assetmap db create-admin NAME`, then log in at /curate/login.
serve: venv
	ASSETMAP_SESSION_COOKIE_SECURE=$${ASSETMAP_SESSION_COOKIE_SECURE:-0} $(VENV)/bin/assetmap serve --host $(HOST) --port $(PORT)

# ruff (pyproject.toml [tool.ruff]), mypy on the library ([tool.mypy]) and the size limits
# (scripts/check_sizes.py: modules <= 400 lines, functions <= 80). The same hooks run on commit after
# `$(VENV)/bin/pre-commit install`.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) scripts/check_sizes.py

# A throwaway PostgreSQL (scripts/pg-test.sh) so the registry tests run on both SQLite and PostgreSQL.
test: setup system
	bash scripts/pg-test.sh $(VENV)/bin/pytest -ra

test-fast: setup
	$(VENV)/bin/pytest -ra -m "not browser"

bench: setup
	$(PY) bench/build_bench.py

clean:
	rm -rf build .pytest_cache
