# cccd — every target bootstraps .venv first, so a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo's field kit (`make kit`): its own data folder and port, the district at DISTRICT_URL; the
# passphrase in a file outside the kit's folder, as field mode requires (a demo one, written once).
KIT_PORT ?= 8001
DISTRICT_URL ?= http://127.0.0.1:$(PORT)
KIT_PASSPHRASE_FILE := $(CURDIR)/var/kit-passphrase.txt
KIT_ENV := CCCD_DEMO_TOOLS=false CCCD_FIELD_MODE=true CCCD_DATA_DIR=$(CURDIR)/var/kit \
  CCCD_KIT_PASSPHRASE_FILE=$(KIT_PASSPHRASE_FILE)
# The demo's cron, every five minutes while the demo runs: online booking's sweep (arrivals,
# no-shows, the day-before reminders), the reminders of cards not collected (after
# CCCD_CARD_REMINDER_DAYS: 7 in the demo, whose campaign is three weeks old), the notifications'
# safety net, and (on PostgreSQL) the audit trail's partitions of the coming months.
DEMO_CRON = $(BIN)/cccd booking_sweep; $(BIN)/cccd remind_uncollected_cards; $(BIN)/cccd send_notifications; \
  $(BIN)/cccd audit_partitions ensure --months-ahead 3 -v 0
# The demo's mail catcher: an SMTP server on this port keeping every mail in var/mail (a maildir);
# the demo's SMS and Zalo messages go to the log (CCCD_NOTIFY_LOG_ONLY), there being no gateway.
MAIL_PORT ?= 8025

.PHONY: demo kit kit-setup test e2e lint bench venv chromium messages clean

venv: $(STAMP)
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	command -v java >/dev/null || { apt-get update -qq && apt-get install -y --no-install-recommends default-jre-headless; }
	$(BIN)/pip install --quiet -e '.[dev,spark,broker]'
	rm -f $(VENV)/.installed-* && touch $@

messages: venv
	cd src/cccd && ../../$(BIN)/cccd compilemessages --ignore=.venv -v 0

demo: export CCCD_DEMO_TOOLS = true
demo: export EMAIL_HOST = 127.0.0.1
demo: export EMAIL_PORT = $(MAIL_PORT)
demo: export CCCD_NOTIFY_LOG_ONLY = sms,zns
demo: export CCCD_CARD_REMINDER_DAYS = 7
demo: export CCCD_NOTIFY_PUBLIC_URL = http://$(HOST):$(PORT)
demo: venv messages
	$(BIN)/cccd migrate --noinput -v 0
	$(BIN)/cccd seed_demo
	$(BIN)/cccd collectstatic --noinput -v 0
	@echo "cccd at http://$(HOST):$(PORT)/  (Ctrl-C stops it; background tasks run in a db_worker beside it, the desk's devices in an SBI simulator)"
	@echo "the field kit dakmil-kit-1 pairs and checks out tomorrow's session once the server answers (var/kit-setup.log); then \`make kit\` serves it"
	@echo "mails to citizens land in var/mail/new (the demo's mail catcher on 127.0.0.1:$(MAIL_PORT)); SMS and Zalo in the log"
	mkdir -p var/mail/cur var/mail/new var/mail/tmp
	$(BIN)/python -m aiosmtpd -n -l 127.0.0.1:$(MAIL_PORT) -c aiosmtpd.handlers.Mailbox var/mail & mail=$$!; \
	$(BIN)/cccd db_worker --interval 1 & worker=$$!; \
	while :; do $(DEMO_CRON); sleep 300; done & cron=$$!; \
	$(BIN)/cccd devices simulate & devices=$$!; \
	$(MAKE) --no-print-directory kit-setup >var/kit-setup.log 2>&1 & kitsetup=$$!; \
	trap "kill $$mail $$worker $$cron $$devices $$kitsetup 2>/dev/null" EXIT INT TERM; \
	$(BIN)/gunicorn cccd.wsgi --bind $(HOST):$(PORT) --workers 3 --threads 4 \
	  --access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

# The kit's side of the demo, idempotent: its encrypted database migrated, then — once the district
# answers (at most 2 minutes' wait) — joined with a fresh pairing code and tomorrow's session of
# Đắk Mil checked out to it. The district's steps (`cccd demo_kit`) run on the district's database.
kit-setup: venv
	@mkdir -p var/kit
	@test -s $(KIT_PASSPHRASE_FILE) || (umask 077 && printf 'dakmil kit demo passphrase\n' >$(KIT_PASSPHRASE_FILE))
	$(KIT_ENV) $(BIN)/cccd migrate --noinput -v 0
	@for i in $$(seq 120); do $(BIN)/python -c "import urllib.request as u, urllib.error as e; exec('try: u.urlopen(\"$(DISTRICT_URL)/\", timeout=5)\nexcept e.HTTPError: pass')" 2>/dev/null && exit 0; sleep 1; done; \
	echo "the district at $(DISTRICT_URL) does not answer: start it with make demo"; exit 1
	@if $(KIT_ENV) $(BIN)/cccd shell -v 0 -c "import sys; from cccd.kits.models import KitIdentity; sys.exit(0 if KitIdentity.objects.exists() else 1)"; \
	then echo "the kit has joined already"; \
	else code=$$(CCCD_DEMO_TOOLS=true $(BIN)/cccd demo_kit code) && $(KIT_ENV) $(BIN)/cccd kit join $(DISTRICT_URL) "$$code"; fi
	@if $(KIT_ENV) $(BIN)/cccd shell -v 0 -c "import sys; from cccd.kits.models import HeldSession; sys.exit(0 if HeldSession.objects.exists() else 1)"; \
	then echo "the kit holds its session already"; \
	else session=$$(CCCD_DEMO_TOOLS=true $(BIN)/cccd demo_kit session) && $(KIT_ENV) $(BIN)/cccd kit checkout "$$session"; fi

# The kit beside the demo (a second terminal while `make demo` runs): served on $(KIT_PORT), pushing
# its outbox to the district every 30 s while it runs.
kit: venv messages kit-setup
	$(KIT_ENV) $(BIN)/cccd collectstatic --noinput -v 0
	@echo "the field kit at http://127.0.0.1:$(KIT_PORT)/  (Ctrl-C stops it; its outbox goes to $(DISTRICT_URL) every 30 s)"
	$(KIT_ENV) $(BIN)/cccd db_worker --interval 1 & worker=$$!; \
	$(KIT_ENV) $(BIN)/cccd kit sync --every 30 & sync=$$!; \
	trap "kill $$worker $$sync 2>/dev/null" EXIT INT TERM; \
	$(KIT_ENV) $(BIN)/gunicorn cccd.wsgi --bind 127.0.0.1:$(KIT_PORT) --workers 2 --threads 4 \
	  --access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

# The suite runs in one process per core (pytest-xdist); each has its own test database. The
# tests of one `xdist_group` run in one worker, which builds their module fixtures once.
test: venv messages
	$(BIN)/pytest -q -n auto --dist loadgroup

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
