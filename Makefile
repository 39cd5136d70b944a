# Trellis: the two set-up commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SIZE ?= demo
SEED ?= 1
BENCH_SIZES ?= district,metro
BENCH_ROSTER_SIZE ?= metro
export DJANGO_SETTINGS_MODULE := trellis.settings

.PHONY: demo demo-reset serve test test-browser lint typecheck bench clean

# The venv is rebuilt when a lock file changes; the stamp records which one it holds.
$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

var:
	mkdir -p var

# The task worker (imports and other background work) runs beside the web server and stops
# with it. Both run as background jobs (which ignore the terminal's Ctrl-C) and the shell waits
# for them: Ctrl-C or SIGTERM interrupts the wait, the trap stops both, and the recipe ends with
# status 0, so make reports no error. (`trap 'kill 0'` used to signal make itself.)
PORT ?= 8000
# The worker and the web server run in sessions of their own (setsid) so that each process gets
# exactly one SIGTERM, from the trap: a second one (from the terminal's or make's process group)
# makes it exit mid-shutdown with a traceback (the server's autoreloader did, under load). The
# server's session is its autoreloader and the server it restarts: the trap signals both.
RUN_SITE = setsid $(PY) manage.py db_worker --interval 1 --no-reload & worker=$$!; \
	setsid $(PY) manage.py runserver 127.0.0.1:$(PORT) & server=$$!; \
	stopping=0; trap 'stopping=1; kill -TERM -$$server $$worker 2>/dev/null' INT TERM; \
	wait $$server; status=$$?; [ $$stopping = 1 ] || kill $$worker 2>/dev/null; wait; \
	if [ $$stopping = 1 ]; then echo "Trellis stopped."; else exit $$status; fi

DEMO_DB := var/trellis.sqlite3

# `make demo` keeps an existing demo (and says so); `make demo FRESH=1` or `make demo-reset`
# removes the SQLite file first and builds the demo from nothing.
demo: $(VENV)/.runtime var
ifeq ($(FRESH),1)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
endif
	@if [ -z "$$DATABASE_URL" ] && [ -f $(DEMO_DB) ]; then \
		echo "Using the existing $(DEMO_DB) (a demo in it is kept); 'make demo-reset' starts from nothing."; fi
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo --size $(SIZE) --seed $(SEED) --port $(PORT)
	@$(RUN_SITE)

demo-reset:
	$(MAKE) demo FRESH=1

serve: $(VENV)/.runtime var
	@$(RUN_SITE)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy trellis tests

# Production settings for `check --deploy`: every value a real deployment must set.
PROD_ENV := TRELLIS_ENV=production SECRET_KEY=check-deploy-only-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz ALLOWED_HOSTS=trellis.example.org

test: lint typecheck var
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	$(PROD_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	$(VENV)/bin/pytest -m "not browser" -n 2 --dist loadfile

test-browser: $(VENV)/.dev var
	$(VENV)/bin/pytest -m browser -p no:xdist

bench: $(VENV)/.dev var
	$(PY) bench/pages.py --sizes $(BENCH_SIZES)
	$(PY) bench/rosters.py --size $(BENCH_ROSTER_SIZE)
	$(PY) bench/impact.py
	$(PY) bench/attendance.py --sizes $(BENCH_SIZES)

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
