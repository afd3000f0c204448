# CPEC Tracker. `make run` serves the dashboard with demo data; `make test` runs every test.
# Both set everything up first (virtualenv, packages, PostgreSQL) and are safe to repeat.

PORT ?= 8000
TEST_WORKERS ?= 2
PY := .venv/bin/python

.PHONY: help setup run serve test migrate demo static check-deploy lighthouse benchmark http-benchmark

help:
	@echo "make run    set up, load the demo portfolio and serve http://127.0.0.1:$(PORT)/"
	@echo "make test   set up and run the whole test suite"
	@echo "make serve  production server: collectstatic, migrate, gunicorn (gunicorn.conf.py) with DEBUG off"
	@echo "make lighthouse  Lighthouse over every page as the demo viewer, into docs/benchmarks.md"
	@echo "make http-benchmark  the pages over HTTP (gunicorn, 16 clients, edits) at 100 and 10,000 projects, into docs/benchmarks.md"

setup:
	bash scripts/setup.sh

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_cpec_demo

static: setup
	$(PY) manage.py collectstatic --noinput --verbosity 0

run: demo static
	@echo "Serving CPEC Tracker on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Production: gunicorn with gunicorn.conf.py (workers from the core count, WEB_CONCURRENCY
# overrides), DEBUG off. HTTPS and the rest come from the environment or .env (docs/operations.md).
serve: migrate static
	@echo "gunicorn serving CPEC Tracker on $${GUNICORN_BIND:-127.0.0.1:$(PORT)} (Ctrl-C stops it)"
	DEBUG=false PORT=$(PORT) .venv/bin/gunicorn --config gunicorn.conf.py

# Lint first (seconds), then every test on both cores: pytest-xdist gives each worker its own
# test database and live server; --dist loadscope keeps a module's tests (and its demo data) together.
test:
	bash scripts/setup.sh --browser
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	CPEC_MIN_GENERATED_REQUESTS=10000 .venv/bin/pytest -n $(TEST_WORKERS) --dist loadscope

check-deploy: setup
	DEBUG=false HTTPS=true $(PY) manage.py check --deploy --fail-level WARNING

# Lighthouse (pinned, installed into .tools/) over every page as the demo viewer against a production
# server of its own; rewrites its section of docs/benchmarks.md.
lighthouse: demo
	$(PY) scripts/lighthouse.py

# The page benchmark's pages over HTTP through a production gunicorn of its own: 16 clients for 60 s at
# 100 and 10,000 projects (the benchmark databases), an edit through the admin every 5 s; rewrites its
# section of docs/benchmarks.md.
http-benchmark: setup
	$(PY) scripts/http_benchmark.py
