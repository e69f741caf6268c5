# Convenience targets; each mirrors a command in README.md.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test lint lock

$(VENV)/bin/ivr: pyproject.toml requirements.lock
	python3 -m venv $(VENV) && $(VENV)/bin/pip install -q -c requirements.lock -e '.[test]'
	touch $@

run: $(VENV)/bin/ivr
	$(VENV)/bin/ivr serve

test: $(VENV)/bin/ivr
	$(PY) -m pytest

lint: $(VENV)/bin/ivr
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy && $(VENV)/bin/lint-imports

# Refresh the lock file after changing a dependency range in pyproject.toml (pip-tools in a throw-away venv).
lock:
	python3 -m venv /tmp/outage-line-lock && /tmp/outage-line-lock/bin/pip install -q pip-tools
	/tmp/outage-line-lock/bin/pip-compile -q --extra test --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.lock pyproject.toml
