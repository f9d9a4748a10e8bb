# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements/lock.txt
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install lock run test lint unit format benchmarks clean-db

# Installs exactly the versions (and hashes) in the lock, then kulakan itself without its deps.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## make lock: re-resolve pyproject.toml's dependencies into the hashed lock every install uses
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml requirements/build.in --extra dev --generate-hashes \
		--universal --python-version 3.11 -o $(LOCK) -q

## make run: install, start the (embedded) database, migrate, load demo data, serve the API
run: install
	$(VENV)/bin/kulakan db upgrade
	$(VENV)/bin/kulakan demo seed
	-$(VENV)/bin/kulakan demo run  # one whole cycle to follow in the API docs; never blocks serving
	$(VENV)/bin/kulakan serve

## make test: lint, layer contracts, and the whole test suite (installs chromium if missing)
test: install lint
	.ci/ensure-chromium
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

unit: install
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

benchmarks: install
	@echo "see benchmarks/README.md for each benchmark's command"

clean-db:
	rm -rf .kulakan
