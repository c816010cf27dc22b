# Everyday commands. `make run` sets everything up on a fresh clone.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint format bench bench-intake migrations-check clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# A local .env (a random key; the desk as users see it, on plain http) so
# every manage.py command works on this machine too; never committed.
.env:
	@{ echo "# Written by make run for this machine. DEBUG=1 shows Django's debug pages."; \
	   echo "SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(40))')"; \
	   echo "DEBUG=0"; \
	   echo "SECURE_COOKIES=0"; \
	   echo "WHITENOISE_USE_FINDERS=1"; \
	   echo "LOG_FORMAT=readable"; } > $@
	@echo "Created .env (random SECRET_KEY, DEBUG=0 on plain http)."

run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.installed .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --site-url http://127.0.0.1:$(PORT)
	@echo "upme_social: http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web server, worker and beat)"
	PORT=$(PORT) PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/honcho start

test: $(VENV)/.installed
	$(PY) -m pytest -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: $(VENV)/.installed
	$(PY) manage.py makemigrations --check --dry-run

bench: bench-intake

bench-intake: $(VENV)/.installed
	$(PY) benchmarks/bench_intake.py

clean:
	rm -rf var/celery var/celerybeat-schedule*
