# Leitbild-Puls — everything a fresh machine with Python ≥ 3.11 needs.
#   make demo   create .venv, install, build the demo Kommune, write sample reports, serve the app
#   make test   create .venv, install, lint, run the whole test suite
#   make bench  the benchmarks on SQLite and PostgreSQL (about 15 minutes), written to BENCHMARKS.md
#   make bench-quick  the same at small sizes (under two minutes), written to var/bench/
#   make lock   refresh requirements.lock (every dependency pinned with hashes) from pyproject.toml
#   make test-latest  the whole suite with the newest versions pyproject.toml allows (in .venv-latest)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
#: `make test-latest` sets LATEST=1: install the newest allowed versions instead of the lock
LATEST ?=
UV_VERSION := 0.13.9
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install demo serve test test-latest lint format messages lock bench bench-quick clean

# Installs come from the lock: every package, pip and the build tools included, pinned with its
# hashes, nothing resolved on the machine; then the project itself without dependencies.
$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
ifeq ($(LATEST),)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
else
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[dev]'
endif
	$(BIN)/python -m pip check
	@touch $(STAMP)

install: $(STAMP)

# axe-core for the browser accessibility tests, from the npm registry (skipped without npm).
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the browser accessibility tests will be skipped"; fi

demo: install
	$(BIN)/survey db upgrade
	SURVEY_BASE_URL=$${SURVEY_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/survey demo
	$(BIN)/survey report kjfs --out var/reports/kjfs.html
	$(BIN)/survey report --overview --out var/reports/organisation.html
	$(BIN)/survey serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/survey serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check survey tests
	$(BIN)/ruff format --check survey tests

format: install
	$(BIN)/ruff format survey tests
	$(BIN)/ruff check --fix survey tests

test: lint $(AXE)
	$(BIN)/python -m pytest -n 2 --dist loadfile

# The lock holds the dependencies of '.[dev]' for Python 3.11 and newer on every platform, plus
# pip and the build tools; uv resolves it (pip-compile's format, installed by plain pip).
# uv comes into a venv of its own: the project's venv is installed from the lock being refreshed.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet uv==$(UV_VERSION)
	printf 'pip\nsetuptools>=77\nwheel\n' | .venv-lock/bin/uv pip compile pyproject.toml - --extra dev \
		--universal --python-version 3.11 --generate-hashes --quiet \
		--custom-compile-command 'make lock' -o $(LOCK)

# Drift on purpose: the suite against the newest versions pyproject.toml allows, in a venv of its own.
test-latest:
	rm -f .venv-latest/.installed
	$(MAKE) test VENV=.venv-latest LATEST=1

messages: install
	$(BIN)/python -m survey.web.i18n

# PostgreSQL and wrk (Debian's package) are set up by .ci/services; BENCH_ARGS passes options on,
# e.g. make bench BENCH_ARGS="--engines sqlite --sizes 100k,1M".
bench: install
	.ci/services wrk=wrk
	$(BIN)/python tests/benchmarks/bench.py $(BENCH_ARGS)

bench-quick: install
	.ci/services wrk=wrk
	$(BIN)/python tests/benchmarks/bench.py --quick --out var/bench/BENCHMARKS-quick.md $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .venv-latest .venv-lock var build *.egg-info .pytest_cache .ruff_cache
