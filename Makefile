# The luffy course shop. `make run` serves it all on one laptop; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SANDBOX_PORT ?= 8001
WECHATPAY_SANDBOX_PORT ?= 8002

# MySQL is used when either URL names it: only then are its driver and C headers installed,
# so the embedded default (SQLite) needs no compiler and no system package.
USES_MYSQL := $(filter mysql%,$(DATABASE_URL) $(TEST_DATABASE_URL))

.PHONY: setup mysql-driver run test test-mysql test-scale lint bench keys spa node-modules dev clean

## setup: create .venv, install pinned dependencies, generate local dev keys (idempotent)
setup: $(VENV)/.installed $(if $(USES_MYSQL),mysql-driver) keys

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11+ needed"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

## mysql-driver: mysqlclient, after the Debian packages it builds against
mysql-driver: $(VENV)/.installed-mysql

$(VENV)/.installed-mysql: requirements-mysql.txt $(VENV)/.installed
	scripts/system-packages.sh mysql
	$(PY) -m pip install -q -r requirements-mysql.txt
	touch $@

## keys: our dev key pairs and APIv3 key (var/keys/), the local sandboxes' own keys
##       (var/sandbox/ "Alipay", var/wechat-sandbox/ "WeChat Pay"); never committed
keys: $(VENV)/.installed
	@$(PY) scripts/dev_keys.py

## run: migrate SQLite, load demo data, build the SPA, then serve the site, the Alipay sandbox
##      and the periodic jobs in the foreground (Ctrl-C stops them all)
run: setup spa
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo --with-admin
	@echo "Site: http://127.0.0.1:$(PORT)/  API docs: http://127.0.0.1:$(PORT)/api/docs/  admin: http://127.0.0.1:$(PORT)/admin/"
	@echo "Alipay sandbox: http://127.0.0.1:$(SANDBOX_PORT)/gateway.do  WeChat Pay sandbox: http://127.0.0.1:$(WECHATPAY_SANDBOX_PORT)/"
	@# honcho hands every process its own PORT; ours are fixed, so pass them under other names.
	LUFFY_PORT=$(PORT) LUFFY_SANDBOX_PORT=$(SANDBOX_PORT) LUFFY_WECHATPAY_SANDBOX_PORT=$(WECHATPAY_SANDBOX_PORT) $(VENV)/bin/honcho start -f Procfile.local

## node-modules: the front end's pinned npm packages (npm ci when the lock file changed)
node-modules:
	@command -v npm >/dev/null || { echo "npm not found: install Node 20 to build the SPA"; exit 1; }
	@cd luffycity && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; }

## spa: build the Vue front end into luffycity/dist (served by Django at /)
spa: node-modules
	cd luffycity && npm run build

## test: the whole suite on SQLite (TEST_DATABASE_URL=mysql://... runs it on MySQL/MariaDB)
# Explicit settings: pytest-django prefers an exported DJANGO_SETTINGS_MODULE over pytest.ini.
TEST_ENV := DJANGO_SETTINGS_MODULE=luffyapi.settings.test

## test: front-end unit tests (Vitest), then every Python test incl. the browser journeys
test: setup spa
	scripts/system-packages.sh browser
	cd luffycity && npm test --silent
	$(TEST_ENV) $(PY) -m pytest

test-mysql: setup mysql-driver spa
	scripts/system-packages.sh browser
	$(TEST_ENV) TEST_DATABASE_URL=$${TEST_DATABASE_URL:-mysql://root@127.0.0.1:3306/test} $(PY) -m pytest

## test-scale: two gunicorn instances, a Celery worker and beat (the production Procfile) on the
##             local MariaDB and Redis, behind a round-robin proxy; kills a host mid-payment
test-scale: setup mysql-driver
	$(TEST_ENV) $(PY) -m pytest tests/scale -m scale -p no:cacheprovider

## dev: Vite's dev server with hot reload on http://127.0.0.1:5173, plus the API, sandbox, jobs
dev: setup spa
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo --with-admin
	@echo "Front end (hot reload): http://127.0.0.1:5173/   API: http://127.0.0.1:$(PORT)/api/"
	LUFFY_PORT=$(PORT) LUFFY_SANDBOX_PORT=$(SANDBOX_PORT) LUFFY_WECHATPAY_SANDBOX_PORT=$(WECHATPAY_SANDBOX_PORT) $(VENV)/bin/honcho start -f Procfile.dev

## lint: ruff (rules in ruff.toml) on the Python code, ESLint with eslint-plugin-vue on the SPA
lint: setup node-modules
	$(VENV)/bin/ruff check .
	cd luffycity && npm run lint

clean:
	rm -rf $(VENV) var/static var/test-*.sqlite3*

## bench: the site under gunicorn driven by wrk, endpoint by endpoint (var/bench/latest.json),
##        then the payment micro-benchmarks; DATABASE_URL=mysql://... benchmarks MariaDB/MySQL
bench: setup
	scripts/system-packages.sh bench
	$(PY) benchmarks/http_bench.py
	$(PY) benchmarks/bench_payments.py
