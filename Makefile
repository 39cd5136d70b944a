# Trellis: the two set-up commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SIZE ?= demo
SEED ?= 1
BENCH_SIZES ?= demo,district
BENCH_ROSTER_SIZE ?= metro
export DJANGO_SETTINGS_MODULE := trellis.settings

.PHONY: demo serve test test-browser lint typecheck bench clean

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
# with it.
RUN_SITE = trap 'kill 0' INT TERM EXIT; $(PY) manage.py db_worker --interval 1 --no-reload & \
	$(PY) manage.py runserver 127.0.0.1:8000

demo: $(VENV)/.runtime var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo --size $(SIZE) --seed $(SEED)
	@$(RUN_SITE)

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

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
