# sitegen: `make site` builds the repository's own site, `make test` runs every test.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
SITEGEN := $(VENV)/bin/sitegen

.PHONY: site test serve clean lint fuzz bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test]'
	touch $@

site: $(VENV)/.installed
	$(SITEGEN) build

serve: $(VENV)/.installed
	$(SITEGEN) serve

test: $(VENV)/.installed-test
	$(PY) -m ruff check sitegen tests bench
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

fuzz: $(VENV)/.installed-test
	SITEGEN_FUZZ_EXAMPLES=20000 $(PY) -m pytest tests -k fuzz -q

bench: $(VENV)/.installed-test
	$(PY) bench/run.py

clean:
	rm -rf build .sitegen
