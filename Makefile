# Leitbild-Puls — everything a fresh machine with Python ≥ 3.11 needs.
#   make demo   create .venv, install, build the demo Kommune, write sample reports, serve the app
#   make test   create .venv, install, lint, run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install demo serve test lint format messages bench clean

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

bench: install
	@if ls tests/benchmarks/test_*.py >/dev/null 2>&1; then $(BIN)/python -m pytest tests/benchmarks; \
	else echo "no benchmarks yet"; fi

clean:
	rm -rf $(VENV) var build *.egg-info .pytest_cache .ruff_cache
