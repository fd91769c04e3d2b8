# The two commands a newcomer needs: `make run` and `make test`.
# Everything else here is what those two are made of.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev migrate demo serve lint format messages bench bench-pairing bench-import bench-pages bench-load bench-paint bench-months clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamp files re-run the install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

var:
	mkdir -p var/staticfiles

migrate: install var
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo

## make run: install, migrate, load the demo company, serve on http://127.0.0.1:8000
run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

## make test: ruff, mypy (files in pyproject.toml), migrations check, then the test suite (PostgreSQL/Redis when reachable)
test: install-dev var
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/test_services.py -- $(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## make messages: refresh the catalogue, fill it from locale/pending/*.json, compile, then fail
## while any entry is untranslated or fuzzy (needs GNU gettext)
messages: install-dev
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=tests --ignore=docs --ignore=scripts
	$(PY) scripts/translations.py merge
	$(PY) manage.py compilemessages --ignore=.venv
	$(PY) scripts/translations.py check

bench: install-dev
	$(PY) scripts/test_services.py -- $(PY) scripts/bench.py
	@echo
	$(PY) scripts/bench_pairing.py $(BENCH_PAIRING_ARGS)
	@echo
	$(PY) scripts/test_services.py -- $(PY) scripts/bench_pages.py $(BENCH_PAGES_ARGS)
	@echo
	$(PY) scripts/test_services.py -- $(PY) scripts/bench_load.py $(BENCH_LOAD_ARGS)
	@echo
	$(PY) scripts/test_services.py -- $(PY) scripts/bench_paint.py $(BENCH_PAINT_ARGS)
	@echo
	$(PY) scripts/test_services.py -- $(PY) scripts/bench_import.py $(BENCH_IMPORT_ARGS)
	@echo
	@echo "Not run here: all 120 months of a 30,000-station company recomputed by two Celery"
	@echo "workers (about 4 minutes, PostgreSQL + Redis, ~8 GB of disk). Run it with"
	@echo "  make bench-months"
	@echo "  make bench-months BENCH_MONTHS_ARGS='--stations 3000 --months 12'   # quick try"
	@echo "  make bench-months BENCH_MONTHS_ARGS='--stations 30000 --units 300 --months 12'   # a province's method change"

## make bench-pairing: the branch-pairing proposal dense against sparse (each weak station's
## best candidates) at 300, 3,000 and 30,000 stations (the dense one skipped where it would
## need more than 1 GB), time (median of 3) and peak memory, then the department-help
## proposal at the same sizes; pure engine, no database. BENCH_PAIRING_ARGS e.g.
## '--sizes 3000 --repeat 5' or '--no-memory'
bench-pairing: install-dev
	$(PY) scripts/bench_pairing.py $(BENCH_PAIRING_ARGS)

## make bench-import: 300,000 indicator values (30,000 stations x 10 indicators, one month)
## imported (read, checked, stored, recompute requested) against a raw COPY of the same rows,
## medians and ratio, then the peak memory of importing it and a ~50 MB file (PostgreSQL);
## BENCH_IMPORT_ARGS e.g. '--keepdb --repeat 3' or '--stations 3000 --memory-mb 0'
bench-import: install-dev
	$(PY) scripts/test_services.py -- $(PY) scripts/bench_import.py $(BENCH_IMPORT_ARGS)

## make bench-pages: every page's server time, ratio to the login page and bytes (raw and
## gzipped) at 60 (the demo), 3,000 and 30,000 stations; BENCH_PAGES_ARGS='--quick' for
## 60 and 3,000 only, or e.g. '--sizes 3000 --repeat 3'
bench-pages: install-dev
	$(PY) scripts/test_services.py -- $(PY) scripts/bench_pages.py $(BENCH_PAGES_ARGS)

## make bench-load: requests/s, p50, p95 of every page of the demo through gunicorn (2 sync
## workers, DEBUG off, Redis cache) at 20 connections, and each page's ratio to the login
## page; BENCH_LOAD_ARGS e.g. '--seconds 10 --only widget'; BENCH_PORT (default 8350)
bench-load: install-dev
	$(PY) scripts/test_services.py -- $(PY) scripts/bench_load.py $(BENCH_LOAD_ARGS)

## make bench-paint: the map's and the widget's paint time in headless Chromium (Debian's
## chromium and chromium-driver) at 60, 3,000 and 30,000 stations; the companies are kept
## (bench_pages' --keepdb databases) for the next run; BENCH_PAINT_ARGS e.g. '--sizes 60,3000'
bench-paint: install-dev
	$(PY) scripts/test_services.py -- $(PY) scripts/bench_paint.py $(BENCH_PAINT_ARGS)

## make bench-months: every month recomputed by two real Celery workers (PostgreSQL + Redis db 7);
## BENCH_MONTHS_ARGS='--units 300' times a province's method change over 300 companies, 2 workers vs 1
bench-months: install-dev
	$(PY) scripts/test_services.py -- $(PY) scripts/bench_months.py $(BENCH_MONTHS_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
