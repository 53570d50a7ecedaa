# Yiwang: `make demo` and `make test` do all set-up themselves (Python 3.11+, make and git).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml hatch_build.py src/yiwang/licences/_sm2.c | cksum | cut -d' ' -f1)
PYTEST_WORKERS ?= auto

.PHONY: install demo test test-fast e2e lint format bench lock messages clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml hatch_build.py src/yiwang/licences/_sm2.c
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Yiwang needs Python 3.11 or newer; found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@sh scripts/system-packages.sh
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

demo: install
	$(BIN)/yiwang demo $(if $(PORT),--port $(PORT),)

test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Everything but the browser tests, for a quick loop.
test-fast: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not e2e" $(PYTEST_ARGS)

e2e: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m e2e $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench hatch_build.py
	$(BIN)/ruff format --check src tests bench hatch_build.py

format: install
	$(BIN)/ruff check --fix src tests bench hatch_build.py
	$(BIN)/ruff format src tests bench hatch_build.py

bench: install
	$(BIN)/python bench/run_all.py

# Re-lock after editing dependencies in pyproject.toml (needs network access to the package index).
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --group dev --generate-hashes --no-strip-extras --universal --python-version 3.11 -o requirements.lock

# Re-extract and compile translations (needs GNU gettext: apt-get install gettext).
messages: install
	cd src/yiwang && ../../$(BIN)/yiwang manage makemessages -l en --no-obsolete && ../../$(BIN)/yiwang manage compilemessages -l en

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache src/yiwang/licences/_sm2.*.so
