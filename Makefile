# Revue: the two commands (make demo, make test) and what they need.
# Both create their own virtual environment in .venv and install into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_DATA := build/test-data
FUZZ_SECONDS ?= 60

.PHONY: demo test test-sqlite test-postgres services browser bench fuzz clean messages

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Revue needs Python 3.11 or newer (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: $(VENV)/.python-ok pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

# atheris only for `make fuzz`, never for `make test`
$(VENV)/.installed-fuzz: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[fuzz]'
	@touch $@

# the interface's translations: each revue/locale/*/LC_MESSAGES/django.po compiled to its .mo
# (in Python with Babel: GNU gettext is not needed), again whenever the .po changes
MESSAGES := $(patsubst %.po,%.mo,$(wildcard revue/locale/*/LC_MESSAGES/*.po))

messages: $(MESSAGES)

# one run compiles every catalogue that changed (a grouped target: not once per .mo)
$(MESSAGES) &: $(MESSAGES:.mo=.po) | $(VENV)/.installed
	$(BIN)/python -m revue.portal.translations

## make demo: the portal on the offline demo press, at http://127.0.0.1:8000/
demo: $(VENV)/.installed messages
	$(BIN)/revue demo

## make test: every test, on SQLite and on PostgreSQL; the two runs go side by side (TEST_JOBS=2,
## each run's output printed whole when it ends), or one after the other with TEST_JOBS=1
TEST_JOBS ?= 2
test: $(VENV)/.installed-test messages services browser
	@echo "make test: the SQLite and PostgreSQL runs, $(TEST_JOBS) at a time (each run's output comes when it ends)"
	$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target test-sqlite test-postgres

test-sqlite: messages
	@rm -rf $(TEST_DATA) && mkdir -p $(TEST_DATA)
	REVUE_DATA_DIR=$(TEST_DATA) $(BIN)/pytest -p no:cacheprovider

# Every test that touches the database again, on the real PostgreSQL server (and Redis as cache),
# but those marked sqlite_only (what they test does not depend on the database: the XSS corpus,
# the SSRF matrix, the security headers in the browser).
test-postgres: messages
	@rm -rf $(TEST_DATA)-pg && mkdir -p $(TEST_DATA)-pg
	REVUE_DATA_DIR=$(TEST_DATA)-pg REVUE_DATABASE_URL=$(PG_URL) REVUE_CACHE_URL=redis://127.0.0.1:6379/1 \
		$(BIN)/pytest -p no:cacheprovider -m "not nodb and not sqlite_only"

## services: start PostgreSQL and Redis when they are installed but stopped
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { \
		echo "starting PostgreSQL"; pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start; \
		for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 && break; sleep 1; done; }
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { \
		echo "starting Redis"; redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
			--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log; sleep 1; }

## browser: Debian's chromium for the browser tests (Playwright drives it), and axe-core (npm),
## the accessibility checker they inject into pages (package.json; npm from Debian if missing)
browser: node_modules/.installed
	@test -x /usr/bin/chromium || { echo "installing chromium"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "installing npm"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## bench: every benchmark at its default (quick) size; see README, "Benchmarks"
bench: $(VENV)/.installed-test
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/stories.py
	$(BIN)/python bench/language.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/crawl.py
	$(BIN)/python bench/body_images.py
	$(BIN)/python bench/metrics.py --calls 100000 --rounds 3 --processes 50

## fuzz: coverage-guided fuzzing (atheris) of feed parsing and extraction, FUZZ_SECONDS (60) each;
## a crash is kept under tests/crawl/fuzz_crashes/ (then `make test` runs it) and fails the target
fuzz: $(VENV)/.installed-fuzz
	@status=0; for target in feeds extraction; do \
		$(BIN)/python fuzz/run.py $$target --seconds $(FUZZ_SECONDS) || status=1; \
	done; exit $$status

clean:
	rm -rf $(VENV) build node_modules
