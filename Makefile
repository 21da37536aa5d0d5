# cccd — every target bootstraps .venv first, so a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test e2e lint bench venv chromium messages clean

venv: $(STAMP)
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

messages: venv
	cd src/cccd && ../../$(BIN)/cccd compilemessages --ignore=.venv -v 0

demo: export CCCD_DEMO_TOOLS = true
demo: venv messages
	$(BIN)/cccd migrate --noinput -v 0
	$(BIN)/cccd seed_demo
	$(BIN)/cccd collectstatic --noinput -v 0
	@echo "cccd at http://$(HOST):$(PORT)/  (Ctrl-C stops it; background tasks run in a db_worker beside it, the desk's devices in an SBI simulator)"
	$(BIN)/cccd db_worker --interval 1 & worker=$$!; \
	$(BIN)/cccd devices simulate & devices=$$!; \
	trap "kill $$worker $$devices 2>/dev/null" EXIT INT TERM; \
	$(BIN)/gunicorn cccd.wsgi --bind $(HOST):$(PORT) --workers 3 --threads 4 \
	  --access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


# The suite runs in one process per core (pytest-xdist); each has its own test database.
test: venv messages
	$(BIN)/pytest -q -n auto

chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core)

e2e: venv messages chromium
	$(BIN)/cccd collectstatic --noinput -v 0
	$(BIN)/pytest -q -m e2e tests/e2e

lint: venv messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	CCCD_DEMO_TOOLS=true $(BIN)/mypy
	$(BIN)/cccd check --fail-level WARNING
	$(BIN)/cccd makemigrations --check --dry-run -v 0
	cd src/cccd/static/vendor && sha256sum --check --quiet SHA256SUMS

bench: venv
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
