# Two commands for a newcomer: `make run` and `make test` (both idempotent).
#   make run  [HOST=127.0.0.1] [PORT=8000] [PYTHON=/path/to/python3.12]
#   make test [PYTEST_ARGS="-q -n 2"]
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
OCOP := $(VENV)/bin/ocop
HOST ?= 127.0.0.1
PORT ?= 8000
PYTHON ?=
PYTEST_ARGS ?= -q -n 2
# uv installs the pinned dependencies (about 12 s where pip took 45 s on a 2-core machine); pip
# only installs uv itself (pinned too) into the venv.
UV := $(VENV)/bin/uv
INSTALL := $(UV) pip install -q --python $(PY) --compile-bytecode -c requirements/constraints.txt

# Prints the first interpreter >= 3.12: $(PYTHON), python3.14 … python3.12 on PATH, pyenv's versions
# (the one in .python-version first, then newest first; pyenv itself need not be on PATH), then python3.
define FIND_PYTHON
pyenv_versions="$${PYENV_ROOT:-$$HOME/.pyenv}/versions"; \
for c in $(PYTHON) python3.14 python3.13 python3.12 \
	$$(ls -d "$$pyenv_versions/$$(cat .python-version 2>/dev/null)"*/bin/python3 2>/dev/null | sort -rV) \
	$$(ls -d "$$pyenv_versions"/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) python3; do \
	if command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		command -v "$$c"; exit 0; \
	fi; \
done; exit 1
endef

.PHONY: run test venv dev-deps lint vendor clean-venv

# The venv's interpreter; (re)created when missing, dangling or older than 3.12.
$(PY):
	@if [ -e $(PY) ] && $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then exit 0; fi; \
	python="$$($(FIND_PYTHON))" || { \
		echo "Cần Python >= 3.12 nhưng không tìm thấy (đã thử python3.14 … python3.12, pyenv, python3)." >&2; \
		echo "Python >= 3.12 is required but none was found (tried python3.14 … python3.12, pyenv, python3)." >&2; \
		echo "Cài Python 3.12+ hoặc chỉ đường dẫn / Install it or run: make $(MAKECMDGOALS) PYTHON=/path/to/python3.12" >&2; \
		exit 1; }; \
	echo "Tạo môi trường ảo / creating $(VENV) with $$python ($$($$python -V 2>&1))"; \
	rm -rf $(VENV); \
	"$$python" -m venv $(VENV)

$(UV): $(PY) requirements/constraints.txt
	$(PY) -m pip install -q --disable-pip-version-check -c requirements/constraints.txt uv
	@touch $@

$(VENV)/.installed: $(UV) pyproject.toml requirements/constraints.txt
	$(INSTALL) -e .
	@touch $@

# One run for the app and its dev tools (a second run resolved everything again).
$(VENV)/.dev-installed: $(UV) pyproject.toml requirements/constraints.txt
	$(INSTALL) -e ".[dev]"
	@touch $(VENV)/.installed $@

venv: $(VENV)/.installed

dev-deps: $(VENV)/.dev-installed

run: venv
	$(OCOP) migrate --noinput -v0
	$(OCOP) load-units --if-empty
	$(OCOP) demo --if-empty
	$(OCOP) collectstatic --noinput -v0
	@$(OCOP) demo --print-logins
	$(OCOP) serve --bind $(HOST):$(PORT)

test: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: dev-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Re-copy the pinned front-end libraries after changing package.json (the result is committed).
vendor: venv
	npm ci --ignore-scripts --no-audit --no-fund
	$(PY) scripts/vendor_static.py

clean-venv:
	rm -rf $(VENV)
