# Two commands for a newcomer: `make run` and `make test` (both idempotent).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
OCOP := $(VENV)/bin/ocop
HOST ?= 127.0.0.1
PORT ?= 8000

# First interpreter >= 3.12 found: $(PYTHON), python3.14 … python3.12, pyenv's 3.12, python3.
PYTHON ?= $(shell for c in python3.14 python3.13 python3.12 $$(pyenv root 2>/dev/null)/versions/3.12*/bin/python python3; do \
	command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$c; break; }; done)

.PHONY: run test venv dev-deps lint format messages vendor clean-venv

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	@if [ -z "$(PYTHON)" ]; then echo "Cần Python >= 3.12 / Python >= 3.12 is required (install it or set PYTHON=/path/to/python3.12)." >&2; exit 1; fi
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements/constraints.txt -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PY) -m pip install -q -c requirements/constraints.txt -e ".[dev]"
	@touch $@

venv: $(VENV)/.installed

dev-deps: $(VENV)/.dev-installed

run: venv
	$(OCOP) migrate --noinput -v0
	$(OCOP) load-units --if-empty
	$(OCOP) demo --if-empty
	$(OCOP) compilemessages -v0 --ignore '.venv/*' 2>/dev/null || true
	$(OCOP) collectstatic --noinput -v0
	$(OCOP) demo --print-logins
	$(OCOP) serve --bind $(HOST):$(PORT)

test: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -q

lint: dev-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
