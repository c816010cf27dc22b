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

# A development .env (DEBUG on, a random key) so every manage.py command
# works on this machine too; it is never committed.
.env:
	@printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$(python3 -c 'import secrets; print(secrets.token_urlsafe(40))')" > $@
	@echo "Created .env for development (DEBUG=1 and a random SECRET_KEY)."

run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.installed .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
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
