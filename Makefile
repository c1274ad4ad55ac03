# Buurtscan: the commands the README promises. Everything installs itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SYSTEM_PACKAGES := chromium fonts-dejavu-core fonts-noto-core fonts-noto-color-emoji libpango-1.0-0 libpangoft2-1.0-0

.PHONY: run test check system-deps i18n bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

## run: install, migrate, load the (synthetic) demo and serve on http://$(HOST):$(PORT)
run: $(BIN)/.installed
	BUURTSCAN_DEMO_BANNER=1 $(BIN)/buurtscan demo
	BUURTSCAN_DEMO_BANNER=1 $(BIN)/buurtscan serve --host $(HOST) --port $(PORT)

## test: install everything (Debian packages, Python packages) and run lint, types and tests
test: system-deps $(BIN)/.installed node_modules/.installed check

check:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

## system-deps: Chromium for the browser tests, fonts and WeasyPrint's libraries (Debian)
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

## i18n: extract UI strings into locales/messages.pot and update every locale's catalogue
i18n: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k gettext_lazy --no-location --sort-output \
	  --omit-header -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales --ignore-obsolete --no-fuzzy-matching --width 100

## bench: print the performance figures of DESIGN.md §10 (server, page weight, results)
bench: $(BIN)/.installed
	$(BIN)/python bench/run.py
	$(BIN)/python bench/results.py
	$(BIN)/python bench/documents.py
