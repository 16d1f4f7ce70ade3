# Zhengtong: `make run` sets up and serves the demo; `make test` sets up and runs every check.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= zhengtong.settings

.PHONY: run setup test lint messages clean bench

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv || true

$(STAMP): pyproject.toml | $(BIN)/python
	@if [ -x $(BIN)/uv ]; then $(BIN)/uv pip install -q --python $(BIN)/python -e '.[dev]'; \
	else $(BIN)/python -m pip install -q -e '.[dev]'; fi
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/python -m zhengtong.i18n_compile
	mkdir -p var

# A development run (DEBUG=1): its secret key and personal-data key are made in var/ on the first run
# and kept (settings.py). PORT picks the port. `zhengtong serve` runs the server and the job worker
# (django-q2's qcluster, which runs the scheduled jobs) together; Ctrl-C stops both.
run: setup
	DEBUG=$${DEBUG:-1} $(BIN)/zhengtong migrate --noinput -v 0
	DEBUG=$${DEBUG:-1} $(BIN)/zhengtong demo --if-empty
	@echo "Zhengtong serves http://127.0.0.1:$${PORT:-8000}/ with its job worker (Ctrl-C stops both)"
	DEBUG=$${DEBUG:-1} $(BIN)/zhengtong serve 127.0.0.1:$${PORT:-8000}

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# Runs the suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set.
test: setup lint
	DJANGO_SETTINGS_MODULE=zhengtong.settings_test $(BIN)/pytest -n $${PYTEST_WORKERS:-auto} -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
	  DATABASE_URL="$$TEST_DATABASE_URL" DJANGO_SETTINGS_MODULE=zhengtong.settings_test \
	    $(BIN)/pytest -n $${PYTEST_WORKERS:-auto} -q; \
	fi

messages: setup
	cd zhengtong && ../$(BIN)/zhengtong makemessages -l zh_Hans --no-obsolete --add-location file

bench: setup
	DJANGO_SETTINGS_MODULE=zhengtong.settings_bench $(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var
