# hub: the one entry point. `make run` serves, `make test` tests; both install what they need.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HUB    := $(VENV)/bin/hub

.PHONY: run test test-fast lint fmt bench clean browser-deps fedify-deps

$(PY):
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "hub needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(HUB) serve

test: $(VENV)/.installed-dev browser-deps fedify-deps
	$(VENV)/bin/pytest

# best effort, for the browser tests (they skip, saying why, when this could not install them):
# Playwright into the venv, and Debian's Chromium when root and it is missing
browser-deps: $(VENV)/.installed-dev
	-@$(PY) -c 'import playwright' 2>/dev/null || $(PY) -m pip install --quiet playwright
	-@if [ "$$(id -u)" = 0 ] && [ ! -x /usr/bin/chromium ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  >/dev/null 2>&1 || echo "make: could not install chromium; browser tests will skip"; fi

# the Fedify server of the ActivityPub tests (tests/activitypub/fedify), from its lockfile, when
# Node.js is installed; without node those tests skip, saying why
FEDIFY := tests/activitypub/fedify
fedify-deps: $(if $(shell command -v node),$(FEDIFY)/node_modules/.package-lock.json)

$(FEDIFY)/node_modules/.package-lock.json: $(FEDIFY)/package-lock.json $(FEDIFY)/package.json
	cd $(FEDIFY) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test-fast: $(VENV)/.installed-dev
	$(VENV)/bin/pytest -m "not slow"

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/deptry .

fmt: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# every benchmark at its default scale (under 15 minutes on a 2-core machine), then one summary
# of the time each took and of every target line; run it alone on the machine
bench: $(VENV)/.installed-dev
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
