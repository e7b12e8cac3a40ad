# Two commands do all the set-up: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install system-packages translations demo test bench clean

# Debian packages PDF rendering needs: the CJK font every document embeds, and WeasyPrint's
# libraries (harfbuzz-subset keeps the embedded font small); chromium runs the browser tests
# (Playwright drives /usr/bin/chromium; no browser is ever downloaded). Installed only when missing.
SYSTEM_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 chromium
# Compiled message catalogues (the .po files are committed, the .mo files are built here)
MO_FILES := $(patsubst %.po,%.mo,$(wildcard webapp/translations/*/LC_MESSAGES/*.po))

$(VENV)/.installed: setup.cfg pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $@

system-packages:
	@command -v dpkg >/dev/null || { echo "not Debian: install $(SYSTEM_PACKAGES) or their equivalents yourself"; exit 0; }; \
	missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" != 0 ]; then echo "missing Debian packages, run: sudo apt-get install $$missing" >&2; exit 1; fi; \
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing

# Bootstrap, bootstrap-icons, htmx, bpmn-js, Leaflet, axe-core and swagger-ui, served at /vendor/ (no CDN);
# reinstalled whenever package-lock.json is newer than the last install.
node_modules/.installed: package-lock.json
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq --no-install-recommends npm; } \
		|| { echo "npm is missing: install Node.js and npm" >&2; exit 1; }
	npm ci --no-audit --no-fund
	touch $@

%.mo: %.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile -i $< -o $@

translations: $(MO_FILES)

install: system-packages $(VENV)/.installed node_modules/.installed translations

demo: install
	$(VENV)/bin/civicflow init-db
	$(VENV)/bin/civicflow seed-demo
	$(VENV)/bin/civicflow run --host $(HOST) --port $(PORT)

# The suite runs on one pytest-xdist worker per core (TEST_WORKERS=0 for one process), each
# test file whole on one worker, each worker on a database of its own (tests/conftest.py).
TEST_WORKERS ?= auto
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: install
	$(VENV)/bin/civicflow bench all --quick

clean:
	rm -rf $(VENV) instance build *.egg-info
