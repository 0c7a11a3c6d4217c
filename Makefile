# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
export FLASK_APP := tracker

.PHONY: run worker dev test lint seed clean translations messages

$(BIN)/flask: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/pytest: requirements-dev.txt requirements.txt $(BIN)/flask
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Compiled catalogs (.mo) are built from the .po files in the repository, never committed.
translations: $(BIN)/flask
	$(BIN)/pybabel -q compile -d translations

# After changing user-visible strings: refresh the catalogs, then fill in the new msgstr lines.
# --ignore-dirs: pybabel skips folders starting with "_" by default (templates/_macros).
messages: $(BIN)/flask
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--ignore-dirs='.*' -o translations/messages.pot .
	$(BIN)/pybabel -q update -w 100 -d translations -i translations/messages.pot --no-fuzzy-matching

# `make run`: the web (gunicorn on 127.0.0.1:$(PORT)) and the outbox worker (Huey) side by side
# from the Procfile through honcho; Ctrl+C stops both. Links in e-mails use TRACKER_BASE_URL.
QUEUE_WORKERS ?= 2
export TRACKER_BASE_URL ?= http://127.0.0.1:$(PORT)
run: $(BIN)/flask translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask demo-accounts --short --url http://127.0.0.1:$(PORT)/login
	WEB_PORT=$(PORT) WORKERS=$(WORKERS) QUEUE_WORKERS=$(QUEUE_WORKERS) \
		$(BIN)/honcho start -f Procfile

# The outbox worker alone (e-mail, webhooks, digests, reminders). Several may run, here or on
# other machines sharing the database (set REDIS_URL for the queue when they are on several).
worker: $(BIN)/flask translations
	$(BIN)/flask db upgrade
	$(BIN)/huey_consumer tracker.outbox.queue.huey --worker-type thread \
		--workers $(QUEUE_WORKERS) --max-delay 1

dev: $(BIN)/flask translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --debug --port $(PORT)

# Tests run in parallel (pytest-xdist, one worker per core); TEST_WORKERS=0 runs them in one
# process. The browser tests stay together on one worker (--dist loadgroup).
TEST_WORKERS ?= auto
PYTEST_ARGS ?=
test: $(BIN)/pytest translations
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: $(BIN)/pytest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Benchmarks and the load test (bench/README.md): make bench SIZE=M DB=postgresql
SIZE ?= S
DB ?= sqlite
FRESH ?= 1
BENCH_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench
BENCH_URL ?= $(if $(filter postgresql postgres pg,$(DB)),$(BENCH_PG)_$(shell echo $(SIZE) | tr A-Z a-z),sqlite:///$(CURDIR)/bench/data/bench-$(SIZE).db)
BENCH_ARGS ?=
LOAD_ARGS ?=

.PHONY: bench load

bench: $(BIN)/pytest
	$(if $(filter 1,$(FRESH)),$(BIN)/python -m bench.generate --size $(SIZE) --database-url $(BENCH_URL) --reset)
	$(BIN)/python -m bench.run --size $(SIZE) --database-url $(BENCH_URL) $(BENCH_ARGS)

load: $(BIN)/pytest
	$(if $(filter 1,$(FRESH)),$(BIN)/python -m bench.generate --size $(SIZE) --database-url $(BENCH_URL) --reset)
	$(BIN)/python -m bench.load --size $(SIZE) --database-url $(BENCH_URL) $(LOAD_ARGS)

# Fault tests (bench/README.md), outside `make test`: each scenario bounded, PASS/FAIL, exit 1
# on any failure. Own databases: bench/data/faults-*.db and $(BENCH_PG)_faults_*.
FAULTS_ARGS ?=
.PHONY: faults
faults: $(BIN)/pytest translations
	$(BIN)/python -m bench.faults --pg $(BENCH_PG) $(FAULTS_ARGS)

# The production topology on this machine (deploy/, bench/README.md), outside `make test`:
# nginx (Debian's package, installed when missing) over two gunicorn instances and a worker on
# PostgreSQL and Redis; the load test through nginx with one instance killed mid-run.
CLUSTER_ARGS ?=
.PHONY: cluster
cluster: $(BIN)/pytest translations
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || apt-get install -y nginx \
		|| (apt-get update && apt-get install -y nginx)
	$(BIN)/python -m bench.cluster --database-url $(BENCH_PG)_cluster $(CLUSTER_ARGS)

# Every main page on the demo data against /healthz (bench/README.md), outside `make test`: a
# fresh demo database served as `make run` serves it, each role signed in, rounds of every page
# and /healthz in shuffled order; exit 1 when a page's median is above 10x /healthz's.
# DEMO_BENCH_ARGS="--rounds 50 --database-url postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_demo"
DEMO_BENCH_ARGS ?=
.PHONY: bench-demo
bench-demo: $(BIN)/pytest translations
	$(BIN)/python -m bench.demo_pages $(DEMO_BENCH_ARGS)

# Lighthouse 12.2.3 (npm, installed into .lighthouse/) on every main page served as `make run`
# serves it (gunicorn, demo data, each role signed in), mobile preset, outside `make test`:
# JSON and HTML reports and a summary in test-artifacts/lighthouse/; exit 1 below the targets
# (performance 90, accessibility, best practices and SEO 100). LIGHTHOUSE_ARGS="--only login board"
LIGHTHOUSE_DIR ?= .lighthouse
LIGHTHOUSE := $(LIGHTHOUSE_DIR)/node_modules/.bin/lighthouse
LIGHTHOUSE_ARGS ?=
.PHONY: lighthouse
$(LIGHTHOUSE):
	@command -v npm >/dev/null || apt-get install -y nodejs npm || (apt-get update && apt-get install -y nodejs npm)
	npm install --silent --no-audit --no-fund --prefix $(LIGHTHOUSE_DIR) lighthouse@12.2.3
lighthouse: $(BIN)/flask translations $(LIGHTHOUSE)
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} LIGHTHOUSE=$(LIGHTHOUSE) \
		$(BIN)/python -m bench.lighthouse $(LIGHTHOUSE_ARGS)
