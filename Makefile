# Two commands do all the set-up: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install demo test bench clean

$(VENV)/.installed: setup.cfg pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/civicflow init-db
	$(VENV)/bin/civicflow seed-demo
	$(VENV)/bin/civicflow run --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(VENV)/bin/civicflow bench all --quick

clean:
	rm -rf $(VENV) instance build *.egg-info
