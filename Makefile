# Sales Weekly Reports: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run web worker test test-fast test-faults lint lint-imports typecheck compose-check scale-check security-audit lock messages clean bench-reminders bench-pdf seed-large bench bench-jobs load

# Every package, direct or not, comes from the hashed lock file: a changed or swapped file on the
# index fails the install. Edit requirements*.txt, then `make lock` to regenerate both locks
# (requirements.lock for the image, requirements-dev.lock for development and CI).
$(VENV)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# Bootstrap, its icons and the PDFs' Chinese font (Noto Sans SC) come from the npm registry
# (package.json); nothing is committed, and no system font is needed.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed
	$(PY) scripts/compile_messages.py

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  Sales Weekly Reports is starting at http://$(HOST):$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	$(VENV)/bin/celery -A salesreports worker --beat -Q celery,pdf --loglevel=INFO --concurrency=2 --max-tasks-per-child=50 & \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Two test processes (pytest-xdist; PYTEST_WORKERS=auto for one per core), the browser tests
# together in one of them (one Chromium); each process's test database is built by migrations once
# and kept (--reuse-db: SQLite's in var/test-databases/, PostgreSQL's as test_<name>_gw0 …), then
# only migrated forward. PYTEST_ARGS=--create-db rebuilds them. See tests/isolation.py.
# PYTHONDONTWRITEBYTECODE is unset for them: each process would otherwise compile the project
# and rewrite the 170 test modules' asserts again (about 4 s of each process's start).
PYTEST_WORKERS ?= 2
PYTEST := PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --reuse-db $(PYTEST_ARGS)
test: install
	$(PYTEST)

# Everything but the browser tests, for a quick loop while editing.
test-fast: install
	$(PYTEST) -m "not browser"

# The fault-injection tests alone (a throwaway Redis, real workers, dropped connections); `make test`
# runs them too. Most need PostgreSQL and redis-server: set DATABASE_URL and REDIS_URL.
test-faults: install
	$(PYTEST) -m faults

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

# The apps' floors (pyproject.toml's [tool.importlinter]): an app imports only from lower ones.
lint-imports: install
	$(VENV)/bin/lint-imports

# mypy with django-stubs over every services and selectors module (configured in pyproject.toml).
TYPED = $(shell find . \( -path ./.venv -o -path ./node_modules -o -path ./tests \) -prune -o \
	\( -name services.py -o -name 'selectors*.py' -o -path '*/selectors/*.py' \) -print | sort)
typecheck: install
	$(VENV)/bin/mypy $(TYPED)

# docker-compose.yml parsed and resolved by a compose implementation (no container engine needed).
compose-check:
	docker-compose -f docker-compose.yml config --quiet

# bandit over our code (reviewed findings are marked in place with a reason) and pip-audit over
# the lock file; see scripts/audit_dependencies.py for what is checked when the advisory
# services cannot be reached.
security-audit: install
	$(VENV)/bin/bandit -q -c pyproject.toml -r .
	$(PY) scripts/audit_dependencies.py

PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links
lock: $(VENV)/.installed
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --output-file requirements-dev.lock requirements-dev.txt

# The benchmark's company: about 1,000 salespeople in 40 teams with a year of reports (about a
# minute and a half on PostgreSQL). Refuses to run twice on the same database.
seed-large: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --scale large

# Benchmarks print tables; they are not tests. Set DATABASE_URL to measure on PostgreSQL.
bench-reminders: install
	$(PY) bench/reminders.py

bench-pdf: install
	$(PY) bench/pdf.py

# The key pages over HTTP (gunicorn, 2 workers, production settings) as ratios to the floor, a bare
# Django page on the same PostgreSQL (../shared/perf-floor or PERF_FLOOR), interleaved by wrk
# (apt-get install wrk); query counts at small and large scale. Needs the large demo:
# createdb bench_large; DATABASE_URL=postgres://…/bench_large make seed-large. See docs/benchmark.md.
bench: install
	$(PY) bench/run.py

# The worker's side on the large demo: PDFs, a month's export, the reminder tick.
bench-jobs: install
	$(PY) bench/jobs.py

# 50 simulated people for 60 s against gunicorn (2 workers) on 127.0.0.1; needs DATABASE_URL (the
# large demo) and REDIS_URL (a database of its own). Installs locust into .venv-load.
load: install
	bash bench/load.sh

# Scale-out, exercised: 2 gunicorn web processes, 2 Celery workers and 1 beat on one PostgreSQL
# (DATABASE_URL; the check uses a database of its own, SCALE_DATABASE, made afresh) and one Redis
# (REDIS_URL: a database of its own, emptied). A bounded load across both web processes, a doubled
# reminder tick and a batch of PDFs across both workers; fails if anything went twice or was lost.
scale-check: install
	$(PY) bench/scale_check.py

# Extract new strings, then translate locale/zh_Hans/LC_MESSAGES/django.po (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages --locale zh_Hans --locale en --ignore ".venv/*" --ignore "node_modules/*" --no-obsolete --no-location
	$(PY) scripts/update_messages.py
	$(PY) scripts/compile_messages.py

clean:
	rm -rf $(VENV) node_modules staticfiles var test-artifacts
