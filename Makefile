# Minsheng: make run | make test | make bench (see README.md).

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
RUFF := $(VENV)/bin/ruff
MYPY := $(VENV)/bin/mypy
PYTEST := $(PY) -m pytest -n auto
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed
VAR := $(or $(MINSHENG_VAR_DIR),var)
ADDR := 127.0.0.1:8000

.PHONY: chromium redis fonts libmagic help venv run serve test test-sqlite test-postgres bench lint fmt clean distclean

help:
	@echo "make run        install, migrate, load the demo data, serve on http://$(ADDR)/"
	@echo "make serve      the production set-up on http://127.0.0.1:8000/ (PostgreSQL, Redis, gunicorn)"
	@echo "make test       lint, type-check, migration check, tests on SQLite and PostgreSQL"
	@echo "make bench      the benchmarks, one table (MINSHENG_BENCH_QUICK=1 make bench: small sizes)"
	@echo "make lint       ruff check, ruff format --check, mypy"
	@echo "make fmt        ruff format, ruff check --fix"
	@echo "make clean      remove ./var (local database, uploads) and tool caches"
	@echo "make distclean  clean, and remove .venv"

venv: $(STAMP)

# Re-installs only when pyproject.toml changed; the stamp is written after a good install.
$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "python3.11 not found on the PATH" >&2; exit 1; }
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing dependencies into $(VENV) (about a minute the first time)"
	@$(PIP) install --progress-bar off -e ".[dev]" >$(VENV)/pip.log 2>&1 \
		|| { cat $(VENV)/pip.log >&2; echo "pip install failed (log: $(VENV)/pip.log)" >&2; exit 1; }
	@touch $@

run: venv fonts libmagic
	@mkdir -p $(VAR)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	@echo
	@echo "  Minsheng is serving on  http://$(ADDR)/"
	@echo "  admin:                  http://$(ADDR)/admin/"
	@echo "  background worker:      manage.py task_worker; deadline watch: manage.py watch (every minute)"
	@echo "  complaint e-mail in:    SMTP on 127.0.0.1:8025 (manage.py mail_receive)"
	@echo "  stop with Ctrl-C"
	@echo
	$(MANAGE) task_worker --no-startup-delay & pids=$$!; \
		$(MANAGE) watch & pids="$$pids $$!"; \
		$(MANAGE) mail_receive --host 127.0.0.1 --port 8025 & pids="$$pids $$!"; \
		trap 'kill $$pids 2>/dev/null' EXIT; \
		$(MANAGE) runserver $(ADDR)

# The production set-up, thrown away on Ctrl-C (README "Running in production").
serve: venv redis fonts libmagic
	scripts/serve

# pytest exits 5 when it collects no tests; make treats that as a failure like any other.
test: lint chromium redis fonts libmagic
	@mkdir -p $(VAR)
	$(MANAGE) makemigrations --check --dry-run
	@$(MAKE) test-sqlite
	@$(MAKE) test-postgres

# The browser journeys drive Debian's Chromium (never `playwright install`, which downloads).
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq \
		&& apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei >/dev/null; } \
		|| echo "Chromium not installed (not root?): browser tests will skip"

# The Redis task-backend tests start Debian's redis-server (scripts/with-redis does too).
redis:
	@command -v redis-server >/dev/null || { [ "$$(id -u)" = 0 ] && { apt-get install -y -qq \
		--no-install-recommends -o DPkg::Lock::Timeout=300 redis-server >/dev/null 2>&1 \
		|| { apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server \
		>/dev/null; }; }; } || echo "redis-server not installed (not root?): Redis tests will skip"

# The PDF documents (WeasyPrint) need Debian's Pango, and for Chinese the Noto CJK fonts.
# Uploads are typed by their content with libmagic (python-magic loads libmagic.so.1).
libmagic:
	@dpkg -s libmagic1 >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && { apt-get install -y -qq \
		--no-install-recommends -o DPkg::Lock::Timeout=300 libmagic1 >/dev/null 2>&1 \
		|| { apt-get update -qq && apt-get install -y -qq --no-install-recommends libmagic1 \
		>/dev/null; }; }; } || echo "libmagic1 not installed (not root?): uploads cannot be checked"

fonts:
	@dpkg -s fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] \
		&& { apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 fonts-noto-cjk \
		libpango-1.0-0 libpangoft2-1.0-0 >/dev/null 2>&1 || { apt-get update -qq && apt-get install \
		-y -qq --no-install-recommends fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }; }; } \
		|| echo "fonts-noto-cjk or Pango not installed (not root?): PDF documents will lack Chinese fonts"

test-sqlite: venv
	env -u DATABASE_URL $(PYTEST)

test-postgres: venv
	scripts/with-postgres $(PYTEST)

bench: venv
	@if [ -e minsheng/bench.py ] || [ -d minsheng/bench ]; then $(PY) -m minsheng.bench; else echo "no benchmarks yet"; fi

lint: venv
	$(RUFF) check .
	$(RUFF) format --check .
	$(MYPY) minsheng

fmt: venv
	$(RUFF) format .
	$(RUFF) check --fix .

# Only ./var: a MINSHENG_VAR_DIR elsewhere may hold real data.
clean:
	rm -rf var .hypothesis .mypy_cache .ruff_cache .pytest_cache artifacts build
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info
