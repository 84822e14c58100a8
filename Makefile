# Leitbild-Puls — everything a fresh machine with Python ≥ 3.11 needs.
#   make demo   create .venv, install, build the demo Kommune, write sample reports, serve the app
#   make test   create .venv, install, lint, run the whole test suite
#   make bench  the benchmarks on SQLite and PostgreSQL (about 15 minutes), written to BENCHMARKS.md
#   make bench-quick  the same at small sizes (under two minutes), written to var/bench/
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install demo serve test lint format messages bench bench-quick clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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
	$(BIN)/survey demo
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
	rm -rf $(VENV) var build *.egg-info .pytest_cache .ruff_cache
