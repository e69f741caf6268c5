# Convenience targets; each mirrors a command in README.md.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test lint

$(VENV)/bin/ivr: pyproject.toml
	python3 -m venv $(VENV) && $(VENV)/bin/pip install -q -e '.[test]'
	touch $@

run: $(VENV)/bin/ivr
	$(VENV)/bin/ivr serve

test: $(VENV)/bin/ivr
	$(PY) -m pytest

lint: $(VENV)/bin/ivr
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy
